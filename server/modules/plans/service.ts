import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { activities, activityPlans, regions, sites, type MonthTheme, type PlanEntry } from '../../db/schema/index.js';
import { AppError, duplicate, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { escapeLike, inScope, regionInScope, type Scope } from '../../platform/scope.js';
import { offsetPage } from '../../platform/lists.js';
import { getRegion, requireRegion } from '../regions/service.js';
import { festivalsOf } from './festivals.js';
import { chinaDay, monthRange } from './month.js';

export const activityTypeNames = {
  lecture: '理论宣讲',
  culture_sports: '文体活动',
  volunteer_service: '志愿服务',
  training: '培训',
  theme: '主题活动',
} as const;
export const activityStateNames = {
  draft: '草稿',
  published: '招募中',
  full: '已满员',
  in_progress: '进行中',
  ended: '已结束',
  archived: '已归档',
  cancelled: '已取消',
  pending_confirmation: '待上级确认',
  returned: '已退回',
} as const;

export type PlanInput = { regionCode: string; year: number; title: string; goals?: string; months?: MonthTheme[] };

const planScope = (scope: Scope) =>
  inScope(scope, { path: activityPlans.regionPath, regionCode: activityPlans.regionCode });

const planColumns = {
  id: activityPlans.id,
  regionCode: activityPlans.regionCode,
  regionName: regions.name,
  regionLevel: regions.level,
  siteId: activityPlans.siteId,
  siteName: sql<string | null>`(select s.name from sites s where s.id = ${activityPlans.siteId})`,
  year: activityPlans.year,
  title: activityPlans.title,
  goals: activityPlans.goals,
  months: activityPlans.months,
  activityCount: sql<number>`(select count(*)::int from activities a where a.plan_id = ${activityPlans.id})`,
  createdAt: activityPlans.createdAt,
  updatedAt: activityPlans.updatedAt,
};

const sortMonths = (m: MonthTheme[]) => [...m].sort((a, b) => a.month - b.month);

export type PlanFilter = { year?: number; regionCode?: string; page: number; pageSize: number };

export async function listPlans(db: DbOrTx, scope: Scope, f: PlanFilter) {
  const conds: SQL[] = [planScope(scope)];
  if (f.year) conds.push(eq(activityPlans.year, f.year));
  if (f.regionCode) conds.push(sql`${activityPlans.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
  const { rows, total } = await offsetPage(db, {
    from: activityPlans,
    rows: () =>
      db.select(planColumns).from(activityPlans).innerJoin(regions, eq(regions.code, activityPlans.regionCode)),
    where: and(...conds),
    order: [desc(activityPlans.year), asc(activityPlans.regionPath)],
    filter: f,
  });
  return {
    items: rows.map((r) => ({ ...r, months: sortMonths(r.months) })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** A plan with its activities grouped by month (China time), each month with its theme. */
export async function getPlan(db: DbOrTx, scope: Scope, id: string) {
  const [row] = await db
    .select(planColumns)
    .from(activityPlans)
    .innerJoin(regions, eq(regions.code, activityPlans.regionCode))
    .where(and(eq(activityPlans.id, id), planScope(scope)));
  if (!row) throw notFound('活动计划');
  const acts = await db
    .select({
      id: activities.id,
      title: activities.title,
      type: activities.type,
      state: activities.state,
      startAt: activities.startAt,
      endAt: activities.endAt,
      regionCode: activities.regionCode,
    })
    .from(activities)
    .where(eq(activities.planId, id))
    .orderBy(asc(activities.startAt))
    .limit(2000);
  const months = sortMonths(row.months);
  const byMonth = Array.from({ length: 12 }, (_, i) => {
    const m = months.find((x) => x.month === i + 1);
    return {
      month: i + 1,
      theme: m?.theme ?? null,
      focus: m?.focus ?? null,
      activities: acts
        .filter(
          (a) => Number(chinaDay(a.startAt).slice(5, 7)) === i + 1 && chinaDay(a.startAt).startsWith(String(row.year)),
        )
        .map((a) => ({ ...a, typeName: activityTypeNames[a.type], stateName: activityStateNames[a.state] })),
    };
  });
  return { ...row, months, byMonth };
}

function checkMonths(months: MonthTheme[] | undefined) {
  if (!months) return;
  const seen = new Set<number>();
  months.forEach((m, i) => {
    if (seen.has(m.month)) throw invalid(`months.${i}.month`, `${m.month} 月的主题重复了`);
    seen.add(m.month);
  });
}

/** A plan belongs to an institute (town) or a station (village); its site is that region's institute or station. */
async function planRegion(db: DbOrTx, scope: Scope, code: string) {
  const region = await requireRegion(db, code);
  if (!regionInScope(scope, region.path)) throw notFound('区划');
  if (region.level === 'county')
    throw invalid('regionCode', '活动计划应属于乡镇（文明实践所）或村（社区）（文明实践站）');
  const [site] = await db
    .select({ id: sites.id })
    .from(sites)
    .where(and(eq(sites.regionCode, region.code), eq(sites.kind, region.level === 'town' ? 'institute' : 'station')))
    .orderBy(asc(sites.createdAt))
    .limit(1);
  return { region, siteId: site?.id ?? null };
}

async function assertUnique(db: DbOrTx, regionCode: string, year: number, exceptId?: string) {
  const [dup] = await db
    .select({ id: activityPlans.id })
    .from(activityPlans)
    .where(and(eq(activityPlans.regionCode, regionCode), eq(activityPlans.year, year)));
  if (dup && dup.id !== exceptId) throw duplicate(`该区划 ${year} 年已有活动计划，请直接修改`, 'year');
}

export async function createPlan(db: Db, actor: Actor, scope: Scope, now: Date, input: PlanInput) {
  const { region, siteId } = await planRegion(db, scope, input.regionCode);
  checkMonths(input.months);
  await assertUnique(db, region.code, input.year);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(activityPlans)
      .values({
        countyCode: region.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        siteId,
        year: input.year,
        title: input.title,
        goals: input.goals ?? '',
        months: sortMonths(input.months ?? []),
        createdBy: actor.userId,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw duplicate(`该区划 ${input.year} 年已有活动计划，请直接修改`, 'year');
    await writeAudit(
      tx,
      { ...actor, countyCode: row.countyCode },
      { action: 'plan.create', entity: 'activity_plan', entityId: row.id, after: row },
    );
    return row.id;
  });
}

export async function updatePlan(db: Db, actor: Actor, scope: Scope, now: Date, id: string, input: Partial<PlanInput>) {
  const [before] = await db
    .select()
    .from(activityPlans)
    .where(and(eq(activityPlans.id, id), planScope(scope)));
  if (!before) throw notFound('活动计划');
  checkMonths(input.months);
  const set: Partial<typeof activityPlans.$inferInsert> = { updatedAt: now };
  if (input.title !== undefined) set.title = input.title;
  if (input.goals !== undefined) set.goals = input.goals;
  if (input.months !== undefined)
    // the months' entries (added from needs surveys) are kept when the plan's themes are edited
    set.months = sortMonths(
      input.months.map((m) => {
        const entries = m.entries ?? before.months.find((b) => b.month === m.month)?.entries;
        return entries?.length ? { ...m, entries } : m;
      }),
    );
  if (input.year !== undefined) set.year = input.year;
  if (input.regionCode !== undefined && input.regionCode !== before.regionCode) {
    const { region, siteId } = await planRegion(db, scope, input.regionCode);
    Object.assign(set, { regionCode: region.code, regionPath: region.path, countyCode: region.countyCode, siteId });
  }
  if (set.regionCode || set.year)
    await assertUnique(db, set.regionCode ?? before.regionCode, set.year ?? before.year, id);
  await db.transaction(async (tx) => {
    const [after] = await tx.update(activityPlans).set(set).where(eq(activityPlans.id, id)).returning();
    await writeAudit(
      tx,
      { ...actor, countyCode: after.countyCode },
      { action: 'plan.update', entity: 'activity_plan', entityId: id, before, after },
    );
  });
}

/**
 * Adds an entry to a month of a region's yearly plan (the plan is created, titled after the year, when the region has
 * none; the month too, its theme the entry's title). Runs in the caller's transaction; `month` is YYYY-MM.
 */
export async function addPlanEntry(
  db: DbOrTx,
  actor: Actor,
  scope: Scope,
  now: Date,
  input: { regionCode: string; month: string; entry: PlanEntry },
) {
  const year = Number(input.month.slice(0, 4));
  const month = Number(input.month.slice(5, 7));
  const { region, siteId } = await planRegion(db, scope, input.regionCode);
  await db
    .insert(activityPlans)
    .values({
      countyCode: region.countyCode,
      regionCode: region.code,
      regionPath: region.path,
      siteId,
      year,
      title: `${year} 年活动计划`,
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing();
  // the row lock keeps two entries added at once from overwriting each other's months
  const [before] = await db
    .select()
    .from(activityPlans)
    .where(and(eq(activityPlans.regionCode, region.code), eq(activityPlans.year, year)))
    .for('update');
  const months = before.months.some((m) => m.month === month)
    ? before.months.map((m) => (m.month === month ? { ...m, entries: [...(m.entries ?? []), input.entry] } : m))
    : sortMonths([...before.months, { month, theme: input.entry.title, focus: '', entries: [input.entry] }]);
  const [after] = await db
    .update(activityPlans)
    .set({ months, updatedAt: now })
    .where(eq(activityPlans.id, before.id))
    .returning();
  await writeAudit(
    db,
    { ...actor, countyCode: after.countyCode },
    { action: 'plan.update', entity: 'activity_plan', entityId: after.id, before, after },
  );
  return { planId: after.id, planTitle: after.title, month: input.month };
}

/** The theme of a month for a region: its own plan, else the plan of its town (a station follows its institute). */
export async function themeFor(
  db: DbOrTx,
  region: { code: string; parentCode: string | null; level: string },
  year: number,
  month: number,
) {
  const codes = region.level === 'village' && region.parentCode ? [region.code, region.parentCode] : [region.code];
  const plans = await db
    .select({
      id: activityPlans.id,
      regionCode: activityPlans.regionCode,
      title: activityPlans.title,
      months: activityPlans.months,
    })
    .from(activityPlans)
    .where(and(inArray(activityPlans.regionCode, codes), eq(activityPlans.year, year)));
  for (const code of codes) {
    const p = plans.find((x) => x.regionCode === code);
    const m = p?.months.find((x) => x.month === month);
    if (p && m)
      return {
        planId: p.id,
        planTitle: p.title,
        planRegionCode: code,
        theme: m.theme,
        focus: m.focus,
        inherited: code !== region.code,
      };
  }
  return null;
}

/** 活动日历: each day of a month with its festivals and the scoped activities of the region's subtree. */
export async function calendar(db: DbOrTx, scope: Scope, regionCode: string, ym: string) {
  const region = await getRegion(db, regionCode);
  if (!region || !regionInScope(scope, region.path)) throw notFound('区划');
  const r = monthRange(ym);
  const theme = await themeFor(db, region, r.year, r.month);
  const acts = await db
    .select({
      id: activities.id,
      title: activities.title,
      type: activities.type,
      state: activities.state,
      startAt: activities.startAt,
      endAt: activities.endAt,
      regionCode: activities.regionCode,
    })
    .from(activities)
    .where(
      and(
        sql`${activities.regionPath} like ${escapeLike(region.path) + '%'}`,
        inScope(scope, { path: activities.regionPath, regionCode: activities.regionCode }),
        sql`${activities.startAt} < ${r.to.toISOString()}::timestamptz`,
        sql`${activities.endAt} > ${r.from.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(asc(activities.startAt))
    .limit(3000);
  const festivals = festivalsOf(r.year).filter((f) => f.date.slice(0, 7) === ym);
  const days = Array.from({ length: r.days }, (_, i) => {
    const date = `${ym}-${String(i + 1).padStart(2, '0')}`;
    return {
      date,
      festivals: festivals.filter((f) => f.date === date).map(({ theme: _t, ...f }) => f),
      // an activity over several days shows on each of them
      activities: acts
        .filter((a) => chinaDay(a.startAt) <= date && chinaDay(new Date(a.endAt.getTime() - 1)) >= date)
        .map((a) => ({ ...a, typeName: activityTypeNames[a.type], stateName: activityStateNames[a.state] })),
    };
  });
  return {
    month: ym,
    regionCode: region.code,
    regionName: region.name,
    theme: theme?.theme ?? null,
    focus: theme?.focus ?? null,
    plan: theme,
    days,
  };
}

/** The region a caller works in by default: their own region if it is in scope, else their first granted one. */
export function defaultRegion(a: {
  regionCode: string | null;
  grants: { regionCode: string | null; scope: string }[];
}): string | null {
  const g = a.grants.find((x) => x.regionCode && (x.scope === 'subtree' || x.scope === 'own'));
  return g?.regionCode ?? a.regionCode ?? null;
}

export const requireRegionParam = (code: string | null | undefined) => {
  if (!code) throw new AppError('VALIDATION_FAILED', '请选择区划', [{ path: 'regionCode', message: '请选择区划' }]);
  return code;
};
