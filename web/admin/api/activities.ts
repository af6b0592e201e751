/**
 * Issue #5: activities and attendance, the hours ledger, star levels, certificates, plans and the calendar,
 * 台账 downloads and monthly submissions (docs/ACTIVITIES_API.md). Kept apart from index.ts like orders.ts.
 */
import {
  api,
  apiUrl,
  ApiError,
  downloadFile,
  type ItemList,
  type PageQuery,
  type Paged,
  type Query,
} from '../../common/api';
import type { ApiBody, ApiQuery, Schemas } from '../../common/api-types';

// ---------- activities ----------

export type ActivityType = 'lecture' | 'culture_sports' | 'volunteer_service' | 'training' | 'theme';
export type ActivityState =
  | 'draft'
  | 'published'
  | 'full'
  | 'in_progress'
  | 'ended'
  | 'archived'
  | 'cancelled'
  | 'pending_confirmation'
  | 'returned';
/** What the caller may do with an activity now (the detail's `actions`; the server checks again). */
export type ActivityAction =
  'edit' | 'publish' | 'cancel' | 'end' | 'archive' | 'attendance' | 'confirm' | 'return' | 'resubmit';
export type SignupStatus = 'confirmed' | 'waitlisted' | 'cancelled';

export interface Shift {
  id: string;
  position: string;
  startAt: string;
  endAt: string;
  quota: number;
  confirmedCount: number;
}

export interface Activity {
  id: string;
  title: string;
  type: ActivityType;
  theme: string;
  description: string;
  state: ActivityState;
  regionCode: string;
  regionName: string | null;
  siteId: string | null;
  siteName: string | null;
  teamId: string | null;
  teamName: string | null;
  planId: string | null;
  startAt: string;
  endAt: string;
  quota: number;
  confirmedCount: number;
  waitlistCount: number;
  address: string;
  lat: number | null;
  lng: number | null;
  checkinRadiusM: number | null;
  beneficiaries: string;
  beneficiaryCount: number;
  /** People who took part without a volunteer record (residents …). */
  participantCount?: number;
  photoIds?: string[];
  /** 补录: photos of the paper sign-in sheet. */
  sheetPhotoIds?: string[];
  /** Set for an activity held first and entered afterwards (补录). */
  recordedAfter?: RecordedAfter | null;
  risky: boolean;
  insurance: string | null;
  cancelReason: string | null;
  shifts: Shift[];
  /** Detail only: what the caller may do now. */
  actions?: ActivityAction[];
  /** Detail only: the timeline of a recorded activity. */
  timeline?: ActivityEvent[];
  /** Only for callers with activity:manage. */
  code?: string;
  createdAt: string;
  publishedAt: string | null;
  endedAt?: string | null;
}

export interface RecordedAfter {
  byUserId: string | null;
  byName: string | null;
  at: string;
  confirmedAt: string | null;
  returnReason: string | null;
}

export interface ActivityEvent {
  action: 'record' | 'confirm' | 'return' | 'resubmit' | 'cancel';
  actionName: string;
  fromState?: string | null;
  toState?: string;
  toStateName?: string;
  actorName: string;
  note: string;
  at: string;
}

/** POST /activities/records: an activity held and entered afterwards, with its paper sign-in sheet. */
export interface RecordInput {
  title: string;
  type: ActivityType;
  regionCode: string;
  startAt: string;
  endAt: string;
  address: string;
  description: string;
  theme?: string;
  siteId?: string | null;
  teamId?: string | null;
  participants?: number;
  beneficiaries?: string;
  beneficiaryCount?: number;
  photoIds?: string[];
  sheetPhotoIds?: string[];
  attendance?: AttendanceInput[];
}

export interface RecordSettlement {
  needsConfirmation: boolean;
  credited: number;
  pending: number;
  items: {
    signupId: string;
    volunteerId: string;
    volunteerName: string;
    volunteerNo: string | null;
    checkInAt: string | null;
    checkOutAt: string | null;
    hours: HoursOutcome | null;
  }[];
}

export type RecordResult = Activity & { settlement: RecordSettlement };

export interface ShiftInput {
  id?: string;
  position: string;
  startAt: string;
  endAt: string;
  quota: number;
}

export interface ActivityInput {
  title: string;
  type: ActivityType;
  regionCode: string;
  startAt: string;
  endAt: string;
  quota: number;
  address: string;
  siteId?: string | null;
  teamId?: string | null;
  planId?: string | null;
  theme?: string;
  description?: string;
  beneficiaries?: string;
  beneficiaryCount?: number;
  risky?: boolean;
  insurance?: string | null;
  lat?: number | null;
  lng?: number | null;
  checkinRadiusM?: number | null;
  shifts?: ShiftInput[];
}

export interface ActivityQuery extends PageQuery {
  state?: ActivityState;
  type?: ActivityType;
  regionCode?: string;
  teamId?: string;
  from?: string;
  to?: string;
  q?: string;
}

export interface Signup {
  id: string;
  volunteerId: string;
  volunteerName: string;
  volunteerNo: string | null;
  phoneMasked: string | null;
  status: SignupStatus;
  position: number | null;
  shiftId: string | null;
  source: 'self' | 'staff' | 'sheet';
  signedUpAt: string;
  checkInAt: string | null;
  checkOutAt: string | null;
  noShow: boolean;
  creditedHours: number | null;
  pendingHours: number | null;
}

export interface HoursOutcome {
  credited: number;
  pending: number;
  reason: string | null;
}

export interface AttendanceInput {
  volunteerId: string;
  checkInAt: string;
  checkOutAt: string;
}

export const activityApi = {
  list: (query: ActivityQuery) => api.page<Activity>('/activities', { ...query }),
  get: (id: string) => api.get<Activity>(`/activities/${id}`),
  create: (input: ActivityInput) => api.post<Activity>('/activities', input),
  update: (id: string, input: ActivityInput) => api.put<Activity>(`/activities/${id}`, input),
  publish: (id: string) => api.post<Activity>(`/activities/${id}/publish`),
  cancel: (id: string, reason: string) => api.post<Activity>(`/activities/${id}/cancel`, { reason }),
  end: (id: string) => api.post<Activity>(`/activities/${id}/end`),
  archive: (id: string) => api.post<Activity>(`/activities/${id}/archive`),
  signups: (id: string, query: PageQuery & { status?: SignupStatus }) =>
    api.page<Signup>(`/activities/${id}/signups`, { ...query }),
  attendance: (id: string, input: AttendanceInput) =>
    api.post<{ signupId: string; hours: HoursOutcome }>(`/activities/${id}/attendance`, input),
  qr: (id: string) => fetchBlob(`/activities/${id}/qr`),
  /** 补录 */
  record: (input: RecordInput) => api.post<RecordResult>('/activities/records', input),
  resubmit: (id: string, input: RecordInput) => api.post<RecordResult>(`/activities/${id}/resubmit`, input),
  confirm: (id: string, comment?: string) =>
    api.post<RecordResult>(`/activities/${id}/confirm`, comment ? { comment } : {}),
  returnRecord: (id: string, reason: string) => api.post<Activity>(`/activities/${id}/return`, { reason }),
};

// ---------- hours ----------

export type HoursKind = Schemas['HoursKind'];
export type RequestKind = HoursRequest['kind'];
export type RequestStatus = Schemas['HoursRequestStatus'];
export type RequestAction = Schemas['HoursRequestAction'];
export type HoursEntry = Schemas['HoursEntry'];
export type HoursRequest = Schemas['HoursRequest'];
export type HoursEntryQuery = ApiQuery<'/api/v1/hours/entries', 'get'>;
export type CorrectionInput = ApiBody<'/api/v1/hours/requests', 'post'>;

export const hoursApi = {
  entries: (query: HoursEntryQuery) => api.page('/hours/entries', query),
  reverse: (id: string, reason: string) => api.post(`/hours/entries/${id}/reverse`, { reason }),
  requests: (query: ApiQuery<'/api/v1/hours/requests', 'get'>) => api.page('/hours/requests', query),
  createRequest: (input: CorrectionInput) => api.post('/hours/requests', input),
  approve: (id: string, body: { answer?: string; hours?: number }) => api.post(`/hours/requests/${id}/approve`, body),
  reject: (id: string, answer: string) => api.post(`/hours/requests/${id}/reject`, { answer }),
};

/** The address an uploaded file (evidence, attachments) is served at. */
export const fileUrl = (id: string): string => apiUrl(`/files/${id}`);

// ---------- star levels ----------

export type StarState = Schemas['StarState'];
export type StarAction = Schemas['StarAction'];
export type StarApplication = Schemas['StarApplication'];

export const starApi = {
  list: (query: ApiQuery<'/api/v1/stars/applications', 'get'>) => api.page('/stars/applications', query),
  approve: (id: string, comment?: string) => api.post(`/stars/applications/${id}/approve`, comment ? { comment } : {}),
  reject: (id: string, comment: string) => api.post(`/stars/applications/${id}/reject`, { comment }),
  object: (id: string, objection: string) => api.post(`/stars/applications/${id}/object`, { objection }),
};

// ---------- certificates ----------

export type Certificate = Schemas['Certificate'];

export const certificateApi = {
  list: (query: ApiQuery<'/api/v1/certificates', 'get'>) => api.page('/certificates', query),
  issue: (input: ApiBody<'/api/v1/certificates', 'post'>) => api.post('/certificates', input),
  revoke: (id: string, reason: string) => api.post(`/certificates/${id}/revoke`, { reason }),
  pdf: (id: string) => fetchBlob(`/certificates/${id}/pdf`),
  download: (id: string, number: string) => downloadFile(`/certificates/${id}/pdf`, `志愿服务证明-${number}.pdf`),
};

/** The public page a certificate's QR code points to. */
export const verifyUrl = (code: string): string => `${window.location.origin}/m/verify/${code}`;

// ---------- plans and calendar ----------

export interface MonthTheme {
  month: number;
  theme: string;
  focus: string;
}

export interface Plan {
  id: string;
  regionCode: string;
  regionName: string | null;
  year: number;
  title: string;
  goals: string;
  months: MonthTheme[];
  createdAt?: string;
  updatedAt?: string;
}

export interface PlanDetail extends Plan {
  /** Twelve months, each with its theme and the plan's activities starting that month. */
  byMonth?: {
    month: number;
    theme: string | null;
    focus: string | null;
    activities: Pick<Activity, 'id' | 'title' | 'type' | 'state' | 'startAt'>[];
  }[];
}

export interface PlanInput {
  regionCode: string;
  year: number;
  title: string;
  goals?: string;
  months?: MonthTheme[];
}

export interface Festival {
  date: string;
  name: string;
  kind: 'lunar' | 'memorial' | 'solar_term';
  suggestion: string | null;
}

export interface CalendarActivity {
  id: string;
  title: string;
  type: ActivityType;
  state: ActivityState;
  startAt: string;
  endAt: string;
}

export interface CalendarMonth {
  month: string;
  regionCode?: string;
  regionName?: string;
  theme: string | null;
  focus?: string | null;
  /** Where the theme comes from: the region's own plan or, inherited, its town's. */
  plan?: { planId: string; planTitle: string; planRegionCode: string; inherited: boolean } | null;
  days: { date: string; festivals: Festival[]; activities: CalendarActivity[] }[];
}

export const planApi = {
  list: (query: PageQuery & { year?: number; regionCode?: string }) => api.page<Plan>('/plans', { ...query }),
  get: (id: string) => api.get<PlanDetail>(`/plans/${id}`),
  create: (input: PlanInput) => api.post<Plan>('/plans', input),
  update: (id: string, input: PlanInput) => api.put<Plan>(`/plans/${id}`, input),
  suggestions: (year: number, month: number) =>
    api.get<{ month: number | string; themes: { theme: string; reason: string }[] }>('/plans/suggestions', {
      year,
      month,
    }),
};

export const calendarApi = {
  festivals: async (year: number): Promise<Festival[]> => {
    const res = await api.get<Festival[] | ItemList<Festival>>('/calendar/festivals', { year });
    return Array.isArray(res) ? res : res.items;
  },
  month: (month: string, regionCode?: string) => api.get<CalendarMonth>('/calendar', { month, regionCode }),
};

// ---------- ledgers and submissions ----------

export type LedgerKind = 'activities' | 'attendance' | 'hours';

export const ledgerApi = {
  download: (kind: LedgerKind, query: { regionCode?: string; month: string }, fallbackName: string) =>
    downloadFile(`/ledgers/${kind}`, fallbackName, query),
};

export type SubmissionState = Schemas['SubmissionState'];
export type SubmissionAction = Schemas['SubmissionAction'];
export type Submission = Schemas['Submission'];
export type SubmissionDetail = Schemas['SubmissionDetail'];
export type SubmissionEvent = SubmissionDetail['events'][number];
export type MissingSubmission = Schemas['MissingSubmissions']['items'][number];
export type SubmissionPage = Schemas['SubmissionPage'];

export const submissionApi = {
  /** `view`: what this level received, or the caller's own reports; both when left out. */
  list: (query: ApiQuery<'/api/v1/submissions', 'get'>) => api.get('/submissions', { page: 1, pageSize: 20, ...query }),
  get: (id: string) => api.get(`/submissions/${id}`),
  submit: (input: { month: string; summary: string; attachmentIds?: string[] }) => api.post('/submissions', input),
  resubmit: (id: string, body: { summary?: string; attachmentIds?: string[] }) =>
    api.post(`/submissions/${id}/resubmit`, body),
  accept: (id: string, comment?: string) => api.post(`/submissions/${id}/accept`, comment ? { comment } : {}),
  return: (id: string, comment: string) => api.post(`/submissions/${id}/return`, { comment }),
  missing: (month: string) => api.get('/submissions/missing', { month }),
};

// ---------- pickers ----------

export const activityPick = {
  /** Activities for a select: title search, newest first. */
  search: async (q?: string): Promise<{ id: string; name: string; sub: string }[]> => {
    const res = await activityApi.list({ q: q || undefined, page: 1, pageSize: 30 });
    return res.items.map((a) => ({ id: a.id, name: a.title, sub: a.startAt.slice(0, 10) }));
  },
};

// ---------- binary responses with the session ----------

/** GETs a binary response (a QR image, a PDF) with the session cookie; errors come back as ApiError. */
export async function fetchBlob(path: string, query?: Query): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试');
  }
  if (!res.ok) {
    let message = `请求失败（${res.status}）`;
    let code = `HTTP_${res.status}`;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      if (body.error?.message) message = body.error.message;
      if (body.error?.code) code = body.error.code;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(res.status, code, message);
  }
  return res.blob();
}

export type { Paged };
