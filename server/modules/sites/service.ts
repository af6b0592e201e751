import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Db, DbOrTx } from '../../db/client.js';
import { files, inspections, regions, sites, standards } from '../../db/schema/index.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { escapeLike, inScope, regionInScope, scopeCondition, type Scope } from '../../platform/scope.js';
import { requireRegion } from '../regions/service.js';
import { getSetting, registerSettingOptions } from '../settings/service.js';
import { defaultStandards } from './standards.js';
import { rawJson, type Built, type ListAnswer, type ListDef, type Lists } from '../../platform/lists.js';

export const siteKinds = ['center', 'institute', 'station', 'point', 'base', 'post'] as const;
export type SiteKind = (typeof siteKinds)[number];
export const siteKindLabels: Record<SiteKind, string> = {
  center: '中心',
  institute: '所',
  station: '站',
  point: '点',
  base: '基地',
  post: '志愿服务岗',
};
const kindLevel: Partial<Record<SiteKind, 'county' | 'town' | 'village'>> = {
  center: 'county',
  institute: 'town',
  station: 'village',
};
const levelLabel = { county: '县级', town: '乡镇（街道）级', village: '村（社区）级' };

const siteScope = (scope: Scope) =>
  inScope(scope, { path: sites.regionPath, regionCode: sites.regionCode, owner: sites.createdBy });

/** The latest inspection of a site, as one json value: { compliant, score, inspectedAt }. */
const latest = sql<{ compliant: boolean; score: number; inspectedAt: string } | null>`(
  select json_build_object('compliant', i.compliant, 'score', i.score, 'inspectedAt', i.inspected_at)
  from inspections i where i.site_id = "sites"."id" order by i.inspected_at desc limit 1)`;

export type ComplianceStatus = 'compliant' | 'noncompliant' | 'uninspected';

export function complianceOf(l: { compliant: boolean; score: number; inspectedAt: string } | null, validFrom: Date) {
  if (!l || new Date(l.inspectedAt) < validFrom)
    return {
      status: 'uninspected' as ComplianceStatus,
      score: l ? Number(l.score) : null,
      inspectedAt: l ? new Date(l.inspectedAt).toISOString() : null,
    };
  return {
    status: (l.compliant ? 'compliant' : 'noncompliant') as ComplianceStatus,
    score: Number(l.score),
    inspectedAt: new Date(l.inspectedAt).toISOString(),
  };
}

export async function validFromOf(db: DbOrTx, countyCode: string, now: Date) {
  return validFromMonths(now, await getSetting<number>(db, countyCode, 'sites.inspectionValidMonths'));
}

/** Inspections at or after this instant still count: `months` before now. */
function validFromMonths(now: Date, months: number) {
  const d = new Date(now);
  d.setMonth(d.getMonth() - months);
  return d;
}

export type SiteFilter = {
  kind?: SiteKind;
  regionCode?: string;
  q?: string;
  compliance?: ComplianceStatus;
  page: number;
  pageSize: number;
};

const listColumns = {
  id: sites.id,
  kind: sites.kind,
  name: sites.name,
  regionCode: sites.regionCode,
  regionName: regions.name,
  address: sites.address,
  openingHours: sites.openingHours,
  facilities: sites.facilities,
  contacts: sites.contacts,
  isDemo: sites.isDemo,
  lat: sites.lat,
  lng: sites.lng,
  capacity: sites.capacity,
  latest,
};

/** A standard as every route answers it (schema.ts `Standard`). */
const standardColumns = {
  id: standards.id,
  code: standards.code,
  name: standards.name,
  items: standards.items,
  kinds: standards.kinds,
  passScore: standards.passScore,
  isDefault: standards.isDefault,
};
const presentStandard = ({ id, code, name, items, kinds, passScore, isDefault }: typeof standards.$inferSelect) => ({
  id,
  code,
  name,
  items,
  kinds,
  passScore,
  isDefault,
});

/** An ISO-8601 UTC timestamp as JavaScript's toISOString writes it, from SQL. */
const isoSql = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The sites list is built from sites, their inspections and region names: the 'sites' version (migration 0007). */
export const sitesList: ListDef<SiteFilter> = { name: 'sites', groups: { county: [], global: ['sites'] } };

/**
 * The scoped list, in one round trip, answered as JSON text built by PostgreSQL: the page, its total
 * (`count(*) over ()`), each site's region name and latest inspection, and the compliance status against the
 * county's validity period. Hand-written SQL (parameters only, so it runs as a prepared statement): the scoped
 * list is the busiest read of the admin pages, and building it with the query builder, parsing every row and
 * serialising it again cost more than the query itself (bench/NOTES.md). Kept pages are served by platform/lists.ts;
 * compliance moves with the clock, so a page holds while the validity window starts no later than its oldest
 * still-valid inspection, and lists filtered by compliance (whose membership moves with the clock) are not kept.
 */
export async function listSitesJson(
  database: Database,
  lists: Lists,
  scope: Scope,
  countyCode: string,
  now: Date,
  f: SiteFilter,
): Promise<ListAnswer> {
  const months = await getSetting<number>(database.db, countyCode, 'sites.inspectionValidMonths');
  const validFrom = validFromMonths(now, months);
  return lists.page(sitesList, { scope, countyCode, filter: f, variant: months, at: validFrom.getTime() }, () =>
    buildSitesPage(database, scope, validFrom, f),
  );
}

async function buildSitesPage(database: Database, scope: Scope, validFrom: Date, f: SiteFilter): Promise<Built> {
  const params: unknown[] = [];
  const conds = [
    scopeCondition(scope, { path: 's.region_path', regionCode: 's.region_code', owner: 's.created_by' }, params),
  ];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.kind) conds.push(`s.kind = ${param(f.kind)}`);
  if (f.regionCode) conds.push(`s.region_path like ${param('%/' + escapeLike(f.regionCode) + '/%')}`);
  if (f.q) {
    const q = param(`%${escapeLike(f.q)}%`);
    conds.push(`(s.name ilike ${q} or s.address ilike ${q})`);
  }
  let vf: string | undefined;
  if (f.compliance) {
    vf = param(validFrom.toISOString());
    const li =
      `(select i.compliant from inspections i where i.site_id = s.id and i.inspected_at >= ${vf}::timestamptz ` +
      'order by i.inspected_at desc limit 1)';
    conds.push(
      f.compliance === 'compliant'
        ? `${li} is true`
        : f.compliance === 'noncompliant'
          ? `${li} is false`
          : `${li} is null`,
    );
  }
  const where = conds.join(' and ');
  const whereParams = params.length;
  vf ??= param(validFrom.toISOString());
  const limit = param(f.pageSize);
  const offset = param((f.page - 1) * f.pageSize);
  // Each item is written as text by concatenation (to_json() only to escape strings): json_build_object resolves
  // the type and output function of every argument on every row, which cost PostgreSQL more than the scan, the
  // window count and the 20 index lookups together (bench/NOTES.md). Same keys in the same order as before, compact.
  // The kind (one of siteKinds) and the region code (digits) are written without escaping: nothing else gets in.
  // `valid_until_from` (the oldest inspection still inside the validity window: statuses hold until the window starts
  // after it) tells how long the page holds.
  const { rows } = await database.query(
    `with page as (
      select s.id, s.region_path, s.kind, s.name, s.region_code, s.address, s.opening_hours, s.facilities,
        s.contacts, s.is_demo, s.lat, s.lng, s.capacity,
        count(*) over () as total
      from sites s where ${where}
      order by s.region_path, s.kind, s.name, s.id limit ${limit} offset ${offset})
    select coalesce(max(p.total), 0) as total,
      '[' || coalesce(string_agg('{"id":"' || p.id || '","kind":"' || p.kind || '","name":' || to_json(p.name)
        || ',"regionCode":"' || p.region_code || '","regionName":' || to_json(r.name)
        || ',"address":' || to_json(p.address)
        || ',"openingHours":' || to_json(p.opening_hours) || ',"facilities":' || p.facilities
        || ',"contacts":' || p.contacts
        || ',"isDemo":' || p.is_demo || ',"lat":' || coalesce(p.lat::text, 'null')
        || ',"lng":' || coalesce(p.lng::text, 'null')
        || ',"capacity":' || coalesce(p.capacity::text, 'null') || ',"compliance":{"status":'
        || case when l.inspected_at is null or l.inspected_at < ${vf}::timestamptz then '"uninspected"'
          when l.compliant then '"compliant"' else '"noncompliant"' end
        || ',"score":' || coalesce(l.score::float8::text, 'null') || ',"inspectedAt":'
        || coalesce('"' || ${isoSql('l.inspected_at')} || '"', 'null') || '}}', ','
          order by p.region_path, p.kind, p.name, p.id), '') || ']' as items,
      min(l.inspected_at) filter (where l.inspected_at >= ${vf}::timestamptz) as valid_until_from
    from page p join regions r on r.code = p.region_code
    left join lateral (select i.compliant, i.score, i.inspected_at from inspections i
      where i.site_id = p.id order by i.inspected_at desc limit 1) l on true`,
    params,
  );
  let total = Number(rows[0].total);
  const items = rows[0].items as string;
  const pastEnd = items === '[]' && f.page > 1;
  if (pastEnd) {
    // a page past the end has no row to carry the total
    const { rows: c } = await database.query(
      `select count(*)::int as n from sites s where ${where}`,
      params.slice(0, whereParams),
    );
    total = Number(c[0].n);
  }
  const until = rows[0].valid_until_from as Date | null;
  return {
    items: rawJson(items),
    total,
    until: until ? new Date(until).getTime() : null,
    keep: !f.compliance && !pastEnd,
  };
}

export async function getSite(db: DbOrTx, scope: Scope, countyCode: string, now: Date, id: string) {
  const [row] = await db
    .select({
      ...listColumns,
      description: sites.description,
      standardId: sites.standardId,
      photoIds: sites.photoIds,
      createdAt: sites.createdAt,
      updatedAt: sites.updatedAt,
    })
    .from(sites)
    .innerJoin(regions, eq(regions.code, sites.regionCode))
    .where(and(eq(sites.id, id), siteScope(scope)));
  if (!row) throw notFound('阵地');
  const validFrom = await validFromOf(db, countyCode, now);
  const [standard] = row.standardId
    ? await db.select(standardColumns).from(standards).where(eq(standards.id, row.standardId))
    : [];
  const [li] = await db
    .select()
    .from(inspections)
    .where(eq(inspections.siteId, id))
    .orderBy(desc(inspections.inspectedAt))
    .limit(1);
  // the latest inspection was usually made against the site's standard; an older standard is read by itself
  const [liStandard] =
    !li || li.standardId === standard?.id
      ? [standard]
      : await db.select(standardColumns).from(standards).where(eq(standards.id, li.standardId));
  const { latest: l, ...rest } = row;
  return {
    ...rest,
    compliance: complianceOf(l, validFrom),
    standard: standard ?? null,
    latestInspection: li ? presentInspection(li, liStandard ?? null) : null,
    photos: row.photoIds.map((pid) => ({ id: pid, url: fileUrl(pid) })),
  };
}

export const fileUrl = (id: string) => `/api/v1/files/${id}`;

/** An inspection as every route answers it (schema.ts `Inspection`), with its standard's item names. */
function presentInspection(
  i: typeof inspections.$inferSelect,
  standard: { id: string; name: string; items: { code: string; name: string }[] } | null,
) {
  const names = new Map((standard?.items ?? []).map((x) => [x.code, x.name]));
  return {
    id: i.id,
    inspectedAt: i.inspectedAt,
    inspectorName: i.inspectorName,
    standardId: i.standardId,
    standard: standard ? { id: standard.id, name: standard.name } : null,
    passedCount: i.passedCount,
    totalCount: i.totalCount,
    score: Number(i.score),
    compliant: i.compliant,
    note: i.note,
    results: i.results.map((r) => ({
      itemCode: r.itemCode,
      itemName: names.get(r.itemCode) ?? r.itemCode,
      passed: r.passed,
      note: r.note ?? '',
      photoIds: r.photoIds ?? [],
      photos: (r.photoIds ?? []).map((pid) => ({ id: pid, url: fileUrl(pid) })),
    })),
  };
}

export type SiteInput = {
  kind: SiteKind;
  name: string;
  regionCode: string;
  address: string;
  lat?: number | null;
  lng?: number | null;
  capacity?: number | null;
  openingHours?: string;
  facilities?: string[];
  contacts?: { name: string; phone: string; role?: string }[];
  description?: string;
  standardId?: string | null;
  isDemo?: boolean;
  photoIds?: string[];
};

async function checkPhotos(db: DbOrTx, ids: string[] | undefined, field: string) {
  if (!ids?.length) return;
  const found = await db.select({ id: files.id }).from(files).where(inArray(files.id, ids));
  const missing = ids.filter((x) => !found.some((f) => f.id === x));
  if (missing.length) throw invalid(field, `图片 ${missing[0]} 不存在，请重新上传`);
}

async function checkStandard(db: DbOrTx, countyCode: string, standardId: string | null | undefined) {
  if (!standardId) return;
  const [s] = await db
    .select({ id: standards.id })
    .from(standards)
    .where(and(eq(standards.id, standardId), eq(standards.countyCode, countyCode)));
  if (!s) throw invalid('standardId', '建设标准不存在');
}

// the default standard is chosen among the county's own standards (by code, shown by name)
registerSettingOptions('sites.defaultStandard', (db, countyCode) =>
  db
    .select({ value: standards.code, label: standards.name })
    .from(standards)
    .where(eq(standards.countyCode, countyCode))
    .orderBy(asc(standards.createdAt)),
);

async function defaultStandardId(db: DbOrTx, countyCode: string, kind: SiteKind) {
  const code = await getSetting<string>(db, countyCode, 'sites.defaultStandard');
  const rows = await db
    .select({ id: standards.id, code: standards.code, kinds: standards.kinds })
    .from(standards)
    .where(eq(standards.countyCode, countyCode));
  return (
    (rows.find((s) => s.code === code && s.kinds.includes(kind)) ?? rows.find((s) => s.kinds.includes(kind)))?.id ??
    null
  );
}

/** The region must exist, be inside the caller's scope, and be at the level the kind of site belongs to. */
async function placeSite(db: DbOrTx, scope: Scope, kind: SiteKind, regionCode: string) {
  const region = await requireRegion(db, regionCode);
  if (!regionInScope(scope, region.path)) throw notFound('区划');
  const level = kindLevel[kind];
  if (level && region.level !== level)
    throw invalid('regionCode', `${siteKindLabels[kind]}应设在${levelLabel[level]}区划`);
  return region;
}

export async function createSite(db: Db, scope: Scope, actor: Actor, input: SiteInput) {
  const region = await placeSite(db, scope, input.kind, input.regionCode);
  await checkStandard(db, region.countyCode, input.standardId);
  await checkPhotos(db, input.photoIds, 'photoIds');
  return db.transaction(async (tx) => {
    const standardId = input.standardId ?? (await defaultStandardId(tx, region.countyCode, input.kind));
    const [row] = await tx
      .insert(sites)
      .values({
        ...input,
        countyCode: region.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        standardId,
        createdBy: actor.userId,
      })
      .returning();
    await writeAudit(
      tx,
      { ...actor, countyCode: region.countyCode },
      { action: 'site.create', entity: 'site', entityId: row.id, after: row },
    );
    return row.id;
  });
}

export async function updateSite(db: Db, scope: Scope, actor: Actor, id: string, patch: Partial<SiteInput>) {
  const [before] = await db
    .select()
    .from(sites)
    .where(and(eq(sites.id, id), siteScope(scope)));
  if (!before) throw notFound('阵地');
  const kind = patch.kind ?? before.kind;
  const set: Partial<typeof sites.$inferInsert> = { ...patch, updatedAt: new Date() };
  if (patch.regionCode !== undefined || patch.kind !== undefined) {
    const region = await placeSite(db, scope, kind, patch.regionCode ?? before.regionCode);
    set.regionCode = region.code;
    set.regionPath = region.path;
  }
  await checkStandard(db, before.countyCode, patch.standardId);
  await checkPhotos(db, patch.photoIds, 'photoIds');
  await db.transaction(async (tx) => {
    const [after] = await tx.update(sites).set(set).where(eq(sites.id, id)).returning();
    await writeAudit(
      tx,
      { ...actor, countyCode: before.countyCode },
      { action: 'site.update', entity: 'site', entityId: id, before, after },
    );
  });
}

export async function deleteSite(db: Db, scope: Scope, actor: Actor, id: string) {
  const [before] = await db
    .select()
    .from(sites)
    .where(and(eq(sites.id, id), siteScope(scope)));
  if (!before) throw notFound('阵地');
  await db.transaction(async (tx) => {
    await tx.delete(sites).where(eq(sites.id, id));
    await writeAudit(
      tx,
      { ...actor, countyCode: before.countyCode },
      { action: 'site.delete', entity: 'site', entityId: id, before },
    );
  });
}

// ---------- inspections ----------

export async function listInspections(db: DbOrTx, scope: Scope, countyCode: string, now: Date, siteId: string) {
  const site = await getSite(db, scope, countyCode, now, siteId);
  const rows = await db
    .select()
    .from(inspections)
    .where(eq(inspections.siteId, siteId))
    .orderBy(desc(inspections.inspectedAt));
  const stds = await db
    .select()
    .from(standards)
    .where(
      inArray(
        standards.id,
        [...new Set(rows.map((r) => r.standardId))].concat(site.standard ? [site.standard.id] : []),
      ),
    );
  const byId = new Map(stds.map((s) => [s.id, s]));
  return { items: rows.map((r) => presentInspection(r, byId.get(r.standardId) ?? null)) };
}

export type InspectionInput = {
  standardId?: string;
  inspectedAt?: Date;
  results: { itemCode: string; passed: boolean; note?: string; photoIds?: string[] }[];
  note?: string;
};

/** Records an inspection against a checklist: every item needs a result; the score and compliance are computed. */
export async function inspectSite(
  db: Db,
  scope: Scope,
  actor: Actor,
  now: Date,
  siteId: string,
  input: InspectionInput,
) {
  const [site] = await db
    .select()
    .from(sites)
    .where(and(eq(sites.id, siteId), siteScope(scope)));
  if (!site) throw notFound('阵地');
  const standardId = input.standardId ?? site.standardId;
  if (!standardId) throw invalid('standardId', '该阵地未设置建设标准，请选择检查所依据的标准');
  const [std] = await db
    .select()
    .from(standards)
    .where(and(eq(standards.id, standardId), eq(standards.countyCode, site.countyCode)));
  if (!std) throw invalid('standardId', '建设标准不存在');
  const codes = new Set(std.items.map((i) => i.code));
  input.results.forEach((r, i) => {
    if (!codes.has(r.itemCode)) throw invalid(`results.${i}.itemCode`, `“${std.name}”中没有检查项 ${r.itemCode}`);
  });
  const seen = new Set<string>();
  input.results.forEach((r, i) => {
    if (seen.has(r.itemCode)) throw invalid(`results.${i}.itemCode`, `检查项 ${r.itemCode} 重复`);
    seen.add(r.itemCode);
  });
  const missing = std.items.filter((i) => !seen.has(i.code));
  if (missing.length)
    throw invalid('results', `还有 ${missing.length} 个检查项没有结果：${missing.map((m) => m.name).join('、')}`);
  for (const [i, r] of input.results.entries()) await checkPhotos(db, r.photoIds, `results.${i}.photoIds`);
  const inspectedAt = input.inspectedAt ?? now;
  if (inspectedAt.getTime() > now.getTime() + 5 * 60_000) throw invalid('inspectedAt', '检查时间不能晚于当前时间');
  const passedCount = input.results.filter((r) => r.passed).length;
  const score = Math.round((passedCount / std.items.length) * 1000) / 10;
  const ordered = std.items.map((it) => input.results.find((r) => r.itemCode === it.code)!);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(inspections)
      .values({
        countyCode: site.countyCode,
        siteId,
        standardId: std.id,
        inspectedAt,
        inspectorId: actor.userId,
        inspectorName: actor.name,
        results: ordered,
        passedCount,
        totalCount: std.items.length,
        score: String(score),
        compliant: score >= std.passScore,
        note: input.note ?? '',
      })
      .returning();
    await writeAudit(
      tx,
      { ...actor, countyCode: site.countyCode },
      { action: 'site.inspect', entity: 'site', entityId: siteId, after: row, detail: { inspectionId: row.id, score } },
    );
    return presentInspection(row, std);
  });
}

// ---------- standards ----------

export async function ensureDefaultStandards(db: DbOrTx, countyCode: string) {
  for (const s of defaultStandards) {
    await db
      .insert(standards)
      .values({ ...s, countyCode })
      .onConflictDoNothing();
  }
}

export const listStandards = (db: DbOrTx, countyCode: string) =>
  db
    .select(standardColumns)
    .from(standards)
    .where(eq(standards.countyCode, countyCode))
    .orderBy(desc(standards.isDefault), asc(standards.code));

export type StandardInput = {
  code: string;
  name: string;
  items: { code: string; name: string; description?: string }[];
  kinds: SiteKind[];
  passScore: number;
  isDefault?: boolean;
};

function checkItems(items: StandardInput['items']) {
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (seen.has(it.code)) throw invalid(`items.${i}.code`, `检查项编码 ${it.code} 重复`);
    seen.add(it.code);
  });
}

export async function createStandard(db: Db, actor: Actor, countyCode: string, input: StandardInput) {
  checkItems(input.items);
  return db.transaction(async (tx) => {
    const [dup] = await tx
      .select({ id: standards.id })
      .from(standards)
      .where(and(eq(standards.countyCode, countyCode), eq(standards.code, input.code)));
    if (dup)
      throw new AppError('DUPLICATE', `标准编码 ${input.code} 已存在`, [{ path: 'code', message: '编码已存在' }]);
    if (input.isDefault)
      await tx.update(standards).set({ isDefault: false }).where(eq(standards.countyCode, countyCode));
    const [row] = await tx
      .insert(standards)
      .values({ ...input, countyCode, isDefault: input.isDefault ?? false })
      .returning();
    await writeAudit(
      tx,
      { ...actor, countyCode },
      { action: 'standard.create', entity: 'standard', entityId: row.id, after: row },
    );
    return presentStandard(row);
  });
}

export async function updateStandard(db: Db, actor: Actor, countyCode: string, id: string, input: StandardInput) {
  checkItems(input.items);
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(standards)
      .where(and(eq(standards.id, id), eq(standards.countyCode, countyCode)));
    if (!before) throw notFound('建设标准');
    const [dup] = await tx
      .select({ id: standards.id })
      .from(standards)
      .where(and(eq(standards.countyCode, countyCode), eq(standards.code, input.code), sql`${standards.id} <> ${id}`));
    if (dup)
      throw new AppError('DUPLICATE', `标准编码 ${input.code} 已存在`, [{ path: 'code', message: '编码已存在' }]);
    if (input.isDefault)
      await tx.update(standards).set({ isDefault: false }).where(eq(standards.countyCode, countyCode));
    const [row] = await tx
      .update(standards)
      .set({ ...input })
      .where(eq(standards.id, id))
      .returning();
    await writeAudit(
      tx,
      { ...actor, countyCode },
      { action: 'standard.update', entity: 'standard', entityId: id, before, after: row },
    );
    return presentStandard(row);
  });
}

// ---------- coverage ----------

type CoverageCounts = { villages: number; villagesWithStation: number; villagesCompliant: number };
const rates = (c: CoverageCounts) => ({
  ...c,
  coverageRate: c.villages ? Math.round((c.villagesWithStation / c.villages) * 10000) / 10000 : 0,
  complianceRate: c.villages ? Math.round((c.villagesCompliant / c.villages) * 10000) / 10000 : 0,
});

/**
 * Villages/communities under a region, how many have a station, and how many have a station whose latest
 * inspection (within its validity period) passed. Counted inside the caller's scope.
 */
export async function coverage(db: DbOrTx, scope: Scope, countyCode: string, now: Date, regionCode?: string) {
  let region: typeof regions.$inferSelect;
  if (regionCode) {
    region = await requireRegion(db, regionCode);
    if (!regionInScope(scope, region.path) && !scope.subtrees.some((p) => p.startsWith(region.path)))
      throw notFound('区划');
  } else {
    const [c] = await db
      .select()
      .from(regions)
      .where(and(eq(regions.countyCode, countyCode), eq(regions.level, 'county')));
    if (!c) throw notFound('区划');
    region = c;
  }
  const validFrom = (await validFromOf(db, countyCode, now)).toISOString();
  const villageScope = inScope(scope, { path: sql`v.path`, regionCode: sql`v.code` });
  // each village counts for the child of the region its path runs through: the path segment after the region's
  // ('/county/town/village/'), grouped before the join (a `like` join of children × villages cost twice as much);
  // a village region counts for itself
  const childPart = region.path.split('/').length;
  const { rows } = await db.execute(sql`
    with v as (
      select v.code, v.path,
        exists (select 1 from sites s where s.region_code = v.code and s.kind = 'station') as has_station,
        exists (select 1 from sites s where s.region_code = v.code and s.kind = 'station' and (
          select i.compliant from inspections i where i.site_id = s.id and i.inspected_at >= ${validFrom}::timestamptz
          order by i.inspected_at desc limit 1) is true) as compliant
      from regions v where v.level = 'village' and v.path like ${escapeLike(region.path) + '%'} and ${villageScope}
    ), g as (
      select coalesce(nullif(split_part(v.path, '/', ${childPart}::int), ''), ${region.code}) as child,
        count(*)::int as villages,
        count(*) filter (where v.has_station)::int as with_station,
        count(*) filter (where v.compliant)::int as compliant
      from v group by 1
    )
    select c.code, c.name, g.villages, g.with_station, g.compliant
    from regions c join g on g.child = c.code
    where c.parent_code = ${region.code} or (c.code = ${region.code} and c.level = 'village')
    order by c.code`);
  const byRegion = (
    rows as { code: string; name: string; villages: number; with_station: number; compliant: number }[]
  ).map((r) => ({
    code: r.code,
    name: r.name,
    ...rates({ villages: r.villages, villagesWithStation: r.with_station, villagesCompliant: r.compliant }),
  }));
  const total = byRegion.reduce(
    (a, r) => ({
      villages: a.villages + r.villages,
      villagesWithStation: a.villagesWithStation + r.villagesWithStation,
      villagesCompliant: a.villagesCompliant + r.villagesCompliant,
    }),
    { villages: 0, villagesWithStation: 0, villagesCompliant: 0 },
  );
  return {
    regionCode: region.code,
    regionName: region.name,
    ...rates(total),
    byRegion,
    definitions: {
      coverageRate: '建有新时代文明实践站的村（社区）数 ÷ 村（社区）总数',
      complianceRate: `最近一次检查（${validFrom.slice(0, 10)} 之后）达标的实践站所在村（社区）数 ÷ 村（社区）总数`,
    },
  };
}

// ---------- nearby (H5) ----------

/** The sites a resident or volunteer sees as 附近的实践站: their own village first, then their town. */
export async function nearbySites(db: DbOrTx, countyCode: string, now: Date, regionCode: string | null) {
  if (!regionCode) return { region: null, town: null, items: [] };
  const region = await requireRegion(db, regionCode);
  const townCode = region.level === 'village' ? region.parentCode : region.level === 'town' ? region.code : null;
  const town = townCode ? await requireRegion(db, townCode) : null;
  const base = town ?? region;
  const validFrom = await validFromOf(db, countyCode, now);
  const rows = await db
    .select(listColumns)
    .from(sites)
    .innerJoin(regions, eq(regions.code, sites.regionCode))
    .where(sql`${sites.regionPath} like ${escapeLike(base.path) + '%'}`)
    .orderBy(
      sql`case when ${sites.regionCode} = ${region.code} and ${sites.kind} = 'station' then 0
        when ${sites.regionCode} = ${region.code} then 1 when ${sites.kind} = 'institute' then 2 else 3 end`,
      asc(sites.regionPath),
      asc(sites.name),
    )
    .limit(200);
  return {
    region: { code: region.code, name: region.name },
    town: town ? { code: town.code, name: town.name } : null,
    items: rows.map(({ latest: l, ...r }) => ({
      ...r,
      distanceKm: null as number | null,
      compliance: complianceOf(l, validFrom),
    })),
  };
}
