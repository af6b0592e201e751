import { and, asc, count, eq, ne, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { activities, activityParticipants, users } from '../../db/schema/index.js';
import { duplicate, notFound } from '../../platform/errors.js';
import { writeAudit, type AuditInput } from '../../platform/audit.js';
import { notify } from '../../platform/notify.js';
import { assertAllowed, runTransition } from '../../platform/transitions.js';
import { chinaMinute as fmt } from '../../platform/clock.js';
import { offsetPage } from '../../platform/lists.js';
import { maskName } from '../stars/service.js';
import {
  participantMachine,
  type ParticipantContext,
  type ParticipantParty,
  type ParticipantStatus,
} from './transitions.js';
import {
  checkCodeAndPlace,
  loadManaged,
  pgCode,
  seesSql,
  signupContext,
  staffReadsSql,
  takeSeat,
  transitionError,
  type ActivityCaller,
  type CodeInput,
  type SeatQueue,
} from './service.js';

/**
 * 报名参加: residents take part in an activity open to them (`participantQuota` > 0) without a volunteer record. Their
 * places queue on the activity row exactly as volunteers' sign-ups do (`takeSeat`, the same gate and statement), in
 * counts of their own; their attendance counts in activities.participants (migration 0023).
 */

type Activity = typeof activities.$inferSelect;

/** The residents' queue on the activity row (service.ts `SeatQueue`): never makes the activity 已满员. */
const residentPlaces: SeatQueue = {
  table: 'activity_participants',
  quota: sql.raw('coalesce(participant_quota, 0)'),
  confirmed: 'participant_confirmed_count',
  waitlist: 'participant_waitlist_count',
  states: ['published', 'full', 'in_progress'],
  fills: false,
};

const resident: ReadonlySet<ParticipantParty> = new Set(['resident']);
const manager: ReadonlySet<ParticipantParty> = new Set(['manager']);

/** What the participant machine's guards read about a place of an activity. */
export const participantContext = (
  a: Pick<Activity, 'state' | 'startAt' | 'endAt' | 'participantQuota'>,
  p: { checkInAt: Date | null } | null,
  now?: Date,
): ParticipantContext => ({
  ...signupContext(a, p ? { checkInAt: p.checkInAt, checkOutAt: null } : null, now),
  open: (a.participantQuota ?? 0) > 0,
});

/** 1-based rank among the waitlisted residents of the activity, by arrival (seq). */
export const placePositionSql = sql<number | null>`case when "activity_participants"."status" = 'waitlisted' then (
  select count(*)::int from activity_participants w
  where w.activity_id = "activity_participants"."activity_id" and w.status = 'waitlisted'
    and w.seq <= "activity_participants"."seq"
) end`;

/** The activity a resident may take part in: visible to them and of their own county (else not found). */
async function loadForResident(db: DbOrTx, c: ActivityCaller, id: string, lock = false) {
  const q = db
    .select()
    .from(activities)
    .where(and(eq(activities.id, id), seesSql(c), eq(activities.countyCode, c.countyCode)));
  const [a] = lock ? await q.for('update') : await q;
  if (!a) throw notFound('活动');
  return a;
}

const DUPLICATE = '您已报名参加该活动，请勿重复报名';

/**
 * A resident joins: the machine decides on a read of the activity (open to residents, published, not over), then the
 * seat statement takes a place or a waitlist place under the activity row lock. A second call answers 409, as a
 * second sign-up does.
 */
export async function joinActivity(db: Db, c: ActivityCaller, now: Date, id: string) {
  const a = await loadForResident(db, c, id);
  assertAllowed(participantMachine, 'join', 'none', resident, participantContext(a, null, now));
  const [already] = await db
    .select({ id: activityParticipants.id })
    .from(activityParticipants)
    .where(
      and(
        eq(activityParticipants.activityId, id),
        eq(activityParticipants.userId, c.userId),
        ne(activityParticipants.status, 'cancelled'),
      ),
    );
  if (already) throw duplicate(DUPLICATE);
  const audit = (placeId: string): AuditInput => ({
    action: 'activity.participant.join',
    entity: 'activity_participant',
    entityId: placeId,
    detail: { activityId: id },
  });
  try {
    const row = await takeSeat(
      db,
      residentPlaces,
      id,
      { user_id: sql`${c.userId}::uuid` },
      now,
      { ...c.actor, countyCode: a.countyCode },
      audit,
    );
    if (!row) throw transitionError('活动已不接受群众报名参加，请刷新后查看');
    return {
      id: row.id,
      status: row.status,
      ...(row.status === 'waitlisted' ? { position: Number(row.waitlist_count) } : {}),
    };
  } catch (e) {
    if (pgCode(e) === '23505') throw duplicate(DUPLICATE);
    throw e;
  }
}

type PromotedPlace = { id: string; userId: string };

/**
 * Gives the free places to the waitlisted residents, first come first served, in one statement. The caller holds the
 * activity row lock.
 */
export async function fillPlaces(tx: DbOrTx, a: Activity, now: Date): Promise<PromotedPlace[]> {
  if (!['published', 'full', 'in_progress'].includes(a.state)) return [];
  const at = sql`${now.toISOString()}::timestamptz`;
  const { rows } = await tx.execute(sql`with f as (
      select greatest(coalesce(participant_quota, 0) - participant_confirmed_count, 0) as free
      from activities where id = ${a.id}::uuid),
    p as (select w.id from activity_participants w
      where w.activity_id = ${a.id}::uuid and w.status = 'waitlisted' order by w.seq limit (select free from f)),
    u as (update activity_participants x set status = 'confirmed', promoted_at = ${at}, updated_at = ${at}
      from p where x.id = p.id returning x.id, x.user_id),
    c as (update activities set
        participant_confirmed_count = participant_confirmed_count + (select count(*) from u),
        participant_waitlist_count = participant_waitlist_count - (select count(*) from u),
        updated_at = ${at}
      where id = ${a.id}::uuid and exists (select 1 from u) returning id)
    select u.id, u.user_id as "userId" from u`);
  return rows as PromotedPlace[];
}

export async function notifyPromotedPlaces(tx: DbOrTx, a: Activity, promoted: PromotedPlace[], now: Date) {
  if (!promoted.length) return;
  await notify(tx, {
    countyCode: a.countyCode,
    userIds: promoted.map((p) => p.userId),
    kind: 'activity.promoted',
    title: '候补转正',
    body: `您候补参加的活动“${a.title}”（${fmt(a.startAt)}，${a.address}）有名额空出，您已转为正式报名，请按时参加`,
    entity: 'activity',
    entityId: a.id,
    now,
    sms: true,
  });
}

async function myPlaceForUpdate(tx: DbOrTx, activityId: string, userId: string) {
  const [p] = await tx
    .select()
    .from(activityParticipants)
    .where(
      and(
        eq(activityParticipants.activityId, activityId),
        eq(activityParticipants.userId, userId),
        ne(activityParticipants.status, 'cancelled'),
      ),
    )
    .for('update');
  return p;
}

/** The resident withdraws; a confirmed place goes to the earliest waitlisted resident. */
export async function cancelMyPlace(db: Db, c: ActivityCaller, now: Date, id: string) {
  return db.transaction(async (tx) => {
    const a = await loadForResident(tx, c, id, true);
    const p = await myPlaceForUpdate(tx, id, c.userId);
    if (!p) throw notFound('报名记录');
    assertAllowed(participantMachine, 'cancel', p.status, resident, participantContext(a, p, now));
    const [freed] = await tx
      .update(activities)
      .set(
        p.status === 'confirmed'
          ? { participantConfirmedCount: sql`${activities.participantConfirmedCount} - 1`, updatedAt: now }
          : { participantWaitlistCount: sql`${activities.participantWaitlistCount} - 1`, updatedAt: now },
      )
      .where(eq(activities.id, id))
      .returning();
    const promoted = p.status === 'confirmed' ? await fillPlaces(tx, freed, now) : [];
    await notifyPromotedPlaces(tx, a, promoted, now);
    await runTransition(tx, {
      machine: participantMachine,
      table: activityParticipants,
      stateKey: 'status',
      record: { id: p.id, countyCode: a.countyCode, state: p.status },
      action: 'cancel',
      actor: c.actor,
      now,
      set: { cancelledAt: now, updatedAt: now },
      detail: { activityId: id, was: p.status, promoted: promoted.map((x) => x.id) },
    });
    return { promoted: promoted.length };
  });
}

/** The resident checks in with the activity's code (typed or from the QR), as a volunteer does. */
export async function checkInPlace(db: Db, c: ActivityCaller, now: Date, id: string, input: CodeInput) {
  const a = await loadForResident(db, c, id);
  assertAllowed(participantMachine, 'checkIn', 'confirmed', resident, participantContext(a, null, now));
  checkCodeAndPlace(a, input);
  return db.transaction(async (tx) => {
    // the activity row first (as every command that locks both does), then the place
    await tx
      .update(activities)
      .set({ state: 'in_progress', updatedAt: now })
      .where(and(eq(activities.id, id), sql`${activities.state} in ('published', 'full')`));
    const p = await myPlaceForUpdate(tx, id, c.userId);
    if (!p) throw transitionError('您没有报名参加该活动，不能签到');
    if (p.status !== 'confirmed') throw transitionError('您在候补名单中，尚未确认参加，不能签到');
    if (p.checkInAt) throw duplicate(`您已于 ${fmt(p.checkInAt)} 签到`);
    const method = input.method ?? 'code';
    await tx
      .update(activityParticipants)
      .set({ checkInAt: now, checkInMethod: method, updatedAt: now })
      .where(eq(activityParticipants.id, p.id));
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      { action: 'activity.participant.checkin', entity: 'activity_participant', entityId: p.id, detail: { method } },
    );
    return { checkInAt: now };
  });
}

/**
 * Staff mark a resident present on the roster (or undo a mark made by mistake, `attended: false`), from publishing
 * until the activity is archived; a mark after the end counts at once (the place's trigger).
 */
export async function markAttendance(
  db: Db,
  c: ActivityCaller,
  now: Date,
  id: string,
  placeId: string,
  attended: boolean,
) {
  return db.transaction(async (tx) => {
    const a = await loadManaged(tx, c, id, true);
    const [p] = await tx
      .select()
      .from(activityParticipants)
      .where(and(eq(activityParticipants.id, placeId), eq(activityParticipants.activityId, id)))
      .for('update');
    if (!p) throw notFound('报名参加记录');
    if (p.status === 'waitlisted') throw transitionError('该群众在候补名单中，尚未确认参加，不能登记到场');
    assertAllowed(participantMachine, 'mark', p.status, manager, participantContext(a, p, now));
    if (attended === !!p.checkInAt) return { checkInAt: p.checkInAt };
    const [after] = await tx
      .update(activityParticipants)
      .set(
        attended
          ? { checkInAt: now, checkInMethod: 'roster', checkedInBy: c.userId, updatedAt: now }
          : { checkInAt: null, checkInMethod: null, checkedInBy: null, updatedAt: now },
      )
      .where(eq(activityParticipants.id, p.id))
      .returning();
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      {
        action: attended ? 'activity.participant.mark' : 'activity.participant.unmark',
        entity: 'activity_participant',
        entityId: p.id,
        detail: { activityId: id },
      },
    );
    return { checkInAt: after.checkInAt };
  });
}

/** The figures of the residents' places on an activity: confirmed, waitlisted, attended. */
export async function placeCounts(db: DbOrTx, ids: string[]) {
  if (!ids.length) return new Map<string, { attended: number }>();
  const rows = await db
    .select({ activityId: activityParticipants.activityId, attended: count() })
    .from(activityParticipants)
    .where(
      and(
        sql`${activityParticipants.activityId} in (${sql.join(
          ids.map((i) => sql`${i}::uuid`),
          sql`, `,
        )})`,
        ne(activityParticipants.status, 'cancelled'),
        sql`${activityParticipants.checkInAt} is not null`,
      ),
    )
    .groupBy(activityParticipants.activityId);
  return new Map(rows.map((r) => [r.activityId, { attended: r.attended }]));
}

/** Staff: the residents who joined, names masked (张*丰), with the counts confirmed / waitlisted / attended. */
export async function listParticipants(
  db: DbOrTx,
  c: ActivityCaller,
  id: string,
  f: { status?: ParticipantStatus; page: number; pageSize: number },
) {
  const [a] = await db
    .select()
    .from(activities)
    .where(and(eq(activities.id, id), staffReadsSql(c)));
  if (!a) throw notFound('活动');
  const where = and(
    eq(activityParticipants.activityId, id),
    f.status ? eq(activityParticipants.status, f.status) : sql`true`,
  );
  const [{ rows, total }, attended] = await Promise.all([
    offsetPage(db, {
      from: activityParticipants,
      rows: () =>
        db
          .select({
            id: activityParticipants.id,
            name: users.name,
            phoneMasked: users.phoneMasked,
            status: activityParticipants.status,
            position: placePositionSql,
            signedUpAt: activityParticipants.signedUpAt,
            promotedAt: activityParticipants.promotedAt,
            cancelledAt: activityParticipants.cancelledAt,
            checkInAt: activityParticipants.checkInAt,
            checkInMethod: activityParticipants.checkInMethod,
          })
          .from(activityParticipants)
          .innerJoin(users, eq(users.id, activityParticipants.userId)),
      where,
      order: [
        sql`case ${activityParticipants.status} when 'confirmed' then 0 when 'waitlisted' then 1 else 2 end`,
        asc(activityParticipants.seq),
      ],
      filter: f,
    }),
    placeCounts(db, [id]),
  ]);
  return {
    items: rows.map((r) => ({ ...r, name: maskName(r.name) })),
    total,
    page: f.page,
    pageSize: f.pageSize,
    counts: {
      quota: a.participantQuota ?? 0,
      confirmed: a.participantConfirmedCount,
      waitlisted: a.participantWaitlistCount,
      attended: attended.get(id)?.attended ?? 0,
    },
  };
}
