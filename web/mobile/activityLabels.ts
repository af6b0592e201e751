import { activityOverdueLabels, shownActivityState } from '../common/labels';
import type { ActivityState, ActivityType, MySignup } from './api/activities';
import messages from './locales/zh-CN';

export type Tone = 'primary' | 'success' | 'warning' | 'default' | 'danger';

export const activityTypes: ActivityType[] = ['lecture', 'culture_sports', 'volunteer_service', 'training', 'theme'];

export function typeLabel(type: string): string {
  return messages.activityType[type] ?? type;
}

/** An activity's state as people see it: 已结束 once its end has passed, even before it is closed. */
export function stateLabel(a: { state: string; endAt?: string | null }): string {
  return shownActivityState(a, false);
}

/** 招募中 red, 已满员 orange, 进行中 green, ended (or past its end) and cancelled grey. */
export function stateTone(a: { state: ActivityState; endAt?: string | null }): Tone {
  if (shownActivityState(a, false) === activityOverdueLabels.public) return 'default';
  switch (a.state) {
    case 'published':
      return 'primary';
    case 'full':
      return 'warning';
    case 'in_progress':
      return 'success';
    default:
      return 'default';
  }
}

/** What a sign-up shows (the activity's `mySignup`, or a row of my sign-ups). */
type SignupView = Pick<MySignup, 'status' | 'position' | 'checkInAt'> & { checkOutAt?: string | null };

/** What the volunteer's own sign-up says, in a few characters: 已报名, 第 2 位候补, 已签到, 已签退. */
export function signupLabel(s: SignupView | null | undefined): string {
  if (!s || s.status === 'cancelled') return '';
  if (s.checkOutAt) return messages.activities.checkedOut;
  if (s.checkInAt) return messages.activities.checkedIn;
  if (s.status === 'waitlisted')
    return s.position ? messages.activities.waitPosition(s.position) : messages.signupStatus.waitlisted;
  return messages.signupStatus.confirmed;
}

export function signupTone(s: SignupView | null | undefined): Tone {
  if (!s) return 'default';
  if (s.status === 'waitlisted') return 'warning';
  return 'success';
}

/** 2.5 → "2.5", 3 → "3", at most two decimals. */
export function hoursText(h: number | string | null | undefined): string {
  const n = typeof h === 'string' ? Number(h) : h;
  if (n === null || n === undefined || !Number.isFinite(n)) return '0';
  return String(Math.round(n * 100) / 100);
}
