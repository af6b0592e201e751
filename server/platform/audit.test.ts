import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/harness.js';
import { PHONES } from '../test/constants.js';
import { auditCheckpointPath } from '../config.js';
import { sha256Hex } from './crypto.js';
import {
  canonical,
  legacyEventHash,
  linkHash,
  rekeyLegacyChains,
  verifyAudit,
  writeAuditCheckpoint,
  type AuditProblem,
} from './audit.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const q = (text: string, params?: unknown[]) => t.deps.database.query(text, params);
const db = () => t.deps.database.db;
const file = () => auditCheckpointPath(t.deps.config);
const verify = () => verifyAudit(db(), { checkpoints: [file()] });
const GENESIS = sha256Hex('文明实践云审计链');

type Row = {
  chain: string;
  seq: number;
  at: Date;
  actor_id: string | null;
  actor_name: string;
  action: string;
  entity: string;
  entity_id: string | null;
  ip: string | null;
  request_id: string | null;
  before_digest: string | null;
  after_digest: string | null;
  detail: Record<string, unknown> | null;
  hash: string;
};
const fields = (r: Row) => ({
  chain: r.chain,
  seq: Number(r.seq),
  at: r.at,
  actorId: r.actor_id,
  actorName: r.actor_name,
  action: r.action,
  entity: r.entity,
  entityId: r.entity_id,
  ip: r.ip,
  requestId: r.request_id,
  beforeDigest: r.before_digest,
  afterDigest: r.after_digest,
  detail: r.detail,
});
const rowsOf = async (chain: string) =>
  (await q('select * from audit_events where chain = $1 order by seq', [chain])).rows as Row[];

/** Some audited writes through the API (site creations), so the county's chains move. */
async function audited(n: number, prefix: string) {
  const as = t.as(PHONES.countyAdmin);
  const village = (await as({ method: 'GET', url: '/api/v1/regions?parent=411523101' })).json().items[1].code;
  for (let i = 0; i < n; i++) {
    const res = await as({
      method: 'POST',
      url: '/api/v1/sites',
      payload: { kind: 'point', name: `${prefix}${i}`, regionCode: village, address: '审计测试' },
    });
    expect(res.statusCode).toBe(201);
  }
}

/** A chain of the county with at least `min` events, and its events. */
async function chainWith(min: number) {
  const { rows } = await q(
    `select chain from audit_events where chain like '411523/%' group by chain having count(*) >= $1 ` +
      'order by chain limit 1',
    [min],
  );
  const chain = (rows[0] as { chain: string }).chain;
  return { chain, rows: await rowsOf(chain) };
}

/**
 * Rewrites rows from `from` on with the hashes `hashOf` gives, and moves the head: what someone with the database does.
 */
async function rechain(chain: string, from: number, hashOf: (prev: string, r: Row) => string) {
  const rows = await rowsOf(chain);
  let prev = from > 1 ? rows.find((r) => Number(r.seq) === from - 1)!.hash : GENESIS;
  for (const r of rows.filter((x) => Number(x.seq) >= from)) {
    prev = hashOf(prev, r);
    await q('update audit_events set hash = $3 where chain = $1 and seq = $2', [chain, r.seq, prev]);
  }
  await q('update audit_heads set hash = $2 where chain = $1', [chain, prev]);
}

const problemsOf = (problems: AuditProblem[], chain: string) => problems.filter((p) => p.chain === chain);

describe('the keyed audit chain', () => {
  it('a row rewritten with the chain re-hashed without the key (plain sha256) is detected', async () => {
    await audited(6, '键控测试点');
    expect(await verifyAudit(db())).toMatchObject({ ok: true, problems: [] });
    const { chain, rows } = await chainWith(4);
    const target = Number(rows[1].seq);
    const original = rows[1].actor_name;
    await q('update audit_events set actor_name = $3 where chain = $1 and seq = $2', [chain, target, '张三']);
    // the hash rule before the key: sha256 over the previous hash and the whole canonical event
    await rechain(chain, target, (prev, r) => legacyEventHash(prev, fields(r)));
    const legacy = await verifyAudit(db());
    expect(legacy.ok).toBe(false);
    expect(problemsOf(legacy.problems, chain).some((p) => p.seq === target && p.problem.includes('篡改'))).toBe(true);
    // today's link rule with the event's tag made by plain sha256 instead of the HMAC
    await rechain(chain, target, (prev, r) => {
      const text = canonical({ ...fields(r), at: r.at.toISOString(), seq: 0 }).slice(0, -2);
      return linkHash(prev, sha256Hex(text), Number(r.seq));
    });
    const unkeyed = await verifyAudit(db());
    expect(unkeyed.ok).toBe(false);
    expect(problemsOf(unkeyed.problems, chain).some((p) => p.seq === target && p.problem.includes('篡改'))).toBe(true);
    // the head agrees with the rewritten rows: only the key gives the rewrite away
    expect(problemsOf(unkeyed.problems, chain).some((p) => p.problem.includes('链头'))).toBe(false);
    // put back (the original hashes were recomputed by nobody: restore content, then re-hash with the real rule)
    await q('update audit_events set actor_name = $3 where chain = $1 and seq = $2', [chain, target, original]);
    for (const r of rows)
      await q('update audit_events set hash = $3 where chain = $1 and seq = $2', [chain, r.seq, r.hash]);
    await q('update audit_heads set hash = $2 where chain = $1', [chain, rows[rows.length - 1].hash]);
    expect(await verifyAudit(db())).toMatchObject({ ok: true });
  });

  it('the newest events deleted with the head moved back pass the chain check, and fail against the last checkpoint', async () => {
    await writeAuditCheckpoint(db(), file(), t.clock.now());
    expect(await verify()).toMatchObject({ ok: true, problems: [], warnings: [] });
    const { chain, rows } = await chainWith(4);
    const keep = rows[rows.length - 3];
    await q('delete from audit_events where chain = $1 and seq > $2', [chain, keep.seq]);
    await q('update audit_heads set seq = $2, hash = $3 where chain = $1', [chain, keep.seq, keep.hash]);
    expect(await verifyAudit(db())).toMatchObject({ ok: true }); // a consistent, shorter chain
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(problemsOf(r.problems, chain)).toEqual([
      {
        chain,
        seq: Number(keep.seq) + 1,
        problem: expect.stringMatching(/比检查点短.*记录到第 \d+ 条，现只有 \d+ 条/),
      },
    ]);
    // the events come back (a restore): the chain matches its checkpoint again
    for (const x of rows.filter((y) => Number(y.seq) > Number(keep.seq)))
      await q(
        `insert into audit_events (chain, seq, at, actor_id, actor_name, action, entity, entity_id, ip,
          request_id, before_digest, after_digest, detail, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          x.chain,
          x.seq,
          x.at,
          x.actor_id,
          x.actor_name,
          x.action,
          x.entity,
          x.entity_id,
          x.ip,
          x.request_id,
          x.before_digest,
          x.after_digest,
          x.detail === null ? null : JSON.stringify(x.detail),
          x.hash,
        ],
      );
    const last = rows[rows.length - 1];
    await q('update audit_heads set seq = $2, hash = $3 where chain = $1', [chain, last.seq, last.hash]);
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('a rewritten chain that keeps its length disagrees with the checkpoint at its number', async () => {
    await writeAuditCheckpoint(db(), file(), t.clock.now());
    const { chain, rows } = await chainWith(4);
    const last = rows[rows.length - 1];
    await q('update audit_events set hash = $3 where chain = $1 and seq = $2', [chain, last.seq, 'f'.repeat(64)]);
    await q('update audit_heads set hash = $2 where chain = $1', [chain, 'f'.repeat(64)]);
    const r = await verify();
    expect(
      problemsOf(r.problems, chain).some((p) => p.problem.includes('与') && p.problem.includes('检查点不符')),
    ).toBe(true);
    await q('update audit_events set hash = $3 where chain = $1 and seq = $2', [chain, last.seq, last.hash]);
    await q('update audit_heads set hash = $2 where chain = $1', [chain, last.hash]);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('a tampered, forged or cut checkpoint line is reported', async () => {
    await audited(1, '检查点测试点');
    await writeAuditCheckpoint(db(), file(), t.clock.now());
    const lines = fs.readFileSync(file(), 'utf8').trimEnd().split('\n');
    const good = fs.readFileSync(file(), 'utf8');
    const last = JSON.parse(lines[lines.length - 1]) as { lanes: { chain: string; seq: number }[]; sig: string };
    // someone lowers a lane's number to hide deleted events, keeping the signature
    last.lanes[0].seq = Math.max(0, last.lanes[0].seq - 2);
    fs.writeFileSync(file(), [...lines.slice(0, -1), JSON.stringify(last)].join('\n') + '\n');
    let r = await verify();
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual({
      chain: '检查点文件',
      seq: lines.length,
      problem: expect.stringContaining('签名无效'),
    });
    // a line of their own with a made-up signature, and a line cut short
    fs.writeFileSync(
      file(),
      good + JSON.stringify({ ...last, sig: 'a'.repeat(64) }) + '\n' + good.split('\n')[0].slice(0, 40) + '\n',
    );
    r = await verify();
    expect(r.problems.filter((p) => p.chain === '检查点文件').map((p) => p.seq)).toEqual([
      lines.length + 1,
      lines.length + 2,
    ]);
    expect(r.problems.find((p) => p.seq === lines.length + 2)?.problem).toContain('不是完整的 JSON');
    fs.writeFileSync(file(), good);
    r = await verify();
    expect(r).toMatchObject({ ok: true, problems: [] });
    expect(r.checkpoints[0]).toMatchObject({ path: file(), exists: true, lines: lines.length, valid: lines.length });
  });

  it('the checkpoint job writes a line only when a head moved; no file is a warning, not a problem', async () => {
    const before = fs.readFileSync(file(), 'utf8').trimEnd().split('\n').length;
    const run = async () => {
      await t.deps.jobs.enqueue(db(), { kind: 'audit.checkpoint' });
      await t.deps.jobs.drain();
    };
    await run();
    await run();
    expect(fs.readFileSync(file(), 'utf8').trimEnd().split('\n')).toHaveLength(before);
    await audited(1, '检查点任务测试点');
    await run();
    const after = fs.readFileSync(file(), 'utf8').trimEnd().split('\n');
    expect(after).toHaveLength(before + 1);
    expect(JSON.parse(after[after.length - 1])).toMatchObject({
      v: 1,
      at: t.clock.now().toISOString(),
      lanes: expect.arrayContaining([expect.objectContaining({ chain: '411523/0' })]),
      sig: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const none = await verifyAudit(db(), { checkpoints: [`${file()}.missing`] });
    expect(none.ok).toBe(true);
    expect(none.warnings[0]).toContain('不存在');
  });

  it('a clean chain verifies after a restart (a new app on the same data), against checkpoints of both', async () => {
    t = await t.restart();
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
    await audited(3, '重启后测试点');
    await writeAuditCheckpoint(db(), file(), t.clock.now());
    const r = await verify();
    expect(r).toMatchObject({ ok: true, problems: [], warnings: [] });
    expect(r.checked).toBeGreaterThan(10);
    const auditor = await t.as(PHONES.auditor)({ method: 'GET', url: '/api/v1/audit/verify' });
    expect(auditor.json()).toMatchObject({ ok: true, problems: [] });
    expect(auditor.json().checkpoints[0].valid).toBeGreaterThan(2);
  });
});

describe('chains written before the key (an upgrade)', () => {
  /** A chain as the old code wrote it: unkeyed sha256 hashes, its head not keyed. */
  async function legacyChain(chain: string, n: number) {
    let prev = GENESIS;
    for (let seq = 1; seq <= n; seq++) {
      const e = {
        chain,
        seq,
        at: new Date(Date.UTC(2026, 0, seq)),
        actorId: null,
        actorName: '旧版本',
        action: 'site.update',
        entity: 'site',
        entityId: `old-${seq}`,
        ip: '10.0.0.1',
        requestId: null,
        beforeDigest: null,
        afterDigest: 'ab'.repeat(16),
        detail: { n: seq, note: '升级前' },
      };
      prev = legacyEventHash(prev, e);
      await q(
        `insert into audit_events (chain, seq, at, actor_id, actor_name, action, entity, entity_id, ip,
          request_id, before_digest, after_digest, detail, hash)
         values ($1, $2, $3, null, $4, $5, $6, $7, $8, null, null, $9, $10, $11)`,
        [
          chain,
          seq,
          e.at,
          e.actorName,
          e.action,
          e.entity,
          e.entityId,
          e.ip,
          e.afterDigest,
          JSON.stringify(e.detail),
          prev,
        ],
      );
    }
    await q('insert into audit_heads (chain, seq, hash, keyed) values ($1, $2, $3, false)', [chain, n, prev]);
    return prev;
  }

  it('an intact old chain is re-chained with the key once, and says so; a broken one is left and reported', async () => {
    const intact = '999901/0';
    const broken = '999901/1';
    const oldHead = await legacyChain(intact, 5);
    await legacyChain(broken, 3);
    await q(`update audit_events set actor_name = '改过' where chain = $1 and seq = 2`, [broken]);
    expect(problemsOf((await verifyAudit(db())).problems, intact)[0].problem).toContain('未以审计密钥签名');

    const outcome = await rekeyLegacyChains(db(), { checkpoints: [file()] });
    expect(outcome.find((o) => o.chain === intact)).toMatchObject({ keyed: true, events: 5, problems: [] });
    expect(outcome.find((o) => o.chain === broken)).toMatchObject({ keyed: false });
    expect(outcome.find((o) => o.chain === broken)!.problems.some((p) => p.seq === 2)).toBe(true);
    const rows = await rowsOf(intact);
    expect(rows).toHaveLength(6);
    expect(rows[5]).toMatchObject({ action: 'audit.rekeyed', detail: { events: 5, legacyHead: oldHead } });
    expect(rows[0].hash).not.toBe(legacyEventHash(GENESIS, fields(rows[0])));
    const r = await verifyAudit(db());
    expect(problemsOf(r.problems, intact)).toEqual([]);
    expect(problemsOf(r.problems, broken).map((p) => p.seq)).toEqual([0, 2]);
    expect(await rekeyLegacyChains(db())).toEqual([
      { chain: broken, events: 3, keyed: false, problems: expect.any(Array) },
    ]);

    // a keyed chain marked unkeyed after a checkpoint recorded it: re-chaining would launder a rewrite — refused
    await writeAuditCheckpoint(db(), file(), t.clock.now());
    await q('update audit_heads set keyed = false where chain = $1', [intact]);
    const refused = await rekeyLegacyChains(db(), { checkpoints: [file()] });
    expect(refused.find((o) => o.chain === intact)!.problems[0].problem).toContain('检查点记录本链已以密钥签名');
    await q('update audit_heads set keyed = true where chain = $1', [intact]);
    await q(`delete from audit_events where chain like '999901/%'`);
    await q(`delete from audit_heads where chain like '999901/%'`);
  });
});
