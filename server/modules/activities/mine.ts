/**
 * 我的活动: the caller's own places in activities — a volunteer's sign-ups, a resident's places (报名参加), and
 * both in one list paged by the activity's time (a volunteer may also join as a resident).
 */
import { and, asc, count, desc, eq, gte, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';
import { activities, activityParticipants, activitySignups } from '../../db/schema/index.js';
import { creditedHoursSql, pendingHoursSql, positionSql, requireVolunteer, type ActivityCaller } from './service.js';
import { placePositionSql } from './participants.js';
import { offsetPage } from '../../platform/lists.js';

type Status = (typeof activitySignups.$inferSelect)['status'] | (typeof activityParticipants.$inferSelect)['status'];

type MineFilter = { when?: 'upcoming' | 'past'; page: number; pageSize: number };

/** The activity as every row of 我的活动 shows it. */
const activityBrief = {
  id: activities.id,
  title: activities.title,
  type: activities.type,
  state: activities.state,
  startAt: activities.startAt,
  endAt: activities.endAt,
  address: activities.address,
};

/** Upcoming = not yet ended; past = ended; no `when` = all. */
const whenSql = (f: MineFilter, now: Date): SQL =>
  f.when ? (f.when === 'past' ? lt(activities.endAt, now) : gte(activities.endAt, now)) : sql`true`;

/** Upcoming soonest first, past latest first. */
const byTime = (f: MineFilter) => (f.when === 'past' ? desc(activities.startAt) : asc(activities.startAt));

const page = (f: MineFilter) => ({ limit: f.pageSize, offset: (f.page - 1) * f.pageSize });

/** A volunteer's own sign-ups with the activity. */
export async function mySignups(db: DbOrTx, c: ActivityCaller, now: Date, f: MineFilter) {
  const where = and(eq(activitySignups.volunteerId, requireVolunteer(c)), whenSql(f, now));
  const { rows, total } = await offsetPage(db, {
    from: activitySignups,
    countJoins: (q) => q.innerJoin(activities, eq(activities.id, activitySignups.activityId)),
    rows: () =>
      db
        .select({
          id: activitySignups.id,
          status: activitySignups.status,
          position: positionSql,
          shiftId: activitySignups.shiftId,
          source: activitySignups.source,
          signedUpAt: activitySignups.signedUpAt,
          checkInAt: activitySignups.checkInAt,
          checkOutAt: activitySignups.checkOutAt,
          noShow: activitySignups.noShow,
          creditedHours: creditedHoursSql,
          pendingHours: pendingHoursSql,
          activity: activityBrief,
        })
        .from(activitySignups)
        .innerJoin(activities, eq(activities.id, activitySignups.activityId)),
    where,
    order: [byTime(f), asc(activitySignups.seq)],
    filter: f,
  });
  return { items: rows, total, page: f.page, pageSize: f.pageSize };
}

/** The places a resident holds (a withdrawn place is not one of my activities; joining again makes a new row). */
const placesWhere = (c: ActivityCaller, f: MineFilter, now: Date) =>
  and(
    eq(activityParticipants.userId, c.userId),
    ne(activityParticipants.status, 'cancelled'),
    eq(activities.countyCode, c.countyCode),
    whenSql(f, now),
  );

/** The resident's own places (报名参加), confirmed or waitlisted, with the activity. */
export async function myPlaces(db: DbOrTx, c: ActivityCaller, now: Date, f: MineFilter) {
  const where = placesWhere(c, f, now);
  const { rows, total } = await offsetPage(db, {
    from: activityParticipants,
    countJoins: (q) => q.innerJoin(activities, eq(activities.id, activityParticipants.activityId)),
    rows: () =>
      db
        .select({
          id: activityParticipants.id,
          status: activityParticipants.status,
          position: placePositionSql,
          signedUpAt: activityParticipants.signedUpAt,
          checkInAt: activityParticipants.checkInAt,
          activity: activityBrief,
        })
        .from(activityParticipants)
        .innerJoin(activities, eq(activities.id, activityParticipants.activityId)),
    where,
    order: [byTime(f), asc(activityParticipants.seq)],
    filter: f,
  });
  return { items: rows, total, page: f.page, pageSize: f.pageSize };
}

/**
 * 我的活动 as one list: the caller's sign-ups (if a volunteer) and places, ordered by the activity's time and
 * paged together in SQL (one page is one page of the union, not a page of each).
 */
export async function myActivities(db: DbOrTx, c: ActivityCaller, now: Date, f: MineFilter) {
  const signupsWhere = c.volunteerId
    ? and(eq(activitySignups.volunteerId, c.volunteerId), whenSql(f, now))
    : sql`false`;
  const signups = db
    .select({
      kind: sql<'signup' | 'place'>`'signup'`.as('kind'),
      id: activitySignups.id,
      status: sql<Status>`${activitySignups.status}::text`.as('status'),
      position: sql<number | null>`${positionSql}`.as('position'),
      signedUpAt: activitySignups.signedUpAt,
      checkInAt: activitySignups.checkInAt,
      checkOutAt: activitySignups.checkOutAt,
      noShow: activitySignups.noShow,
      creditedHours: sql<number>`${creditedHoursSql}`.as('credited_hours'),
      pendingHours: sql<number>`${pendingHoursSql}`.as('pending_hours'),
      activityId: sql<string>`${activities.id}`.as('activity_id'),
      startAt: sql<Date>`${activities.startAt}`.as('activity_start'),
      seq: sql<number>`${activitySignups.seq}::bigint`.as('seq'),
    })
    .from(activitySignups)
    .innerJoin(activities, eq(activities.id, activitySignups.activityId))
    .where(signupsWhere);
  const places = db
    .select({
      kind: sql<'signup' | 'place'>`'place'`.as('kind'),
      id: activityParticipants.id,
      status: sql<Status>`${activityParticipants.status}::text`.as('status'),
      position: sql<number | null>`${placePositionSql}`.as('position'),
      signedUpAt: activityParticipants.signedUpAt,
      checkInAt: activityParticipants.checkInAt,
      checkOutAt: sql<Date | null>`null::timestamptz`.as('check_out_at'),
      noShow: sql<boolean>`false`.as('no_show'),
      creditedHours: sql<number>`0::float8`.as('credited_hours'),
      pendingHours: sql<number>`0::float8`.as('pending_hours'),
      activityId: sql<string>`${activities.id}`.as('activity_id'),
      startAt: sql<Date>`${activities.startAt}`.as('activity_start'),
      seq: sql<number>`${activityParticipants.seq}::bigint`.as('seq'),
    })
    .from(activityParticipants)
    .innerJoin(activities, eq(activities.id, activityParticipants.activityId))
    .where(placesWhere(c, f, now));
  const order = f.when === 'past' ? sql`activity_start desc` : sql`activity_start asc`;
  const [rows, counts] = await Promise.all([
    unionAll(signups, places)
      .orderBy(order, sql`kind`, sql`seq`)
      .limit(page(f).limit)
      .offset(page(f).offset),
    Promise.all([
      c.volunteerId
        ? db
            .select({ n: count() })
            .from(activitySignups)
            .innerJoin(activities, eq(activities.id, activitySignups.activityId))
            .where(signupsWhere)
        : [{ n: 0 }],
      db
        .select({ n: count() })
        .from(activityParticipants)
        .innerJoin(activities, eq(activities.id, activityParticipants.activityId))
        .where(placesWhere(c, f, now)),
    ]),
  ]);
  const ids = [...new Set(rows.map((r) => r.activityId))];
  const briefs = ids.length ? await db.select(activityBrief).from(activities).where(inArray(activities.id, ids)) : [];
  const brief = new Map(briefs.map((a) => [a.id, a]));
  const items = rows.map(({ activityId, startAt: _startAt, seq: _seq, ...r }) => ({
    ...r,
    signedUpAt: new Date(r.signedUpAt),
    checkInAt: r.checkInAt && new Date(r.checkInAt),
    checkOutAt: r.checkOutAt && new Date(r.checkOutAt),
    activity: brief.get(activityId)!,
  }));
  const total = counts[0][0].n + counts[1][0].n;
  return { items, total, page: f.page, pageSize: f.pageSize };
}
