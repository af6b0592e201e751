import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { files, regions, sites, submissionEvents, submissions } from '../../db/schema/index.js';
import { duplicate, forbidden, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { notify } from '../../platform/notify.js';
import { escapeLike, inScope, type Scope } from '../../platform/scope.js';
import type { RoleGrant } from '../../platform/auth.js';
import { getSetting } from '../settings/service.js';
import { chinaDay, chinaMonth, monthRange, nextMonth } from '../plans/month.js';
import { userNameSql } from '../accounts/sql.js';
import { actionsFor, addEvent, assertAllowed, runTransition, timelineOf } from '../../platform/transitions.js';
import { offsetPage } from '../../platform/lists.js';
import { submissionMachine, type SubmissionAction, type SubmissionParty } from './transitions.js';

export const submissionLevels = { station: '实践站', institute: '实践所' } as const;
export const submissionStates = submissionMachine.states;
export const figureLabels: Record<string, string> = {
  activities: '开展活动（场）',
  activities_lecture: '理论宣讲（场）',
  activities_culture_sports: '文体活动（场）',
  activities_volunteer_service: '志愿服务（场）',
  activities_training: '培训（场）',
  activities_theme: '主题活动（场）',
  participants: '参与志愿者（人）',
  participations: '参与志愿者（人次）',
  hours: '志愿服务时长（小时）',
  beneficiaries: '受益群众（人次）',
  ordersCompleted: '完成点单（单）',
  newVolunteers: '新注册志愿者（人）',
};
type Level = keyof typeof submissionLevels;
type State = keyof typeof submissionStates;

/** Who is calling: their grants (a station admin's village, an institute admin's town, the county). */
export type Caller = {
  actor: Actor;
  userId: string;
  scope: Scope;
  grants: RoleGrant[];
  canSubmit: boolean;
  canReview: boolean;
  now: Date;
};

type RegionRow = typeof regions.$inferSelect;

async function grantRegions(db: DbOrTx, c: Caller): Promise<RegionRow[]> {
  const codes = [
    ...new Set(
      c.grants.filter((g) => g.regionCode && (g.scope === 'subtree' || g.scope === 'own')).map((g) => g.regionCode!),
    ),
  ];
  return codes.length ? db.select().from(regions).where(inArray(regions.code, codes)) : [];
}

/** A station (village) reports to the institute of its town; an institute (town) to the county center. */
const levelOf = (r: { level: string }): Level | null =>
  r.level === 'village' ? 'station' : r.level === 'town' ? 'institute' : null;

/** The submissions a reviewer receives: stations directly under their town, institutes directly under their county. */
function receivedWhere(own: RegionRow[]): SQL {
  const parts = own.flatMap((r) => {
    const level = r.level === 'town' ? 'station' : r.level === 'county' ? 'institute' : null;
    return level
      ? [sql`(${submissions.regionPath} like ${escapeLike(r.path) + '%'} and ${submissions.level} = ${level})`]
      : [];
  });
  return parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`false`;
}
const mineWhere = (own: RegionRow[]): SQL =>
  own.length
    ? inArray(
        submissions.regionCode,
        own.map((r) => r.code),
      )
    : sql`false`;

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/**
 * The month's figures of a region's subtree, computed from the records at submit time. An activity recorded afterwards
 * (补录) counts like any held one, once the level above has confirmed it where the county requires that.
 */
export async function computeFigures(db: DbOrTx, regionPath: string, ym: string): Promise<Record<string, number>> {
  const m = monthRange(ym);
  const like = escapeLike(regionPath) + '%';
  const { rows } = await db.execute(sql`
    with acts as (
      select id, type, beneficiary_count from activities
      where region_path like ${like} and start_at >= ${ts(m.from)} and start_at < ${ts(m.to)}
        and state not in ('draft', 'cancelled', 'pending_confirmation', 'returned')
    ), att as (
      select s.volunteer_id from activity_signups s join acts a on a.id = s.activity_id
        where s.status <> 'cancelled' and s.check_in_at is not null
    )
    select
      (select count(*)::int from acts) as activities,
      (select coalesce(json_object_agg(type, n), '{}'::json)
        from (select type, count(*)::int as n from acts group by type) x) as by_type,
      (select count(distinct volunteer_id)::int from att) as participants,
      (select count(*)::int from att) as participations,
      (select coalesce(sum(beneficiary_count), 0)::int from acts) as beneficiaries,
      (select coalesce(sum(hours), 0)::float8 from hours_entries
        where region_path like ${like} and service_date between ${m.firstDay} and ${m.lastDay}) as hours,
      (select count(*)::int from orders where region_path like ${like} and completed_at >= ${ts(m.from)}
        and completed_at < ${ts(m.to)}) as orders_completed,
      (select count(*)::int from volunteers where region_path like ${like} and created_at >= ${ts(m.from)}
        and created_at < ${ts(m.to)}) as new_volunteers`);
  const r = rows[0] as {
    activities: number;
    by_type: Record<string, number> | string;
    participants: number;
    participations: number;
    beneficiaries: number;
    hours: number;
    orders_completed: number;
    new_volunteers: number;
  };
  const byType = typeof r.by_type === 'string' ? (JSON.parse(r.by_type) as Record<string, number>) : r.by_type;
  return {
    activities: r.activities,
    activities_lecture: byType.lecture ?? 0,
    activities_culture_sports: byType.culture_sports ?? 0,
    activities_volunteer_service: byType.volunteer_service ?? 0,
    activities_training: byType.training ?? 0,
    activities_theme: byType.theme ?? 0,
    participants: r.participants,
    participations: r.participations,
    hours: Math.round(Number(r.hours) * 100) / 100,
    beneficiaries: r.beneficiaries,
    ordersCompleted: r.orders_completed,
    newVolunteers: r.new_volunteers,
  };
}

/** Users of a region who review submissions (role with submission:review granted at that region). */
async function reviewersOf(db: DbOrTx, regionCode: string): Promise<string[]> {
  const { rows } = await db.execute(sql`select distinct ra.user_id from role_assignments ra
      join roles ro on ro.code = ra.role_code join users u on u.id = ra.user_id
    where ra.region_code = ${regionCode} and ro.permissions @> '["submission:review"]'::jsonb and u.active`);
  return (rows as { user_id: string }[]).map((r) => r.user_id);
}

async function checkAttachments(db: DbOrTx, ids: string[] | undefined) {
  if (!ids?.length) return;
  const found = await db.select({ id: files.id }).from(files).where(inArray(files.id, ids));
  const missing = ids.findIndex((id) => !found.some((f) => f.id === id));
  if (missing >= 0) throw invalid(`attachmentIds.${missing}`, '附件不存在，请重新上传');
}

const columns = {
  id: submissions.id,
  regionCode: submissions.regionCode,
  regionName: regions.name,
  level: submissions.level,
  month: submissions.month,
  state: submissions.state,
  summary: submissions.summary,
  figures: submissions.figures,
  attachmentIds: submissions.attachmentIds,
  comment: submissions.comment,
  submittedBy: submissions.submittedBy,
  submitterName: userNameSql(submissions.submittedBy),
  submittedAt: submissions.submittedAt,
  reviewedBy: submissions.reviewedBy,
  reviewerName: userNameSql(submissions.reviewedBy),
  reviewedAt: submissions.reviewedAt,
  version: submissions.version,
};
const withLabels = <T extends { level: Level; state: State }>(s: T) => ({
  ...s,
  levelName: submissionLevels[s.level],
  stateName: submissionStates[s.state],
});

export type SubmitInput = { month: string; summary: string; attachmentIds?: string[]; regionCode?: string };

/** 月度报送: a station admin for their village, an institute admin for their town; figures computed now. */
export async function submit(db: Db, c: Caller, input: SubmitInput) {
  if (input.month > chinaMonth(c.now)) throw invalid('month', '不能报送尚未到来的月份');
  const own = (await grantRegions(db, c)).filter((r) => levelOf(r));
  const region = input.regionCode
    ? own.find((r) => r.code === input.regionCode)
    : own.sort((a, b) => b.path.length - a.path.length)[0];
  if (!region) {
    if (input.regionCode) throw forbidden('只能报送本站（所）的月度台账');
    throw forbidden('只有村（社区）实践站、乡镇实践所的管理员需要月度报送');
  }
  const level = levelOf(region)!;
  await checkAttachments(db, input.attachmentIds);
  const [existing] = await db
    .select()
    .from(submissions)
    .where(and(eq(submissions.regionCode, region.code), eq(submissions.month, input.month)));
  if (existing) {
    if (existing.state === 'returned')
      return resubmit(db, c, existing.id, { summary: input.summary, attachmentIds: input.attachmentIds });
    throw duplicate(
      `${region.name} ${monthRange(input.month).label}已报送（${submissionStates[existing.state]}），不能重复报送`,
      'month',
    );
  }
  const figures = await computeFigures(db, region.path, input.month);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(submissions)
      .values({
        countyCode: region.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        level,
        month: input.month,
        state: 'submitted',
        summary: input.summary,
        figures,
        attachmentIds: input.attachmentIds ?? [],
        submittedBy: c.userId,
        submittedAt: c.now,
        version: 1,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw duplicate(`${region.name} ${monthRange(input.month).label}已报送，不能重复报送`, 'month');
    await addEvent(tx, {
      entity: 'submission',
      entityId: row.id,
      action: 'submit',
      from: null,
      to: 'submitted',
      actor: c.actor,
      at: c.now,
    });
    await notify(tx, {
      countyCode: row.countyCode,
      userIds: await reviewersOf(tx, region.parentCode!),
      kind: 'submission.submit',
      title: '月度报送待审核',
      body: `${region.name} 报送了${monthRange(input.month).label}的工作台账，请审核。`,
      entity: 'submission',
      entityId: row.id,
      now: c.now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: row.countyCode },
      { action: 'submission.submit', entity: 'submission', entityId: row.id, after: row },
    );
    return row.id;
  });
}

const inScopeOf = (c: Caller) => inScope(c.scope, { path: submissions.regionPath, regionCode: submissions.regionCode });

/**
 * The scoped loader of a submission: one query that finds it only if the caller may see it — their own station's or
 * institute's, or one their scope holds — and says whether the caller's level receives it (reviews it). Out of sight =
 * not found.
 */
export async function findSubmission(db: DbOrTx, c: Caller, id: string) {
  const own = await grantRegions(db, c);
  const [row] = await db
    .select({
      ...columns,
      countyCode: submissions.countyCode,
      regionPath: submissions.regionPath,
      inScope: sql<boolean>`${inScopeOf(c)}`,
      received: sql<boolean>`${c.canReview ? receivedWhere(own) : sql`false`}`,
    })
    .from(submissions)
    .innerJoin(regions, eq(regions.code, submissions.regionCode))
    .where(and(eq(submissions.id, id), or(mineWhere(own), inScopeOf(c))));
  if (!row) throw notFound('报送');
  const { countyCode, regionPath, inScope: scoped, received, ...shown } = row;
  return { s: row, shown, own, countyCode, regionPath, ...standing(c, own, row, !!scoped, !!received) };
}
type Found = Awaited<ReturnType<typeof findSubmission>>;

/** Who the caller is to a submission and what the guards look at. */
function standing(
  c: Caller,
  own: RegionRow[],
  s: { regionCode: string; level: Level },
  scoped: boolean,
  received: boolean,
) {
  const parties = new Set<SubmissionParty>();
  if (c.canReview && scoped) parties.add('reviewer');
  if (own.some((r) => r.code === s.regionCode)) parties.add('submitter');
  return { parties, ctx: { received, level: s.level } };
}

const allowed = (f: Found, action: SubmissionAction) =>
  assertAllowed(submissionMachine, action, f.s.state, f.parties, f.ctx);

/** After a return: the submitter sends it again (figures recomputed, version + 1). */
export async function resubmit(db: Db, c: Caller, id: string, input: { summary?: string; attachmentIds?: string[] }) {
  const f = await findSubmission(db, c, id);
  allowed(f, 'resubmit');
  await checkAttachments(db, input.attachmentIds);
  const figures = await computeFigures(db, f.regionPath, f.s.month);
  return db.transaction(async (tx) => {
    const [region] = await tx.select().from(regions).where(eq(regions.code, f.s.regionCode));
    const row = await runTransition(tx, {
      machine: submissionMachine,
      table: submissions,
      record: { id, countyCode: f.countyCode, state: f.s.state },
      action: 'resubmit',
      actor: c.actor,
      now: c.now,
      set: {
        figures,
        summary: input.summary ?? f.s.summary,
        attachmentIds: input.attachmentIds ?? f.s.attachmentIds,
        submittedBy: c.userId,
        submittedAt: c.now,
        reviewedBy: null,
        reviewedAt: null,
        comment: null,
        version: sql`${submissions.version} + 1`,
      },
      lost: '报送状态已变化，请刷新后重试',
      tell: async (t, r) => ({
        userIds: await reviewersOf(t, region.parentCode!),
        kind: 'submission.resubmit',
        title: '月度报送已重新提交',
        body: `${region.name} 重新报送了${monthRange(r.month).label}的工作台账（第 ${r.version} 版），请审核。`,
      }),
    });
    return row.id;
  });
}

/** 审核: the institute accepts or returns its stations' reports, the center its institutes'. A return needs a comment. */
export async function review(db: Db, c: Caller, id: string, action: 'accept' | 'return', comment?: string) {
  if (action === 'return' && !comment?.trim()) throw invalid('comment', '退回时请填写退回意见');
  const f = await findSubmission(db, c, id);
  allowed(f, action);
  const note = comment?.trim() ?? '';
  return db.transaction(async (tx) => {
    const row = await runTransition(tx, {
      machine: submissionMachine,
      table: submissions,
      record: { id, countyCode: f.countyCode, state: f.s.state },
      action,
      actor: c.actor,
      now: c.now,
      set: { comment: note || null, reviewedBy: c.userId, reviewedAt: c.now },
      lost: '报送状态已变化，请刷新后重试',
      note,
      tell: (_t, r) => {
        const label = monthRange(r.month).label;
        return {
          userIds: [r.submittedBy],
          kind: `submission.${action}`,
          title: action === 'accept' ? '月度报送已通过' : '月度报送被退回',
          body:
            action === 'accept'
              ? `您报送的${label}工作台账已审核通过。${note ? `意见：${note}` : ''}`
              : `您报送的${label}工作台账被退回：${note}。请修改后重新报送。`,
        };
      },
    });
    return row.id;
  });
}

export type SubmissionFilter = {
  month?: string;
  state?: State;
  regionCode?: string;
  view?: 'received' | 'mine';
  page: number;
  pageSize: number;
};

/** Reviewers see what their level receives, submitters their own; both for someone who is both, unless `view` says. */
export async function listSubmissions(db: DbOrTx, c: Caller, f: SubmissionFilter) {
  const own = await grantRegions(db, c);
  const received = c.canReview ? receivedWhere(own) : sql`false`;
  const base = f.view === 'received' ? received : f.view === 'mine' ? mineWhere(own) : or(received, mineWhere(own))!;
  const conds: SQL[] = [base, inScope(c.scope, { path: submissions.regionPath, regionCode: submissions.regionCode })];
  if (f.month) conds.push(eq(submissions.month, f.month));
  if (f.state) conds.push(eq(submissions.state, f.state));
  if (f.regionCode) conds.push(sql`${submissions.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
  const { rows, total } = await offsetPage(db, {
    from: submissions,
    rows: () =>
      db
        .select({ ...columns, received: sql<boolean>`${received}` })
        .from(submissions)
        .innerJoin(regions, eq(regions.code, submissions.regionCode)),
    where: and(...conds),
    order: [desc(submissions.month), asc(submissions.level), asc(submissions.regionCode)],
    filter: f,
  });
  // every row of the list is in the caller's scope
  const items = rows.map(({ received: r, ...row }) => {
    const { parties, ctx } = standing(c, own, row, true, !!r);
    return { ...withLabels(row), actions: actionsFor(submissionMachine, row.state, parties, ctx) };
  });
  return { items, total, page: f.page, pageSize: f.pageSize, figureLabels };
}

/** The detail: the submission, its timeline and the caller's `actions`. */
export async function getSubmission(db: DbOrTx, c: Caller, id: string) {
  const f = await findSubmission(db, c, id);
  const [legacy, timeline] = await Promise.all([
    // steps written before the timeline moved to workflow_events (the demo seed still writes here)
    db
      .select({
        action: submissionEvents.action,
        actorName: submissionEvents.actorName,
        comment: submissionEvents.comment,
        at: submissionEvents.at,
      })
      .from(submissionEvents)
      .where(eq(submissionEvents.submissionId, id)),
    timelineOf(db, submissionMachine, id),
  ]);
  const events = [
    ...legacy,
    ...timeline.map((e) => ({ action: e.action, actorName: e.actorName, comment: e.note, at: e.at })),
  ].sort((x, y) => x.at.getTime() - y.at.getTime());
  return {
    ...withLabels(f.shown),
    figureLabels,
    events,
    actions: actionsFor(submissionMachine, f.s.state, f.parties, f.ctx),
  };
}

/**
 * 未报送: the stations of an institute reviewer's town (villages with a 实践站) or the institutes of the county, that
 * have not reported the month or were returned and have not reported again; due on `submissions.dueDay` of the next
 * month.
 */
export async function missing(db: DbOrTx, c: Caller, ym: string) {
  const own = (await grantRegions(db, c)).filter((r) => r.level === 'town' || r.level === 'county');
  const countyCode = own[0]?.countyCode;
  const dueDay = countyCode ? await getSetting<number>(db, countyCode, 'submissions.dueDay') : 5;
  const dueDate = `${nextMonth(ym)}-${String(dueDay).padStart(2, '0')}`;
  const overdue = chinaDay(c.now) > dueDate;
  const items: {
    regionCode: string;
    regionName: string;
    level: Level;
    parentCode: string;
    siteName: string | null;
    submissionId: string | null;
    state: State | null;
    dueDate: string;
    overdue: boolean;
  }[] = [];
  for (const r of own) {
    const kind = r.level === 'town' ? ('station' as const) : ('institute' as const);
    const rows = await db
      .select({
        code: regions.code,
        name: regions.name,
        siteName: sql<string | null>`min(${sites.name})`,
        submissionId: sql<
          string | null
        >`(select s.id from submissions s where s.region_code = ${regions.code} and s.month = ${ym})`,
        state: sql<State | null>`(select s.state from submissions s
          where s.region_code = ${regions.code} and s.month = ${ym})`,
      })
      .from(regions)
      .innerJoin(sites, and(eq(sites.regionCode, regions.code), eq(sites.kind, kind)))
      .where(eq(regions.parentCode, r.code))
      .groupBy(regions.code, regions.name)
      .orderBy(asc(regions.code));
    for (const x of rows) {
      if (x.state && x.state !== 'returned') continue;
      items.push({
        regionCode: x.code,
        regionName: x.name,
        level: kind,
        parentCode: r.code,
        siteName: x.siteName,
        submissionId: x.submissionId,
        state: x.state,
        dueDate,
        overdue,
      });
    }
  }
  return {
    month: ym,
    dueDate,
    overdue,
    total: items.length,
    items: items.map((i) => ({
      ...i,
      levelName: submissionLevels[i.level],
      stateName: i.state ? submissionStates[i.state] : '未报送',
    })),
  };
}
