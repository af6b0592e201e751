import { api } from './client';
import type { LoginResult, Me, NearbySites, SiteDetail } from './types';

export const authApi = {
  login: (phone: string, password: string) =>
    api.post<LoginResult>('/auth/login', { phone, password }, { skipAuthHandler: true }),
  logout: () => api.post<void>('/auth/logout', undefined, { skipAuthHandler: true }),
  me: () => api.get<Me>('/me', undefined, { skipAuthHandler: true }),
};

export const sitesApi = {
  nearby: () => api.get<NearbySites>('/sites/nearby'),
  get: (id: string) => api.get<SiteDetail>(`/sites/${encodeURIComponent(id)}`),
};

export { ApiError, errorMessage } from './client';
export type * from './types';
