import { randomInt, randomUUID } from 'node:crypto';
import {
  and,
  asc,
  desc,
  eq,
  gte,
  ilike,
  inArray,
  isNull,
  lt,
  lte,
  ne,
  notInArray,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import {
  activities,
  activityParticipants,
  activityPlans,
  activityShifts,
  activitySignups,
  regions,
  sites,
  teams,
  volunteers,
  type activityStates,
  type activityTypes,
} from '../../db/schema/index.js';
import { AppError, duplicate, invalid, notFound, type ErrorDetail } from '../../platform/errors.js';
import { auditAppendSql, writeAudit, type Actor, type AuditInput } from '../../platform/audit.js';
import { escapeLike, inScope, regionInScope, type Scope } from '../../platform/scope.js';
import { notify } from '../../platform/notify.js';
import { KeyedGate } from '../../platform/gate.js';
import type { Permission } from '../../platform/permissions.js';
import { keysetPage, offsetPage, type ListDef, type Lists, type SortKey } from '../../platform/lists.js';
import { requireRegion } from '../regions/service.js';
import { getSetting } from '../settings/service.js';
import { myVolunteer } from '../volunteers/service.js';
import { registerTeamActivitySource } from '../teams/service.js';
import { settleAttendance, type Settlement } from '../hours/service.js';
import { chinaMinute as fmt } from '../../platform/clock.js';
import { userNameSql } from '../accounts/sql.js';
import { actionsFor, addEvent, assertAllowed, runTransition, timelineOf } from '../../platform/transitions.js';
import {
  activityMachine,
  activityStateLabels,
  allowedFrom,
  unconfirmedStates,
  type ActivityAction,
  type ActivityParty,
  type ActivityTransition,
  type SignupAction,
  type SignupContext,
  type SignupParty,
  type SignupStatus,
  signupMachine,
  CHECKIN_BEFORE_MS,
  CHECKOUT_AFTER_MS,
  participantMachine,
  type ParticipantAction,
  type ParticipantParty,
  type ParticipantStatus,
} from './transitions.js';
import { fillPlaces, notifyPromotedPlaces, participantContext, placeCounts, placePositionSql } from './participants.js';

export type ActivityState = (typeof activityStates)[number];
export type ActivityType = (typeof activityTypes)[number];
type Activity = typeof activities.$inferSelect;
type Shift = typeof activityShifts.$inferSelect;
type Signup = typeof activitySignups.$inferSelect;

export const typeLabels: Record<ActivityType, string> = {
  lecture: '理论宣讲',
  culture_sports: '文体活动',
  volunteer_service: '志愿服务',
  training: '培训',
  theme: '主题活动',
};
export const stateLabels = activityStateLabels;

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Check-in and check-out (and a paper sheet's times) lie between 1 h before the start and 2 h after the end. */
export { CHECKIN_BEFORE_MS, CHECKOUT_AFTER_MS };
/** An in-progress activity ends by itself 2 h after its end; an ended one is archived after 30 days. */
const AUTO_END_MS = 2 * HOUR;
const ARCHIVE_AFTER_MS = 30 * DAY;

/**
 * Activities count as team activity (teams.inactiveDays): the latest start of the team's activities that took place.
 */
registerTeamActivitySource(
  (teamId) =>
    sql`select max(x.start_at)
      from activities x where x.team_id = ${teamId}
      and x.state in ('in_progress', 'ended', 'archived')`,
);

// ---------- the caller ----------

export type ActivityCaller = {
  actor: Actor;
  userId: string;
  countyCode: string;
  scope: Scope;
  permissions: ReadonlySet<Permission>;
  volunteerId: string | null;
};

export async function activityCaller(db: DbOrTx, base: Omit<ActivityCaller, 'volunteerId'>): Promise<ActivityCaller> {
  return { ...base, volunteerId: await myVolunteer(db, base.userId) };
}

export const canManage = (c: Pick<ActivityCaller, 'permissions' | 'scope'>, a: Pick<Activity, 'regionPath'>) =>
  c.permissions.has('activity:manage') && regionInScope(c.scope, a.regionPath);
const canStaffRead = (c: Pick<ActivityCaller, 'permissions' | 'scope'>, a: Pick<Activity, 'regionPath'>) =>
  (c.permissions.has('activity:read') || c.permissions.has('activity:manage')) && regionInScope(c.scope, a.regionPath);
/** The region above the activity's (its town for a village, the county for a town), from the materialized path. */
export const parentPathOf = (regionPath: string): string | null => {
  const parts = regionPath.split('/').filter(Boolean);
  return parts.length > 1 ? `/${parts.slice(0, -1).join('/')}/` : null;
};
/** Staff of the level above the activity's region (they confirm or return a record of the level below). */
export const isAbove = (c: Pick<ActivityCaller, 'permissions' | 'scope'>, a: Pick<Activity, 'regionPath'>) => {
  const parent = parentPathOf(a.regionPath);
  return !!parent && c.permissions.has('activity:manage') && regionInScope(c.scope, parent);
};

/** Who the caller is to the activity, and what the machine's guards read. */
export function standing(c: ActivityCaller, a: Activity, now: Date) {
  const parties = new Set<ActivityParty>();
  if (canManage(c, a)) parties.add('manager');
  if (isAbove(c, a)) parties.add('above');
  return { parties, ctx: { now, activity: a, userId: c.userId } };
}

/** What the caller may do with the activity now (the web shows buttons from this; the commands check again). */
export function allowedActions(c: ActivityCaller, a: Activity, now: Date): ActivityAction[] {
  const { parties, ctx } = standing(c, a, now);
  const edits = (['edit', 'attendance'] as const).filter((k) => parties.has('manager') && allowedFrom(k, a.state));
  return [...edits, ...actionsFor(activityMachine, a.state, parties, ctx)];
}
const activityScope = (scope: Scope) =>
  inScope(scope, { path: activities.regionPath, regionCode: activities.regionCode });
/** canManage and canStaffRead as SQL, for the scoped loaders and the sign-up's read (out of sight = not found). */
const managesSql = (c: Pick<ActivityCaller, 'permissions' | 'scope'>) =>
  c.permissions.has('activity:manage') ? activityScope(c.scope) : sql`false`;
export const staffReadsSql = (c: Pick<ActivityCaller, 'permissions' | 'scope'>) =>
  c.permissions.has('activity:read') || c.permissions.has('activity:manage') ? activityScope(c.scope) : sql`false`;
/**
 * Staff in scope see every state; anyone of the county sees an activity once it is published (or, for one recorded
 * afterwards, once it counts: a record waiting for the level above, or returned by it, is for staff only).
 */
export const seesSql = (c: Pick<ActivityCaller, 'permissions' | 'scope' | 'countyCode'>) =>
  or(
    staffReadsSql(c),
    and(eq(activities.countyCode, c.countyCode), notInArray(activities.state, ['draft', ...unconfirmedStates])),
  )!;

export function requireVolunteer(c: Pick<ActivityCaller, 'volunteerId'>): string {
  if (!c.volunteerId)
    throw new AppError('FORBIDDEN', '您还不是注册志愿者，请先注册成为志愿者（“我的 → 注册志愿者”）后再报名、签到', [
      { path: '(account)', message: '请先注册成为志愿者' },
    ]);
  return c.volunteerId;
}

export const transitionError = (message: string) => new AppError('INVALID_TRANSITION', message);
export const pgCode = (e: unknown): string | undefined =>
  (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;

/** Great-circle distance in metres (haversine). */
export function distanceM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A random 6-digit attendance code. */
export const newAttendanceCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

// ---------- input ----------

export type ShiftInput = { id?: string; position: string; startAt: Date; endAt: Date; quota: number };
export type ActivityInput = {
  title: string;
  type: ActivityType;
  regionCode: string;
  startAt: Date;
  endAt: Date;
  quota: number;
  address: string;
  siteId?: string | null;
  teamId?: string | null;
  planId?: string | null;
  theme?: string;
  description?: string;
  beneficiaries?: string;
  beneficiaryCount?: number;
  risky?: boolean;
  insurance?: string | null;
  lat?: number | null;
  lng?: number | null;
  checkinRadiusM?: number | null;
  /** Places for residents (报名参加); null or 0 = not open to residents. */
  participantQuota?: number | null;
  shifts?: ShiftInput[];
};

/** Field checks against the database: region in scope, site/team/plan of the county, times and shifts. */
export async function checkInput(db: DbOrTx, scope: Scope, input: ActivityInput) {
  const region = await requireRegion(db, input.regionCode);
  if (!regionInScope(scope, region.path)) throw notFound('区划');
  const problems: ErrorDetail[] = [];
  if (!input.title?.trim()) problems.push({ path: 'title', message: '活动名称不能为空' });
  if (input.endAt.getTime() <= input.startAt.getTime())
    problems.push({ path: 'endAt', message: '结束时间必须晚于开始时间' });
  if (!Number.isInteger(input.quota) || input.quota <= 0)
    problems.push({ path: 'quota', message: '招募名额必须是大于 0 的整数' });
  if (input.participantQuota != null && (!Number.isInteger(input.participantQuota) || input.participantQuota < 0))
    problems.push({
      path: 'participantQuota',
      message: '群众报名名额必须是不小于 0 的整数（0 或不填为不开放群众报名）',
    });
  if (input.checkinRadiusM != null && (input.lat == null || input.lng == null))
    problems.push({ path: 'lat', message: '设置签到范围时须填写活动地点的经纬度' });
  if ((input.lat == null) !== (input.lng == null))
    problems.push({ path: input.lat == null ? 'lat' : 'lng', message: '经度和纬度须同时填写' });
  if (input.siteId) {
    const [s] = await db
      .select({ id: sites.id })
      .from(sites)
      .where(and(eq(sites.id, input.siteId), eq(sites.countyCode, region.countyCode)));
    if (!s) problems.push({ path: 'siteId', message: '阵地不存在或不属于本县' });
  }
  if (input.teamId) {
    const [t] = await db
      .select({ id: teams.id })
      .from(teams)
      .where(and(eq(teams.id, input.teamId), eq(teams.countyCode, region.countyCode)));
    if (!t) problems.push({ path: 'teamId', message: '志愿服务队不存在或不属于本县' });
  }
  if (input.planId) {
    const [p] = await db
      .select({ id: activityPlans.id })
      .from(activityPlans)
      .where(and(eq(activityPlans.id, input.planId), eq(activityPlans.countyCode, region.countyCode)));
    if (!p) problems.push({ path: 'planId', message: '活动计划不存在或不属于本县' });
  }
  for (const [i, s] of (input.shifts ?? []).entries()) {
    const label = `岗位“${s.position}”`;
    if (s.endAt.getTime() <= s.startAt.getTime())
      problems.push({ path: `shifts.${i}.endAt`, message: `${label}的结束时间必须晚于开始时间` });
    else if (s.startAt.getTime() < input.startAt.getTime() || s.startAt.getTime() > input.endAt.getTime())
      problems.push({
        path: `shifts.${i}.startAt`,
        message: `${label}的时段须在活动时间（${fmt(input.startAt)} 至 ${fmt(input.endAt)}）之内`,
      });
    else if (s.endAt.getTime() > input.endAt.getTime())
      problems.push({
        path: `shifts.${i}.endAt`,
        message: `${label}的时段须在活动时间（${fmt(input.startAt)} 至 ${fmt(input.endAt)}）之内`,
      });
    if (!Number.isInteger(s.quota) || s.quota <= 0)
      problems.push({ path: `shifts.${i}.quota`, message: `${label}的名额必须是大于 0 的整数` });
    else if (s.quota > input.quota)
      problems.push({ path: `shifts.${i}.quota`, message: `${label}的名额不能超过活动总名额 ${input.quota}` });
  }
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems[0].message, problems);
  return region;
}

function columnsOf(input: ActivityInput) {
  return {
    title: input.title.trim(),
    type: input.type,
    theme: input.theme ?? '',
    description: input.description ?? '',
    startAt: input.startAt,
    endAt: input.endAt,
    quota: input.quota,
    address: input.address,
    siteId: input.siteId ?? null,
    teamId: input.teamId ?? null,
    planId: input.planId ?? null,
    beneficiaries: input.beneficiaries ?? '',
    beneficiaryCount: input.beneficiaryCount ?? 0,
    risky: input.risky ?? false,
    insurance: input.insurance?.trim() || null,
    lat: input.lat ?? null,
    lng: input.lng ?? null,
    checkinRadiusM: input.checkinRadiusM ?? null,
    participantQuota: input.participantQuota || null,
  };
}

// ---------- presentation ----------

type Names = {
  regionName: string | null;
  siteName: string | null;
  teamName: string | null;
  recordedByName: string | null;
};
export type MySignup = {
  id: string;
  status: SignupStatus;
  position: number | null;
  shiftId: string | null;
  checkInAt: Date | null;
  checkOutAt: Date | null;
  noShow: boolean;
  /** What the volunteer may do with the sign-up now (the H5's buttons): `cancel`. */
  actions: SignupAction[];
} | null;
/** The caller's own place as a resident (报名参加). */
export type MyParticipation = {
  id: string;
  status: ParticipantStatus;
  position: number | null;
  checkInAt: Date | null;
  /** What the resident may do with the place now (the H5's buttons): `cancel`, `checkIn`. */
  actions: ParticipantAction[];
} | null;
type Residents = { attended: number; mine: MyParticipation };

function presentActivity(
  a: Activity,
  names: Names,
  shifts: Shift[],
  mySignup: MySignup,
  withCode: boolean,
  residents: Residents,
) {
  return {
    id: a.id,
    title: a.title,
    type: a.type,
    typeName: typeLabels[a.type],
    theme: a.theme,
    description: a.description,
    state: a.state,
    stateName: stateLabels[a.state],
    regionCode: a.regionCode,
    regionName: names.regionName,
    siteId: a.siteId,
    siteName: names.siteName,
    teamId: a.teamId,
    teamName: names.teamName,
    planId: a.planId,
    startAt: a.startAt,
    endAt: a.endAt,
    quota: a.quota,
    confirmedCount: a.confirmedCount,
    waitlistCount: a.waitlistCount,
    address: a.address,
    lat: a.lat,
    lng: a.lng,
    checkinRadiusM: a.checkinRadiusM,
    beneficiaries: a.beneficiaries,
    beneficiaryCount: a.beneficiaryCount,
    participantCount: a.participantCount,
    participantQuota: a.participantQuota,
    participantConfirmedCount: a.participantConfirmedCount,
    participantWaitlistCount: a.participantWaitlistCount,
    participantAttendedCount: residents.attended,
    photoIds: a.photoIds,
    sheetPhotoIds: a.sheetPhotoIds,
    /** 补录: entered after it was held, by whom and when; confirmation by the level above, or why it was returned. */
    recordedAfter: a.recordedAt
      ? {
          byUserId: a.recordedBy,
          byName: names.recordedByName,
          at: a.recordedAt,
          confirmedAt: a.confirmedAt,
          returnReason: a.returnReason,
        }
      : null,
    risky: a.risky,
    insurance: a.insurance,
    cancelReason: a.cancelReason,
    shifts: shifts.map((s) => ({
      id: s.id,
      position: s.position,
      startAt: s.startAt,
      endAt: s.endAt,
      quota: s.quota,
      confirmedCount: s.confirmedCount,
    })),
    ...(withCode ? { code: a.code } : {}),
    mySignup,
    myParticipation: residents.mine,
    createdAt: a.createdAt,
    publishedAt: a.publishedAt,
    endedAt: a.endedAt,
    cancelledAt: a.cancelledAt,
    updatedAt: a.updatedAt,
  };
}
export type ActivityView = ReturnType<typeof presentActivity>;

const recordedByNameSql = sql<
  string | null
>`case when ${activities.recordedBy} is null then null else ${userNameSql(activities.recordedBy)} end`;

const withNames = (db: DbOrTx) =>
  db
    .select({
      a: activities,
      regionName: regions.name,
      siteName: sites.name,
      teamName: teams.name,
      recordedByName: recordedByNameSql,
    })
    .from(activities)
    .innerJoin(regions, eq(regions.code, activities.regionCode))
    .leftJoin(sites, eq(sites.id, activities.siteId))
    .leftJoin(teams, eq(teams.id, activities.teamId));

/** 1-based rank among the waitlisted of the activity, by arrival (seq). */
// written out in full: drizzle leaves columns unqualified in a one-table select, which would bind them to `w` inside
/** 1-based rank among the waitlisted sign-ups of the activity, by arrival (seq). */
export const positionSql = sql<number | null>`case when "activity_signups"."status" = 'waitlisted' then (
  select count(*)::int from activity_signups w
  where w.activity_id = "activity_signups"."activity_id" and w.status = 'waitlisted'
    and w.seq <= "activity_signups"."seq"
) end`;

/** Hours credited to a sign-up, and hours of its requests still waiting for review. */
export const creditedHoursSql = sql<number>`(
  select coalesce(sum(h.hours), 0)::float8 from hours_entries h where h.signup_id = "activity_signups"."id"
)`;
export const pendingHoursSql = sql<number>`(
  select coalesce(sum(r.hours), 0)::float8 from hours_requests r
  where r.signup_id = "activity_signups"."id" and r.status = 'pending'
)`;

/** The caller is the volunteer of their own sign-up (the loaders find only the caller's). */
const volunteerParty: ReadonlySet<SignupParty> = new Set(['volunteer']);
const residentParty: ReadonlySet<ParticipantParty> = new Set(['resident']);

/** What the sign-up machine's guards read about one sign-up of an activity (`now`: see SignupContext's `at`). */
export const signupContext = (
  a: Pick<Activity, 'state' | 'startAt' | 'endAt'>,
  s: { checkInAt: Date | null; checkOutAt: Date | null } | null,
  now?: Date,
  closeHours?: number,
): SignupContext => ({
  activityState: a.state,
  checkedIn: !!s?.checkInAt,
  checkedOut: !!s?.checkOutAt,
  at: now && { now, startAt: a.startAt, endAt: a.endAt, closeHours },
});

/**
 * The activities as answered, with the caller's own sign-up and its `actions`. `now` is left out for pages that are
 * kept (the staff list): the sign-up's actions bound to the clock (check-in, check-out) are then not offered.
 */
async function decorate(db: DbOrTx, c: ActivityCaller, rows: ({ a: Activity } & Names)[], now?: Date) {
  const ids = rows.map((r) => r.a.id);
  if (!ids.length) return [];
  const [shiftRows, mine, myPlaces, attended] = await Promise.all([
    db
      .select()
      .from(activityShifts)
      .where(inArray(activityShifts.activityId, ids))
      .orderBy(asc(activityShifts.sort), asc(activityShifts.startAt)),
    c.volunteerId
      ? db
          .select({
            id: activitySignups.id,
            activityId: activitySignups.activityId,
            status: activitySignups.status,
            position: positionSql,
            shiftId: activitySignups.shiftId,
            checkInAt: activitySignups.checkInAt,
            checkOutAt: activitySignups.checkOutAt,
            noShow: activitySignups.noShow,
          })
          .from(activitySignups)
          .where(
            and(
              inArray(activitySignups.activityId, ids),
              eq(activitySignups.volunteerId, c.volunteerId),
              ne(activitySignups.status, 'cancelled'),
            ),
          )
      : Promise.resolve([]),
    db
      .select({
        id: activityParticipants.id,
        activityId: activityParticipants.activityId,
        status: activityParticipants.status,
        position: placePositionSql,
        checkInAt: activityParticipants.checkInAt,
      })
      .from(activityParticipants)
      .where(
        and(
          inArray(activityParticipants.activityId, ids),
          eq(activityParticipants.userId, c.userId),
          ne(activityParticipants.status, 'cancelled'),
        ),
      ),
    placeCounts(db, ids),
  ]);
  return rows.map((r) => {
    const p = myPlaces.find((x) => x.activityId === r.a.id);
    const residents: Residents = {
      attended: attended.get(r.a.id)?.attended ?? 0,
      mine: p
        ? {
            id: p.id,
            status: p.status,
            position: p.position ?? null,
            checkInAt: p.checkInAt,
            actions: actionsFor(participantMachine, p.status, residentParty, participantContext(r.a, p, now)),
          }
        : null,
    };
    const m = mine.find((x) => x.activityId === r.a.id);
    const mySignup: MySignup = m
      ? {
          id: m.id,
          status: m.status,
          position: m.position ?? null,
          shiftId: m.shiftId,
          checkInAt: m.checkInAt,
          checkOutAt: m.checkOutAt,
          noShow: m.noShow,
          actions: actionsFor(signupMachine, m.status, volunteerParty, signupContext(r.a, m, now)),
        }
      : null;
    return presentActivity(
      r.a,
      r,
      shiftRows.filter((s) => s.activityId === r.a.id),
      mySignup,
      canManage(c, r.a),
      residents,
    );
  });
}

/** The detail: the activity with the caller's allowed `actions`, and for a recorded one (补录) its timeline. */
export async function getActivity(db: DbOrTx, c: ActivityCaller, id: string, now: Date) {
  const [row] = await withNames(db).where(and(eq(activities.id, id), seesSql(c)));
  if (!row) throw notFound('活动');
  const [view] = await decorate(db, c, [row], now);
  const timeline = row.a.recordedAt && canStaffRead(c, row.a) ? await timelineOf(db, activityMachine, id) : [];
  return {
    ...view,
    actions: allowedActions(c, row.a, now),
    volunteerActions: await volunteerActions(db, c, row.a, view.mySignup, now),
    residentActions: residentActions(c, row.a, view.myParticipation, now),
    timeline,
  };
}

/**
 * What the caller may do as a volunteer (the H5's buttons), from the sign-up machine: sign up before they have, then
 * what their sign-up allows (cancel, check in, check out). Nothing for a caller without a volunteer record.
 */
async function volunteerActions(
  db: DbOrTx,
  c: ActivityCaller,
  a: Activity,
  mine: MySignup,
  now: Date,
): Promise<SignupAction[]> {
  if (!c.volunteerId) return [];
  if (mine) return mine.actions;
  const closeHours = await getSetting<number>(db, a.countyCode, 'activities.signupCloseHours');
  return actionsFor(signupMachine, 'none', volunteerParty, signupContext(a, null, now, closeHours));
}

/**
 * What the caller may do as a resident (报名参加): join an activity of their county open to residents, then what their
 * place allows (cancel, check in). A volunteer already signed up takes part through the sign-up.
 */
function residentActions(c: ActivityCaller, a: Activity, mine: MyParticipation, now: Date): ParticipantAction[] {
  if (mine) return mine.actions;
  if (a.countyCode !== c.countyCode) return [];
  return actionsFor(participantMachine, 'none', residentParty, participantContext(a, null, now));
}

/**
 * The scoped loader for a staff command: one query that finds the activity only when the caller may manage it
 * (activity:manage, its region in scope); out of sight = not found. `lock` takes the row lock (in a transaction).
 */
export async function loadManaged(db: DbOrTx, c: ActivityCaller, id: string, lock = false) {
  const q = db
    .select()
    .from(activities)
    .where(and(eq(activities.id, id), managesSql(c)));
  const [a] = lock ? await q.for('update') : await q;
  if (!a) throw notFound('活动');
  return a;
}

/** The scoped loader for what anyone may read (seesSql): staff in scope, or the county once it is public. */
export async function loadVisible(db: DbOrTx, c: ActivityCaller, id: string, lock = false) {
  const q = db
    .select()
    .from(activities)
    .where(and(eq(activities.id, id), seesSql(c)));
  const [a] = lock ? await q.for('update') : await q;
  if (!a) throw notFound('活动');
  return a;
}

// ---------- lists ----------

export type ActivityFilter = {
  state?: ActivityState[];
  type?: ActivityType;
  regionCode?: string;
  teamId?: string;
  from?: Date;
  to?: Date;
  q?: string;
  page: number;
  pageSize: number;
  after?: string;
};

/** Latest start first; the id breaks ties. */
const activityKeys: SortKey[] = [
  { column: activities.startAt, desc: true, type: 'timestamp' },
  { column: activities.id, type: 'uuid' },
];

function filterConds(f: { type?: ActivityType; regionCode?: string; teamId?: string; q?: string }) {
  const conds: SQL[] = [];
  if (f.type) conds.push(eq(activities.type, f.type));
  if (f.regionCode) conds.push(sql`${activities.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
  if (f.teamId) conds.push(eq(activities.teamId, f.teamId));
  if (f.q) conds.push(ilike(activities.title, `%${escapeLike(f.q)}%`));
  return conds;
}

/**
 * The staff list is built from activities, their shifts and sign-ups (all three bump 'activities'), team, site and
 * region names. Besides the scope it depends on the caller — their own sign-ups (through the volunteer record linked
 * to their account: 'volunteer_users' moves when a link is made or undone) and whether they see the attendance code —
 * so pages are kept per user, and the volunteer record is looked up only when a page is built.
 */
export const activitiesList: ListDef<ActivityFilter> = {
  name: 'activities',
  groups: { county: ['activities', 'teams'], global: ['regions', 'sites', 'volunteer_users', 'user_names'] },
};

/** Staff list (activity:read), inside the caller's scope. */
export async function listActivities(
  lists: Lists,
  db: DbOrTx,
  base: Omit<ActivityCaller, 'volunteerId'>,
  f: ActivityFilter,
  now: Date,
) {
  const variant = [base.userId, base.permissions.has('activity:manage')];
  const req = { scope: base.scope, countyCode: base.countyCode, filter: f, variant };
  return lists.page(activitiesList, req, async (known) => {
    const c = await activityCaller(db, base);
    const conds = [activityScope(c.scope), ...filterConds(f)];
    if (f.state?.length) conds.push(inArray(activities.state, f.state));
    if (f.from) conds.push(gte(activities.startAt, f.from));
    if (f.to) conds.push(lt(activities.startAt, f.to));
    const { rows, total, nextCursor } = await keysetPage(db, {
      from: activities,
      rows: (cursor) =>
        db
          .select({
            a: activities,
            regionName: regions.name,
            siteName: sites.name,
            teamName: teams.name,
            recordedByName: recordedByNameSql,
            cursor,
          })
          .from(activities)
          .innerJoin(regions, eq(regions.code, activities.regionCode))
          .leftJoin(sites, eq(sites.id, activities.siteId))
          .leftJoin(teams, eq(teams.id, activities.teamId)),
      where: and(...conds),
      keys: activityKeys,
      filter: f,
      knownTotal: known,
    });
    // each row's buttons, from the machine as the detail computes them; a kept page holds until the data moves (the
    // only clock-bound guard, ending a started activity, moves with the sweep that starts it, every 5 minutes)
    const items = (await decorate(db, c, rows)).map((v, i) => ({ ...v, actions: allowedActions(c, rows[i].a, now) }));
    return { items, total, nextCursor };
  });
}

/** Any signed-in user: the published (and later) activities of their county, with their own sign-up. */
export async function browseActivities(
  db: DbOrTx,
  c: ActivityCaller,
  now: Date,
  f: {
    type?: ActivityType;
    regionCode?: string;
    q?: string;
    when?: 'upcoming' | 'past';
    page: number;
    pageSize: number;
  },
) {
  const conds = [
    eq(activities.countyCode, c.countyCode),
    inArray(activities.state, ['published', 'full', 'in_progress', 'ended']),
    ...filterConds(f),
  ];
  const past = f.when === 'past';
  conds.push(past ? lt(activities.endAt, now) : gte(activities.endAt, now));
  const where = and(...conds);
  const { rows, total } = await offsetPage(db, {
    from: activities,
    rows: () => withNames(db),
    where,
    order: [past ? desc(activities.startAt) : asc(activities.startAt), asc(activities.id)],
    filter: f,
  });
  return { items: await decorate(db, c, rows, now), total, page: f.page, pageSize: f.pageSize };
}

/** Staff: the people signed up, with attendance and the hours credited and pending for each. */
export async function listSignups(
  db: DbOrTx,
  c: ActivityCaller,
  id: string,
  f: { status?: 'confirmed' | 'waitlisted' | 'cancelled'; page: number; pageSize: number },
) {
  const [a] = await db
    .select({ id: activities.id })
    .from(activities)
    .where(and(eq(activities.id, id), staffReadsSql(c)));
  if (!a) throw notFound('活动');
  const where = and(eq(activitySignups.activityId, id), f.status ? eq(activitySignups.status, f.status) : sql`true`);
  const { rows, total } = await offsetPage(db, {
    from: activitySignups,
    rows: () =>
      db
        .select({
          id: activitySignups.id,
          volunteerId: activitySignups.volunteerId,
          volunteerName: volunteers.name,
          volunteerNo: volunteers.volunteerNo,
          phoneMasked: volunteers.phoneMasked,
          status: activitySignups.status,
          position: positionSql,
          shiftId: activitySignups.shiftId,
          source: activitySignups.source,
          signedUpAt: activitySignups.signedUpAt,
          promotedAt: activitySignups.promotedAt,
          cancelledAt: activitySignups.cancelledAt,
          checkInAt: activitySignups.checkInAt,
          checkOutAt: activitySignups.checkOutAt,
          checkInMethod: activitySignups.checkInMethod,
          noShow: activitySignups.noShow,
          hoursSettledAt: activitySignups.hoursSettledAt,
          creditedHours: creditedHoursSql,
          pendingHours: pendingHoursSql,
        })
        .from(activitySignups)
        .innerJoin(volunteers, eq(volunteers.id, activitySignups.volunteerId)),
    where,
    order: [
      sql`case ${activitySignups.status} when 'confirmed' then 0 when 'waitlisted' then 1 else 2 end`,
      asc(activitySignups.seq),
    ],
    filter: f,
  });
  return { items: rows, total, page: f.page, pageSize: f.pageSize };
}

// ---------- create, edit ----------

export async function createActivity(db: Db, c: ActivityCaller, now: Date, input: ActivityInput) {
  const region = await checkInput(db, c.scope, input);
  return db.transaction(async (tx) => {
    const [a] = await tx
      .insert(activities)
      .values({
        ...columnsOf(input),
        countyCode: region.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        state: 'draft',
        code: newAttendanceCode(),
        createdBy: c.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const shifts = input.shifts?.length
      ? await tx
          .insert(activityShifts)
          .values(
            input.shifts.map((s, i) => ({
              activityId: a.id,
              position: s.position,
              startAt: s.startAt,
              endAt: s.endAt,
              quota: s.quota,
              sort: i,
            })),
          )
          .returning()
      : [];
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      { action: 'activity.create', entity: 'activity', entityId: a.id, after: { ...a, code: undefined, shifts } },
    );
    return a;
  });
}

/** User ids of everyone confirmed or waitlisted, volunteers and residents (for notices). */
async function signedUpUsers(tx: DbOrTx, activityId: string): Promise<string[]> {
  const [rows, places] = await Promise.all([
    tx
      .select({ userId: sql<string | null>`coalesce(${activitySignups.userId}, ${volunteers.userId})` })
      .from(activitySignups)
      .innerJoin(volunteers, eq(volunteers.id, activitySignups.volunteerId))
      .where(
        and(eq(activitySignups.activityId, activityId), inArray(activitySignups.status, ['confirmed', 'waitlisted'])),
      ),
    tx
      .select({ userId: activityParticipants.userId })
      .from(activityParticipants)
      .where(
        and(
          eq(activityParticipants.activityId, activityId),
          inArray(activityParticipants.status, ['confirmed', 'waitlisted']),
        ),
      ),
  ]);
  return [...new Set([...rows, ...places].map((r) => r.userId).filter((x): x is string => !!x))];
}

/**
 * Edits in draft/published/full. The quota may not drop below the confirmed count; a raised quota (or shift quota)
 * promotes waitlisted people. Shifts: omitted → kept; given → synchronised (an `id` keeps a shift, a shift with
 * sign-ups cannot be removed). Everyone signed up is notified of what changed.
 */
export async function updateActivity(db: Db, c: ActivityCaller, now: Date, id: string, input: ActivityInput) {
  return db.transaction(async (tx) => {
    const before = await loadManaged(tx, c, id, true);
    if (!allowedFrom('edit', before.state)) throw transitionError(`活动${stateLabels[before.state]}，不能再修改`);
    const region = await checkInput(tx, c.scope, input);
    if (region.countyCode !== before.countyCode) throw invalid('regionCode', '不能把活动改到其他县');
    if (input.quota < before.confirmedCount)
      throw invalid('quota', `招募名额不能少于已确认报名的 ${before.confirmedCount} 人`);
    if ((input.participantQuota ?? 0) < before.participantConfirmedCount)
      throw invalid('participantQuota', `群众报名名额不能少于已确认报名参加的 ${before.participantConfirmedCount} 人`);
    const oldShifts = await tx.select().from(activityShifts).where(eq(activityShifts.activityId, id));
    if (input.shifts !== undefined) await syncShifts(tx, id, oldShifts, input.shifts);
    const cols = columnsOf(input);
    const [updated] = await tx
      .update(activities)
      .set({
        ...cols,
        regionCode: region.code,
        regionPath: region.path,
        updatedAt: now,
        state: sql`case when ${activities.state} in ('published', 'full')
          then (case when ${activities.confirmedCount} >= ${input.quota} then 'full' else 'published' end)
          else ${activities.state} end`,
      })
      .where(eq(activities.id, id))
      .returning();
    const promoted = await fillSeats(tx, updated, now);
    const promotedPlaces = await fillPlaces(tx, updated, now);
    const [after] = await tx.select().from(activities).where(eq(activities.id, id));
    const changes = describeChanges(before, after);
    if (changes.length && before.state !== 'draft') {
      const promotedIds = new Set(promoted.map((p) => p.userId));
      await notify(tx, {
        countyCode: after.countyCode,
        userIds: (await signedUpUsers(tx, id)).filter((u) => !promotedIds.has(u)),
        kind: 'activity.changed',
        title: '活动信息变更',
        body: `您报名的活动“${after.title}”有变更：${changes.join('；')}`,
        entity: 'activity',
        entityId: id,
        now,
        sms: true,
      });
    }
    await notifyPromoted(tx, after, promoted, now);
    await notifyPromotedPlaces(tx, after, promotedPlaces, now);
    await writeAudit(
      tx,
      { ...c.actor, countyCode: after.countyCode },
      {
        action: 'activity.update',
        entity: 'activity',
        entityId: id,
        before: { ...before, code: undefined },
        after: { ...after, code: undefined },
        detail: { changes, promoted: promoted.length, promotedPlaces: promotedPlaces.length },
      },
    );
    return after;
  });
}

function describeChanges(b: Activity, a: Activity): string[] {
  const out: string[] = [];
  if (b.title !== a.title) out.push(`名称改为“${a.title}”`);
  if (b.startAt.getTime() !== a.startAt.getTime() || b.endAt.getTime() !== a.endAt.getTime())
    out.push(`时间改为 ${fmt(a.startAt)} 至 ${fmt(a.endAt)}`);
  if (b.address !== a.address) out.push(`地点改为${a.address}`);
  if (b.quota !== a.quota) out.push(`名额由 ${b.quota} 改为 ${a.quota}`);
  if (b.participantQuota !== a.participantQuota)
    out.push(`群众报名名额由 ${b.participantQuota ?? 0} 改为 ${a.participantQuota ?? 0}`);
  if (b.description !== a.description || b.theme !== a.theme) out.push('活动内容有调整');
  if (b.checkinRadiusM !== a.checkinRadiusM || b.lat !== a.lat || b.lng !== a.lng) out.push('签到位置要求有调整');
  return out;
}

async function syncShifts(tx: DbOrTx, activityId: string, old: Shift[], input: ShiftInput[]) {
  const keep = new Set<string>();
  for (const [i, s] of input.entries()) {
    if (!s.id) continue;
    const o = old.find((x) => x.id === s.id);
    if (!o) throw invalid(`shifts.${i}.id`, '岗位时段不存在');
    if (s.quota < o.confirmedCount)
      throw invalid(`shifts.${i}.quota`, `岗位“${s.position}”的名额不能少于已确认报名的 ${o.confirmedCount} 人`);
    keep.add(s.id);
  }
  for (const o of old.filter((x) => !keep.has(x.id))) {
    const [used] = await tx
      .select({ id: activitySignups.id })
      .from(activitySignups)
      .where(eq(activitySignups.shiftId, o.id))
      .limit(1);
    if (used) throw invalid('shifts', `岗位“${o.position}”已有人报名，不能删除`);
    await tx.delete(activityShifts).where(eq(activityShifts.id, o.id));
  }
  for (const [i, s] of input.entries()) {
    if (s.id)
      await tx
        .update(activityShifts)
        .set({ position: s.position, startAt: s.startAt, endAt: s.endAt, quota: s.quota, sort: i })
        .where(eq(activityShifts.id, s.id));
    else
      await tx
        .insert(activityShifts)
        .values({ activityId, position: s.position, startAt: s.startAt, endAt: s.endAt, quota: s.quota, sort: i });
  }
}

// ---------- state changes ----------

/**
 * The machine's check of a staff command on an activity the caller has loaded (403 / 409 with the house's messages).
 */
const allowedOn = (c: ActivityCaller, a: Activity, now: Date, action: ActivityTransition) => {
  const { parties, ctx } = standing(c, a, now);
  return assertAllowed(activityMachine, action, a.state, parties, ctx);
};

/**
 * Publishing lands in `published` or, when the seats are already taken, `full`: its own update, checked by the machine.
 */
export async function publishActivity(db: Db, c: ActivityCaller, now: Date, id: string) {
  return db.transaction(async (tx) => {
    const a = await loadManaged(tx, c, id, true);
    allowedOn(c, a, now, 'publish');
    if (a.risky && !a.insurance?.trim())
      throw transitionError('该活动标记为有风险的活动，须先在活动信息中登记保险（保单号或险种）才能发布');
    if (a.endAt.getTime() <= now.getTime()) throw transitionError('活动结束时间已过，不能发布');
    const [after] = await tx
      .update(activities)
      .set({
        state: sql`case when ${activities.confirmedCount} >= ${activities.quota} then 'full' else 'published' end`,
        publishedAt: now,
        updatedAt: now,
      })
      .where(and(eq(activities.id, id), eq(activities.state, 'draft')))
      .returning();
    if (!after) throw transitionError('该活动的状态已变化，请刷新后重试');
    await addEvent(tx, {
      entity: 'activity',
      entityId: id,
      action: 'publish',
      from: a.state,
      to: after.state,
      actor: c.actor,
      at: now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      { action: 'activity.publish', entity: 'activity', entityId: id, detail: { from: a.state, to: after.state } },
    );
    return after;
  });
}

export async function cancelActivity(db: Db, c: ActivityCaller, now: Date, id: string, reason: string) {
  if (!reason?.trim()) throw invalid('reason', '请填写取消原因');
  return db.transaction(async (tx) => {
    const a = await loadManaged(tx, c, id, true);
    allowedOn(c, a, now, 'cancel');
    // the people on a record's sign-in sheet never signed up: withdrawing the record is not news for them
    const userIds = a.recordedAt ? [] : await signedUpUsers(tx, id);
    await notify(tx, {
      countyCode: a.countyCode,
      userIds,
      kind: 'activity.cancelled',
      title: '活动已取消',
      body: `您报名的活动“${a.title}”（${fmt(a.startAt)}）已取消，原因：${reason.trim()}`,
      entity: 'activity',
      entityId: id,
      now,
      sms: true,
    });
    return runTransition(tx, {
      machine: activityMachine,
      table: activities,
      record: a,
      action: 'cancel',
      actor: c.actor,
      now,
      set: { cancelReason: reason.trim(), cancelledAt: now, updatedAt: now },
      note: reason.trim(),
      detail: { from: a.state, notified: userIds.length },
    });
  });
}

/** Confirmed sign-ups without a check-in become no-shows when the activity ends. */
async function markNoShows(tx: DbOrTx, activityId: string, now: Date) {
  const rows = await tx
    .update(activitySignups)
    .set({ noShow: true, updatedAt: now })
    .where(
      and(
        eq(activitySignups.activityId, activityId),
        eq(activitySignups.status, 'confirmed'),
        sql`${activitySignups.checkInAt} is null`,
      ),
    )
    .returning({ id: activitySignups.id });
  return rows.length;
}

/**
 * Ends an activity (the sweep, system work): confirmed sign-ups without a check-in become no-shows. Anyone checked in
 * but not out is left unsettled on purpose: hours are settled at most once per sign-up, so settling them now with
 * nothing would stop staff from completing the row later from the paper sign-in sheet (POST …/attendance), which then
 * settles it.
 */
async function endInTx(tx: DbOrTx, a: Activity, now: Date) {
  const [after] = await tx
    .update(activities)
    .set({ state: 'ended', endedAt: now, updatedAt: now })
    .where(and(eq(activities.id, a.id), inArray(activities.state, ['published', 'full', 'in_progress'])))
    .returning();
  if (!after) return null;
  return { after, noShows: await markNoShows(tx, a.id, now) };
}

export async function endActivity(db: Db, c: ActivityCaller, now: Date, id: string) {
  return db.transaction(async (tx) => {
    const a = await loadManaged(tx, c, id, true);
    allowedOn(c, a, now, 'end');
    const noShows = await markNoShows(tx, a.id, now);
    const after = await runTransition(tx, {
      machine: activityMachine,
      table: activities,
      record: a,
      action: 'end',
      actor: c.actor,
      now,
      set: { endedAt: now, updatedAt: now },
      detail: { from: a.state, noShows },
    });
    return { ...after, noShows };
  });
}

export async function archiveActivity(db: Db, c: ActivityCaller, now: Date, id: string) {
  return db.transaction(async (tx) => {
    const a = await loadManaged(tx, c, id, true);
    allowedOn(c, a, now, 'archive');
    return runTransition(tx, {
      machine: activityMachine,
      table: activities,
      record: a,
      action: 'archive',
      actor: c.actor,
      now,
      set: { archivedAt: now, updatedAt: now },
    });
  });
}

// ---------- sign-ups ----------

/**
 * The sign-up route's caller: without `volunteerId` it is looked up in signUp's one read (a query less per request).
 */
export type SignupCaller = Omit<ActivityCaller, 'volunteerId'> & { volunteerId?: string | null };

type SignupRead = {
  volunteer_id: string | null;
  id: string | null;
  county_code: string;
  state: ActivityState;
  start_at: Date | string;
  end_at: Date | string;
  shifts: number;
  shift_ok: boolean;
  already: boolean;
};
export type SeatRow = { id: string; status: 'confirmed' | 'waitlisted'; waitlist_count: number };

/**
 * Signs the caller up. Everything that does not need the activity row lock is one read before the transaction: the
 * caller's volunteer id, the activity (visibility, state, sign-up deadline), its shifts and an earlier sign-up.
 * The transaction takes the seat (or the waitlist place) and inserts the sign-up in ONE statement: the activity row
 * is locked (`FOR UPDATE`, which rereads the latest version after a wait), a seat is taken when confirmed_count <
 * quota and the waitlist grows otherwise, and the sign-up is inserted while the lock is held — so concurrent
 * sign-ups are ordered by the lock, the quota holds and `seq` is FIFO. Under the lock the new sign-up is the last
 * of the waitlist, so its position is the activity's waitlist_count after the increment (kept exact by every path
 * that changes a sign-up's status: fillSeats, cancelMySignup, recordAttendance). Activities with shifts take the
 * activity lock, then the shift's seat, in statements of their own. The audit event is appended last, in the same
 * transaction.
 */
export async function signUp(db: Db, c: SignupCaller, now: Date, id: string, shiftId?: string | null) {
  if (c.volunteerId === null) requireVolunteer({ ...c, volunteerId: null });
  const me = c.volunteerId
    ? sql`${c.volunteerId}::uuid`
    : sql`(select id from volunteers where user_id = ${c.userId}::uuid)`;
  // the activity is found only when the caller may see it (seesSql: the scope in SQL, as the loaders do)
  const read = await db.execute(sql`select v.id as volunteer_id, ${activities.id} as id,
      ${activities.countyCode} as county_code, ${activities.state} as state, ${activities.startAt} as start_at,
      ${activities.endAt} as end_at,
      (select count(*)::int from activity_shifts s where s.activity_id = ${activities.id}) as shifts,
      exists (select 1 from activity_shifts s where s.activity_id = ${activities.id}
        and s.id = ${shiftId ?? null}::uuid) as shift_ok,
      exists (select 1 from activity_signups x where x.activity_id = ${activities.id}
        and x.volunteer_id = v.id
        and x.status <> 'cancelled') as already
    from (select ${me} as id) v left join ${activities} on ${activities.id} = ${id}::uuid and ${seesSql(c)}`);
  const r = read.rows[0] as SignupRead;
  const volunteerId = requireVolunteer({ ...c, volunteerId: r.volunteer_id });
  if (!r.id) throw notFound('活动');
  const a = { countyCode: r.county_code, state: r.state, startAt: new Date(r.start_at), endAt: new Date(r.end_at) };
  // the machine decides (recruiting, before the deadline); the seat statement below takes the seat or the waitlist
  const closeHours = await getSetting<number>(db, a.countyCode, 'activities.signupCloseHours');
  assertAllowed(signupMachine, 'signUp', 'none', volunteerParty, signupContext(a, null, now, closeHours));
  if (r.shifts && !shiftId) throw invalid('shiftId', '该活动分岗位与时段招募，请选择一个岗位时段');
  if (shiftId && !r.shift_ok)
    throw invalid('shiftId', r.shifts ? '所选岗位时段不属于该活动' : '该活动不分岗位时段，无需选择');
  if (r.already) throw duplicate('您已报名该活动，请勿重复报名');
  const actor = { ...c.actor, countyCode: a.countyCode };
  const audit = (signupId: string, status?: string): AuditInput => ({
    action: 'activity.signup',
    entity: 'activity_signup',
    entityId: signupId,
    detail: { activityId: id, shiftId: shiftId ?? null, ...(status ? { status } : {}) },
  });
  try {
    const row = shiftId
      ? await seatGate.run(id, () =>
          db.transaction(async (tx) => {
            const r = await takeShiftSeat(tx, id, shiftId, volunteerId, c.userId, now);
            if (r) await writeAudit(tx, actor, audit(r.id, r.status));
            return r;
          }),
        )
      : await takeSeat(
          db,
          volunteerSeats,
          id,
          { volunteer_id: sql`${volunteerId}::uuid`, user_id: sql`${c.userId}::uuid`, source: sql`'self'` },
          now,
          actor,
          audit,
        );
    if (!row) throw transitionError('活动已不在招募中，不能报名');
    return {
      id: row.id,
      status: row.status,
      ...(row.status === 'waitlisted' ? { position: Number(row.waitlist_count) } : {}),
    };
  } catch (e) {
    if (pgCode(e) === '23505') throw duplicate('您已报名该活动，请勿重复报名');
    throw e;
  }
}

/**
 * Sign-ups of one activity reach the database at most two at a time from this process, in arrival order
 * (platform/gate.ts): the second statement's round trip overlaps the first one's commit, and at most one backend
 * waits on the row lock. Measured against one at a time (bench/NOTES.md): ~1,070–1,110 vs ~910–980 sign-ups/s.
 */
const seatGate = new KeyedGate(2);

/**
 * The queues of places on one activity row, each with its seats, taken and waitlisted counts: the volunteers'
 * sign-ups (whose filling makes the activity 已满员) and the residents' places (报名参加, participants.ts). Both take
 * the same activity row lock through the same gate and statement (`takeSeat`), so each queue's quota holds and its
 * `seq` is FIFO.
 */
export type SeatQueue = {
  table: 'activity_signups' | 'activity_participants';
  quota: SQL;
  confirmed: 'confirmed_count' | 'participant_confirmed_count';
  waitlist: 'waitlist_count' | 'participant_waitlist_count';
  /** the activity states that take a place */
  states: readonly ActivityState[];
  /** a taken last seat turns a published activity 'full' (the volunteers' queue) */
  fills: boolean;
};
const volunteerSeats: SeatQueue = {
  table: 'activity_signups',
  quota: sql.raw('quota'),
  confirmed: 'confirmed_count',
  waitlist: 'waitlist_count',
  states: ['published', 'full'],
  fills: true,
};

/**
 * Takes a place in `queue` (a sign-up of an activity without shifts, or a resident's place): lock, count, insert and
 * the audit event in ONE statement, run on its own (its own transaction: no BEGIN or COMMIT round trip, the activity
 * row is locked only while the statement runs and commits, in the database), through the activity's gate
 * (`seatGate`, keyed by the activity: every queue of one activity waits on the same row lock). The row's id is made
 * here, so the audit lane (chosen by it) is known before the statement; the event's `status` is the inserted row's,
 * chosen in SQL. Locks: the activity row (`l`), then — after the insert — the audit lane head, the order of every
 * command that calls writeAudit at its end. `columns` are the inserted row's own columns besides id, activity,
 * status and times.
 */
export async function takeSeat(
  db: DbOrTx,
  queue: SeatQueue,
  id: string,
  columns: Record<string, SQL>,
  now: Date,
  actor: Actor,
  audit: (rowId: string) => AuditInput,
): Promise<SeatRow | undefined> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const rowId = randomUUID();
  const append = auditAppendSql(actor, audit(rowId), sql`i`, {
    key: 'status',
    by: sql`status`,
    values: ['confirmed', 'waitlisted'],
  });
  const [confirmed, waitlist] = [sql.raw(queue.confirmed), sql.raw(queue.waitlist)];
  const states = sql.join(
    queue.states.map((st) => sql`${st}`),
    sql`, `,
  );
  const fill = queue.fills
    ? sql`case when l.seat and a.state = 'published' and a.confirmed_count + 1 >= a.quota then 'full' else a.state end`
    : sql`a.state`;
  const names = Object.keys(columns).map((k) => sql.raw(`, ${k}`));
  const values = Object.values(columns).map((v) => sql`, ${v}`);
  const { rows } = await seatGate.run(id, () =>
    db.execute(sql`with l as (
      select id, ${confirmed} < ${queue.quota} as seat from activities
      where id = ${id}::uuid and state in (${states}) and ${queue.quota} > 0 for update),
    u as (update activities a set
        ${confirmed} = a.${confirmed} + case when l.seat then 1 else 0 end,
        ${waitlist} = a.${waitlist} + case when l.seat then 0 else 1 end,
        state = ${fill},
        updated_at = ${at}
      from l where a.id = l.id returning l.seat, a.${waitlist} as waitlist_count),
    i as (insert into ${sql.raw(queue.table)} (id, activity_id, status,
        signed_up_at, created_at, updated_at${sql.join(names)})
      select ${rowId}::uuid, ${id}::uuid,
        case when u.seat then 'confirmed' else 'waitlisted' end,
        ${at}, ${at}, ${at}${sql.join(values)} from u
      returning id, status),
    ${append.ctes}
    select i.id, i.status, u.waitlist_count, ${append.seq} as audit_seq from i, u`),
  );
  const row = rows[0] as (SeatRow & { audit_seq: number | string | null }) | undefined;
  if (row && row.audit_seq == null) throw new Error('activities: the place was stored without its audit event');
  return row && { id: row.id, status: row.status, waitlist_count: row.waitlist_count };
}

/** An activity with shifts: a seat needs one on the activity and on the shift; the activity row is locked first. */
async function takeShiftSeat(
  tx: DbOrTx,
  id: string,
  shiftId: string,
  volunteerId: string,
  userId: string,
  now: Date,
): Promise<SeatRow | undefined> {
  const [locked] = await tx
    .select({ free: sql<boolean>`${activities.confirmedCount} < ${activities.quota}` })
    .from(activities)
    .where(and(eq(activities.id, id), inArray(activities.state, ['published', 'full'])))
    .for('update');
  if (!locked) return undefined;
  const seat =
    locked.free &&
    (
      await tx
        .update(activityShifts)
        .set({ confirmedCount: sql`${activityShifts.confirmedCount} + 1` })
        .where(and(eq(activityShifts.id, shiftId), sql`${activityShifts.confirmedCount} < ${activityShifts.quota}`))
        .returning({ id: activityShifts.id })
    ).length > 0;
  const [counts] = await tx
    .update(activities)
    .set(
      seat
        ? {
            confirmedCount: sql`${activities.confirmedCount} + 1`,
            updatedAt: now,
            state: sql`case when ${activities.state} = 'published'
                and ${activities.confirmedCount} + 1 >= ${activities.quota}
              then 'full' else ${activities.state} end`,
          }
        : { waitlistCount: sql`${activities.waitlistCount} + 1`, updatedAt: now },
    )
    .where(eq(activities.id, id))
    .returning({ waitlistCount: activities.waitlistCount });
  const status = seat ? ('confirmed' as const) : ('waitlisted' as const);
  const [row] = await tx
    .insert(activitySignups)
    .values({
      activityId: id,
      shiftId,
      volunteerId,
      userId,
      status,
      source: 'self',
      signedUpAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: activitySignups.id });
  return { id: row.id, status, waitlist_count: counts.waitlistCount };
}

type Promoted = { signupId: string; userId: string | null };
const [promoteFrom] = signupMachine.transitions.promote.from as readonly SignupStatus[];

/**
 * Gives free seats to the waitlist, first come first served: the earliest waitlisted whose shift (if any) also
 * has a seat. The caller holds the activity row lock.
 */
async function fillSeats(tx: DbOrTx, a: Activity, now: Date): Promise<Promoted[]> {
  if (!['published', 'full', 'in_progress'].includes(a.state)) return [];
  const promoted: Promoted[] = [];
  for (;;) {
    const [cand] = await tx
      .select({
        id: activitySignups.id,
        shiftId: activitySignups.shiftId,
        userId: sql<string | null>`coalesce(${activitySignups.userId}, ${volunteers.userId})`,
      })
      .from(activitySignups)
      .innerJoin(activities, eq(activities.id, activitySignups.activityId))
      .innerJoin(volunteers, eq(volunteers.id, activitySignups.volunteerId))
      .leftJoin(activityShifts, eq(activityShifts.id, activitySignups.shiftId))
      .where(
        and(
          eq(activitySignups.activityId, a.id),
          // the machine's promotion: from the waitlist to a seat (a set-based step of its own, the seat queue)
          eq(activitySignups.status, promoteFrom),
          sql`${activities.confirmedCount} < ${activities.quota}`,
          sql`(${activityShifts.id} is null or ${activityShifts.confirmedCount} < ${activityShifts.quota})`,
        ),
      )
      .orderBy(asc(activitySignups.seq))
      .limit(1);
    if (!cand) break;
    await tx
      .update(activities)
      .set({
        confirmedCount: sql`${activities.confirmedCount} + 1`,
        waitlistCount: sql`${activities.waitlistCount} - 1`,
        updatedAt: now,
        state: sql`case when ${activities.state} = 'published'
            and ${activities.confirmedCount} + 1 >= ${activities.quota}
          then 'full' else ${activities.state} end`,
      })
      .where(eq(activities.id, a.id));
    if (cand.shiftId)
      await tx
        .update(activityShifts)
        .set({ confirmedCount: sql`${activityShifts.confirmedCount} + 1` })
        .where(eq(activityShifts.id, cand.shiftId));
    await tx
      .update(activitySignups)
      .set({ status: signupMachine.transitions.promote.to as SignupStatus, promotedAt: now, updatedAt: now })
      .where(eq(activitySignups.id, cand.id));
    promoted.push({ signupId: cand.id, userId: cand.userId });
  }
  return promoted;
}

async function notifyPromoted(tx: DbOrTx, a: Activity, promoted: Promoted[], now: Date) {
  if (!promoted.length) return;
  await notify(tx, {
    countyCode: a.countyCode,
    userIds: promoted.map((p) => p.userId),
    kind: 'activity.promoted',
    title: '候补转正',
    body: `您候补的活动“${a.title}”（${fmt(a.startAt)}，${a.address}）有名额空出，您已转为正式报名，请按时参加`,
    entity: 'activity',
    entityId: a.id,
    now,
    sms: true,
  });
}

/** The caller withdraws; a confirmed seat goes to the first waitlisted (of the same shift where shifts are used). */
export async function cancelMySignup(db: Db, c: ActivityCaller, now: Date, id: string) {
  const volunteerId = requireVolunteer(c);
  return db.transaction(async (tx) => {
    const a = await loadVisible(tx, c, id, true);
    const [s] = await tx
      .select()
      .from(activitySignups)
      .where(
        and(
          eq(activitySignups.activityId, id),
          eq(activitySignups.volunteerId, volunteerId),
          ne(activitySignups.status, 'cancelled'),
        ),
      )
      .for('update');
    if (!s) throw notFound('报名记录');
    assertAllowed(signupMachine, 'cancel', s.status, volunteerParty, signupContext(a, s, now));
    // the seat and the waitlist first (the sign-up row is locked, so nobody else moves it), then the transition
    let promoted: Promoted[] = [];
    if (s.status === 'confirmed') {
      const [freed] = await tx
        .update(activities)
        .set({
          confirmedCount: sql`${activities.confirmedCount} - 1`,
          updatedAt: now,
          state: sql`case when ${activities.state} = 'full' then 'published' else ${activities.state} end`,
        })
        .where(eq(activities.id, id))
        .returning();
      if (s.shiftId)
        await tx
          .update(activityShifts)
          .set({ confirmedCount: sql`${activityShifts.confirmedCount} - 1` })
          .where(eq(activityShifts.id, s.shiftId));
      promoted = await fillSeats(tx, freed, now);
    } else {
      await tx
        .update(activities)
        .set({ waitlistCount: sql`${activities.waitlistCount} - 1`, updatedAt: now })
        .where(eq(activities.id, id));
    }
    await notifyPromoted(tx, a, promoted, now);
    await runTransition(tx, {
      machine: signupMachine,
      table: activitySignups,
      stateKey: 'status',
      record: { id: s.id, countyCode: a.countyCode, state: s.status },
      action: 'cancel',
      actor: c.actor,
      now,
      set: { cancelledAt: now, updatedAt: now },
      detail: { activityId: id, was: s.status, promoted: promoted.map((p) => p.signupId) },
    });
    return { promoted: promoted.length };
  });
}

// ---------- attendance ----------

export type CodeInput = { code: string; lat?: number | null; lng?: number | null; method?: 'code' | 'qr' };

export function checkCodeAndPlace(a: Activity, input: CodeInput) {
  if (input.code !== a.code) throw invalid('code', '签到码不正确，请核对活动现场公布的 6 位签到码');
  if (a.checkinRadiusM != null && a.lat != null && a.lng != null) {
    if (input.lat == null || input.lng == null)
      throw invalid('lat', `本活动须在活动地点 ${a.checkinRadiusM} 米范围内签到，请允许获取位置后重试`);
    const d = distanceM(a.lat, a.lng, input.lat, input.lng);
    if (d > a.checkinRadiusM)
      throw invalid('lat', `您距活动地点约 ${Math.round(d)} 米，超出 ${a.checkinRadiusM} 米的签到范围`);
  }
}

async function mySignupForUpdate(tx: DbOrTx, activityId: string, volunteerId: string, what: string) {
  const [s] = await tx
    .select()
    .from(activitySignups)
    .where(
      and(
        eq(activitySignups.activityId, activityId),
        eq(activitySignups.volunteerId, volunteerId),
        ne(activitySignups.status, 'cancelled'),
      ),
    )
    .for('update');
  if (!s) throw transitionError(`您没有报名该活动，不能${what}`);
  if (s.status !== 'confirmed') throw transitionError(`您在候补名单中，尚未确认参加，不能${what}`);
  return s;
}

export async function checkIn(db: Db, c: ActivityCaller, now: Date, id: string, input: CodeInput) {
  const volunteerId = requireVolunteer(c);
  const a = await loadVisible(db, c, id);
  // the machine decides (the activity's state, the attendance window) before the code is checked, and again on the
  // locked sign-up below
  assertAllowed(signupMachine, 'checkIn', 'confirmed', volunteerParty, signupContext(a, null, now));
  checkCodeAndPlace(a, input);
  return db.transaction(async (tx) => {
    // the activity row first (as every command that locks both does), then the sign-up: no lock-order cycles
    await tx
      .update(activities)
      .set({ state: 'in_progress', updatedAt: now })
      .where(and(eq(activities.id, id), inArray(activities.state, ['published', 'full'])));
    const s = await mySignupForUpdate(tx, id, volunteerId, '签到');
    if (s.checkInAt) throw duplicate(`您已于 ${fmt(s.checkInAt)} 签到`);
    assertAllowed(signupMachine, 'checkIn', s.status, volunteerParty, signupContext(a, s, now));
    await tx
      .update(activitySignups)
      .set({
        checkInAt: now,
        checkInMethod: input.method ?? 'code',
        checkInLat: input.lat ?? null,
        checkInLng: input.lng ?? null,
        noShow: false,
        updatedAt: now,
      })
      .where(eq(activitySignups.id, s.id));
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      {
        action: 'activity.checkin',
        entity: 'activity_signup',
        entityId: s.id,
        detail: { activityId: id, method: input.method ?? 'code' },
      },
    );
    return { checkInAt: now };
  });
}

export async function checkOut(db: Db, c: ActivityCaller, now: Date, id: string, input: CodeInput) {
  const volunteerId = requireVolunteer(c);
  const a = await loadVisible(db, c, id);
  // as checkIn: the machine decides on the activity first, then on the locked sign-up
  assertAllowed(signupMachine, 'checkOut', 'confirmed', volunteerParty, {
    ...signupContext(a, null, now),
    checkedIn: true,
  });
  checkCodeAndPlace(a, input);
  return db.transaction(async (tx) => {
    const s = await mySignupForUpdate(tx, id, volunteerId, '签退');
    if (s.checkOutAt) throw duplicate(`您已于 ${fmt(s.checkOutAt)} 签退`);
    assertAllowed(signupMachine, 'checkOut', s.status, volunteerParty, signupContext(a, s, now));
    const [updated] = await tx
      .update(activitySignups)
      .set({ checkOutAt: now, updatedAt: now })
      .where(eq(activitySignups.id, s.id))
      .returning();
    const shift = s.shiftId
      ? (await tx.select().from(activityShifts).where(eq(activityShifts.id, s.shiftId)))[0]
      : null;
    const hours = await settleSignup(tx, { signup: updated, activity: a, shift, actor: c.actor, now });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      { action: 'activity.checkout', entity: 'activity_signup', entityId: s.id, detail: { activityId: id, hours } },
    );
    return { checkOutAt: now, hours };
  });
}

/**
 * The times of a row of a paper sign-in sheet: within the attendance window (1 h before the start to 2 h after the
 * end), check-out after check-in, neither in the future. `prefix` names the row in a list (`attendance.2.`).
 */
export function sheetTimeProblems(
  a: Pick<Activity, 'startAt' | 'endAt'>,
  input: { checkInAt: Date; checkOutAt: Date },
  now: Date,
  prefix = '',
): ErrorDetail[] {
  const open = a.startAt.getTime() - CHECKIN_BEFORE_MS;
  const close = a.endAt.getTime() + CHECKOUT_AFTER_MS;
  const range = `${fmt(new Date(open))} 至 ${fmt(new Date(close))}`;
  const problems: ErrorDetail[] = [];
  const inT = input.checkInAt.getTime();
  const outT = input.checkOutAt.getTime();
  if (inT < open || inT > close)
    problems.push({
      path: `${prefix}checkInAt`,
      message: `签到时间须在活动时间内（开始前 1 小时至结束后 2 小时：${range}）`,
    });
  else if (inT > now.getTime()) problems.push({ path: `${prefix}checkInAt`, message: '签到时间不能晚于当前时间' });
  if (outT < open || outT > close)
    problems.push({
      path: `${prefix}checkOutAt`,
      message: `签退时间须在活动时间内（开始前 1 小时至结束后 2 小时：${range}）`,
    });
  else if (outT <= inT) problems.push({ path: `${prefix}checkOutAt`, message: '签退时间必须晚于签到时间' });
  else if (outT > now.getTime()) problems.push({ path: `${prefix}checkOutAt`, message: '签退时间不能晚于当前时间' });
  return problems;
}

/**
 * Staff enter a row of the paper sign-in sheet. Times must lie in the attendance window (1 h before the start to
 * 2 h after the end) and not in the future. The volunteer's sign-up row is completed, or created (source 'sheet')
 * for someone who came without signing up; a waitlisted person who came is confirmed. Rows from the sheet do not
 * take recruiting seats (recruiting is over once the activity has begun), so confirmedCount stays the count of
 * seats given by sign-up. The attendance is settled into hours at once.
 */
export async function recordAttendance(
  db: Db,
  c: ActivityCaller,
  now: Date,
  id: string,
  input: { volunteerId: string; checkInAt: Date; checkOutAt: Date },
): Promise<{ signupId: string; hours: Settlement }> {
  const a = await loadManaged(db, c, id);
  if (!allowedFrom('attendance', a.state)) throw transitionError(`活动${stateLabels[a.state]}，不能录入签到表`);
  const problems = sheetTimeProblems(a, input, now);
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems[0].message, problems);
  const [v] = await db
    .select({ id: volunteers.id, userId: volunteers.userId, name: volunteers.name })
    .from(volunteers)
    .where(and(eq(volunteers.id, input.volunteerId), eq(volunteers.countyCode, a.countyCode)));
  if (!v) throw invalid('volunteerId', '志愿者不存在或不属于本县');
  return db.transaction(async (tx) => {
    const [locked] = await tx.select().from(activities).where(eq(activities.id, id)).for('update');
    const [existing] = await tx
      .select()
      .from(activitySignups)
      .where(
        and(
          eq(activitySignups.activityId, id),
          eq(activitySignups.volunteerId, v.id),
          ne(activitySignups.status, 'cancelled'),
        ),
      )
      .for('update');
    let signup: Signup;
    if (existing) {
      if (existing.hoursSettledAt) throw duplicate(`${v.name}在本活动的考勤已结算，如需更正请提交时长补录申请`);
      if (existing.status === 'waitlisted')
        await tx
          .update(activities)
          .set({ waitlistCount: sql`${activities.waitlistCount} - 1`, updatedAt: now })
          .where(eq(activities.id, id));
      [signup] = await tx
        .update(activitySignups)
        .set({
          status: 'confirmed',
          checkInAt: input.checkInAt,
          checkOutAt: input.checkOutAt,
          checkInMethod: 'sheet',
          noShow: false,
          updatedAt: now,
        })
        .where(eq(activitySignups.id, existing.id))
        .returning();
    } else {
      [signup] = await tx
        .insert(activitySignups)
        .values({
          activityId: id,
          volunteerId: v.id,
          userId: v.userId,
          status: 'confirmed',
          source: 'sheet',
          signedUpAt: now,
          checkInAt: input.checkInAt,
          checkOutAt: input.checkOutAt,
          checkInMethod: 'sheet',
          createdAt: now,
          updatedAt: now,
        })
        .returning();
    }
    const shift = signup.shiftId
      ? (await tx.select().from(activityShifts).where(eq(activityShifts.id, signup.shiftId)))[0]
      : null;
    const hours = await settleSignup(tx, { signup, activity: locked, shift, actor: c.actor, now });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      {
        action: 'activity.attendance',
        entity: 'activity_signup',
        entityId: signup.id,
        detail: {
          activityId: id,
          volunteerId: v.id,
          checkInAt: input.checkInAt.toISOString(),
          checkOutAt: input.checkOutAt.toISOString(),
          created: !existing,
          hours,
        },
      },
    );
    return { signupId: signup.id, hours };
  });
}

/** The code for the QR: staff who manage the activity only. */
export async function attendanceCode(db: DbOrTx, c: ActivityCaller, id: string) {
  const a = await loadManaged(db, c, id);
  if (!allowedFrom('attendance', a.state)) throw transitionError(`活动${stateLabels[a.state]}，没有签到二维码`);
  return a;
}

// ---------- the sweep ----------

/**
 * The time job: published/full → in_progress at the start; in_progress → ended 2 h after the end (no-shows
 * recorded, see endInTx); ended → archived 30 days after it ended. Each change is a conditional update in its own
 * audited transaction, so two servers never double it.
 */
export async function sweepActivities(db: Db, now: Date) {
  const totals = { started: 0, ended: 0, archived: 0 };
  const system = (countyCode: string): Actor => ({ userId: null, name: '活动时间检查', countyCode });
  const due = await db
    .select()
    .from(activities)
    .where(and(inArray(activities.state, ['published', 'full']), lte(activities.startAt, now)));
  for (const a of due) {
    await db.transaction(async (tx) => {
      const [r] = await tx
        .update(activities)
        .set({ state: 'in_progress', updatedAt: now })
        .where(and(eq(activities.id, a.id), inArray(activities.state, ['published', 'full'])))
        .returning({ id: activities.id });
      if (!r) return;
      totals.started++;
      await writeAudit(tx, system(a.countyCode), {
        action: 'activity.start',
        entity: 'activity',
        entityId: a.id,
        detail: { from: a.state, auto: true },
      });
    });
  }
  const over = await db
    .select()
    .from(activities)
    .where(and(eq(activities.state, 'in_progress'), lte(activities.endAt, new Date(now.getTime() - AUTO_END_MS))));
  for (const a of over) {
    await db.transaction(async (tx) => {
      const r = await endInTx(tx, a, now);
      if (!r) return;
      totals.ended++;
      await writeAudit(tx, system(a.countyCode), {
        action: 'activity.end',
        entity: 'activity',
        entityId: a.id,
        detail: { auto: true, noShows: r.noShows },
      });
    });
  }
  const old = await db
    .select({ id: activities.id, countyCode: activities.countyCode })
    .from(activities)
    .where(
      and(
        eq(activities.state, 'ended'),
        sql`coalesce(${activities.endedAt}, ${activities.endAt})
          <= ${new Date(now.getTime() - ARCHIVE_AFTER_MS).toISOString()}::timestamptz`,
      ),
    );
  for (const a of old) {
    await db.transaction(async (tx) => {
      const [r] = await tx
        .update(activities)
        .set({ state: 'archived', archivedAt: now, updatedAt: now })
        .where(and(eq(activities.id, a.id), eq(activities.state, 'ended')))
        .returning({ id: activities.id });
      if (!r) return;
      totals.archived++;
      await writeAudit(tx, system(a.countyCode), {
        action: 'activity.archive',
        entity: 'activity',
        entityId: a.id,
        detail: { auto: true },
      });
    });
  }
  return totals;
}

/**
 * Settles one attendance into hours, in the caller's transaction: the sign-up is claimed here (`hours_settled_at`, a
 * conditional update, so it is settled at most once) and the hours module credits it (hours/settle.ts) — each
 * module writes its own tables. A second call credits nothing and says why.
 */
export async function settleSignup(tx: DbOrTx, input: Parameters<typeof settleAttendance>[1]): Promise<Settlement> {
  const { signup, now } = input;
  if (!signup.checkInAt || !signup.checkOutAt) return { credited: 0, pending: 0, reason: '未完成签到签退，不计时长' };
  const [claimed] = await tx
    .update(activitySignups)
    .set({ hoursSettledAt: now, updatedAt: now })
    .where(and(eq(activitySignups.id, signup.id), isNull(activitySignups.hoursSettledAt)))
    .returning({ id: activitySignups.id });
  if (!claimed) return { credited: 0, pending: 0, reason: '该报名的服务时长已结算过' };
  return settleAttendance(tx, input);
}
