import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNull, like, sql } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { starApplications, volunteers, workflowEvents } from '../../db/schema/index.js';
import { appendHours } from '../hours/ledger.js';
import { grantDueStars, maskName } from './service.js';
import { hasOfficialCalendar, isWorkingDay, noticePeriod, officialDay } from './workdays.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const V = PHONES.volunteer;
const ADMIN = PHONES.xinjiAdmin;
const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as object } : {}) });
/** 10:00 in China on a date. */
const chinaMorning = (d: string) => new Date(`${d}T02:00:00Z`);

describe('working days', () => {
  it('skip weekends and holidays; the notice starts the next working day', () => {
    expect(noticePeriod('2026-06-04', 5)).toEqual({ start: '2026-06-05', end: '2026-06-11' });
    expect(noticePeriod('2026-06-04', 5, { holidays: ['2026-06-08'] })).toEqual({
      start: '2026-06-05',
      end: '2026-06-12',
    });
    expect(noticePeriod('2026-06-05', 1, { holidays: ['2026-06-08'] })).toEqual({
      start: '2026-06-09',
      end: '2026-06-09',
    });
    expect(maskName('张三丰')).toBe('张*丰');
    expect(maskName('李四')).toBe('李*');
    expect(maskName('欧阳小明')).toBe('欧**明');
  });
});

describe('the official calendar (国务院办公厅 2026 arrangement, from lunar-typescript)', () => {
  it('National Day and Mid-Autumn: 1–7 October off, Sunday 20 September and Saturday 10 October worked', () => {
    for (const d of ['2026-10-01', '2026-10-05', '2026-10-07', '2026-09-25', '2026-09-27'])
      expect(isWorkingDay(d), d).toBe(false);
    expect(isWorkingDay('2026-09-20')).toBe(true); // Sunday, 调休
    expect(isWorkingDay('2026-10-10')).toBe(true); // Saturday, 调休
    expect(isWorkingDay('2026-10-11')).toBe(false); // an ordinary Sunday
    // approved on Wednesday 30 September: 8, 9, 10 (Saturday), 12, 13 October
    expect(noticePeriod('2026-09-30', 5)).toEqual({ start: '2026-10-08', end: '2026-10-13' });
    // approved on Friday 18 September: the notice starts on the Sunday worked
    expect(noticePeriod('2026-09-18', 3)).toEqual({ start: '2026-09-20', end: '2026-09-22' });
  });

  it('Spring Festival: 15–23 February off, Saturdays 14 and 28 February worked', () => {
    expect(isWorkingDay('2026-02-14')).toBe(true);
    expect(isWorkingDay('2026-02-17')).toBe(false); // 春节, a Tuesday
    expect(isWorkingDay('2026-02-23')).toBe(false); // Monday, still off
    expect(isWorkingDay('2026-02-28')).toBe(true);
    expect(noticePeriod('2026-02-13', 5)).toEqual({ start: '2026-02-14', end: '2026-02-27' });
    expect(noticePeriod('2026-02-27', 1)).toEqual({ start: '2026-02-28', end: '2026-02-28' });
    expect(officialDay('2026-02-17')).toEqual({ name: '春节', work: false });
    expect(officialDay('2026-02-28')).toEqual({ name: '春节', work: true });
  });

  it("the county's own days off and working days override the official calendar", () => {
    // an extra day off on Friday 9 October: 8, 10, 12, 13, 14 October
    expect(noticePeriod('2026-09-30', 5, { holidays: ['2026-10-09'] })).toEqual({
      start: '2026-10-08',
      end: '2026-10-14',
    });
    // a county working day inside the holiday, and a day that is both: the day off wins
    expect(noticePeriod('2026-09-30', 1, { workdays: ['2026-10-04'] })).toEqual({
      start: '2026-10-04',
      end: '2026-10-04',
    });
    expect(isWorkingDay('2026-10-10', { holidays: ['2026-10-10'], workdays: ['2026-10-10'] })).toBe(false);
    // a year not published yet counts weekends only, until the county enters its days
    expect(hasOfficialCalendar(2026)).toBe(true);
    expect(hasOfficialCalendar(2099)).toBe(false);
    expect(noticePeriod('2099-09-30', 2)).toEqual({ start: '2099-10-01', end: '2099-10-02' });
    expect(noticePeriod('2099-09-30', 2, { holidays: ['2099-10-01', '2099-10-02'] })).toEqual({
      start: '2099-10-05',
      end: '2099-10-06',
    });
  });
});

describe('star levels', () => {
  it('apply → 409 below the threshold or not above the level; review → notice over working days → granted by the sweep', async () => {
    const mine = (await api(V, 'GET', '/me/stars')).json();
    expect(mine).toMatchObject({
      level: expect.any(Number),
      hours: expect.any(Number),
      thresholds: [100, 300, 600, 1000, 1500],
    });
    const level = mine.level as number;
    expect(level).toBeLessThan(4);
    if (level > 0) {
      const same = await api(V, 'POST', '/stars/applications', { level });
      expect(same.statusCode).toBe(409);
      expect(same.json().error.message).toContain('只能申请更高的星级');
    }
    // the level after next is out of reach: the message gives the hours and the threshold
    const target = level + 1;
    const [v] = await t.deps.database.db.select().from(volunteers).where(eq(volunteers.id, mine.volunteerId));
    const need = mine.thresholds[target - 1] - mine.hours;
    if (need > 0) {
      const short = await api(V, 'POST', '/stars/applications', { level: target });
      expect(short.statusCode).toBe(409);
      expect(short.json().error.message).toContain(`${mine.thresholds[target - 1]} 小时`);
      expect(short.json().error.message).toContain(`${Math.round(mine.hours * 100) / 100} 小时`);
      await appendHours(t.deps.database.db, {
        countyCode: v.countyCode,
        regionPath: v.regionPath,
        volunteerId: v.id,
        kind: 'correction',
        hours: Math.ceil(need),
        serviceDate: '2026-05-20',
        description: '测试补录',
        createdBy: null,
        createdAt: t.clock.now(),
      });
    }
    const far = await api(V, 'POST', '/stars/applications', { level: target + 1 });
    expect(far.statusCode).toBe(409);
    expect(far.json().error.message).toContain(`需累计服务时长 ${mine.thresholds[target]} 小时`);
    expect((await api(V, 'POST', '/stars/applications', { level: 6 })).statusCode).toBe(400);
    expect((await api(null, 'POST', '/stars/applications', { level: target })).statusCode).toBe(401);

    // Thursday 4 June 2026; Monday 8 June a holiday
    t.clock.set(chinaMorning('2026-06-04'));
    const put = await api(PHONES.countyAdmin, 'PUT', '/settings', { holidays: ['2026-06-08'] });
    expect(put.statusCode, put.body).toBe(200);
    const applied = await api(V, 'POST', '/stars/applications', { level: target });
    expect(applied.statusCode, applied.body).toBe(201);
    expect(applied.json()).toMatchObject({ state: 'applied', level: target });
    const id = applied.json().id as string;
    expect((await api(V, 'POST', '/stars/applications', { level: target })).statusCode).toBe(409);

    expect((await api(V, 'GET', '/stars/applications')).statusCode).toBe(403);
    expect((await api(PHONES.shawoAdmin, 'POST', `/stars/applications/${id}/approve`, {})).statusCode).toBe(404);
    expect(
      (await api(ADMIN, 'GET', '/stars/applications?state=applied&pageSize=200'))
        .json()
        .items.map((a: { id: string }) => a.id),
    ).toContain(id);
    const approved = await api(ADMIN, 'POST', `/stars/applications/${id}/approve`, { comment: '时长核实无误' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'notice', noticeStart: '2026-06-05', noticeEnd: '2026-06-12' });
    expect((await api(ADMIN, 'POST', `/stars/applications/${id}/approve`, {})).statusCode).toBe(409);

    const board = await api(null, 'GET', '/public/star-notices?pageSize=200');
    expect(board.statusCode).toBe(200);
    const onBoard = board.json().items.find((x: { id: string }) => x.id === id);
    expect(v.name).toBe('李志愿');
    expect(onBoard).toMatchObject({ name: '李*愿', level: target, noticeEnd: '2026-06-12' });
    expect(JSON.stringify(board.json())).not.toContain(v.name);

    // an objection sends it back to review; approved again the same day
    expect(
      (await api(PHONES.volunteer2, 'POST', `/stars/applications/${id}/object`, {})).json().error.details[0].path,
    ).toBe('objection');
    const objected = await api(PHONES.volunteer2, 'POST', `/stars/applications/${id}/object`, {
      objection: '该志愿者部分时长存疑',
    });
    expect(objected.json()).toMatchObject({ state: 'applied' });
    expect(
      (await api(PHONES.volunteer2, 'POST', `/stars/applications/${id}/object`, { objection: '再次异议' })).statusCode,
    ).toBe(409);
    expect((await api(ADMIN, 'POST', `/stars/applications/${id}/approve`, {})).json()).toMatchObject({
      state: 'notice',
      noticeEnd: '2026-06-12',
    });

    // the last day of the notice: nothing yet; the day after: granted
    // (the seeded applications whose notice has ended are granted by this sweep; this one stays)
    await grantDueStars(t.deps.database.db, chinaMorning('2026-06-12'));
    expect((await api(ADMIN, 'GET', `/stars/applications/${id}`)).json().state).toBe('notice');
    const swept = await grantDueStars(t.deps.database.db, chinaMorning('2026-06-13'));
    expect(swept.granted).toBeGreaterThanOrEqual(1);
    expect((await api(ADMIN, 'GET', `/stars/applications/${id}`)).json()).toMatchObject({ state: 'granted' });
    const after = (await api(V, 'GET', '/me/stars')).json();
    expect(after.level).toBe(target);
    const inbox = (await api(V, 'GET', '/notifications?pageSize=50')).json().items;
    expect(inbox.some((n: { kind: string }) => n.kind === 'star.granted')).toBe(true);
    expect(
      inbox.some((n: { kind: string; body: string }) => n.kind === 'star.notice' && n.body.includes('2026-06-12')),
    ).toBe(true);
    expect((await api(V, 'GET', '/me/hours')).json()).toMatchObject({ starLevel: target, nextLevel: target + 1 });
  });

  it('reject needs a comment and tells the volunteer', async () => {
    const mine = (await api(PHONES.volunteer2, 'GET', '/me/stars')).json();
    const [v] = await t.deps.database.db.select().from(volunteers).where(eq(volunteers.id, mine.volunteerId));
    const target = mine.level + 1;
    const need = mine.thresholds[target - 1] - mine.hours;
    if (need > 0)
      await appendHours(t.deps.database.db, {
        countyCode: v.countyCode,
        regionPath: v.regionPath,
        volunteerId: v.id,
        kind: 'correction',
        hours: Math.ceil(need),
        serviceDate: '2026-05-20',
        description: '测试补录',
        createdBy: null,
        createdAt: t.clock.now(),
      });
    const id = (await api(PHONES.volunteer2, 'POST', '/stars/applications', { level: target })).json().id;
    expect((await api(ADMIN, 'POST', `/stars/applications/${id}/reject`, {})).json().error.details[0].path).toBe(
      'comment',
    );
    expect(
      (await api(ADMIN, 'POST', `/stars/applications/${id}/reject`, { comment: '请先补充服务记录' })).json(),
    ).toMatchObject({ state: 'rejected', comment: '请先补充服务记录' });
    const inbox = (await api(PHONES.volunteer2, 'GET', '/notifications?pageSize=50')).json().items;
    expect(
      inbox.some(
        (n: { kind: string; body: string }) => n.kind === 'star.rejected' && n.body.includes('请先补充服务记录'),
      ),
    ).toBe(true);
    // a rejected application does not block a new one
    expect((await api(PHONES.volunteer2, 'POST', '/stars/applications', { level: target })).statusCode).toBe(201);
  });
});

describe('the star application machine', () => {
  /** A fresh application of another volunteer of 新集镇 (the demo volunteers' town), in the given state. */
  async function fresh(state: 'applied' | 'notice') {
    const db = t.deps.database.db;
    const mine = (await api(V, 'GET', '/me/stars')).json();
    const [me] = await db.select().from(volunteers).where(eq(volunteers.id, mine.volunteerId));
    const town = me.regionPath.split('/').slice(0, 3).join('/') + '/';
    const [v] = await db
      .select({ id: volunteers.id, regionPath: volunteers.regionPath, countyCode: volunteers.countyCode })
      .from(volunteers)
      .where(
        and(
          like(volunteers.regionPath, `${town}%`),
          isNull(volunteers.userId),
          sql`not exists (select 1 from star_applications a where a.volunteer_id = ${volunteers.id})`,
        ),
      )
      .limit(1);
    expect(v).toBeTruthy();
    const [row] = await db
      .insert(starApplications)
      .values({
        countyCode: v.countyCode,
        regionPath: v.regionPath,
        volunteerId: v.id,
        level: 1,
        hoursAtApply: '120.00',
        state,
        noticeStart: state === 'notice' ? '2026-06-05' : null,
        noticeEnd: state === 'notice' ? '2026-06-11' : null,
        createdAt: t.clock.now(),
        updatedAt: t.clock.now(),
      })
      .returning();
    return row.id;
  }
  const body = { approve: {}, reject: { comment: '时长证明不全' }, object: { objection: '时长存疑，请复核' } };
  const act = (phone: string, id: string, action: keyof typeof body) =>
    api(phone, 'POST', `/stars/applications/${id}/${action}`, body[action]);

  it('the detail lists exactly what the reviewer can do; each listed action works on a fresh record, others are refused', async () => {
    const applied = await fresh('applied');
    const detail = await api(ADMIN, 'GET', `/stars/applications/${applied}`);
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json().actions).toEqual(['approve', 'reject']);
    for (const a of ['approve', 'reject'] as const) {
      const r = await act(ADMIN, await fresh('applied'), a);
      expect(r.statusCode, `${a}: ${r.body}`).toBe(200);
    }
    expect((await act(ADMIN, applied, 'object')).statusCode).toBe(409);

    const notice = await fresh('notice');
    expect((await api(ADMIN, 'GET', `/stars/applications/${notice}`)).json().actions).toEqual(['reject', 'object']);
    for (const a of ['reject', 'object'] as const) {
      const r = await act(ADMIN, await fresh('notice'), a);
      expect(r.statusCode, `${a}: ${r.body}`).toBe(200);
    }
    const approveTwice = await act(ADMIN, notice, 'approve');
    expect(approveTwice.statusCode).toBe(409);
    expect(approveTwice.json().error.message).toBe('该申请公示中，不能审核通过');

    // the list rows carry the same actions
    const listed = (await api(ADMIN, 'GET', '/stars/applications?pageSize=200')).json().items;
    expect(listed.find((x: { id: string }) => x.id === notice)?.actions).toEqual(['reject', 'object']);
  });

  it('refuses the wrong party: another town does not see it, the public sees it only once on the board', async () => {
    const applied = await fresh('applied');
    expect((await act(PHONES.shawoAdmin, applied, 'approve')).statusCode).toBe(404);
    expect((await api(PHONES.shawoAdmin, 'GET', `/stars/applications/${applied}`)).statusCode).toBe(404);
    // not on the board yet: a resident cannot find it
    expect((await act(PHONES.resident, applied, 'object')).statusCode).toBe(404);
    // on the board: a resident may object, but not review
    const notice = await fresh('notice');
    expect((await act(PHONES.resident, notice, 'reject')).statusCode).toBe(403);
    expect((await act(PHONES.resident, notice, 'object')).statusCode).toBe(200);
    // a second objection finds it back in review
    expect((await act(PHONES.resident, notice, 'object')).statusCode).toBe(409);

    // the applicant's own list answers its actions: none
    const mine = (await api(PHONES.volunteer2, 'GET', '/me/stars')).json();
    expect(mine.applications.length).toBeGreaterThan(0);
    for (const a of mine.applications) expect(a.actions).toEqual([]);
  });

  it('two reviewers approving at once: one wins, the other gets 409', async () => {
    const id = await fresh('applied');
    const results = await Promise.all([act(ADMIN, id, 'approve'), act(PHONES.countyAdmin, id, 'approve')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const timeline = await t.deps.database.db
      .select()
      .from(workflowEvents)
      .where(and(eq(workflowEvents.entity, 'star_application'), eq(workflowEvents.entityId, id)));
    expect(timeline.map((e) => e.action)).toEqual(['approve']);
  });
});
