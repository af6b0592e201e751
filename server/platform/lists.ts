/**
 * Fast scoped lists, one mechanism for every hot list (sites, volunteers, the orders board, activities, households,
 * points accounts, point claims, wishes, articles, publicity, grids, visits, surveys).
 *
 * A list page is built from a few tables and changes only when they change, while the admin pages ask for it many
 * times a minute. So each app server keeps built answers in memory and checks them against the database on every
 * request: the `cache_versions` rows of the list's version groups are bumped once per transaction, visible at commit,
 * by triggers on the tables the list is built from (statement-level over transition tables for the county groups,
 * migration 0016; deferred per-row ones for the global groups, migrations 0007 and 0011). One round trip of
 * primary-key reads (the cost of `/api/health`'s `select 1`) tells whether a kept page is current; writes through
 * another app server, the CLI, a script or psql invalidate it the same way: no time-to-live, nothing to forget.
 *
 * What a list declares (`ListDef`): its name, the version groups it is built from — per county (`volunteers`, bumped
 * as `volunteers:411523` by writes to that county's rows, so another county's writes leave its pages alone) or global
 * (`regions`) — which may depend on the filter (the volunteers list reads team members only when filtered by team).
 * What a request gives: the caller's scope and county, the filter and page, anything else the answer depends on
 * (`variant`: e.g. the caller's own sign-ups), and, for answers that move with the clock, where the clock stands.
 *
 * Totals: the total of a filter is kept beside its pages under the same versions, so paging through a list costs one
 * count per data version, not one per request; a total is exact (`count(*)`), never an estimate.
 *
 * Keyset pages: besides `page`, a list answers `nextCursor` (the sort values of its last row, opaque to clients) and
 * takes it back as `after`, which continues right after that row through the list's index instead of skipping
 * `(page - 1) × pageSize` rows: deep pages cost what the first one does. Every keyset list builds its page with
 * `keysetPage` (its query through its joins, its filter and its sort keys; the count and the bounds are the helper's);
 * a list paged by `page` alone builds it with `offsetPage` (the same, sorted by its ORDER BY, without a cursor).
 *
 * Versions are read **before** the page is built and the page is stored under them: a write that commits while the
 * page is built makes the stored page at least as new as its versions, so it is rebuilt on the next request, never
 * served stale.
 */
import { and, count, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { PgColumn, PgSelect, PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Database, DbOrTx } from '../db/client.js';
import { AppError } from './errors.js';
import type { Deps } from './context.js';
import type { Scope } from './scope.js';

export type ListCacheStats = { entries: number; bytes: number; hits: number; misses: number };

type Entry = { version: string; body: Buffer; total: number; until: number | null };

/** Built answers by key, least recently used dropped first, within an entry and a byte budget. */
export class ListCache {
  private readonly entries = new Map<string, Entry>();
  private readonly totals = new Map<string, { version: string; total: number }>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly maxEntries = 4000,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  /**
   * The answer stored under `key` if it was built at `version` and still holds at `at` (an entry built with an
   * `until` holds while `at <= until`: e.g. the start of the sites' inspection validity window).
   */
  get(key: string, version: string, at = 0): Buffer | undefined {
    const e = this.entries.get(key);
    if (!e || e.version !== version || (e.until !== null && at > e.until)) {
      this.misses++;
      return undefined;
    }
    // least recently used first: move the hit to the end
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e.body;
  }

  set(key: string, version: string, body: Buffer, until: number | null = null, total = 0) {
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.body.length;
      this.entries.delete(key);
    }
    if (body.length > this.maxBytes / 8) return; // one huge page (pageSize 200 of long texts) is not worth a slot
    this.entries.set(key, { version, body, total, until });
    this.bytes += body.length;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.body.length;
    }
  }

  /** The total of a filter (all its pages) counted at `version`. */
  total(key: string, version: string): number | undefined {
    const t = this.totals.get(key);
    return t && t.version === version ? t.total : undefined;
  }

  setTotal(key: string, version: string, total: number) {
    this.totals.delete(key);
    this.totals.set(key, { version, total });
    if (this.totals.size > this.maxEntries)
      for (const k of this.totals.keys()) {
        this.totals.delete(k);
        if (this.totals.size <= this.maxEntries) break;
      }
  }

  clear() {
    this.entries.clear();
    this.totals.clear();
    this.bytes = 0;
  }

  stats(): ListCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses };
  }
}

/** What a list is built from: version groups per county (bumped as `<group>:<county>`) and global ones. */
export type ListGroups = { county: readonly string[]; global?: readonly string[] };

export type ListDef<F> = {
  /** the list's name, part of every key */
  name: string;
  groups: ListGroups | ((f: F) => ListGroups);
};

export type PageFilter = { page: number; pageSize: number; after?: string };

/** JSON text written by the database, put into the answer as is. */
export type RawJson = { readonly raw: string };
export const rawJson = (raw: string): RawJson => ({ raw });

export type Built = {
  items: unknown[] | RawJson;
  total: number;
  /** the answer holds while the request's `at` is at most this (null: until the data changes) */
  until?: number | null;
  /** false: answer, but do not keep (e.g. a page whose membership moves with the clock) */
  keep?: boolean;
  /** keyset lists: the cursor after the last row of this page (null on the last page) */
  nextCursor?: string | null;
};

export type ListRequest<F extends PageFilter> = {
  scope: Scope;
  countyCode: string;
  filter: F;
  /** anything else the answer depends on besides the data, scope and filter (e.g. the caller's volunteer id) */
  variant?: unknown;
  /** where the clock stands for answers that move with it (see Built.until) */
  at?: number;
};

/** The answer: JSON text (kept or just built), sent with `sendJsonText` (platform/responses.ts). */
export type ListAnswer = Buffer | string;

const scopeKey = (s: Scope) => (s.all ? 'all' : [s.subtrees, s.regions, s.self ? s.userId : null]);

/**
 * The counties whose rows a scope can reach, or null for "any" (全部, or 仅本人: own rows may lie anywhere).
 * Every region path starts with its county code; a region code's county is its first six digits.
 */
function scopeCounties(s: Scope): string[] | null {
  if (s.all || s.self) return null;
  const out = new Set<string>();
  for (const p of s.subtrees) out.add(p.split('/').filter(Boolean)[0] ?? '');
  for (const r of s.regions) out.add(r.slice(0, 6));
  return [...out].sort();
}

/** The JSON text of a page in the contract's key order: `{ items, total, page, pageSize }`. */
export function pageJson(b: Built, page: number, pageSize: number): string {
  const text = 'raw' in b.items ? b.items.raw : JSON.stringify(b.items);
  const next = b.nextCursor === undefined ? '' : `,"nextCursor":${JSON.stringify(b.nextCursor)}`;
  return `{"items":${text},"total":${b.total},"page":${page},"pageSize":${pageSize}${next}}`;
}

export class Lists {
  readonly cache?: ListCache;

  constructor(
    private readonly database: Database,
    enabled: boolean,
  ) {
    if (enabled) this.cache = new ListCache();
  }

  /**
   * The versions of the groups, as one string: `name=version` of each existing name, in name order, a name's version
   * being the sum of its shards (each writing backend bumps its own shard, so writers do not queue on one row; every
   * bump adds one to the sum). A name not written yet is absent; its first bump creates it, which changes the string.
   * Scopes that may reach any county read every county's rows of the group.
   */
  async version(groups: ListGroups, counties: string[] | null): Promise<string> {
    const names: string[] = [...(groups.global ?? [])];
    const prefixes: string[] = [];
    for (const g of groups.county) {
      if (counties) for (const c of counties) names.push(`${g}:${c}`);
      else prefixes.push(`${g}:%`);
    }
    const { rows } = await this.database.query(
      `select name, sum(version)::text as version from cache_versions
        where name = any($1::text[]) or name like any($2::text[]) group by name order by name`,
      [names, prefixes],
      { priority: true },
    );
    return rows.map((r) => `${r.name as string}=${String(r.version)}`).join(',');
  }

  /**
   * One page of a list: the kept answer when its versions are current, else `build(knownTotal)` (the total of this
   * filter when it is already known at these versions: build may skip its count), kept for the next request.
   */
  async page<F extends PageFilter>(
    def: ListDef<F>,
    req: ListRequest<F>,
    build: (knownTotal: number | undefined) => Promise<Built>,
  ): Promise<ListAnswer> {
    const { filter: f } = req;
    if (!this.cache) {
      const b = await build(undefined);
      return pageJson(b, f.page, f.pageSize);
    }
    const groups = typeof def.groups === 'function' ? def.groups(f) : def.groups;
    const { page, pageSize, after, ...rest } = f;
    // the total depends on the filter only; the page also on where it starts
    const base = JSON.stringify([def.name, req.countyCode, scopeKey(req.scope), req.variant ?? null, rest]);
    const key = `${base}#${page}/${pageSize}/${after ?? ''}`;
    const version = await this.version(groups, scopeCounties(req.scope));
    const hit = this.cache.get(key, version, req.at ?? 0);
    if (hit) return hit;
    const b = await build(this.cache.total(base, version));
    const body = pageJson(b, page, pageSize);
    if (b.keep === false) return body;
    const buf = Buffer.from(body);
    this.cache.set(key, version, buf, b.until ?? null, b.total);
    this.cache.setTotal(base, version, b.total);
    return buf;
  }
}

const perDeps = new WeakMap<Deps, Lists>();

/** The lists of one app (one cache per app instance, on or off by `WENMING_LIST_CACHE`). */
export function listsOf(deps: Deps): Lists {
  let l = perDeps.get(deps);
  if (!l) perDeps.set(deps, (l = new Lists(deps.database, deps.config.listCache)));
  return l;
}

/** Sends a list answer (JSON text) as is: not parsed and serialised again. */

// ---------- keyset pages ----------

/** A sort key of a list: its column, direction, and the type its text form is checked against in a cursor. */
export type SortKey = {
  column: AnyColumn | SQL;
  desc?: boolean;
  type: 'timestamp' | 'text' | 'uuid' | 'number' | 'boolean';
};

/** The `after` query parameter of keyset lists. */
export const afterQuery = {
  after: z.string().max(1000, '翻页游标过长').optional(),
};

const cursorPatterns: Record<SortKey['type'], RegExp> = {
  timestamp: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  number: /^-?\d+(\.\d+)?$/,
  boolean: /^(true|false)$/,
  text: /^[^\p{Cc}]{0,200}$/u,
};

const badCursor = () =>
  new AppError('VALIDATION_FAILED', '翻页游标不正确，请从第一页重新翻页', [
    { path: 'after', message: '游标应为上一页答复中的 nextCursor' },
  ]);

/** The sort values in a cursor, checked against the keys' types (a bad cursor is a 400, never a database error). */
export function decodeCursor(after: string | undefined, keys: readonly SortKey[]): string[] | undefined {
  if (after === undefined) return undefined;
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (
    !Array.isArray(values) ||
    values.length !== keys.length ||
    !values.every((v, i) => typeof v === 'string' && cursorPatterns[keys[i].type].test(v))
  )
    throw badCursor();
  return values as string[];
}

/** The list's ORDER BY. */
export const keysetOrder = (keys: readonly SortKey[]): SQL[] =>
  keys.map((k) => (k.desc ? sql`${k.column} desc` : sql`${k.column} asc`));

/** The sort values of a row as one text (its text forms keep full precision: microseconds, numerics). */
export const cursorSql = (keys: readonly SortKey[]): SQL<string> =>
  sql<string>`json_build_array(${sql.join(
    keys.map((k) => sql`(${k.column})::text`),
    sql`, `,
  )})::text`;

/** Rows after the cursor's row in the list's order: (k1 after v1) or (k1 = v1 and k2 after v2) or … */
export function keysetAfter(keys: readonly SortKey[], values: readonly string[]): SQL {
  const cast = (k: SortKey, v: string) =>
    k.type === 'timestamp'
      ? sql`${v}::timestamptz`
      : k.type === 'uuid'
        ? sql`${v}::uuid`
        : k.type === 'number'
          ? sql`${v}::numeric`
          : k.type === 'boolean'
            ? sql`${v}::boolean`
            : sql`${v}::text`;
  const parts = keys.map((k, i) => {
    const eqs = keys.slice(0, i).map((p, j) => sql`${p.column} = ${cast(p, values[j])}`);
    const step = k.desc ? sql`${k.column} < ${cast(k, values[i])}` : sql`${k.column} > ${cast(k, values[i])}`;
    return sql`(${sql.join([...eqs, step], sql` and `)})`;
  });
  return sql`(${sql.join(parts, sql` or `)})`;
}

/** The cursor after the last row, or null when the page is not full (nothing follows). */
export function nextCursor(rows: readonly { cursor: string }[], pageSize: number): string | null {
  return rows.length === pageSize ? Buffer.from(rows[rows.length - 1].cursor, 'utf8').toString('base64url') : null;
}

/** A select, whatever its columns and joins, that the page's filter, order and bounds are added to. */
type AnySelect = { $dynamic(): PgSelect; _: { result: unknown[] } };

/** An offset list page: what it is built from, filtered by `where`, sorted by `order`. */
export type OffsetSpec<Q extends AnySelect> = {
  /** the table whose rows the list counts */
  from: PgTable;
  /** joins the count needs for `where` (a filter on a joined table's column); none by default */
  countJoins?: (q: PgSelect) => PgSelect;
  /** the page's query from its table through its joins */
  rows: () => Q;
  where: SQL | undefined;
  /** the list's ORDER BY */
  order: readonly (PgColumn | SQL)[];
  filter: PageFilter;
  /** the filter's total when the list cache already knows it: the count is skipped */
  knownTotal?: number;
};

/**
 * One page of a list paged by `page`: the filter's total (`count(*)`, unless known) and its rows from
 * `(page - 1) × pageSize`, in parallel. `seek` (keyset pages) keeps the rows after a cursor's row, not the total: the
 * page then starts at that row.
 */
export async function offsetPage<Q extends AnySelect>(
  db: DbOrTx,
  p: OffsetSpec<Q>,
  seek?: SQL,
): Promise<{ rows: Q['_']['result']; total: number }> {
  const { where, filter: f } = p;
  const counted = db.select({ n: count() }).from(p.from).$dynamic();
  const [total, rows] = await Promise.all([
    p.knownTotal ??
      (p.countJoins ? p.countJoins(counted) : counted).where(where).then((r) => (r as { n: number }[])[0].n),
    p
      .rows()
      .$dynamic()
      .where(seek ? and(where, seek) : where)
      .orderBy(...p.order)
      .limit(f.pageSize)
      .offset(seek ? 0 : (f.page - 1) * f.pageSize) as Promise<Q['_']['result']>,
  ]);
  return { rows, total };
}

/** A keyset list page: what it is built from, filtered by `where`, sorted by `keys`. */
export type KeysetSpec<Q extends AnySelect> = Omit<OffsetSpec<Q>, 'rows' | 'order' | 'knownTotal'> & {
  /** the page's query from its table through its joins, selecting `cursor` beside its columns */
  rows: (cursor: SQL<string>) => Q;
  keys: readonly SortKey[];
  /** the filter's total when the list cache already knows it: the count is skipped */
  knownTotal: number | undefined;
};

/**
 * One page of a keyset list: an offset page in the order of its sort keys, which starts right after the `after`
 * cursor's row when there is one, and the cursor after its last row.
 */
export async function keysetPage<Q extends AnySelect>(
  db: DbOrTx,
  p: KeysetSpec<Q>,
): Promise<{ rows: Q['_']['result']; total: number; nextCursor: string | null }> {
  const { keys } = p;
  const after = decodeCursor(p.filter.after, keys);
  const { rows, total } = await offsetPage(
    db,
    { ...p, rows: () => p.rows(cursorSql(keys)), order: keysetOrder(keys) },
    after && keysetAfter(keys, after),
  );
  return { rows, total, nextCursor: nextCursor(rows as { cursor: string }[], p.filter.pageSize) };
}
