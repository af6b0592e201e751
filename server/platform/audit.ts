import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { auditEvents, auditHeads } from '../db/schema/index.js';
import type { DbOrTx } from '../db/client.js';
import { sha256Hex } from './crypto.js';

/** Who did it, from where: built once per request (or for the CLI and jobs) and passed to every command. */
export type Actor = {
  userId: string | null;
  name: string;
  countyCode: string | null;
  ip?: string | null;
  requestId?: string | null;
};

export const systemActor = (name = '系统'): Actor => ({ userId: null, name, countyCode: null });

export type AuditInput = {
  action: string;
  entity: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  detail?: Record<string, unknown>;
  /** Overrides the actor's county (a county admin acting on their own county is the usual case). */
  chain?: string;
};

const GENESIS = sha256Hex('文明实践云审计链');

/** JSON with sorted keys, so a value read back from jsonb hashes the same as the value written. */
export function canonical(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export const digest = (v: unknown) => (v === undefined || v === null ? null : sha256Hex(canonical(v)).slice(0, 32));

type EventFields = {
  chain: string;
  seq: number;
  at: Date;
  actorId: string | null;
  actorName: string;
  action: string;
  entity: string;
  entityId: string | null;
  ip: string | null;
  requestId: string | null;
  beforeDigest: string | null;
  afterDigest: string | null;
  detail: Record<string, unknown> | null;
};

export function eventHash(prev: string, e: EventFields): string {
  return sha256Hex(`${prev}\n${canonical({ ...e, at: e.at.toISOString() })}`);
}

/**
 * Each county's trail is kept in 8 chains ("lanes"), chosen by the record the event is about, so all events of one
 * record stay in one ordered chain while unrelated writes do not queue on one head row (measured: one chain caps a
 * county at ~160 audited writes/s on the bench machine, see bench/NOTES.md).
 */
export const AUDIT_LANES = 8;
export function auditChain(county: string, entityId?: string | null) {
  if (!entityId) return `${county}/0`;
  let h = 0;
  for (let i = 0; i < entityId.length; i++) h = (h * 31 + entityId.charCodeAt(i)) >>> 0;
  return `${county}/${h % AUDIT_LANES}`;
}

/** An event ready to append: its canonical text up to the sequence number (`{…,"seq":`), built in JS. */
type PreparedEvent = {
  chain: string;
  at: Date;
  fields: Omit<EventFields, 'seq'>;
  before: string;
  detailJson: string | null;
};

function prepareEvent(actor: Actor, input: AuditInput, at: Date): PreparedEvent {
  const chain = input.chain ?? auditChain(actor.countyCode ?? 'system', input.entityId);
  const fields: Omit<EventFields, 'seq'> = {
    chain,
    at,
    actorId: actor.userId,
    actorName: actor.name,
    action: input.action,
    entity: input.entity,
    entityId: input.entityId ?? null,
    ip: actor.ip ?? null,
    requestId: actor.requestId ?? null,
    beforeDigest: digest(input.before),
    afterDigest: digest(input.after),
    detail: input.detail ?? null,
  };
  // "seq" sorts after every other key, so the canonical text ends with it: `{…,"seq":` + seq + `}`
  const text = canonical({ ...fields, at: at.toISOString(), seq: 0 });
  if (!text.endsWith(',"seq":0}')) throw new Error('audit: seq must be the last key of the canonical event');
  return {
    chain,
    at,
    fields,
    before: text.slice(0, -2),
    detailJson: fields.detail === null ? null : JSON.stringify(fields.detail),
  };
}

async function appendEvent(tx: DbOrTx, e: PreparedEvent) {
  const f = e.fields;
  const append = () =>
    tx.execute(sql`with h as (select seq + 1 as seq, hash from ${auditHeads} where chain = ${e.chain} for update),
    e as (insert into ${auditEvents} (chain, seq, at, actor_id, actor_name, action, entity, entity_id, ip, request_id, before_digest, after_digest, detail, hash)
      select ${e.chain}, h.seq, ${e.at.toISOString()}::timestamptz, ${f.actorId}::uuid, ${f.actorName}, ${f.action}, ${f.entity}, ${f.entityId}, ${f.ip}, ${f.requestId},
        ${f.beforeDigest}, ${f.afterDigest}, ${e.detailJson}::jsonb,
        encode(sha256(convert_to(h.hash || chr(10) || ${e.before}::text || h.seq::text || '}', 'UTF8')), 'hex')
      from h returning seq, hash)
    update ${auditHeads} set seq = e.seq, hash = e.hash from e where ${auditHeads}.chain = ${e.chain} returning e.seq`);
  const { rows } = await append();
  if (rows.length) return;
  // the first event of this chain: create its head, then append (a concurrent creator makes this a no-op)
  await tx.insert(auditHeads).values({ chain: e.chain, seq: 0, hash: GENESIS }).onConflictDoNothing();
  const again = await append();
  if (!again.rows.length) throw new Error(`audit: chain head ${e.chain} missing`);
}

/**
 * Appends an audit event to a hash chain of the county, inside the caller's transaction, in one statement: lock the
 * chain head (`FOR UPDATE`), store the event numbered after it, move the head — so the head is held only from this
 * statement to commit, events are numbered without gaps even with several app servers, and it costs one round trip
 * (it was four: create head if missing, bump, set hash, insert). The hash is the one `eventHash` computes (and
 * verifyAudit recomputes): the canonical JSON of the event is built here with the sequence number as its last key,
 * PostgreSQL puts the previous hash in front of it and the number in it, and hashes with sha256(). Call this last.
 */
export async function writeAudit(tx: DbOrTx, actor: Actor, input: AuditInput) {
  await appendEvent(tx, prepareEvent(actor, input, new Date()));
}

/** A detail value that the caller's statement decides: `detail[key]` becomes the text value of `by`, one of `values`. */
export type AuditPick = { key: string; by: SQL; values: readonly string[] };

export type AuditAppendSql = {
  chain: string;
  /**
   * CTEs named audit_g, audit_t, audit_h and audit_e, to follow the caller's own CTEs (after a comma) in one `with`:
   * they append the event once when `from` yields a row, and nothing (no lock either) when it yields none.
   */
  ctes: SQL;
  /** A scalar expression for the caller's final select: the event's sequence number, null when nothing was appended. */
  seq: SQL;
};

/**
 * The audit append of `writeAudit`, as SQL that a caller folds into its own statement, so a command that holds a row
 * lock appends its event without another round trip — and a command that is one statement needs no transaction
 * block at all (no BEGIN, no COMMIT round trip). Same chain, canonical text (built here, in JS), sha256 hash and
 * head as writeAudit. The head is created, locked and moved by one `insert … on conflict do update` (a chain's first
 * event creates its head at seq 1 from the genesis hash; later ones wait for the head's lock and move the newest
 * version), and that insert reads its row from `from` (a CTE of the caller, e.g. its INSERT … RETURNING) — so the
 * caller's own locks come first and the audit lane last, as in every command that calls writeAudit at its end. A
 * detail value the statement decides (`pick`) selects, in SQL, one of the canonical texts made here for each allowed
 * value, so the hash covers exactly what is stored; any other value fails the statement (a null hash).
 */
export function auditAppendSql(actor: Actor, input: AuditInput, from: SQL, pick?: AuditPick): AuditAppendSql {
  const at = new Date();
  const variants = (pick ? pick.values : [undefined]).map((v) => ({
    v,
    e: prepareEvent(actor, pick ? { ...input, detail: { ...input.detail, [pick.key]: v } } : input, at),
  }));
  const e = variants[0].e;
  const f = e.fields;
  const choose = (g: (e: PreparedEvent) => SQL) =>
    pick
      ? sql`case audit_g.v ${sql.join(
          variants.map((x) => sql`when ${x.v!}::text then ${g(x.e)}`),
          sql` `,
        )} end`
      : g(e);
  const hash = (prev: SQL, seq: SQL) =>
    sql`encode(sha256(convert_to(${prev} || chr(10) || audit_t.text || ${seq}::text || '}', 'UTF8')), 'hex')`;
  const ctes = sql`audit_g as (select (${pick ? pick.by : sql`null`})::text as v from ${from} limit 1),
    audit_t as (select ${choose((x) => sql`${x.before}::text`)} as text, ${choose((x) => sql`${x.detailJson}::jsonb`)} as detail from audit_g),
    audit_h as (insert into ${auditHeads} as h (chain, seq, hash) select ${e.chain}, 1, ${hash(sql`${GENESIS}::text`, sql`1`)} from audit_t
      on conflict (chain) do update set seq = h.seq + 1, hash = (select ${hash(sql`h.hash`, sql`(h.seq + 1)`)} from audit_t)
      returning seq, hash),
    audit_e as (insert into ${auditEvents} (chain, seq, at, actor_id, actor_name, action, entity, entity_id, ip, request_id, before_digest, after_digest, detail, hash)
      select ${e.chain}, audit_h.seq, ${at.toISOString()}::timestamptz, ${f.actorId}::uuid, ${f.actorName}, ${f.action}, ${f.entity}, ${f.entityId}, ${f.ip}, ${f.requestId},
        ${f.beforeDigest}, ${f.afterDigest}, audit_t.detail, audit_h.hash
      from audit_h, audit_t returning seq)`;
  return { chain: e.chain, ctes, seq: sql`(select seq from audit_e)` };
}

export type AuditProblem = { chain: string; seq: number; problem: string };

/** Recomputes every chain from its genesis; reports altered, missing or reordered events and a cut-off tail. */
export async function verifyAudit(db: DbOrTx): Promise<{ ok: boolean; checked: number; problems: AuditProblem[] }> {
  const heads = await db.select().from(auditHeads);
  const problems: AuditProblem[] = [];
  let checked = 0;
  for (const head of heads) {
    let prev = GENESIS;
    let expectSeq = 1;
    let lastSeq = 0;
    const batch = 2000;
    for (;;) {
      const rows = await db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.chain, head.chain), gt(auditEvents.seq, lastSeq)))
        .orderBy(asc(auditEvents.seq))
        .limit(batch);
      for (const r of rows) {
        checked++;
        if (r.seq !== expectSeq) {
          problems.push({
            chain: head.chain,
            seq: expectSeq,
            problem: `第 ${expectSeq}${r.seq - expectSeq > 1 ? `–${r.seq - 1}` : ''} 条事件缺失（已被删除）`,
          });
        }
        const { hash, ...fields } = r;
        const recomputed = eventHash(prev, fields as EventFields);
        if (recomputed !== hash)
          problems.push({ chain: head.chain, seq: r.seq, problem: `第 ${r.seq} 条事件内容与哈希不符（已被篡改）` });
        prev = hash;
        expectSeq = r.seq + 1;
        lastSeq = r.seq;
      }
      if (rows.length < batch) break;
    }
    if (head.seq !== lastSeq)
      problems.push({
        chain: head.chain,
        seq: lastSeq + 1,
        problem: `链尾缺失：应有 ${head.seq} 条，只找到 ${lastSeq} 条`,
      });
    else if (lastSeq > 0 && head.hash !== prev)
      problems.push({ chain: head.chain, seq: lastSeq, problem: '链头哈希与最后一条事件不符' });
  }
  return { ok: problems.length === 0, checked, problems };
}
