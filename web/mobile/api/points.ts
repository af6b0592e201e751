/**
 * 积分 / 积分超市 / 微心愿 / 荣誉榜: the calls and answer shapes of issue #6 (docs/POINTS_API.md).
 * Kept apart from the other api files so the modules grow without touching each other.
 */
import type { ApiBody, Schemas } from '../../common/api-types';
import { api } from './client';

const enc = encodeURIComponent;

// ---------------------------------------------------------------- points

export type AccountType = Schemas['PointAccountType'];
export type RuleCategory = Schemas['PointRuleCategory'];
export type RuleGroup = Schemas['PointRuleGroup'];
export type PointRule = Schemas['PointRule'];
export type Privilege = Schemas['PointPrivilegeReached'];
export type PointEntry = Schemas['PointEntry'];
export type AccountDetail = Schemas['PointAccountDetail'];
export type ClaimState = Schemas['PointClaimState'];
export type NewClaim = ApiBody<'/api/v1/points/claims', 'post'>;
export type PointNotice = Schemas['PointClaimNotice'];
export type MyClaim = Schemas['PointClaim'];

/** One of my accounts as the H5 shows it: the account with its privileges and latest entries. */
export type MyAccount = AccountDetail['account'] & Pick<AccountDetail, 'privileges' | 'entries'>;

/** `GET /me/points` as a list of my accounts, the household's first. */
export function myAccounts(res: Schemas['MyPoints']): MyAccount[] {
  return [res.household, res.volunteer]
    .filter((d): d is AccountDetail => d !== null)
    .map((d) => ({ ...d.account, privileges: d.privileges, entries: d.entries }));
}

export const pointsApi = {
  mine: async () => myAccounts(await api.get('/me/points')),
  account: (type: AccountType, ownerId: string, pageSize = 100) =>
    api.get(`/points/accounts/${type}/${enc(ownerId)}`, { page: 1, pageSize }),
  myClaims: () => api.get('/me/point-claims', { page: 1, pageSize: 20 }),
  rules: () => api.get('/point-rules'),
  claim: (body: NewClaim) => api.post('/points/claims', body),
  notices: (county?: string) =>
    api.get('/public/points-notices', { county, page: 1, pageSize: 100 }, { skipAuthHandler: true }),
  object: (claimId: string, reason: string) => api.post(`/points/claims/${enc(claimId)}/object`, { reason }),
};

// ---------------------------------------------------------------- shop

export type Goods = Schemas['Goods'];
export type RedemptionState = Schemas['RedemptionState'];
export type NewRedemption = ApiBody<'/api/v1/shop/redemptions', 'post'>;
export type Redemption = Schemas['Redemption'];
/** A redemption just made: its pickup code. */
export type RedemptionReceipt = Schemas['RedemptionReceipt'];

export const shopApi = {
  goods: (query: { q?: string; regionCode?: string; page?: number; pageSize?: number } = {}) =>
    api.get('/shop/goods', { page: 1, pageSize: 20, ...query }),
  redeem: (body: NewRedemption) => api.post('/shop/redemptions', body),
  mine: (query: { page?: number; pageSize?: number } = {}) =>
    api.get('/me/redemptions', { page: 1, pageSize: 20, ...query }),
  cancel: (id: string, reason?: string) => api.post(`/shop/redemptions/${enc(id)}/cancel`, reason ? { reason } : {}),
};

// ---------------------------------------------------------------- wishes

export type WishState = Schemas['WishState'];
export type ClaimMode = Schemas['Wish']['claimMode'];
export type WishClaim = Schemas['WishClaim'];
/** A wish on the wall (names masked, claimants listed). */
export type PublicWish = Schemas['PublicWish'];
/** One wish, signed in: every claim, my claim and what I may do now (`actions`). */
export type WishDetail = Schemas['WishDetail'];
/** A wish of 我的心愿: mine or claimed by me, with my claim and what I may do now. */
export type MyWish = Schemas['MyWish'];
/** What the wall's sheet shows: the wall row, then the signed-in detail over it. */
export type WallWish = Omit<PublicWish, 'claimants'> &
  Partial<Pick<PublicWish, 'claimants'>> &
  Partial<Pick<WishDetail, 'claims' | 'myClaim' | 'actions'>>;
export type NewWish = ApiBody<'/api/v1/wishes', 'post'>;

export const wishesApi = {
  wall: (
    query: { state?: 'published' | 'claimed' | 'fulfilled'; county?: string; page?: number; pageSize?: number } = {},
  ) => api.get('/public/wishes', { page: 1, pageSize: 20, ...query }, { skipAuthHandler: true }),
  get: (id: string) => api.get(`/wishes/${enc(id)}`),
  create: (body: NewWish) => api.post('/wishes', body),
  mine: (role: 'submitted' | 'claimed') => api.get('/me/wishes', { role, page: 1, pageSize: 100 }),
  claim: (id: string, amount?: number) => api.post(`/wishes/${enc(id)}/claim`, amount ? { amount } : {}),
  fulfill: (id: string, photoIds: string[]) => api.post(`/wishes/${enc(id)}/fulfill`, { photoIds }),
  confirm: (id: string) => api.post(`/wishes/${enc(id)}/confirm`, {}),
  withdraw: (id: string) => api.post(`/wishes/${enc(id)}/withdraw`, {}),
  /** POST /wishes/:id/claim/withdraw: the claimant takes back a claim not yet reported done. */
  withdrawClaim: (id: string, reason?: string) =>
    api.post(`/wishes/${enc(id)}/claim/withdraw`, reason ? { reason } : {}),
};

// ---------------------------------------------------------------- honours

export type HonorKind = Schemas['HonorKind'];
export const honorKinds: HonorKind[] = [
  'good_person',
  'moral_model',
  'good_deed',
  'beautiful_family',
  'civilized_family',
  'safe_family',
];
/** An entry of the public board (published, consented). */
export type HonorBoardEntry = Schemas['HonorBoardEntry'];
/** An honour under public notice (the name masked without consent). */
export type HonorNotice = Schemas['HonorNotice'];
export type NewNomination = ApiBody<'/api/v1/honors/nominations', 'post'>;

export const honorsApi = {
  board: (query: { kind?: HonorKind; county?: string; page?: number; pageSize?: number } = {}) =>
    api.get('/public/honors', { page: 1, pageSize: 20, ...query }, { skipAuthHandler: true }),
  notices: (county?: string) =>
    api.get('/public/honors/notices', { county, page: 1, pageSize: 100 }, { skipAuthHandler: true }),
  nominate: (body: NewNomination) => api.post('/honors/nominations', body),
  object: (id: string, reason: string) => api.post(`/honors/${enc(id)}/object`, { reason }),
};

/** An uploaded image as a URL the page can show (the server's url when it sends one). */
export function fileUrl(id: string | null | undefined, url?: string | null): string {
  if (url) return url;
  return id ? `/api/v1/files/${enc(id)}` : '';
}
