import { api, downloadFile, type ItemList, type PageQuery } from '../../common/api';
import type { ApiQuery } from '../../common/api-types';
import type {
  AnnualReportNotesInput,
  AnnualReportQuery,
  ImportResult,
  InspectionInput,
  Job,
  RevealField,
  SettingValue,
  SiteInput,
  StandardInput,
  StatsOverviewQuery,
  StatsPeriodQuery,
  StatsRowsQuery,
  TeamCategory,
  TeamDetail,
  TeamInput,
  TeamMember,
  TeamNode,
  TeamPage,
  UserCreateInput,
  UserUpdateInput,
  RoleInput,
  VolunteerCreateInput,
  VolunteerQuery,
  VolunteerUpdateInput,
} from './types';

export * from './types';

// The converted modules' calls need no type arguments: their answers, queries and bodies come from the generated
// OpenAPI types (web/common/api-types.ts).

export const authApi = {
  login: (phone: string, password: string) => api.post('/auth/login', { phone, password }, { skipAuthHandler: true }),
  logout: () => api.post('/auth/logout', undefined, { skipAuthHandler: true }),
  me: () => api.get('/me'),
  changePassword: (oldPassword: string, newPassword: string) => api.post('/me/password', { oldPassword, newPassword }),
};

export const regionApi = {
  children: (parent?: string) => api.get('/regions', { parent }),
  get: (code: string) => api.get(`/regions/${encodeURIComponent(code)}`),
};

export type SiteQuery = ApiQuery<'/api/v1/sites', 'get'>;

export const siteApi = {
  list: (query: SiteQuery) => api.page('/sites', query),
  get: (id: string) => api.get(`/sites/${id}`),
  create: (input: SiteInput) => api.post('/sites', input),
  update: (id: string, input: Partial<SiteInput>) => api.patch(`/sites/${id}`, input),
  remove: (id: string) => api.delete(`/sites/${id}`),
  inspections: (id: string) => api.get(`/sites/${id}/inspections`),
  inspect: (id: string, input: InspectionInput) => api.post(`/sites/${id}/inspections`, input),
};

export const standardApi = {
  list: () => api.get('/standards'),
  create: (input: StandardInput) => api.post('/standards', input),
  update: (id: string, input: StandardInput) => api.put(`/standards/${id}`, input),
};

export const fileApi = {
  upload: (file: File) => api.upload('/files', file, file.name),
  /** PDF, Word, Excel, JPG or PNG, checked by its bytes on the server (POST /files/attachments) */
  uploadAttachment: (file: File) => api.upload('/files/attachments', file, file.name),
};

/** An uploaded attachment as an editor lists it. */
export type Attachment = { id: string; url: string; name: string; size: number; mime: string };

export const statsApi = {
  coverage: (regionCode?: string) => api.get('/stats/coverage', { regionCode }),
  overview: (q: StatsOverviewQuery) => api.get('/stats/overview', q),
  rows: (q: StatsRowsQuery) => api.get('/stats/rows', q),
  series: (q: StatsPeriodQuery) => api.get('/stats/series', q),
  todo: () => api.get('/stats/todo'),
};

/** 年度工作报告: the JSON to preview, 下步打算 saved, the Word and Markdown files (the server names them). */
export const reportApi = {
  annual: (q: AnnualReportQuery) => api.get('/reports/annual', { ...q, format: 'json' }),
  saveNotes: (input: AnnualReportNotesInput) => api.put('/reports/annual/notes', input),
  download: (q: AnnualReportQuery, format: 'docx' | 'md') =>
    downloadFile('/reports/annual', `年度工作报告.${format}`, { ...q, format }),
};

export type UserQuery = ApiQuery<'/api/v1/users', 'get'>;

export const userApi = {
  list: (query: UserQuery) => api.page('/users', query),
  get: (id: string) => api.get(`/users/${id}`),
  create: (input: UserCreateInput) => api.post('/users', input),
  update: (id: string, input: UserUpdateInput) => api.patch(`/users/${id}`, input),
  setRoles: (id: string, roles: RoleInput[]) => api.put(`/users/${id}/roles`, { roles }),
  unlock: (id: string) => api.post(`/users/${id}/unlock`),
  resetPassword: (id: string, password: string) => api.post(`/users/${id}/reset-password`, { password }),
};

export const roleApi = {
  list: () => api.get('/roles'),
  permissions: () => api.get('/permissions'),
};

export const settingApi = {
  values: () => api.get('/settings'),
  definitions: () => api.get('/settings/definitions'),
  save: (values: Record<string, SettingValue>) => api.put('/settings', values),
};

export type AuditQuery = ApiQuery<'/api/v1/audit', 'get'>;

export const auditApi = {
  list: (query: AuditQuery) => api.page('/audit', query),
  verify: () => api.get('/audit/verify'),
};

export const volunteerApi = {
  list: (query: VolunteerQuery) => api.page('/volunteers', query),
  get: (id: string) => api.get(`/volunteers/${id}`),
  create: (input: VolunteerCreateInput) => api.post('/volunteers', input),
  update: (id: string, input: VolunteerUpdateInput) => api.patch(`/volunteers/${id}`, input),
  verify: (id: string) => api.post(`/volunteers/${id}/verify`),
  reveal: (id: string, field: RevealField, reason: string) => api.post(`/volunteers/${id}/reveal`, { field, reason }),
  /** Starts an import job: 202 `{ jobId }`; errors before the job starts come back as 400/413. */
  importAsync: (file: File) =>
    api.upload<{ jobId: string; statusUrl?: string }>('/volunteers/import?async=1', file, file.name),
  downloadTemplate: () => downloadFile('/volunteers/import/template', '志愿者导入模板.xlsx'),
  exportRoster: (regionCode?: string) => downloadFile('/volunteers/export', '志愿者花名册.xlsx', { regionCode }),
};

export const jobApi = {
  get: <R = ImportResult>(id: string) => api.get(`/jobs/${id}`) as Promise<Job<R>>,
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
