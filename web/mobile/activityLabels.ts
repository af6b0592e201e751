import type { ActivityState, ActivityType, MySignup } from './api/activities';
import { shanghaiParts } from '../common/format';
import messages from './locales/zh-CN';

export type Tone = 'primary' | 'success' | 'warning' | 'default' | 'danger';

export const activityTypes: ActivityType[] = ['lecture', 'culture_sports', 'volunteer_service', 'training', 'theme'];

export function typeLabel(type: string): string {
  return messages.activityType[type] ?? type;
}

export function stateLabel(state: string): string {
  return messages.activityState[state] ?? state;
}

/** 招募中 red, 已满员 orange, 进行中 green, ended and cancelled grey. */
export function stateTone(state: ActivityState): Tone {
  switch (state) {
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
type SignupView = Pick<MySignup, 'status' | 'position' | 'checkInAt' | 'checkOutAt'>;

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

const pad = (n: number): string => String(n).padStart(2, '0');
const WEEK = ['日', '一', '二', '三', '四', '五', '六'];

function dayOf(value: string): { label: string; key: string } | null {
  const p = shanghaiParts(value);
  if (!p) return null;
  const wd = WEEK[new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()];
  return { label: `${p.month}月${p.day}日（周${wd}）`, key: `${p.year}-${p.month}-${p.day}` };
}

function hm(value: string): string {
  const p = shanghaiParts(value);
  return p ? `${pad(p.hour)}:${pad(p.minute)}` : '';
}

/** 5月4日（周一）09:00–11:30, or over two days 5月4日（周一）09:00 – 5月5日（周二）17:00; the year only when not this year. */
export function timeRange(startAt: string, endAt: string, now = new Date()): string {
  const a = dayOf(startAt);
  const b = dayOf(endAt);
  if (!a || !b) return '—';
  const sp = shanghaiParts(startAt);
  const np = shanghaiParts(now);
  const year = sp && np && sp.year !== np.year ? `${sp.year}年` : '';
  if (a.key === b.key) return `${year}${a.label} ${hm(startAt)}–${hm(endAt)}`;
  return `${year}${a.label} ${hm(startAt)} – ${b.label} ${hm(endAt)}`;
}

/** 09:00–11:30 for a shift on the activity's day, with the date when it is another day. */
export function shiftTime(startAt: string, endAt: string): string {
  const a = dayOf(startAt);
  const b = dayOf(endAt);
  if (!a || !b) return '—';
  return a.key === b.key ? `${a.label} ${hm(startAt)}–${hm(endAt)}` : timeRange(startAt, endAt);
}

/** 2.5 → "2.5", 3 → "3", at most two decimals. */
export function hoursText(h: number | string | null | undefined): string {
  const n = typeof h === 'string' ? Number(h) : h;
  if (n === null || n === undefined || !Number.isFinite(n)) return '0';
  return String(Math.round(n * 100) / 100);
}

/** 2026-05-04 → 2026年5月4日 (a calendar date, no time-zone shift). */
export function dayLabel(date: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date ?? '');
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : '—';
}
