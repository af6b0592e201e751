import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { hashPassword, sha256Hex } from '../../platform/crypto.js';
import { ensureUser } from '../accounts/service.js';
import { updateSettings } from '../settings/service.js';
import { expireWishes } from './service.js';

let t: TestApp;
const COUNTY = '411523';
const XINJI = '411523100';
const STATION = PHONES.stationAdmin; // first village of 新集镇
const V1 = PHONES.volunteer;
const V2 = PHONES.volunteer2;
const RESIDENT = PHONES.resident; // 赵大娘, first village of 新集镇
let village: string; // the station's village
let otherVillage: string; // another village of 新集镇
let shawoVillage: string;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });
const one = async (sql: string, params: unknown[] = []) => (await t.deps.database.query(sql, params)).rows[0] as Json;
const notes = async (phone: string, kind: string) =>
  (await api(phone, 'GET', '/notifications?pageSize=200')).json().items.filter((n: Json) => n.kind === kind) as Json[];

const body = (over: Json = {}) => ({
  title: '想要一台收音机',
  description: '独居老人，想听戏曲广播',
  value: 120,
  regionCode: village,
  beneficiaryName: '王桂兰',
  consentToPublish: false,
  beneficiaryPhone: '13912345678',
  ...over,
});
async function submit(over: Json = {}, phone: string = RESIDENT) {
  const res = await api(phone, 'POST', '/wishes', body(over));
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Json;
}
async function act(phone: string, id: string, action: string, payload: Json = {}, status = 200) {
  const res = await api(phone, 'POST', `/wishes/${id}/${action}`, payload);
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as Json;
}
async function published(over: Json = {}, phone: string = RESIDENT) {
  const w = await submit(over, phone);
  await act(STATION, w.id, 'verify');
  return act(STATION, w.id, 'publish');
}
/** A photo uploaded by `phone` (only one's own or readable files may be attached). */
async function photo(phone: string) {
  const owner = (await api(phone, 'GET', '/me')).json().id as string;
  const f = await one(
    'insert into files (county_code, owner_id, purpose, mime, size, sha256, storage_key, original_name) ' +
      `values ($1, $2, 'image', 'image/jpeg', 1, 'x', $3, 'a.jpg') returning id`,
    [COUNTY, owner, `k/${crypto.randomUUID()}`],
  );
  return f.id as string;
}

/** Users with the volunteer role and a session straight in the table (many claimants at once). */
async function claimants(n: number, tag: string) {
  const db = t.deps.database.db;
  const hash = await hashPassword('Claim@2026');
  const actor = { userId: null, name: '测试', countyCode: COUNTY };
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const phone = `137${tag}${String(i).padStart(8 - tag.length, '0')}`;
    const u = await ensureUser(
      db,
      t.deps.crypto,
      actor,
      {
        countyCode: COUNTY,
        name: `认领人${tag}${i}`,
        phone,
        password: '',
        regionCode: village,
        roles: [{ role: 'volunteer', regionCode: village, scope: 'self' }],
      },
      hash,
    );
    const token = crypto.randomBytes(24).toString('base64url');
    await t.deps.database.query(
      'insert into sessions (token_hash, user_id, csrf_token, last_seen_at, created_at) values ($1, $2, $3, $4, $4)',
      [sha256Hex(token), u.id, 'x', t.clock.now()],
    );
    tokens.push(token);
  }
  return tokens;
}
const claimAs = (token: string, id: string, payload: Json = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/wishes/${id}/claim`,
    headers: { authorization: `Bearer ${token}` },
    payload,
  });

beforeAll(async () => {
  t = await createTestApp();
  village = (await one(`select region_code from users where name = '王站长'`)).region_code;
  otherVillage = (
    await one(`select code from regions where parent_code = $1 and code <> $2 order by code limit 1`, [XINJI, village])
  ).code;
  shawoVillage = (await one(`select region_code from users where name = '孙大爷'`)).region_code;
});
afterAll(async () => {
  await t?.close();
});

describe('demo data', () => {
  it('the demo county has wishes in every state, over-cap ones awaiting the county, and 李志愿 among the claimants', async () => {
    const s = (await api(PHONES.countyAdmin, 'GET', '/wishes/stats')).json();
    for (const state of [
      'submitted',
      'verified',
      'published',
      'claimed',
      'fulfilled',
      'confirmed',
      'rejected',
      'withdrawn',
      'expired',
    ])
      expect(s.byState[state], state).toBeGreaterThan(0);
    expect(s.total).toBeGreaterThanOrEqual(55);
    expect(s.overCapPending).toBeGreaterThanOrEqual(3);
    const mine = (await api(V1, 'GET', '/me/wishes?role=claimed&pageSize=50')).json();
    expect(mine.total).toBeGreaterThanOrEqual(3);
    const wall = await api(null, 'GET', '/public/wishes?pageSize=100');
    expect(wall.json().items.length).toBeGreaterThan(10);
    expect(wall.body).not.toContain('PhoneMasked');
  });
});

describe('wish lifecycle', () => {
  it('submitted → verified → published → claimed → fulfilled (photo) → confirmed, with events, notices and audit', async () => {
    const w = await submit();
    expect(w).toMatchObject({
      state: 'submitted',
      stateName: '待核实',
      value: 120,
      claimMode: 'single',
      beneficiaryName: '王桂兰',
      beneficiaryPhoneMasked: '139****5678',
      source: 'resident',
      overCap: false,
    });
    // the phone is stored encrypted, never in clear
    const stored = await one('select beneficiary_phone_enc e, beneficiary_phone_masked m from wishes where id = $1', [
      w.id,
    ]);
    expect(stored.e).toBeTruthy();
    expect(stored.e).not.toContain('13912345678');
    expect((await notes(STATION, 'wish.submitted')).some((n) => n.entityId === w.id)).toBe(true);
    // not on the wall yet, and not visible to others
    expect((await api(null, 'GET', '/public/wishes?pageSize=200')).json().items.map((x: Json) => x.id)).not.toContain(
      w.id,
    );
    expect((await api(V1, 'GET', `/wishes/${w.id}`)).statusCode).toBe(404);

    // each caller's actions: staff verify or send back, the submitter may withdraw
    expect((await api(STATION, 'GET', `/wishes/${w.id}`)).json().actions).toEqual(['verify', 'reject']);
    expect((await api(RESIDENT, 'GET', `/wishes/${w.id}`)).json().actions).toEqual(['withdraw']);
    expect((await act(STATION, w.id, 'verify')).state).toBe('verified');
    expect((await act(STATION, w.id, 'publish')).state).toBe('published');
    const seen = (await api(V1, 'GET', `/wishes/${w.id}`)).json();
    expect(seen).toMatchObject({ state: 'published', beneficiaryName: '某村民', actions: ['claim'], events: [] });
    expect(seen.beneficiaryPhoneMasked).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain('5678');

    const claimed = await act(V1, w.id, 'claim', {}, 201);
    expect(claimed).toMatchObject({
      state: 'claimed',
      claimedValue: 120,
      remaining: 0,
      actions: ['unclaim', 'fulfill'],
      myClaim: { amount: 120, state: 'active' },
    });
    expect(claimed.claims[0]).toMatchObject({ claimantType: 'volunteer', claimantName: '李志愿' });
    // my wishes carry the same actions as the detail, so the H5 shows its buttons from them
    const mineNow = (await api(V1, 'GET', '/me/wishes?role=claimed&pageSize=100')).json().items as Json[];
    expect(mineNow.find((x) => x.id === w.id)?.actions).toEqual(['unclaim', 'fulfill']);
    const residentsOwn = (await api(RESIDENT, 'GET', '/me/wishes?role=submitted&pageSize=100')).json().items as Json[];
    expect(residentsOwn.find((x) => x.id === w.id)?.actions).toEqual([]);
    expect((await notes(RESIDENT, 'wish.claimed')).some((n) => n.entityId === w.id)).toBe(true);
    const again = await api(V2, 'POST', `/wishes/${w.id}/claim`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('已被认领');

    // fulfilment needs photos that exist, and only the claimant may report it
    const none = await api(V1, 'POST', `/wishes/${w.id}/fulfill`, { photoIds: [] });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.details[0].path).toBe('photoIds');
    expect((await api(V1, 'POST', `/wishes/${w.id}/fulfill`, {})).json().error.details[0].path).toBe('photoIds');
    const ghost = await api(V1, 'POST', `/wishes/${w.id}/fulfill`, { photoIds: [crypto.randomUUID()] });
    expect(ghost.statusCode).toBe(400);
    expect(ghost.json().error.details[0].path).toBe('photoIds');
    const p = await photo(V1);
    expect((await api(V2, 'POST', `/wishes/${w.id}/fulfill`, { photoIds: [await photo(V2)] })).statusCode).toBe(403);
    expect((await act(RESIDENT, w.id, 'confirm', {}, 409)).error.code).toBe('INVALID_TRANSITION');
    const fulfilled = await act(V1, w.id, 'fulfill', { photoIds: [p] });
    expect(fulfilled).toMatchObject({ state: 'fulfilled', stateName: '已实现' });
    expect(fulfilled.photos).toEqual([]); // no consent: the claimant sees no photo of the beneficiary
    expect((await api(RESIDENT, 'GET', `/wishes/${w.id}`)).json().photos).toEqual([
      { id: p, url: `/api/v1/files/${p}` },
    ]);
    expect((await notes(RESIDENT, 'wish.fulfilled')).some((n) => n.entityId === w.id)).toBe(true);
    // another resident cannot confirm; the submitter can
    expect((await api(PHONES.shawoResident, 'POST', `/wishes/${w.id}/confirm`)).statusCode).toBe(403);
    expect((await api(V2, 'POST', `/wishes/${w.id}/confirm`)).statusCode).toBe(403);
    const confirmed = await act(RESIDENT, w.id, 'confirm');
    expect(confirmed).toMatchObject({ state: 'confirmed', stateName: '已确认' });
    expect(confirmed.events.map((e: Json) => e.action)).toEqual([
      'submit',
      'verify',
      'publish',
      'claim',
      'fulfill',
      'confirm',
    ]);
    expect((await notes(V1, 'wish.confirm')).some((n) => n.entityId === w.id)).toBe(true);
    const audit = (await api(PHONES.auditor, 'GET', `/audit?entity=wish&entityId=${w.id}&pageSize=50`)).json();
    expect(audit.items.map((e: Json) => e.action).sort()).toEqual([
      'wish.claim',
      'wish.confirm',
      'wish.fulfill',
      'wish.publish',
      'wish.submit',
      'wish.verify',
    ]);
    const mine = (await api(V1, 'GET', '/me/wishes?role=claimed')).json();
    expect(mine.items.find((x: Json) => x.id === w.id)).toMatchObject({
      mine: 'claimed',
      myClaim: { state: 'fulfilled' },
      beneficiaryName: '某村民',
    });
    const submitted = (await api(RESIDENT, 'GET', '/me/wishes?role=submitted')).json();
    expect(submitted.items.find((x: Json) => x.id === w.id)).toMatchObject({
      mine: 'submitted',
      beneficiaryName: '王桂兰',
    });
  });

  it('station staff confirm too; reject needs a reason; withdraw by the submitter only, and not once claimed', async () => {
    const a = await published({ title: '想要一副老花镜', value: 50 });
    await act(V1, a.id, 'claim', {}, 201);
    await act(V1, a.id, 'fulfill', { photoIds: [await photo(V1)] });
    expect((await act(STATION, a.id, 'confirm')).state).toBe('confirmed');

    const b = await submit({ title: '想要一床新棉被' });
    expect((await api(STATION, 'POST', `/wishes/${b.id}/reject`, {})).json().error.details[0].path).toBe('reason');
    const rejected = await act(STATION, b.id, 'reject', { reason: '已由民政部门解决' });
    expect(rejected).toMatchObject({ state: 'rejected', rejectReason: '已由民政部门解决' });
    expect((await notes(RESIDENT, 'wish.reject')).some((n) => n.entityId === b.id && n.body.includes('民政'))).toBe(
      true,
    );
    expect((await api(STATION, 'POST', `/wishes/${b.id}/publish`)).statusCode).toBe(409);

    const c = await submit({ title: '想要一盏台灯' });
    expect((await api(V1, 'POST', `/wishes/${c.id}/withdraw`)).statusCode).toBe(404);
    expect((await api(STATION, 'POST', `/wishes/${c.id}/withdraw`)).statusCode).toBe(403);
    expect((await act(RESIDENT, c.id, 'withdraw')).state).toBe('withdrawn');

    const d = await published({ title: '想要一个保温壶' });
    await act(V2, d.id, 'claim', {}, 201);
    expect((await api(RESIDENT, 'POST', `/wishes/${d.id}/withdraw`)).json().error.message).toBe(
      '该心愿已认领，不能撤回',
    );
    expect((await api(STATION, 'POST', `/wishes/${d.id}/reject`, { reason: '不符合条件' })).json().error.message).toBe(
      '该心愿已认领，不能退回',
    );
    // a shared wish with a first share is still published, but no longer withdrawn or rejected
    const m = await published({ title: '想要一台洗衣机', claimMode: 'multi', value: 400 });
    await act(V2, m.id, 'claim', { amount: 100 }, 201);
    expect((await api(RESIDENT, 'POST', `/wishes/${m.id}/withdraw`)).json().error.message).toContain('已有人认领');
    expect(
      (await api(STATION, 'POST', `/wishes/${m.id}/reject`, { reason: '不符合条件' })).json().error.message,
    ).toContain('已有人认领');
    // staff submit as staff; nobody claims their own wish
    const e = await published({ title: '想要一本字典' }, PHONES.stationAdmin);
    expect(e.source).toBe('staff');
    const own = await published({ title: '想要一盒象棋' }, V1);
    expect(own.source).toBe('resident');
    expect((await api(V1, 'POST', `/wishes/${own.id}/claim`, {})).statusCode).toBe(403);
  });

  it('the public wall shows a name only with consent, never a phone, and only published/claimed/fulfilled wishes', async () => {
    const named = await published({
      title: '想要一双棉鞋',
      beneficiaryName: '李秀英',
      consentToPublish: true,
      beneficiaryPhone: '13700001111',
    });
    const anon = await published({
      title: '想要一件羽绒服',
      beneficiaryName: '张玉华',
      consentToPublish: false,
      beneficiaryPhone: '13700002222',
    });
    const hidden = await submit({ title: '想要一把雨伞', beneficiaryName: '陈春生', consentToPublish: true });
    const res = await api(null, 'GET', `/public/wishes?county=${COUNTY}&pageSize=200`);
    expect(res.statusCode).toBe(200);
    const wall = res.json();
    const byId = new Map(wall.items.map((x: Json) => [x.id, x]));
    expect(byId.get(named.id)).toMatchObject({ beneficiaryName: '李秀英', state: 'published', stateName: '已发布' });
    expect(byId.get(anon.id)).toMatchObject({ beneficiaryName: '某村民' });
    expect(byId.has(hidden.id)).toBe(false);
    // ids may hold digit runs
    const text = res.body.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID');
    expect(text).not.toContain('张玉华');
    expect(text).not.toContain('陈春生');
    expect(text.match(/.{0,40}1[3-9]\d{9}.{0,10}/)?.[0] ?? null).toBeNull();
    expect(text).not.toMatch(/\d{3}\*{4}\d{4}/);
    expect(text).not.toContain('beneficiaryPhone');
    expect(wall.items.every((x: Json) => ['published', 'claimed', 'fulfilled', 'confirmed'].includes(x.state))).toBe(
      true,
    );
    expect(wall.counts.published).toBeGreaterThan(0);
    await act(V1, anon.id, 'claim', {}, 201);
    const claimedWall = (await api(null, 'GET', '/public/wishes?state=claimed&pageSize=200')).json();
    const row = claimedWall.items.find((x: Json) => x.id === anon.id);
    expect(row.claimants).toEqual(['李*愿']);
    expect(row.beneficiaryName).toBe('某村民');
    expect((await api(null, 'GET', '/public/wishes?state=submitted')).statusCode).toBe(400);
    expect((await api(null, 'GET', '/public/wishes?county=12')).statusCode).toBe(400);
  });

  it('fulfilled and confirmed wishes stay on the wall as 已实现, with their photos served without sign-in only with consent', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const stored = async () => {
      const key = `wish-test/${crypto.randomUUID()}.png`;
      await t.deps.files.put(key, png);
      return (
        await one(
          'insert into files (county_code, owner_id, purpose, mime, size, sha256, storage_key, original_name) ' +
            `values ($1, $2, 'image', 'image/png', $3, 'x', $4, 'a.png') returning id`,
          [COUNTY, (await api(V1, 'GET', '/me')).json().id, png.length, key],
        )
      ).id as string;
    };
    const run = async (consent: boolean) => {
      const w = await published({ title: consent ? '想要一台收音机' : '想要一副老花镜', consentToPublish: consent });
      await act(V1, w.id, 'claim', {}, 201);
      const p = await stored();
      await act(V1, w.id, 'fulfill', { photoIds: [p] });
      await act(RESIDENT, w.id, 'confirm');
      return { id: w.id, p };
    };
    const shown = await run(true);
    const hidden = await run(false);
    const wall = (await api(null, 'GET', '/public/wishes?state=fulfilled&pageSize=200')).json();
    const row = wall.items.find((x: Json) => x.id === shown.id);
    expect(row).toMatchObject({
      state: 'confirmed',
      photos: [{ id: shown.p, url: `/api/v1/public/wishes/${shown.id}/photos/${shown.p}` }],
    });
    expect(wall.items.find((x: Json) => x.id === hidden.id)).toMatchObject({ state: 'confirmed', photos: [] });
    const img = await t.app.inject({ method: 'GET', url: row.photos[0].url });
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/public/wishes/${hidden.id}/photos/${hidden.p}` })).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/public/wishes/${shown.id}/photos/${hidden.p}` })).statusCode,
    ).toBe(404);
  });
});

describe('value cap', () => {
  it('above the cap with policy approval: only a county-level admin may verify', async () => {
    const w = await submit({ title: '想要一台轮椅', value: 800 });
    expect(w).toMatchObject({ overCap: true, state: 'submitted' });
    expect((await notes(PHONES.countyAdmin, 'wish.submitted')).some((n) => n.entityId === w.id)).toBe(true);
    const station = await api(STATION, 'POST', `/wishes/${w.id}/verify`);
    expect(station.statusCode).toBe(403);
    expect(station.json().error.message).toContain('县级');
    // the detail offers each their own buttons: the station may only send it back, the county may verify
    expect((await api(STATION, 'GET', `/wishes/${w.id}`)).json().actions).toEqual(['reject']);
    expect((await api(PHONES.countyAdmin, 'GET', `/wishes/${w.id}`)).json().actions).toEqual(['verify', 'reject']);
    expect((await api(PHONES.xinjiAdmin, 'POST', `/wishes/${w.id}/verify`)).statusCode).toBe(403);
    expect((await act(PHONES.countyAdmin, w.id, 'verify')).state).toBe('verified');
    expect(
      (await one('select approved_over_cap_by from wishes where id = $1', [w.id])).approved_over_cap_by,
    ).toBeTruthy();
    const listed = (await api(PHONES.countyAdmin, 'GET', '/wishes?overCap=true&pageSize=200')).json();
    expect(listed.items.map((x: Json) => x.id)).toContain(w.id);
    // at the cap is fine
    expect((await submit({ value: 500 })).overCap).toBe(false);
  });

  it('above the cap with policy refuse: 400 naming value', async () => {
    await updateSettings(
      t.deps.database.db,
      COUNTY,
      { 'wishes.overCapPolicy': 'refuse', 'wishes.valueCap': 300 },
      { userId: null, name: '测试', countyCode: COUNTY },
    );
    try {
      const res = await api(RESIDENT, 'POST', '/wishes', body({ value: 301 }));
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0].path).toBe('value');
      expect(res.json().error.message).toContain('300');
      expect((await api(RESIDENT, 'POST', '/wishes', body({ value: 300 }))).statusCode).toBe(201);
    } finally {
      await updateSettings(
        t.deps.database.db,
        COUNTY,
        { 'wishes.overCapPolicy': 'approval', 'wishes.valueCap': 500 },
        { userId: null, name: '测试', countyCode: COUNTY },
      );
    }
  });
});

describe('claims under concurrency', () => {
  it('10 simultaneous claims of a one-to-one wish → exactly one wins, the others 409', async () => {
    const w = await published({ title: '想要一辆三轮车', value: 400 });
    const tokens = await claimants(10, '1');
    const results = await Promise.all(tokens.map((tok) => claimAs(tok, w.id)));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(9);
    const row = await one(
      'select state, claimed_value, (select count(*) from wish_claims k where k.wish_id = w.id) n ' +
        'from wishes w where id = $1',
      [w.id],
    );
    expect(row.state).toBe('claimed');
    expect(Number(row.claimed_value)).toBe(400);
    expect(Number(row.n)).toBe(1);
  });

  it('many-to-one: shares accumulate up to the value; claimed when covered; fulfilled when every claimant is done', async () => {
    const w = await published({
      title: '为留守儿童添置一批课外书',
      value: 300,
      claimMode: 'multi',
      consentToPublish: true,
    });
    const a = await act(V1, w.id, 'claim', { amount: 100 }, 201);
    expect(a).toMatchObject({ state: 'published', claimedValue: 100, remaining: 200 });
    expect((await api(V1, 'POST', `/wishes/${w.id}/claim`, { amount: 50 })).statusCode).toBe(409); // once per person
    const over = await api(V2, 'POST', `/wishes/${w.id}/claim`, { amount: 250 });
    expect(over.statusCode).toBe(400);
    expect(over.json().error.details[0].path).toBe('amount');
    expect((await api(V2, 'POST', `/wishes/${w.id}/claim`, { amount: 0 })).statusCode).toBe(400);
    expect((await api(V2, 'POST', `/wishes/${w.id}/claim`, { amount: 10.001 })).statusCode).toBe(400);
    // V1 finishes their part early: the wish is still open for the rest
    expect((await act(V1, w.id, 'fulfill', { photoIds: [await photo(V1)] })).state).toBe('published');
    const b = await act(V2, w.id, 'claim', {}, 201); // no amount: the remaining 200
    expect(b).toMatchObject({ state: 'claimed', claimedValue: 300, remaining: 0 });
    expect(b.claims.map((k: Json) => k.amount)).toEqual([100, 200]);
    const done = await act(V2, w.id, 'fulfill', { photoIds: [await photo(V2)] });
    expect(done.state).toBe('fulfilled');
    expect(done.photos).toHaveLength(2); // consent given: photos shown
    expect(done.events.map((e: Json) => e.action)).toEqual([
      'submit',
      'verify',
      'publish',
      'claim',
      'fulfill_part',
      'claim',
      'fulfill',
    ]);
  });

  it('a claimant may take back a claim before reporting it done: the share returns and the wish reopens', async () => {
    // one-to-one: V1 claims, then withdraws with a reason; the wish is back on the wall and V2 can take it
    const w = await published({ title: '想要一台电风扇', value: 150, consentToPublish: true });
    expect((await act(V1, w.id, 'claim', {}, 201)).state).toBe('claimed');
    const claimedBefore = (await api(V1, 'GET', '/me/wishes?role=claimed&pageSize=100')).json().items as Json[];
    expect(claimedBefore.map((x) => x.id)).toContain(w.id);
    const back = await act(V1, w.id, 'claim/withdraw', { reason: '临时外出务工' });
    expect(back).toMatchObject({ state: 'published', claimedValue: 0 });
    expect(back.myClaim).toBeNull();
    expect(back.actions).toEqual(['claim']);
    expect(back.events).toEqual([]); // no longer an insider: the public view of the wish
    const seen = (await api(RESIDENT, 'GET', `/wishes/${w.id}`)).json();
    expect(seen.events.at(-1)).toMatchObject({
      action: 'unclaim',
      fromState: 'claimed',
      toState: 'published',
      note: expect.stringContaining('临时外出务工'),
    });
    expect(seen.claims).toEqual([expect.objectContaining({ state: 'withdrawn' })]);
    expect(
      (await notes(RESIDENT, 'wish.unclaimed')).some(
        (n) => n.body.includes('想要一台电风扇') && n.body.includes('重新在心愿墙开放认领'),
      ),
    ).toBe(true);
    expect((await notes(STATION, 'wish.unclaimed')).some((n) => n.body.includes('想要一台电风扇'))).toBe(true);
    const mine = (await api(V1, 'GET', '/me/wishes?role=claimed&pageSize=100')).json().items as Json[];
    expect(mine.some((x) => x.id === w.id)).toBe(false);
    // twice is a 404: there is no live claim any more; someone else now claims it
    expect((await api(V1, 'POST', `/wishes/${w.id}/claim/withdraw`, {})).statusCode).toBe(404);
    const taken = await act(V2, w.id, 'claim', {}, 201);
    expect(taken).toMatchObject({ state: 'claimed', actions: ['unclaim', 'fulfill'] });
    // not a claimant: 404; a reason over 200 characters: 400 naming it
    expect((await api(V1, 'POST', `/wishes/${w.id}/claim/withdraw`, {})).statusCode).toBe(404);
    const long = await api(V2, 'POST', `/wishes/${w.id}/claim/withdraw`, { reason: '因'.repeat(201) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.details[0].path).toBe('reason');
    // once reported done it can no longer be taken back
    await act(V2, w.id, 'fulfill', { photoIds: [await photo(V2)] });
    const late = await api(V2, 'POST', `/wishes/${w.id}/claim/withdraw`, {});
    expect(late.statusCode).toBe(409);
    expect((await one('select state from wishes where id = $1', [w.id])).state).toBe('fulfilled');

    // many-to-one: a withdrawn share is open again, for anyone, the same person included
    const m = await published({ title: '为村小学添置一批跳绳', value: 200, claimMode: 'multi' });
    await act(V1, m.id, 'claim', { amount: 120 }, 201);
    expect(await act(V2, m.id, 'claim', {}, 201)).toMatchObject({ state: 'claimed', remaining: 0 });
    expect(await act(V1, m.id, 'claim/withdraw')).toMatchObject({
      state: 'published',
      claimedValue: 80,
      remaining: 120,
    });
    expect(await act(V1, m.id, 'claim', { amount: 120 }, 201)).toMatchObject({ state: 'claimed', claimedValue: 200 });
    const row = await one(
      'select (select coalesce(sum(amount), 0) from wish_claims k ' +
        `where k.wish_id = w.id and k.state <> 'withdrawn') live, claimed_value from wishes w where id = $1`,
      [m.id],
    );
    expect(Number(row.live)).toBe(200);
    expect(Number(row.claimed_value)).toBe(200);
    const audit = await one(
      `select count(*)::int as n from audit_events where action = 'wish.unclaim' and entity_id = $1`,
      [m.id],
    );
    expect(audit.n).toBe(1);
  });

  it('simultaneous shares never exceed the value', async () => {
    const w = await published({ title: '为敬老院添置洗衣机', value: 300, claimMode: 'multi' });
    const tokens = await claimants(10, '2');
    const results = await Promise.all(tokens.map((tok) => claimAs(tok, w.id, { amount: 50 })));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(6);
    expect(results.filter((r) => r.statusCode !== 201).every((r) => r.statusCode === 409 || r.statusCode === 400)).toBe(
      true,
    );
    const row = await one(
      'select state, claimed_value, (select coalesce(sum(amount), 0) from wish_claims k ' +
        'where k.wish_id = w.id) s from wishes w where id = $1',
      [w.id],
    );
    expect(row.state).toBe('claimed');
    expect(Number(row.claimed_value)).toBe(300);
    expect(Number(row.s)).toBe(300);
  });
});

describe('expiry', () => {
  it('the sweep expires published wishes past their deadline and tells the submitter', async () => {
    const now = t.clock.now().getTime();
    const w = await published({ title: '想要一个电暖器', deadline: new Date(now + 2 * 86400_000).toISOString() });
    const later = await published({ title: '想要一个电饭锅', deadline: new Date(now + 20 * 86400_000).toISOString() });
    t.clock.advance(3 * 86400_000);
    expect((await api(V1, 'POST', `/wishes/${w.id}/claim`, {})).statusCode).toBe(409);
    const r = await expireWishes(t.deps.database.db, t.clock.now());
    expect(r.expired).toBeGreaterThanOrEqual(1);
    expect((await api(RESIDENT, 'GET', `/wishes/${w.id}`)).json()).toMatchObject({
      state: 'expired',
      stateName: '已过期',
    });
    expect((await api(RESIDENT, 'GET', `/wishes/${later.id}`)).json().state).toBe('published');
    expect((await notes(RESIDENT, 'wish.expired')).some((n) => n.entityId === w.id)).toBe(true);
    expect((await expireWishes(t.deps.database.db, t.clock.now())).expired).toBe(0);
  });
});

describe('bad input, sign-in and scope', () => {
  it('refuses bad input with 400 naming the field', async () => {
    const bad = async (over: Json, path: string) => {
      const res = await api(RESIDENT, 'POST', '/wishes', body(over));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.details.map((d: Json) => d.path)).toContain(path);
    };
    await bad({ title: '' }, 'title');
    await bad({ value: 0 }, 'value');
    await bad({ value: -10 }, 'value');
    await bad({ value: 10.005 }, 'value');
    await bad({ value: '100' }, 'value');
    await bad({ consentToPublish: undefined }, 'consentToPublish');
    await bad({ beneficiaryName: '' }, 'beneficiaryName');
    await bad({ beneficiaryPhone: '12345' }, 'beneficiaryPhone');
    await bad({ regionCode: '999999999' }, 'regionCode');
    await bad({ regionCode: 'abc' }, 'regionCode');
    await bad({ claimMode: 'team' }, 'claimMode');
    await bad({ deadline: 'tomorrow' }, 'deadline');
    await bad({ deadline: new Date(t.clock.now().getTime() - 1000).toISOString() }, 'deadline');
    // staff only inside their scope
    const out = await api(STATION, 'POST', '/wishes', body({ regionCode: otherVillage }));
    expect(out.statusCode).toBe(400);
    expect(out.json().error.details[0].path).toBe('regionCode');
    expect((await api(RESIDENT, 'GET', '/wishes/not-a-uuid')).statusCode).toBe(400);
    expect((await api(RESIDENT, 'GET', `/wishes/${crypto.randomUUID()}`)).statusCode).toBe(404);
    expect((await api(STATION, 'GET', '/wishes?state=nope')).statusCode).toBe(400);
  });

  it('401 without sign-in, 403 without the permission, 404 out of scope', async () => {
    const w = await submit({ title: '想要一个收纳柜' });
    const id = w.id;
    for (const [method, url] of [
      ['POST', '/wishes'],
      ['GET', '/wishes'],
      ['GET', '/wishes/stats'],
      ['GET', '/me/wishes'],
      ['GET', `/wishes/${id}`],
      ['POST', `/wishes/${id}/verify`],
      ['POST', `/wishes/${id}/publish`],
      ['POST', `/wishes/${id}/reject`],
      ['POST', `/wishes/${id}/withdraw`],
      ['POST', `/wishes/${id}/claim`],
      ['POST', `/wishes/${id}/claim/withdraw`],
      ['POST', `/wishes/${id}/fulfill`],
      ['POST', `/wishes/${id}/confirm`],
    ] as const) {
      expect((await api(null, method, url, method === 'POST' ? {} : undefined)).statusCode, `${method} ${url}`).toBe(
        401,
      );
    }
    expect((await api(RESIDENT, 'GET', '/wishes')).statusCode).toBe(403);
    expect((await api(RESIDENT, 'GET', '/wishes/stats')).statusCode).toBe(403);
    expect((await api(RESIDENT, 'POST', `/wishes/${id}/verify`)).statusCode).toBe(403);
    expect((await api(RESIDENT, 'POST', `/wishes/${id}/claim`, {})).statusCode).toBe(403); // residents do not claim
    expect((await api(RESIDENT, 'POST', `/wishes/${id}/claim/withdraw`, {})).statusCode).toBe(403);
    expect((await api(PHONES.sysadmin, 'POST', '/wishes', body())).statusCode).toBe(403);
    // another town's admin neither sees nor acts on it
    expect((await api(PHONES.shawoAdmin, 'POST', `/wishes/${id}/verify`)).statusCode).toBe(404);
    expect((await api(PHONES.shawoAdmin, 'POST', `/wishes/${id}/reject`, { reason: '不在本镇' })).statusCode).toBe(404);
    expect((await api(PHONES.shawoAdmin, 'GET', `/wishes/${id}`)).statusCode).toBe(404);
    expect(
      (await api(PHONES.shawoAdmin, 'GET', '/wishes?pageSize=200')).json().items.map((x: Json) => x.id),
    ).not.toContain(id);
    // a Shawo wish is not in the Xinji list; the county sees both
    const s = await submit({ title: '想要一个书包', regionCode: shawoVillage }, PHONES.shawoResident);
    expect(
      (await api(PHONES.xinjiAdmin, 'GET', '/wishes?pageSize=200')).json().items.map((x: Json) => x.id),
    ).not.toContain(s.id);
    const county = (await api(PHONES.countyAdmin, 'GET', '/wishes?state=submitted&pageSize=200'))
      .json()
      .items.map((x: Json) => x.id);
    expect(county).toEqual(expect.arrayContaining([id, s.id]));
    // claim of a wish not yet published: 404 for outsiders; so is taking back a claim of a wish one cannot see
    expect((await api(V1, 'POST', `/wishes/${id}/claim`, {})).statusCode).toBe(404);
    expect((await api(V1, 'POST', `/wishes/${id}/claim/withdraw`, {})).statusCode).toBe(404);
  });

  it('stats by state, in scope', async () => {
    const res = await api(PHONES.xinjiAdmin, 'GET', '/wishes/stats');
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s.items.map((x: Json) => x.state)).toEqual([
      'submitted',
      'verified',
      'published',
      'claimed',
      'fulfilled',
      'confirmed',
      'rejected',
      'withdrawn',
      'expired',
    ]);
    expect(s.byState.confirmed).toBeGreaterThanOrEqual(2);
    expect(s.total).toBe(s.items.reduce((n: number, x: Json) => n + x.count, 0));
    const shawo = (await api(PHONES.shawoAdmin, 'GET', '/wishes/stats')).json();
    const county = (await api(PHONES.countyAdmin, 'GET', '/wishes/stats')).json();
    expect(county.total).toBeGreaterThanOrEqual(s.total + shawo.total);
  });
});
