import type { FormItemRule, FormRules } from 'element-plus';
import { activityOverdueLabels, activityTypeLabels, optionsOf, shownActivityState } from '../../../common/labels';
import { addDays, fromWall, today, toWall, wallTime, weekdayNumber, type WallRange } from '../../../common/time';
import type { Activity, ActivityInput, ActivityState, ActivityType } from '../../api/activities';
import { msg } from '../../locales/zh-CN';

type TagType = 'primary' | 'success' | 'warning' | 'info' | 'danger';

export const ACTIVITY_STATES: ActivityState[] = [
  'draft',
  'published',
  'full',
  'in_progress',
  'ended',
  'archived',
  'cancelled',
  'pending_confirmation',
  'returned',
];

export const activityStateTag: Record<ActivityState, TagType> = {
  draft: 'info',
  published: 'primary',
  full: 'warning',
  in_progress: 'success',
  ended: 'info',
  archived: 'info',
  cancelled: 'danger',
  pending_confirmation: 'warning',
  returned: 'danger',
};

export const stateName = (st: string): string => msg.activity.states[st] ?? st;
/** An activity's state as staff see it: 待结束 once its end has passed and it is still open. */
export const activityStateName = (a: { state: string; endAt?: string | null }): string => shownActivityState(a, true);
/** 待结束 is shown as a warning. */
export const activityTag = (a: { state: ActivityState; endAt?: string | null }) =>
  shownActivityState(a, true) === activityOverdueLabels.staff ? 'warning' : activityStateTag[a.state];
export const typeOptions = optionsOf(activityTypeLabels) as { value: ActivityType; label: string }[];

/** Attendance (QR, code, paper sheet) is open from publishing until the activity is ended or cancelled. */
export const attendanceOpen = (a: Pick<Activity, 'state'>): boolean =>
  ['published', 'full', 'in_progress'].includes(a.state);

// ---------- the create / edit form ----------

export interface ShiftRow {
  uid: number;
  /** Kept on edits so the sign-ups of an existing slot stay with it. */
  id?: string;
  position: string;
  range: WallRange | null;
  quota: number | undefined;
}

export interface ActivityForm {
  title: string;
  type: ActivityType | '';
  theme: string;
  description: string;
  regionCode: string;
  regionName: string;
  siteId: string;
  teamId: string;
  teamName: string;
  planId: string;
  range: WallRange | null;
  quota: number | undefined;
  address: string;
  beneficiaries: string;
  beneficiaryCount: number | undefined;
  risky: boolean;
  insurance: string;
  lat: number | undefined;
  lng: number | undefined;
  checkinRadiusM: number | undefined;
  /** Places for residents (报名参加); empty = not open to residents. */
  participantQuota: number | undefined;
  shifts: ShiftRow[];
}

let uid = 0;
export function shiftRow(s?: {
  id?: string;
  position: string;
  startAt: string;
  endAt: string;
  quota: number;
}): ShiftRow {
  uid++;
  return {
    uid,
    id: s?.id,
    position: s?.position ?? '',
    range: s ? [toWall(s.startAt), toWall(s.endAt)] : null,
    quota: s?.quota,
  };
}

/** A new activity starts next Saturday 9:00–11:30, the most common slot. */
function defaultRange(): WallRange {
  const now = today();
  const day = addDays(now, (6 - weekdayNumber(now) + 7) % 7 || 7);
  return [`${day} 09:00:00`, `${day} 11:30:00`];
}

export function emptyActivityForm(): ActivityForm {
  return {
    title: '',
    type: '',
    theme: '',
    description: '',
    regionCode: '',
    regionName: '',
    siteId: '',
    teamId: '',
    teamName: '',
    planId: '',
    range: defaultRange(),
    quota: 20,
    address: '',
    beneficiaries: '',
    beneficiaryCount: undefined,
    risky: false,
    insurance: '',
    lat: undefined,
    lng: undefined,
    checkinRadiusM: undefined,
    participantQuota: undefined,
    shifts: [],
  };
}

export function activityToForm(a: Activity): ActivityForm {
  return {
    title: a.title,
    type: a.type,
    theme: a.theme ?? '',
    description: a.description ?? '',
    regionCode: a.regionCode,
    regionName: a.regionName ?? '',
    siteId: a.siteId ?? '',
    teamId: a.teamId ?? '',
    teamName: a.teamName ?? '',
    planId: a.planId ?? '',
    range: [toWall(a.startAt), toWall(a.endAt)],
    quota: a.quota,
    address: a.address ?? '',
    beneficiaries: a.beneficiaries ?? '',
    beneficiaryCount: a.beneficiaryCount || undefined,
    risky: a.risky,
    insurance: a.insurance ?? '',
    lat: a.lat ?? undefined,
    lng: a.lng ?? undefined,
    checkinRadiusM: a.checkinRadiusM ?? undefined,
    participantQuota: a.participantQuota || undefined,
    shifts: (a.shifts ?? []).map((s) => shiftRow(s)),
  };
}

export function formToInput(f: ActivityForm): ActivityInput {
  const [start, end] = f.range ?? ['', ''];
  return {
    title: f.title.trim(),
    type: f.type as ActivityType,
    regionCode: f.regionCode,
    startAt: fromWall(start),
    endAt: fromWall(end),
    quota: f.quota ?? 0,
    address: f.address.trim(),
    siteId: f.siteId || null,
    teamId: f.teamId || null,
    planId: f.planId || null,
    theme: f.theme.trim(),
    description: f.description.trim(),
    beneficiaries: f.beneficiaries.trim(),
    beneficiaryCount: f.beneficiaryCount ?? 0,
    risky: f.risky,
    insurance: f.insurance.trim() || null,
    lat: f.lat ?? null,
    lng: f.lng ?? null,
    checkinRadiusM: f.checkinRadiusM ?? null,
    participantQuota: f.participantQuota || null,
    shifts: f.shifts.map((s) => ({
      ...(s.id ? { id: s.id } : {}),
      position: s.position.trim(),
      startAt: fromWall(s.range?.[0] ?? start),
      endAt: fromWall(s.range?.[1] ?? end),
      quota: s.quota ?? 0,
    })),
  };
}

/** The first problem of the shift rows, in words, or null. */
export function shiftProblem(f: ActivityForm): string | null {
  const t = msg.activity.form;
  const [start, end] = f.range ?? [null, null];
  let sum = 0;
  for (const [i, s] of f.shifts.entries()) {
    if (!s.position.trim() || !s.range || !s.quota) return t.shiftInvalid(i + 1);
    if (start && end && (s.range[0] < start || s.range[1] > end)) return t.shiftOutside(i + 1);
    sum += s.quota;
  }
  // Several positions may share a slot, or slots follow one another: the sum is only a hint when all overlap.
  const allOverlap =
    f.shifts.length > 1 &&
    f.shifts.every((s) => f.shifts.every((o) => s.range![0] < o.range![1] && o.range![0] < s.range![1]));
  if (allOverlap && f.quota && sum > f.quota) return t.shiftQuotaOver;
  return null;
}

const t = msg.activity.form;
const rangeRule: FormItemRule = {
  validator: (_r, value: WallRange | null, cb) => {
    if (!value || !value[0] || !value[1]) cb(new Error(t.timeRequired));
    else if (value[1] <= value[0]) cb(new Error(t.endBeforeStart));
    else cb();
  },
  trigger: 'change',
};

export const activityRules: FormRules = {
  title: [{ required: true, min: 2, max: 100, message: t.titleRequired, trigger: 'blur' }],
  type: [{ required: true, message: t.typeRequired, trigger: 'change' }],
  regionCode: [{ required: true, message: t.regionRequired, trigger: 'change' }],
  range: [rangeRule],
  quota: [{ required: true, type: 'number', min: 1, message: t.quotaRequired, trigger: 'change' }],
  address: [{ required: true, message: t.addressRequired, trigger: 'blur' }],
};

/** A record of an activity already held (补录): the activity's rules, with no quota, ended by now, with a summary. */
export const recordRules: FormRules = {
  title: activityRules.title,
  type: activityRules.type,
  regionCode: activityRules.regionCode,
  range: [
    rangeRule,
    {
      validator: (_r, value: WallRange | null, cb) =>
        value?.[1] && wallTime(value[1]) > Date.now() ? cb(new Error(msg.activityRecord.endInFuture)) : cb(),
      trigger: 'change',
    },
  ],
  address: activityRules.address,
  description: [{ required: true, min: 2, message: msg.activityRecord.descriptionRequired, trigger: 'blur' }],
};

/** 2026年3月5日 09:00–11:30, or both dates when it spans days. */
export function timeRange(startAt: string, endAt: string, fmt: (v: string) => string): string {
  const a = fmt(startAt);
  const b = fmt(endAt);
  const [da, ta] = a.split(' ');
  const [db, tb] = b.split(' ');
  return da === db ? `${da} ${ta}–${tb}` : `${a} – ${b}`;
}
