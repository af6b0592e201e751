import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemScope } from '../../platform/scope.js';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { sweepOrders } from './sla.js';
import { deliverDue, webhookSender } from '../../platform/notify.js';
import { verifyAudit } from '../../platform/audit.js';
import { hashPassword } from '../../platform/crypto.js';
import { checkChar } from '../../platform/idcard.js';
import { ensureUser } from '../accounts/service.js';
import { registerVolunteer } from '../volunteers/service.js';

let t: TestApp;
let simpleItem: { id: string; name: string };
let fieldItem: { id: string; fields: { key: string; required: boolean; type: string; options?: string[] }[] };
beforeAll(async () => {
  t = await createTestApp();
  const menu = (await t.as(PHONES.resident)({ method: 'GET', url: '/api/v1/service-items' })).json().items;
  simpleItem = menu.find((i: { fields: unknown[] }) => i.fields.length === 0);
  fieldItem = menu.find((i: { name: string }) => i.name === '义诊体检');
});
afterAll(async () => {
  await t?.close();
});

const R = PHONES.resident;
const ADMIN = PHONES.xinjiAdmin;
const act = (phone: string, id: string, action: string, payload: Record<string, unknown> = {}) =>
  t.as(phone)({ method: 'POST', url: `/api/v1/orders/${id}/${action}`, payload });
const newOrder = async (phone = R, extra: Record<string, unknown> = {}) => {
  const res = await t.as(phone)({
    method: 'POST',
    url: '/api/v1/orders',
    payload: { serviceItemId: simpleItem.id, description: '家里老人需要帮忙', ...extra },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; state: string };
};
const volunteerId = async (phone: string) =>
  (await t.as(phone)({ method: 'GET', url: '/api/v1/me' })).json().volunteerId as string;

describe('the menu', () => {
  it('residents see county, town and village items; staff manage items in scope', async () => {
    const menu = (await t.as(R)({ method: 'GET', url: '/api/v1/service-items' })).json();
    expect(menu.items.length).toBeGreaterThan(15);
    expect(
      menu.items.every((i: { regionLevel: string }) => ['county', 'town', 'village'].includes(i.regionLevel)),
    ).toBe(true);
    const village = menu.region.code;
    const created = await t.as(PHONES.stationAdmin)({
      method: 'POST',
      url: '/api/v1/service-items',
      payload: {
        name: '村内代收快递',
        category: 'poverty',
        regionCode: village,
        fields: [
          { key: 'count', label: '件数', type: 'number', required: true },
          { key: 'kind', label: '类型', type: 'single', required: false, options: ['包裹', '信件'] },
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(
      (await t.as(R)({ method: 'GET', url: '/api/v1/service-items' }))
        .json()
        .items.map((i: { name: string }) => i.name),
    ).toContain('村内代收快递');
    expect(
      (await t.as(PHONES.shawoResident)({ method: 'GET', url: '/api/v1/service-items' }))
        .json()
        .items.map((i: { name: string }) => i.name),
    ).not.toContain('村内代收快递');
    const badChoice = await t.as(ADMIN)({
      method: 'POST',
      url: '/api/v1/service-items',
      payload: {
        name: '坏字段',
        category: 'poverty',
        regionCode: '411523100',
        fields: [{ key: 'k', label: '选项', type: 'single', required: true }],
      },
    });
    expect(badChoice.statusCode).toBe(400);
    expect(badChoice.json().error.details[0].path).toBe('fields.0.options');
    expect(
      (
        await t.as(R)({
          method: 'POST',
          url: '/api/v1/service-items',
          payload: { name: '越权', category: 'poverty', regionCode: village },
        })
      ).statusCode,
    ).toBe(403);
  });

  it('validates the typed extra fields when an order is placed, and saves nothing on error', async () => {
    const before = (await t.deps.database.query('select count(*)::int as n from orders')).rows[0].n;
    const missing = await t.as(R)({
      method: 'POST',
      url: '/api/v1/orders',
      payload: { serviceItemId: fieldItem.id, description: '想体检', answers: {} },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details.map((d: { path: string }) => d.path)).toContain('answers.people');
    const wrong = await t.as(R)({
      method: 'POST',
      url: '/api/v1/orders',
      payload: {
        serviceItemId: fieldItem.id,
        description: '想体检',
        answers: { people: '十个', items: ['针灸'], date: '2026-13-40', extra: 1 },
      },
    });
    expect(wrong.json().error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['answers.people', 'answers.items', 'answers.date', 'answers.extra']),
    );
    const unknown = await t.as(R)({
      method: 'POST',
      url: '/api/v1/orders',
      payload: { serviceItemId: '00000000-0000-4000-8000-000000000000', description: '想体检' },
    });
    expect(unknown.json().error.details[0].path).toBe('serviceItemId');
    expect((await t.deps.database.query('select count(*)::int as n from orders')).rows[0].n).toBe(before);
    const ok = await t.as(R)({
      method: 'POST',
      url: '/api/v1/orders',
      payload: {
        serviceItemId: fieldItem.id,
        description: '想体检',
        answers: { people: 12, items: ['血压', '血糖'], date: '2026-06-10' },
      },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ state: 'submitted', answers: { people: 12 } });
  });
});

describe('the order state machine', () => {
  it('runs the whole loop with a timeline the resident can read', async () => {
    const o = await newOrder();
    const vid = await volunteerId(PHONES.volunteer);
    expect((await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } })).json().state).toBe(
      'dispatched',
    );
    expect((await act(PHONES.volunteer, o.id, 'accept')).json().state).toBe('accepted');
    expect((await act(PHONES.volunteer, o.id, 'start')).json().state).toBe('in_service');
    expect((await act(PHONES.volunteer, o.id, 'complete', { summary: '已上门帮忙', hours: 2 })).json().state).toBe(
      'completed',
    );
    const rated = (await act(R, o.id, 'rate', { score: 5, comment: '谢谢' })).json();
    expect(rated).toMatchObject({ state: 'rated', score: 5, scoreName: '非常满意' });
    const view = (await t.as(R)({ method: 'GET', url: `/api/v1/orders/${o.id}` })).json();
    expect(view.timeline.map((e: { action: string }) => e.action)).toEqual([
      'submit',
      'dispatch',
      'accept',
      'start',
      'complete',
      'rate',
    ]);
    expect(view.timeline[1]).toMatchObject({ actorName: '陈新集', from: 'submitted', to: 'dispatched' });
    expect(view.actions).toEqual(['reopen']);
    const audit = (
      await t.as(PHONES.auditor)({ method: 'GET', url: `/api/v1/audit?entity=order&entityId=${o.id}` })
    ).json();
    expect(audit.total).toBe(6);
  });

  it('every action answers with exactly the order detail a GET right after returns (same shape and values)', async () => {
    const same = async (phone: string, res: { statusCode: number; body: string; json: () => { id: string } }) => {
      expect(res.statusCode, res.body).toBeLessThan(300);
      const view = await t.as(phone)({ method: 'GET', url: `/api/v1/orders/${res.json().id}` });
      expect(res.body).toBe(view.body);
      return res.json();
    };
    const vid = await volunteerId(PHONES.volunteer);
    const o = await same(
      R,
      await t.as(R)({
        method: 'POST',
        url: '/api/v1/orders',
        payload: {
          serviceItemId: fieldItem.id,
          description: '想体检',
          answers: { people: 2, items: ['血压'], date: '2026-06-10' },
        },
      }),
    );
    await same(ADMIN, await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } }));
    await same(PHONES.volunteer, await act(PHONES.volunteer, o.id, 'accept'));
    await same(PHONES.volunteer, await act(PHONES.volunteer, o.id, 'start'));
    await same(PHONES.volunteer, await act(PHONES.volunteer, o.id, 'complete', { summary: '已完成', hours: 1.5 }));
    await same(R, await act(R, o.id, 'rate', { score: 1, comment: '没来' }));
    await same(R, await act(R, o.id, 'reopen', { reason: '还要再来' }));
    await same(ADMIN, await act(ADMIN, o.id, 'dispatch', { target: { type: 'pool' } }));
    await same(R, await act(R, o.id, 'cancel', { reason: '不要了' }));
    const o2 = await same(
      R,
      await t.as(R)({
        method: 'POST',
        url: '/api/v1/orders',
        payload: { serviceItemId: simpleItem.id, description: '家里老人需要帮忙' },
      }),
    );
    await same(ADMIN, await act(ADMIN, o2.id, 'reject', { reason: '不属于服务范围' }));
    // a decline: the volunteer can no longer see the order and gets its new state only
    const o3 = await newOrder();
    await act(ADMIN, o3.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    expect((await act(PHONES.volunteer, o3.id, 'decline', { reason: '不在家' })).json()).toEqual({
      id: o3.id,
      state: 'submitted',
      stateName: '待派单',
      timeline: [],
      actions: [],
    });
    // each action appended its audit event (folded into its statement) and the chains verify
    const audit = await t.deps.database.query(
      `select action from audit_events where entity = 'order' and entity_id = $1 order by seq`,
      [o.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'order.create',
      'order.dispatch',
      'order.accept',
      'order.start',
      'order.complete',
      'order.rate',
      'order.reopen',
      'order.dispatch',
      'order.cancel',
    ]);
    expect(await verifyAudit(t.deps.database.db)).toMatchObject({ ok: true, problems: [] });
  });

  it('answers 409 for an action from the wrong state and changes nothing', async () => {
    const o = await newOrder();
    for (const [phone, action, body] of [
      [R, 'rate', { score: 5 }],
      [ADMIN, 'complete', { summary: 'x' }],
      [R, 'reopen', { reason: 'x' }],
    ] as const) {
      const res = await act(phone, o.id, action, body);
      expect(res.statusCode, action).toBe(409);
      expect(res.json().error.code).toBe('INVALID_TRANSITION');
    }
    expect((await t.as(R)({ method: 'GET', url: `/api/v1/orders/${o.id}` })).json().state).toBe('submitted');
  });

  it('refuses the wrong person: 403 for a party without the right, 404 for someone who cannot see it', async () => {
    const o = await newOrder();
    expect((await act(R, o.id, 'dispatch', { target: { type: 'pool' } })).statusCode).toBe(403);
    expect((await act(PHONES.shawoAdmin, o.id, 'dispatch', { target: { type: 'pool' } })).statusCode).toBe(404);
    expect((await act(PHONES.shawoResident, o.id, 'cancel')).statusCode).toBe(404);
    const vid = await volunteerId(PHONES.volunteer);
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    expect((await act(PHONES.volunteer2, o.id, 'accept')).statusCode).toBe(404);
    expect((await act(ADMIN, o.id, 'accept')).statusCode).toBe(403);
  });

  it('needs the fields each action requires, and scores within 1–5', async () => {
    const o = await newOrder();
    const noReason = await act(ADMIN, o.id, 'reject', {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('reason');
    const badTarget = await act(ADMIN, o.id, 'dispatch', { target: { type: 'crowd' } });
    expect(badTarget.json().error.details[0].path).toBe('target.type');
    const teamWithoutId = await act(ADMIN, o.id, 'dispatch', { target: { type: 'team' } });
    expect(teamWithoutId.json().error.details[0].path).toBe('target.id');
    const vid = await volunteerId(PHONES.volunteer);
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    await act(PHONES.volunteer, o.id, 'accept');
    await act(PHONES.volunteer, o.id, 'complete', { summary: '完成' });
    for (const score of [0, 6, 2.5, '5']) {
      const res = await act(R, o.id, 'rate', { score });
      expect(res.statusCode, String(score)).toBe(400);
      expect(res.json().error.details[0].path).toBe('score');
    }
    expect((await t.as(R)({ method: 'GET', url: `/api/v1/orders/${o.id}` })).json().state).toBe('completed');
  });

  it('a decline returns the order to the queue; a cancel and a reject end it', async () => {
    const o = await newOrder();
    const vid = await volunteerId(PHONES.volunteer);
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    expect((await act(PHONES.volunteer, o.id, 'decline', { reason: '这周不在家' })).json()).toMatchObject({
      state: 'submitted',
    });
    const declined = (await t.as(ADMIN)({ method: 'GET', url: `/api/v1/orders/${o.id}` })).json();
    expect(declined).toMatchObject({ state: 'submitted', target: null, actions: ['reject', 'dispatch'] });
    expect(declined.timeline.at(-1)).toMatchObject({ action: 'decline', note: '这周不在家' });
    expect((await act(R, o.id, 'cancel', { reason: '已解决' })).json().state).toBe('cancelled');
    const o2 = await newOrder();
    expect((await act(ADMIN, o2.id, 'reject', { reason: '不属于服务范围' })).json().state).toBe('rejected');
  });

  it('a low rating opens a follow-up that staff close with a result', async () => {
    const o = await newOrder();
    const vid = await volunteerId(PHONES.volunteer);
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    await act(PHONES.volunteer, o.id, 'accept');
    await act(ADMIN, o.id, 'complete', { summary: '工作人员代为完成' });
    await act(R, o.id, 'rate', { score: 2, comment: '来晚了' });
    const open = (await t.as(ADMIN)({ method: 'GET', url: '/api/v1/follow-ups?open=true' }))
      .json()
      .items.find((f: { orderId: string }) => f.orderId === o.id);
    expect(open.reason).toContain('不满意');
    expect(
      (
        await t.as(ADMIN)({
          method: 'POST',
          url: `/api/v1/follow-ups/${open.id}/close`,
          payload: { result: '已回访道歉并重新上门' },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await t.as(ADMIN)({ method: 'POST', url: `/api/v1/follow-ups/${open.id}/close`, payload: { result: '再次' } }))
        .statusCode,
    ).toBe(409);
    const view = (await t.as(R)({ method: 'GET', url: `/api/v1/orders/${o.id}` })).json();
    expect(view.followUps[0]).toMatchObject({ result: '已回访道歉并重新上门' });
  });

  it('a 本级 (own-level) grant sees and closes the follow-ups of its village and no others', async () => {
    const village = (await t.as(R)({ method: 'GET', url: '/api/v1/me' })).json().regionCode as string;
    const phone = '13600000301';
    const created = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        name: '本级站长',
        phone,
        password: 'Start@2026',
        regionCode: village,
        roles: [{ role: 'station_admin', regionCode: village, scope: 'own' }],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    await t.firstSignIn(phone, 'Start@2026');
    const o = await newOrder();
    const vid = await volunteerId(PHONES.volunteer);
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    await act(PHONES.volunteer, o.id, 'accept');
    await act(ADMIN, o.id, 'complete', { summary: '工作人员代为完成' });
    expect((await act(R, o.id, 'rate', { score: 1 })).statusCode).toBe(200);
    const own = (await t.as(phone)({ method: 'GET', url: '/api/v1/follow-ups' })).json().items as {
      id: string;
      orderId: string;
    }[];
    const mine = own.find((f) => f.orderId === o.id);
    expect(mine).toBeDefined();
    // every follow-up it sees is of its village; the county sees others that it does not
    for (const f of own) {
      const order = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/orders/${f.orderId}` })).json();
      expect(order.regionCode).toBe(village);
    }
    const all = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/follow-ups' })).json().items as {
      id: string;
    }[];
    const elsewhere = all.filter((f) => !own.some((x) => x.id === f.id));
    expect(elsewhere.length).toBeGreaterThan(0);
    const closeOther = await t.as(phone)({
      method: 'POST',
      url: `/api/v1/follow-ups/${elsewhere[0].id}/close`,
      payload: { result: '越权办结' },
    });
    expect(closeOther.statusCode).toBe(404);
    const close = await t.as(phone)({
      method: 'POST',
      url: `/api/v1/follow-ups/${mine!.id}/close`,
      payload: { result: '已上门回访' },
    });
    expect(close.statusCode, close.body).toBe(200);
  });

  it('staff place an order for a household without a smartphone (代点单)', async () => {
    const village = (await t.as(ADMIN)({ method: 'GET', url: '/api/v1/regions?parent=411523100' })).json().items[2]
      .code;
    const hh = await t.as(ADMIN)({
      method: 'POST',
      url: '/api/v1/households',
      payload: { headName: '钱奶奶', regionCode: village, address: '三组 8 号', memberCount: 1, note: '独居老人' },
    });
    expect(hh.statusCode).toBe(201);
    const res = await t.as(ADMIN)({
      method: 'POST',
      url: '/api/v1/orders',
      payload: { serviceItemId: simpleItem.id, description: '需要代买米面油', householdId: hh.json().id },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ contactName: '钱奶奶', regionCode: village, address: '三组 8 号' });
    expect(res.json().timeline[0]).toMatchObject({
      action: 'proxy_submit',
      note: '陈新集代钱奶奶点单',
      actionName: '代点单',
    });
    expect(
      (
        await t.as(R)({
          method: 'POST',
          url: '/api/v1/orders',
          payload: { serviceItemId: simpleItem.id, description: '代点', householdId: hh.json().id },
        })
      ).statusCode,
    ).toBe(403);
  });
});

describe('concurrency', () => {
  it(
    '40 simultaneous accepts of one pool order: exactly one 200, the rest 409, one timeline entry',
    { timeout: 180_000 },
    async () => {
      const o = await newOrder();
      await act(ADMIN, o.id, 'dispatch', { target: { type: 'pool' } });
      // 40 eligible volunteers of 新集镇 with accounts (one shared password hash: scrypt 40 times is not what this tests)
      const village = (await t.as(ADMIN)({ method: 'GET', url: '/api/v1/regions?parent=411523100' })).json().items[5]
        .code;
      const hash = await hashPassword('Volunteer@1');
      const actor = { userId: null, name: '测试', countyCode: '411523' };
      const tokens: string[] = [];
      for (let i = 0; i < 40; i++) {
        const phone = `1350000${String(i).padStart(4, '0')}`;
        const name = `抢单${'一二三四五六七八九十'[i % 10]}${'甲乙丙丁'[Math.floor(i / 10)]}`;
        const u = await ensureUser(
          t.deps.database.db,
          t.deps.crypto,
          actor,
          {
            countyCode: '411523',
            name,
            phone,
            password: '',
            regionCode: village,
            roles: [{ role: 'volunteer', regionCode: village, scope: 'self' }],
          },
          hash,
        );
        const id = `410101199001${String(10 + (i % 18)).padStart(2, '0')}${String(100 + i).padStart(3, '0')}`;
        await registerVolunteer(
          t.deps.database.db,
          t.deps.crypto,
          actor,
          systemScope,
          t.clock.now(),
          { name, idNumber: id + checkChar(id), regionCode: village },
          { source: 'staff', userId: u.id, verified: true },
        );
        tokens.push(
          (
            await t.app.inject({
              method: 'POST',
              url: '/api/v1/auth/login',
              payload: { phone, password: 'Volunteer@1' },
            })
          ).json().token,
        );
      }
      const results = await Promise.all(
        tokens.map((token) =>
          t.app.inject({
            method: 'POST',
            url: `/api/v1/orders/${o.id}/accept`,
            headers: { authorization: `Bearer ${token}` },
            payload: {},
          }),
        ),
      );
      const codes = results.map((r) => r.statusCode);
      expect(codes.filter((c) => c === 200)).toHaveLength(1);
      expect(codes.filter((c) => c === 409)).toHaveLength(39);
      expect(codes.some((c) => c >= 500)).toBe(false);
      // the 39 lost races wrote nothing: no audit event, no notification
      expect(
        (
          await t.deps.database.query(
            `select count(*)::int as n from audit_events where entity_id = $1 and action = 'order.accept'`,
            [o.id],
          )
        ).rows[0].n,
      ).toBe(1);
      expect(
        (
          await t.deps.database.query(
            `select count(*)::int as n from notifications where entity_id = $1 and kind = 'order.accept'`,
            [o.id],
          )
        ).rows[0].n,
      ).toBe(1);
      const { rows } = await t.deps.database.query(
        `select count(*)::int as n from order_events where order_id = $1 and action = 'accept'`,
        [o.id],
      );
      expect(rows[0].n).toBe(1);
    },
  );
});

describe('time limits (injected clock)', () => {
  it('escalates an order nobody dispatched: 所 after 24 h, 中心 after 48 h, notifying each level', async () => {
    const o = await newOrder();
    t.clock.advance(25 * 3600_000);
    await sweepOrders(t.deps.database.db, t.clock.now());
    let view = (await t.as(ADMIN)({ method: 'GET', url: `/api/v1/orders/${o.id}` })).json();
    expect(view).toMatchObject({ overdue: true, escalationLevel: 1, escalatedTo: '所' });
    expect(view.timeline.at(-1)).toMatchObject({ action: 'escalate', actionName: '超时上报' });
    const inbox = (await t.as(ADMIN)({ method: 'GET', url: '/api/v1/notifications?unread=true' })).json();
    expect(
      inbox.items.some((n: { kind: string; entityId: string }) => n.kind === 'order.overdue' && n.entityId === o.id),
    ).toBe(true);
    await sweepOrders(t.deps.database.db, t.clock.now());
    expect(
      (await t.as(ADMIN)({ method: 'GET', url: `/api/v1/orders/${o.id}` }))
        .json()
        .timeline.filter((e: { action: string }) => e.action === 'escalate'),
    ).toHaveLength(1);
    t.clock.advance(24 * 3600_000);
    await sweepOrders(t.deps.database.db, t.clock.now());
    view = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/orders/${o.id}` })).json();
    expect(view).toMatchObject({ escalationLevel: 2, escalatedTo: '中心' });
    const board = (
      await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/orders?overdue=true&pageSize=200' })
    ).json();
    expect(board.items.map((x: { id: string }) => x.id)).toContain(o.id);
  });

  it('returns a dispatched order nobody accepted within 48 h to the queue', async () => {
    const o = await newOrder();
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'pool' } });
    t.clock.advance(49 * 3600_000);
    await sweepOrders(t.deps.database.db, t.clock.now());
    const view = (await t.as(ADMIN)({ method: 'GET', url: `/api/v1/orders/${o.id}` })).json();
    expect(view).toMatchObject({ state: 'submitted', overdue: true, escalationLevel: 1 });
    expect(view.timeline.at(-1).action).toBe('expire');
  });

  it('closes an unrated completed order as 满意 after 7 days; the resident may reopen within 7 days', async () => {
    const vid = await volunteerId(PHONES.volunteer);
    const mk = async () => {
      const o = await newOrder();
      await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
      await act(PHONES.volunteer, o.id, 'accept');
      await act(PHONES.volunteer, o.id, 'complete', { summary: '完成' });
      return o;
    };
    const a = await mk();
    const b = await mk();
    t.clock.advance(3 * 86400_000);
    const reopened = (await act(R, b.id, 'reopen', { reason: '问题又出现了' })).json();
    expect(reopened).toMatchObject({ state: 'submitted', acceptedUserId: null });
    t.clock.advance(5 * 86400_000);
    await sweepOrders(t.deps.database.db, t.clock.now());
    const closed = (await t.as(R)({ method: 'GET', url: `/api/v1/orders/${a.id}` })).json();
    expect(closed).toMatchObject({ state: 'closed', score: 4, autoRated: true, scoreName: '满意' });
    expect((await act(R, a.id, 'reopen', { reason: '太晚了' })).statusCode).toBe(409);
  });
});

describe('recommendations', () => {
  it('ranks candidates with reasons in Chinese, matching the category first', async () => {
    const o = await newOrder();
    const res = await t.as(ADMIN)({ method: 'GET', url: `/api/v1/orders/${o.id}/recommendations` });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { type: string; score: number; reasons: string[] }[];
    expect(items.length).toBeGreaterThan(3);
    expect(items.every((c, i) => i === 0 || items[i - 1].score >= c.score)).toBe(true);
    expect(items[0].reasons.join('')).toMatch(/服务类别一致|菜单指定/);
    expect(items.every((c) => c.reasons.every((r) => /[\u4e00-\u9fa5]/.test(r)))).toBe(true);
    expect((await t.as(R)({ method: 'GET', url: `/api/v1/orders/${o.id}/recommendations` })).statusCode).toBe(403);
  });
});

describe('the inbox', () => {
  it('notices of the same moment page in one fixed order: every notice once across pages', async () => {
    const me = (await t.as(ADMIN)({ method: 'GET', url: '/api/v1/me' })).json();
    const at = new Date(t.clock.now().getTime() + 3_600_000).toISOString(); // newest of the inbox
    for (const title of ['同一时刻甲', '同一时刻乙', '同一时刻丙'])
      await t.deps.database.query(
        `insert into notifications (county_code, user_id, kind, title, body, created_at)
         values ('411523', $1, 'test', $2, '', $3)`,
        [me.id, title, at],
      );
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const url = `/api/v1/notifications?page=${page}&pageSize=1`;
      seen.push(...(await t.as(ADMIN)({ method: 'GET', url })).json().items.map((n: { title: string }) => n.title));
    }
    expect(seen.sort()).toEqual(['同一时刻丙', '同一时刻乙', '同一时刻甲'].sort());
  });
});

describe('notifications through a webhook', () => {
  it('retries with backoff against a server that fails the first attempts, and logs every delivery', async () => {
    const received: { to: string; text: string }[] = [];
    let calls = 0;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls++;
        if (calls <= 2) {
          res.statusCode = 503;
          res.end('busy');
          return;
        }
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
    try {
      await t.as(PHONES.countyAdmin)({
        method: 'PUT',
        url: '/api/v1/settings',
        payload: { 'notify.smsWebhookUrl': url },
      });
      const o = await newOrder();
      await act(ADMIN, o.id, 'reject', { reason: '测试短信' });
      const db = t.deps.database.db;
      const first = await deliverDue(db, t.deps.crypto, webhookSender, t.clock.now());
      expect(first).toMatchObject({ sent: 0, failed: 1 });
      expect((await deliverDue(db, t.deps.crypto, webhookSender, t.clock.now())).claimed).toBe(0); // backing off
      t.clock.advance(31_000);
      expect(await deliverDue(db, t.deps.crypto, webhookSender, t.clock.now())).toMatchObject({ failed: 1 });
      t.clock.advance(2 * 60_000 + 1000);
      expect(await deliverDue(db, t.deps.crypto, webhookSender, t.clock.now())).toMatchObject({ sent: 1 });
      expect(received[0]).toMatchObject({ channel: 'sms', to: R });
      expect(received[0].text).toContain('测试短信');
      const { rows } = await t.deps.database.query(
        `select l.attempt, l.ok, l.status_code from delivery_log l
          join outbox o on o.id = l.outbox_id
          where o.template = 'order.reject' order by l.attempt`,
      );
      expect(rows.map((r) => [r.attempt, r.ok, r.status_code])).toEqual([
        [1, false, 503],
        [2, false, 503],
        [3, true, 200],
      ]);
      // the order itself was never touched by delivery
      expect((await t.as(R)({ method: 'GET', url: `/api/v1/orders/${o.id}` })).json().state).toBe('rejected');
    } finally {
      await t.as(PHONES.countyAdmin)({
        method: 'PUT',
        url: '/api/v1/settings',
        payload: { 'notify.smsWebhookUrl': '' },
      });
      server.close();
    }
  });
});

describe('resident sign-up', () => {
  it('signs up with phone and password; with an SMS sender configured, a verification code is required', async () => {
    const village = (await t.app.inject({ method: 'GET', url: '/api/v1/regions?parent=411523101' })).json().items[0]
      .code;
    const plain = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { name: '新群众', phone: '13300000001', password: 'Resident@1', regionCode: village },
    });
    expect(plain.statusCode).toBe(201);
    expect(plain.json().user.roles[0]).toMatchObject({ role: 'resident', regionCode: village, scope: 'self' });
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { name: '新群众', phone: '13300000001', password: 'Resident@1', regionCode: village },
    });
    expect(dup.statusCode).toBe(409);
    const weak = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { name: '弱密码', phone: '13300000002', password: '123', regionCode: village },
    });
    expect(weak.json().error.details[0].path).toBe('password');

    const codes: string[] = [];
    const server = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        codes.push(JSON.parse(b).params.code);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      await t.as(PHONES.countyAdmin)({
        method: 'PUT',
        url: '/api/v1/settings',
        payload: { 'notify.smsWebhookUrl': `http://127.0.0.1:${(server.address() as AddressInfo).port}/` },
      });
      const ask = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sms-code',
        payload: { phone: '13300000003' },
      });
      expect(ask.json()).toMatchObject({ sent: true, required: true });
      await deliverDue(t.deps.database.db, t.deps.crypto, webhookSender, t.clock.now());
      expect(codes[0]).toMatch(/^\d{6}$/);
      const noCode = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { name: '验证', phone: '13300000003', password: 'Resident@1', regionCode: village },
      });
      expect(noCode.json().error.details[0].path).toBe('code');
      const wrong = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: {
          name: '验证',
          phone: '13300000003',
          password: 'Resident@1',
          regionCode: village,
          code: codes[0] === '000000' ? '111111' : '000000',
        },
      });
      expect(wrong.statusCode).toBe(400);
      const ok = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { name: '验证', phone: '13300000003', password: 'Resident@1', regionCode: village, code: codes[0] },
      });
      expect(ok.statusCode).toBe(201);
    } finally {
      await t.as(PHONES.countyAdmin)({
        method: 'PUT',
        url: '/api/v1/settings',
        payload: { 'notify.smsWebhookUrl': '' },
      });
      server.close();
    }
  });
});

describe('pool races and filters', () => {
  it('a volunteer who comes late to a taken pool order hears 409, not 404; nobody declines a pool order', async () => {
    const o = await newOrder();
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'pool' } });
    expect((await act(PHONES.volunteer, o.id, 'decline', { reason: '不想接' })).statusCode).toBe(409);
    expect((await act(PHONES.volunteer, o.id, 'accept')).statusCode).toBe(200);
    const late = await act(PHONES.volunteer2, o.id, 'accept');
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toContain('已被其他志愿者接走');
  });

  it('filters the board by several states at once', async () => {
    const res = (
      await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/orders?state=accepted,in_service&pageSize=200' })
    ).json();
    // both states are in the demo data: the filter keeps each of them and nothing else
    expect(new Set(res.items.map((x: { state: string }) => x.state))).toEqual(new Set(['accepted', 'in_service']));
    const bad = await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/orders?state=flying' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('state');
  });
});

describe('reaching each other in the service loop', () => {
  const get = (phone: string, id: string) => t.as(phone)({ method: 'GET', url: `/api/v1/orders/${id}` });
  const contact = (phone: string, id: string) => t.as(phone)({ method: 'POST', url: `/api/v1/orders/${id}/contact` });
  const notices = async (id: string) =>
    (await t.deps.database.query('select kind, body, user_id from notifications where entity_id = $1', [id])).rows as {
      kind: string;
      body: string;
      user_id: string;
    }[];
  const userOf = async (phone: string) => (await t.as(phone)({ method: 'GET', url: '/api/v1/me' })).json().id as string;

  it('the acceptor and the staff see the masked phone and reveal it (audited); others get 404, a closed order 409', async () => {
    const o = await newOrder();
    const vid = await volunteerId(PHONES.volunteer);
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    // not yet accepted: the dispatched volunteer is no acceptor
    expect((await get(PHONES.volunteer, o.id)).json().contactPhoneMasked).toBeNull();
    expect((await contact(PHONES.volunteer, o.id)).statusCode).toBe(404);
    expect((await act(PHONES.volunteer, o.id, 'accept')).statusCode).toBe(200);
    const seen = (await get(PHONES.volunteer, o.id)).json();
    expect(seen.contactPhoneMasked).toBe(`${R.slice(0, 3)}****${R.slice(-4)}`);
    expect((await get(ADMIN, o.id)).json().contactPhoneMasked).toBe(seen.contactPhoneMasked);
    // the resident sees who is coming
    const mine = (await get(R, o.id)).json();
    expect(mine.contactPhoneMasked).toBeNull();
    expect(mine.acceptorName).toBeTruthy();
    expect(mine.acceptorPhoneMasked).toBe(`${PHONES.volunteer.slice(0, 3)}****${PHONES.volunteer.slice(-4)}`);

    const revealed = await contact(PHONES.volunteer, o.id);
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(revealed.json()).toEqual({ phone: R });
    expect((await contact(ADMIN, o.id)).json()).toEqual({ phone: R });
    // the resident, another volunteer, staff of another town: as if the order did not exist
    for (const phone of [R, PHONES.volunteer2, PHONES.shawoAdmin]) {
      const res = await contact(phone, o.id);
      expect(res.statusCode, phone).toBe(404);
      expect(res.json().error.message).toContain('订单');
    }
    const audit = (
      await t.as(PHONES.auditor)({
        method: 'GET',
        url: `/api/v1/audit?entity=order&entityId=${o.id}&action=order.contact`,
      })
    ).json();
    expect(audit.items.map((e: { action: string }) => e.action)).toEqual(['order.contact', 'order.contact']);

    t.clock.advance(3600_000);
    await act(PHONES.volunteer, o.id, 'complete', { summary: '已上门', hours: 1 });
    const closed = await contact(PHONES.volunteer, o.id);
    expect(closed.statusCode).toBe(409);
    expect(closed.json().error.message).toContain('已完成');
    expect((await get(PHONES.volunteer, o.id)).json().contactPhoneMasked).toBeNull();
    expect((await get(R, o.id)).json().acceptorPhoneMasked).toBeNull();
  });

  it('staff recall a dispatched or accepted order with a reason; both sides are told; it is dispatched again', async () => {
    const o = await newOrder();
    const vid = await volunteerId(PHONES.volunteer);
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    await act(PHONES.volunteer, o.id, 'accept');
    const noReason = await act(ADMIN, o.id, 'recall', {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('reason');
    expect(noReason.json().error.message).toContain('原因');
    expect((await act(PHONES.volunteer, o.id, 'recall', { reason: '不想去了' })).statusCode).toBe(403);

    const recalled = await act(ADMIN, o.id, 'recall', { reason: '志愿者临时有事，改派他人' });
    expect(recalled.statusCode, recalled.body).toBe(200);
    expect(recalled.json()).toMatchObject({
      state: 'submitted',
      target: null,
      acceptedUserId: null,
      actions: ['reject', 'dispatch'],
    });
    expect(recalled.json().timeline.at(-1)).toMatchObject({
      action: 'recall',
      actionName: '撤回',
      from: 'accepted',
      to: 'submitted',
      note: '志愿者临时有事，改派他人',
    });
    // the volunteer let go of it: no longer theirs, and their reveal is gone
    expect((await contact(PHONES.volunteer, o.id)).statusCode).toBe(404);
    const told = (await notices(o.id)).filter((n) => n.kind === 'order.recall');
    expect(told.map((n) => n.user_id).sort()).toEqual([await userOf(R), await userOf(PHONES.volunteer)].sort());
    expect(told[0].body).toContain(`「${simpleItem.name}」`);
    expect(told[0].body).toContain('志愿者临时有事');
    const audit = (
      await t.as(PHONES.auditor)({
        method: 'GET',
        url: `/api/v1/audit?entity=order&entityId=${o.id}&action=order.recall`,
      })
    ).json();
    expect(audit.total).toBe(1);

    // 改派: dispatched again, to another volunteer, who may then be recalled before accepting
    const vid2 = await volunteerId(PHONES.volunteer2);
    expect((await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid2 } })).json().state).toBe(
      'dispatched',
    );
    expect((await act(ADMIN, o.id, 'recall', { reason: '派错了人' })).json().state).toBe('submitted');
    // the second recall tells the resident again and the volunteer it was dispatched to
    const both = (await notices(o.id)).filter((n) => n.kind === 'order.recall').map((n) => n.user_id);
    expect(both.sort()).toEqual(
      [await userOf(R), await userOf(R), await userOf(PHONES.volunteer), await userOf(PHONES.volunteer2)].sort(),
    );
    // a completed order is not recalled
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    await act(PHONES.volunteer, o.id, 'accept');
    await act(PHONES.volunteer, o.id, 'complete', { summary: '已完成' });
    expect((await act(ADMIN, o.id, 'recall', { reason: '晚了' })).statusCode).toBe(409);
  });

  it('every order notification names the service', async () => {
    const o = await newOrder();
    const vid = await volunteerId(PHONES.volunteer);
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    await act(PHONES.volunteer, o.id, 'decline', { reason: '没空' });
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    await act(PHONES.volunteer, o.id, 'accept');
    await act(PHONES.volunteer, o.id, 'start');
    await act(PHONES.volunteer, o.id, 'complete', { summary: '已完成' });
    await act(R, o.id, 'rate', { score: 5 });
    await act(R, o.id, 'reopen', { reason: '又坏了' });
    await act(R, o.id, 'cancel', { reason: '不要了' });
    const rejected = await newOrder();
    await act(ADMIN, rejected.id, 'reject', { reason: '不在服务范围' });
    const all = [...(await notices(o.id)), ...(await notices(rejected.id))];
    expect(new Set(all.map((n) => n.kind))).toEqual(
      new Set([
        'order.submitted',
        'order.dispatch',
        'order.decline',
        'order.accept',
        'order.start',
        'order.complete',
        'order.rate',
        'order.reopen',
        'order.cancel',
        'order.reject',
      ]),
    );
    for (const n of all) expect(n.body, n.kind).toContain(`「${simpleItem.name}」`);
    expect(all.find((n) => n.kind === 'order.accept')!.body).toBe(`您的「${simpleItem.name}」服务单已被李志愿接单`);
  });
});

describe('hours claimed on completion', () => {
  const ledger = async (orderId: string) =>
    (
      await t.deps.database.query(
        'select kind, hours::float8 as h from hours_entries where order_id = $1 order by seq',
        [orderId],
      )
    ).rows as { kind: string; h: number }[];
  const requests = async (orderId: string) =>
    (
      await t.deps.database.query(
        'select id, kind, hours::float8 as h, status, reason from hours_requests where order_id = $1',
        [orderId],
      )
    ).rows as { id: string; kind: string; h: number; status: string; reason: string }[];
  async function served(minutes: number, hours: number) {
    const o = await newOrder();
    const vid = await volunteerId(PHONES.volunteer);
    await act(ADMIN, o.id, 'dispatch', { target: { type: 'volunteer', id: vid } });
    await act(PHONES.volunteer, o.id, 'accept');
    t.clock.advance(minutes * 60_000);
    const done = await act(PHONES.volunteer, o.id, 'complete', { summary: '已上门服务', hours });
    expect(done.statusCode, done.body).toBe(200);
    return { id: o.id, done: done.json() };
  }

  it('credits no more than the time from acceptance to completion; the rest waits for review as an hours request', async () => {
    const { id, done } = await served(90, 4);
    expect(done).toMatchObject({ state: 'completed', hours: 4 });
    expect(done.timeline.at(-1).note).toBe('已上门服务（申报 4 小时，接单至完成共 1.5 小时，超出的 2.5 小时待审核）');
    expect(await ledger(id)).toEqual([{ kind: 'order', h: 1.5 }]);
    const [req] = await requests(id);
    expect(req).toMatchObject({ kind: 'excess', h: 2.5, status: 'pending' });
    expect(req.reason).toContain(`「${simpleItem.name}」`);
    // the reviewer sees it and may approve it: the ledger gets the rest, linked to the order
    const reviewed = await t.as(ADMIN)({ method: 'GET', url: `/api/v1/hours/requests/${req.id}` });
    expect(reviewed.json()).toMatchObject({ orderId: id, kind: 'excess', hours: 2.5, actions: ['approve', 'reject'] });
    const approved = await t.as(ADMIN)({
      method: 'POST',
      url: `/api/v1/hours/requests/${req.id}/approve`,
      payload: {},
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(await ledger(id)).toEqual([
      { kind: 'order', h: 1.5 },
      { kind: 'excess', h: 2.5 },
    ]);
  });

  it('within the time served everything is credited and nothing is asked for; with no time served, all waits', async () => {
    const within = await served(120, 2);
    expect(await ledger(within.id)).toEqual([{ kind: 'order', h: 2 }]);
    expect(await requests(within.id)).toEqual([]);
    expect(within.done.timeline.at(-1).note).toBe('已上门服务');
    const none = await served(0, 1);
    expect(await ledger(none.id)).toEqual([]);
    expect((await requests(none.id)).map((r) => [r.kind, r.h, r.status])).toEqual([['excess', 1, 'pending']]);
  });
});
