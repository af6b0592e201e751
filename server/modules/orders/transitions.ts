import type { followUps, orderStates } from '../../db/schema/index.js';
import { defineMachine } from '../../platform/transitions.js';

export type OrderState = (typeof orderStates)[number];
/**
 * Who the caller is to one order: `staff` (order:manage, the order's region in scope), `target` (order:serve, the
 * dispatched volunteer, the leader of the dispatched team, or one who may take it from the pool), `acceptor` (took
 * it), `resident` (ordered it, or staff who ordered it for a household), `system` (the time-limit job).
 */
export type Party = 'staff' | 'target' | 'acceptor' | 'resident' | 'system';

/** What the guards look at, read with the order. */
export type OrderContext = {
  now: Date;
  targetType: string | null;
  completedAt: Date | null;
  /** The county's reopen window in days (orders.reopenDays). */
  reopenDays: number;
};

/** The order state machine of API.md, as data: one table that the API (and through `actions` the UI) reads. */
export const orderMachine = defineMachine<OrderState, Party, OrderContext>()({
  // orders keep their timeline in order_events, written by their one-statement runner (orders/service.ts), never by
  // runTransition, so 'order' is not one of workflow_events' entities
  entity: 'order' as never,
  noun: '订单',
  states: {
    submitted: '待派单',
    rejected: '已驳回',
    dispatched: '待接单',
    accepted: '已接单',
    in_service: '服务中',
    completed: '已完成',
    rated: '已评价',
    closed: '已关闭',
    cancelled: '已取消',
  },
  transitions: {
    reject: { from: ['submitted'], to: 'rejected', who: ['staff'], label: '驳回' },
    dispatch: { from: ['submitted'], to: 'dispatched', who: ['staff'], label: '派单' },
    accept: { from: ['dispatched'], to: 'accepted', who: ['target'], label: '接单' },
    decline: {
      from: ['dispatched'],
      to: 'submitted',
      who: ['target'],
      label: '拒单',
      guard: (c) => (c.targetType === 'pool' ? '抢单池中的订单不需要拒单，不接即可' : null),
    },
    start: { from: ['accepted'], to: 'in_service', who: ['acceptor'], label: '开始服务' },
    complete: { from: ['accepted', 'in_service'], to: 'completed', who: ['acceptor', 'staff'], label: '完成服务' },
    // 撤回: staff take a dispatched or accepted order back to the queue (改派 is the dispatch that follows)
    recall: { from: ['dispatched', 'accepted'], to: 'submitted', who: ['staff'], label: '撤回' },
    rate: { from: ['completed'], to: 'rated', who: ['resident'], label: '评价' },
    cancel: { from: ['submitted', 'dispatched'], to: 'cancelled', who: ['resident'], label: '取消' },
    reopen: {
      from: ['completed', 'rated'],
      to: 'submitted',
      who: ['resident'],
      label: '重新打开',
      guard: (c) =>
        !c.completedAt || c.now.getTime() - c.completedAt.getTime() > c.reopenDays * 86400_000
          ? `只能在服务完成后 ${c.reopenDays} 天内重新打开`
          : null,
    },
    // done by the system
    expire: { from: ['dispatched'], to: 'submitted', who: ['system'], label: '超时未接单，退回待派' },
    close: { from: ['completed', 'rated'], to: 'closed', who: ['system'], label: '关闭' },
  },
  events: {
    submit: '点单',
    proxy_submit: '代点单',
    escalate: '超时上报',
    follow_up: '回访办结',
    auto_close: '自动关闭',
  },
});

/** The transitions by action (kept for the meta endpoint and the route table). */
export const orderTransitions = orderMachine.transitions;
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
  'recall',
] as const satisfies readonly OrderAction[];

export const stateLabels: Record<OrderState, string> = orderMachine.states;
export const scoreLabels: Record<number, string> = {
  5: '非常满意',
  4: '满意',
  3: '基本满意',
  2: '不满意',
  1: '非常不满意',
};
export const escalationLabels = ['站', '所', '中心'];
/** While an order is open, its acceptor and its staff may reach the resident (and the resident sees the acceptor). */
export const reachableStates: readonly OrderState[] = ['submitted', 'dispatched', 'accepted', 'in_service'];

export type FollowUpState = (typeof followUps.$inferSelect)['state'];
/** Who the caller is to one follow-up: `staff` (order:manage, the order's place in scope). */
export type FollowUpParty = 'staff';

/** 不满意回访: opened by a rating of 不满意 or worse, closed by staff with a result. */
export const followUpMachine = defineMachine<FollowUpState, FollowUpParty>()({
  entity: 'follow_up',
  noun: '回访',
  states: { open: '待回访', closed: '已办结' },
  transitions: {
    close: { from: ['open'], to: 'closed', who: ['staff'], label: '办结' },
  },
});
