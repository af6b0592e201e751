/**
 * 活动 / 签到 / 时长 / 星级 / 证明: the calls and answer shapes of issue #5 (docs/ACTIVITIES_API.md).
 * Kept apart from api/index.ts and api/orders.ts so the modules grow without touching each other.
 */
import type { ApiBody, Schemas } from '../../common/api-types';
import type { ListAnswer } from '../../common/usePagedList';
import { api } from './client';

const enc = encodeURIComponent;

export type ActivityType = 'lecture' | 'culture_sports' | 'volunteer_service' | 'training' | 'theme';
export type ActivityState = 'draft' | 'published' | 'full' | 'in_progress' | 'ended' | 'archived' | 'cancelled';
export type SignupStatus = 'confirmed' | 'waitlisted' | 'cancelled';
export type When = 'upcoming' | 'past';

export interface Shift {
  id: string;
  position: string;
  startAt: string;
  endAt: string;
  quota: number;
  confirmedCount: number;
}

export interface MySignup {
  id: string;
  status: SignupStatus;
  /** Place on the waitlist (1 = next), only while waitlisted. */
  position?: number | null;
  shiftId?: string | null;
  checkInAt: string | null;
  checkOutAt: string | null;
  /** On the activity detail: what the volunteer may do with the sign-up now (`cancel`). */
  actions?: string[];
}

export interface Activity {
  id: string;
  title: string;
  type: ActivityType;
  theme?: string | null;
  description?: string | null;
  state: ActivityState;
  regionCode: string;
  regionName?: string | null;
  siteId?: string | null;
  siteName?: string | null;
  teamId?: string | null;
  teamName?: string | null;
  startAt: string;
  endAt: string;
  quota: number;
  confirmedCount: number;
  waitlistCount: number;
  address?: string | null;
  lat?: number | null;
  lng?: number | null;
  checkinRadiusM?: number | null;
  beneficiaries?: string | null;
  beneficiaryCount?: number | null;
  risky?: boolean;
  insurance?: unknown;
  cancelReason?: string | null;
  shifts?: Shift[];
  mySignup?: MySignup | null;
  publishedAt?: string | null;
}

/** A page of a list that declares no response schema yet (the shared list's answer). */
export type Paged<T> = ListAnswer<T>;

export interface SignupResult {
  id: string;
  status: 'confirmed' | 'waitlisted';
  position?: number | null;
}

export interface HoursSettlement {
  credited: number;
  pending: number;
  reason?: string | null;
}

/** `method` says whether the code was typed or came with the scanned QR link. */
export interface CheckBody {
  code: string;
  lat?: number;
  lng?: number;
  method?: 'code' | 'qr';
}

export interface CheckResult {
  checkInAt?: string;
  checkOutAt?: string;
  hours?: HoursSettlement | null;
}

/** GET /me/signups: my sign-up with a short view of its activity. */
export interface MySignupRow extends MySignup {
  signedUpAt?: string | null;
  noShow?: boolean;
  creditedHours?: number | null;
  pendingHours?: number | null;
  activity: {
    id: string;
    title: string;
    type: ActivityType;
    state: ActivityState;
    startAt: string;
    endAt: string;
    address?: string | null;
  };
}

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
  browse: (query: { type?: ActivityType; when?: When; page?: number; pageSize?: number } = {}) =>
    api.get<Paged<Activity>>('/activities/browse', { page: 1, pageSize: 20, ...query }),
  get: (id: string) => api.get<Activity>(`/activities/${enc(id)}`),
  signUp: (id: string, shiftId?: string) =>
    api.post<SignupResult>(`/activities/${enc(id)}/signups`, shiftId ? { shiftId } : {}),
  cancelSignup: (id: string) => api.delete<void>(`/activities/${enc(id)}/signups/me`),
  checkIn: (id: string, body: CheckBody) => api.post<CheckResult>(`/activities/${enc(id)}/checkin`, body),
  checkOut: (id: string, body: CheckBody) => api.post<CheckResult>(`/activities/${enc(id)}/checkout`, body),
  mySignups: (query: { when?: When; page?: number; pageSize?: number } = {}) =>
    api.get<Paged<MySignupRow>>('/me/signups', { page: 1, pageSize: 20, ...query }),
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
