import type { pointClaimStates } from '../../db/schema/index.js';
import { chinaDate } from '../../platform/clock.js';
import { defineMachine } from '../../platform/transitions.js';

export type ClaimState = (typeof pointClaimStates)[number];

/**
 * Who the caller is to one points claim: `reviewer` (point:review, the claim's place in scope), `submitter`,
 * `public` (anyone signed in to the county: the notice is public and anyone may object), `system` (the sweep).
 */
export type ClaimParty = 'reviewer' | 'submitter' | 'public' | 'system';

/** What the guards look at, read with the claim. */
export type ClaimContext = { now: Date; noticeEndAt: Date | null };

const noticeRunning = (c: ClaimContext) => !!c.noticeEndAt && c.noticeEndAt.getTime() > c.now.getTime();

/**
 * 申报 → 评议 → 公示 → 入账: submitted → (approved) notice → posted, or rejected; an objection during the notice sends
 * it back to review; the submitter may withdraw a claim not yet reviewed. Posting moves points in the ledger.
 */
export const claimMachine = defineMachine<ClaimState, ClaimParty, ClaimContext>()({
  entity: 'point_claim',
  noun: '申报',
  states: {
    submitted: '待评议',
    notice: '公示中',
    posted: '已入账',
    rejected: '未通过',
    withdrawn: '已撤回',
  },
  transitions: {
    approve: { from: ['submitted'], to: 'notice', who: ['reviewer'], label: '评议通过' },
    reject: { from: ['submitted', 'notice'], to: 'rejected', who: ['reviewer'], label: '驳回' },
    object: {
      from: ['notice'],
      to: 'submitted',
      who: ['public'],
      label: '提出异议',
      guard: (c) => (noticeRunning(c) ? null : '只能对公示期内的积分申报提出异议'),
    },
    withdraw: { from: ['submitted'], to: 'withdrawn', who: ['submitter'], label: '撤回' },
    post: {
      from: ['notice'],
      to: 'posted',
      who: ['reviewer', 'system'],
      label: '入账',
      guard: (c) => (noticeRunning(c) ? `公示期未满（至 ${chinaDate(c.noticeEndAt ?? c.now)}），不能入账` : null),
    },
  },
  events: { submit: '申报' },
});

export type ClaimAction = keyof typeof claimMachine.transitions;

export type AdjustmentState = 'pending' | 'approved' | 'rejected';

/** Who the caller is to one manual adjustment: `approver` (point:approve, its place in scope). */
export type AdjustmentParty = 'approver';

/** What the guard looks at: an adjustment is approved by a second person, never by whoever requested it. */
export type AdjustmentContext = { requestedByCaller: boolean };

const secondPerson = (c: AdjustmentContext) =>
  c.requestedByCaller ? { forbidden: '积分调整须由申请人以外的第二人复核，申请人不能复核自己的调整' } : null;

/** 人工调整: requested (pending) → approved by a second person (posted to the ledger), or rejected. */
export const adjustmentMachine = defineMachine<AdjustmentState, AdjustmentParty, AdjustmentContext>()({
  entity: 'point_adjustment',
  noun: '调整',
  states: { pending: '待复核', approved: '已入账', rejected: '已驳回' },
  transitions: {
    approve: { from: ['pending'], to: 'approved', who: ['approver'], label: '复核通过', guard: secondPerson },
    reject: { from: ['pending'], to: 'rejected', who: ['approver'], label: '驳回', guard: secondPerson },
  },
  events: { request: '申请' },
});

export type AdjustmentAction = keyof typeof adjustmentMachine.transitions;
