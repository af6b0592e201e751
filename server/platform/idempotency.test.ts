import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/harness.js';
import { PHONES } from '../test/constants.js';

let t: TestApp;
let itemId: string;
beforeAll(async () => {
  t = await createTestApp();
  const menu = (await t.as(PHONES.resident)({ method: 'GET', url: '/api/v1/service-items' })).json().items;
  itemId = menu.find((i: { fields: unknown[] }) => i.fields.length === 0).id;
});
afterAll(async () => {
  await t?.close();
});

const order = (phone: string, key: string | null, description = '帮忙修水管') =>
  t.as(phone)({
    method: 'POST',
    url: '/api/v1/orders',
    payload: { serviceItemId: itemId, description },
    headers: key === null ? {} : { 'idempotency-key': key },
  });
const ordersOf = async (description: string) =>
  (await t.deps.database.query('select count(*)::int as n from orders where description = $1', [description])).rows[0]
    .n as number;

describe('idempotent writes (Idempotency-Key)', () => {
  it('a repeated write answers the first answer and writes nothing more', async () => {
    const key = randomUUID();
    const first = await order(PHONES.resident, key, '重复提交测试一');
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await order(PHONES.resident, key, '重复提交测试一');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await ordersOf('重复提交测试一')).toBe(1);
    // without a key, or with a new one, a write is a new write
    expect((await order(PHONES.resident, null, '重复提交测试一')).statusCode).toBe(201);
    expect((await order(PHONES.resident, randomUUID(), '重复提交测试一')).statusCode).toBe(201);
    expect(await ordersOf('重复提交测试一')).toBe(3);
  });

  it('ten copies at once make one order; the others replay it or are told it is still running', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => order(PHONES.resident, key, '并发重复提交')));
    expect(await ordersOf('并发重复提交')).toBe(1);
    const created = answers.filter((a) => a.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.json().id)).size).toBe(1);
    for (const a of answers.filter((x) => x.statusCode !== 201)) {
      expect(a.statusCode).toBe(409);
      expect(a.json().error).toMatchObject({ code: 'DUPLICATE', message: '相同的请求正在处理，请稍后再试' });
      expect(a.headers['retry-after']).toBe('1');
    }
    // once the first is done, a late copy gets its answer
    const late = await order(PHONES.resident, key, '并发重复提交');
    expect(late.statusCode).toBe(201);
    expect(late.json().id).toBe(created[0].json().id);
  });

  it('the same key for another request is refused by name; a malformed key too', async () => {
    const key = randomUUID();
    expect((await order(PHONES.resident, key, '编号复用一')).statusCode).toBe(201);
    const other = await order(PHONES.resident, key, '编号复用二');
    expect(other.statusCode).toBe(400);
    expect(other.json().error.details).toEqual([
      { path: 'Idempotency-Key', message: '该请求编号已用于另一次提交，请重新提交' },
    ]);
    expect(await ordersOf('编号复用二')).toBe(0);
    const bad = await order(PHONES.resident, 'short', '编号格式');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('Idempotency-Key');
    expect(await ordersOf('编号格式')).toBe(0);
  });

  it('keys are per account; a refusal is replayed as it was; a day later a key is new again', async () => {
    const key = randomUUID();
    const mine = await order(PHONES.resident, key, '各自的编号');
    const theirs = await order(PHONES.shawoResident, key, '各自的编号');
    expect(mine.statusCode).toBe(201);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().id).not.toBe(mine.json().id);
    // a business refusal (cancelling twice) is an answer too: the repeat gets the same 409, nothing runs again
    const cancel = (k: string) =>
      t.as(PHONES.resident)({
        method: 'POST',
        url: `/api/v1/orders/${mine.json().id}/cancel`,
        payload: {},
        headers: { 'idempotency-key': k },
      });
    expect((await cancel(randomUUID())).statusCode).toBe(200);
    const refusedKey = randomUUID();
    const refused = await cancel(refusedKey);
    expect(refused.statusCode).toBe(409);
    const replayed = await cancel(refusedKey);
    expect(replayed.statusCode).toBe(409);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.json()).toEqual(refused.json());
    // after a day the key is forgotten: the same write runs again
    t.clock.advance(25 * 3600_000);
    try {
      const later = await order(PHONES.resident, key, '各自的编号');
      expect(later.statusCode).toBe(201);
      expect(later.headers['idempotent-replayed']).toBeUndefined();
      expect(later.json().id).not.toBe(mine.json().id);
    } finally {
      t.clock.advance(-25 * 3600_000);
    }
  });
});
