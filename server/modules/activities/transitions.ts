import type { activities, activityParticipants, activitySignups, activityStates } from '../../db/schema/index.js';
import { defineMachine } from '../../platform/transitions.js';
import { chinaMinute as fmt } from '../../platform/clock.js';

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
/** A sign-up's state for the machine: its row's status, or `none` before the caller has signed up (`signUp`). */
export type SignupMachineState = SignupStatus | 'none';

/** Who the caller is to one sign-up: the volunteer who signed up, or `system` (a freed seat promotes the waitlist). */
export type SignupParty = 'volunteer' | 'system';

/** Check-in opens an hour before the start and closes two hours after the end. */
export const CHECKIN_BEFORE_MS = 3600_000;
export const CHECKOUT_AFTER_MS = 2 * 3600_000;

/**
 * What the guards look at: the sign-up's attendance and its activity's state, and — for the guards bound to the
 * clock (signing up before the deadline, checking in and out within the window) — the time and the activity's times.
 * `at` is left out where an answer is kept for later (the staff list's pages): the clock-bound actions are then not
 * offered, and the commands decide with the clock.
 */
export type SignupContext = {
  activityState: ActivityState;
  checkedIn: boolean;
  checkedOut: boolean;
  at?: { now: Date; startAt: Date; endAt: Date; closeHours?: number };
};

/** An activity whose sign-ups may still be withdrawn. */
const withdrawable: readonly ActivityState[] = ['published', 'full', 'in_progress'];
const recruiting: readonly ActivityState[] = ['published', 'full'];
const checkInStates: readonly ActivityState[] = ['published', 'full', 'in_progress'];
const checkOutStates: readonly ActivityState[] = ['published', 'full', 'in_progress', 'ended'];

/** Outside the attendance window (1 h before the start to 2 h after the end): why, or null. */
const outsideWindow = (c: SignupContext, what: string): string | null => {
  if (!c.at) return `${what}须在活动现场进行`;
  const open = c.at.startAt.getTime() - CHECKIN_BEFORE_MS;
  const close = c.at.endAt.getTime() + CHECKOUT_AFTER_MS;
  const t = c.at.now.getTime();
  return t < open || t > close
    ? `${what}时间为活动开始前 1 小时至结束后 2 小时（${fmt(new Date(open))} 至 ${fmt(new Date(close))}）`
    : null;
};

/** Withdrawing a sign-up or a place: not once checked in, and only while the activity may still lose people. */
const cancelGuard = (c: SignupContext) =>
  c.checkedIn
    ? '您已签到，不能取消报名'
    : withdrawable.includes(c.activityState)
      ? null
      : `活动${activityStateLabels[c.activityState]}，不能取消报名`;

/** Checking in to a sign-up or a place: once, while the activity takes check-ins, within the attendance window. */
const checkInGuard = (c: SignupContext) =>
  c.checkedIn
    ? '您已签到'
    : checkInStates.includes(c.activityState)
      ? outsideWindow(c, '签到')
      : `活动${activityStateLabels[c.activityState]}，不能签到`;

/**
 * 报名: the volunteer signs up while the activity recruits, before the deadline (a seat: `confirmed`, else
 * `waitlisted` — the seat statement decides, activities/service.ts `takeSeat`); confirmed or waitlisted → cancelled by
 * the volunteer before checking in, while the activity recruits or runs; a freed seat promotes the earliest waitlisted
 * (`fillSeats`, its own set-based update over the machine's from-state); a confirmed volunteer checks in and then out
 * within the attendance window (the state stays `confirmed`; the times are the sign-up's).
 */
export const signupMachine = defineMachine<SignupMachineState, SignupParty, SignupContext>()({
  entity: 'activity_signup',
  audit: 'activity.signup',
  noun: '报名',
  states: { none: '未报名', confirmed: '已报名', waitlisted: '候补中', cancelled: '已取消' },
  transitions: {
    signUp: {
      from: ['none'],
      to: 'confirmed',
      who: ['volunteer'],
      label: '报名',
      guard: (c) => {
        if (!recruiting.includes(c.activityState))
          return `活动${activityStateLabels[c.activityState]}，不在招募中，不能报名`;
        const hours = c.at?.closeHours ?? 0;
        if (c.at && c.at.now.getTime() >= c.at.startAt.getTime() - hours * 3600_000)
          return hours ? `报名已于活动开始前 ${hours} 小时截止` : '活动已开始，报名已截止';
        return null;
      },
    },
    cancel: {
      from: ['confirmed', 'waitlisted'],
      to: 'cancelled',
      who: ['volunteer'],
      label: '取消报名',
      guard: cancelGuard,
    },
    promote: { from: ['waitlisted'], to: 'confirmed', who: ['system'], label: '候补转正' },
    checkIn: {
      from: ['confirmed'],
      to: 'confirmed',
      who: ['volunteer'],
      label: '签到',
      guard: checkInGuard,
    },
    checkOut: {
      from: ['confirmed'],
      to: 'confirmed',
      who: ['volunteer'],
      label: '签退',
      guard: (c) =>
        c.checkedOut
          ? '您已签退'
          : !checkOutStates.includes(c.activityState)
            ? `活动${activityStateLabels[c.activityState]}，不能签退`
            : !c.checkedIn
              ? '您还没有签到，请先签到再签退'
              : outsideWindow(c, '签退'),
    },
  },
});

export type SignupAction = keyof typeof signupMachine.transitions;

export type ParticipantStatus = (typeof activityParticipants.$inferSelect)['status'];
/** A resident's place for the machine: its row's status, or `none` before they have joined (`join`). */
export type ParticipantMachineState = ParticipantStatus | 'none';
/** The resident of the place, staff who manage the activity (the roster), or `system` (promotion). */
export type ParticipantParty = 'resident' | 'manager' | 'system';
export type ParticipantContext = SignupContext & { open: boolean };

/** Residents join until the activity ends (a lecture takes people at the door); no sign-up deadline. */
const joinStates: readonly ActivityState[] = ['published', 'full', 'in_progress'];

/**
 * 报名参加: a resident joins an activity open to residents (`participantQuota`) while it is published and not over (a
 * place: `confirmed`, else `waitlisted` — the same seat statement as sign-ups, `takeSeat`); cancels before checking
 * in; a freed place promotes the earliest waitlisted; the resident checks in (code or QR) within the attendance
 * window, or staff mark the attendance on the roster (`mark`, also after the end, until archived).
 */
export const participantMachine = defineMachine<ParticipantMachineState, ParticipantParty, ParticipantContext>()({
  entity: 'activity_participant',
  audit: 'activity.participant',
  noun: '报名参加',
  states: { none: '未报名', confirmed: '已报名', waitlisted: '候补中', cancelled: '已取消' },
  transitions: {
    join: {
      from: ['none'],
      to: 'confirmed',
      who: ['resident'],
      label: '报名参加',
      guard: (c) => {
        if (!c.open) return '该活动未开放群众报名参加';
        if (!joinStates.includes(c.activityState)) return `活动${activityStateLabels[c.activityState]}，不能报名参加`;
        if (c.at && c.at.now.getTime() >= c.at.endAt.getTime()) return '活动已结束，不能报名参加';
        return null;
      },
    },
    cancel: {
      from: ['confirmed', 'waitlisted'],
      to: 'cancelled',
      who: ['resident'],
      label: '取消报名',
      guard: cancelGuard,
    },
    promote: { from: ['waitlisted'], to: 'confirmed', who: ['system'], label: '候补转正' },
    checkIn: {
      from: ['confirmed'],
      to: 'confirmed',
      who: ['resident'],
      label: '签到',
      guard: checkInGuard,
    },
    mark: {
      from: ['confirmed'],
      to: 'confirmed',
      who: ['manager'],
      label: '登记到场',
      guard: (c) =>
        sheetStates.includes(c.activityState) ? null : `活动${activityStateLabels[c.activityState]}，不能登记到场`,
    },
  },
});

export type ParticipantAction = keyof typeof participantMachine.transitions;
