import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { regions } from '../../db/schema/index.js';
import { invalid, notFound } from '../../platform/errors.js';
import { chinaDate } from '../../platform/clock.js';
import { escapeLike, type Scope } from '../../platform/scope.js';
import { getSetting } from '../settings/service.js';
import { validFromOf } from '../sites/service.js';
import { figureDefinitions, type FigureDefinition } from './definitions.js';
import { ListCache } from '../../platform/lists.js';
import type { Deps } from '../../platform/context.js';
import { EPOCH, segments, type Segment } from './periods.js';

type Region = typeof regions.$inferSelect;
export type Components = Record<string, number>;

export type Figure = { key: string; label: string; value: number; unit: string; definition: string };
export type Overview = {
  regionCode: string;
  regionName: string;
  from: string;
  to: string;
  asOf: Date;
  figures: Figure[];
  regions?: { code: string; name: string; own: boolean; figures: Figure[] }[];
};

// ---------- the fold: deltas → rollups ----------

/**
 * Moves pending deltas into the rollups: at every level of the row's region path, at day, month and year grain,
 * and the per-subject sums. One statement; one folder at a time (a transaction-scoped advisory lock: a second
 * caller returns at once and reads the rollups as they are). Returns the number of deltas folded, or null when
 * another fold was running.
 */
export async function foldDeltas(db: DbOrTx, limit = 50_000): Promise<number | null> {
  // a reader folds before it reads; with nothing pending that is one cheap query, not a transaction and a lock
  const { rows: pending } = await db.execute(sql`select exists (select 1 from stat_deltas) as p`);
  if (!(pending[0] as { p: boolean }).p) return 0;
  return db.transaction(async (tx) => {
    const { rows: lock } = await tx.execute(
      sql`select pg_try_advisory_xact_lock(hashtext('wenming.stats.fold')) as ok`,
    );
    if (!(lock[0] as { ok: boolean }).ok) return null;
    const { rows } = await tx.execute(
      foldInto(sql`
        -- a range of the key, computed once: \`id in (select … limit n)\` may be planned as a semi-join that runs
        -- the subquery again for every row (a rebuild's million deltas planned on an empty table's statistics)
        delete from stat_deltas
        where id <= (select max(id) from (select id from stat_deltas order by id limit ${limit}) first_ones)
        returning county_code, region_path, day, key, subject, value`),
    );
    return (rows[0] as { n: number }).n;
  });
}

/**
 * The fold as one statement: the rows of `source` (county_code, region_path, day, key, subject, value) added into the
 * rollups at every level of their region path and at day, month and year grain, and into the per-subject sums.
 * Answers `n`, the number of source rows.
 */
function foldInto(source: SQL) {
  return sql`
    with taken as (${source}), agg as (
      select county_code, region_path, day, key, subject, sum(value) as value from taken group by 1, 2, 3, 4, 5
    ), grains as (
      select a.county_code, a.region_path, a.key, a.subject, a.value, g.grain,
        case g.grain when 'd' then a.day when 'm' then date_trunc('month', a.day)::date
          else date_trunc('year', a.day)::date end as period
      from agg a cross join (values ('d'), ('m'), ('y')) g(grain)
    ), by_region as (
      insert into stat_rollups as t (county_code, region_code, key, grain, period, value)
      select g.county_code, r.code, g.key, g.grain, g.period, sum(g.value)
      from grains g cross join lateral unnest(string_to_array(trim(both '/' from g.region_path), '/')) r(code)
      where g.subject is null
      group by 1, 2, 3, 4, 5 order by 2, 3, 4, 5
      on conflict (region_code, key, grain, period) do update set value = t.value + excluded.value
      returning 1
    ), by_subject as (
      insert into stat_subjects as t (county_code, subject, key, grain, period, region_path, value)
      select county_code, subject, key, grain, period, region_path, sum(value) from grains
      where subject is not null
      group by 1, 2, 3, 4, 5, 6 order by 2, 3, 4, 5, 6
      on conflict (subject, key, grain, period, region_path) do update set value = t.value + excluded.value
      returning 1
    )
    select (select count(*) from taken)::int as n, (select count(*) from by_region)::int as r,
      (select count(*) from by_subject)::int as s`;
}

/** Folds until nothing is pending (a bulk import may have left more than one batch). */
export async function foldAll(db: DbOrTx) {
  let total = 0;
  for (;;) {
    const n = await foldDeltas(db);
    if (n === null) return total;
    total += n;
    if (n === 0) return total;
  }
}

/** The moment up to which every write is in the rollups: the oldest pending delta's, or now. */
async function asOf(db: DbOrTx, countyCode: string, now: Date): Promise<Date> {
  // the oldest by key (the county's index), not min(created_at): a scan of every pending row of the county
  const { rows } = await db.execute(
    sql`select created_at as t from stat_deltas where county_code = ${countyCode} order by id limit 1`,
  );
  const t = (rows[0] as { t: string | Date } | undefined)?.t;
  return t ? new Date(t) : now;
}

// ---------- regions and periods ----------

export type PeriodQuery = { regionCode?: string; from?: string; to?: string };

/** The region a caller asks about: their own broadest one by default; its whole subtree must be in scope. */
export async function statsRegion(db: DbOrTx, scope: Scope, countyCode: string, regionCode?: string): Promise<Region> {
  let code = regionCode;
  if (!code) {
    if (scope.all) code = countyCode;
    else {
      const paths = [...scope.subtrees, ...scope.regions.map((r) => `/${r}/`)].sort((a, b) => a.length - b.length);
      code = paths[0]?.split('/').filter(Boolean).at(-1);
      if (!code) throw notFound('区划');
    }
  }
  const [region] = await db.select().from(regions).where(eq(regions.code, code));
  if (!region || !(scope.all || scope.subtrees.some((p) => region.path.startsWith(p)) || leafOwn(scope, region)))
    throw notFound('区划');
  if (!scope.all && region.countyCode !== countyCode && !scope.subtrees.some((p) => region.path.startsWith(p)))
    throw notFound('区划');
  return region;
}
// a 本级 grant on a village sees the village's whole (leaf) subtree
const leafOwn = (scope: Scope, region: Region) => region.level === 'village' && scope.regions.includes(region.code);

/** The period asked for, checked: this year up to today by default; `to` not before `from`; at most 10 years. */
export function statsPeriod(q: { from?: string; to?: string }, now: Date) {
  const today = chinaDate(now);
  const to = q.to ?? today;
  const from = q.from ?? `${to.slice(0, 4)}-01-01`;
  if (from < EPOCH) throw invalid('from', `统计期不能早于 ${EPOCH}`);
  if (to < from) throw invalid('to', '统计期结束日期不能早于开始日期');
  const years = Number(to.slice(0, 4)) - Number(from.slice(0, 4));
  if (years > 10 || (years === 10 && to.slice(5) >= from.slice(5)))
    throw invalid('from', '统计期不能超过 10 年，请缩短统计期');
  return { from, to };
}

const segSql = (segs: Segment[]): SQL =>
  segs.length
    ? sql.join(
        segs.map((s) => sql`(grain = ${s.grain} and period between ${s.first}::date and ${s.last}::date)`),
        sql` or `,
      )
    : sql`false`;

/**
 * `with recursive served(id)`: the teams that served by the end of `to` (a service activity held or an order served,
 * from the per-subject rollups) and every team above one — the complement is `teams.neverServed`.
 */
export const servedTeams = (countyCode: string, to: string): SQL => sql`
  with recursive served(id) as (
    select subject from stat_subjects
    where county_code = ${countyCode} and key = 'team.served' and (${segSql(segments(EPOCH, to))})
    group by subject having sum(value) > 0
    union
    select t.parent_id from teams t join served s on t.id = s.id where t.parent_id is not null
  )`;

/** The end of a period's last day in China time, as an instant. */
const endOf = (to: string) => new Date(`${to}T23:59:59.999+08:00`);

// ---------- the overview ----------

const rollupKeys = [
  ...new Set(
    figureDefinitions.flatMap((f) =>
      f.source.kind === 'period' || f.source.kind === 'toDate'
        ? [f.source.key]
        : f.source.kind === 'rate' && f.source.over === 'period'
          ? [f.source.num, f.source.den]
          : [],
    ),
  ),
];

type Group = { code: string; name: string; own: boolean; c: Components };
// the grouping-sets row of a whole region (no region code looks like it)
const TOTAL = '*';

/**
 * The figures of a region and period, with the same figures for each child region when `by` is given (and a
 * "本级" entry for what lies at the region's own level, so the children and it add up to the parent).
 */
export async function overview(
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  now: Date,
  q: PeriodQuery & { by?: 'town' | 'village' },
  cache?: ListCache,
): Promise<Overview> {
  return (await overviewWithComponents(db, scope, countyCode, now, q, cache)).overview;
}

const keptOverviews = new WeakMap<Deps, ListCache>();

/**
 * The overviews an app keeps (off with the list cache, WENMING_LIST_CACHE=0): an answer is built from the rollups,
 * the sites and inspections, the teams, the regions and the county's settings, and kept under the versions of those
 * (platform/lists.ts: bumped by every statement that writes them, a fold included), read before it is built — so a
 * kept answer is never stale, and a dashboard polled by many screens costs a few key reads between folds.
 */
export function overviewCache(deps: Deps): ListCache | undefined {
  if (!deps.config.listCache) return undefined;
  let c = keptOverviews.get(deps);
  if (!c) keptOverviews.set(deps, (c = new ListCache(500, 16 * 1024 * 1024)));
  return c;
}

async function overviewVersion(db: DbOrTx, countyCode: string): Promise<string> {
  const names = ['regions', 'sites', ...['settings', 'stats', 'teams'].map((g) => `${g}:${countyCode}`)];
  const { rows } = await db.execute(sql`
    select name, sum(version)::text as version from cache_versions
    where name in (${sql.join(
      names.map((n) => sql`${n}`),
      sql`, `,
    )})
    group by name order by name`);
  return (rows as { name: string; version: string }[]).map((r) => `${r.name}=${r.version}`).join(',');
}

/**
 * The overview with the components behind each region's figures (numerators and denominators of the rates, by code;
 * the region's own entry under its code): for readers that show how a figure was reached (the assessment).
 */
export async function overviewWithComponents(
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  now: Date,
  q: PeriodQuery & { by?: 'town' | 'village' },
  cache?: ListCache,
): Promise<{ overview: Overview; components: Map<string, Components> }> {
  const region = await statsRegion(db, scope, countyCode, q.regionCode);
  const { from, to } = statsPeriod(q, now);
  if (q.by && !below(region.level, q.by))
    throw invalid('by', '按下级区划分组时，by 应为所选区划的下级（town 或 village）');
  await foldDeltas(db);
  if (!cache) return buildOverview(db, region, from, to, now, q.by);
  // the answer depends on the region and period only (the scope was checked above); asOf moves with the clock
  const key = JSON.stringify([region.code, from, to, q.by ?? null]);
  const version = await overviewVersion(db, region.countyCode);
  const hit = cache.get(key, version);
  if (hit) {
    const kept = JSON.parse(hit.toString()) as { overview: Overview; components: [string, Components][] };
    return {
      overview: { ...kept.overview, asOf: await asOf(db, region.countyCode, now) },
      components: new Map(kept.components),
    };
  }
  const built = await buildOverview(db, region, from, to, now, q.by);
  cache.set(key, version, Buffer.from(JSON.stringify({ ...built, components: [...built.components] })));
  return built;
}

async function buildOverview(
  db: DbOrTx,
  region: Region,
  from: string,
  to: string,
  now: Date,
  by: 'town' | 'village' | undefined,
): Promise<{ overview: Overview; components: Map<string, Components> }> {
  const q = { by };
  const children = q.by
    ? await db
        .select({ code: regions.code, name: regions.name, path: regions.path })
        .from(regions)
        .where(and(eq(regions.level, q.by), sql`${regions.path} like ${escapeLike(region.path) + '_%'}`))
        .orderBy(regions.code)
    : [];
  const part = children.length ? children[0].path.split('/').length - 1 : region.path.split('/').length;
  const comps = await components(
    db,
    region,
    from,
    to,
    part,
    now,
    children.map((c) => c.code),
  );
  const defs = await definitionTexts(db, region.countyCode);
  const total = comps.get(region.code) ?? {};
  const answer: Overview = {
    regionCode: region.code,
    regionName: region.name,
    from,
    to,
    asOf: await asOf(db, region.countyCode, now),
    figures: figuresOf(total, defs),
  };
  if (q.by) {
    const groups: Group[] = children.map((c) => ({
      code: c.code,
      name: c.name,
      own: false,
      c: comps.get(c.code) ?? {},
    }));
    const own = remainder(total, groups, comps.get('') ?? {});
    const list = groups.map((g) => ({ code: g.code, name: g.name, own: false, figures: figuresOf(g.c, defs) }));
    if (Object.values(own).some((v) => v !== 0))
      list.push({ code: region.code, name: `${region.name}本级`, own: true, figures: figuresOf(own, defs) });
    answer.regions = list;
  }
  return { overview: answer, components: comps };
}

const levels = ['county', 'town', 'village'];
/** The level just below a region's, for a `by` grouping (none below a village). */
export const lowerLevel = (region: Pick<Region, 'level'>): 'town' | 'village' | undefined =>
  region.level === 'county' ? 'town' : region.level === 'town' ? 'village' : undefined;
const below = (level: string, by: string) => levels.indexOf(by) > levels.indexOf(level);

/**
 * The components (rollup sums, subject counts, site counts) of the region (keyed by its code) and of each child
 * (by code); '' holds the subject and site counts of rows at the region's own level (not under any child).
 */
async function components(
  db: DbOrTx,
  region: Region,
  from: string,
  to: string,
  part: number,
  now: Date,
  childCodes: string[],
): Promise<Map<string, Components>> {
  const out = new Map<string, Components>();
  const add = (code: string, key: string, v: number) => {
    const c = out.get(code) ?? {};
    c[key] = (c[key] ?? 0) + v;
    out.set(code, c);
  };
  const inPeriod = segSql(segments(from, to));
  const toDateKeys = figureDefinitions.flatMap((f) => (f.source.kind === 'toDate' ? [f.source.key] : []));
  const codes = [region.code, ...childCodes];
  // the pieces of both periods, each read as its own range of the primary key per region and key (a lateral
  // subquery, `offset 0` so it is not flattened into a join the planner answers with a scan of the whole table, as
  // it did an OR of the pieces); a row falls in at most one piece of each period, so the two sums stay apart
  const pieces = [
    ...segments(from, to).map((g) => ({ ...g, p: true })),
    ...segments(EPOCH, to).map((g) => ({ ...g, p: false })),
  ];
  const { rows: sums } = await db.execute(sql`
    select r.region_code, r.key,
      coalesce(sum(r.value) filter (where s.p), 0)::float8 as p,
      coalesce(sum(r.value) filter (where not s.p), 0)::float8 as c
    from (values ${sql.join(
      pieces.map((g) => sql`(${g.grain}::text, ${g.first}::date, ${g.last}::date, ${g.p}::boolean)`),
      sql`, `,
    )}) s(grain, first, last, p)
    cross join lateral (
      select region_code, key, value from stat_rollups
      where grain = s.grain and period between s.first and s.last and region_code in (${sql.join(
        codes.map((c) => sql`${c}`),
        sql`, `,
      )}) and key in (${sql.join(
        rollupKeys.map((k) => sql`${k}`),
        sql`, `,
      )})
      offset 0) r
    group by 1, 2`);
  for (const r of sums as { region_code: string; key: string; p: number; c: number }[]) {
    add(r.region_code, `p:${r.key}`, Number(r.p));
    if (toDateKeys.includes(r.key)) add(r.region_code, `c:${r.key}`, Number(r.c));
  }

  // distinct subjects over the threshold (volunteers' hours, teams' services), each in its own region (where the
  // volunteer is registered, the team formed): the grouping sets count each child and the whole region at once
  const like = escapeLike(region.path) + '%';
  const threshold = Number(await getSetting<number>(db, region.countyCode, 'stats.activeVolunteerHours'));
  // the same expression in the select and the grouping sets (a bound parameter would be a different one)
  const grp = sql.raw(String(Math.trunc(part)));
  for (const [key, min] of [
    ['volunteer.hours', threshold],
    ['team.served', 0],
  ] as const) {
    const { rows } = await db.execute(sql`
      select grp, count(*)::int as n from (
        select case when grouping(split_part(region_path, '/', ${grp})) = 1 then ${TOTAL}
          else split_part(region_path, '/', ${grp}) end as grp
        from stat_subjects
        where county_code = ${region.countyCode} and key = ${key} and region_path like ${like} and (${inPeriod})
        group by grouping sets ((subject), (subject, split_part(region_path, '/', ${grp})))
        having sum(value) > ${min}
      ) x group by grp`);
    for (const r of rows as { grp: string; n: number }[]) add(r.grp === TOTAL ? region.code : r.grp, `s:${key}`, r.n);
  }

  // sites as of the period's end: institutes, stations, compliant stations, villages and villages covered
  const end = endOf(to);
  const validFrom = await validFromOf(db, region.countyCode, end);
  const { rows: siteRows } = await db.execute(sql`
    with s as (
      select s.region_path, s.region_code, s.kind, coalesce((
        select i.compliant from inspections i
        where i.site_id = s.id and i.inspected_at <= ${end.toISOString()}::timestamptz
          and i.inspected_at >= ${validFrom.toISOString()}::timestamptz
        order by i.inspected_at desc limit 1), false) as ok
      from sites s
      where s.county_code = ${region.countyCode} and s.region_path like ${like} and s.kind in ('institute', 'station')
        and s.created_at <= ${end.toISOString()}::timestamptz
    ), v as (
      select v.path, exists (select 1 from s where s.region_code = v.code and s.kind = 'station' and s.ok) as ok
      from regions v where v.level = 'village' and v.path like ${like}
    )
    select grp, sum(institutes)::int as institutes, sum(stations)::int as stations, sum(compliant)::int as compliant,
      sum(villages)::int as villages, sum(covered)::int as covered from (
      select split_part(region_path, '/', ${part}::int) as grp,
        count(*) filter (where kind = 'institute') as institutes,
        count(*) filter (where kind = 'station') as stations,
        count(*) filter (where kind = 'station' and ok) as compliant,
        0 as villages, 0 as covered
      from s group by 1
      union all
      select split_part(path, '/', ${part}::int), 0, 0, 0, count(*), count(*) filter (where ok) from v group by 1
    ) x group by grp`);
  for (const r of siteRows as {
    grp: string;
    institutes: number;
    stations: number;
    compliant: number;
    villages: number;
    covered: number;
  }[]) {
    for (const [k, v] of [
      ['sites.institutes', r.institutes],
      ['sites.stations', r.stations],
      ['sites.compliantStations', r.compliant],
      ['villages', r.villages],
      ['villagesCompliant', r.covered],
    ] as const) {
      add(r.grp, k, v);
      add(region.code, k, v);
    }
  }

  // teams that never served, as of the period's end: neither they nor any team under them
  const { rows: never } = await db.execute(sql`
    ${servedTeams(region.countyCode, to)}
    select split_part(t.region_path, '/', ${part}::int) as grp, count(*)::int as n from teams t
    where t.county_code = ${region.countyCode} and t.region_path like ${like}
      and t.created_at <= ${end.toISOString()}::timestamptz and t.id not in (select id from served)
    group by 1`);
  for (const r of never as { grp: string; n: number }[]) {
    add(r.grp, 'neverServed', r.n);
    add(region.code, 'neverServed', r.n);
  }
  void now;
  return out;
}

/** What lies at the region's own level: the total less its children (rollup sums), or counted directly. */
function remainder(total: Components, groups: Group[], direct: Components): Components {
  const out: Components = {};
  for (const [k, v] of Object.entries(total)) {
    if (k.startsWith('p:') || k.startsWith('c:')) out[k] = v - groups.reduce((a, g) => a + (g.c[k] ?? 0), 0);
  }
  for (const [k, v] of Object.entries(direct)) out[k] = v;
  return out;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** A figure's value from the components. */
export function figureValue(f: FigureDefinition, c: Components): number {
  const s = f.source;
  switch (s.kind) {
    case 'period':
      return round2(c[`p:${s.key}`] ?? 0);
    case 'toDate':
      return round2(c[`c:${s.key}`] ?? 0);
    case 'rate': {
      const [num, den] =
        s.over === 'period' ? [c[`p:${s.num}`] ?? 0, c[`p:${s.den}`] ?? 0] : [c[s.num] ?? 0, c[s.den] ?? 0];
      return den ? round1((num / den) * 100) : 0;
    }
    case 'subjects':
      return c[`s:${s.key}`] ?? 0;
    case 'sites':
      return c[`sites.${s.part}`] ?? 0;
    case 'neverServed':
      return c.neverServed ?? 0;
    case 'none':
      return 0;
  }
}

/** The definitions with the county's settings filled in. */
export async function definitionTexts(db: DbOrTx, countyCode: string) {
  const threshold = await getSetting<number>(db, countyCode, 'stats.activeVolunteerHours');
  return figureDefinitions.map((f) => ({ ...f, definition: f.definition.replace('{threshold}', String(threshold)) }));
}

const figuresOf = (c: Components, defs: FigureDefinition[]): Figure[] =>
  defs.map((f) => ({ key: f.key, label: f.label, value: figureValue(f, c), unit: f.unit, definition: f.definition }));

// ---------- monthly series (trends, 月报) ----------

/**
 * The figures of each month of a period, for those counted over the period (sums and their rates): one query over
 * the month rows (the first and last month cut to the period from day rows).
 */
export async function monthlySeries(db: DbOrTx, scope: Scope, countyCode: string, now: Date, q: PeriodQuery) {
  const region = await statsRegion(db, scope, countyCode, q.regionCode);
  const { from, to } = statsPeriod(q, now);
  await foldDeltas(db);
  const months: string[] = [];
  for (let d = new Date(`${from.slice(0, 7)}-01T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`);) {
    months.push(d.toISOString().slice(0, 7));
    d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  }
  if (months.length > 120) throw invalid('from', '按月统计最多 120 个月');
  const byMonth = new Map<string, Components>(months.map((m) => [m, {}]));
  const { rows } = await db.execute(sql`
    select to_char(period, 'YYYY-MM') as month, key, sum(value)::float8 as v from stat_rollups
    where region_code = ${region.code} and key in (${sql.join(
      rollupKeys.map((k) => sql`${k}`),
      sql`, `,
    )}) and (${segSql(segments(from, to).flatMap(monthly))})
    group by 1, 2`);
  for (const r of rows as { month: string; key: string; v: number }[]) {
    const c = byMonth.get(r.month);
    if (c) c[`p:${r.key}`] = (c[`p:${r.key}`] ?? 0) + Number(r.v);
  }
  const defs = (await definitionTexts(db, region.countyCode)).filter(
    (f) => f.source.kind === 'period' || (f.source.kind === 'rate' && f.source.over === 'period'),
  );
  return {
    regionCode: region.code,
    regionName: region.name,
    from,
    to,
    asOf: await asOf(db, region.countyCode, now),
    keys: defs.map((f) => ({ key: f.key, label: f.label, unit: f.unit, definition: f.definition })),
    months: months.map((m) => ({
      month: m,
      values: Object.fromEntries(defs.map((f) => [f.key, figureValue(f, byMonth.get(m) ?? {})])),
    })),
  };
}

// a year segment is read as its months (so that each month is its own group)
const monthly = (s: Segment): Segment[] =>
  s.grain === 'y' ? [{ grain: 'm', first: s.first, last: `${s.last.slice(0, 4)}-12-01` }] : [s];

// ---------- check and rebuild ----------

export type StatsDifference = {
  table: 'stat_rollups' | 'stat_subjects';
  where: string;
  expected: number;
  actual: number;
};

/**
 * Recomputes every rollup and per-subject sum from the raw rows (the `stat_contributions` view: the same
 * contribution functions the capture triggers use) and lists every difference from what is stored. Pending deltas
 * are folded first.
 */
export async function verifyStats(db: DbOrTx): Promise<StatsDifference[]> {
  await foldAll(db);
  const grains = sql`
    grains as (
      select c.county_code, c.region_path, c.key, c.subject, c.value, g.grain,
        case g.grain when 'd' then c.day when 'm' then date_trunc('month', c.day)::date
          else date_trunc('year', c.day)::date end as period
      from stat_contributions c cross join (values ('d'), ('m'), ('y')) g(grain)
    )`;
  const { rows: r } = await db.execute(sql`
    with ${grains}, expected as (
      select r.code as region_code, g.key, g.grain, g.period, sum(g.value) as value
      from grains g cross join lateral unnest(string_to_array(trim(both '/' from g.region_path), '/')) r(code)
      where g.subject is null group by 1, 2, 3, 4
    )
    select coalesce(e.region_code, s.region_code) as region_code, coalesce(e.key, s.key) as key,
      coalesce(e.grain, s.grain) as grain, coalesce(e.period, s.period)::text as period,
      coalesce(e.value, 0)::float8 as expected, coalesce(s.value, 0)::float8 as actual
    from expected e full join stat_rollups s
      on s.region_code = e.region_code and s.key = e.key and s.grain = e.grain and s.period = e.period
    where coalesce(e.value, 0) <> coalesce(s.value, 0)
    order by 1, 2, 3, 4 limit 1000`);
  const { rows: s } = await db.execute(sql`
    with ${grains}, expected as (
      select subject, key, grain, period, region_path, sum(value) as value from grains
      where subject is not null group by 1, 2, 3, 4, 5
    )
    select coalesce(e.subject, s.subject)::text as subject, coalesce(e.key, s.key) as key,
      coalesce(e.grain, s.grain) as grain, coalesce(e.period, s.period)::text as period,
      coalesce(e.value, 0)::float8 as expected, coalesce(s.value, 0)::float8 as actual
    from expected e full join stat_subjects s
      on s.subject = e.subject and s.key = e.key and s.grain = e.grain and s.period = e.period
        and s.region_path = e.region_path
    where coalesce(e.value, 0) <> coalesce(s.value, 0)
    order by 1, 2, 3, 4 limit 1000`);
  type Row = { key: string; grain: string; period: string; expected: number; actual: number };
  return [
    ...(r as (Row & { region_code: string })[]).map((x) => ({
      table: 'stat_rollups' as const,
      where: `${x.region_code} ${x.key} ${x.grain} ${x.period}`,
      expected: Number(x.expected),
      actual: Number(x.actual),
    })),
    ...(s as (Row & { subject: string })[]).map((x) => ({
      table: 'stat_subjects' as const,
      where: `${x.subject} ${x.key} ${x.grain} ${x.period}`,
      expected: Number(x.expected),
      actual: Number(x.actual),
    })),
  ];
}

/** Throws away the rollups and builds them again from the raw rows (after a repair, or a changed definition). */
export async function rebuildStats(db: DbOrTx): Promise<number> {
  return db.transaction(async (tx) => {
    // one snapshot for the deltas thrown away and the rows counted: a write committed meanwhile keeps its delta
    await tx.execute(sql`set transaction isolation level repeatable read`);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('wenming.stats.fold'))`);
    await tx.execute(sql`delete from stat_deltas`);
    await tx.execute(sql`delete from stat_rollups`);
    await tx.execute(sql`delete from stat_subjects`);
    // the contributions of every row folded in one statement (no deltas written and taken back in batches)
    const { rows } = await tx.execute(
      foldInto(sql`
        select county_code, region_path, day, key, subject, sum(value) as value from stat_contributions
        group by 1, 2, 3, 4, 5 having sum(value) <> 0`),
    );
    return (rows[0] as { n: number }).n;
  });
}
