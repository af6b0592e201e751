import { api } from './client';
import type { JoinRequest, MyTeams, TeamCategory, VolunteerRegistration } from './types';

const enc = encodeURIComponent;

// Accounts, sites and regions answer the generated OpenAPI types (web/common/api-types.ts): no type arguments.
export const authApi = {
  login: (phone: string, password: string) => api.post('/auth/login', { phone, password }, { skipAuthHandler: true }),
  logout: () => api.post('/auth/logout', undefined, { skipAuthHandler: true }),
  me: () => api.get('/me', undefined, { skipAuthHandler: true }),
  changePassword: (oldPassword: string, newPassword: string) => api.post('/me/password', { oldPassword, newPassword }),
};

export const sitesApi = {
  nearby: () => api.get('/sites/nearby'),
  get: (id: string) => api.get(`/sites/${enc(id)}`),
};

export const regionsApi = {
  /** Without a parent: the counties of this deployment (usually one). */
  children: (parent?: string) => api.get('/regions', { parent }),
  get: (code: string) => api.get(`/regions/${enc(code)}`),
};

export const volunteersApi = {
  register: (body: VolunteerRegistration) => api.post('/volunteers', body),
  me: () => api.get('/volunteers/me'),
  consentTexts: () => api.get('/volunteers/consent-texts'),
  categories: () => api.get<{ items: TeamCategory[] }>('/team-categories'),
};

export const teamsApi = {
  mine: () => api.get<MyTeams>('/teams/mine'),
  join: (teamId: string, note?: string) =>
    api.post<{ status: 'pending' | 'active' }>(`/teams/${enc(teamId)}/join`, note ? { note } : {}),
  leave: (teamId: string, volunteerId: string) => api.delete(`/teams/${enc(teamId)}/members/${enc(volunteerId)}`),
  pending: (teamId: string) =>
    api.get<{ items: JoinRequest[] }>(`/teams/${enc(teamId)}/members`, { status: 'pending' }),
  approve: (teamId: string, volunteerId: string) =>
    api.post<{ status: string }>(`/teams/${enc(teamId)}/members/${enc(volunteerId)}/approve`),
  reject: (teamId: string, volunteerId: string) =>
    api.post<{ status: string }>(`/teams/${enc(teamId)}/members/${enc(volunteerId)}/reject`, {}),
};

export { ApiError, errorMessage } from './client';
export type * from './types';
