import type { activityStates } from '../../db/schema/index.js';

export type ActivityState = (typeof activityStates)[number];

/**
 * Who may take an action on an activity:
 * - `manager`: staff with activity:manage whose scope holds the activity's region;
 * - `confirmer`: staff with activity:manage whose scope holds the region ABOVE the activity's (the town's institute
 *   for a village record, the county center for a town's), who did not record it themselves.
 */
export type ActivityParty = 'manager' | 'confirmer';

export type ActivityTransition = {
  from: readonly ActivityState[];
  /** The state after the action; edits and the paper sheet keep the state. */
  to: ActivityState | null;
  who: ActivityParty;
  label: string;
};

/** The activity state machine, as data: the commands check their from-states here, the detail's `actions` too. */
export const activityTransitions = {
  edit: { from: ['draft', 'published', 'full'], to: null, who: 'manager', label: '编辑' },
  publish: { from: ['draft'], to: 'published', who: 'manager', label: '发布招募' },
  cancel: {
    from: ['draft', 'published', 'full', 'in_progress', 'pending_confirmation', 'returned'],
    to: 'cancelled',
    who: 'manager',
    label: '取消活动',
  },
  end: { from: ['published', 'full', 'in_progress'], to: 'ended', who: 'manager', label: '结束活动' },
  archive: { from: ['ended'], to: 'archived', who: 'manager', label: '归档' },
  attendance: { from: ['published', 'full', 'in_progress', 'ended'], to: null, who: 'manager', label: '录入签到表' },
  // 补录: an activity held first and entered afterwards
  confirm: { from: ['pending_confirmation'], to: 'ended', who: 'confirmer', label: '确认补录' },
  return: { from: ['pending_confirmation'], to: 'returned', who: 'confirmer', label: '退回补录' },
  resubmit: { from: ['returned'], to: 'pending_confirmation', who: 'manager', label: '修改后重新提交' },
} as const satisfies Record<string, ActivityTransition>;

export type ActivityAction = keyof typeof activityTransitions;

export const allowedFrom = (action: ActivityAction, state: ActivityState): boolean =>
  (activityTransitions[action].from as readonly ActivityState[]).includes(state);

/** States in which an activity does not count as held (no figures, no ledger rows, not public). */
export const notHeldStates = ['draft', 'cancelled', 'pending_confirmation', 'returned'] as const;
/** A record waiting for, or returned by, the level above: visible to staff only. */
export const unconfirmedStates = ['pending_confirmation', 'returned'] as const;
