import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { hoursEntries, volunteers } from '../../db/schema/index.js';

/**
 * The hours ledger (服务时长台账) is append-only: a trigger refuses UPDATE and DELETE on hours_entries. Every
 * module that credits hours goes through `appendHours`; totals are sums over the rows, never a stored counter.
 */
export type HoursEntryInput = {
  countyCode: string;
  regionPath: string;
  volunteerId: string;
  kind: 'attendance' | 'order' | 'excess' | 'correction' | 'reversal';
  hours: number;
  serviceDate: string;
  description: string;
  activityId?: string | null;
  signupId?: string | null;
  orderId?: string | null;
  requestId?: string | null;
  reversesId?: string | null;
  evidenceFileIds?: string[];
  createdBy: string | null;
  createdAt: Date;
};

/** Hours are kept to the hundredth (0.01 h ≈ 36 s). */
export const roundHours = (h: number) => Math.round(h * 100) / 100;

export async function appendHours(tx: DbOrTx, e: HoursEntryInput) {
  const [row] = await tx
    .insert(hoursEntries)
    .values({
      countyCode: e.countyCode,
      regionPath: e.regionPath,
      volunteerId: e.volunteerId,
      kind: e.kind,
      hours: roundHours(e.hours).toFixed(2),
      serviceDate: e.serviceDate,
      description: e.description,
      activityId: e.activityId ?? null,
      signupId: e.signupId ?? null,
      orderId: e.orderId ?? null,
      requestId: e.requestId ?? null,
      reversesId: e.reversesId ?? null,
      evidenceFileIds: e.evidenceFileIds ?? [],
      createdBy: e.createdBy,
      createdAt: e.createdAt,
    })
    .returning();
  return row!;
}

/**
 * Serialises every credit for one volunteer (daily cap, star checks) on the volunteer row; NO KEY UPDATE, so inserts
 * that only reference the volunteer (foreign keys) are not blocked.
 */
export async function lockVolunteer(tx: DbOrTx, volunteerId: string) {
  await tx.select({ id: volunteers.id }).from(volunteers).where(eq(volunteers.id, volunteerId)).for('no key update');
}

/** Verified hours of a volunteer, all time or up to and including a date. */
export async function totalHours(tx: DbOrTx, volunteerId: string, upTo?: string): Promise<number> {
  const [r] = await tx
    .select({ h: sql<string>`coalesce(sum(${hoursEntries.hours}), 0)` })
    .from(hoursEntries)
    .where(
      upTo
        ? and(eq(hoursEntries.volunteerId, volunteerId), sql`${hoursEntries.serviceDate} <= ${upTo}`)
        : eq(hoursEntries.volunteerId, volunteerId),
    );
  return Number(r!.h);
}

/** Hours already credited to a volunteer on one service date (for the daily cap). */
export async function hoursOnDate(tx: DbOrTx, volunteerId: string, serviceDate: string): Promise<number> {
  const [r] = await tx
    .select({ h: sql<string>`coalesce(sum(${hoursEntries.hours}), 0)` })
    .from(hoursEntries)
    .where(and(eq(hoursEntries.volunteerId, volunteerId), eq(hoursEntries.serviceDate, serviceDate)));
  return Number(r!.h);
}

export { chinaDate } from '../../platform/clock.js';
