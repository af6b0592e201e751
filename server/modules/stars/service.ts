import { and, asc, desc, eq, inArray, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { regions, roleAssignments, starApplications, volunteers } from '../../db/schema/index.js';
import { AppError, duplicate, invalid, notFound } from '../../platform/errors.js';
import { systemActor, writeAudit, type Actor } from '../../platform/audit.js';
import { inScope, type Scope } from '../../platform/scope.js';
import { notify } from '../../platform/notify.js';
import { actionsFor, addEvent, assertAllowed, runTransition } from '../../platform/transitions.js';
import { offsetPage } from '../../platform/lists.js';
import { raiseStarLevel } from '../volunteers/service.js';
import { getSetting } from '../settings/service.js';
import { chinaDate, lockVolunteer, totalHours } from '../hours/ledger.js';
import { codeOfPath, requireMyVolunteer, starThresholds, type HoursCaller } from '../hours/service.js';
import { noticePeriod } from './workdays.js';
import { starMachine, starStateLabels, type StarAction, type StarParty, type StarState } from './transitions.js';

export { starStateLabels };

export const levelName = (level: number) => `${'一二三四五'[level - 1] ?? level}星`;

/** 张三丰 → 张*丰, 李四 → 李*, for names shown to the public. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join('');
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}

const appScope = (scope: Scope) =>
  inScope(scope, { path: starApplications.regionPath, regionCode: codeOfPath(starApplications.regionPath) });
const fmt = (h: number) => String(Math.round(h * 100) / 100);

/** The highest level the hours reach. */
export const eligibleLevel = (hours: number, thresholds: number[]) =>
  thresholds.reduce((lvl, t, i) => (hours + 1e-9 >= t ? i + 1 : lvl), 0);

const columns = {
  id: starApplications.id,
  volunteerId: starApplications.volunteerId,
  volunteerName: volunteers.name,
  volunteerNo: volunteers.volunteerNo,
  regionName: regions.name,
  level: starApplications.level,
  hoursAtApply: starApplications.hoursAtApply,
  state: starApplications.state,
  comment: starApplications.comment,
  objection: starApplications.objection,
  noticeStart: starApplications.noticeStart,
  noticeEnd: starApplications.noticeEnd,
  reviewedAt: starApplications.reviewedAt,
  grantedAt: starApplications.grantedAt,
  createdAt: starApplications.createdAt,
  currentLevel: volunteers.starLevel,
  currentHours: sql<string>`(select coalesce(sum(e.hours), 0) from hours_entries e
    where e.volunteer_id = "star_applications"."volunteer_id")`,
};
type Row = { volunteerId: string; level: number; hoursAtApply: string; state: StarState; currentHours: string };

/** Who sees an application: the reviewers of its region, or its applicant (their own list). */
type Viewer = { volunteerId: string | null; reviewer: boolean };

/**
 * Who the caller is to an application they see and what the guards look at. Whoever sees one may object while it is
 * on the public notice board (the board is public); reviewers review; nobody reviews or objects to their own.
 */
function standing(v: Viewer, a: { volunteerId: string }) {
  const own = !!v.volunteerId && a.volunteerId === v.volunteerId;
  const parties = new Set<StarParty>(['public']);
  if (v.reviewer) parties.add('reviewer');
  if (own) parties.add('applicant');
  return { parties, ctx: { own } };
}

const present = <T extends Row>(r: T, v: Viewer) => {
  const { parties, ctx } = standing(v, r);
  return {
    ...r,
    levelName: levelName(r.level),
    hoursAtApply: Number(r.hoursAtApply),
    currentHours: Number(r.currentHours),
    stateName: starStateLabels[r.state],
    actions: actionsFor(starMachine, r.state, parties, ctx),
  };
};

async function paged(db: DbOrTx, conds: SQL[], v: Viewer, f: { state?: StarState; page: number; pageSize: number }) {
  if (f.state) conds.push(eq(starApplications.state, f.state));
  const where = and(...conds);
  const { rows, total } = await offsetPage(db, {
    from: starApplications,
    rows: () =>
      db
        .select(columns)
        .from(starApplications)
        .innerJoin(volunteers, eq(volunteers.id, starApplications.volunteerId))
        .innerJoin(regions, eq(regions.code, volunteers.regionCode)),
    where,
    order: [desc(starApplications.createdAt), desc(starApplications.id)],
    filter: f,
  });
  return { items: rows.map((r) => present(r, v)), total, page: f.page, pageSize: f.pageSize };
}

/** The review list (star:review): applications of the caller's scope, each with what the caller may do now. */
export const listApplications = (
  db: DbOrTx,
  c: HoursCaller,
  f: { state?: StarState; page: number; pageSize: number },
) => paged(db, [appScope(c.scope)], { volunteerId: c.volunteerId, reviewer: true }, f);

/**
 * The scoped loader of a star application: one query that finds it only if the caller may see it — a reviewer
 * (star:review) with the volunteer's region in scope, the applicant, or anyone of the county once it has been on the
 * public notice board (under notice, or objected to) — and says who the caller is to it. Out of sight = not found.
 */
export async function findApplication(db: DbOrTx, c: HoursCaller, id: string) {
  const reviewerSees = c.permissions.has('star:review') ? appScope(c.scope) : sql`false`;
  const [r] = await db
    .select({
      ...columns,
      countyCode: starApplications.countyCode,
      regionPath: starApplications.regionPath,
      reviewedBy: starApplications.reviewedBy,
      volunteerUserId: volunteers.userId,
      reviewer: sql<boolean>`${reviewerSees}`,
    })
    .from(starApplications)
    .innerJoin(volunteers, eq(volunteers.id, starApplications.volunteerId))
    .innerJoin(regions, eq(regions.code, volunteers.regionCode))
    .where(
      and(
        eq(starApplications.id, id),
        eq(starApplications.countyCode, c.countyCode),
        or(
          reviewerSees,
          eq(volunteers.userId, c.userId),
          eq(starApplications.state, 'notice'),
          isNotNull(starApplications.objection),
        ),
      ),
    );
  if (!r) throw notFound('星级申请');
  const { countyCode, regionPath, reviewedBy, volunteerUserId, reviewer, ...shown } = r;
  const viewer = { volunteerId: c.volunteerId, reviewer: !!reviewer };
  return {
    a: r,
    ...standing(viewer, r),
    detail: present(shown, viewer),
    countyCode,
    regionPath,
    reviewedBy,
    volunteerUserId,
  };
}
type Found = Awaited<ReturnType<typeof findApplication>>;

/** `GET /stars/applications/:id` and what every command answers: the application with the caller's `actions`. */
export const getApplication = async (db: DbOrTx, c: HoursCaller, id: string) =>
  (await findApplication(db, c, id)).detail;

const allowed = (f: Found, action: StarAction) => assertAllowed(starMachine, action, f.a.state, f.parties, f.ctx);

/** `GET /me/stars`: level, verified hours, thresholds, the level the hours reach and the applications. */
export async function myStars(db: DbOrTx, userId: string) {
  const v = await requireMyVolunteer(db, userId);
  const [hours, thresholds, apps] = await Promise.all([
    totalHours(db, v.id),
    starThresholds(db, v.countyCode),
    paged(
      db,
      [eq(starApplications.volunteerId, v.id)],
      { volunteerId: v.id, reviewer: false },
      { page: 1, pageSize: 50 },
    ),
  ]);
  return {
    volunteerId: v.id,
    level: v.starLevel,
    levelName: v.starLevel ? levelName(v.starLevel) : '未评星',
    hours,
    thresholds,
    eligibleLevel: eligibleLevel(hours, thresholds),
    applications: apps.items,
  };
}

/** Those who review star applications of a volunteer's place: the institute of the town and the county center. */
async function starReviewers(db: DbOrTx, regionPath: string) {
  const [county, town] = regionPath.split('/').filter(Boolean);
  const rows = await db
    .select({ userId: roleAssignments.userId, role: roleAssignments.roleCode, region: roleAssignments.regionCode })
    .from(roleAssignments)
    .where(
      and(
        inArray(roleAssignments.regionCode, [county, town].filter(Boolean) as string[]),
        inArray(roleAssignments.roleCode, ['county_admin', 'institute_admin']),
      ),
    );
  return rows.filter((r) => (r.role === 'county_admin' ? r.region === county : r.region === town)).map((r) => r.userId);
}

export async function applyForStar(db: Db, c: HoursCaller, now: Date, level: number) {
  const v = await requireMyVolunteer(db, c.userId);
  const thresholds = await starThresholds(db, v.countyCode);
  if (level > thresholds.length) throw invalid('level', `星级应为 1–${thresholds.length}`);
  const threshold = thresholds[level - 1];
  return db.transaction(async (tx) => {
    await lockVolunteer(tx, v.id);
    const [cur] = await tx.select({ starLevel: volunteers.starLevel }).from(volunteers).where(eq(volunteers.id, v.id));
    if (level <= cur.starLevel)
      throw new AppError('INVALID_TRANSITION', `您已是${levelName(cur.starLevel)}志愿者，只能申请更高的星级`, [
        { path: 'level', message: '星级不高于当前星级' },
      ]);
    const hours = await totalHours(tx, v.id);
    if (hours + 1e-9 < threshold) {
      throw new AppError(
        'INVALID_TRANSITION',
        `申请${levelName(level)}需累计服务时长 ${threshold} 小时，您目前已认定 ${fmt(hours)} 小时，还差 ${fmt(threshold - hours)} 小时`,
        [{ path: 'level', message: '累计服务时长未达到该星级门槛' }],
      );
    }
    const [live] = await tx
      .select({ id: starApplications.id, state: starApplications.state })
      .from(starApplications)
      .where(
        and(
          eq(starApplications.volunteerId, v.id),
          eq(starApplications.level, level),
          inArray(starApplications.state, ['applied', 'notice', 'granted']),
        ),
      );
    if (live)
      throw duplicate(`您已有${levelName(level)}的申请（${starStateLabels[live.state]}），请勿重复申请`, 'level');
    const [row] = await tx
      .insert(starApplications)
      .values({
        countyCode: v.countyCode,
        regionPath: v.regionPath,
        volunteerId: v.id,
        level,
        hoursAtApply: hours.toFixed(2),
        state: 'applied',
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await notify(tx, {
      countyCode: v.countyCode,
      userIds: await starReviewers(tx, v.regionPath),
      kind: 'star.applied',
      title: '新的星级申请',
      body: `志愿者${v.name}申请${levelName(level)}志愿者（累计 ${fmt(hours)} 小时），请审核`,
      entity: 'star_application',
      entityId: row.id,
      now,
    });
    await addEvent(tx, {
      entity: 'star_application',
      entityId: row.id,
      action: 'apply',
      from: null,
      to: 'applied',
      actor: c.actor,
      at: now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: v.countyCode },
      { action: 'star.apply', entity: 'star_application', entityId: row.id, after: row },
    );

    return row;
  });
}

/** A review step, run by the platform helper in one transaction: the conditional update, event, notice and audit. */
const step = (
  tx: DbOrTx,
  actor: Actor,
  now: Date,
  f: Found,
  action: StarAction,
  t: { set?: Partial<typeof starApplications.$inferInsert>; note?: string; detail?: Record<string, unknown> },
  notice: { kind: string; title: string; body: string; userIds: (string | null)[] },
  lost = '该申请已被他人处理，请刷新',
) =>
  runTransition(tx, {
    machine: starMachine,
    table: starApplications,
    record: { id: f.a.id, countyCode: f.countyCode, state: f.a.state },
    action,
    actor,
    now,
    set: { ...t.set, updatedAt: now },
    lost,
    note: t.note,
    detail: t.detail,
    tell: () => notice,
  });

/** Approval starts the public notice: from the next working day, for `stars.noticeWorkingDays` working days. */
export async function approveApplication(db: Db, c: HoursCaller, now: Date, id: string, comment?: string) {
  const f = await findApplication(db, c, id);
  allowed(f, 'approve');
  const [days, holidays, workdays] = await Promise.all([
    getSetting<number>(db, f.countyCode, 'stars.noticeWorkingDays'),
    getSetting<string[]>(db, f.countyCode, 'holidays'),
    getSetting<string[]>(db, f.countyCode, 'workdays'),
  ]);
  const period = noticePeriod(chinaDate(now), days, { holidays: holidays ?? [], workdays: workdays ?? [] });
  const level = levelName(f.a.level);
  return db.transaction((tx) =>
    step(
      tx,
      c.actor,
      now,
      f,
      'approve',
      {
        set: {
          comment: comment?.trim() || f.a.comment,
          reviewedBy: c.userId,
          reviewedAt: now,
          noticeStart: period.start,
          noticeEnd: period.end,
        },
        note: comment?.trim() ?? '',
        detail: { noticeStart: period.start, noticeEnd: period.end },
      },
      {
        userIds: [f.volunteerUserId],
        kind: 'star.notice',
        title: '星级申请已通过审核',
        body: `您的${level}志愿者申请已通过审核，公示期 ${period.start} 至 ${period.end}（${days} 个工作日），公示无异议后授予`,
      },
    ),
  );
}

export async function rejectApplication(db: Db, c: HoursCaller, now: Date, id: string, comment: string) {
  const f = await findApplication(db, c, id);
  allowed(f, 'reject');
  return db.transaction((tx) =>
    step(
      tx,
      c.actor,
      now,
      f,
      'reject',
      { set: { comment, reviewedBy: c.userId, reviewedAt: now }, note: comment },
      {
        userIds: [f.volunteerUserId],
        kind: 'star.rejected',
        title: '星级申请未通过',
        body: `您的${levelName(f.a.level)}志愿者申请未通过：${comment}`,
      },
    ),
  );
}

/**
 * An objection during the public notice sends the application back to review. Anyone signed in to the county may
 * object.
 */
export async function objectToApplication(db: Db, c: HoursCaller, now: Date, id: string, objection: string) {
  const f = await findApplication(db, c, id);
  allowed(f, 'object');
  const reviewers = f.reviewedBy ? [f.reviewedBy] : await starReviewers(db, f.regionPath);
  return db.transaction((tx) =>
    step(
      tx,
      c.actor,
      now,
      f,
      'object',
      { set: { objection, noticeStart: null, noticeEnd: null }, note: objection },
      {
        userIds: reviewers,
        kind: 'star.objection',
        title: '星级公示收到异议',
        body: `志愿者${f.a.volunteerName}的${levelName(f.a.level)}公示收到异议：${objection}。申请已退回待审核`,
      },
      '公示状态已变化，请刷新',
    ),
  );
}

/**
 * The sweep (system work, over the whole deployment): applications whose notice ended before today (China date) are
 * granted through the machine; the volunteer's level only rises (the volunteers module raises it).
 */
export async function grantDueStars(db: Db, now: Date) {
  const today = chinaDate(now);
  const due = await db
    .select({
      id: starApplications.id,
      countyCode: starApplications.countyCode,
      volunteerId: starApplications.volunteerId,
      level: starApplications.level,
    })
    .from(starApplications)
    .where(and(eq(starApplications.state, 'notice'), lt(starApplications.noticeEnd, today)))
    .orderBy(asc(starApplications.noticeEnd))
    .limit(500);
  let granted = 0;
  const actor = systemActor('星级公示');
  for (const a of due) {
    const done = await db
      .transaction(async (tx) => {
        const v = await raiseStarLevel(tx, a.volunteerId, a.level, now);
        await runTransition(tx, {
          machine: starMachine,
          table: starApplications,
          record: { id: a.id, countyCode: a.countyCode, state: 'notice' },
          action: 'grant',
          actor,
          now,
          set: { grantedAt: now, updatedAt: now },
          where: lt(starApplications.noticeEnd, today),
          detail: { starLevel: v?.starLevel },
          tell: () => ({
            userIds: [v?.userId],
            kind: 'star.granted',
            title: `恭喜您成为${levelName(a.level)}志愿者`,
            body: `您的${levelName(a.level)}志愿者申请公示期满无异议，已正式授予`,
          }),
        });
        return true;
      })
      .catch((e: unknown) => {
        // an objection or a review got there first: nothing to grant
        if (e instanceof AppError && e.code === 'INVALID_TRANSITION') return false;
        throw e;
      });
    if (done) granted++;
  }
  return { granted };
}

/** The public notice board: applications under notice in a county, names masked. */
export async function publicNotices(db: DbOrTx, countyCode: string, f: { page: number; pageSize: number }) {
  const where = and(eq(starApplications.countyCode, countyCode), eq(starApplications.state, 'notice'));
  const { rows, total } = await offsetPage(db, {
    from: starApplications,
    rows: () =>
      db
        .select({
          id: starApplications.id,
          name: volunteers.name,
          volunteerNo: volunteers.volunteerNo,
          regionName: regions.name,
          level: starApplications.level,
          hoursAtApply: starApplications.hoursAtApply,
          noticeStart: starApplications.noticeStart,
          noticeEnd: starApplications.noticeEnd,
        })
        .from(starApplications)
        .innerJoin(volunteers, eq(volunteers.id, starApplications.volunteerId))
        .innerJoin(regions, eq(regions.code, volunteers.regionCode)),
    where,
    order: [desc(starApplications.noticeStart), asc(starApplications.id)],
    filter: f,
  });
  return {
    items: rows.map((r) => ({
      id: r.id,
      name: maskName(r.name),
      volunteerNo: r.volunteerNo,
      regionName: r.regionName,
      level: r.level,
      levelName: levelName(r.level),
      hours: Number(r.hoursAtApply),
      noticeStart: r.noticeStart,
      noticeEnd: r.noticeEnd,
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}
