import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../db/client.js';
import { workflowEvents } from '../db/schema/index.js';
import { AppError } from './errors.js';
import { writeAudit, type Actor } from './audit.js';
import { notify } from './notify.js';

/**
 * State machines as data, one helper to run them (CONVENTIONS.md, "Patterns of this house: State").
 *
 * A module declares each aggregate's machine — its states with their Chinese names and its transitions (from which
 * states, to which, who may, an optional guard) — in its `transitions.ts`, next to the table it belongs to. The module
 * decides who the caller is to one record (its *parties*: 'staff', 'submitter', 'claimant', …, from one scoped read of
 * the record); this helper answers
 * - `actionsFor`: the actions the caller may take now, which every detail answers as `actions` and the web shows as
 *   buttons (the web never re-derives a rule);
 * - `assertAllowed`: the house's errors for an action that is not allowed (403 when the caller is no party to it,
 *   409 INVALID_TRANSITION naming the state, or the guard's reason);
 * - `runTransition`: the conditional update (`… WHERE id = $1 AND state = <the state the caller saw>`, 409 on a lost
 *   race), the timeline event, the notification and the audit event, in the caller's transaction.
 * Orders keep their own one-statement runner (orders/service.ts, measured in the bench) on the same kind of table.
 */

/** One transition: allowed from these states, for these parties, when the guard (if any) gives no reason against. */
export type TransitionSpec<S extends string, P extends string, C = void> = {
  readonly from: readonly S[];
  readonly to: S;
  readonly who: readonly P[];
  /** The verb, in Chinese, as a button says it: 核实, 发布, 退回 … */
  readonly label: string;
  /**
   * Why the action is not possible now although state and party allow it: a Chinese sentence (409), or
   * `{ forbidden }` when this caller may never take it on this record (403), or null.
   */
  readonly guard?: (ctx: C) => GuardResult;
};

export type GuardResult = string | { forbidden: string } | null | undefined;

export type Machine<S extends string, P extends string, A extends string, C = void> = {
  /** The record type, as in audit events and workflow events: 'wish', 'honor', … */
  readonly entity: (typeof workflowEvents.$inferInsert)['entity'];
  /**
   * The audit actions' prefix when it is not the entity (`star.approve` for a star application): `<audit>.<action>`.
   */
  readonly audit?: string;
  /** What the record is called in messages: 心愿, 荣誉推荐 … */
  readonly noun: string;
  readonly states: Readonly<Record<S, string>>;
  readonly transitions: Readonly<Record<A, TransitionSpec<S, P, C>>>;
  /** Names of timeline events that are not transitions (提交, 部分完成 …). */
  readonly events?: Readonly<Record<string, string>>;
};

/**
 * Declares a machine: `defineMachine<State, Party, Context>()({ … })`, so the action names are inferred from the
 * literal while states, parties and the guards' context are named.
 */
export const defineMachine =
  <S extends string, P extends string, C = void>() =>
  <A extends string>(m: Machine<S, P, A, C>): Machine<S, P, A, C> =>
    m;

const hasParty = <P extends string>(who: readonly P[], parties: ReadonlySet<P>) => who.some((w) => parties.has(w));

/** The actions the caller may take now, in the machine's order: what a detail answers as `actions`. */
export function actionsFor<S extends string, P extends string, A extends string, C>(
  m: Machine<S, P, A, C>,
  state: S,
  parties: ReadonlySet<P>,
  ctx: C,
): A[] {
  return (Object.keys(m.transitions) as A[]).filter((a) => {
    const t = m.transitions[a];
    return t.from.includes(state) && hasParty(t.who, parties) && !t.guard?.(ctx);
  });
}

/** Throws what the API answers for an action the caller may not take now; returns the transition otherwise. */
export function assertAllowed<S extends string, P extends string, A extends string, C>(
  m: Machine<S, P, A, C>,
  action: A,
  state: S,
  parties: ReadonlySet<P>,
  ctx: C,
): TransitionSpec<S, P, C> {
  const t = m.transitions[action];
  if (!hasParty(t.who, parties)) throw new AppError('FORBIDDEN', `您不能${t.label}该${m.noun}`);
  if (!t.from.includes(state)) {
    throw new AppError('INVALID_TRANSITION', `该${m.noun}${m.states[state]}，不能${t.label}`);
  }
  const reason = t.guard?.(ctx);
  if (typeof reason === 'string') throw new AppError('INVALID_TRANSITION', reason);
  if (reason) throw new AppError('FORBIDDEN', reason.forbidden);
  return t;
}

/** The name of a timeline event: a transition's label, or one of the machine's other events. */
export function eventName<S extends string, P extends string, A extends string, C>(
  m: Machine<S, P, A, C>,
  action: string,
): string {
  return (m.transitions as Record<string, { label: string }>)[action]?.label ?? m.events?.[action] ?? action;
}

/** What a machine tells the web (the `meta` endpoints): states and actions by name. */
export function machineMeta<S extends string, P extends string, A extends string, C>(m: Machine<S, P, A, C>) {
  return {
    states: (Object.keys(m.states) as S[]).map((value) => ({ value, label: m.states[value] })),
    actions: (Object.keys(m.transitions) as A[]).map((value) => ({ value, label: m.transitions[value].label })),
  };
}

/** A table whose rows have an `id` and a state column (`state`, unless the run names another: `stateKey`). */
export type StatefulTable = PgTable & { id: AnyPgColumn };

export type Notice = { userIds: (string | null | undefined)[]; title: string; body: string; kind?: string };

export type EventInput = {
  entity: (typeof workflowEvents.$inferInsert)['entity'];
  entityId: string;
  action: string;
  from: string | null;
  to: string;
  actor: Actor;
  note?: string;
  data?: Record<string, unknown> | null;
  at: Date;
};

/** One entry of a record's timeline (workflow_events): every transition writes one; so may other steps. */
export async function addEvent(tx: DbOrTx, e: EventInput) {
  await tx.insert(workflowEvents).values({
    entity: e.entity,
    entityId: e.entityId,
    action: e.action,
    fromState: e.from,
    toState: e.to,
    actorUserId: e.actor.userId,
    actorName: e.actor.name,
    note: e.note ?? '',
    data: e.data ?? null,
    at: e.at,
  });
}

/** A record's timeline, oldest first, with each step's name. */
export async function timelineOf<S extends string, P extends string, A extends string, C>(
  db: DbOrTx,
  m: Machine<S, P, A, C>,
  entityId: string,
) {
  const rows = await db
    .select({
      action: workflowEvents.action,
      fromState: workflowEvents.fromState,
      toState: workflowEvents.toState,
      actorName: workflowEvents.actorName,
      note: workflowEvents.note,
      data: workflowEvents.data,
      at: workflowEvents.at,
    })
    .from(workflowEvents)
    .where(and(eq(workflowEvents.entity, m.entity), eq(workflowEvents.entityId, entityId)))
    .orderBy(workflowEvents.seq);
  return rows.map((e) => ({
    ...e,
    actionName: eventName(m, e.action),
    toStateName: (m.states as Record<string, string>)[e.toState] ?? e.toState,
  }));
}

export type RunTransition<T extends StatefulTable, S extends string, P extends string, A extends string, C> = {
  machine: Machine<S, P, A, C>;
  table: T;
  /** The state column's key when it is not `state` (hour requests and sign-ups keep theirs in `status`). */
  stateKey?: keyof T['$inferSelect'] & string;
  /**
   * What the state column holds for each state, when it is not the state's name: a volunteer's verification is its
   * `verified` boolean (`{ registered: false, verified: true }`), so the state is never kept twice.
   */
  stored?: Readonly<Record<S, unknown>>;
  /** The record as the caller read it: its id, county and the state the caller saw. */
  record: { id: string; countyCode: string; state: S };
  action: A;
  actor: Actor;
  now: Date;
  /** Other columns to set with the state. */
  set?: PgUpdateSetSource<T>;
  /** More conditions of the update (e.g. "nobody has claimed it yet"); a row they exclude answers `lost`'s message. */
  where?: SQL;
  /** The 409 message when the conditional update finds no row. */
  lost?: string;
  note?: string;
  data?: Record<string, unknown>;
  /** The audit event's detail (the note is kept there too). */
  detail?: Record<string, unknown>;
  /** Whom to tell, from the updated row (the actor is never told of their own action). */
  tell?: (tx: DbOrTx, row: T['$inferSelect']) => Promise<Notice | null> | Notice | null;
};

/**
 * Runs one transition in `tx`: `UPDATE … SET state = <to> … WHERE id = $1 AND state = <the state seen>` (plus the
 * caller's conditions), then the timeline event, the notification and the audit event. The caller has checked the
 * action with `assertAllowed` on the state it read; a concurrent change in between finds no row and answers 409.
 */
export async function runTransition<T extends StatefulTable, S extends string, P extends string, A extends string, C>(
  tx: DbOrTx,
  r: RunTransition<T, S, P, A, C>,
): Promise<T['$inferSelect']> {
  const t = r.machine.transitions[r.action];
  const key = r.stateKey ?? 'state';
  const column = (r.table as unknown as Record<string, AnyPgColumn>)[key];
  const stored = (s: S) => (r.stored ? r.stored[s] : s);
  const conds = and(eq(r.table.id, r.record.id), eq(column, stored(r.record.state)), r.where ?? sql`true`);
  const set = { ...r.set, [key]: stored(t.to) } as PgUpdateSetSource<T>;
  const rows = (await tx.update(r.table).set(set).where(conds).returning()) as T['$inferSelect'][];
  const row = rows[0];
  if (!row) throw new AppError('INVALID_TRANSITION', r.lost ?? `该${r.machine.noun}的状态已变化，请刷新后重试`);
  await addEvent(tx, {
    entity: r.machine.entity,
    entityId: r.record.id,
    action: r.action,
    from: r.record.state,
    to: t.to,
    actor: r.actor,
    note: r.note,
    data: r.data,
    at: r.now,
  });
  const message = r.tell ? await r.tell(tx, row) : null;
  if (message) {
    await notify(tx, {
      countyCode: r.record.countyCode,
      userIds: message.userIds.filter((u) => u !== r.actor.userId),
      kind: message.kind ?? `${r.machine.entity}.${r.action}`,
      title: message.title,
      body: message.body,
      entity: r.machine.entity,
      entityId: r.record.id,
      now: r.now,
    });
  }
  await writeAudit(
    tx,
    { ...r.actor, countyCode: r.record.countyCode },
    {
      action: `${r.machine.audit ?? r.machine.entity}.${r.action}`,
      entity: r.machine.entity,
      entityId: r.record.id,
      before: { state: r.record.state },
      after: { state: t.to },
      detail: r.note || r.detail ? { ...r.detail, ...(r.note ? { note: r.note } : {}) } : undefined,
    },
  );
  return row;
}
