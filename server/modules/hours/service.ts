import { and, desc, eq, gte, inArray, isNull, lte, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import {
  activities,
  activitySignups,
  files,
  hoursEntries,
  hoursRequests,
  roleAssignments,
  volunteers,
} from '../../db/schema/index.js';
import { AppError, forbidden, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { actionsFor, addEvent, assertAllowed, runTransition } from '../../platform/transitions.js';
import { inScope, regionInScope, type Scope } from '../../platform/scope.js';
import { notify } from '../../platform/notify.js';
import type { Permission } from '../../platform/permissions.js';
import { offsetPage } from '../../platform/lists.js';
import { getSetting } from '../settings/service.js';
import { volunteerScope } from '../volunteers/service.js';
import { appendHours, chinaDate, lockVolunteer, roundHours, totalHours } from './ledger.js';
import {
  requestMachine,
  requestStatusLabels,
  type RequestAction,
  type RequestParty,
  type RequestStatus,
} from './transitions.js';

export { requestStatusLabels };
export { settleAttendance, type Settlement } from './settle.js';

export type HoursCaller = {
  actor: Actor;
  userId: string;
  countyCode: string;
  scope: Scope;
  permissions: ReadonlySet<Permission>;
  volunteerId: string | null;
};

export const hoursKindLabels = {
  attendance: '活动签到',
  order: '点单服务',
  excess: '超时长认定',
  correction: '补录',
  reversal: '冲正',
} as const;

/** The region code at the end of a region path column, for the 本级 part of a scope. */
export const codeOfPath = (path: SQL | AnyColumn) => sql`substring(${path} from '([^/]+)/$')`;
const entryScope = (scope: Scope) =>
  inScope(scope, { path: hoursEntries.regionPath, regionCode: codeOfPath(hoursEntries.regionPath) });
const requestScope = (scope: Scope) =>
  inScope(scope, { path: hoursRequests.regionPath, regionCode: codeOfPath(hoursRequests.regionPath) });

const num = (v: string | number | null) => (v === null ? null : Number(v));
const eps = 1e-9;

// ---------- the ledger, read ----------

const entryColumns = {
  id: hoursEntries.id,
  volunteerId: hoursEntries.volunteerId,
  volunteerName: volunteers.name,
  volunteerNo: volunteers.volunteerNo,
  kind: hoursEntries.kind,
  hours: hoursEntries.hours,
  serviceDate: hoursEntries.serviceDate,
  activityId: hoursEntries.activityId,
  activityTitle: activities.title,
  orderId: hoursEntries.orderId,
  requestId: hoursEntries.requestId,
  reversesId: hoursEntries.reversesId,
  description: hoursEntries.description,
  evidenceFileIds: hoursEntries.evidenceFileIds,
  createdAt: hoursEntries.createdAt,
  // a reversal keeps the volunteer and service date of the row it undoes: the volunteer index finds it
  reversed: sql<boolean>`exists (select 1 from hours_entries r where r.volunteer_id = "hours_entries"."volunteer_id"
    and r.service_date = "hours_entries"."service_date"
    and r.reverses_id = "hours_entries"."id")`,
};
type EntryRow = { kind: keyof typeof hoursKindLabels; hours: string };
const presentEntry = <T extends EntryRow>(r: T) => ({
  ...r,
  hours: Number(r.hours),
  kindName: hoursKindLabels[r.kind],
});

export type EntryFilter = {
  volunteerId?: string;
  activityId?: string;
  kind?: keyof typeof hoursKindLabels;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
};

async function pagedEntries(db: DbOrTx, conds: SQL[], f: EntryFilter) {
  if (f.volunteerId) conds.push(eq(hoursEntries.volunteerId, f.volunteerId));
  if (f.activityId) conds.push(eq(hoursEntries.activityId, f.activityId));
  if (f.kind) conds.push(eq(hoursEntries.kind, f.kind));
  if (f.from) conds.push(gte(hoursEntries.serviceDate, f.from));
  if (f.to) conds.push(lte(hoursEntries.serviceDate, f.to));
  const { rows, total } = await offsetPage(db, {
    from: hoursEntries,
    rows: () =>
      db
        .select(entryColumns)
        .from(hoursEntries)
        .innerJoin(volunteers, eq(volunteers.id, hoursEntries.volunteerId))
        .leftJoin(activities, eq(activities.id, hoursEntries.activityId)),
    where: and(...conds),
    order: [desc(hoursEntries.serviceDate), desc(hoursEntries.seq)],
    filter: f,
  });
  return { items: rows.map(presentEntry), total, page: f.page, pageSize: f.pageSize };
}

/** One ledger row as the lists show it (the row a command has just written). */
async function readEntry(db: DbOrTx, id: string) {
  const [row] = await db
    .select(entryColumns)
    .from(hoursEntries)
    .innerJoin(volunteers, eq(volunteers.id, hoursEntries.volunteerId))
    .leftJoin(activities, eq(activities.id, hoursEntries.activityId))
    .where(eq(hoursEntries.id, id));
  return row;
}

/** Staff: the ledger rows of the places in their scope. */
export async function listEntries(db: DbOrTx, scope: Scope, f: EntryFilter) {
  return pagedEntries(db, [entryScope(scope)], f);
}

/** Star thresholds of a county, lowest first. */
export async function starThresholds(db: DbOrTx, countyCode: string): Promise<number[]> {
  return getSetting<number[]>(db, countyCode, 'stars.thresholds');
}

export async function requireMyVolunteer(db: DbOrTx, userId: string) {
  const [v] = await db.select().from(volunteers).where(eq(volunteers.userId, userId));
  if (!v) throw new AppError('NOT_FOUND', '您还没有注册志愿者，请先注册');
  return v;
}

/** A volunteer's own hours: totals, the star level and the next one, and the ledger rows. */
export async function myHours(db: DbOrTx, userId: string, now: Date, page: { page: number; pageSize: number }) {
  const v = await requireMyVolunteer(db, userId);
  const yearStart = `${chinaDate(now).slice(0, 4)}-01-01`;
  const [[sums], thresholds, list] = await Promise.all([
    db
      .select({
        total: sql<string>`coalesce(sum(${hoursEntries.hours}), 0)`,
        thisYear: sql<string>`coalesce(sum(${hoursEntries.hours})
          filter (where ${hoursEntries.serviceDate} >= ${yearStart}), 0)`,
      })
      .from(hoursEntries)
      .where(eq(hoursEntries.volunteerId, v.id)),
    starThresholds(db, v.countyCode),
    pagedEntries(db, [eq(hoursEntries.volunteerId, v.id)], { ...page }),
  ]);
  const nextLevel = v.starLevel < thresholds.length ? v.starLevel + 1 : null;
  return {
    volunteerId: v.id,
    total: Number(sums.total),
    thisYear: Number(sums.thisYear),
    starLevel: v.starLevel,
    nextLevel,
    nextThreshold: nextLevel ? thresholds[nextLevel - 1] : null,
    items: list.items,
    entryCount: list.total,
    page: list.page,
    pageSize: list.pageSize,
  };
}

/** API.md `GET /volunteers/:id/hours`: staff for a volunteer in scope, or the volunteer themself. */
export async function volunteerHours(
  db: DbOrTx,
  c: { userId: string; scope: Scope; canRead: boolean },
  volunteerId: string,
  page: { page: number; pageSize: number },
) {
  const [v] = await db
    .select({ id: volunteers.id, starLevel: volunteers.starLevel, userId: volunteers.userId })
    .from(volunteers)
    .where(
      and(
        eq(volunteers.id, volunteerId),
        c.canRead ? or(volunteerScope(c.scope), eq(volunteers.userId, c.userId)) : eq(volunteers.userId, c.userId),
      ),
    );
  if (!v) throw notFound('志愿者');
  const [totalHoursValue, list] = await Promise.all([
    totalHours(db, v.id),
    pagedEntries(db, [eq(hoursEntries.volunteerId, v.id)], page),
  ]);
  return {
    totalHours: totalHoursValue,
    starLevel: v.starLevel,
    entries: list.items,
    entryCount: list.total,
    page: list.page,
    pageSize: list.pageSize,
  };
}

// ---------- requests (excess and corrections) ----------

const requestColumns = {
  id: hoursRequests.id,
  volunteerId: hoursRequests.volunteerId,
  volunteerName: volunteers.name,
  volunteerNo: volunteers.volunteerNo,
  kind: hoursRequests.kind,
  activityId: hoursRequests.activityId,
  activityTitle: activities.title,
  orderId: hoursRequests.orderId,
  hours: hoursRequests.hours,
  serviceDate: hoursRequests.serviceDate,
  reason: hoursRequests.reason,
  evidenceFileIds: hoursRequests.evidenceFileIds,
  status: hoursRequests.status,
  answer: hoursRequests.answer,
  entryId: hoursRequests.entryId,
  requestedBy: hoursRequests.requestedBy,
  approvedHours: sql<string | null>`(select e.hours from hours_entries e where e.id = "hours_requests"."entry_id")`,
  createdAt: hoursRequests.createdAt,
  decidedAt: hoursRequests.decidedAt,
};
type RequestRow = {
  volunteerId: string;
  requestedBy: string | null;
  hours: string;
  approvedHours: string | null;
  status: RequestStatus;
  kind: 'excess' | 'correction';
};

/** Who sees a request: reviewers of its region, or the volunteer (and whoever asked for them). */
type Viewer = { userId: string; volunteerId: string | null; reviewer: boolean };

/** Who the caller is to a request they see and what the guards look at: nobody decides on their own hours. */
function standing(v: Viewer, r: { volunteerId: string; requestedBy: string | null }) {
  const own = !!v.volunteerId && r.volunteerId === v.volunteerId;
  const parties = new Set<RequestParty>();
  if (v.reviewer) parties.add('reviewer');
  if (own || r.requestedBy === v.userId) parties.add('requester');
  return { parties, ctx: { own } };
}

const presentRequest = <T extends RequestRow>({ requestedBy, ...r }: T, v: Viewer) => {
  const { parties, ctx } = standing(v, { volunteerId: r.volunteerId, requestedBy });
  return {
    ...r,
    hours: Number(r.hours),
    approvedHours: num(r.approvedHours),
    statusName: requestStatusLabels[r.status],
    kindName: hoursKindLabels[r.kind],
    actions: actionsFor(requestMachine, r.status, parties, ctx),
  };
};

export type RequestFilter = {
  status?: RequestStatus;
  kind?: 'excess' | 'correction';
  volunteerId?: string;
  page: number;
  pageSize: number;
};

async function pagedRequests(db: DbOrTx, conds: SQL[], v: Viewer, f: RequestFilter) {
  if (f.status) conds.push(eq(hoursRequests.status, f.status));
  if (f.kind) conds.push(eq(hoursRequests.kind, f.kind));
  if (f.volunteerId) conds.push(eq(hoursRequests.volunteerId, f.volunteerId));
  const { rows, total } = await offsetPage(db, {
    from: hoursRequests,
    rows: () =>
      db
        .select(requestColumns)
        .from(hoursRequests)
        .innerJoin(volunteers, eq(volunteers.id, hoursRequests.volunteerId))
        .leftJoin(activities, eq(activities.id, hoursRequests.activityId)),
    where: and(...conds),
    order: [desc(hoursRequests.createdAt), desc(hoursRequests.id)],
    filter: f,
  });
  return { items: rows.map((r) => presentRequest(r, v)), total, page: f.page, pageSize: f.pageSize };
}

/** The review list (hours:review): requests of the caller's scope, each with what the caller may do now. */
export const listRequests = (db: DbOrTx, c: HoursCaller, f: RequestFilter) =>
  pagedRequests(db, [requestScope(c.scope)], { userId: c.userId, volunteerId: c.volunteerId, reviewer: true }, f);

export async function myRequests(db: DbOrTx, userId: string, f: RequestFilter) {
  const v = await requireMyVolunteer(db, userId);
  return pagedRequests(db, [eq(hoursRequests.volunteerId, v.id)], { userId, volunteerId: v.id, reviewer: false }, f);
}

/**
 * The scoped loader of an hours request: one query that finds it only if the caller may see it — a reviewer
 * (hours:review) with its region in scope, the volunteer it is for, or the staff member who asked for them — and says
 * who the caller is to it. Out of sight = not found.
 */
export async function findRequest(db: DbOrTx, c: HoursCaller, id: string) {
  const reviewerSees = c.permissions.has('hours:review') ? requestScope(c.scope) : sql`false`;
  const [row] = await db
    .select({
      ...requestColumns,
      countyCode: hoursRequests.countyCode,
      regionPath: hoursRequests.regionPath,
      signupId: hoursRequests.signupId,
      volunteerUserId: volunteers.userId,
      reviewer: sql<boolean>`${reviewerSees}`,
    })
    .from(hoursRequests)
    .innerJoin(volunteers, eq(volunteers.id, hoursRequests.volunteerId))
    .leftJoin(activities, eq(activities.id, hoursRequests.activityId))
    .where(
      and(
        eq(hoursRequests.id, id),
        or(reviewerSees, eq(volunteers.userId, c.userId), eq(hoursRequests.requestedBy, c.userId)),
      ),
    );
  if (!row) throw notFound('时长申请');
  const { countyCode, regionPath, signupId, volunteerUserId, reviewer, ...shown } = row;
  const viewer = { userId: c.userId, volunteerId: c.volunteerId, reviewer: !!reviewer };
  return {
    r: row,
    ...standing(viewer, row),
    detail: presentRequest(shown, viewer),
    countyCode,
    regionPath,
    signupId,
    volunteerUserId,
  };
}

/** `GET /hours/requests/:id` and what every command answers: the request with the caller's `actions`. */
export const getRequest = async (db: DbOrTx, c: HoursCaller, id: string) => (await findRequest(db, c, id)).detail;

/** Planned length of an activity in hours (the ceiling of everything credited for it to one volunteer). */
const activityLength = (a: { startAt: Date; endAt: Date }) =>
  roundHours((a.endAt.getTime() - a.startAt.getTime()) / 3600_000);

/** Hours credited to a volunteer for an activity (reversals included) and those still waiting for a decision. */
async function usedForActivity(tx: DbOrTx, volunteerId: string, activityId: string, exceptRequestId?: string) {
  const [[credited], [pending]] = await Promise.all([
    tx
      .select({ h: sql<string>`coalesce(sum(${hoursEntries.hours}), 0)` })
      .from(hoursEntries)
      .where(and(eq(hoursEntries.volunteerId, volunteerId), eq(hoursEntries.activityId, activityId))),
    tx
      .select({ h: sql<string>`coalesce(sum(${hoursRequests.hours}), 0)` })
      .from(hoursRequests)
      .where(
        and(
          eq(hoursRequests.volunteerId, volunteerId),
          eq(hoursRequests.activityId, activityId),
          eq(hoursRequests.status, 'pending'),
          exceptRequestId ? sql`${hoursRequests.id} <> ${exceptRequestId}` : sql`true`,
        ),
      ),
  ]);
  return { credited: Number(credited.h), pending: Number(pending.h) };
}

/** Station and institute admins of the place (those who review its hours). */
export async function reviewersOf(db: DbOrTx, regionPath: string): Promise<string[]> {
  const all = regionPath.split('/').filter(Boolean);
  const county = all.length <= 1;
  const rows = await db
    .select({ userId: roleAssignments.userId })
    .from(roleAssignments)
    .where(
      and(
        inArray(roleAssignments.regionCode, county ? all : all.slice(1)),
        inArray(roleAssignments.roleCode, county ? ['county_admin'] : ['institute_admin', 'station_admin']),
      ),
    );
  return [...new Set(rows.map((r) => r.userId))];
}

const fmt = (h: number) => String(roundHours(h));

export type NewCorrection = {
  activityId: string;
  hours: number;
  reason: string;
  evidenceFileIds: string[];
  volunteerId?: string | null;
};

/**
 * A correction (补录): a volunteer for an activity they signed up to, or staff with hours:review for a volunteer
 * in scope. Evidence is required; with what is credited and pending, never beyond the activity's length.
 */
export async function createCorrection(db: Db, c: HoursCaller, now: Date, input: NewCorrection) {
  const forOther = !!input.volunteerId && input.volunteerId !== c.volunteerId;
  let volunteerId: string;
  if (forOther) {
    if (!c.permissions.has('hours:review')) throw forbidden('只有具备时长审核权限的工作人员才能为他人申请补录');
    volunteerId = input.volunteerId!;
  } else {
    if (!c.volunteerId) throw new AppError('NOT_FOUND', '您还没有注册志愿者，请先注册');
    volunteerId = c.volunteerId;
  }
  const [v] = await db
    .select()
    .from(volunteers)
    .where(and(eq(volunteers.id, volunteerId), eq(volunteers.countyCode, c.countyCode)));
  if (!v) throw invalid('volunteerId', '志愿者不存在');
  const [a] = await db
    .select()
    .from(activities)
    .where(and(eq(activities.id, input.activityId), eq(activities.countyCode, c.countyCode)));
  if (!a) throw invalid('activityId', '活动不存在');
  if (forOther && !regionInScope(c.scope, v.regionPath) && !regionInScope(c.scope, a.regionPath))
    throw invalid('volunteerId', '该志愿者和活动都不在您的管理范围内');
  if (a.state === 'cancelled' || a.state === 'draft')
    throw invalid('activityId', `活动${a.state === 'cancelled' ? '已取消' : '尚未发布'}，不能补录时长`);
  if (a.state === 'pending_confirmation' || a.state === 'returned')
    throw invalid('activityId', '该活动是补录的活动，上级确认后才能补录时长');
  if (a.startAt.getTime() > now.getTime()) throw invalid('activityId', '活动尚未开始，不能补录时长');
  if (!forOther) {
    const [s] = await db
      .select({ id: activitySignups.id })
      .from(activitySignups)
      .where(
        and(
          eq(activitySignups.activityId, a.id),
          eq(activitySignups.volunteerId, volunteerId),
          or(eq(activitySignups.status, 'confirmed'), sql`${activitySignups.checkInAt} is not null`),
        ),
      );
    if (!s) throw invalid('activityId', '您没有报名参加该活动，不能申请补录');
  }
  const evidence = [...new Set(input.evidenceFileIds)];
  if (!evidence.length) throw invalid('evidenceFileIds', '补录时长须上传证明材料（签到表、照片等）');
  const found = await db
    .select({ id: files.id })
    .from(files)
    .where(and(inArray(files.id, evidence), or(eq(files.countyCode, c.countyCode), isNull(files.countyCode))));
  if (found.length !== evidence.length) throw invalid('evidenceFileIds', '证明材料文件不存在，请重新上传');
  const hours = roundHours(input.hours);
  if (!(hours > 0)) throw invalid('hours', '补录时长应大于 0');
  const length = activityLength(a);
  return db.transaction(async (tx) => {
    await lockVolunteer(tx, volunteerId);
    const used = await usedForActivity(tx, volunteerId, a.id);
    const left = roundHours(length - used.credited - used.pending);
    if (hours > left + eps) {
      throw invalid(
        'hours',
        `补录时长不能超过活动时长：活动共 ${fmt(length)} 小时，已认定 ${fmt(used.credited)} 小时` +
          (used.pending ? `、待审核 ${fmt(used.pending)} 小时` : '') +
          `，最多还可补录 ${fmt(Math.max(0, left))} 小时`,
      );
    }
    const [row] = await tx
      .insert(hoursRequests)
      .values({
        countyCode: a.countyCode,
        regionPath: a.regionPath,
        volunteerId,
        kind: 'correction',
        activityId: a.id,
        hours: hours.toFixed(2),
        serviceDate: chinaDate(a.startAt),
        reason: input.reason,
        evidenceFileIds: evidence,
        status: 'pending',
        requestedBy: c.userId,
        createdAt: now,
      })
      .returning();
    const reviewers = await reviewersOf(tx, a.regionPath);
    await notify(tx, {
      countyCode: a.countyCode,
      userIds: reviewers.filter((u) => u !== c.userId),
      kind: 'hours.request',
      title: '新的补录申请',
      body: `${v.name}申请补录“${a.title}”服务时长 ${fmt(hours)} 小时，请审核`,
      entity: 'hours_request',
      entityId: row.id,
      now,
    });
    await addEvent(tx, {
      entity: 'hours_request',
      entityId: row.id,
      action: 'create',
      from: null,
      to: 'pending',
      actor: c.actor,
      at: now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      { action: 'hours.request.create', entity: 'hours_request', entityId: row.id, after: row },
    );
    return row;
  });
}

/**
 * Approve (optionally fewer hours) or reject a pending request; approval appends one ledger row. The volunteer is told
 * either way.
 */
export async function decideRequest(
  db: Db,
  c: HoursCaller,
  now: Date,
  id: string,
  decision: { approve: true; hours?: number; answer?: string } | { approve: false; answer: string },
) {
  const f = await findRequest(db, c, id);
  const action: RequestAction = decision.approve ? 'approve' : 'reject';
  assertAllowed(requestMachine, action, f.r.status, f.parties, f.ctx);
  const r = f.r;
  const [a] = r.activityId ? await db.select().from(activities).where(eq(activities.id, r.activityId)) : [];
  const requested = Number(r.hours);
  let hours = requested;
  if (decision.approve && decision.hours !== undefined) {
    hours = roundHours(decision.hours);
    if (!(hours > 0)) throw invalid('hours', '认定时长应大于 0');
    if (hours > requested + eps) throw invalid('hours', `认定时长不能超过申请的 ${fmt(requested)} 小时`);
  }
  const what = a ? `“${a.title}”` : '';
  const kindName = r.kind === 'correction' ? '补录' : '超时长';
  const answer = decision.answer?.trim() || null;
  return db.transaction(async (tx) => {
    await lockVolunteer(tx, r.volunteerId);
    let entryId: string | null = null;
    if (decision.approve) {
      if (a) {
        const used = await usedForActivity(tx, r.volunteerId, a.id, r.id);
        const left = roundHours(activityLength(a) - used.credited);
        if (hours > left + eps)
          throw invalid(
            'hours',
            `认定后将超过活动时长：活动共 ${fmt(activityLength(a))} 小时，已认定 ${fmt(used.credited)} 小时，` +
              `最多还可认定 ${fmt(Math.max(0, left))} 小时`,
          );
      }
      // the ledger row first (the volunteer is locked), the audit lane last: a lost race rolls both back
      const entry = await appendHours(tx, {
        countyCode: f.countyCode,
        regionPath: f.regionPath,
        volunteerId: r.volunteerId,
        kind: r.kind,
        hours,
        serviceDate: r.serviceDate,
        description:
          (r.kind === 'correction' ? '补录' : '超时长认定') +
          (a ? `：${a.title}` : orderOf(r.reason)) +
          (hours < requested ? `（申请 ${fmt(requested)} 小时，认定 ${fmt(hours)} 小时）` : ''),
        activityId: r.activityId,
        orderId: r.orderId,
        signupId: f.signupId,
        requestId: r.id,
        evidenceFileIds: r.evidenceFileIds,
        createdBy: c.userId,
        createdAt: now,
      });
      entryId = entry.id;
    }
    const updated = await runTransition(tx, {
      machine: requestMachine,
      table: hoursRequests,
      stateKey: 'status',
      record: { id: r.id, countyCode: f.countyCode, state: r.status },
      action,
      actor: c.actor,
      now,
      set: { answer, decidedBy: c.userId, decidedAt: now, entryId },
      lost: '该申请已被他人处理，请刷新',
      note: answer ?? '',
      detail: { entryId, hours: decision.approve ? hours : null },
      tell: () => ({
        userIds: [f.volunteerUserId],
        kind: `hours.request.${decision.approve ? 'approved' : 'rejected'}`,
        title: decision.approve ? `${kindName}申请已通过` : `${kindName}申请未通过`,
        body: decision.approve
          ? `您${what}的${kindName}申请已通过，认定 ${fmt(hours)} 小时${decision.answer ? `。${decision.answer}` : ''}`
          : `您${what}的${kindName}申请未通过：${decision.answer}`,
      }),
    });
    return updated;
  });
}

/** The service an order's excess request names (its reason starts with 点单服务「…」). */
const orderOf = (reason: string) => reason.match(/^点单服务「[^」]*」/)?.[0].replace(/^/, '：') ?? '';

/** Undoes a ledger row by appending its negative (once per row; a reversal cannot be reversed). */
export async function reverseEntry(db: Db, c: HoursCaller, now: Date, id: string, reason: string) {
  const [e] = await db
    .select()
    .from(hoursEntries)
    .where(and(eq(hoursEntries.id, id), entryScope(c.scope)));
  if (!e) throw notFound('时长记录');
  if (e.kind === 'reversal') throw new AppError('INVALID_TRANSITION', '冲正记录不能再冲正');
  const [v] = await db.select({ userId: volunteers.userId }).from(volunteers).where(eq(volunteers.id, e.volunteerId));
  return db.transaction(async (tx) => {
    await lockVolunteer(tx, e.volunteerId);
    const [done] = await tx
      .select({ id: hoursEntries.id })
      .from(hoursEntries)
      .where(
        and(
          eq(hoursEntries.volunteerId, e.volunteerId),
          eq(hoursEntries.serviceDate, e.serviceDate),
          eq(hoursEntries.reversesId, e.id),
        ),
      );
    if (done) throw new AppError('INVALID_TRANSITION', '该记录已冲正，不能重复冲正');
    const row = await appendHours(tx, {
      countyCode: e.countyCode,
      regionPath: e.regionPath,
      volunteerId: e.volunteerId,
      kind: 'reversal',
      hours: -Number(e.hours),
      serviceDate: e.serviceDate,
      description: `冲正：${e.description}（${reason}）`,
      activityId: e.activityId,
      orderId: e.orderId,
      reversesId: e.id,
      createdBy: c.userId,
      createdAt: now,
    });
    await notify(tx, {
      countyCode: e.countyCode,
      userIds: [v?.userId],
      kind: 'hours.reversed',
      title: '服务时长已冲正',
      body: `您 ${e.serviceDate} 的服务时长 ${fmt(Number(e.hours))} 小时已冲正：${reason}`,
      entity: 'hours_entry',
      entityId: row.id,
      now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: e.countyCode },
      {
        action: 'hours.reverse',
        entity: 'hours_entry',
        entityId: e.id,
        after: { reversalId: row.id, hours: row.hours },
        detail: { reason },
      },
    );
    return presentEntry(await readEntry(tx, row.id));
  });
}

// ---------- orders ----------

/**
 * What a completed service order credits: at most the time between its acceptance and its completion (rounded down to
 * the hundredth of an hour); what was claimed beyond that becomes an `excess` request for review, as hours above the
 * daily cap of an activity do (docs/DECISIONS.md, "Order hours are capped by the time served").
 */
export function orderHoursSplit(claimed: number, acceptedAt: Date | null, completedAt: Date) {
  const hours = roundHours(claimed);
  const served = acceptedAt
    ? Math.max(0, Math.floor((completedAt.getTime() - acceptedAt.getTime()) / 36_000)) / 100
    : 0;
  const credited = roundHours(Math.min(hours, served));
  return { hours, served, credited, excess: roundHours(hours - credited) };
}

/**
 * A completed service order credits its hours to each volunteer who served, in the order's own statement
 * (modules/orders folds these CTEs into the completing update, so completion, hours, notifications and the audit
 * event commit together or not at all). `source` names the CTE of the updated order row. Each volunteer's ledger is
 * locked after the order row, sorted by id and `FOR NO KEY UPDATE` as every ledger writer does (`lockVolunteer`);
 * `hours_h` yields the inserted entries, `hours_x` the excess requests (pending review; reviewers see them in their
 * list). The partial unique indexes (order, volunteer) make a repeated completion (after a reopen) a no-op. Nothing is
 * returned — no CTE — when there is nothing to credit or to ask for; else the last CTE, `hours_done`, waits for both.
 */
export function orderHoursCtes(
  p: (v: unknown) => string,
  source: string,
  input: { hours: number; volunteerIds: string[]; createdBy: string | null; now: Date; acceptedAt: Date | null },
): string[] {
  const { hours, served, credited, excess } = orderHoursSplit(input.hours, input.acceptedAt, input.now);
  const ids = [...new Set(input.volunteerIds)].sort();
  if (!(hours > 0) || !ids.length) return [];
  const item = `coalesce((select si.name from service_items si where si.id = o.service_item_id), '服务')`;
  const reason = `申报 ${hours} 小时，接单至完成共 ${served} 小时，超出的 ${excess} 小时需审核后计入`;
  return [
    `hours_l as (select v.id from volunteers v
        where v.id = any(${p(ids)}::uuid[]) and exists (select 1 from ${source})
        order by v.id for no key update of v)`,
    `hours_h as (insert into hours_entries (county_code, region_path, volunteer_id, kind, hours,
        service_date, order_id, description, created_by, created_at)
      select o.county_code, o.region_path, l.id, 'order', ${p(credited.toFixed(2))}::numeric,
        ${p(chinaDate(input.now))}::date, o.id,
        '点单服务：' || ${item}, ${p(input.createdBy)}::uuid, ${p(input.now)}::timestamptz
      from ${source} o, hours_l l where ${credited > 0 ? 'true' : 'false'}
      on conflict do nothing returning id)`,
    `hours_x as (insert into hours_requests (county_code, region_path, volunteer_id, kind,
        order_id, hours, service_date, reason, status, requested_by, created_at)
      select o.county_code, o.region_path, l.id, 'excess', o.id,
        ${p(excess.toFixed(2))}::numeric, ${p(chinaDate(input.now))}::date,
        '点单服务「' || ${item} || '」：' || ${p(reason)}::text,
          'pending', ${p(input.createdBy)}::uuid, ${p(input.now)}::timestamptz
      from ${source} o, hours_l l where ${excess > 0 ? 'true' : 'false'}
      on conflict do nothing returning id)`,
    `hours_done as (select (select count(*) from hours_h) + (select count(*) from hours_x) as n)`,
  ];
}
