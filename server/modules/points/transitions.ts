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
