import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemScope } from '../../platform/scope.js';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { hashPassword, sha256Hex } from '../../platform/crypto.js';
import { checkChar } from '../../platform/idcard.js';
import { ensureUser } from '../accounts/service.js';
import { registerVolunteer } from '../volunteers/service.js';
import { sweepActivities } from './service.js';
import { auditAppendSql, verifyAudit, writeAudit } from '../../platform/audit.js';
import { sql } from 'drizzle-orm';

let t: TestApp;
let village: string;
beforeAll(async () => {
  t = await createTestApp();
  village = (await t.as(ADMIN)({ method: 'GET', url: `/api/v1/regions?parent=${XINJI}` })).json().items[3].code;
});
afterAll(async () => {
  await t?.close();
});

const XINJI = '411523100';
const SHAWO = '411523101';
const ADMIN = PHONES.xinjiAdmin;
const V1 = PHONES.volunteer;
const V2 = PHONES.volunteer2;
const H = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** 08:00 Beijing time on 2026-07-<d>, plus h hours (each test that moves the clock uses its own day). */
const day = (d: number, h = 0) => Date.parse(`2026-07-${String(d).padStart(2, '0')}T00:00:00Z`) + h * H;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });

const base = (over: Json = {}) => ({
  title: '新集镇敬老院义务理发',
  type: 'volunteer_service',
  regionCode: XINJI,
  address: '新集镇敬老院',
  startAt: iso(day(20)),
  endAt: iso(day(20, 3)),
  quota: 10,
  ...over,
});
async function create(over: Json = {}, phone = ADMIN) {
  const res = await api(phone, 'POST', '/activities', base(over));
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Json;
}
async function published(over: Json = {}) {
  const a = await create(over);
  const res = await api(ADMIN, 'POST', `/activities/${a.id}/publish`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Json;
}
const notificationsOf = async (phone: string, kind: string) =>
  (await api(phone, 'GET', '/notifications?pageSize=200')).json().items.filter((n: Json) => n.kind === kind) as Json[];
const count = async (sql: string, params: unknown[] = []) =>
  Number((await t.deps.database.query(sql, params)).rows[0].n);

describe('activities: create, publish, edit, cancel', () => {
  it('creates a draft with a 6-digit code shown only to managers; a risky activity needs insurance to publish', async () => {
    t.clock.set(new Date('2026-06-01T02:00:00Z'));
    const a = await create({ risky: true, title: '河道清淤志愿行动' });
    expect(a).toMatchObject({
      state: 'draft',
      stateName: '草稿',
      regionName: '新集镇',
      confirmedCount: 0,
      waitlistCount: 0,
      risky: true,
      insurance: null,
    });
    expect(a.code).toMatch(/^\d{6}$/);
    const refused = await api(ADMIN, 'POST', `/activities/${a.id}/publish`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('INVALID_TRANSITION');
    expect(refused.json().error.message).toContain('保险');
    // drafts are not visible to volunteers
    expect((await api(V1, 'GET', `/activities/${a.id}`)).statusCode).toBe(404);
    const edited = await api(
      ADMIN,
      'PUT',
      `/activities/${a.id}`,
      base({ risky: true, title: '河道清淤志愿行动', insurance: '人保团体意外险 PICC-2026-001' }),
    );
    expect(edited.statusCode, edited.body).toBe(200);
    const pub = await api(ADMIN, 'POST', `/activities/${a.id}/publish`);
    expect(pub.json()).toMatchObject({ state: 'published', stateName: '招募中' });
    const seen = (await api(V1, 'GET', `/activities/${a.id}`)).json();
    expect(seen.state).toBe('published');
    expect(seen.code).toBeUndefined();
    expect(seen.mySignup).toBeNull();
    expect((await api(ADMIN, 'POST', `/activities/${a.id}/publish`)).statusCode).toBe(409);
    const audit = (await api(PHONES.auditor, 'GET', `/audit?entity=activity&entityId=${a.id}`)).json();
    expect(audit.items.map((e: Json) => e.action).sort()).toEqual([
      'activity.create',
      'activity.publish',
      'activity.update',
    ]);
  });

  it('cancel needs a reason and notifies everyone confirmed or waitlisted', async () => {
    const a = await published({ quota: 1 });
    expect((await api(V1, 'POST', `/activities/${a.id}/signups`, {})).json().status).toBe('confirmed');
    expect((await api(V2, 'POST', `/activities/${a.id}/signups`, {})).json()).toMatchObject({
      status: 'waitlisted',
      position: 1,
    });
    expect((await api(ADMIN, 'GET', `/activities/${a.id}`)).json()).toMatchObject({
      state: 'full',
      confirmedCount: 1,
      waitlistCount: 1,
    });
    const noReason = await api(ADMIN, 'POST', `/activities/${a.id}/cancel`, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('reason');
    const before1 = (await notificationsOf(V1, 'activity.cancelled')).length;
    const before2 = (await notificationsOf(V2, 'activity.cancelled')).length;
    const res = await api(ADMIN, 'POST', `/activities/${a.id}/cancel`, { reason: '暴雨预警，活动取消' });
    expect(res.json()).toMatchObject({ state: 'cancelled', cancelReason: '暴雨预警，活动取消' });
    const n1 = await notificationsOf(V1, 'activity.cancelled');
    const n2 = await notificationsOf(V2, 'activity.cancelled');
    expect(n1.length).toBe(before1 + 1);
    expect(n2.length).toBe(before2 + 1);
    expect(n1[0].body).toContain('暴雨预警');
    expect((await api(ADMIN, 'POST', `/activities/${a.id}/cancel`, { reason: '再取消一次' })).statusCode).toBe(409);
    expect((await api(V1, 'POST', `/activities/${a.id}/checkin`, { code: a.code ?? '000000' })).statusCode).toBe(409);
  });

  it('edits while people are signed up notify them; the quota cannot drop below the confirmed count; a raised quota promotes', async () => {
    const a = await published({ quota: 2 });
    await api(V1, 'POST', `/activities/${a.id}/signups`, {});
    await api(V2, 'POST', `/activities/${a.id}/signups`, {});
    const before = (await notificationsOf(V1, 'activity.changed')).length;
    const lower = await api(ADMIN, 'PUT', `/activities/${a.id}`, base({ quota: 1 }));
    expect(lower.statusCode).toBe(400);
    expect(lower.json().error.details[0].path).toBe('quota');
    expect(lower.json().error.message).toContain('已确认报名的 2 人');
    const moved = await api(
      ADMIN,
      'PUT',
      `/activities/${a.id}`,
      base({ quota: 2, startAt: iso(day(20, 1)), endAt: iso(day(20, 4)), address: '新集镇文化广场' }),
    );
    expect(moved.statusCode, moved.body).toBe(200);
    const changed = await notificationsOf(V1, 'activity.changed');
    expect(changed.length).toBe(before + 1);
    expect(changed[0].body).toContain('新集镇文化广场');
    expect(changed[0].body).toContain('时间改为');
    expect((await notificationsOf(V2, 'activity.changed')).length).toBeGreaterThan(0);

    const b = await published({ quota: 1 });
    await api(V1, 'POST', `/activities/${b.id}/signups`, {});
    expect((await api(V2, 'POST', `/activities/${b.id}/signups`, {})).json().status).toBe('waitlisted');
    const raised = await api(ADMIN, 'PUT', `/activities/${b.id}`, base({ quota: 2 }));
    expect(raised.json()).toMatchObject({ state: 'full', confirmedCount: 2, waitlistCount: 0 });
    expect((await api(V2, 'GET', `/activities/${b.id}`)).json().mySignup).toMatchObject({
      status: 'confirmed',
      position: null,
    });
    expect((await notificationsOf(V2, 'activity.promoted')).some((n) => n.entityId === b.id)).toBe(true);
  });

  it('keeps staff to their scope: 沙窝镇 cannot see or edit a 新集镇 activity (404)', async () => {
    const draft = await create({ title: '新集镇内部草稿' });
    const pub = await published({ title: '新集镇公开活动' });
    const SW = PHONES.shawoAdmin;
    expect((await api(SW, 'GET', `/activities/${draft.id}`)).statusCode).toBe(404);
    for (const id of [draft.id, pub.id]) {
      expect((await api(SW, 'PUT', `/activities/${id}`, base({ regionCode: XINJI }))).statusCode).toBe(404);
      expect((await api(SW, 'POST', `/activities/${id}/cancel`, { reason: '越权取消' })).statusCode).toBe(404);
      expect((await api(SW, 'GET', `/activities/${id}/signups`)).statusCode).toBe(404);
      expect((await api(SW, 'GET', `/activities/${id}/qr`)).statusCode).toBe(404);
      expect(
        (
          await api(SW, 'POST', `/activities/${id}/attendance`, {
            volunteerId: crypto.randomUUID(),
            checkInAt: iso(day(20)),
            checkOutAt: iso(day(20, 1)),
          })
        ).statusCode,
      ).toBe(404);
    }
    expect((await api(SW, 'POST', `/activities/${draft.id}/publish`)).statusCode).toBe(404);
    const list = (await api(SW, 'GET', '/activities?pageSize=200')).json();
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.some((x: Json) => x.id === draft.id || x.id === pub.id)).toBe(false);
    // a 沙窝镇 activity cannot be created by the 新集镇 admin either
    expect((await api(ADMIN, 'POST', '/activities', base({ regionCode: SHAWO }))).statusCode).toBe(404);
    // the 新集镇 staff list has both, filtered
    const mine = (await api(ADMIN, 'GET', `/activities?state=draft&q=${encodeURIComponent('内部草稿')}`)).json();
    expect(mine.items.map((x: Json) => x.id)).toEqual([draft.id]);
    expect(mine.items[0].code).toMatch(/^\d{6}$/);
  });

  it('answers 401 without sign-in, 403 without the permission, 404 for unknown ids', async () => {
    const pub = await published({ title: '群众可见的读书分享会' });
    const anon: [string, string][] = [
      ['GET', '/activities'],
      ['GET', '/activities/browse'],
      ['POST', '/activities'],
      ['GET', `/activities/${pub.id}`],
      ['POST', `/activities/${pub.id}/signups`],
      ['DELETE', `/activities/${pub.id}/signups/me`],
      ['POST', `/activities/${pub.id}/checkin`],
      ['GET', '/me/signups'],
    ];
    for (const [m, u] of anon)
      expect(
        (await api(null, m as 'GET', u, m === 'GET' || m === 'DELETE' ? undefined : {})).statusCode,
        `${m} ${u}`,
      ).toBe(401);
    const R = PHONES.resident;
    expect((await api(R, 'GET', '/activities')).statusCode).toBe(403);
    expect((await api(R, 'POST', '/activities', base())).statusCode).toBe(403);
    expect((await api(V1, 'POST', `/activities/${pub.id}/publish`)).statusCode).toBe(403);
    expect((await api(V1, 'GET', `/activities/${pub.id}/signups`)).statusCode).toBe(403);
    expect((await api(V1, 'GET', `/activities/${pub.id}/qr`)).statusCode).toBe(403);
    expect((await api(V1, 'POST', `/activities/${pub.id}/attendance`, {})).statusCode).toBe(403);
    // a resident may browse but must register as a volunteer before signing up
    const browsed = (await api(R, 'GET', `/activities/browse?q=${encodeURIComponent('读书分享会')}`)).json();
    expect(browsed.items.map((x: Json) => x.id)).toEqual([pub.id]);
    expect(browsed.items[0]).toMatchObject({ mySignup: null, state: 'published' });
    expect(browsed.items[0].code).toBeUndefined();
    const notVolunteer = await api(R, 'POST', `/activities/${pub.id}/signups`, {});
    expect(notVolunteer.statusCode).toBe(403);
    expect(notVolunteer.json().error.message).toContain('注册成为志愿者');
    expect((await api(R, 'GET', '/me/signups')).statusCode).toBe(403);
    const unknown = crypto.randomUUID();
    expect((await api(ADMIN, 'GET', `/activities/${unknown}`)).statusCode).toBe(404);
    expect((await api(V1, 'POST', `/activities/${unknown}/signups`, {})).statusCode).toBe(404);
    expect((await api(ADMIN, 'GET', '/activities/not-a-uuid')).statusCode).toBe(400);
  });
});

describe('bad input: clear Chinese errors naming the field, nothing saved', () => {
  it('refuses end before start, zero or negative quotas, unknown type/region/site/team and shifts outside the activity', async () => {
    const before = await count('select count(*)::int as n from activities');
    const cases: [Json, string][] = [
      [{ endAt: iso(day(20, -1)) }, 'endAt'],
      [{ endAt: iso(day(20)) }, 'endAt'],
      [{ quota: -5 }, 'quota'],
      [{ quota: 0 }, 'quota'],
      [{ quota: 2.5 }, 'quota'],
      [{ type: 'party' }, 'type'],
      [{ regionCode: '411523999' }, 'regionCode'],
      [{ siteId: crypto.randomUUID() }, 'siteId'],
      [{ teamId: crypto.randomUUID() }, 'teamId'],
      [{ startAt: '明天上午' }, 'startAt'],
      [{ checkinRadiusM: 300 }, 'lat'],
      [
        { shifts: [{ position: '引导员', startAt: iso(day(20, -2)), endAt: iso(day(20, 1)), quota: 2 }] },
        'shifts.0.startAt',
      ],
      [
        { shifts: [{ position: '引导员', startAt: iso(day(20, 1)), endAt: iso(day(20, 5)), quota: 2 }] },
        'shifts.0.endAt',
      ],
      [
        { shifts: [{ position: '引导员', startAt: iso(day(20, 1)), endAt: iso(day(20, 2)), quota: 0 }] },
        'shifts.0.quota',
      ],
    ];
    for (const [over, path] of cases) {
      const res = await api(ADMIN, 'POST', '/activities', base(over));
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      const err = res.json().error;
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.details[0].path, JSON.stringify(over)).toBe(path);
      expect(err.message).toMatch(/[\u4e00-\u9fa5]/);
    }
    const endBefore = (await api(ADMIN, 'POST', '/activities', base({ endAt: iso(day(20, -1)) }))).json().error;
    expect(endBefore.message).toBe('结束时间必须晚于开始时间');
    expect(await count('select count(*)::int as n from activities')).toBe(before);
  });
});

describe('sign-ups, check-in and check-out', () => {
  it('signs up once, waitlists beyond the quota, promotes on cancel and flips full ⇄ published', async () => {
    const a = await published({ quota: 1 });
    const s1 = await api(V1, 'POST', `/activities/${a.id}/signups`, {});
    expect(s1.statusCode).toBe(201);
    expect(s1.json()).toMatchObject({ status: 'confirmed' });
    const dup = await api(V1, 'POST', `/activities/${a.id}/signups`, {});
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('DUPLICATE');
    expect((await api(V2, 'POST', `/activities/${a.id}/signups`)).json()).toMatchObject({
      status: 'waitlisted',
      position: 1,
    });
    expect((await api(V2, 'GET', `/activities/${a.id}`)).json().mySignup).toMatchObject({
      status: 'waitlisted',
      position: 1,
    });
    expect((await api(V1, 'DELETE', `/activities/${a.id}/signups/me`)).statusCode).toBe(204);
    expect((await api(V1, 'DELETE', `/activities/${a.id}/signups/me`)).statusCode).toBe(404);
    expect((await api(ADMIN, 'GET', `/activities/${a.id}`)).json()).toMatchObject({
      state: 'full',
      confirmedCount: 1,
      waitlistCount: 0,
    });
    const promoted = await notificationsOf(V2, 'activity.promoted');
    expect(promoted.some((n) => n.entityId === a.id)).toBe(true);
    expect((await api(V2, 'DELETE', `/activities/${a.id}/signups/me`)).statusCode).toBe(204);
    expect((await api(ADMIN, 'GET', `/activities/${a.id}`)).json()).toMatchObject({
      state: 'published',
      confirmedCount: 0,
    });
    // signing up again after cancelling is allowed
    expect((await api(V1, 'POST', `/activities/${a.id}/signups`, {})).json().status).toBe('confirmed');
    const mine = (await api(V1, 'GET', '/me/signups?when=upcoming&pageSize=200')).json();
    expect(mine.items.find((s: Json) => s.activity.id === a.id && s.status === 'confirmed')).toBeTruthy();
    // drafts and other states are not open
    const draft = await create();
    expect((await api(V1, 'POST', `/activities/${draft.id}/signups`, {})).statusCode).toBe(404);
  });

  it('uses positions × time slots: a shift is required and has its own seats', async () => {
    const a = await published({
      quota: 3,
      shifts: [
        { position: '引导员', startAt: iso(day(20)), endAt: iso(day(20, 1.5)), quota: 1 },
        { position: '理发师', startAt: iso(day(20, 1)), endAt: iso(day(20, 3)), quota: 2 },
      ],
    });
    expect(a.shifts).toHaveLength(2);
    const [guide] = a.shifts;
    const none = await api(V1, 'POST', `/activities/${a.id}/signups`, {});
    expect(none.statusCode).toBe(400);
    expect(none.json().error.details[0].path).toBe('shiftId');
    expect((await api(V1, 'POST', `/activities/${a.id}/signups`, { shiftId: guide.id })).json().status).toBe(
      'confirmed',
    );
    expect((await api(V2, 'POST', `/activities/${a.id}/signups`, { shiftId: guide.id })).json()).toMatchObject({
      status: 'waitlisted',
      position: 1,
    });
    const view = (await api(ADMIN, 'GET', `/activities/${a.id}`)).json();
    expect(view).toMatchObject({ state: 'published', confirmedCount: 1, waitlistCount: 1 });
    expect(view.shifts[0]).toMatchObject({ position: '引导员', confirmedCount: 1 });
    await api(V1, 'DELETE', `/activities/${a.id}/signups/me`);
    expect((await api(V2, 'GET', `/activities/${a.id}`)).json().mySignup).toMatchObject({
      status: 'confirmed',
      shiftId: guide.id,
    });
  });

  it('check-in and check-out by code within the time window, radius and states; no-shows recorded at the end', async () => {
    t.clock.set(new Date(day(10, -48)));
    const a = await published({
      startAt: iso(day(10)),
      endAt: iso(day(10, 3)),
      quota: 5,
      lat: 33.8,
      lng: 113.5,
      checkinRadiusM: 200,
    });
    const other = await published({ startAt: iso(day(10)), endAt: iso(day(10, 3)) });
    const code = (await api(ADMIN, 'GET', `/activities/${a.id}`)).json().code as string;
    const otherCode = (await api(ADMIN, 'GET', `/activities/${other.id}`)).json().code as string;
    await api(V1, 'POST', `/activities/${a.id}/signups`, {});
    await api(V2, 'POST', `/activities/${a.id}/signups`, {});
    const here = { lat: 33.8005, lng: 113.5005 };
    // too early
    t.clock.set(new Date(day(10, -2)));
    const early = await api(V1, 'POST', `/activities/${a.id}/checkin`, { code, ...here });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toContain('开始前 1 小时');
    t.clock.set(new Date(day(10, 0.25)));
    const wrong = await api(V1, 'POST', `/activities/${a.id}/checkin`, {
      code: code === '123456' ? '654321' : '123456',
      ...here,
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details[0].path).toBe('code');
    if (otherCode !== code) {
      const foreign = await api(V1, 'POST', `/activities/${a.id}/checkin`, { code: otherCode, ...here });
      expect(foreign.statusCode).toBe(400);
      expect(foreign.json().error.details[0].path).toBe('code');
    }
    const malformed = await api(V1, 'POST', `/activities/${a.id}/checkin`, { code: '12ab' });
    expect(malformed.json().error.details[0].path).toBe('code');
    const noPlace = await api(V1, 'POST', `/activities/${a.id}/checkin`, { code });
    expect(noPlace.statusCode).toBe(400);
    expect(noPlace.json().error.details[0].path).toBe('lat');
    const far = await api(V1, 'POST', `/activities/${a.id}/checkin`, { code, lat: 33.9, lng: 113.5 });
    expect(far.statusCode).toBe(400);
    expect(far.json().error.message).toMatch(/超出 200 米/);
    const outFirst = await api(V1, 'POST', `/activities/${a.id}/checkout`, { code, ...here });
    expect(outFirst.statusCode).toBe(409);
    expect(outFirst.json().error.message).toContain('请先签到');
    const notSigned = await api(PHONES.stationAdmin, 'POST', `/activities/${a.id}/checkin`, { code, ...here });
    expect(notSigned.statusCode).toBe(403); // 王站长 is not a volunteer
    const inRes = await api(V1, 'POST', `/activities/${a.id}/checkin`, { code, ...here });
    expect(inRes.statusCode, inRes.body).toBe(200);
    expect((await api(ADMIN, 'GET', `/activities/${a.id}`)).json().state).toBe('in_progress');
    expect((await api(V1, 'POST', `/activities/${a.id}/checkin`, { code, ...here })).statusCode).toBe(409);
    t.clock.set(new Date(day(10, 3.5)));
    const outRes = await api(V1, 'POST', `/activities/${a.id}/checkout`, { code, ...here });
    expect(outRes.statusCode, outRes.body).toBe(200);
    // check-in at 08:15, out at 11:30, clipped to the 08:00–11:00 window: 2.75 h of 3 h
    expect(outRes.json().hours).toEqual({ credited: 2.75, pending: 0, reason: null });
    expect((await api(V1, 'POST', `/activities/${a.id}/checkout`, { code, ...here })).statusCode).toBe(409);
    const ended = await api(ADMIN, 'POST', `/activities/${a.id}/end`);
    expect(ended.json()).toMatchObject({ state: 'ended', noShows: 1 });
    const list = (await api(ADMIN, 'GET', `/activities/${a.id}/signups`)).json();
    const byName = Object.fromEntries(list.items.map((s: Json) => [s.volunteerName, s]));
    expect(byName['李志愿']).toMatchObject({
      status: 'confirmed',
      noShow: false,
      creditedHours: 2.75,
      pendingHours: 0,
      source: 'self',
    });
    expect(byName['李志愿'].phoneMasked).toMatch(/^1\d{2}\*{4}\d{4}$/);
    expect(byName['张志愿']).toMatchObject({ noShow: true, creditedHours: 0 });
    // too late
    t.clock.set(new Date(day(10, 6)));
    expect((await api(V2, 'POST', `/activities/${a.id}/checkout`, { code, ...here })).statusCode).toBe(409);
    const qr = await api(ADMIN, 'GET', `/activities/${a.id}/qr`);
    expect(qr.statusCode).toBe(200);
    expect(qr.headers['content-type']).toBe('image/png');
    expect(qr.rawPayload.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  });

  it('the sweep starts, ends (recording no-shows) and archives activities by the clock', async () => {
    t.clock.set(new Date(day(12, -48)));
    const a = await published({ startAt: iso(day(12)), endAt: iso(day(12, 2)) });
    await api(V1, 'POST', `/activities/${a.id}/signups`, {});
    await sweepActivities(t.deps.database.db, new Date(day(12, 0.1)));
    expect((await api(ADMIN, 'GET', `/activities/${a.id}`)).json().state).toBe('in_progress');
    t.clock.set(new Date(day(12, 0.1)));
    const late = await api(V2, 'POST', `/activities/${a.id}/signups`, {});
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toContain('不在招募中');
    await sweepActivities(t.deps.database.db, new Date(day(12, 3)));
    expect((await api(ADMIN, 'GET', `/activities/${a.id}`)).json().state).toBe('in_progress');
    await sweepActivities(t.deps.database.db, new Date(day(12, 4.1)));
    expect((await api(ADMIN, 'GET', `/activities/${a.id}`)).json().state).toBe('ended');
    expect(
      await count('select count(*)::int as n from activity_signups where activity_id = $1 and no_show', [a.id]),
    ).toBe(1);
    await sweepActivities(t.deps.database.db, new Date(day(12, 4.1) + 31 * 24 * H));
    expect((await api(ADMIN, 'GET', `/activities/${a.id}`)).json().state).toBe('archived');
  });
});

describe('hours settlement', () => {
  const vols: { id: string; name: string }[] = [];
  beforeAll(async () => {
    const actor = { userId: null, name: '测试', countyCode: '411523' };
    for (let i = 0; i < 3; i++) {
      const id = `41010119850${i + 1}0${i + 1}2${i}${i}`.slice(0, 17);
      const v = await registerVolunteer(
        t.deps.database.db,
        t.deps.crypto,
        actor,
        systemScope,
        t.clock.now(),
        { name: `时长测${'甲乙丙'[i]}`, idNumber: id + checkChar(id), regionCode: village },
        { source: 'staff', verified: true },
      );
      vols.push({ id: v.id, name: v.name });
    }
  });
  const sheet = (activityId: string, volunteerId: string, from: number, to: number) =>
    api(ADMIN, 'POST', `/activities/${activityId}/attendance`, {
      volunteerId,
      checkInAt: iso(from),
      checkOutAt: iso(to),
    });
  const ledger = (volunteerId: string) =>
    t.deps.database.query(
      'select kind, hours, service_date::text as service_date from hours_entries where volunteer_id = $1 order by seq',
      [volunteerId],
    );

  it('credits nothing below 60 % of the planned time, and refuses attendance outside the activity', async () => {
    t.clock.set(new Date(day(14, -48)));
    const a = await published({ startAt: iso(day(14)), endAt: iso(day(14, 3)) });
    t.clock.set(new Date(day(14, 5)));
    const [v] = vols;
    const outside = await sheet(a.id, v.id, day(13), day(13, 2));
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.details.map((d: Json) => d.path)).toEqual(['checkInAt', 'checkOutAt']);
    expect(outside.json().error.message).toContain('活动时间');
    const reversed = await sheet(a.id, v.id, day(14, 2), day(14, 1));
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.details[0].path).toBe('checkOutAt');
    expect(reversed.json().error.message).toBe('签退时间必须晚于签到时间');
    const unknown = await api(ADMIN, 'POST', `/activities/${a.id}/attendance`, {
      volunteerId: crypto.randomUUID(),
      checkInAt: iso(day(14)),
      checkOutAt: iso(day(14, 1)),
    });
    expect(unknown.json().error.details[0].path).toBe('volunteerId');
    expect(await count('select count(*)::int as n from activity_signups where activity_id = $1', [a.id])).toBe(0);
    // 1.5 h of a 3 h activity = 50 % < 60 %
    const short = await sheet(a.id, v.id, day(14, -0.5), day(14, 1.5));
    expect(short.statusCode, short.body).toBe(201);
    expect(short.json().hours).toEqual({ credited: 0, pending: 0, reason: '实际时长不足计划时长的 60%，不计时长' });
    expect((await ledger(v.id)).rows).toHaveLength(0);
    // settled once: the row cannot be entered again
    const again = await sheet(a.id, v.id, day(14), day(14, 3));
    expect(again.statusCode).toBe(409);
    const row = (await api(ADMIN, 'GET', `/activities/${a.id}/signups`)).json().items[0];
    expect(row).toMatchObject({ volunteerId: v.id, source: 'sheet', status: 'confirmed', creditedHours: 0 });
  });

  it('credits up to 8 h a day at once; the rest is a pending excess request; a second activity the same day counts', async () => {
    t.clock.set(new Date(day(15, -48)));
    const long = await published({ title: '全天敬老服务', startAt: iso(day(15, -1)), endAt: iso(day(15, 9)) });
    const morning = await published({ title: '上午宣讲', startAt: iso(day(16)), endAt: iso(day(16, 5)) });
    const afternoon = await published({ title: '下午文艺', startAt: iso(day(16, 6)), endAt: iso(day(16, 10)) });
    t.clock.set(new Date(day(16, 12)));
    const [, v2, v3] = vols;
    const full = await sheet(long.id, v2.id, day(15, -1), day(15, 9));
    expect(full.statusCode, full.body).toBe(201);
    expect(full.json().hours).toMatchObject({ credited: 8, pending: 2 });
    expect(full.json().hours.reason).toContain('8 小时');
    const req = (
      await t.deps.database.query(
        'select kind, status, hours, reason, activity_id from hours_requests where volunteer_id = $1',
        [v2.id],
      )
    ).rows;
    expect(req).toEqual([
      expect.objectContaining({ kind: 'excess', status: 'pending', hours: 2, activity_id: long.id }),
    ]);
    expect((await ledger(v2.id)).rows).toEqual([
      expect.objectContaining({ kind: 'attendance', hours: 8, service_date: '2026-07-15' }),
    ]);
    const sign = (await api(ADMIN, 'GET', `/activities/${long.id}/signups`)).json().items[0];
    expect(sign).toMatchObject({ creditedHours: 8, pendingHours: 2 });

    expect((await sheet(morning.id, v3.id, day(16), day(16, 5))).json().hours).toEqual({
      credited: 5,
      pending: 0,
      reason: null,
    });
    const second = (await sheet(afternoon.id, v3.id, day(16, 6), day(16, 10))).json().hours;
    expect(second).toMatchObject({ credited: 3, pending: 1 });
    expect(second.reason).toContain('当日已认定 5 小时');
    expect((await ledger(v3.id)).rows.map((r) => r.hours)).toEqual([5, 3]);
  });

  it('the ledger is append-only: UPDATE and DELETE on hours_entries fail in the database', async () => {
    const [, v2] = vols;
    await expect(
      t.deps.database.query('update hours_entries set hours = 100 where volunteer_id = $1', [v2.id]),
    ).rejects.toThrow(/append-only/);
    await expect(t.deps.database.query('delete from hours_entries where volunteer_id = $1', [v2.id])).rejects.toThrow(
      /append-only/,
    );
    expect((await ledger(v2.id)).rows.map((r) => r.hours)).toEqual([8]);
  });
});

describe('concurrency', () => {
  it(
    '200 sign-ups at once for 50 seats: 50 confirmed, 150 waitlisted in arrival order; k cancellations promote k',
    { timeout: 300_000 },
    async () => {
      t.clock.set(new Date('2026-06-01T02:00:00Z'));
      const a = await published({
        title: '200 人抢 50 个名额',
        quota: 50,
        startAt: iso(day(25)),
        endAt: iso(day(25, 2)),
      });
      const db = t.deps.database.db;
      const hash = await hashPassword('Volunteer@1');
      const actor = { userId: null, name: '测试', countyCode: '411523' };
      const people: { token: string; volunteerId: string }[] = [];
      for (let i = 0; i < 200; i++) {
        const phone = `1360000${String(i).padStart(4, '0')}`;
        const name = `报名${'一二三四五六七八九十'[i % 10]}${'甲乙丙丁戊己庚辛壬癸'[Math.floor(i / 10) % 10]}${'东南西北'[Math.floor(i / 100)]}`;
        const u = await ensureUser(
          db,
          t.deps.crypto,
          actor,
          { countyCode: '411523', name, phone, password: '', regionCode: village, roles: [] },
          hash,
        );
        const [month, day, seq] = [
          1 + (i % 9),
          String(10 + (i % 18)).padStart(2, '0'),
          String(100 + i).padStart(3, '0'),
        ];
        const id = `41010119910${month}${day}${seq}`;
        const v = await registerVolunteer(
          db,
          t.deps.crypto,
          actor,
          systemScope,
          t.clock.now(),
          { name, idNumber: id + checkChar(id), regionCode: village },
          { source: 'staff', userId: u.id, verified: true },
        );
        // a session straight in the table: 200 password checks are not what this tests
        const token = crypto.randomBytes(24).toString('base64url');
        await t.deps.database.query(
          'insert into sessions (token_hash, user_id, csrf_token, last_seen_at, created_at) ' +
            'values ($1, $2, $3, $4, $4)',
          [sha256Hex(token), u.id, 'x', t.clock.now()],
        );
        people.push({ token, volunteerId: v.id });
      }
      const signup = (p: { token: string }) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/activities/${a.id}/signups`,
          headers: { authorization: `Bearer ${p.token}` },
          payload: {},
        });
      const results = await Promise.all(people.map(signup));
      expect(results.filter((r) => r.statusCode !== 201).map((r) => r.body)).toEqual([]);
      const bodies = results.map((r) => r.json() as { id: string; status: string; position?: number });
      expect(bodies.filter((b) => b.status === 'confirmed')).toHaveLength(50);
      expect(bodies.filter((b) => b.status === 'waitlisted')).toHaveLength(150);
      expect(
        bodies
          .filter((b) => b.status === 'waitlisted')
          .map((b) => b.position)
          .sort((x, y) => x! - y!),
      ).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));

      const rows = (
        await t.deps.database.query(
          'select id, status, seq from activity_signups where activity_id = $1 order by seq',
          [a.id],
        )
      ).rows as { id: string; status: string; seq: number }[];
      expect(rows).toHaveLength(200);
      // arrival order: every confirmed sign-up arrived (got its seq) before every waitlisted one
      expect(rows.slice(0, 50).every((r) => r.status === 'confirmed')).toBe(true);
      expect(rows.slice(50).every((r) => r.status === 'waitlisted')).toBe(true);
      // the position answered to each request is its rank by seq among the waitlisted
      const rankBySeq = new Map(rows.slice(50).map((r, i) => [r.id, i + 1]));
      for (const b of bodies.filter((x) => x.status === 'waitlisted')) expect(b.position).toBe(rankBySeq.get(b.id));
      // each sign-up's audit event, appended in its seat statement, names its outcome and the chain verifies
      const events = (
        await t.deps.database.query(
          `select chain, seq, entity_id, detail from audit_events
            where action = 'activity.signup' and detail->>'activityId' = $1`,
          [a.id],
        )
      ).rows as { chain: string; seq: number; entity_id: string; detail: { status: string } }[];
      expect(events).toHaveLength(200);
      const statusById = new Map(rows.map((r) => [r.id, r.status]));
      for (const e of events) expect(e.detail.status).toBe(statusById.get(e.entity_id));
      expect(await verifyAudit(db)).toMatchObject({ ok: true, problems: [] });
      const tampered = events.find((e) => e.detail.status === 'waitlisted')!;
      await t.deps.database.query(
        `update audit_events set detail = jsonb_set(detail, '{status}', '"confirmed"') where chain = $1 and seq = $2`,
        [tampered.chain, tampered.seq],
      );
      const altered = await verifyAudit(db);
      expect(
        altered.problems.some(
          (p) => p.chain === tampered.chain && p.seq === Number(tampered.seq) && p.problem.includes('篡改'),
        ),
      ).toBe(true);
      await t.deps.database.query(`update audit_events set detail = $3::jsonb where chain = $1 and seq = $2`, [
        tampered.chain,
        tampered.seq,
        JSON.stringify(tampered.detail),
      ]);
      expect((await verifyAudit(db)).ok).toBe(true);
      const view = (await api(ADMIN, 'GET', `/activities/${a.id}`)).json();
      expect(view).toMatchObject({ state: 'full', confirmedCount: 50, waitlistCount: 150 });
      const listed = (await api(ADMIN, 'GET', `/activities/${a.id}/signups?status=waitlisted&pageSize=200`)).json();
      expect(listed.items.map((s: Json) => s.position)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));

      // k confirmed people cancel at once: exactly the first k waitlisted are promoted
      const k = 7;
      const bySignup = new Map(bodies.map((b, i) => [b.id, people[i]]));
      const cancellers = rows.slice(3, 3 + k).map((r) => bySignup.get(r.id)!);
      const cancels = await Promise.all(
        cancellers.map((p) =>
          t.app.inject({
            method: 'DELETE',
            url: `/api/v1/activities/${a.id}/signups/me`,
            headers: { authorization: `Bearer ${p.token}` },
          }),
        ),
      );
      expect(cancels.map((r) => r.statusCode)).toEqual(Array(k).fill(204));
      const after = (
        await t.deps.database.query('select id, status from activity_signups where activity_id = $1 order by seq', [
          a.id,
        ])
      ).rows as { id: string; status: string }[];
      const firstK = rows.slice(50, 50 + k).map((r) => r.id);
      expect(after.filter((r) => firstK.includes(r.id)).every((r) => r.status === 'confirmed')).toBe(true);
      expect(after.filter((r) => r.status === 'confirmed')).toHaveLength(50);
      expect(after.filter((r) => r.status === 'waitlisted').map((r) => r.id)).toEqual(
        rows.slice(50 + k).map((r) => r.id),
      );
      expect((await api(ADMIN, 'GET', `/activities/${a.id}`)).json()).toMatchObject({
        state: 'full',
        confirmedCount: 50,
        waitlistCount: 150 - k,
      });
      const promotedNotices = await count(
        `select count(*)::int as n from notifications where kind = 'activity.promoted' and entity_id = $1`,
        [a.id],
      );
      expect(promotedNotices).toBe(k);
    },
  );
  it('an audit append folded into a statement: nothing without a source row, the head of a new chain made by its first event, the picked value hashed', async () => {
    const db = t.deps.database.db;
    const actor = { userId: null, name: '测试', countyCode: '411523' };
    const input = {
      action: 'test.fold',
      entity: 'test',
      entityId: 'x',
      detail: { n: 1 },
      chain: `test/${crypto.randomUUID()}`,
    };
    const run = async (status: string | null) => {
      const append = auditAppendSql(actor, input, sql`src`, {
        key: 'status',
        by: sql`status`,
        values: ['confirmed', 'waitlisted'],
      });
      const { rows } = await db.execute(
        sql`with src as (select ${status}::text as status where ${status}::text is not null), ${append.ctes}
          select (select count(*)::int from src) as n, ${append.seq} as seq`,
      );
      return rows[0] as { n: number; seq: number | null };
    };
    expect(await run(null)).toMatchObject({ n: 0, seq: null });
    expect(
      (await t.deps.database.query('select count(*)::int as n from audit_heads where chain = $1', [input.chain]))
        .rows[0].n,
    ).toBe(0);
    expect(Number((await run('waitlisted')).seq)).toBe(1); // the chain's first event creates its head
    expect(Number((await run('confirmed')).seq)).toBe(2);
    const stored = (
      await t.deps.database.query('select seq, detail from audit_events where chain = $1 order by seq', [input.chain])
    ).rows;
    expect(stored.map((r: Json) => [Number(r.seq), r.detail])).toEqual([
      [1, { n: 1, status: 'waitlisted' }],
      [2, { n: 1, status: 'confirmed' }],
    ]);
    await expect(run('bogus')).rejects.toThrow();
    // writeAudit goes on after folded appends, and they after it
    await db.transaction((tx) => writeAudit(tx, actor, input));
    expect(Number((await run('confirmed')).seq)).toBe(4);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('the activity machine', () => {
  const act = (phone: string, id: string, action: string) =>
    api(phone, 'POST', `/activities/${id}/${action}`, action === 'cancel' ? { reason: '天气原因' } : undefined);
  const actions = async (phone: string, id: string) => (await api(phone, 'GET', `/activities/${id}`)).json().actions;

  it('the detail lists what the manager can do now; each listed action works, the others are refused', async () => {
    t.clock.set(new Date('2026-06-01T02:00:00Z'));
    const times = { startAt: iso(day(25)), endAt: iso(day(25, 3)) };
    const draft = await create(times);
    expect(await actions(ADMIN, draft.id)).toEqual(['edit', 'publish', 'cancel']);
    expect((await act(ADMIN, draft.id, 'archive')).statusCode).toBe(409);
    expect((await act(ADMIN, draft.id, 'end')).statusCode).toBe(409);
    expect((await act(PHONES.shawoAdmin, draft.id, 'publish')).statusCode).toBe(404);
    expect((await act(ADMIN, (await create(times)).id, 'cancel')).statusCode).toBe(200);

    const pub = await act(ADMIN, draft.id, 'publish');
    expect(pub.statusCode, pub.body).toBe(200);
    // before the start: no end (the guard says why), no second publish
    expect(await actions(ADMIN, draft.id)).toEqual(['edit', 'attendance', 'cancel']);
    expect(await actions(V1, draft.id)).toEqual([]);
    const early = await act(ADMIN, draft.id, 'end');
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toContain('活动尚未开始');
    expect((await act(ADMIN, draft.id, 'publish')).statusCode).toBe(409);

    // started (the sweep has not moved it to in_progress yet): still editable, now it may end
    t.clock.set(new Date(day(25, 1)));
    expect(await actions(ADMIN, draft.id)).toEqual(['edit', 'attendance', 'cancel', 'end']);
    const ended = await act(ADMIN, draft.id, 'end');
    expect(ended.statusCode, ended.body).toBe(200);
    expect(await actions(ADMIN, draft.id)).toEqual(['attendance', 'archive']);
    expect((await act(ADMIN, draft.id, 'cancel')).statusCode).toBe(409);
    expect((await act(ADMIN, draft.id, 'archive')).statusCode).toBe(200);
    expect(await actions(ADMIN, draft.id)).toEqual([]);
    const timeline = await count(
      `select count(*) as n from workflow_events where entity = 'activity' and entity_id = $1`,
      [draft.id],
    );
    expect(timeline).toBe(3); // published, ended, archived
  });

  it('two managers ending at once: one wins, the other gets 409', async () => {
    t.clock.set(new Date('2026-06-01T02:00:00Z'));
    const a = await published({ startAt: iso(day(26)), endAt: iso(day(26, 3)) });
    t.clock.set(new Date(day(26, 1)));
    const results = await Promise.all([act(ADMIN, a.id, 'end'), act(PHONES.countyAdmin, a.id, 'end')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
  });
});

describe('the sign-up machine', () => {
  it('a volunteer withdraws while the activity recruits (a timeline entry); not once it has ended', async () => {
    t.clock.set(new Date('2026-06-01T02:00:00Z'));
    const a = await published({ startAt: iso(day(27)), endAt: iso(day(27, 3)) });
    const b = await published({ startAt: iso(day(27)), endAt: iso(day(27, 3)) });
    for (const x of [a, b]) expect((await api(V1, 'POST', `/activities/${x.id}/signups`, {})).statusCode).toBe(201);
    expect((await api(V1, 'DELETE', `/activities/${a.id}/signups/me`)).statusCode).toBe(204);
    const events = await count(
      `select count(*) as n from workflow_events e join activity_signups s on s.id = e.entity_id
       where e.entity = 'activity_signup' and e.action = 'cancel' and s.activity_id = $1`,
      [a.id],
    );
    expect(events).toBe(1);
    const mine = async () => (await api(V1, 'GET', `/activities/${b.id}`)).json().mySignup.actions;
    expect(await mine()).toEqual(['cancel']);
    t.clock.set(new Date(day(27, 1)));
    expect((await api(ADMIN, 'POST', `/activities/${b.id}/end`)).statusCode).toBe(200);
    expect(await mine()).toEqual([]);
    const late = await api(V1, 'DELETE', `/activities/${b.id}/signups/me`);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toBe('活动已结束，不能取消报名');
  });
});

describe('actions on the list and for the volunteer', () => {
  it('staff list rows carry the actions the detail computes, and follow a transition', async () => {
    t.clock.set(new Date('2026-06-01T02:00:00Z'));
    const title = `列表按钮 ${crypto.randomUUID().slice(0, 8)}`;
    const a = await create({ title, startAt: iso(day(28)), endAt: iso(day(28, 3)) });
    const row = async (phone: string) => {
      const res = await api(phone, 'GET', `/activities?q=${encodeURIComponent(title)}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().items).toHaveLength(1);
      return res.json().items[0] as Json;
    };
    const detail = async () => (await api(ADMIN, 'GET', `/activities/${a.id}`)).json().actions;
    expect((await row(ADMIN)).actions).toEqual(['edit', 'publish', 'cancel']);
    expect((await row(ADMIN)).actions).toEqual(await detail());
    expect((await api(ADMIN, 'POST', `/activities/${a.id}/publish`)).statusCode).toBe(200);
    expect((await row(ADMIN)).actions).toEqual(['edit', 'attendance', 'cancel']);
    expect((await row(ADMIN)).actions).toEqual(await detail());
    // the county center manages the town's activities too: the same buttons
    expect((await row(PHONES.countyAdmin)).actions).toEqual(['edit', 'attendance', 'cancel']);
  });

  it('the volunteer is offered sign-up, then cancel, check-in and check-out, by the sign-up machine', async () => {
    t.clock.set(new Date('2026-06-01T02:00:00Z'));
    const a = await published({ startAt: iso(day(29)), endAt: iso(day(29, 3)) });
    const code = (await api(ADMIN, 'GET', `/activities/${a.id}`)).json().code as string;
    const mine = async (phone: string = V1) => (await api(phone, 'GET', `/activities/${a.id}`)).json().volunteerActions;
    expect(await mine()).toEqual(['signUp']);
    // staff without a volunteer record: nothing to do as a volunteer
    expect(await mine(ADMIN)).toEqual([]);
    expect((await api(V1, 'POST', `/activities/${a.id}/signups`, {})).statusCode).toBe(201);
    expect(await mine()).toEqual(['cancel']);
    // within the attendance window (from 1 h before the start)
    t.clock.set(new Date(day(29, -0.5)));
    expect(await mine()).toEqual(['cancel', 'checkIn']);
    expect((await api(V1, 'POST', `/activities/${a.id}/checkin`, { code })).statusCode).toBe(200);
    expect(await mine()).toEqual(['checkOut']);
    // a second check-in is refused as before
    expect((await api(V1, 'POST', `/activities/${a.id}/checkin`, { code })).statusCode).toBe(409);
    t.clock.set(new Date(day(29, 3)));
    expect((await api(V1, 'POST', `/activities/${a.id}/checkout`, { code })).statusCode).toBe(200);
    expect(await mine()).toEqual([]);
    // once it has started, sign-up is closed for the others, and the command says so
    expect(await mine(V2)).toEqual([]);
    const late = await api(V2, 'POST', `/activities/${a.id}/signups`, {});
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toContain('不能报名');
  });

  it('signing up for an activity the caller cannot see answers 404 (the scope in the sign-up read)', async () => {
    t.clock.set(new Date('2026-06-01T02:00:00Z'));
    const draft = await create({ startAt: iso(day(29)), endAt: iso(day(29, 3)) });
    const res = await api(V1, 'POST', `/activities/${draft.id}/signups`, {});
    expect(res.statusCode).toBe(404);
    expect(await count(`select count(*) as n from activity_signups where activity_id = $1`, [draft.id])).toBe(0);
  });
});
