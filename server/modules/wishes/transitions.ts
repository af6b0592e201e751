import type { wishStates } from '../../db/schema/index.js';
import { defineMachine } from '../../platform/transitions.js';

export type WishState = (typeof wishStates)[number];

/**
 * Who the caller is to one wish: `staff` (wish:manage, the wish's region in scope), `submitter`, `claimant` (a live
 * claim not yet reported done), `donor` (may claim: wish:claim, not the submitter, no live claim), `system` (sweeps).
 */
export type WishParty = 'staff' | 'submitter' | 'claimant' | 'donor' | 'system';

/** What the guards look at, read with the wish. */
export type WishContext = {
  now: Date;
  deadline: Date | null;
  overCap: boolean;
  /** The caller's scope covers the whole county (only the county center verifies a wish above the cap). */
  countyLevel: boolean;
  /** The county's value cap, read only for a wish above it. */
  cap: number | null;
  value: number;
  /** Claims not withdrawn. */
  liveClaims: number;
};

const yuan = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
const pastDeadline = (c: WishContext) => !!c.deadline && c.deadline.getTime() <= c.now.getTime();

/**
 * 微心愿: collected (submitted) → verified → published on the wall → claimed → fulfilled (photo) → confirmed, or
 * rejected / withdrawn / expired. `claim`, `unclaim` and `fulfill` move shares of the value as well as the state, so
 * their destination depends on the amounts (a shared wish stays `published` until covered): wishes/service.ts runs
 * their updates itself, checked against this table like every other action.
 */
export const wishMachine = defineMachine<WishState, WishParty, WishContext>()({
  entity: 'wish',
  noun: '心愿',
  states: {
    submitted: '待核实',
    verified: '已核实',
    published: '已发布',
    claimed: '已认领',
    fulfilled: '已实现',
    confirmed: '已确认',
    rejected: '未通过',
    withdrawn: '已撤回',
    expired: '已过期',
  },
  transitions: {
    verify: {
      from: ['submitted'],
      to: 'verified',
      who: ['staff'],
      label: '核实',
      guard: (c) =>
        c.overCap && !c.countyLevel
          ? { forbidden: `该心愿金额 ${yuan(c.value)} 元超过上限 ${c.cap ?? ''} 元，须由县级文明实践中心审批核实` }
          : null,
    },
    publish: {
      from: ['verified'],
      to: 'published',
      who: ['staff'],
      label: '发布',
      guard: (c) => (pastDeadline(c) ? '该心愿的截止时间已过，不能发布' : null),
    },
    reject: {
      from: ['submitted', 'verified', 'published'],
      to: 'rejected',
      who: ['staff'],
      label: '退回',
      guard: (c) => (c.liveClaims > 0 ? '该心愿已有人认领，不能退回' : null),
    },
    withdraw: {
      from: ['submitted', 'verified', 'published'],
      to: 'withdrawn',
      who: ['submitter'],
      label: '撤回',
      guard: (c) => (c.liveClaims > 0 ? '该心愿已有人认领，不能撤回' : null),
    },
    claim: {
      from: ['published'],
      to: 'claimed',
      who: ['donor'],
      label: '认领',
      guard: (c) => (pastDeadline(c) ? '该心愿已过截止时间，不能认领' : null),
    },
    unclaim: { from: ['published', 'claimed'], to: 'published', who: ['claimant'], label: '取消认领' },
    fulfill: { from: ['published', 'claimed'], to: 'fulfilled', who: ['claimant'], label: '提交实现情况' },
    confirm: { from: ['fulfilled'], to: 'confirmed', who: ['staff', 'submitter'], label: '确认实现' },
    expire: { from: ['published'], to: 'expired', who: ['system'], label: '到期' },
  },
  events: { submit: '提交', fulfill_part: '部分完成' },
});

export type WishAction = keyof typeof wishMachine.transitions;
export const wishStateLabels = wishMachine.states;
