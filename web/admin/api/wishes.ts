/**
 * Issue #6: micro-wishes (微心愿) and honours (荣誉评选), docs/POINTS_API.md; the answers' types are generated from
 * the server's schemas (web/common/api-types.ts).
 */
import { api } from '../../common/api';
import type { ApiBody, ApiQuery, Schemas } from '../../common/api-types';

export type WishState = Schemas['WishState'];
export type HonorKind = Schemas['HonorKind'];
export type HonorState = Schemas['HonorState'];

export type WishClaim = Schemas['WishClaim'];
/** A wish as the staff list shows it. */
export type Wish = Schemas['Wish'];
/** One wish with its claims, what the caller may do now (`actions`, from the server) and its timeline. */
export type WishDetail = Schemas['WishDetail'];
export type WishInput = ApiBody<'/api/v1/wishes', 'post'>;
export type WishStats = Schemas['WishStats'];

export const wishApi = {
  list: (query: ApiQuery<'/api/v1/wishes', 'get'>) => api.page('/wishes', query),
  get: (id: string) => api.get(`/wishes/${id}`),
  stats: (regionCode?: string) => api.get('/wishes/stats', { regionCode }),
  create: (input: WishInput) => api.post('/wishes', input),
  verify: (id: string) => api.post(`/wishes/${id}/verify`),
  publish: (id: string) => api.post(`/wishes/${id}/publish`),
  reject: (id: string, reason: string) => api.post(`/wishes/${id}/reject`, { reason }),
  confirm: (id: string) => api.post(`/wishes/${id}/confirm`),
};

/** Counts by state (GET /wishes/stats). */
export const wishCounts = (res: WishStats): Record<WishState, number> => res.byState as Record<WishState, number>;

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
