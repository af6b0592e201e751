/**
 * 积分 / 积分超市 / 微心愿 / 荣誉榜: the calls and answer shapes of issue #6 (docs/POINTS_API.md).
 * Kept apart from the other api files so the modules grow without touching each other.
 */
import type { ListAnswer } from '../../common/usePagedList';
import { api } from './client';

const enc = encodeURIComponent;

/** A page of a list that declares no response schema yet (the shared list's answer). */
export type Paged<T> = ListAnswer<T>;

// ---------------------------------------------------------------- points

export type AccountType = 'household' | 'volunteer';
export type RuleCategory = 'basic' | 'reward' | 'deduction';
export type RuleGroup = 'ideology' | 'security' | 'customs' | 'environment' | 'neighbourhood' | 'service';

export interface PointRule {
  id: string;
  name: string;
  category: RuleCategory;
  group: RuleGroup;
  points: number;
  evidenceRequired?: boolean;
  description?: string | null;
}

export interface Privilege {
  name: string;
  threshold: number;
  reached: boolean;
  description?: string | null;
}

export interface PointEntry {
  transactionId: string;
  kind: string;
  memo: string;
  amount: number;
  balanceAfter?: number | null;
  at: string;
}

export interface PointAccount {
  id: string;
  type: AccountType;
  ownerId: string;
  name: string;
  balance: number;
}

/** One of my accounts with its privileges and recent ledger rows. */
export interface MyAccount extends PointAccount {
  privileges: Privilege[];
  entries: PointEntry[];
}

export interface AccountDetail {
  account: PointAccount;
  privileges: Privilege[];
  entries: PointEntry[];
}

export type ClaimState = 'submitted' | 'notice' | 'posted' | 'rejected' | 'withdrawn';

export interface NewClaim {
  accountType: AccountType;
  accountId: string;
  ruleId: string;
  note?: string;
  evidenceFileIds?: string[];
}

export interface Claim {
  id: string;
  state: ClaimState;
  points?: number;
}

/** GET /public/points-notices: a claim under notice, the account name partly masked. */
export interface PointNotice {
  id: string;
  accountName?: string | null;
  accountType?: AccountType | null;
  regionName?: string | null;
  ruleName?: string | null;
  rule?: { name?: string | null } | string | null;
  points: number;
  note?: string | null;
  noticeStartAt?: string | null;
  noticeEndAt?: string | null;
  /** False once the notice has ended (the server then refuses objections). */
  canObject?: boolean;
}

/** GET /me/point-claims: my claims with their state. */
export interface MyClaim {
  id: string;
  state: ClaimState;
  stateName?: string;
  accountType: AccountType;
  accountName?: string | null;
  ruleName?: string | null;
  points: number;
  note?: string | null;
  reviewComment?: string | null;
  noticeEndAt?: string | null;
  createdAt: string;
}

type RawAccount = Partial<MyAccount> & {
  account?: Partial<PointAccount>;
  privileges?: Privilege[];
  entries?: PointEntry[];
};

function toMyAccount(raw: RawAccount | null | undefined, fallbackType?: AccountType): MyAccount | null {
  if (!raw) return null;
  const a = raw.account ?? raw;
  if (!a || (a.id === undefined && a.ownerId === undefined)) return null;
  return {
    id: String(a.id ?? a.ownerId),
    type: (a.type ?? fallbackType ?? 'household') as AccountType,
    ownerId: String(a.ownerId ?? a.id),
    name: a.name ?? '',
    balance: Number(a.balance ?? 0),
    privileges: raw.privileges ?? [],
    entries: raw.entries ?? [],
  };
}

/**
 * GET /me/points answers "the caller's volunteer and household accounts"; accepted as a list (`items` / `accounts`)
 * or as `{ household, volunteer }`, each either flat or `{ account, privileges, entries }`. Household first.
 */
export function normalizeMyPoints(res: unknown): MyAccount[] {
  const r = (res ?? {}) as Record<string, unknown>;
  const list = Array.isArray(res)
    ? res
    : Array.isArray(r.items)
      ? r.items
      : Array.isArray(r.accounts)
        ? r.accounts
        : null;
  const out: MyAccount[] = [];
  if (list) {
    for (const x of list) {
      const a = toMyAccount(x as RawAccount);
      if (a) out.push(a);
    }
  } else {
    const h = toMyAccount(r.household as RawAccount, 'household');
    const v = toMyAccount(r.volunteer as RawAccount, 'volunteer');
    if (h) out.push(h);
    if (v) out.push(v);
  }
  return out.sort((a, b) => (a.type === b.type ? 0 : a.type === 'household' ? -1 : 1));
}

export const pointsApi = {
  mine: async () => normalizeMyPoints(await api.get<unknown>('/me/points')),
  account: (type: AccountType, ownerId: string, pageSize = 100) =>
    api.get<AccountDetail>(`/points/accounts/${type}/${enc(ownerId)}`, { page: 1, pageSize }),
  myClaims: () => api.get<Paged<MyClaim>>('/me/point-claims', { page: 1, pageSize: 20 }),
  rules: () => api.get<Paged<PointRule> | { items: PointRule[] }>('/point-rules'),
  claim: (body: NewClaim) => api.post<Claim>('/points/claims', body),
  notices: (county?: string) =>
    api.get<Paged<PointNotice>>(
      '/public/points-notices',
      { county, page: 1, pageSize: 100 },
      { skipAuthHandler: true },
    ),
  object: (claimId: string, reason: string) => api.post<Claim>(`/points/claims/${enc(claimId)}/object`, { reason }),
};

// ---------------------------------------------------------------- shop

export interface Goods {
  id: string;
  name: string;
  points: number;
  stock: number;
  description?: string | null;
  fundingSource?: string | null;
  imageFileId?: string | null;
  imageUrl?: string | null;
  regionName?: string | null;
}

export type RedemptionState = 'reserved' | 'handed_out' | 'cancelled';

export interface NewRedemption {
  goodsId: string;
  quantity: number;
  accountType: AccountType;
  accountId: string;
}

export interface Redemption {
  id: string;
  state: RedemptionState;
  pickupCode: string;
  points: number;
  quantity?: number;
  goodsId?: string;
  goodsName?: string | null;
  goods?: { id?: string; name?: string | null } | null;
  /** Where the goods are handed out (the goods' 所/站). */
  goodsRegionName?: string | null;
  accountType?: AccountType | null;
  accountName?: string | null;
  createdAt?: string | null;
  handedOutAt?: string | null;
  cancelledAt?: string | null;
  cancelReason?: string | null;
  /** What the caller may do now, from the server (cancel). */
  actions?: string[];
}

export const shopApi = {
  goods: (query: { q?: string; regionCode?: string; page?: number; pageSize?: number } = {}) =>
    api.get<Paged<Goods>>('/shop/goods', { page: 1, pageSize: 20, ...query }),
  redeem: (body: NewRedemption) => api.post<Redemption>('/shop/redemptions', body),
  mine: (query: { page?: number; pageSize?: number } = {}) =>
    api.get<Paged<Redemption>>('/me/redemptions', { page: 1, pageSize: 20, ...query }),
  cancel: (id: string, reason?: string) =>
    api.post<Redemption>(`/shop/redemptions/${enc(id)}/cancel`, reason ? { reason } : {}),
};

// ---------------------------------------------------------------- wishes

export type WishState =
  'submitted' | 'verified' | 'published' | 'claimed' | 'fulfilled' | 'confirmed' | 'rejected' | 'withdrawn' | 'expired';
export type ClaimMode = 'single' | 'multi';

export interface WishClaim {
  id: string;
  claimantName?: string | null;
  amount: number | string;
  state?: string;
  userId?: string | null;
  createdAt?: string | null;
}

export interface Wish {
  id: string;
  title: string;
  description?: string | null;
  value: number | string;
  claimedValue?: number | string | null;
  claimMode?: ClaimMode;
  state: WishState;
  beneficiaryName?: string | null;
  regionName?: string | null;
  regionCode?: string | null;
  deadline?: string | null;
  publishedAt?: string | null;
  fulfilledAt?: string | null;
  createdAt?: string | null;
  /** Value not yet claimed (多人认领). */
  remaining?: number | null;
  /** 镇 + 村, e.g. 新集镇东湖村. */
  place?: string | null;
  photos?: { id: string; url: string }[];
  rejectReason?: string | null;
  claimCount?: number;
  /** GET /wishes/:id: every claim; the public wall: `claimants`, names masked. */
  claims?: WishClaim[];
  claimants?: string[];
  /** In GET /me/wishes and GET /wishes/:id: my live claim. */
  mine?: 'submitted' | 'claimed';
  myClaim?: { id: string; amount: number | string; state: string } | null;
  /** GET /wishes/:id and GET /me/wishes: what the caller may do now (claim, unclaim, fulfill, confirm, withdraw …). */
  actions?: string[];
}

export interface NewWish {
  title: string;
  description: string;
  value: number;
  regionCode: string;
  beneficiaryName: string;
  consentToPublish: boolean;
  beneficiaryPhone?: string;
  claimMode?: ClaimMode;
}

export const wishesApi = {
  wall: (query: { state?: WishState; county?: string; page?: number; pageSize?: number } = {}) =>
    api.get<Paged<Wish>>('/public/wishes', { page: 1, pageSize: 20, ...query }, { skipAuthHandler: true }),
  get: (id: string) => api.get<Wish>(`/wishes/${enc(id)}`),
  create: (body: NewWish) => api.post<Wish>('/wishes', body),
  mine: (role: 'submitted' | 'claimed') => api.get<Paged<Wish>>('/me/wishes', { role, page: 1, pageSize: 100 }),
  claim: (id: string, amount?: number) => api.post<Wish>(`/wishes/${enc(id)}/claim`, amount ? { amount } : {}),
  fulfill: (id: string, photoIds: string[]) => api.post<Wish>(`/wishes/${enc(id)}/fulfill`, { photoIds }),
  confirm: (id: string) => api.post<Wish>(`/wishes/${enc(id)}/confirm`, {}),
  withdraw: (id: string) => api.post<Wish>(`/wishes/${enc(id)}/withdraw`, {}),
  /** POST /wishes/:id/claim/withdraw: the claimant takes back a claim not yet reported done. */
  withdrawClaim: (id: string, reason?: string) =>
    api.post<Wish>(`/wishes/${enc(id)}/claim/withdraw`, reason ? { reason } : {}),
};

// ---------------------------------------------------------------- honours

export type HonorKind =
  'good_person' | 'moral_model' | 'good_deed' | 'beautiful_family' | 'civilized_family' | 'safe_family';
export const honorKinds: HonorKind[] = [
  'good_person',
  'moral_model',
  'good_deed',
  'beautiful_family',
  'civilized_family',
  'safe_family',
];

export interface Honor {
  id: string;
  kind: HonorKind;
  /** The public board and notices say `name` (masked under notice without consent). */
  name?: string;
  nomineeName?: string;
  story: string;
  regionName?: string | null;
  year?: number | null;
  photoFileId?: string | null;
  photoUrl?: string | null;
  noticeStartAt?: string | null;
  noticeEndAt?: string | null;
  publishedAt?: string | null;
}

export interface NewNomination {
  kind: HonorKind;
  nomineeName: string;
  story: string;
  regionCode: string;
  consent: boolean;
  photoFileId?: string;
  year?: number;
}

export const honorsApi = {
  board: (query: { kind?: HonorKind; county?: string; page?: number; pageSize?: number } = {}) =>
    api.get<Paged<Honor>>('/public/honors', { page: 1, pageSize: 20, ...query }, { skipAuthHandler: true }),
  notices: (county?: string) =>
    api.get<Paged<Honor>>('/public/honors/notices', { county, page: 1, pageSize: 100 }, { skipAuthHandler: true }),
  nominate: (body: NewNomination) => api.post<Honor>('/honors/nominations', body),
  object: (id: string, reason: string) => api.post<Honor>(`/honors/${enc(id)}/object`, { reason }),
};

/** An uploaded image as a URL the page can show (the server's url when it sends one). */
export function fileUrl(id: string | null | undefined, url?: string | null): string {
  if (url) return url;
  return id ? `/api/v1/files/${enc(id)}` : '';
}
