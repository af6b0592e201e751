import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../platform/context.js';
import { activities, activityParticipants, roleAssignments, users } from '../db/schema/index.js';
import { emptyScope } from '../platform/scope.js';
import { joinActivity } from '../modules/activities/participants.js';

/**
 * 报名参加 in the demo: three upcoming lectures, shows or trainings open to residents — one the demo residents both
 * joined, one with a single place (the second resident waits), one nobody has joined yet (报名参加 on the H5). The
 * residents join through the service the API uses (`joinActivity`), at the clock's now, so the places, counts,
 * waitlist and audit events are what a real join makes.
 */
export async function seedParticipants(deps: Deps, countyCode: string, log: (s: string) => void) {
  const db = deps.database.db;
  const [done] = await db
    .select({ id: activityParticipants.id })
    .from(activityParticipants)
    .innerJoin(activities, eq(activities.id, activityParticipants.activityId))
    .where(eq(activities.countyCode, countyCode))
    .limit(1);
  if (done) return;
  const now = deps.clock.now();
  const residents = await db
    .select({ id: users.id, name: users.name, regionCode: users.regionCode })
    .from(users)
    .innerJoin(roleAssignments, eq(roleAssignments.userId, users.id))
    .where(and(eq(roleAssignments.roleCode, 'resident'), eq(users.countyCode, countyCode)))
    .orderBy(asc(users.createdAt), asc(users.id));
  if (!residents.length) return;
  // the first resident's town first (the demo accounts work in 新集镇), the soonest first
  const home = residents[0].regionCode?.slice(0, 9) ?? '';
  const open = await db
    .select({ id: activities.id, title: activities.title })
    .from(activities)
    .where(
      and(
        eq(activities.countyCode, countyCode),
        inArray(activities.state, ['published', 'full']),
        inArray(activities.type, ['lecture', 'culture_sports', 'training']),
        sql`${activities.startAt} > ${now.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(sql`${activities.regionPath} like ${`%/${home}/%`} desc`, asc(activities.startAt))
    .limit(3);
  const quotas = [30, 1, 40];
  for (const [i, a] of open.entries())
    await db.update(activities).set({ participantQuota: quotas[i] }).where(eq(activities.id, a.id));
  const caller = (u: (typeof residents)[number]) => ({
    actor: { userId: u.id, name: u.name, countyCode },
    userId: u.id,
    countyCode,
    scope: emptyScope(u.id),
    permissions: new Set<never>(),
    volunteerId: null,
  });
  // all residents join the first; on the second (one place) the others wait behind the last resident
  let joined = 0;
  if (open[0]) for (const u of residents) joined += (await joinActivity(db, caller(u), now, open[0].id)) ? 1 : 0;
  if (open[1]) for (const u of [...residents].reverse()) await joinActivity(db, caller(u), now, open[1].id);
  log(`群众报名参加：${open.length} 场活动开放群众报名，${residents.length} 位群众报名 ${joined} 人次`);
}
