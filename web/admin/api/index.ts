import { api, type ItemList, type PageQuery, type Paged } from '../../common/api';
import type {
  AuditEvent,
  AuditVerifyResult,
  Coverage,
  FileRef,
  Inspection,
  InspectionInput,
  LoginResult,
  Me,
  Permission,
  Region,
  Role,
  RoleAssignment,
  SettingDefinition,
  SettingValue,
  Site,
  SiteDetail,
  SiteInput,
  Standard,
  User,
  UserCreateInput,
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
