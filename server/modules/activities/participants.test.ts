import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES, TEST_NOW } from '../../test/constants.js';
import { hashPassword, sha256Hex } from '../../platform/crypto.js';
import { ensureUser } from '../accounts/service.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const XINJI = '411523100';
const ADMIN = PHONES.xinjiAdmin;
const RESIDENT = PHONES.resident;
const RESIDENT2 = PHONES.shawoResident;
const V1 = PHONES.volunteer;
const H = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** 08:00 Beijing time on 2026-08-<d>, plus h hours (each test uses its own day). */
const day = (d: number, h = 0) => Date.parse(`2026-08-${String(d).padStart(2, '0')}T00:00:00Z`) + h * H;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });

const base = (over: Json = {}) => ({
  title: '新集镇理论宣讲进村',
  type: 'lecture',
  regionCode: XINJI,
  address: '新集镇文化广场',
  startAt: iso(day(10)),
  endAt: iso(day(10, 2)),
  quota: 5,
  participantQuota: 2,
  ...over,
});
async function published(over: Json = {}) {
  const res = await api(ADMIN, 'POST', '/activities', base(over));
  expect(res.statusCode, res.body).toBe(201);
  const pub = await api(ADMIN, 'POST', `/activities/${res.json().id}/publish`);
  expect(pub.statusCode, pub.body).toBe(200);
  return pub.json() as Json;
}
const join = (phone: string, id: string) => api(phone, 'POST', `/activities/${id}/participants`, {});
const detail = async (phone: string, id: string) => (await api(phone, 'GET', `/activities/${id}`)).json() as Json;
const participantsFigure = async (date: string) => {
  const o = (await api(ADMIN, 'GET', `/stats/overview?regionCode=${XINJI}&from=${date}&to=${date}`)).json();
  return o.figures.find((f: Json) => f.key === 'activities.participants').value as number;
};

describe('residents take part (报名参加)', () => {
  it('participantQuota on create, update and detail; refused values name the field', async () => {
    const bad = await api(ADMIN, 'POST', '/activities', base({ participantQuota: -1 }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ path: 'participantQuota' });
    expect(bad.json().error.message).toContain('群众报名名额');
    const a = await published({ participantQuota: 3 });
    expect(a).toMatchObject({
      participantQuota: 3,
      participantConfirmedCount: 0,
      participantWaitlistCount: 0,
      participantAttendedCount: 0,
      myParticipation: null,
    });
    expect((await join(RESIDENT, a.id)).statusCode).toBe(201);
    const lower = await api(ADMIN, 'PUT', `/activities/${a.id}`, base({ participantQuota: 0 }));
    expect(lower.statusCode).toBe(400);
    expect(lower.json().error.details[0]).toMatchObject({ path: 'participantQuota' });
    expect(lower.json().error.message).toContain('不能少于已确认报名参加的 1 人');
    const raised = await api(ADMIN, 'PUT', `/activities/${a.id}`, base({ participantQuota: 6 }));
    expect(raised.statusCode, raised.body).toBe(200);
    expect(raised.json()).toMatchObject({ participantQuota: 6, participantConfirmedCount: 1 });
  });

  it('joins once (409 the second time), waitlists beyond the quota, promotes in order on cancel; volunteer seats untouched', async () => {
    const a = await published({ participantQuota: 1, startAt: iso(day(11)), endAt: iso(day(11, 2)) });
    // a resident who is no volunteer is offered 报名参加
    expect((await detail(RESIDENT, a.id)).residentActions).toEqual(['join']);
    const first = await join(RESIDENT, a.id);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ status: 'confirmed' });
    const dup = await join(RESIDENT, a.id);
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.message).toBe('您已报名参加该活动，请勿重复报名');
    const second = await join(RESIDENT2, a.id);
    expect(second.json()).toMatchObject({ status: 'waitlisted', position: 1 });
    const third = await join(V1, a.id);
    expect(third.json()).toMatchObject({ status: 'waitlisted', position: 2 });
    expect(await detail(RESIDENT2, a.id)).toMatchObject({
      myParticipation: { status: 'waitlisted', position: 1, actions: ['cancel'] },
      residentActions: ['cancel'],
      participantConfirmedCount: 1,
      participantWaitlistCount: 2,
      confirmedCount: 0,
      state: 'published',
    });
    expect((await api(RESIDENT, 'DELETE', `/activities/${a.id}/participants/me`)).statusCode).toBe(204);
    expect((await api(RESIDENT, 'DELETE', `/activities/${a.id}/participants/me`)).statusCode).toBe(404);
    // the first waitlisted takes the place, the second moves up
    expect((await detail(RESIDENT2, a.id)).myParticipation).toMatchObject({ status: 'confirmed', position: null });
    expect((await detail(V1, a.id)).myParticipation).toMatchObject({ status: 'waitlisted', position: 1 });
    const notes = (await api(RESIDENT2, 'GET', '/notifications?pageSize=200')).json().items as Json[];
    expect(notes.some((n) => n.kind === 'activity.promoted' && n.entityId === a.id)).toBe(true);
    // 我的活动
    const mine = (await api(RESIDENT2, 'GET', '/me/participations?when=upcoming&pageSize=200')).json();
    expect(mine.items.find((p: Json) => p.activity.id === a.id)).toMatchObject({ status: 'confirmed' });
    // joining again after cancelling is allowed
    expect((await join(RESIDENT, a.id)).json()).toMatchObject({ status: 'waitlisted', position: 2 });
  });

  it('only a published activity open to residents, not over, accepts; clear Chinese errors', async () => {
    const closed = await published({ participantQuota: null, startAt: iso(day(12)), endAt: iso(day(12, 2)) });
    const r1 = await join(RESIDENT, closed.id);
    expect(r1.statusCode).toBe(409);
    expect(r1.json().error.message).toBe('该活动未开放群众报名参加');
    expect((await detail(RESIDENT, closed.id)).residentActions).toEqual([]);
    const draft = await api(ADMIN, 'POST', '/activities', base({ startAt: iso(day(12)), endAt: iso(day(12, 2)) }));
    expect((await join(RESIDENT, draft.json().id)).statusCode).toBe(404);
    const a = await published({ startAt: iso(day(12)), endAt: iso(day(12, 2)) });
    t.clock.set(new Date(day(12, 3)));
    try {
      const late = await join(RESIDENT, a.id);
      expect(late.statusCode).toBe(409);
      expect(late.json().error.message).toBe('活动已结束，不能报名参加');
    } finally {
      t.clock.set(new Date(TEST_NOW));
    }
    const unknown = await join(RESIDENT, crypto.randomUUID());
    expect(unknown.statusCode).toBe(404);
    expect((await t.as(null)({ method: 'POST', url: `/api/v1/activities/${a.id}/participants` })).statusCode).toBe(401);
  });

  it('attendance: the resident checks in by code, staff mark the roster; masked names and counts; it counts in activities.participants', async () => {
    const a = await published({ participantQuota: 2, startAt: iso(day(14)), endAt: iso(day(14, 2)) });
    expect((await join(RESIDENT, a.id)).statusCode).toBe(201);
    expect((await join(RESIDENT2, a.id)).statusCode).toBe(201);
    expect((await join(V1, a.id)).json().status).toBe('waitlisted');
    const code = (await detail(ADMIN, a.id)).code as string;
    const before = await participantsFigure('2026-08-14');
    t.clock.set(new Date(day(14, 0.5)));
    try {
      const wrong = await api(RESIDENT, 'POST', `/activities/${a.id}/participants/me/checkin`, { code: '000000' });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error.details[0]).toMatchObject({ path: 'code' });
      const ok = await api(RESIDENT, 'POST', `/activities/${a.id}/participants/me/checkin`, { code, method: 'qr' });
      expect(ok.statusCode, ok.body).toBe(200);
      const again = await api(RESIDENT, 'POST', `/activities/${a.id}/participants/me/checkin`, { code });
      expect(again.statusCode).toBe(409);
      const waiting = await api(V1, 'POST', `/activities/${a.id}/participants/me/checkin`, { code });
      expect(waiting.statusCode).toBe(409);
      expect(waiting.json().error.message).toContain('候补');
      expect((await api(RESIDENT, 'DELETE', `/activities/${a.id}/participants/me`)).json().error.message).toBe(
        '您已签到，不能取消报名',
      );

      const list = (await api(ADMIN, 'GET', `/activities/${a.id}/participants`)).json();
      expect(list.counts).toEqual({ quota: 2, confirmed: 2, waitlisted: 1, attended: 1 });
      expect(list.items.map((p: Json) => p.status)).toEqual(['confirmed', 'confirmed', 'waitlisted']);
      for (const p of list.items) {
        expect(p.name).toMatch(/\*/);
        expect(p.phoneMasked).toMatch(/\*\*\*\*/);
      }
      const other = list.items.find((p: Json) => !p.checkInAt && p.status === 'confirmed');
      const mark = await api(ADMIN, 'POST', `/activities/${a.id}/participants/${other.id}/attendance`, {
        attended: true,
      });
      expect(mark.statusCode, mark.body).toBe(200);
      expect(mark.json().checkInAt).not.toBeNull();
      const waitlisted = list.items.find((p: Json) => p.status === 'waitlisted');
      const refused = await api(ADMIN, 'POST', `/activities/${a.id}/participants/${waitlisted.id}/attendance`, {
        attended: true,
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.message).toContain('候补');
      // a resident is no staff: the roster is not theirs
      expect((await api(RESIDENT, 'GET', `/activities/${a.id}/participants`)).statusCode).toBe(403);
      expect(
        (await api(RESIDENT, 'POST', `/activities/${a.id}/participants/${other.id}/attendance`, { attended: true }))
          .statusCode,
      ).toBe(403);
      // 沙窝镇 staff do not see a 新集镇 activity's roster
      expect((await api(PHONES.shawoAdmin, 'GET', `/activities/${a.id}/participants`)).statusCode).toBe(404);

      t.clock.set(new Date(day(14, 2.5)));
      const ended = await api(ADMIN, 'POST', `/activities/${a.id}/end`);
      expect(ended.statusCode, ended.body).toBe(200);
      expect(ended.json()).toMatchObject({ participantAttendedCount: 2, state: 'ended' });
      // two residents attended: the figure of the day grows by two
      expect(await participantsFigure('2026-08-14')).toBe(before + 2);
      // undoing a mark after the end moves the figure back
      const unmark = await api(ADMIN, 'POST', `/activities/${a.id}/participants/${other.id}/attendance`, {
        attended: false,
      });
      expect(unmark.statusCode, unmark.body).toBe(200);
      expect(await participantsFigure('2026-08-14')).toBe(before + 1);
      const rows = (
        await api(
          ADMIN,
          'GET',
          `/stats/rows?key=activities.participants&regionCode=${XINJI}&from=2026-08-14&to=2026-08-14`,
        )
      ).json();
      expect(rows.items.find((r: Json) => r.id === a.id)).toMatchObject({ value: 1 });
    } finally {
      t.clock.set(new Date(TEST_NOW));
    }
  });

  it('我的活动 pages sign-ups and places together by the activity time (GET /me/activities)', async () => {
    const asResident1 = await published({ title: '我的活动·群众一', startAt: iso(day(24)), endAt: iso(day(24, 2)) });
    const asVolunteer = await published({ title: '我的活动·志愿者', startAt: iso(day(25)), endAt: iso(day(25, 2)) });
    const asResident2 = await published({ title: '我的活动·群众二', startAt: iso(day(26)), endAt: iso(day(26, 2)) });
    expect((await join(V1, asResident1.id)).statusCode).toBe(201);
    expect((await api(V1, 'POST', `/activities/${asVolunteer.id}/signups`, {})).statusCode).toBe(201);
    expect((await join(V1, asResident2.id)).statusCode).toBe(201);

    const seen: Json[] = [];
    let total = -1;
    for (let page = 1; page < 50; page++) {
      const res = await api(V1, 'GET', `/me/activities?when=upcoming&pageSize=2&page=${page}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      total = body.total;
      expect(body.items.length).toBeLessThanOrEqual(2);
      if (!body.items.length) break;
      seen.push(...body.items);
    }
    // every row once, in time order across pages, as many as the total says
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((r) => `${r.kind}:${r.id}`)).size).toBe(seen.length);
    const times = seen.map((r) => Date.parse(r.activity.startAt));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const mine = seen.filter((r) => r.activity.title.startsWith('我的活动·'));
    expect(mine.map((r) => [r.activity.title, r.kind, r.status])).toEqual([
      ['我的活动·群众一', 'place', 'confirmed'],
      ['我的活动·志愿者', 'signup', 'confirmed'],
      ['我的活动·群众二', 'place', 'confirmed'],
    ]);
    // the past tab does not hold them; a resident who is not a volunteer sees only places
    const past = (await api(V1, 'GET', '/me/activities?when=past&pageSize=200')).json();
    expect(past.items.some((r: Json) => r.activity.title.startsWith('我的活动·'))).toBe(false);
    expect((await join(RESIDENT, asVolunteer.id)).statusCode).toBe(201);
    const resident = (await api(RESIDENT, 'GET', '/me/activities?when=upcoming&pageSize=200')).json();
    expect(resident.items.find((r: Json) => r.activity.id === asVolunteer.id)).toMatchObject({ kind: 'place' });
    expect(resident.items.every((r: Json) => r.kind === 'place')).toBe(true);
  });
});

describe('concurrency', () => {
  it('40 residents at once for 10 places: exactly 10 confirmed, 30 waitlisted in arrival order; cancellations promote the first', async () => {
    const a = await published({
      title: '40 位群众抢 10 个名额',
      participantQuota: 10,
      startAt: iso(day(20)),
      endAt: iso(day(20, 2)),
    });
    const db = t.deps.database.db;
    const hash = await hashPassword('Resident@1');
    const actor = { userId: null, name: '测试', countyCode: '411523' };
    const village = (await api(ADMIN, 'GET', `/regions?parent=${XINJI}`)).json().items[0].code;
    const people: string[] = [];
    for (let i = 0; i < 40; i++) {
      const u = await ensureUser(
        db,
        t.deps.crypto,
        actor,
        {
          countyCode: '411523',
          name: `群众${'一二三四五六七八九十'[i % 10]}${'甲乙丙丁'[Math.floor(i / 10)]}`,
          phone: `1370000${String(i).padStart(4, '0')}`,
          password: '',
          regionCode: village,
          roles: [],
        },
        hash,
      );
      const token = crypto.randomBytes(24).toString('base64url');
      await t.deps.database.query(
        'insert into sessions (token_hash, user_id, csrf_token, last_seen_at, created_at) values ($1, $2, $3, $4, $4)',
        [sha256Hex(token), u.id, 'x', t.clock.now()],
      );
      people.push(token);
    }
    const send = (token: string, method: 'POST' | 'DELETE', url: string) =>
      t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload: {} });
    const results = await Promise.all(people.map((p) => send(p, 'POST', `/activities/${a.id}/participants`)));
    expect(results.filter((r) => r.statusCode !== 201).map((r) => r.body)).toEqual([]);
    const bodies = results.map((r) => r.json() as { id: string; status: string; position?: number });
    expect(bodies.filter((b) => b.status === 'confirmed')).toHaveLength(10);
    const waitlisted = bodies.filter((b) => b.status === 'waitlisted');
    expect(waitlisted.map((b) => b.position).sort((x, y) => x! - y!)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const rows = (
      await t.deps.database.query('select id, status from activity_participants where activity_id = $1 order by seq', [
        a.id,
      ])
    ).rows as { id: string; status: string }[];
    expect(rows.slice(0, 10).every((r) => r.status === 'confirmed')).toBe(true);
    expect(rows.slice(10).every((r) => r.status === 'waitlisted')).toBe(true);
    const rankBySeq = new Map(rows.slice(10).map((r, i) => [r.id, i + 1]));
    for (const b of waitlisted) expect(b.position).toBe(rankBySeq.get(b.id));

    // three confirmed residents cancel at once: the first three waitlisted (by seq) take their places
    const confirmedTokens = people.filter((_, i) => bodies[i].status === 'confirmed').slice(0, 3);
    const cancels = await Promise.all(
      confirmedTokens.map((p) => send(p, 'DELETE', `/activities/${a.id}/participants/me`)),
    );
    expect(cancels.map((r) => r.statusCode)).toEqual([204, 204, 204]);
    const after = (
      await t.deps.database.query(
        `select id, status from activity_participants where activity_id = $1 and status <> 'cancelled' order by seq`,
        [a.id],
      )
    ).rows as { id: string; status: string }[];
    expect(after.filter((r) => r.status === 'confirmed')).toHaveLength(10);
    const promoted = new Set(rows.slice(10, 13).map((r) => r.id));
    expect(after.filter((r) => promoted.has(r.id)).every((r) => r.status === 'confirmed')).toBe(true);
    expect(after.filter((r) => r.status === 'waitlisted').map((r) => r.id)).toEqual(rows.slice(13).map((r) => r.id));
    const counts = (
      await t.deps.database.query(
        'select participant_confirmed_count c, participant_waitlist_count w from activities where id = $1',
        [a.id],
      )
    ).rows[0];
    expect({ c: Number(counts.c), w: Number(counts.w) }).toEqual({ c: 10, w: 27 });
  });
});
