import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { ownerAccount, postTransaction, systemAccountId, verifyPoints, type AccountType } from '../points/ledger.js';

let t: TestApp;
const COUNTY = '411523';
const XINJI = '411523100';
const SHAWO = '411523101';
const ADMIN = PHONES.xinjiAdmin;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });
const one = async (sql: string, params: unknown[] = []) => (await t.deps.database.query(sql, params)).rows[0] as Json;

let volunteerId: string; // 李志愿
let volunteer2Id: string; // 张志愿
let householdId: string; // 赵大娘's household
let shawoHouseholdId: string;

/** Gives an account points straight from issuance (the points module's HTTP routes are built elsewhere). */
async function fund(type: AccountType, ownerId: string, amount: number) {
  const db = t.deps.database.db;
  const now = t.clock.now();
  await db.transaction(async (tx) => {
    const acct = await ownerAccount(tx, type, ownerId, now);
    const issuance = await systemAccountId(tx, COUNTY, 'issuance', now);
    await postTransaction(tx, {
      countyCode: COUNTY,
      kind: 'award',
      memo: '测试发放',
      movements: [{ debit: issuance, credit: acct.id, amount }],
      createdBy: null,
      now,
    });
  });
}
const balance = async (type: AccountType, ownerId: string) =>
  Number(
    (await one('select balance from point_accounts where type = $1 and owner_id = $2', [type, ownerId]))?.balance ?? 0,
  );
const stock = async (goodsId: string) =>
  Number((await one('select stock from shop_goods where id = $1', [goodsId])).stock);

async function goods(over: Json = {}, phone = ADMIN) {
  const res = await api(phone, 'POST', '/shop/goods', {
    name: '金龙鱼食用油 5L',
    points: 50,
    stock: 10,
    regionCode: XINJI,
    fundingSource: '爱心企业',
    ...over,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Json;
}

beforeAll(async () => {
  t = await createTestApp();
  const idOf = async (name: string) =>
    (await one('select v.id from volunteers v join users u on u.id = v.user_id where u.name = $1', [name]))
      .id as string;
  volunteerId = await idOf('李志愿');
  volunteer2Id = await idOf('张志愿');
  // the demo residents belong to households (the link the points module reads)
  const link = async (userName: string, regionCode: string) => {
    const h = await one(
      'insert into households (county_code, region_code, region_path, head_name) ' +
        'select county_code, code, path, $2 from regions where code = $1 returning id',
      [regionCode, userName],
    );
    await t.deps.database.query(
      'insert into household_members (household_id, user_id) select $1, id from users ' +
        'where name = $2 on conflict do nothing',
      [h.id, userName],
    );
    const linked = await one(
      'select household_id from household_members m join users u on u.id = m.user_id where u.name = $1',
      [userName],
    );
    return linked.household_id as string;
  };
  const zhao = await one(`select region_code from users where name = '赵大娘'`);
  const sun = await one(`select region_code from users where name = '孙大爷'`);
  householdId = await link('赵大娘', zhao.region_code);
  shawoHouseholdId = await link('孙大爷', sun.region_code);
});
afterAll(async () => {
  await t?.close();
});

describe('demo data', () => {
  it('the demo shop has goods and redemptions in every state; the demo resident sees a pickup code', async () => {
    const g = (await api(PHONES.resident, 'GET', '/shop/goods?pageSize=100')).json();
    expect(g.total).toBeGreaterThan(20);
    const all = (await api(PHONES.countyAdmin, 'GET', '/shop/redemptions?pageSize=100')).json();
    expect(new Set(all.items.map((x: Json) => x.state))).toEqual(new Set(['reserved', 'handed_out', 'cancelled']));
    const mine = (await api(PHONES.resident, 'GET', '/me/redemptions?state=reserved')).json();
    expect(mine.items[0].pickupCode).toMatch(/^\d{6}$/);
    expect((await verifyPoints(t.deps.database.db)).problems).toEqual([]);
  });
});

describe('shop goods', () => {
  it('creates, lists, edits (stock audited) and deactivates goods in scope', async () => {
    const g = await goods({ name: '洗衣液 2kg', points: 30, stock: 5, description: '蓝月亮' });
    expect(g).toMatchObject({
      name: '洗衣液 2kg',
      points: 30,
      stock: 5,
      active: true,
      regionName: '新集镇',
      fundingSource: '爱心企业',
      reservedCount: 0,
    });
    const listed = (await api(PHONES.resident, 'GET', '/shop/goods?q=洗衣液')).json();
    expect(listed.items.map((x: Json) => x.id)).toContain(g.id);
    const edited = await api(ADMIN, 'PUT', `/shop/goods/${g.id}`, { stock: 8, points: 35 });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ stock: 8, points: 35 });
    const audit = (await api(PHONES.auditor, 'GET', `/audit?entity=shop_goods&entityId=${g.id}`)).json();
    expect(audit.items.map((e: Json) => e.action).sort()).toEqual(['shop.goods.create', 'shop.goods.stock']);
    expect(audit.items.find((e: Json) => e.action === 'shop.goods.stock').detail).toMatchObject({
      stock: { from: 5, to: 8 },
    });
    // another town's admin cannot touch it
    expect((await api(PHONES.shawoAdmin, 'PUT', `/shop/goods/${g.id}`, { stock: 1 })).statusCode).toBe(404);
    expect((await api(ADMIN, 'DELETE', `/shop/goods/${g.id}`)).json()).toMatchObject({ active: false });
    expect(
      (await api(PHONES.resident, 'GET', '/shop/goods?q=洗衣液')).json().items.map((x: Json) => x.id),
    ).not.toContain(g.id);
    expect((await api(PHONES.resident, 'GET', `/shop/goods/${g.id}`)).statusCode).toBe(404);
    const all = (await api(ADMIN, 'GET', '/shop/goods?all=true&q=洗衣液')).json();
    expect(all.items.find((x: Json) => x.id === g.id)).toMatchObject({ active: false });
    expect((await api(PHONES.resident, 'GET', '/shop/goods?all=true')).statusCode).toBe(403);
  });

  it('refuses bad input with 400 naming the field, and checks permission and scope', async () => {
    const bad = async (body: Json, path: string) => {
      const res = await api(ADMIN, 'POST', '/shop/goods', {
        name: '毛巾',
        points: 10,
        stock: 5,
        regionCode: XINJI,
        ...body,
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.details.map((d: Json) => d.path)).toContain(path);
    };
    await bad({ points: 0 }, 'points');
    await bad({ points: -5 }, 'points');
    await bad({ points: 1.5 }, 'points');
    await bad({ stock: -1 }, 'stock');
    await bad({ name: '' }, 'name');
    await bad({ regionCode: SHAWO }, 'regionCode');
    await bad({ regionCode: '999999' }, 'regionCode');
    await bad({ imageFileId: '00000000-0000-4000-8000-000000000000' }, 'imageFileId');
    expect((await api(ADMIN, 'PUT', '/shop/goods/00000000-0000-4000-8000-000000000000', { stock: 1 })).statusCode).toBe(
      404,
    );
    expect((await api(ADMIN, 'PUT', '/shop/goods/not-a-uuid', { stock: 1 })).statusCode).toBe(400);
    const g = await goods();
    const neg = await api(ADMIN, 'PUT', `/shop/goods/${g.id}`, { stock: -3 });
    expect(neg.statusCode).toBe(400);
    expect(neg.json().error.details[0].path).toBe('stock');
    expect((await api(ADMIN, 'PUT', `/shop/goods/${g.id}`, {})).statusCode).toBe(400);
    expect((await api(null, 'GET', '/shop/goods')).statusCode).toBe(401);
    expect((await api(null, 'POST', '/shop/goods', { name: '毛巾', points: 10, stock: 5 })).statusCode).toBe(401);
    expect((await api(PHONES.resident, 'POST', '/shop/goods', { name: '毛巾', points: 10, stock: 5 })).statusCode).toBe(
      403,
    );
    expect(
      (await api(PHONES.stationAdmin, 'POST', '/shop/goods', { name: '毛巾', points: 10, stock: 5 })).statusCode,
    ).toBe(403);
    // the county admin may place goods anywhere in the county; the default region is the caller's own
    const county = await api(PHONES.countyAdmin, 'POST', '/shop/goods', { name: '文具套装', points: 20, stock: 3 });
    expect(county.statusCode, county.body).toBe(201);
    expect(county.json().regionCode).toBe(COUNTY);
  });
});

describe('redemptions', () => {
  it('reserves stock and points with a pickup code, hands out with the code, and refuses a wrong code without any change', async () => {
    await fund('volunteer', volunteerId, 200);
    const start = await balance('volunteer', volunteerId);
    const g = await goods({ name: '大米 10kg', points: 40, stock: 5 });
    const res = await api(PHONES.volunteer, 'POST', '/shop/redemptions', {
      goodsId: g.id,
      quantity: 2,
      accountType: 'volunteer',
      accountId: volunteerId,
    });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    expect(r).toMatchObject({ state: 'reserved', points: 80, quantity: 2 });
    expect(r.pickupCode).toMatch(/^\d{6}$/);
    expect(await balance('volunteer', volunteerId)).toBe(start - 80);
    expect(await stock(g.id)).toBe(3);
    const mine = (await api(PHONES.volunteer, 'GET', '/me/redemptions')).json();
    expect(mine.items[0]).toMatchObject({
      id: r.id,
      pickupCode: r.pickupCode,
      stateName: '待领取',
      goodsName: '大米 10kg',
    });
    const notes = (await api(PHONES.volunteer, 'GET', '/notifications?pageSize=50'))
      .json()
      .items.filter((n: Json) => n.kind === 'shop.reserved');
    expect(notes[0].body).toContain(r.pickupCode);
    // staff do not see the code
    const staffList = (await api(ADMIN, 'GET', '/shop/redemptions?state=reserved')).json();
    expect(staffList.items.find((x: Json) => x.id === r.id).pickupCode).toBeUndefined();

    const wrong = r.pickupCode === '000000' ? '111111' : '000000';
    const before = await one(
      'select (select count(*) from point_movements) m, (select count(*) ' +
        'from workflow_events) e, (select count(*) from audit_events) a',
    );
    const bad = await api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: wrong });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('pickupCode');
    expect(
      await one(
        'select (select count(*) from point_movements) m, (select count(*) ' +
          'from workflow_events) e, (select count(*) from audit_events) a',
      ),
    ).toEqual(before);
    expect((await one('select state from shop_redemptions where id = $1', [r.id])).state).toBe('reserved');
    expect((await api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: '12ab' })).statusCode).toBe(
      400,
    );
    // a volunteer cannot hand out; another town's admin does not see it
    expect(
      (await api(PHONES.volunteer, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: r.pickupCode }))
        .statusCode,
    ).toBe(403);
    expect(
      (await api(PHONES.shawoAdmin, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: r.pickupCode }))
        .statusCode,
    ).toBe(404);

    const system = async (code: string) =>
      Number(
        (await one(`select balance from point_accounts where county_code = $1 and system_code = $2`, [COUNTY, code]))
          .balance,
      );
    const heldBefore = await system('shop_held');
    const redeemedBefore = await system('redeemed');
    const ok = await api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: r.pickupCode });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ state: 'handed_out', stateName: '已领取' });
    expect(ok.json().events.map((e: Json) => e.action)).toEqual(['reserve', 'handout']);
    expect(
      (await api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: r.pickupCode })).statusCode,
    ).toBe(409);
    expect((await api(PHONES.volunteer, 'POST', `/shop/redemptions/${r.id}/cancel`, {})).statusCode).toBe(409);
    // the 80 points held for the reservation move on to 'redeemed'
    expect(await system('shop_held')).toBe(heldBefore - 80);
    expect(await system('redeemed')).toBe(redeemedBefore + 80);
    expect(await balance('volunteer', volunteerId)).toBe(start - 80);
    const audit = (await api(PHONES.auditor, 'GET', `/audit?entity=shop_redemption&entityId=${r.id}`)).json();
    expect(audit.items.map((e: Json) => e.action).sort()).toEqual(['shop.redeem', 'shop_redemption.handout']);
  });

  it('five wrong pickup codes in a row lock the handout for 15 minutes, audited; then the right code works', async () => {
    await fund('volunteer', volunteerId, 50);
    const g = await goods({ name: '香皂', points: 5, stock: 10 });
    const r = (
      await api(PHONES.volunteer, 'POST', '/shop/redemptions', {
        goodsId: g.id,
        quantity: 1,
        accountType: 'volunteer',
        accountId: volunteerId,
      })
    ).json();
    const wrong = r.pickupCode === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i++) {
      const bad = await api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: wrong });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toBe(`取货码不正确，还可再试 ${5 - i} 次`);
    }
    const fifth = await api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: wrong });
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().error).toMatchObject({ code: 'RATE_LIMITED', details: [{ path: 'pickupCode' }] });
    expect(fifth.json().error.message).toMatch(/^取货码连续输错 5 次，已锁定到 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    // locked: even the right code waits, and ten parallel guesses change nothing
    expect(
      (await api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: r.pickupCode })).statusCode,
    ).toBe(429);
    const lock = await one(
      'select code_locked_until::text as u, code_failures as f from shop_redemptions where id = $1',
      [r.id],
    );
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: String(200000 + i) }),
      ),
    );
    expect(guesses.every((x) => x.statusCode === 429)).toBe(true);
    expect(
      await one('select code_locked_until::text as u, code_failures as f from shop_redemptions where id = $1', [r.id]),
    ).toEqual(lock);
    expect((await one('select state from shop_redemptions where id = $1', [r.id])).state).toBe('reserved');
    const audit = (await api(PHONES.auditor, 'GET', `/audit?entity=shop_redemption&entityId=${r.id}`)).json();
    expect(audit.items.map((e: Json) => e.action)).toContain('shop.pickup_locked');
    t.clock.advance(15 * 60_000 + 1000);
    // a fresh count after the lock: one more miss is a 400 again, then the right code hands out
    expect(
      (await api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: wrong })).json().error.message,
    ).toBe('取货码不正确，还可再试 4 次');
    const ok = await api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: r.pickupCode });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().state).toBe('handed_out');
  });

  it('looking redemptions up by pickup code is limited to 30 a minute per session; other list requests are not', async () => {
    const as = PHONES.countyAdmin; // a session of its own: the limit is per session
    for (let i = 0; i < 30; i++) {
      const res = await api(as, 'GET', `/shop/redemptions?pickupCode=${String(300000 + i)}`);
      expect(res.statusCode, res.body).toBe(200);
    }
    const over = await api(as, 'GET', '/shop/redemptions?pickupCode=300030');
    expect(over.statusCode).toBe(429);
    expect(over.json().error.code).toBe('RATE_LIMITED');
    expect((await api(as, 'GET', '/shop/redemptions?state=reserved')).statusCode).toBe(200);
    expect((await api(ADMIN, 'GET', '/shop/redemptions?pickupCode=300031')).statusCode).toBe(200);
  });

  it('cancel returns the stock and refunds the points; residents redeem for their household', async () => {
    await fund('household', householdId, 100);
    const start = await balance('household', householdId);
    const g = await goods({ name: '毛巾', points: 15, stock: 4 });
    const res = await api(PHONES.resident, 'POST', '/shop/redemptions', {
      goodsId: g.id,
      quantity: 3,
      accountType: 'household',
      accountId: householdId,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(await balance('household', householdId)).toBe(start - 45);
    expect(await stock(g.id)).toBe(1);
    const cancelled = await api(PHONES.resident, 'POST', `/shop/redemptions/${res.json().id}/cancel`, {
      reason: '不需要了',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ state: 'cancelled', cancelReason: '不需要了' });
    expect(await balance('household', householdId)).toBe(start);
    expect(await stock(g.id)).toBe(4);
    expect((await api(PHONES.resident, 'POST', `/shop/redemptions/${res.json().id}/cancel`, {})).statusCode).toBe(409);
    // the points account id works as accountId as well
    const acct = await one(`select id from point_accounts where type = 'household' and owner_id = $1`, [householdId]);
    const byAccount = await api(PHONES.resident, 'POST', '/shop/redemptions', {
      goodsId: g.id,
      quantity: 1,
      accountType: 'household',
      accountId: acct.id,
    });
    expect(byAccount.statusCode, byAccount.body).toBe(201);
    // staff cancel (the owner is told)
    const staffCancel = await api(ADMIN, 'POST', `/shop/redemptions/${byAccount.json().id}/cancel`, {
      reason: '商品破损',
    });
    expect(staffCancel.statusCode, staffCancel.body).toBe(200);
    const notes = (await api(PHONES.resident, 'GET', '/notifications?pageSize=50'))
      .json()
      .items.filter((n: Json) => n.kind === 'shop.cancelled');
    expect(notes[0].body).toContain('商品破损');
  });

  it('who may redeem for an account: the owner, or staff for accounts in scope', async () => {
    await fund('volunteer', volunteer2Id, 100);
    await fund('household', shawoHouseholdId, 100);
    const g = await goods({ name: '挂面', points: 10, stock: 50 });
    const body = (accountType: string, accountId: string) => ({ goodsId: g.id, quantity: 1, accountType, accountId });
    // someone else's account: not found
    expect((await api(PHONES.volunteer, 'POST', '/shop/redemptions', body('volunteer', volunteer2Id))).statusCode).toBe(
      404,
    );
    expect(
      (await api(PHONES.resident, 'POST', '/shop/redemptions', body('household', shawoHouseholdId))).statusCode,
    ).toBe(404);
    expect((await api(PHONES.volunteer, 'POST', '/shop/redemptions', body('household', householdId))).statusCode).toBe(
      404,
    );
    // staff of the account's place may redeem for it; staff of another town may not
    const byStaff = await api(ADMIN, 'POST', '/shop/redemptions', body('volunteer', volunteer2Id));
    expect(byStaff.statusCode, byStaff.body).toBe(201);
    expect(byStaff.json().pickupCode).toMatch(/^\d{6}$/);
    expect(
      (await api(PHONES.shawoAdmin, 'POST', '/shop/redemptions', body('volunteer', volunteer2Id))).statusCode,
    ).toBe(404);
    const shawo = await api(PHONES.shawoAdmin, 'POST', '/shop/redemptions', body('household', shawoHouseholdId));
    expect(shawo.statusCode, shawo.body).toBe(201);
    // the Shawo admin sees the redemption of their resident, not the Xinji one
    const list = (await api(PHONES.shawoAdmin, 'GET', '/shop/redemptions')).json();
    expect(list.items.map((x: Json) => x.id)).toContain(shawo.json().id);
    expect(list.items.map((x: Json) => x.id)).not.toContain(byStaff.json().id);
    // but cannot hand out goods of another town
    expect(
      (
        await api(PHONES.shawoAdmin, 'POST', `/shop/redemptions/${shawo.json().id}/handout`, {
          pickupCode: shawo.json().pickupCode,
        })
      ).statusCode,
    ).toBe(403);
    expect((await api(PHONES.resident, 'GET', '/shop/redemptions')).statusCode).toBe(403);
    expect((await api(null, 'POST', '/shop/redemptions', body('volunteer', volunteerId))).statusCode).toBe(401);
    expect((await api(null, 'GET', '/me/redemptions')).statusCode).toBe(401);
  });

  it('bad redemption input: quantity, unknown goods or account, inactive goods, beyond stock or balance', async () => {
    const g = await goods({ name: '酱油', points: 10, stock: 2 });
    const post = (body: Json) =>
      api(PHONES.volunteer, 'POST', '/shop/redemptions', {
        goodsId: g.id,
        quantity: 1,
        accountType: 'volunteer',
        accountId: volunteerId,
        ...body,
      });
    const expect400 = async (body: Json, path: string) => {
      const res = await post(body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.details.map((d: Json) => d.path)).toContain(path);
    };
    await expect400({ quantity: 0 }, 'quantity');
    await expect400({ quantity: -1 }, 'quantity');
    await expect400({ quantity: 1.5 }, 'quantity');
    await expect400({ accountType: 'team' }, 'accountType');
    await expect400({ goodsId: '00000000-0000-4000-8000-000000000000' }, 'goodsId');
    await expect400({ accountId: 'x' }, 'accountId');
    expect((await post({ accountId: '00000000-0000-4000-8000-000000000000' })).statusCode).toBe(404);
    const before = await balance('volunteer', volunteerId);
    const over = await post({ quantity: 3 });
    expect(over.statusCode).toBe(409);
    expect(over.json().error.code).toBe('OUT_OF_STOCK');
    const pricey = await goods({ name: '电饭煲', points: 100_000, stock: 2 });
    const poor = await post({ goodsId: pricey.id });
    expect(poor.statusCode).toBe(409);
    expect(poor.json().error.code).toBe('INSUFFICIENT_POINTS');
    expect(await stock(pricey.id)).toBe(2);
    expect(await balance('volunteer', volunteerId)).toBe(before);
    await api(ADMIN, 'DELETE', `/shop/goods/${g.id}`);
    expect((await post({})).statusCode).toBe(409);
  });
});

describe('concurrency', () => {
  it('12 simultaneous redemptions of goods with stock 3 → exactly 3 reserved, 9 OUT_OF_STOCK, balance down by 3 × price', async () => {
    await fund('volunteer', volunteerId, 1000);
    const g = await goods({ name: '限量保温杯', points: 25, stock: 3 });
    const before = await balance('volunteer', volunteerId);
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        api(PHONES.volunteer, 'POST', '/shop/redemptions', {
          goodsId: g.id,
          quantity: 1,
          accountType: 'volunteer',
          accountId: volunteerId,
        }),
      ),
    );
    const codes = results.map((r) => (r.statusCode === 201 ? 'ok' : r.json().error.code));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(3);
    expect(codes.filter((c) => c === 'OUT_OF_STOCK')).toHaveLength(9);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(9);
    expect(await stock(g.id)).toBe(0);
    expect(await balance('volunteer', volunteerId)).toBe(before - 3 * 25);
    expect(
      Number(
        (await one(`select count(*) n from shop_redemptions where goods_id = $1 and state = 'reserved'`, [g.id])).n,
      ),
    ).toBe(3);
    const v = await verifyPoints(t.deps.database.db);
    expect(v.problems).toEqual([]);
  });

  it('20 simultaneous redemptions beyond the balance → never negative, successes × price = the decrease, stock consistent', async () => {
    // 张志愿 starts from a known balance: everything but 130 points is moved to another account first
    const cur = await balance('volunteer', volunteer2Id);
    if (cur < 130) await fund('volunteer', volunteer2Id, 130 - cur);
    else if (cur > 130) {
      await t.deps.database.db.transaction(async (tx) => {
        const acct = await ownerAccount(tx, 'volunteer', volunteer2Id, t.clock.now());
        const deduction = await systemAccountId(tx, COUNTY, 'deduction', t.clock.now());
        await postTransaction(tx, {
          countyCode: COUNTY,
          kind: 'adjustment',
          memo: '测试清零',
          movements: [{ debit: acct.id, credit: deduction, amount: cur - 130 }],
          createdBy: null,
          now: t.clock.now(),
        });
      });
    }
    expect(await balance('volunteer', volunteer2Id)).toBe(130);
    const g = await goods({ name: '面粉 5kg', points: 20, stock: 50 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        api(PHONES.volunteer2, 'POST', '/shop/redemptions', {
          goodsId: g.id,
          quantity: 1,
          accountType: 'volunteer',
          accountId: volunteer2Id,
        }),
      ),
    );
    const ok = results.filter((r) => r.statusCode === 201);
    const refused = results.filter((r) => r.statusCode !== 201);
    expect(ok).toHaveLength(6); // 6 × 20 = 120 ≤ 130 < 140
    expect(refused).toHaveLength(14);
    expect(refused.every((r) => r.statusCode === 409 && r.json().error.code === 'INSUFFICIENT_POINTS')).toBe(true);
    expect(await balance('volunteer', volunteer2Id)).toBe(130 - 6 * 20);
    expect(await stock(g.id)).toBe(50 - ok.length);
    const held = await one(
      'select count(*) n, coalesce(sum(quantity), 0) q from shop_redemptions ' +
        `where goods_id = $1 and state = 'reserved'`,
      [g.id],
    );
    expect(Number(held.n)).toBe(ok.length);
    const v = await verifyPoints(t.deps.database.db);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
  });

  it('concurrent handout and cancel of one redemption: exactly one wins, the ledger stays whole', async () => {
    await fund('volunteer', volunteerId, 100);
    const g = await goods({ name: '香皂', points: 5, stock: 10 });
    const r = (
      await api(PHONES.volunteer, 'POST', '/shop/redemptions', {
        goodsId: g.id,
        quantity: 2,
        accountType: 'volunteer',
        accountId: volunteerId,
      })
    ).json();
    const [a, b] = await Promise.all([
      api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: r.pickupCode }),
      api(PHONES.volunteer, 'POST', `/shop/redemptions/${r.id}/cancel`, {}),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const state = (await one('select state from shop_redemptions where id = $1', [r.id])).state;
    expect(await stock(g.id)).toBe(state === 'cancelled' ? 10 : 8);
    expect((await verifyPoints(t.deps.database.db)).problems).toEqual([]);
  });
});

describe('the redemption machine: actions answered are the actions allowed', () => {
  async function fresh(states: string[]) {
    await fund('volunteer', volunteerId, 10 * states.length);
    const g = await goods({ name: '毛巾', points: 10, stock: states.length });
    const ids: string[] = [];
    for (const state of states) {
      const res = await api(PHONES.volunteer, 'POST', '/shop/redemptions', {
        goodsId: g.id,
        quantity: 1,
        accountType: 'volunteer',
        accountId: volunteerId,
      });
      expect(res.statusCode, res.body).toBe(201);
      const r = res.json();
      if (state === 'handed_out')
        expect(
          (await api(ADMIN, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: r.pickupCode })).statusCode,
        ).toBe(200);
      if (state === 'cancelled')
        expect((await api(ADMIN, 'POST', `/shop/redemptions/${r.id}/cancel`, {})).statusCode).toBe(200);
      ids.push(r.id as string);
    }
    return ids;
  }
  const take = async (phone: string, id: string, action: string) => {
    const code = (await one('select pickup_code from shop_redemptions where id = $1', [id])).pickup_code as string;
    return api(phone, 'POST', `/shop/redemptions/${id}/${action}`, action === 'handout' ? { pickupCode: code } : {});
  };

  it('in every state, each listed action succeeds on a fresh redemption and each unlisted one is refused', async () => {
    const expected: Record<string, { staff: string[]; owner: string[] }> = {
      reserved: { staff: ['handout', 'cancel'], owner: ['cancel'] },
      handed_out: { staff: [], owner: [] },
      cancelled: { staff: [], owner: [] },
    };
    for (const [state, want] of Object.entries(expected)) {
      const [probe, ...ids] = await fresh(Array<string>(5).fill(state));
      const parties: ['staff' | 'owner', string][] = [
        ['staff', ADMIN],
        ['owner', PHONES.volunteer],
      ];
      for (const [k, [who, phone]] of parties.entries()) {
        const d = (await api(phone, 'GET', `/shop/redemptions/${probe}`)).json();
        expect(d.actions, `${state} ${who}`).toEqual(want[who]);
        expect(d.canCancel).toBe(want[who].includes('cancel'));
        for (const [i, action] of ['handout', 'cancel'].entries()) {
          const res = await take(phone, ids[2 * k + i], action);
          if (want[who].includes(action)) expect(res.statusCode, `${state} ${who} ${action}: ${res.body}`).toBe(200);
          else expect([403, 409], `${state} ${who} ${action}: ${res.body}`).toContain(res.statusCode);
        }
      }
    }
  }, 600_000);

  it('the wrong party: another town does not see it (404); the owner cannot hand out (403)', async () => {
    const [id] = await fresh(['reserved']);
    expect((await api(PHONES.shawoAdmin, 'GET', `/shop/redemptions/${id}`)).statusCode).toBe(404);
    expect((await take(PHONES.shawoAdmin, id, 'cancel')).statusCode).toBe(404);
    expect((await api(PHONES.resident, 'GET', `/shop/redemptions/${id}`)).statusCode).toBe(404);
    expect((await take(PHONES.resident, id, 'cancel')).statusCode).toBe(404);
    const refused = await take(PHONES.volunteer, id, 'handout');
    expect(refused.statusCode).toBe(403);
    expect((await take(ADMIN, id, 'cancel')).statusCode).toBe(200);
    const again = await take(PHONES.volunteer, id, 'cancel');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toBe('该兑换已取消，不能取消');
  });
});
