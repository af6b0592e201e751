/**
 * Issue #5: activities and attendance, the hours ledger, star levels, certificates, plans and the calendar,
 * 台账 downloads and monthly submissions (docs/ACTIVITIES_API.md). Kept apart from index.ts like orders.ts.
 */
import { api, apiUrl, ApiError, downloadFile, type Paged, type Query } from '../../common/api';
import type { ApiBody, ApiQuery, Schemas } from '../../common/api-types';

// ---------- activities ----------

export type ActivityType = Schemas['ActivityType'];
export type ActivityState = Schemas['ActivityState'];
/** What the caller may do with an activity now (the list rows' and the detail's `actions`; the server checks again). */
export type ActivityAction = Schemas['ActivityAction'];
export type SignupStatus = Schemas['SignupStatus'];
export type Shift = Schemas['ActivityShift'];
/** A row of the staff list, with the caller's `actions`. */
export type ActivityRow = Schemas['ActivityRow'];
/** The detail: the row, its `actions` and (补录) its timeline. */
export type Activity = Schemas['ActivityDetail'];
export type RecordedAfter = Schemas['RecordedAfter'];
export type ActivityEvent = Schemas['TimelineEvent'];
/** POST /activities/records: an activity held and entered afterwards, with its paper sign-in sheet. */
export type RecordInput = ApiBody<'/api/v1/activities/records', 'post'>;
export type RecordSettlement = Schemas['RecordSettlement'];
export type RecordResult = Schemas['RecordedActivity'];
export type ActivityInput = ApiBody<'/api/v1/activities', 'post'>;
export type ShiftInput = NonNullable<ActivityInput['shifts']>[number];
export type ActivityQuery = ApiQuery<'/api/v1/activities', 'get'>;
export type Signup = Schemas['ActivitySignup'];
export type HoursOutcome = Schemas['Settlement'];
export type AttendanceInput = ApiBody<'/api/v1/activities/{id}/attendance', 'post'>;

export const activityApi = {
  list: (query: ActivityQuery) => api.page('/activities', query),
  get: (id: string) => api.get(`/activities/${id}`),
  create: (input: ActivityInput) => api.post('/activities', input),
  update: (id: string, input: ActivityInput) => api.put(`/activities/${id}`, input),
  publish: (id: string) => api.post(`/activities/${id}/publish`),
  cancel: (id: string, reason: string) => api.post(`/activities/${id}/cancel`, { reason }),
  end: (id: string) => api.post(`/activities/${id}/end`),
  archive: (id: string) => api.post(`/activities/${id}/archive`),
  signups: (id: string, query: ApiQuery<'/api/v1/activities/{id}/signups', 'get'>) =>
    api.page(`/activities/${id}/signups`, query),
  participants: (id: string, query: ApiQuery<'/api/v1/activities/{id}/participants', 'get'>) =>
    api.get(`/activities/${id}/participants`, query),
  markParticipant: (id: string, participantId: string, attended: boolean) =>
    api.post(`/activities/${id}/participants/${participantId}/attendance`, { attended }),
  attendance: (id: string, input: AttendanceInput) => api.post(`/activities/${id}/attendance`, input),
  qr: (id: string) => fetchBlob(`/activities/${id}/qr`),
  /** 补录 */
  record: (input: RecordInput) => api.post('/activities/records', input),
  resubmit: (id: string, input: RecordInput) => api.post(`/activities/${id}/resubmit`, input),
  confirm: (id: string, comment?: string) => api.post(`/activities/${id}/confirm`, comment ? { comment } : {}),
  returnRecord: (id: string, reason: string) => api.post(`/activities/${id}/return`, { reason }),
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

export type MonthTheme = Schemas['MonthTheme'];
export type Plan = Schemas['Plan'];
/** Twelve months, each with its theme and the plan's activities starting that month. */
export type PlanDetail = Schemas['PlanDetail'];
export type PlanInput = ApiBody<'/api/v1/plans', 'post'>;
export type Festival = Schemas['Festival'];
export type CalendarActivity = Schemas['PlanActivity'];
export type CalendarMonth = Schemas['CalendarMonth'];

export const planApi = {
  list: (query: ApiQuery<'/api/v1/plans', 'get'>) => api.page('/plans', query),
  get: (id: string) => api.get(`/plans/${id}`),
  create: (input: PlanInput) => api.post('/plans', input),
  update: (id: string, input: PlanInput) => api.put(`/plans/${id}`, input),
  suggestions: (year: number, month: number) => api.get('/plans/suggestions', { year, month }),
};

export const calendarApi = {
  festivals: (year: number) => api.get('/calendar/festivals', { year }),
  month: (month: string, regionCode?: string) => api.get('/calendar', { month, regionCode }),
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
