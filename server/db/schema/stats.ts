import { sql } from 'drizzle-orm';
import { pgTable, text, uuid, timestamp, bigint, numeric, date, primaryKey, index, integer } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Statistics (modules/stats, docs/METRICS.md). Each source table declares, in SQL, what one of its rows contributes
 * to the figures (`stat_contrib_<table>(row)`: region, day, key, value). A trigger on the table appends the change
 * of that contribution (new minus old) to `stat_deltas` in the writing transaction — an append, so writers never
 * wait on each other — and a fold (on read, and a job every few seconds) moves the deltas into the rollups at every
 * level of the region's path and at day, month and year grain. `cli stats-verify` sums the same functions over the
 * raw rows and compares.
 */
export const statDeltas = pgTable(
  'stat_deltas',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    countyCode: text('county_code').notNull(),
    regionPath: text('region_path').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    key: text('key').notNull(),
    /** For per-volunteer and per-team figures (stat_subjects); null for region figures (stat_rollups). */
    subject: uuid('subject'),
    value: numeric('value').notNull(),
    createdAt: ts('created_at')
      .notNull()
      .default(sql`now()`),
  },
  (t) => [index('stat_deltas_county_idx').on(t.countyCode, t.id)],
);

/** Region figures: one row per region (every level of the path), key, grain (d, m, y) and period start. */
export const statRollups = pgTable(
  'stat_rollups',
  {
    countyCode: text('county_code').notNull(),
    regionCode: text('region_code').notNull(),
    key: text('key').notNull(),
    grain: text('grain', { enum: ['d', 'm', 'y'] }).notNull(),
    period: date('period', { mode: 'string' }).notNull(),
    value: numeric('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.regionCode, t.key, t.grain, t.period] })],
);

/** Per-subject figures (a volunteer's hours, a team's services), for the counts of distinct active subjects. */
export const statSubjects = pgTable(
  'stat_subjects',
  {
    countyCode: text('county_code').notNull(),
    subject: uuid('subject').notNull(),
    key: text('key').notNull(),
    grain: text('grain', { enum: ['d', 'm', 'y'] }).notNull(),
    period: date('period', { mode: 'string' }).notNull(),
    regionPath: text('region_path').notNull(),
    value: numeric('value').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.subject, t.key, t.grain, t.period, t.regionPath] }),
    index('stat_subjects_period_idx').on(t.countyCode, t.key, t.grain, t.period, t.regionPath.op('text_pattern_ops')),
  ],
);

/**
 * 大屏展示链接: a read-only link to the big screen of one region, for a display in a hall that nobody signs in on.
 * Only the token's hash is kept; a link is revoked (or expires) and then answers nothing.
 */
export const displayLinks = pgTable(
  'display_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    regionCode: text('region_code').notNull(),
    label: text('label').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdBy: uuid('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
    revokedBy: uuid('revoked_by'),
    lastUsedAt: ts('last_used_at'),
  },
  (t) => [index('display_links_token_idx').on(t.tokenHash), index('display_links_county_idx').on(t.countyCode)],
);

/** The parts of an annual report that people write (下步打算), kept per region and year while the report is drafted. */
export const reportNotes = pgTable(
  'report_notes',
  {
    countyCode: text('county_code').notNull(),
    regionCode: text('region_code').notNull(),
    year: integer('year').notNull(),
    plans: text('plans').notNull(),
    updatedBy: uuid('updated_by').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.regionCode, t.year] })],
);
