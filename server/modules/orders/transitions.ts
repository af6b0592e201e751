import type { orderStates } from '../../db/schema/index.js';

export type OrderState = (typeof orderStates)[number];
export type Party = 'staff' | 'target' | 'acceptor' | 'resident' | 'system';

export type Transition = { from: readonly OrderState[]; to: OrderState; who: readonly Party[]; label: string };

/** The order state machine of API.md, as data: one table that both the API and the UI read. */
export const orderTransitions = {
  reject: { from: ['submitted'], to: 'rejected', who: ['staff'], label: '驳回' },
  dispatch: { from: ['submitted'], to: 'dispatched', who: ['staff'], label: '派单' },
  accept: { from: ['dispatched'], to: 'accepted', who: ['target'], label: '接单' },
  decline: { from: ['dispatched'], to: 'submitted', who: ['target'], label: '拒单' },
  start: { from: ['accepted'], to: 'in_service', who: ['acceptor'], label: '开始服务' },
  complete: { from: ['accepted', 'in_service'], to: 'completed', who: ['acceptor', 'staff'], label: '完成服务' },
  rate: { from: ['completed'], to: 'rated', who: ['resident'], label: '评价' },
  cancel: { from: ['submitted', 'dispatched'], to: 'cancelled', who: ['resident'], label: '取消' },
  reopen: { from: ['completed', 'rated'], to: 'submitted', who: ['resident'], label: '重新打开' },
  // done by the system
  expire: { from: ['dispatched'], to: 'submitted', who: ['system'], label: '超时未接单，退回待派' },
  close: { from: ['completed', 'rated'], to: 'closed', who: ['system'], label: '关闭' },
} as const satisfies Record<string, Transition>;

export type OrderAction = keyof typeof orderTransitions;
export const userActions = [
  'reject',
  'dispatch',
  'accept',
  'decline',
  'start',
  'complete',
  'rate',
  'cancel',
  'reopen',
] as const satisfies readonly OrderAction[];

export const stateLabels: Record<OrderState, string> = {
  submitted: '待派单',
  rejected: '已驳回',
  dispatched: '待接单',
  accepted: '已接单',
  in_service: '服务中',
  completed: '已完成',
  rated: '已评价',
  closed: '已关闭',
  cancelled: '已取消',
};
export const scoreLabels: Record<number, string> = {
  5: '非常满意',
  4: '满意',
  3: '基本满意',
  2: '不满意',
  1: '非常不满意',
};
export const escalationLabels = ['站', '所', '中心'];
