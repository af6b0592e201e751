import { and, asc, count, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { regions, roleAssignments, starApplications, volunteers } from '../../db/schema/index.js';
import { AppError, duplicate, forbidden, invalid, notFound } from '../../platform/errors.js';
import { systemActor, writeAudit } from '../../platform/audit.js';
import { inScope, type Scope } from '../../platform/scope.js';
import { notify } from '../../platform/notify.js';
import { getSetting } from '../settings/service.js';
import { chinaDate, lockVolunteer, totalHours } from '../hours/ledger.js';
import { codeOfPath, requireMyVolunteer, starThresholds, type HoursCaller } from '../hours/service.js';
import { noticePeriod } from './workdays.js';

export const starStateLabels = {
  applied: '待审核',
  notice: '公示中',
  granted: '已授予',
  rejected: '未通过',
  withdrawn: '已撤回',
} as const;
type StarState = keyof typeof starStateLabels;
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
  currentHours: sql<string>`(select coalesce(sum(e.hours), 0) from hours_entries e where e.volunteer_id = "star_applications"."volunteer_id")`,
};
type Row = { level: number; hoursAtApply: string; state: StarState; currentHours: string };
const present = <T extends Row>(r: T) => ({
  ...r,
  levelName: levelName(r.level),
  hoursAtApply: Number(r.hoursAtApply),
  currentHours: Number(r.currentHours),
  stateName: starStateLabels[r.state],
});

async function paged(db: DbOrTx, conds: SQL[], f: { state?: StarState; page: number; pageSize: number }) {
  if (f.state) conds.push(eq(starApplications.state, f.state));
  const where = and(...conds);
  const [[{ total }], rows] = await Promise.all([
    db.select({ total: count() }).from(starApplications).where(where),
    db
      .select(columns)
      .from(starApplications)
      .innerJoin(volunteers, eq(volunteers.id, starApplications.volunteerId))
      .innerJoin(regions, eq(regions.code, volunteers.regionCode))
      .where(where)
      .orderBy(desc(starApplications.createdAt), desc(starApplications.id))
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize),
  ]);
  return { items: rows.map(present), total, page: f.page, pageSize: f.pageSize };
}

export const listApplications = (db: DbOrTx, scope: Scope, f: { state?: StarState; page: number; pageSize: number }) =>
  paged(db, [appScope(scope)], f);

export async function getApplication(db: DbOrTx, scope: Scope | null, id: string) {
  const [row] = await db
    .select(columns)
    .from(starApplications)
    .innerJoin(volunteers, eq(volunteers.id, starApplications.volunteerId))
    .innerJoin(regions, eq(regions.code, volunteers.regionCode))
    .where(and(eq(starApplications.id, id), scope ? appScope(scope) : sql`true`));
  if (!row) throw notFound('星级申请');
  return present(row);
}

/** `GET /me/stars`: level, verified hours, thresholds, the level the hours reach and the applications. */
export async function myStars(db: DbOrTx, userId: string) {
  const v = await requireMyVolunteer(db, userId);
  const [hours, thresholds, apps] = await Promise.all([
    totalHours(db, v.id),
    starThresholds(db, v.countyCode),
    paged(db, [eq(starApplications.volunteerId, v.id)], { page: 1, pageSize: 50 }),
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
    await writeAudit(
      tx,
      { ...c.actor, countyCode: v.countyCode },
      { action: 'star.apply', entity: 'star_application', entityId: row.id, after: row },
    );
    return row;
  });
}

async function loadForReview(db: DbOrTx, c: HoursCaller, id: string) {
  const [a] = await db
    .select()
    .from(starApplications)
    .where(and(eq(starApplications.id, id), appScope(c.scope)));
  if (!a) throw notFound('星级申请');
  if (c.volunteerId && a.volunteerId === c.volunteerId) throw forbidden('不能审核自己的星级申请');
  return a;
}

const volunteerUser = async (db: DbOrTx, volunteerId: string) =>
  (
    await db
      .select({ userId: volunteers.userId, name: volunteers.name })
      .from(volunteers)
      .where(eq(volunteers.id, volunteerId))
  )[0];

/** Approval starts the public notice: from the next working day, for `stars.noticeWorkingDays` working days. */
export async function approveApplication(db: Db, c: HoursCaller, now: Date, id: string, comment?: string) {
  const a = await loadForReview(db, c, id);
  if (a.state !== 'applied')
    throw new AppError('INVALID_TRANSITION', `该申请${starStateLabels[a.state]}，不能审核通过`);
  const [days, holidays, workdays] = await Promise.all([
    getSetting<number>(db, a.countyCode, 'stars.noticeWorkingDays'),
    getSetting<string[]>(db, a.countyCode, 'holidays'),
    getSetting<string[]>(db, a.countyCode, 'workdays'),
  ]);
  const period = noticePeriod(chinaDate(now), days, { holidays: holidays ?? [], workdays: workdays ?? [] });
  const v = await volunteerUser(db, a.volunteerId);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(starApplications)
      .set({
        state: 'notice',
        comment: comment?.trim() || a.comment,
        reviewedBy: c.userId,
        reviewedAt: now,
        noticeStart: period.start,
        noticeEnd: period.end,
        updatedAt: now,
      })
      .where(and(eq(starApplications.id, a.id), eq(starApplications.state, 'applied')))
      .returning();
    if (!row) throw new AppError('INVALID_TRANSITION', '该申请已被他人处理，请刷新');
    await notify(tx, {
      countyCode: a.countyCode,
      userIds: [v?.userId],
      kind: 'star.notice',
      title: '星级申请已通过审核',
      body: `您的${levelName(a.level)}志愿者申请已通过审核，公示期 ${period.start} 至 ${period.end}（${days} 个工作日），公示无异议后授予`,
      entity: 'star_application',
      entityId: a.id,
      now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      {
        action: 'star.approve',
        entity: 'star_application',
        entityId: a.id,
        before: { state: a.state },
        after: { state: row.state, noticeStart: period.start, noticeEnd: period.end },
        detail: comment ? { comment } : undefined,
      },
    );
    return row;
  });
}

export async function rejectApplication(db: Db, c: HoursCaller, now: Date, id: string, comment: string) {
  const a = await loadForReview(db, c, id);
  if (a.state !== 'applied' && a.state !== 'notice')
    throw new AppError('INVALID_TRANSITION', `该申请${starStateLabels[a.state]}，不能驳回`);
  const v = await volunteerUser(db, a.volunteerId);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(starApplications)
      .set({ state: 'rejected', comment, reviewedBy: c.userId, reviewedAt: now, updatedAt: now })
      .where(and(eq(starApplications.id, a.id), eq(starApplications.state, a.state)))
      .returning();
    if (!row) throw new AppError('INVALID_TRANSITION', '该申请已被他人处理，请刷新');
    await notify(tx, {
      countyCode: a.countyCode,
      userIds: [v?.userId],
      kind: 'star.rejected',
      title: '星级申请未通过',
      body: `您的${levelName(a.level)}志愿者申请未通过：${comment}`,
      entity: 'star_application',
      entityId: a.id,
      now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      {
        action: 'star.reject',
        entity: 'star_application',
        entityId: a.id,
        before: { state: a.state },
        after: { state: 'rejected' },
        detail: { comment },
      },
    );
    return row;
  });
}

/** An objection during the public notice sends the application back to review. Anyone signed in to the county may object. */
export async function objectToApplication(db: Db, c: HoursCaller, now: Date, id: string, objection: string) {
  const [a] = await db
    .select()
    .from(starApplications)
    .where(and(eq(starApplications.id, id), eq(starApplications.countyCode, c.countyCode)));
  if (!a) throw notFound('星级申请');
  if (a.state !== 'notice') throw new AppError('INVALID_TRANSITION', '只能对公示中的星级申请提出异议');
  if (c.volunteerId && a.volunteerId === c.volunteerId) throw forbidden('不能对自己的申请提出异议');
  const v = await volunteerUser(db, a.volunteerId);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(starApplications)
      .set({ state: 'applied', objection, noticeStart: null, noticeEnd: null, updatedAt: now })
      .where(and(eq(starApplications.id, a.id), eq(starApplications.state, 'notice')))
      .returning();
    if (!row) throw new AppError('INVALID_TRANSITION', '公示状态已变化，请刷新');
    const reviewers = a.reviewedBy ? [a.reviewedBy] : await starReviewers(tx, a.regionPath);
    await notify(tx, {
      countyCode: a.countyCode,
      userIds: reviewers,
      kind: 'star.objection',
      title: '星级公示收到异议',
      body: `志愿者${v?.name ?? ''}的${levelName(a.level)}公示收到异议：${objection}。申请已退回待审核`,
      entity: 'star_application',
      entityId: a.id,
      now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      {
        action: 'star.object',
        entity: 'star_application',
        entityId: a.id,
        before: { state: 'notice' },
        after: { state: 'applied' },
        detail: { objection },
      },
    );
    return row;
  });
}

/** The sweep: applications whose notice ended before today (China date) are granted; the volunteer's level only rises. */
export async function grantDueStars(db: Db, now: Date) {
  const today = chinaDate(now);
  const due = await db
    .select({ id: starApplications.id })
    .from(starApplications)
    .where(and(eq(starApplications.state, 'notice'), lt(starApplications.noticeEnd, today)))
    .orderBy(asc(starApplications.noticeEnd))
    .limit(500);
  let granted = 0;
  for (const { id } of due) {
    const done = await db.transaction(async (tx) => {
      const [a] = await tx
        .update(starApplications)
        .set({ state: 'granted', grantedAt: now, updatedAt: now })
        .where(
          and(eq(starApplications.id, id), eq(starApplications.state, 'notice'), lt(starApplications.noticeEnd, today)),
        )
        .returning();
      if (!a) return false;
      const [v] = await tx
        .update(volunteers)
        .set({ starLevel: sql`greatest(${volunteers.starLevel}, ${a.level})`, updatedAt: now })
        .where(eq(volunteers.id, a.volunteerId))
        .returning({ userId: volunteers.userId, starLevel: volunteers.starLevel });
      await notify(tx, {
        countyCode: a.countyCode,
        userIds: [v?.userId],
        kind: 'star.granted',
        title: `恭喜您成为${levelName(a.level)}志愿者`,
        body: `您的${levelName(a.level)}志愿者申请公示期满无异议，已正式授予`,
        entity: 'star_application',
        entityId: a.id,
        now,
      });
      await writeAudit(
        tx,
        { ...systemActor('星级公示'), countyCode: a.countyCode },
        {
          action: 'star.grant',
          entity: 'star_application',
          entityId: a.id,
          before: { state: 'notice' },
          after: { state: 'granted', starLevel: v?.starLevel },
        },
      );
      return true;
    });
    if (done) granted++;
  }
  return { granted };
}

/** The public notice board: applications under notice in a county, names masked. */
export async function publicNotices(db: DbOrTx, countyCode: string, f: { page: number; pageSize: number }) {
  const where = and(eq(starApplications.countyCode, countyCode), eq(starApplications.state, 'notice'));
  const [[{ total }], rows] = await Promise.all([
    db.select({ total: count() }).from(starApplications).where(where),
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
      .innerJoin(regions, eq(regions.code, volunteers.regionCode))
      .where(where)
      .orderBy(desc(starApplications.noticeStart), asc(starApplications.id))
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize),
  ]);
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
