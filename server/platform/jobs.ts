import { eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { jobs } from '../db/schema/index.js';
import { notFound } from './errors.js';

/** A job row: what the UI polls for progress. The work itself runs in-process, off the request when asked. */
export async function createJob(db: DbOrTx, countyCode: string, kind: string, createdBy: string | null, now: Date) {
  const [row] = await db
    .insert(jobs)
    .values({ countyCode, kind, status: 'running', createdBy, startedAt: now })
    .returning();
  return row;
}

export async function progress(db: Db, id: string, processed: number, total: number) {
  await db.update(jobs).set({ processed, total }).where(eq(jobs.id, id));
}

export async function finishJob(db: Db, id: string, result: Record<string, unknown>, now: Date) {
  await db
    .update(jobs)
    .set({ status: 'succeeded', result, finishedAt: now, processed: sql`${jobs.total}` })
    .where(eq(jobs.id, id));
}

export async function failJob(db: Db, id: string, error: string, now: Date) {
  await db.update(jobs).set({ status: 'failed', error, finishedAt: now }).where(eq(jobs.id, id));
}

/** Jobs are visible to the user who started them. */
export async function getJob(db: DbOrTx, id: string, userId: string) {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  if (!row || row.createdBy !== userId) throw notFound('任务');
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    processed: row.processed,
    total: row.total,
    percent: row.total
      ? Math.min(100, Math.round((row.processed / row.total) * 100))
      : row.status === 'succeeded'
        ? 100
        : 0,
    result: row.result,
    error: row.error,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}
