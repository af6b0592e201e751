import type { shopRedemptions } from '../../db/schema/index.js';
import { defineMachine } from '../../platform/transitions.js';

export type RedemptionState = (typeof shopRedemptions.$inferSelect)['state'];

/**
 * Who the caller is to one redemption: `goodsStaff` (shop:handout, the goods' place in scope: hands out and cancels),
 * `accountStaff` (shop:handout, the account's place in scope: may cancel), `owner` (the volunteer or a member of the
 * household whose points paid for it).
 */
export type RedemptionParty = 'goodsStaff' | 'accountStaff' | 'owner';

/** 兑换: reserved (stock and points held) → handed out with the pickup code, or cancelled (stock and points back). */
export const redemptionMachine = defineMachine<RedemptionState, RedemptionParty>()({
  entity: 'shop_redemption',
  noun: '兑换',
  states: { reserved: '待领取', handed_out: '已领取', cancelled: '已取消' },
  transitions: {
    handout: { from: ['reserved'], to: 'handed_out', who: ['goodsStaff'], label: '发放' },
    cancel: { from: ['reserved'], to: 'cancelled', who: ['owner', 'goodsStaff', 'accountStaff'], label: '取消' },
  },
  events: { reserve: '兑换' },
});

export type RedemptionAction = keyof typeof redemptionMachine.transitions;
