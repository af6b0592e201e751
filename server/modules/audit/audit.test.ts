import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { verifyAudit } from '../../platform/audit.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const q = (sql: string, params?: unknown[]) => t.deps.database.query(sql, params);

describe('audit trail', () => {
  it('writes an event for a mutation, inside its transaction, visible to the auditor only', async () => {
    const village = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/regions?parent=411523100' })).json()
      .items[0].code;
    const site = (
      await t.as(PHONES.countyAdmin)({
        method: 'POST',
        url: '/api/v1/sites',
        payload: { kind: 'point', name: '审计测试点', regionCode: village, address: 'x' },
      })
    ).json();
    const audit = await t.as(PHONES.auditor)({ method: 'GET', url: `/api/v1/audit?entity=site&entityId=${site.id}` });
    expect(audit.statusCode).toBe(200);
    expect(audit.json().items[0]).toMatchObject({
      action: 'site.create',
      actorName: '刘文明',
      entity: 'site',
      entityId: site.id,
    });
    expect(audit.json().items[0].hash).toMatch(/^[0-9a-f]{64}$/);
    for (const phone of [PHONES.countyAdmin, PHONES.sysadmin, PHONES.secadmin]) {
      expect((await t.as(phone)({ method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(403);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(401);
  });

  it('a failed command leaves no audit event behind', async () => {
    const before = (await q('select count(*)::int as n from audit_events')).rows[0].n;
    const res = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: '/api/v1/standards',
      payload: { code: 'six_haves', name: '重复', kinds: ['station'], items: [{ code: 'a', name: 'a' }] },
    });
    expect(res.statusCode).toBe(409);
    expect((await q('select count(*)::int as n from audit_events')).rows[0].n).toBe(before);
  });

  it('stays gapless under concurrent mutations', async () => {
    const as = t.as(PHONES.countyAdmin);
    const village = (await as({ method: 'GET', url: '/api/v1/regions?parent=411523101' })).json().items[1].code;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        as({
          method: 'POST',
          url: '/api/v1/sites',
          payload: { kind: 'point', name: `并发点${i}`, regionCode: village, address: 'x' },
        }),
      ),
    );
    expect(results.map((r) => (r.statusCode === 201 ? 201 : r.body))).toEqual(results.map(() => 201));
    const { rows } = await q(
      'select count(*)::int as n from audit_events ' +
        `where action = 'site.create' and entity_id in (select id::text from sites where name like '并发点%')`,
    );
    expect(rows[0].n).toBe(20);
    const gaps = await q(`select chain from audit_events group by chain having max(seq) <> count(*)`);
    expect(gaps.rows).toEqual([]);
    expect(await verifyAudit(t.deps.database.db)).toMatchObject({ ok: true, problems: [] });
  });

  it('the chain verifies, and an altered or deleted row is detected', async () => {
    const ok = await t.as(PHONES.auditor)({ method: 'GET', url: '/api/v1/audit/verify' });
    expect(ok.json()).toMatchObject({ ok: true, problems: [] });
    expect(ok.json().checked).toBeGreaterThan(5);

    const { rows } = await q(
      `select chain, min(seq)::int as seq from audit_events group by chain having count(*) >= 3 order by chain limit 1`,
    );
    const { chain, seq } = rows[0] as { chain: string; seq: number };
    const original = (await q(`select actor_name from audit_events where chain = $1 and seq = $2`, [chain, seq]))
      .rows[0].actor_name;
    await q(`update audit_events set actor_name = '张三' where chain = $1 and seq = $2`, [chain, seq]);
    const altered = await verifyAudit(t.deps.database.db);
    expect(altered.ok).toBe(false);
    expect(altered.problems.some((p) => p.seq === seq && p.problem.includes('篡改'))).toBe(true);
    await q(`update audit_events set actor_name = $3 where chain = $1 and seq = $2`, [chain, seq, original]);
    expect((await verifyAudit(t.deps.database.db)).ok).toBe(true);

    await q(`delete from audit_events where chain = $1 and seq = $2`, [chain, seq + 1]);
    const deleted = await verifyAudit(t.deps.database.db);
    expect(deleted.ok).toBe(false);
    expect(deleted.problems.some((p) => p.seq === seq + 1 && p.problem.includes('缺失'))).toBe(true);

    const { rows: last } = await q(`select max(seq)::int as m from audit_events where chain = $1`, [chain]);
    await q(`delete from audit_events where chain = $1 and seq = $2`, [chain, last[0].m]);
    const tail = await verifyAudit(t.deps.database.db);
    expect(tail.problems.some((p) => p.problem.includes('链尾'))).toBe(true);
  });
});
