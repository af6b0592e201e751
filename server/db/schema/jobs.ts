import { sql } from 'drizzle-orm';
import { pgTable, text, uuid, timestamp, integer, jsonb, primaryKey, index, uniqueIndex } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Work in the background (imports, sweeps, maintenance) as durable rows, run by platform/jobs.ts: claimed with
 * `FOR UPDATE SKIP LOCKED` under a lease (`locked_by` the claim's token, `locked_until` moved forward by heartbeats),
 * retried with exponential backoff up to `max_attempts`, picked up again by any app server once a lease has expired.
 * A `unique_key` allows one pending (queued or running) job per key: one occurrence per recurring sweep.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The county the job works for; null for sweeps over every county. */
    countyCode: text('county_code'),
    kind: text('kind').notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed'] }).notNull(),
    uniqueKey: text('unique_key'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    /** Not before: when it was enqueued for, or when the next attempt is due. */
    runAt: ts('run_at').notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    lockedBy: text('locked_by'),
    lockedUntil: ts('locked_until'),
    processed: integer('processed').notNull().default(0),
    total: integer('total').notNull().default(0),
    result: jsonb('result').$type<Record<string, unknown>>(),
    /** What the user is told (Chinese); the technical cause is in error_detail. Kept from the last failed attempt. */
    error: text('error'),
    errorDetail: text('error_detail'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    index('jobs_created_idx').on(t.createdBy, t.createdAt),
    index('jobs_due_idx')
      .on(t.runAt)
      .where(sql`status = 'queued'`),
    index('jobs_lease_idx')
      .on(t.lockedUntil)
      .where(sql`status = 'running'`),
    index('jobs_finished_idx')
      .on(t.finishedAt)
      .where(sql`status in ('succeeded', 'failed')`),
    uniqueIndex('jobs_unique_key_uq')
      .on(t.uniqueKey)
      .where(sql`status in ('queued', 'running')`),
  ],
);

/**
 * The committed steps of a resumable job (e.g. the batches of an import), each written in the same statement as the
 * step's own work: a step is done once, and a job resumed after a restart skips the steps it finds here.
 */
export const jobSteps = pgTable(
  'job_steps',
  {
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    step: integer('step').notNull(),
    result: jsonb('result').$type<Record<string, unknown>>().notNull(),
    at: ts('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.step] })],
);
