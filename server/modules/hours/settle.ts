import type { DbOrTx } from '../../db/client.js';
import { hoursRequests, type activities, type activitySignups, type activityShifts } from '../../db/schema/index.js';
import type { Actor } from '../../platform/audit.js';
import { getSettings } from '../settings/service.js';
import { appendHours, chinaDate, hoursOnDate, lockVolunteer, roundHours } from './ledger.js';

type Signup = typeof activitySignups.$inferSelect;
type Activity = typeof activities.$inferSelect;
type Shift = typeof activityShifts.$inferSelect;

export type Settlement = { credited: number; pending: number; reason: string | null };

const HOUR = 3600_000;

/**
 * Turns one attendance (a check-out, or a row of a paper sign-in sheet) into hours, inside the caller's transaction:
 * - actual = min(check-out, window end) − max(check-in, window start), the window being the shift's or the
 *   activity's: travel and early arrival are not service;
 * - below `activities.minAttendanceRatio` % of the planned (window) length nothing is credited;
 * - otherwise credited at once up to `activities.dailyHoursCap` a person a service date (every kind of hours
 *   already on that date counts), the rest becomes an `excess` request pending approval.
 * The activities module claims the sign-up first (its `hours_settled_at`, a conditional update, so a sign-up is settled
 * at most once; the ledger also has a unique attendance row per sign-up) and calls this in the same transaction: the
 * hours module writes only its own tables.
 */
export async function settleAttendance(
  tx: DbOrTx,
  input: { signup: Signup; activity: Activity; shift?: Shift | null; actor: Actor; now: Date },
): Promise<Settlement> {
  const { signup, activity, shift, actor, now } = input;
  if (!signup.checkInAt || !signup.checkOutAt) return { credited: 0, pending: 0, reason: '未完成签到签退，不计时长' };

  const windowStart = (shift ?? activity).startAt.getTime();
  const windowEnd = (shift ?? activity).endAt.getTime();
  const from = Math.max(signup.checkInAt.getTime(), windowStart);
  const to = Math.min(signup.checkOutAt.getTime(), windowEnd);
  const actualMs = Math.max(0, to - from);
  const plannedMs = windowEnd - windowStart;
  const s = await getSettings(tx, activity.countyCode);
  const ratio = s['activities.minAttendanceRatio'] as number;
  const cap = s['activities.dailyHoursCap'] as number;
  if (actualMs < (ratio / 100) * plannedMs || actualMs <= 0) {
    return { credited: 0, pending: 0, reason: `实际时长不足计划时长的 ${ratio}%，不计时长` };
  }
  const actual = roundHours(actualMs / HOUR);
  if (actual <= 0) return { credited: 0, pending: 0, reason: '实际时长不足 0.01 小时，不计时长' };

  await lockVolunteer(tx, signup.volunteerId);
  const serviceDate = chinaDate(new Date(from));
  const today = await hoursOnDate(tx, signup.volunteerId, serviceDate);
  const credited = roundHours(Math.max(0, Math.min(actual, cap - today)));
  const pending = roundHours(actual - credited);
  const base = {
    countyCode: activity.countyCode,
    regionPath: activity.regionPath,
    volunteerId: signup.volunteerId,
    serviceDate,
    activityId: activity.id,
    signupId: signup.id,
  };
  if (credited > 0) {
    await appendHours(tx, {
      ...base,
      kind: 'attendance',
      hours: credited,
      description: `参加活动“${activity.title}”`,
      createdBy: actor.userId,
      createdAt: now,
    });
  }
  if (pending <= 0) return { credited, pending: 0, reason: null };
  const reason = `${serviceDate} 当日已认定 ${roundHours(today)} 小时，本次 ${actual} 小时中超出每日 ${cap} 小时上限的 ${pending} 小时需审核后计入`;
  await tx.insert(hoursRequests).values({
    ...base,
    kind: 'excess',
    hours: pending.toFixed(2),
    reason,
    status: 'pending',
    requestedBy: actor.userId,
    createdAt: now,
  });
  return { credited, pending, reason };
}
