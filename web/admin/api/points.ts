/**
 * Issue #6: points rules and privileges, claims (申报 → 评议 → 公示 → 入账), awards, accounts and the ledger,
 * adjustments, the dividend report and verification; the points shop (docs/POINTS_API.md). Kept apart from index.ts
 * like orders.ts and activities.ts. The types are the server's (generated from its OpenAPI document, docs/WEB.md).
 */
import { api, apiUrl, downloadFile, fetchAll } from '../../common/api';
import type { ApiBody, ApiQuery, Schemas } from '../../common/api-types';

export type RuleCategory = Schemas['PointRuleCategory'];
export type RuleGroup = Schemas['PointRuleGroup'];
export type AccountType = Schemas['PointAccountType'];
export type ClaimState = Schemas['PointClaimState'];
export type AdjustmentState = Schemas['PointAdjustmentState'];
export type RedemptionState = Schemas['RedemptionState'];

export const fileUrl = (id: string): string => apiUrl(`/files/${id}`);

// ---------- rules and privileges ----------

export type PointRule = Schemas['PointRule'];
export type PointRuleInput = ApiBody<'/api/v1/point-rules', 'post'>;
export type Privilege = Schemas['PointPrivilege'];
export type PrivilegeInput = ApiBody<'/api/v1/point-privileges', 'post'>;

// ---------- accounts and entries ----------

export type PointAccount = Schemas['PointAccount'];
/** An account to pick: an opened one, or an owner who has none yet (`id` empty, balance 0). */
export type AccountOption = Pick<PointAccount, 'id' | 'type' | 'ownerId' | 'name' | 'regionName' | 'balance'>;
export type LedgerEntry = Schemas['PointEntry'];
export type AccountDetail = Schemas['PointAccountDetail'];
export type AccountQuery = ApiQuery<'/api/v1/points/accounts', 'get'>;

// ---------- claims ----------

/** A step of a timeline as the drawers show it (claims, adjustments, honours, redemptions). */
export type WorkflowEvent = Pick<
  Schemas['WorkflowStep'],
  'action' | 'fromState' | 'toState' | 'actorName' | 'note' | 'at'
>;
export type PointClaim = Schemas['PointClaim'];
/** A claim with what the caller may do now (`actions`, from the server) and its timeline. */
export type PointClaimDetail = Schemas['PointClaimDetail'];
export type ClaimInput = ApiBody<'/api/v1/points/claims', 'post'>;
export type ClaimQuery = ApiQuery<'/api/v1/points/claims', 'get'>;

// ---------- awards, adjustments, dividend, verify ----------

export type AwardInput = ApiBody<'/api/v1/points/awards', 'post'>;
export type AwardResult = Schemas['PointAwardResult'];
export type Adjustment = Schemas['PointAdjustment'];
export type AdjustmentInput = ApiBody<'/api/v1/points/adjustments', 'post'>;
export type Dividend = Schemas['PointDividend'];
export type DividendRow = Dividend['rows'][number];
export type DividendQuery = Omit<ApiQuery<'/api/v1/points/dividend', 'get'>, 'format'>;
export type PointTransaction = Schemas['PointTransaction'];
export type VerifyResult = Schemas['PointsVerification'];

export const pointsApi = {
  rules: (query: { category?: RuleCategory; group?: RuleGroup; includeInactive?: boolean } = {}) =>
    api.get('/point-rules', {
      category: query.category,
      group: query.group,
      includeInactive: query.includeInactive ? 'true' : undefined,
    }),
  createRule: (input: PointRuleInput) => api.post('/point-rules', input),
  updateRule: (id: string, input: PointRuleInput) => api.put(`/point-rules/${id}`, input),
  deactivateRule: (id: string) => api.delete(`/point-rules/${id}`),

  privileges: () => api.get('/point-privileges'),
  createPrivilege: (input: PrivilegeInput) => api.post('/point-privileges', input),
  updatePrivilege: (id: string, input: PrivilegeInput) => api.put(`/point-privileges/${id}`, input),
  removePrivilege: (id: string) => api.delete(`/point-privileges/${id}`),

  accounts: (query: AccountQuery) => api.page('/points/accounts', query),
  allAccounts: (query: Omit<AccountQuery, 'page' | 'pageSize'>) =>
    fetchAll<PointAccount>('/points/accounts', { ...query }, 200),
  account: (type: AccountType, ownerId: string) => api.get(`/points/accounts/${type}/${ownerId}`),

  claims: (query: ClaimQuery) => api.page('/points/claims', query),
  claim: (id: string) => api.get(`/points/claims/${id}`),
  createClaim: (input: ClaimInput) => api.post('/points/claims', input),
  approveClaim: (id: string, comment?: string) => api.post(`/points/claims/${id}/approve`, comment ? { comment } : {}),
  rejectClaim: (id: string, comment: string) => api.post(`/points/claims/${id}/reject`, { comment }),
  objectClaim: (id: string, reason: string) => api.post(`/points/claims/${id}/object`, { reason }),
  postClaim: (id: string) => api.post(`/points/claims/${id}/post`),

  award: (input: AwardInput) => api.post('/points/awards', input),
  awardActivity: (activityId: string, ruleId?: string) =>
    api.post(`/points/awards/activity/${activityId}`, ruleId ? { ruleId } : {}),

  adjustments: (query: ApiQuery<'/api/v1/points/adjustments', 'get'>) => api.page('/points/adjustments', query),
  requestAdjustment: (input: AdjustmentInput) => api.post('/points/adjustments', input),
  approveAdjustment: (id: string, comment?: string) =>
    api.post(`/points/adjustments/${id}/approve`, comment ? { comment } : {}),
  rejectAdjustment: (id: string, comment: string) => api.post(`/points/adjustments/${id}/reject`, { comment }),

  transaction: (id: string) => api.get(`/points/transactions/${id}`),
  reverse: (transactionId: string, reason: string) =>
    api.post(`/points/transactions/${transactionId}/reverse`, { reason }),

  dividend: (query: DividendQuery) => api.get('/points/dividend', query),
  dividendXlsx: (query: DividendQuery) =>
    downloadFile('/points/dividend', `年终分红_${query.year ?? ''}.xlsx`, { ...query, format: 'xlsx' }),
  verify: () => api.get('/points/verify'),
};

// ---------- shop ----------

export type Goods = Schemas['Goods'];
export type GoodsInput = ApiBody<'/api/v1/shop/goods', 'post'>;
export type Redemption = Schemas['Redemption'];
export type RedemptionQuery = ApiQuery<'/api/v1/shop/redemptions', 'get'>;

export const shopApi = {
  /** `all` (staff): every goods item in scope, also inactive or out of stock. */
  goods: (query: Omit<ApiQuery<'/api/v1/shop/goods', 'get'>, 'all'> & { all?: boolean }) =>
    api.page('/shop/goods', { ...query, all: query.all ? 'true' : undefined }),
  createGoods: (input: GoodsInput) => api.post('/shop/goods', input),
  updateGoods: (id: string, input: ApiBody<'/api/v1/shop/goods/{id}', 'put'>) => api.put(`/shop/goods/${id}`, input),
  deactivateGoods: (id: string) => api.delete(`/shop/goods/${id}`),
  redemptions: (query: RedemptionQuery) => api.page('/shop/redemptions', query),
  handout: (id: string, pickupCode: string) => api.post(`/shop/redemptions/${id}/handout`, { pickupCode }),
  cancel: (id: string, reason?: string) => api.post(`/shop/redemptions/${id}/cancel`, reason ? { reason } : {}),
};
