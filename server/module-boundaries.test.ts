import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import * as schema from './db/schema/index.js';

/**
 * Module boundaries (docs/DECISIONS.md "Module boundaries"): a module writes only the tables it owns; another module's
 * tables change through that module's service, and the platform's tables through server/platform. This test reads
 * the source: every drizzle `.insert(t)` / `.update(t)` / `.delete(t)` and every hand-written `insert into` /
 * `update … set` / `delete from` in server/modules/<m>/ must name a table of <m>. Reading across modules is free.
 */
const owners: Record<string, readonly string[]> = {
  accounts: ['users', 'roles', 'role_assignments', 'sessions', 'sms_codes'],
  regions: ['regions'],
  settings: ['settings'],
  sites: ['sites', 'inspections', 'standards'],
  files: ['files'],
  notifications: ['notifications', 'outbox', 'delivery_log'],
  volunteers: ['volunteers', 'consents'],
  teams: ['teams', 'team_members', 'team_categories'],
  orders: ['orders', 'order_events', 'service_items', 'households', 'household_members', 'follow_ups'],
  plans: ['activity_plans'],
  activities: ['activities', 'activity_shifts', 'activity_signups', 'activity_participants'],
  hours: ['hours_entries', 'hours_requests'],
  stars: ['star_applications'],
  certificates: ['certificates'],
  submissions: ['submissions', 'submission_events'],
  points: [
    'point_accounts',
    'point_transactions',
    'point_movements',
    'point_rules',
    'point_claims',
    'point_adjustments',
    'point_privileges',
    'point_award_activities',
  ],
  shop: ['shop_goods', 'shop_redemptions'],
  wishes: ['wishes', 'wish_claims'],
  honors: ['honors'],
  articles: ['articles', 'article_views', 'publicity_items'],
  grids: ['grids', 'grid_links', 'pairings', 'visits'],
  surveys: ['surveys', 'survey_responses'],
  ledgers: [],
  audit: [],
  // the rollups are written by the fold; the deltas by the capture triggers of the source tables (migration 0016)
  stats: ['stat_deltas', 'stat_rollups', 'stat_subjects', 'display_links', 'report_notes'],
};

/**
 * Written by a module although another part owns it, on purpose; each with the reason. Everything else is a failure.
 * - job_steps: the volunteer import records a finished batch's step in the batch's own statement, so that a resumed
 *   import never applies a batch twice (platform/jobs.ts's step contract, docs/DECISIONS.md "Work in the background").
 */
const allowed: Record<string, readonly string[]> = {
  volunteers: ['job_steps'],
};

const tables = new Map<string, string>(); // exported name → SQL name
for (const [name, value] of Object.entries(schema)) if (is(value, PgTable)) tables.set(name, getTableName(value));
const sqlNames = new Set(tables.values());

const modulesDir = path.join(import.meta.dirname, 'modules');
const sourceFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.ts$/.test(e.name) && !/\.test(-util)?\.ts$/.test(e.name) ? [p] : [];
  });

/** The tables a source file writes, with the line of each write. */
function writes(source: string): { table: string; line: number }[] {
  const found: { table: string; line: number }[] = [];
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  for (const m of source.matchAll(/\.(?:insert|update|delete)\(\s*(\w+)\s*\)/g)) {
    const table = tables.get(m[1]);
    if (table) found.push({ table, line: lineOf(m.index) });
  }
  const raw = /\b(?:insert\s+into|delete\s+from)\s+"?(\w+)"?|\bupdate\s+"?(\w+)"?(?:\s+(?:as\s+)?\w+)?\s+set\b/gi;
  for (const m of source.matchAll(raw)) {
    const table = m[1] ?? m[2];
    if (sqlNames.has(table)) found.push({ table, line: lineOf(m.index) });
  }
  return found;
}

describe('module boundaries', () => {
  it('knows every module and every table it owns', () => {
    const modules = fs.readdirSync(modulesDir).filter((d) => fs.statSync(path.join(modulesDir, d)).isDirectory());
    expect(modules.length).toBeGreaterThan(15);
    for (const m of modules) expect(owners, `module ${m} has no entry in owners`).toHaveProperty(m);
    for (const t of Object.values(owners).flat())
      expect(sqlNames, `owners names a table ${t} that does not exist`).toContain(t);
  });

  it('a module writes only its own tables', () => {
    const crossings: string[] = [];
    let seen = 0;
    for (const m of Object.keys(owners)) {
      const dir = path.join(modulesDir, m);
      if (!fs.existsSync(dir)) continue;
      for (const file of sourceFiles(dir)) {
        for (const w of writes(fs.readFileSync(file, 'utf8'))) {
          seen++;
          if (owners[m].includes(w.table) || allowed[m]?.includes(w.table)) continue;
          crossings.push(`${path.relative(modulesDir, file)}:${w.line} writes ${w.table}`);
        }
      }
    }
    // the scan itself must see the writes it polices (a broken pattern would pass every module)
    expect(seen).toBeGreaterThan(100);
    expect(crossings).toEqual([]);
  });

  it('recognises a crossing when there is one', () => {
    expect(writes('await tx.update(pointAccounts).set({ balance: 1 })')).toEqual([
      { table: 'point_accounts', line: 1 },
    ]);
    expect(writes('sql`update point_accounts a set balance = 0`')).toEqual([{ table: 'point_accounts', line: 1 }]);
    expect(writes('`insert into "wishes" (id) values ($1)`')).toEqual([{ table: 'wishes', line: 1 }]);
    expect(writes('// we update volunteers as needed, see below')).toEqual([]);
  });
});
