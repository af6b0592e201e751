/**
 * 活动 / 签到 / 时长 / 星级 / 证明: the calls and answer shapes of issue #5 (docs/ACTIVITIES_API.md).
 * Kept apart from api/index.ts and api/orders.ts so the modules grow without touching each other.
 */
import type { ApiBody, ApiQuery, Schemas } from '../../common/api-types';
import { api } from './client';

const enc = encodeURIComponent;

export type ActivityType = Schemas['ActivityType'];
export type ActivityState = Schemas['ActivityState'];
export type SignupStatus = Schemas['SignupStatus'];
export type When = 'upcoming' | 'past';

export type Shift = Schemas['ActivityShift'];
/** The caller's own sign-up of an activity, with what they may do with it now (`actions`: `cancel`). */
export type MySignup = Schemas['MySignup'];
/** An activity as the browse list shows it, with the caller's sign-up. */
export type Activity = Schemas['Activity'];
/** The detail: the activity and the caller's `actions` on it. */
export type ActivityDetail = Schemas['ActivityDetail'];
export type SignupResult = Schemas['SignupResult'];
export type HoursSettlement = Schemas['Settlement'];
/** `method` says whether the code was typed or came with the scanned QR link. */
export type CheckBody = ApiBody<'/api/v1/activities/{id}/checkin', 'post'>;
/** What a check-in (`checkInAt`) or a check-out (`checkOutAt`, `hours`) answers. */
export type CheckResult = Partial<Schemas['CheckInResult'] & Schemas['CheckOutResult']>;
/** GET /me/signups: my sign-up with a short view of its activity. */
export type MySignupRow = Schemas['MySignupItem'];
/** A resident's own place at an activity open to residents (报名参加), with its `actions`. */
export type MyParticipation = Schemas['MyParticipation'];
export type ParticipationResult = Schemas['ParticipationResult'];
/** GET /me/participations: the activities I joined as a resident. */
export type MyParticipationRow = Schemas['MyParticipationItem'];
/** 我的活动: a sign-up or a resident's place, one list. */
export type MyActivityRow = Schemas['MyActivityItem'];

export type HoursKind = Schemas['HoursKind'];
export type HoursEntry = Schemas['HoursEntry'];
/** GET /me/hours: `total` is hours (not a row count); pages end when a page comes back short. */
export type MyHours = Schemas['MyHours'];
export type RequestStatus = Schemas['HoursRequestStatus'];
export type HoursRequest = Schemas['HoursRequest'];
export type NewHoursRequest = ApiBody<'/api/v1/hours/requests', 'post'>;

export type StarState = Schemas['StarState'];
export type StarApplication = Schemas['StarApplication'];
export type MyStars = Schemas['MyStars'];

export type Certificate = Schemas['Certificate'];
export type CertificateIssued = Schemas['CertificateIssued'];
/** What the QR code's check answers (names masked). */
export type PublicCertificate = Schemas['CertificateCheck'];

export const activitiesApi = {
  browse: (query: ApiQuery<'/api/v1/activities/browse', 'get'> = {}) =>
    api.get('/activities/browse', { page: 1, pageSize: 20, ...query }),
  get: (id: string) => api.get(`/activities/${enc(id)}`),
  signUp: (id: string, shiftId?: string) => api.post(`/activities/${enc(id)}/signups`, shiftId ? { shiftId } : {}),
  cancelSignup: (id: string) => api.delete(`/activities/${enc(id)}/signups/me`),
  checkIn: (id: string, body: CheckBody) => api.post(`/activities/${enc(id)}/checkin`, body),
  checkOut: (id: string, body: CheckBody) => api.post(`/activities/${enc(id)}/checkout`, body),
  mySignups: (query: ApiQuery<'/api/v1/me/signups', 'get'> = {}) =>
    api.get('/me/signups', { page: 1, pageSize: 20, ...query }),
  join: (id: string) => api.post(`/activities/${enc(id)}/participants`, {}),
  cancelJoin: (id: string) => api.delete(`/activities/${enc(id)}/participants/me`),
  checkInPlace: (id: string, body: CheckBody) => api.post(`/activities/${enc(id)}/participants/me/checkin`, body),
  myParticipations: (query: ApiQuery<'/api/v1/me/participations', 'get'> = {}) =>
    api.get('/me/participations', { page: 1, pageSize: 20, ...query }),
  myActivities: (query: ApiQuery<'/api/v1/me/activities', 'get'> = {}) =>
    api.get('/me/activities', { page: 1, pageSize: 20, ...query }),
};

export const hoursApi = {
  mine: (query: { page?: number; pageSize?: number } = {}) => api.get('/me/hours', { page: 1, pageSize: 20, ...query }),
  myRequests: () => api.get('/me/hours/requests', { page: 1, pageSize: 50 }),
  request: (body: NewHoursRequest) => api.post('/hours/requests', body),
};

export const starsApi = {
  mine: () => api.get('/me/stars'),
  apply: (level: number) => api.post('/stars/applications', { level }),
};

export const certificatesApi = {
  mine: () => api.get('/me/certificates', { page: 1, pageSize: 50 }),
  issue: (from: string, to: string) => api.post('/me/certificates', { from, to }),
  pdfUrl: (id: string) => `/api/v1/certificates/${enc(id)}/pdf`,
  verify: (code: string) => api.get(`/public/certificates/${enc(code)}`, undefined, { skipAuthHandler: true }),
};
