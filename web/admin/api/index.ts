import { api, downloadFile, type ItemList, type PageQuery, type Paged } from '../../common/api';
import type {
  AuditEvent,
  AuditVerifyResult,
  Coverage,
  FileRef,
  ImportResult,
  Inspection,
  Job,
  InspectionInput,
  LoginResult,
  Me,
  Permission,
  Region,
  RevealField,
  Role,
  RoleAssignment,
  SettingDefinition,
  SettingValue,
  Site,
  SiteDetail,
  SiteInput,
  Standard,
  TeamCategory,
  TeamDetail,
  TeamInput,
  TeamMember,
  TeamNode,
  TeamPage,
  User,
  UserCreateInput,
  Volunteer,
  VolunteerCreateInput,
  VolunteerDetail,
  VolunteerUpdateInput,
} from './types';

export * from './types';

export const authApi = {
  login: (phone: string, password: string) =>
    api.post<LoginResult>('/auth/login', { phone, password }, { skipAuthHandler: true }),
  logout: () => api.post<void>('/auth/logout', undefined, { skipAuthHandler: true }),
  me: () => api.get<Me>('/me'),
};

export const regionApi = {
  children: (parent?: string) => api.get<ItemList<Region>>('/regions', { parent }),
  get: (code: string) => api.get<Region>(`/regions/${encodeURIComponent(code)}`),
};

export interface SiteQuery extends PageQuery {
  kind?: string;
  regionCode?: string;
  q?: string;
  compliance?: string;
}

export const siteApi = {
  list: (query: SiteQuery) => api.page<Site>('/sites', { ...query }),
  get: (id: string) => api.get<SiteDetail>(`/sites/${id}`),
  create: (input: SiteInput) => api.post<Site>('/sites', input),
  update: (id: string, input: Partial<SiteInput>) => api.patch<Site>(`/sites/${id}`, input),
  remove: (id: string) => api.delete(`/sites/${id}`),
  inspections: (id: string) => api.get<ItemList<Inspection>>(`/sites/${id}/inspections`),
  inspect: (id: string, input: InspectionInput) => api.post<Inspection>(`/sites/${id}/inspections`, input),
};

export type StandardInput = Omit<Standard, 'id' | 'isDefault'> & { isDefault?: boolean };

export const standardApi = {
  list: () => api.get<ItemList<Standard>>('/standards'),
  create: (input: StandardInput) => api.post<Standard>('/standards', input),
  update: (id: string, input: StandardInput) => api.put<Standard>(`/standards/${id}`, input),
};

export const fileApi = {
  upload: (file: File) => api.upload<FileRef>('/files', file, file.name),
};

export const statsApi = {
  coverage: (regionCode?: string) => api.get<Coverage>('/stats/coverage', { regionCode }),
};

export interface UserQuery extends PageQuery {
  q?: string;
  regionCode?: string;
  role?: string;
}

type RoleInput = Pick<RoleAssignment, 'role' | 'scope'> & { regionCode?: string };

export const userApi = {
  list: (query: UserQuery) => api.page<User>('/users', { ...query }),
  get: (id: string) => api.get<User>(`/users/${id}`),
  create: (input: UserCreateInput) => api.post<User>('/users', input),
  update: (id: string, input: { name?: string; regionCode?: string | null; active?: boolean }) =>
    api.patch<User>(`/users/${id}`, input),
  setRoles: (id: string, roles: RoleInput[]) => api.put<User>(`/users/${id}/roles`, { roles }),
  unlock: (id: string) => api.post<void>(`/users/${id}/unlock`),
  resetPassword: (id: string, password: string) => api.post<void>(`/users/${id}/reset-password`, { password }),
};

export const roleApi = {
  list: () => api.get<ItemList<Role>>('/roles'),
  permissions: () => api.get<ItemList<Permission>>('/permissions'),
};

export const settingApi = {
  values: () => api.get<Record<string, SettingValue>>('/settings'),
  definitions: () => api.get<ItemList<SettingDefinition>>('/settings/definitions'),
  save: (values: Record<string, SettingValue>) => api.put<Record<string, SettingValue>>('/settings', values),
};

export interface AuditQuery extends PageQuery {
  action?: string;
  entity?: string;
  from?: string;
  to?: string;
}

export const auditApi = {
  list: (query: AuditQuery): Promise<Paged<AuditEvent>> => api.page<AuditEvent>('/audit', { ...query }),
  verify: () => api.get<AuditVerifyResult>('/audit/verify'),
};

export interface VolunteerQuery extends PageQuery {
  q?: string;
  regionCode?: string;
  verified?: boolean;
  category?: string;
  teamId?: string;
}

export const volunteerApi = {
  list: (query: VolunteerQuery) => api.page<Volunteer>('/volunteers', { ...query }),
  get: (id: string) => api.get<VolunteerDetail>(`/volunteers/${id}`),
  create: (input: VolunteerCreateInput) => api.post<Volunteer>('/volunteers', input),
  update: (id: string, input: VolunteerUpdateInput) => api.patch<VolunteerDetail>(`/volunteers/${id}`, input),
  verify: (id: string) => api.post<VolunteerDetail>(`/volunteers/${id}/verify`),
  reveal: (id: string, field: RevealField, reason: string) =>
    api.post<{ field: RevealField; value: string }>(`/volunteers/${id}/reveal`, { field, reason }),
  /** Starts an import job: 202 `{ jobId }`; errors before the job starts come back as 400/413. */
  importAsync: (file: File) =>
    api.upload<{ jobId: string; statusUrl?: string }>('/volunteers/import?async=1', file, file.name),
  downloadTemplate: () => downloadFile('/volunteers/import/template', '志愿者导入模板.xlsx'),
  exportRoster: (regionCode?: string) => downloadFile('/volunteers/export', '志愿者花名册.xlsx', { regionCode }),
};

export const jobApi = {
  get: <R = ImportResult>(id: string) => api.get<Job<R>>(`/jobs/${id}`),
};

export interface TeamQuery extends PageQuery {
  q?: string;
  level?: string;
  category?: string;
  regionCode?: string;
  parentId?: string;
  inactive?: boolean;
  isBrand?: boolean;
}

export const teamApi = {
  categories: () => api.get<ItemList<TeamCategory>>('/team-categories'),
  addCategory: (input: { code: string; name: string }) => api.post<TeamCategory>('/team-categories', input),
  list: (query: TeamQuery) => api.get<TeamPage>('/teams', { page: 1, pageSize: 20, ...query }),
  tree: () => api.get<ItemList<TeamNode>>('/teams/tree'),
  get: (id: string) => api.get<TeamDetail>(`/teams/${id}`),
  create: (input: TeamInput) => api.post<TeamDetail>('/teams', input),
  update: (id: string, input: Partial<TeamInput>) => api.patch<TeamDetail>(`/teams/${id}`, input),
  members: (id: string) => api.get<ItemList<TeamMember>>(`/teams/${id}/members`),
  addMember: (id: string, volunteerId: string) => api.post<{ status: string }>(`/teams/${id}/members`, { volunteerId }),
  approve: (id: string, volunteerId: string) =>
    api.post<{ status: string }>(`/teams/${id}/members/${volunteerId}/approve`),
  reject: (id: string, volunteerId: string, reason?: string) =>
    api.post<{ status: string }>(`/teams/${id}/members/${volunteerId}/reject`, reason ? { reason } : {}),
  removeMember: (id: string, volunteerId: string) => api.delete(`/teams/${id}/members/${volunteerId}`),
};
