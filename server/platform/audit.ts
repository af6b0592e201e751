import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { auditEvents, auditHeads } from '../db/schema/index.js';
import type { Db, DbOrTx } from '../db/client.js';
import { sha256Hex } from './crypto.js';
import { appendCheckpoint, latestCheckpoints, readCheckpoints } from './audit-checkpoint.js';

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

/**
 * The audit key (HMAC-SHA256, a sub-key of the data master key: server/platform/crypto.ts), held by this process and
 * never sent to the database. openPlatform sets it; appending or verifying without it is a programming error.
 */
export type AuditSigner = {
  /** HMAC-SHA256 of an event's canonical text, hex. */
  auditTag(text: string): string;
  /** HMAC-SHA256 of a checkpoint line's canonical text, hex (a key of its own). */
  checkpointSignature(text: string): string;
};
let signer: AuditSigner | null = null;
export function useAuditSigner(s: AuditSigner) {
  signer = s;
}
export function auditSigner(): AuditSigner {
  if (!signer) throw new Error('audit: no audit key (openPlatform sets it)');
  return signer;
}
const signCheckpoint = (text: string) => auditSigner().checkpointSignature(text);

/** The canonical text of an event up to its sequence number: `{…,"seq":` ("seq" sorts after every other key). */
function eventPrefix(e: Omit<EventFields, 'seq'>): string {
  const text = canonical({ ...e, at: e.at.toISOString(), seq: 0 });
  if (!text.endsWith(',"seq":0}')) throw new Error('audit: seq must be the last key of the canonical event');
  return text.slice(0, -2);
}

/**
 * A link of the chain: sha256(previous hash, newline, the event's keyed tag, colon, sequence number). The tag —
 * HMAC-SHA256 over everything the event says except its number — is computed in this process; PostgreSQL only
 * chains it to the head it has locked, with sha256(), so the key never leaves the process. Without the key nobody
 * can make the tag of an altered event, and without the tags (stored nowhere) nobody can re-link the chain around a
 * removed or renumbered event. Cutting the newest events off is what the checkpoints outside the database catch.
 */
export const linkHash = (prev: string, tag: string, seq: number) => sha256Hex(`${prev}\n${tag}:${seq}`);

export function eventHash(prev: string, e: EventFields): string {
  const { seq, ...rest } = e;
  return linkHash(prev, auditSigner().auditTag(eventPrefix(rest)), seq);
}

/** The hash of an event before the chain was keyed (unkeyed sha256 of the whole canonical event): upgrades only. */
export function legacyEventHash(prev: string, e: EventFields): string {
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

/** An event ready to append: its keyed tag (of the canonical text up to the sequence number), made in JS. */
type PreparedEvent = {
  chain: string;
  at: Date;
  fields: Omit<EventFields, 'seq'>;
  tag: string;
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
  return {
    chain,
    at,
    fields,
    tag: auditSigner().auditTag(eventPrefix(fields)),
    detailJson: fields.detail === null ? null : JSON.stringify(fields.detail),
  };
}

/** linkHash in SQL: `prev` and `seq` are SQL expressions, the tag a parameter (or a chosen one). */
const linkHashSql = (prev: SQL, tag: SQL, seq: SQL) =>
  sql`encode(sha256(convert_to(${prev} || chr(10) || ${tag} || ':' || ${seq}::text, 'UTF8')), 'hex')`;

async function appendEvent(tx: DbOrTx, e: PreparedEvent) {
  const f = e.fields;
  const append = () =>
    tx.execute(sql`with h as (select seq + 1 as seq, hash from ${auditHeads} where chain = ${e.chain} for update),
    e as (insert into ${auditEvents} (chain, seq, at, actor_id, actor_name, action, entity, entity_id, ip,
      request_id, before_digest, after_digest, detail, hash)
      select ${e.chain}, h.seq, ${e.at.toISOString()}::timestamptz, ${f.actorId}::uuid, ${f.actorName},
        ${f.action}, ${f.entity}, ${f.entityId}, ${f.ip}, ${f.requestId},
        ${f.beforeDigest}, ${f.afterDigest}, ${e.detailJson}::jsonb,
        ${linkHashSql(sql`h.hash`, sql`${e.tag}::text`, sql`h.seq`)}
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
 * verifyAudit recomputes): the keyed tag of the event is made here, PostgreSQL links it to the previous hash and the
 * number it assigns with sha256() (linkHash). Call this last.
 */
export async function writeAudit(tx: DbOrTx, actor: Actor, input: AuditInput) {
  await appendEvent(tx, prepareEvent(actor, input, new Date()));
}

/**
 * A detail value that the caller's statement decides: `detail[key]` becomes the text value of `by`, one of `values`.
 */
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
 * block at all (no BEGIN, no COMMIT round trip). Same chain, keyed tag (made here, in JS), link hash and head as
 * writeAudit. The head is created, locked and moved by one `insert … on conflict do update` (a chain's first
 * event creates its head at seq 1 from the genesis hash; later ones wait for the head's lock and move the newest
 * version), and that insert reads its row from `from` (a CTE of the caller, e.g. its INSERT … RETURNING) — so the
 * caller's own locks come first and the audit lane last, as in every command that calls writeAudit at its end. A
 * detail value the statement decides (`pick`) selects, in SQL, one of the tags made here for each allowed value, so
 * the hash covers exactly what is stored; any other value fails the statement (a null hash).
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
  const hash = (prev: SQL, seq: SQL) => linkHashSql(prev, sql`audit_t.tag`, seq);
  const ctes = sql`audit_g as (select (${pick ? pick.by : sql`null`})::text as v from ${from} limit 1),
    audit_t as (select ${choose((x) => sql`${x.tag}::text`)} as tag,
      ${choose((x) => sql`${x.detailJson}::jsonb`)} as detail from audit_g),
    audit_h as (insert into ${auditHeads} as h (chain, seq, hash)
      select ${e.chain}, 1, ${hash(sql`${GENESIS}::text`, sql`1`)} from audit_t
      on conflict (chain) do update
        set seq = h.seq + 1, hash = (select ${hash(sql`h.hash`, sql`(h.seq + 1)`)} from audit_t)
      returning seq, hash),
    audit_e as (insert into ${auditEvents} (chain, seq, at, actor_id, actor_name, action, entity, entity_id, ip,
      request_id, before_digest, after_digest, detail, hash)
      select ${e.chain}, audit_h.seq, ${at.toISOString()}::timestamptz, ${f.actorId}::uuid, ${f.actorName},
        ${f.action}, ${f.entity}, ${f.entityId}, ${f.ip}, ${f.requestId},
        ${f.beforeDigest}, ${f.afterDigest}, audit_t.detail, audit_h.hash
      from audit_h, audit_t returning seq)`;
  return { chain: e.chain, ctes, seq: sql`(select seq from audit_e)` };
}

export type AuditProblem = { chain: string; seq: number; problem: string };
export type AuditVerifyResult = {
  ok: boolean;
  checked: number;
  problems: AuditProblem[];
  /** The checkpoint files read: how many lines, how many valid, the time of the newest valid one. */
  checkpoints: { path: string; exists: boolean; lines: number; valid: number; latestAt: string | null }[];
  /** What limits the check without being a problem of the chain (e.g. no checkpoint file yet). */
  warnings: string[];
};

type StoredEvent = typeof auditEvents.$inferSelect;
const fieldsOf = ({ hash: _hash, ...fields }: StoredEvent) => fields as EventFields;

/** The rows of a chain in order, 2,000 at a time. */
async function* chainRows(db: DbOrTx, chain: string) {
  let lastSeq = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.chain, chain), gt(auditEvents.seq, lastSeq)))
      .orderBy(asc(auditEvents.seq))
      .limit(2000);
    yield rows;
    if (rows.length < 2000) return;
    lastSeq = rows[rows.length - 1].seq;
  }
}

/**
 * Walks one chain from its genesis with `hashOf`; reports altered, missing or reordered events and a head that does
 * not match the last event. Returns the last sequence number found, and the stored hash of each `want`ed number.
 */
async function walkChain(
  db: DbOrTx,
  head: { chain: string; seq: number; hash: string },
  hashOf: (prev: string, e: EventFields) => string,
  problems: AuditProblem[],
  want?: number,
) {
  let prev = GENESIS;
  let expectSeq = 1;
  let lastSeq = 0;
  let checked = 0;
  let wanted: string | null = null;
  for await (const rows of chainRows(db, head.chain)) {
    for (const r of rows) {
      checked++;
      if (r.seq !== expectSeq) {
        problems.push({
          chain: head.chain,
          seq: expectSeq,
          problem: `第 ${expectSeq}${r.seq - expectSeq > 1 ? `–${r.seq - 1}` : ''} 条事件缺失（已被删除）`,
        });
      }
      if (hashOf(prev, fieldsOf(r)) !== r.hash)
        problems.push({ chain: head.chain, seq: r.seq, problem: `第 ${r.seq} 条事件内容与哈希不符（已被篡改）` });
      if (r.seq === want) wanted = r.hash;
      prev = r.hash;
      expectSeq = r.seq + 1;
      lastSeq = r.seq;
    }
  }
  if (head.seq !== lastSeq)
    problems.push({
      chain: head.chain,
      seq: lastSeq + 1,
      problem: `链尾缺失：应有 ${head.seq} 条，只找到 ${lastSeq} 条`,
    });
  else if (lastSeq > 0 && head.hash !== prev)
    problems.push({ chain: head.chain, seq: lastSeq, problem: '链头哈希与最后一条事件不符' });
  return { checked, lastSeq, wanted };
}

/**
 * Recomputes every chain from its genesis with the audit key, and compares it with the latest valid checkpoint of each
 * chain in the given checkpoint files: an altered, missing or reordered event, a head that disagrees, a chain shorter
 * than its checkpoint or with another event at the checkpoint's number, a chain not keyed, and a checkpoint line that
 * does not parse or whose signature fails are all reported.
 */
export async function verifyAudit(db: DbOrTx, opts: { checkpoints?: string[] } = {}): Promise<AuditVerifyResult> {
  const reads = await Promise.all((opts.checkpoints ?? []).map((f) => readCheckpoints(f, signCheckpoint)));
  const latest = latestCheckpoints(reads);
  const problems: AuditProblem[] = [];
  const warnings: string[] = [];
  for (const r of reads) {
    if (!r.exists) warnings.push(`检查点文件 ${r.path} 不存在：无法发现被整体删除的最新事件`);
    for (const bad of r.invalid)
      problems.push({ chain: '检查点文件', seq: bad.line, problem: `${r.path} 第 ${bad.line} 行${bad.reason}` });
  }
  const heads = await db.select().from(auditHeads).orderBy(asc(auditHeads.chain));
  let checked = 0;
  for (const head of heads) {
    const cp = latest.get(head.chain);
    if (!head.keyed)
      problems.push({ chain: head.chain, seq: 0, problem: '本链未以审计密钥签名（升级时旧链校验未通过，或被改动）' });
    const walked = await walkChain(db, head, head.keyed ? eventHash : legacyEventHash, problems, cp?.seq);
    checked += walked.checked;
    if (!cp || cp.seq === 0) continue;
    if (walked.lastSeq < cp.seq)
      problems.push({
        chain: head.chain,
        seq: walked.lastSeq + 1,
        problem: `比检查点短：${cp.at} 的检查点记录到第 ${cp.seq} 条，现只有 ${walked.lastSeq} 条（最新的事件被删除）`,
      });
    else if (walked.wanted !== cp.hash)
      problems.push({
        chain: head.chain,
        seq: cp.seq,
        problem: `第 ${cp.seq} 条事件与 ${cp.at} 的检查点不符（链被改写）`,
      });
  }
  const present = new Set(heads.map((h) => h.chain));
  for (const [chain, cp] of latest)
    if (!present.has(chain) && cp.seq > 0)
      problems.push({ chain, seq: 1, problem: `整条链缺失：${cp.at} 的检查点记录到第 ${cp.seq} 条` });
  return {
    ok: problems.length === 0,
    checked,
    problems,
    checkpoints: reads.map((r) => ({
      path: r.path,
      exists: r.exists,
      lines: r.lines,
      valid: r.valid.length,
      latestAt: r.valid.length ? r.valid[r.valid.length - 1].checkpoint.at : null,
    })),
    warnings,
  };
}

/** The heads this process last wrote to each checkpoint file: an unchanged trail is not written again. */
const lastWritten = new Map<string, string>();

/**
 * Appends a signed checkpoint of every chain's head (chain, seq, hash) to `file`, unless nothing moved since the last.
 */
export async function writeAuditCheckpoint(db: DbOrTx, file: string, now: Date) {
  const lanes = await db
    .select({ chain: auditHeads.chain, seq: auditHeads.seq, hash: auditHeads.hash })
    .from(auditHeads)
    .orderBy(asc(auditHeads.chain));
  const key = JSON.stringify(lanes);
  if (lastWritten.get(file) === key) return { written: false, lanes: lanes.length };
  await appendCheckpoint(file, lanes, now, signCheckpoint);
  lastWritten.set(file, key);
  return { written: true, lanes: lanes.length };
}

export type RekeyOutcome = { chain: string; events: number; keyed: boolean; problems: AuditProblem[] };

/**
 * Upgrade: chains written before the audit key (heads with `keyed = false`, as migration 0009 leaves them) are checked
 * with the old rule (unkeyed sha256) and, when intact, re-chained once with the key — every hash recomputed, the head
 * moved and marked keyed, and an `audit.rekeyed` event appended that records the old head — all in one transaction
 * holding the head's lock. A chain that fails the old check is left as it is (verification reports it). A chain that a
 * checkpoint already recorded was keyed before: it is not re-chained (that would launder a rewrite) but reported.
 */
export async function rekeyLegacyChains(db: Db, opts: { checkpoints?: string[] } = {}): Promise<RekeyOutcome[]> {
  const legacy = await db.select().from(auditHeads).where(eq(auditHeads.keyed, false)).orderBy(asc(auditHeads.chain));
  if (!legacy.length) return [];
  const reads = await Promise.all((opts.checkpoints ?? []).map((f) => readCheckpoints(f, signCheckpoint)));
  const known = latestCheckpoints(reads);
  const out: RekeyOutcome[] = [];
  for (const { chain } of legacy) {
    if (known.has(chain)) {
      out.push({
        chain,
        events: 0,
        keyed: false,
        problems: [{ chain, seq: 0, problem: '检查点记录本链已以密钥签名，现却被标为未签名：不重新签名' }],
      });
      continue;
    }
    out.push(await db.transaction((tx) => rekeyChain(tx, chain)));
  }
  return out;
}

async function rekeyChain(tx: Parameters<Parameters<Db['transaction']>[0]>[0], chain: string): Promise<RekeyOutcome> {
  const [head] = await tx.select().from(auditHeads).where(eq(auditHeads.chain, chain)).for('update');
  if (!head || head.keyed) return { chain, events: 0, keyed: !!head?.keyed, problems: [] };
  const problems: AuditProblem[] = [];
  const { checked } = await walkChain(tx, head, legacyEventHash, problems);
  if (problems.length) return { chain, events: checked, keyed: false, problems };
  let prev = GENESIS;
  for await (const rows of chainRows(tx, chain)) {
    if (!rows.length) break;
    const hashes = rows.map((r) => (prev = eventHash(prev, fieldsOf(r))));
    await tx.execute(sql`update ${auditEvents} as e set hash = u.hash
      from unnest(${`{${rows.map((r) => r.seq).join(',')}}`}::bigint[], ${`{${hashes.join(',')}}`}::text[])
        as u(seq, hash)
      where e.chain = ${chain} and e.seq = u.seq`);
  }
  await tx.update(auditHeads).set({ hash: prev, keyed: true }).where(eq(auditHeads.chain, chain));
  await writeAudit(tx, systemActor('审计链升级'), {
    action: 'audit.rekeyed',
    entity: 'audit_chain',
    entityId: chain,
    chain,
    detail: { events: checked, legacyHead: head.hash },
  });
  return { chain, events: checked, keyed: true, problems: [] };
}
