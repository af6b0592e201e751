import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { counters } from '../db/schema/index.js';

/**
 * Per-county number sequences (volunteer numbers, certificate numbers): a platform table, written only here.
 * A module reserves numbers and formats them itself.
 */
export type CounterName = 'volunteer_no' | 'certificate';

/** Makes sure the county's counter exists (idempotent; its own statement, before a batch reserves numbers). */
export async function ensureCounter(db: DbOrTx, countyCode: string, name: CounterName) {
  await db.insert(counters).values({ countyCode, name, value: 0 }).onConflictDoNothing();
}

/**
 * Reserves n consecutive numbers of a county's counter and answers the first; the row lock orders concurrent callers.
 */
export async function reserveNumbers(db: DbOrTx, countyCode: string, name: CounterName, n = 1): Promise<number> {
  await ensureCounter(db, countyCode, name);
  const [row] = await db
    .update(counters)
    .set({ value: sql`${counters.value} + ${n}` })
    .where(and(eq(counters.countyCode, countyCode), eq(counters.name, name)))
    .returning({ value: counters.value });
  return row.value - n + 1;
}

/**
 * The same reservation as one hand-written statement for the volunteer import's pooled client ($1 county, $2 count;
 * answers the last number reserved). bench/volunteers.ts measures the import that uses it.
 */
export const RESERVE_NUMBERS_SQL = (name: CounterName) =>
  `update counters set value = value + $2::int where county_code = $1::text and name = '${name}' returning value`;
