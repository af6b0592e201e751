import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { userActions } from './transitions.js';

// The order machine as the API answers it: every action refused from a state it does not leave and to the wrong
// party, and `actions` on the detail exactly what the caller can then really do.

let t: TestApp;
let itemId: string;
let vid: string;
beforeAll(async () => {
  t = await createTestApp();
  const menu = (await t.as(R)({ method: 'GET', url: '/api/v1/service-items' })).json().items;
  itemId = menu.find((i: { fields: unknown[] }) => i.fields.length === 0).id;
  vid = (await t.as(V)({ method: 'GET', url: '/api/v1/me' })).json().volunteerId;
});
afterAll(async () => {
  await t?.close();
});

const R = PHONES.resident;
const ADMIN = PHONES.xinjiAdmin;
const V = PHONES.volunteer;
type Action = (typeof userActions)[number];
const bodies: Record<Action, Record<string, unknown>> = {
  reject: { reason: '不属于服务范围' },
  dispatch: { target: { type: 'pool' } },
  accept: {},
  decline: { reason: '没空' },
  start: {},
  complete: { summary: '已完成' },
  rate: { score: 4 },
  cancel: { reason: '不需要了' },
  reopen: { reason: '问题又出现了' },
  recall: { reason: '派错了人' },
};
const act = (phone: string, id: string, action: Action, body = bodies[action]) =>
  t.as(phone)({ method: 'POST', url: `/api/v1/orders/${id}/${action}`, payload: body });
const detail = async (phone: string, id: string) =>
  (await t.as(phone)({ method: 'GET', url: `/api/v1/orders/${id}` })).json() as { state: string; actions: string[] };

/** A fresh order brought to a state through the API. */
async function orderIn(state: 'submitted' | 'dispatched' | 'pool' | 'accepted' | 'in_service' | 'completed') {
  const res = await t.as(R)({
    method: 'POST',
    url: '/api/v1/orders',
    payload: { serviceItemId: itemId, description: '需要帮忙' },
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const ok = async (r: Promise<{ statusCode: number; body: string }>) => expect((await r).statusCode).toBe(200);
  if (state === 'submitted') return id;
  if (state === 'pool') {
    await ok(act(ADMIN, id, 'dispatch', { target: { type: 'pool' } }));
    return id;
  }
  await ok(act(ADMIN, id, 'dispatch', { target: { type: 'volunteer', id: vid } }));
  if (state === 'dispatched') return id;
  await ok(act(V, id, 'accept'));
  if (state === 'accepted') return id;
  if (state === 'in_service') {
    await ok(act(V, id, 'start'));
    return id;
  }
  await ok(act(V, id, 'complete'));
  return id;
}

describe('the order machine', () => {
  it('refuses each action from a state it does not leave with 409, and changes nothing', async () => {
    const cases: [Parameters<typeof orderIn>[0], string, Action][] = [
      ['dispatched', ADMIN, 'reject'],
      ['dispatched', ADMIN, 'dispatch'],
      ['accepted', V, 'accept'],
      ['accepted', V, 'decline'],
      ['in_service', V, 'start'],
      ['submitted', ADMIN, 'complete'],
      ['accepted', R, 'rate'],
      ['accepted', R, 'cancel'],
      ['in_service', R, 'reopen'],
      ['submitted', ADMIN, 'recall'],
    ];
    expect(new Set(cases.map((c) => c[2]))).toEqual(new Set(userActions));
    for (const [state, phone, action] of cases) {
      const id = await orderIn(state);
      const before = (await detail(R, id)).state;
      const res = await act(phone, id, action);
      expect(res.statusCode, `${action} from ${state}`).toBe(409);
      expect(res.json().error.code).toBe('INVALID_TRANSITION');
      expect((await detail(R, id)).state).toBe(before);
    }
  });

  it('refuses the wrong party: 403 to one who sees the order, 404 to one who does not', async () => {
    const cases: [Parameters<typeof orderIn>[0], string, Action, number][] = [
      ['submitted', R, 'reject', 403],
      ['submitted', R, 'dispatch', 403],
      ['submitted', PHONES.shawoAdmin, 'dispatch', 404],
      ['dispatched', ADMIN, 'accept', 403],
      ['dispatched', R, 'decline', 403],
      ['dispatched', PHONES.volunteer2, 'accept', 404],
      ['accepted', ADMIN, 'start', 403],
      ['accepted', R, 'complete', 403],
      ['completed', ADMIN, 'rate', 403],
      ['completed', V, 'reopen', 403],
      ['submitted', ADMIN, 'cancel', 403],
      ['submitted', PHONES.shawoResident, 'cancel', 404],
      ['accepted', V, 'recall', 403],
      ['dispatched', PHONES.shawoAdmin, 'recall', 404],
    ];
    for (const [state, phone, action, status] of cases) {
      const id = await orderIn(state);
      expect((await act(phone, id, action)).statusCode, `${action} by ${phone} in ${state}`).toBe(status);
    }
  });

  it('answers exactly the actions the caller can take: each listed one works, each other one is refused', async () => {
    const views: [Parameters<typeof orderIn>[0], string, Action[]][] = [
      ['submitted', ADMIN, ['reject', 'dispatch']],
      ['submitted', R, ['cancel']],
      ['dispatched', V, ['accept', 'decline']],
      ['dispatched', R, ['cancel']],
      ['dispatched', ADMIN, ['recall']],
      // nobody declines a pool order: not listed, and refused
      ['pool', V, ['accept']],
      ['accepted', V, ['start', 'complete']],
      ['accepted', ADMIN, ['complete', 'recall']],
      ['in_service', V, ['complete']],
      ['completed', R, ['rate', 'reopen']],
      ['completed', ADMIN, []],
    ];
    for (const [state, phone, expected] of views) {
      const listed = (await detail(phone, await orderIn(state))).actions;
      expect(listed, `${state} as ${phone}`).toEqual(expected);
      for (const action of userActions) {
        const res = await act(phone, await orderIn(state), action);
        if (listed.includes(action)) expect(res.statusCode, `${action} listed in ${state}`).toBe(200);
        else expect([403, 404, 409], `${action} not listed in ${state}`).toContain(res.statusCode);
      }
    }
  });

  it('two simultaneous transitions of one order: one wins, the other answers 409', async () => {
    const id = await orderIn('submitted');
    const results = await Promise.all([
      act(ADMIN, id, 'reject'),
      act(ADMIN, id, 'dispatch', { target: { type: 'volunteer', id: vid } }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const timeline = (
      (await t.as(ADMIN)({ method: 'GET', url: `/api/v1/orders/${id}` })).json().timeline as { action: string }[]
    ).map((e) => e.action);
    expect(timeline.filter((a) => a === 'reject' || a === 'dispatch')).toHaveLength(1);
  });
});

describe('the follow-up machine (不满意回访)', () => {
  type Row = { id: string; orderId: string; state: string; actions: string[] };
  /** A completed order rated 不满意 by the resident: its follow-up, as the list shows it to `phone`. */
  async function openFollowUp(phone = ADMIN) {
    const orderId = await orderIn('completed');
    expect((await act(R, orderId, 'rate', { score: 2, comment: '来晚了' })).statusCode).toBe(200);
    const rows = (await t.as(phone)({ method: 'GET', url: '/api/v1/follow-ups?open=true' })).json().items as Row[];
    const row = rows.find((f) => f.orderId === orderId);
    expect(row, 'the follow-up of the new order').toBeDefined();
    return row!;
  }
  const close = (phone: string, id: string, result = '已电话回访并重新上门') =>
    t.as(phone)({ method: 'POST', url: `/api/v1/follow-ups/${id}/close`, payload: { result } });

  it('an open follow-up lists 办结; closing it answers the closed row with no actions; closing again is 409', async () => {
    const row = await openFollowUp();
    expect(row).toMatchObject({ state: 'open', actions: ['close'] });
    const res = await close(ADMIN, row.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: row.id, state: 'closed', stateName: '已办结', actions: [] });
    const closed = (await t.as(ADMIN)({ method: 'GET', url: '/api/v1/follow-ups?open=false' })).json().items as Row[];
    expect(closed.find((f) => f.id === row.id)).toMatchObject({ state: 'closed', actions: [] });
    const again = await close(ADMIN, row.id, '再次办结');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('INVALID_TRANSITION');
    // the resident reads the result on the order's timeline, once
    const order = await t.as(R)({ method: 'GET', url: `/api/v1/orders/${row.orderId}` });
    const notes = (order.json().timeline as { action: string; note: string }[]).filter((e) => e.action === 'follow_up');
    expect(notes.map((e) => e.note)).toEqual(['回访办结：已电话回访并重新上门']);
  });

  it('refuses the wrong party: 403 without order:manage, 404 to staff of another town', async () => {
    const row = await openFollowUp();
    expect((await close(V, row.id)).statusCode).toBe(403);
    expect((await close(PHONES.shawoAdmin, row.id)).statusCode).toBe(404);
    const shawo = (await t.as(PHONES.shawoAdmin)({ method: 'GET', url: '/api/v1/follow-ups' })).json().items as Row[];
    expect(shawo.some((f) => f.id === row.id)).toBe(false);
    // still open for its own staff
    const mine = (await t.as(ADMIN)({ method: 'GET', url: '/api/v1/follow-ups?open=true' })).json().items as Row[];
    expect(mine.find((f) => f.id === row.id)).toMatchObject({ state: 'open', actions: ['close'] });
  });

  it('two simultaneous closes of one follow-up: one wins, the other answers 409', async () => {
    const row = await openFollowUp();
    const results = await Promise.all([close(ADMIN, row.id, '甲办结'), close(PHONES.countyAdmin, row.id, '乙办结')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const order = await t.as(R)({ method: 'GET', url: `/api/v1/orders/${row.orderId}` });
    expect((order.json().timeline as { action: string }[]).filter((e) => e.action === 'follow_up')).toHaveLength(1);
    expect(order.json().followUps[0].result).toBe(results[0].statusCode === 200 ? '甲办结' : '乙办结');
  });
});
