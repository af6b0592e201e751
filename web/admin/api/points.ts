/**
 * Issue #6: points rules and privileges, claims (申报 → 评议 → 公示 → 入账), awards, accounts and the ledger,
 * adjustments, the dividend report and verification; the points shop (docs/POINTS_API.md). Kept apart from index.ts
 * like orders.ts and activities.ts. Response fields the contract does not spell out are optional here.
 */
import { api, apiUrl, downloadFile, fetchAll, type ItemList, type PageQuery } from '../../common/api';

export type RuleCategory = 'basic' | 'reward' | 'deduction';
export type RuleGroup = 'ideology' | 'security' | 'customs' | 'environment' | 'neighbourhood' | 'service';
export type AccountType = 'household' | 'volunteer';
export type ClaimState = 'submitted' | 'notice' | 'posted' | 'rejected' | 'withdrawn';
export type AdjustmentState = 'pending' | 'approved' | 'rejected';
export type RedemptionState = 'reserved' | 'handed_out' | 'cancelled';

export const fileUrl = (id: string): string => apiUrl(`/files/${id}`);

// ---------- rules and privileges ----------

export interface PointRule {
  id: string;
  name: string;
  category: RuleCategory;
  group: RuleGroup;
  points: number;
  evidenceRequired: boolean;
  description: string;
  active?: boolean;
  sort?: number;
}

export interface PointRuleInput {
  name: string;
  category: RuleCategory;
  group: RuleGroup;
  points: number;
  evidenceRequired?: boolean;
  description?: string;
}

export interface Privilege {
  id: string;
  name: string;
  threshold: number;
  description: string;
  active?: boolean;
}

export interface PrivilegeInput {
  name: string;
  threshold: number;
  description?: string;
}

// ---------- accounts and entries ----------

export interface PointAccount {
  id: string;
  type: AccountType;
  ownerId: string;
  name: string;
  regionName?: string | null;
  regionCode?: string | null;
  balance: number;
}

export interface LedgerEntry {
  transactionId: string;
  kind: string;
  memo: string;
  amount: number;
  balanceAfter?: number | null;
  at: string;
  /** Set by the server when this transaction has been reversed (if it says so). */
  reversed?: boolean;
  reversedBy?: string | null;
  reversesId?: string | null;
}

export interface AccountDetail {
  account: PointAccount;
  privileges: { name: string; threshold: number; reached: boolean; description?: string }[];
  entries: LedgerEntry[];
}

export interface AccountQuery extends PageQuery {
  type?: AccountType;
  regionCode?: string;
  q?: string;
}

// ---------- claims ----------

export interface WorkflowEvent {
  id?: string;
  action: string;
  fromState?: string | null;
  toState?: string | null;
  actorName?: string | null;
  note?: string | null;
  at: string;
}

export interface PointClaim {
  id: string;
  accountId?: string;
  accountType?: AccountType;
  accountName?: string | null;
  ownerId?: string | null;
  regionName?: string | null;
  ruleId: string;
  ruleName?: string | null;
  category?: RuleCategory;
  group?: RuleGroup;
  points: number;
  note: string;
  evidenceFileIds: string[];
  state: ClaimState;
  noticeStartAt?: string | null;
  noticeEndAt?: string | null;
  reviewComment?: string | null;
  transactionId?: string | null;
  submittedByName?: string | null;
  reviewedByName?: string | null;
  postedAt?: string | null;
  createdAt: string;
  /** What the caller may do now, from the server: approve, reject, object, withdraw, post. */
  actions?: string[];
  events?: WorkflowEvent[];
}

export interface ClaimInput {
  accountType: AccountType;
  /** The household or volunteer id (the account's owner). */
  accountId: string;
  ruleId: string;
  note?: string;
  evidenceFileIds?: string[];
}

export interface ClaimQuery extends PageQuery {
  state?: ClaimState;
  regionCode?: string;
  q?: string;
}

// ---------- awards, adjustments, dividend, verify ----------

export interface AwardInput {
  ruleId: string;
  accountType: AccountType;
  accountIds: string[];
  idempotencyKey: string;
  points?: number;
}

export interface AwardResult {
  posted: number;
  skipped: number;
  transactionId: string | null;
  points?: number;
  hours?: number;
}

export interface Adjustment {
  id: string;
  accountId?: string;
  accountType?: AccountType;
  accountName?: string | null;
  ownerId?: string | null;
  amount: number;
  reason: string;
  state: AdjustmentState;
  requestedBy?: string;
  requestedByName?: string | null;
  decidedByName?: string | null;
  decidedAt?: string | null;
  comment?: string | null;
  transactionId?: string | null;
  createdAt: string;
  /** What the caller may do now, from the server: approve, reject (never the requester's own). */
  actions?: string[];
}

export interface AdjustmentInput {
  accountType: AccountType;
  accountId: string;
  amount: number;
  reason: string;
}

export interface DividendRow {
  account: { id: string; name: string; type?: AccountType; ownerId?: string; regionName?: string | null };
  points: number;
  amount: number;
}

export interface Dividend {
  year?: number;
  type?: AccountType;
  totalPoints: number;
  budget: number | null;
  yuanPerPoint: number;
  rows: DividendRow[];
}

export interface DividendQuery {
  regionCode?: string;
  type?: AccountType;
  year?: number;
  budget?: number;
}

export interface PointTransaction {
  id: string;
  kind: string;
  kindName?: string;
  memo: string;
  reversesId: string | null;
  reversedBy: string | null;
  createdAt: string;
  movements: {
    debitAccountId: string;
    debitName: string;
    creditAccountId: string;
    creditName: string;
    amount: number;
  }[];
}

export interface VerifyResult {
  ok: boolean;
  accounts: number;
  transactions: number;
  movements: number;
  problems: { accountId?: string; transactionId?: string; problem: string }[];
}

export const pointsApi = {
  rules: (query: { category?: RuleCategory; group?: RuleGroup; includeInactive?: boolean } = {}) =>
    api.get<ItemList<PointRule>>('/point-rules', { ...query }),
  createRule: (input: PointRuleInput) => api.post<PointRule>('/point-rules', input),
  updateRule: (id: string, input: PointRuleInput) => api.put<PointRule>(`/point-rules/${id}`, input),
  deactivateRule: (id: string) => api.delete(`/point-rules/${id}`),

  privileges: () => api.get<ItemList<Privilege>>('/point-privileges'),
  createPrivilege: (input: PrivilegeInput) => api.post<Privilege>('/point-privileges', input),
  updatePrivilege: (id: string, input: PrivilegeInput) => api.put<Privilege>(`/point-privileges/${id}`, input),
  removePrivilege: (id: string) => api.delete(`/point-privileges/${id}`),

  accounts: (query: AccountQuery) => api.page<PointAccount>('/points/accounts', { ...query }),
  allAccounts: (query: Omit<AccountQuery, 'page' | 'pageSize'>) =>
    fetchAll<PointAccount>('/points/accounts', { ...query }, 200),
  account: (type: AccountType, ownerId: string) => api.get<AccountDetail>(`/points/accounts/${type}/${ownerId}`),

  claims: (query: ClaimQuery) => api.page<PointClaim>('/points/claims', { ...query }),
  claim: (id: string) => api.get<PointClaim>(`/points/claims/${id}`),
  createClaim: (input: ClaimInput) => api.post<PointClaim>('/points/claims', input),
  approveClaim: (id: string, comment?: string) =>
    api.post<PointClaim>(`/points/claims/${id}/approve`, comment ? { comment } : {}),
  rejectClaim: (id: string, comment: string) => api.post<PointClaim>(`/points/claims/${id}/reject`, { comment }),
  postClaim: (id: string) => api.post<PointClaim>(`/points/claims/${id}/post`, {}),

  award: (input: AwardInput) => api.post<AwardResult>('/points/awards', input),
  awardActivity: (activityId: string, ruleId?: string) =>
    api.post<AwardResult>(`/points/awards/activity/${activityId}`, ruleId ? { ruleId } : {}),

  adjustments: (query: PageQuery & { state?: AdjustmentState }) =>
    api.page<Adjustment>('/points/adjustments', { ...query }),
  requestAdjustment: (input: AdjustmentInput) => api.post<Adjustment>('/points/adjustments', input),
  approveAdjustment: (id: string, comment?: string) =>
    api.post<Adjustment>(`/points/adjustments/${id}/approve`, comment ? { comment } : {}),
  rejectAdjustment: (id: string, comment: string) =>
    api.post<Adjustment>(`/points/adjustments/${id}/reject`, { comment }),

  transaction: (id: string) => api.get<PointTransaction>(`/points/transactions/${id}`),
  reverse: (transactionId: string, reason: string) =>
    api.post<{ transactionId: string }>(`/points/transactions/${transactionId}/reverse`, { reason }),

  dividend: (query: DividendQuery) => api.get<Dividend>('/points/dividend', { ...query }),
  dividendXlsx: (query: DividendQuery) =>
    downloadFile('/points/dividend', `年终分红_${query.year ?? ''}.xlsx`, { ...query, format: 'xlsx' }),
  verify: () => api.get<VerifyResult>('/points/verify'),
};

// ---------- shop ----------

export interface Goods {
  id: string;
  name: string;
  points: number;
  stock: number;
  regionCode: string;
  regionName?: string | null;
  description: string;
  fundingSource: string;
  imageFileId?: string | null;
  imageUrl?: string | null;
  active?: boolean;
  reservedCount?: number;
  createdAt?: string;
}

export interface GoodsInput {
  name: string;
  points: number;
  stock: number;
  regionCode?: string;
  description?: string;
  fundingSource?: string;
  imageFileId?: string | null;
  active?: boolean;
}

export interface Redemption {
  id: string;
  goodsId: string;
  goodsName?: string | null;
  accountId?: string;
  accountType?: AccountType;
  accountName?: string | null;
  quantity: number;
  points: number;
  state: RedemptionState;
  pickupCode?: string | null;
  createdAt: string;
  handedOutAt?: string | null;
  handedOutByName?: string | null;
  cancelledAt?: string | null;
  cancelReason?: string | null;
  goodsRegionName?: string | null;
  ownerId?: string | null;
  /** What the caller may do now, from the server: handout, cancel. */
  actions?: string[];
}

export const shopApi = {
  /** `all` (staff): every goods item in scope, also inactive or out of stock. */
  goods: (query: PageQuery & { regionCode?: string; q?: string; all?: boolean }) =>
    api.page<Goods>('/shop/goods', { ...query }),
  createGoods: (input: GoodsInput) => api.post<Goods>('/shop/goods', input),
  updateGoods: (id: string, input: GoodsInput) => api.put<Goods>(`/shop/goods/${id}`, input),
  deactivateGoods: (id: string) => api.delete(`/shop/goods/${id}`),
  redemptions: (query: PageQuery & { state?: RedemptionState; q?: string; pickupCode?: string; goodsId?: string }) =>
    api.page<Redemption>('/shop/redemptions', { ...query }),
  handout: (id: string, pickupCode: string) => api.post<Redemption>(`/shop/redemptions/${id}/handout`, { pickupCode }),
  cancel: (id: string, reason?: string) =>
    api.post<Redemption>(`/shop/redemptions/${id}/cancel`, reason ? { reason } : {}),
};
