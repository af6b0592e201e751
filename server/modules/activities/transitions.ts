import type { activities, activitySignups, activityStates } from '../../db/schema/index.js';
import { defineMachine } from '../../platform/transitions.js';

export type ActivityState = (typeof activityStates)[number];

/**
 * Who the caller is to one activity:
 * - `manager`: staff with activity:manage whose scope holds the activity's region;
 * - `above`: staff with activity:manage whose scope holds the region ABOVE the activity's (the town's institute for a
 *   village's activity, the county center for a town's) — they confirm or return a record (补录) of the level below.
 */
export type ActivityParty = 'manager' | 'above';

/** What the guards look at, read with the activity. */
export type ActivityContext = {
  now: Date;
  activity: Pick<typeof activities.$inferSelect, 'startAt' | 'recordedAt' | 'recordedBy'>;
  userId: string;
};

export const activityStateLabels: Record<ActivityState, string> = {
  draft: '草稿',
  published: '招募中',
  full: '已满员',
  in_progress: '进行中',
  ended: '已结束',
  archived: '已归档',
  cancelled: '已取消',
  pending_confirmation: '待上级确认',
  returned: '已退回',
};

const notTheRecorder = (what: string) => (c: ActivityContext) =>
  c.activity.recordedBy === c.userId ? { forbidden: `不能${what}自己补录的活动，须由上级工作人员${what}` } : null;

/**
 * 活动: draft → published ⇄ full → in_progress → ended → archived, or cancelled; an activity held first and entered
 * afterwards (补录) starts `ended`, or — when the county requires the level above to confirm records —
 * `pending_confirmation`, from which the level above confirms it (`ended`) or returns it (`returned`) for the
 * recorder to correct and resubmit. The commands of
 * activities/service.ts check their from-states here; records.ts runs confirm, return and resubmit through
 * platform/transitions; the detail answers `actionsFor` as `actions`.
 */
export const activityMachine = defineMachine<ActivityState, ActivityParty, ActivityContext>()({
  entity: 'activity',
  noun: '活动',
  states: activityStateLabels,
  transitions: {
    publish: { from: ['draft'], to: 'published', who: ['manager'], label: '发布招募' },
    cancel: {
      from: ['draft', 'published', 'full', 'in_progress', 'pending_confirmation', 'returned'],
      to: 'cancelled',
      who: ['manager'],
      label: '取消',
    },
    end: {
      from: ['published', 'full', 'in_progress'],
      to: 'ended',
      who: ['manager'],
      label: '结束',
      guard: (c) =>
        c.now.getTime() < c.activity.startAt.getTime() ? '活动尚未开始，不能结束；不再举办请取消活动' : null,
    },
    archive: { from: ['ended'], to: 'archived', who: ['manager'], label: '归档' },
    confirm: {
      from: ['pending_confirmation'],
      to: 'ended',
      who: ['above'],
      label: '确认',
      guard: notTheRecorder('确认'),
    },
    return: {
      from: ['pending_confirmation'],
      to: 'returned',
      who: ['above'],
      label: '退回',
      guard: notTheRecorder('退回'),
    },
    resubmit: { from: ['returned'], to: 'pending_confirmation', who: ['manager'], label: '重新提交' },
  },
  events: { record: '补录活动' },
});

export type ActivityTransition = keyof typeof activityMachine.transitions;
/** What a detail's `actions` may hold: the transitions, and the two edits that keep the state. */
export type ActivityAction = ActivityTransition | 'edit' | 'attendance';

/** Managers edit an activity while it recruits; they enter paper sign-in sheet rows from publishing until archived. */
export const editableStates: readonly ActivityState[] = ['draft', 'published', 'full'];
export const sheetStates: readonly ActivityState[] = ['published', 'full', 'in_progress', 'ended'];

/** Whether the action may start from the state (the commands that keep their own update check this). */
export const allowedFrom = (action: ActivityAction, state: ActivityState): boolean =>
  action === 'edit'
    ? editableStates.includes(state)
    : action === 'attendance'
      ? sheetStates.includes(state)
      : activityMachine.transitions[action].from.includes(state);

/** A record waiting for, or returned by, the level above: counted nowhere, visible to staff only. */
export const unconfirmedStates = ['pending_confirmation', 'returned'] as const;

export type SignupStatus = (typeof activitySignups.$inferSelect)['status'];

/** Who the caller is to one sign-up: the volunteer who signed up, or `system` (a freed seat promotes the waitlist). */
export type SignupParty = 'volunteer' | 'system';

/** What the guards look at: the sign-up's check-in and its activity's state. */
export type SignupContext = { checkedIn: boolean; activityState: ActivityState };

/** An activity whose sign-ups may still be withdrawn. */
const withdrawable: readonly ActivityState[] = ['published', 'full', 'in_progress'];

/**
 * 报名: confirmed (a seat) or waitlisted → cancelled by the volunteer before checking in, while the activity recruits or
 * runs; a freed seat promotes the earliest waitlisted (activities/service.ts `fillSeats`, its own set-based update).
 */
export const signupMachine = defineMachine<SignupStatus, SignupParty, SignupContext>()({
  entity: 'activity_signup',
  audit: 'activity.signup',
  noun: '报名',
  states: { confirmed: '已报名', waitlisted: '候补中', cancelled: '已取消' },
  transitions: {
    cancel: {
      from: ['confirmed', 'waitlisted'],
      to: 'cancelled',
      who: ['volunteer'],
      label: '取消报名',
      guard: (c) =>
        c.checkedIn
          ? '您已签到，不能取消报名'
          : withdrawable.includes(c.activityState)
            ? null
            : `活动${activityStateLabels[c.activityState]}，不能取消报名`,
    },
    promote: { from: ['waitlisted'], to: 'confirmed', who: ['system'], label: '候补转正' },
  },
});

export type SignupAction = keyof typeof signupMachine.transitions;
