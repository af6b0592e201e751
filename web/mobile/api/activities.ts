/**
 * 活动 / 签到 / 时长 / 星级 / 证明: the calls and answer shapes of issue #5 (docs/ACTIVITIES_API.md).
 * Kept apart from api/index.ts and api/orders.ts so the modules grow without touching each other.
 */
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

export type HoursKind = 'attendance' | 'order' | 'excess' | 'correction' | 'reversal';

export interface HoursEntry {
  id: string;
  kind: HoursKind;
  hours: number;
  serviceDate: string;
  activityId?: string | null;
  activityTitle?: string | null;
  orderId?: string | null;
  description?: string | null;
  createdAt: string;
  /** Undone later by a reversal row. */
  reversed?: boolean;
}

/** GET /me/hours: `total` is hours (not a row count); pages end when a page comes back short. */
export interface MyHours {
  items: HoursEntry[];
  /** Ledger rows in all. */
  entryCount?: number;
  page?: number;
  pageSize?: number;
  total: number;
  thisYear: number;
  starLevel: number;
  nextLevel: number | null;
  nextThreshold: number | null;
}

export type RequestStatus = 'pending' | 'approved' | 'rejected';

export interface HoursRequest {
  id: string;
  kind: 'excess' | 'correction';
  activityId?: string | null;
  activityTitle?: string | null;
  hours: number;
  serviceDate?: string | null;
  reason?: string | null;
  evidenceFileIds?: string[];
  status: RequestStatus;
  answer?: string | null;
  createdAt: string;
  decidedAt?: string | null;
}

export interface NewHoursRequest {
  activityId: string;
  hours: number;
  reason: string;
  evidenceFileIds: string[];
}

export type StarState = 'applied' | 'notice' | 'granted' | 'rejected' | 'withdrawn';

export interface StarApplication {
  id: string;
  level: number;
  hoursAtApply?: number | null;
  state: StarState;
  comment?: string | null;
  objection?: string | null;
  noticeStart?: string | null;
  noticeEnd?: string | null;
  grantedAt?: string | null;
  createdAt: string;
}

export interface MyStars {
  level: number;
  hours: number;
  thresholds: number[];
  eligibleLevel: number;
  applications: StarApplication[];
}

export interface Certificate {
  id: string;
  number: string;
  verifyCode: string;
  periodFrom: string;
  periodTo: string;
  hours: number | string;
  issuedAt: string;
  revokedAt?: string | null;
  revokeReason?: string | null;
}

export interface CertificateIssued {
  id: string;
  number: string;
  verifyCode: string;
}

export interface PublicCertificate {
  valid: boolean;
  number: string;
  hours: number | string;
  issuer: string | { name?: string } | null;
  issuedAt: string;
  name: string;
  volunteerNo: string;
  periodFrom: string;
  periodTo: string;
  revokedAt?: string | null;
}

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
  mine: (query: { page?: number; pageSize?: number } = {}) =>
    api.get<MyHours>('/me/hours', { page: 1, pageSize: 20, ...query }),
  myRequests: () => api.get<Paged<HoursRequest>>('/me/hours/requests', { page: 1, pageSize: 50 }),
  request: (body: NewHoursRequest) => api.post<HoursRequest>('/hours/requests', body),
};

export const starsApi = {
  mine: () => api.get<MyStars>('/me/stars'),
  apply: (level: number) => api.post<StarApplication>('/stars/applications', { level }),
};

export const certificatesApi = {
  mine: () => api.get<Paged<Certificate>>('/me/certificates', { page: 1, pageSize: 50 }),
  issue: (from: string, to: string) => api.post<CertificateIssued>('/me/certificates', { from, to }),
  pdfUrl: (id: string) => `/api/v1/certificates/${enc(id)}/pdf`,
  verify: (code: string) =>
    api.get<PublicCertificate>(`/public/certificates/${enc(code)}`, undefined, { skipAuthHandler: true }),
};
