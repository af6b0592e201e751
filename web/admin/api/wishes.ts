/**
 * Issue #6: micro-wishes (微心愿) and honours (荣誉评选), docs/POINTS_API.md. Response fields the contract does not
 * spell out are optional here.
 */
import { api, type PageQuery } from '../../common/api';
import type { ApiBody, ApiQuery, Schemas } from '../../common/api-types';
import type { WorkflowEvent } from './points';

export type WishState =
  'submitted' | 'verified' | 'published' | 'claimed' | 'fulfilled' | 'confirmed' | 'rejected' | 'withdrawn' | 'expired';
export type HonorKind = Schemas['HonorKind'];
export type HonorState = Schemas['HonorState'];

export interface WishClaim {
  id: string;
  claimantType?: string;
  claimantName: string;
  amount: number | string;
  state: string;
  createdAt: string;
  photoIds?: string[];
}

export interface Wish {
  id: string;
  title: string;
  description: string;
  value: number | string;
  regionCode: string;
  regionName?: string | null;
  beneficiaryName: string;
  beneficiaryPhoneMasked?: string | null;
  consentToPublish: boolean;
  source?: string;
  claimMode: 'single' | 'multi';
  claimedValue?: number | string;
  state: WishState;
  overCap?: boolean;
  rejectReason?: string | null;
  photoIds?: string[];
  photos?: { id: string; url: string }[];
  remaining?: number;
  place?: string | null;
  claimCount?: number;
  /** What the caller may do now (verify, publish, reject, withdraw, claim, unclaim, fulfill, confirm). */
  actions?: string[];
  deadline?: string | null;
  submittedByName?: string | null;
  publishedAt?: string | null;
  fulfilledAt?: string | null;
  confirmedAt?: string | null;
  createdAt: string;
  claims?: WishClaim[];
  events?: WorkflowEvent[];
}

export interface WishInput {
  title: string;
  description: string;
  value: number;
  regionCode: string;
  beneficiaryName: string;
  consentToPublish: boolean;
  beneficiaryPhone?: string;
  claimMode?: 'single' | 'multi';
  deadline?: string;
}

export type WishStats = Partial<Record<WishState, number>> & { total?: number };

export const wishApi = {
  list: (query: PageQuery & { state?: WishState; regionCode?: string; q?: string; overCap?: boolean }) =>
    api.page<Wish>('/wishes', { ...query }),
  get: (id: string) => api.get<Wish>(`/wishes/${id}`),
  stats: (regionCode?: string) =>
    api.get<
      WishStats | { byState?: WishStats; items?: { state: WishState; count: number }[]; overCapPending?: number }
    >('/wishes/stats', { regionCode }),
  create: (input: WishInput) => api.post<Wish>('/wishes', input),
  verify: (id: string) => api.post<Wish>(`/wishes/${id}/verify`, {}),
  publish: (id: string) => api.post<Wish>(`/wishes/${id}/publish`, {}),
  reject: (id: string, reason: string) => api.post<Wish>(`/wishes/${id}/reject`, { reason }),
  confirm: (id: string) => api.post<Wish>(`/wishes/${id}/confirm`, {}),
};

/** Counts by state from whichever shape GET /wishes/stats answers. */
export function wishCounts(res: Awaited<ReturnType<typeof wishApi.stats>>): Partial<Record<WishState, number>> {
  const r = res as Record<string, unknown>;
  if (Array.isArray(r.items)) {
    const out: Partial<Record<WishState, number>> = {};
    for (const it of r.items as { state: WishState; count: number }[]) out[it.state] = Number(it.count);
    return out;
  }
  const src = (r.byState && typeof r.byState === 'object' ? r.byState : r) as Record<string, unknown>;
  const out: Partial<Record<WishState, number>> = {};
  for (const [k, v] of Object.entries(src))
    if (typeof v === 'number' || typeof v === 'string') out[k as WishState] = Number(v);
  return out;
}

export type Honor = Schemas['Honor'];
/** An honour with what the caller may do now (`actions`, from the server) and its timeline. */
export type HonorDetail = Schemas['HonorDetail'];
export type HonorInput = ApiBody<'/api/v1/honors/nominations', 'post'>;

export const honorApi = {
  list: (query: ApiQuery<'/api/v1/honors', 'get'>) => api.page('/honors', query),
  get: (id: string) => api.get(`/honors/${id}`),
  nominate: (input: HonorInput) => api.post('/honors/nominations', input),
  approve: (id: string, comment?: string) => api.post(`/honors/${id}/approve`, comment ? { comment } : {}),
  reject: (id: string, reason: string) => api.post(`/honors/${id}/reject`, { reason }),
  object: (id: string, reason: string) => api.post(`/honors/${id}/object`, { reason }),
  publish: (id: string) => api.post(`/honors/${id}/publish`),
  revoke: (id: string, reason: string) => api.post(`/honors/${id}/revoke`, { reason }),
  consent: (id: string, consent: boolean) =>
    api.post(`/honors/${id}/consent`, consent ? { consent, grantedBy: 'staff_on_paper' } : { consent }),
};
