import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemScope } from '../../platform/scope.js';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { checkChar } from '../../platform/idcard.js';
import { registerVolunteer } from '../volunteers/service.js';
import { computeFigures } from '../submissions/service.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let t: TestApp;
let village: { code: string; path: string };
let otherVillage: string;
const vols: { id: string; name: string }[] = [];
let outsider: { id: string; name: string };

const XINJI = '411523100';
const SHAWO = '411523101';
const STATION = PHONES.stationAdmin;
const INSTITUTE = PHONES.xinjiAdmin;
const COUNTY = PHONES.countyAdmin;
const H = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** 08:00 Beijing time on 2026-09-<d>, plus h hours (each test records on days of its own). */
const day = (d: number, h = 0) => Date.parse(`2026-09-${String(d).padStart(2, '0')}T00:00:00Z`) + h * H;

const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });
const rows = async (text: string, params: unknown[] = []) => (await t.deps.database.query(text, params)).rows as Json[];
const notificationsOf = async (phone: string, kind: string) =>
  (await api(phone, 'GET', '/notifications?pageSize=200')).json().items.filter((n: Json) => n.kind === kind) as Json[];
const setConfirmation = async (on: boolean) => {
  const res = await api(COUNTY, 'PUT', '/settings', { 'activities.recordNeedsConfirmation': on });
  expect(res.statusCode, res.body).toBe(200);
};

beforeAll(async () => {
  t = await createTestApp();
  const me = (await api(STATION, 'GET', '/me')).json();
  village = (await rows('select code, path from regions where code = $1', [me.regionCode]))[0] as typeof village;
  otherVillage = (await api(COUNTY, 'GET', `/regions?parent=${SHAWO}`)).json().items[0].code;
  const actor = { userId: null, name: '测试', countyCode: '411523' };
  const register = async (i: number, regionCode: string, name: string) => {
    const id = `41010119900${i + 1}0${i + 1}1${i}${i}`.slice(0, 17);
    const v = await registerVolunteer(
      t.deps.database.db,
      t.deps.crypto,
      actor,
      systemScope,
      t.clock.now(),
      { name, idNumber: id + checkChar(id), regionCode },
      { source: 'staff', verified: true },
    );
    return { id: v.id, name: v.name };
  };
  for (const [i, n] of ['补录甲', '补录乙', '补录丙', '补录丁'].entries())
    vols.push(await register(i, village.code, n));
  outsider = await register(5, otherVillage, '沙窝志愿者');
});
afterAll(async () => {
  await t?.close();
});

/** A 10-hour day of service in the station's village (08:00–18:00), held on the given day. */
const record = (d: number, over: Json = {}) => ({
  title: '金秋助老志愿服务',
  type: 'volunteer_service',
  regionCode: village.code,
  startAt: iso(day(d)),
  endAt: iso(day(d, 10)),
  address: '村党群服务中心',
  description: '为村里 30 位老人理发、量血压、打扫院落',
  participants: 12,
  beneficiaries: '村里的独居老人',
  beneficiaryCount: 30,
  ...over,
});
const row = (v: { id: string }, d: number, from: number, to: number) => ({
  volunteerId: v.id,
  checkInAt: iso(day(d, from)),
  checkOutAt: iso(day(d, to)),
});

async function ledgerRows(regionCode: string, month: string) {
  const res = await api(STATION, 'GET', `/ledgers/activities?regionCode=${regionCode}&month=${month}`);
  expect(res.statusCode, res.body).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const out: unknown[][] = [];
  wb.worksheets[0].eachRow((r) => out.push((r.values as unknown[]).slice(1)));
  return out.slice(2);
}

describe('补录: an activity held and entered afterwards', () => {
  it('is ended at once, marked as recorded, its sheet settled by the usual rules, and counted like a held activity', async () => {
    t.clock.set(new Date(day(3, 12)));
    const team = await api(COUNTY, 'POST', '/teams', {
      name: '金秋助老服务队',
      level: 'squad',
      category: 'poverty',
      regionCode: village.code,
    });
    expect(team.statusCode, team.body).toBe(201);
    expect(team.json().lastActiveAt).toBeNull();
    const figuresBefore = await computeFigures(t.deps.database.db, village.path, '2026-09');
    const [v1, v2, v3] = vols;
    const res = await api(
      STATION,
      'POST',
      '/activities/records',
      record(2, {
        teamId: team.json().id,
        attendance: [
          row(v1, 2, -0.5, 10.5), // the whole day: 10 h, 8 credited, 2 for review
          row(v2, 2, 0, 4), // 4 h of 10 = 40 % < 60 %: nothing
          row(v3, 2, 1, 8), // 7 h
        ],
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const a = res.json();
    expect(a).toMatchObject({
      state: 'ended',
      stateName: '已结束',
      regionCode: village.code,
      participantCount: 12,
      beneficiaryCount: 30,
      confirmedCount: 3,
      recordedAfter: { byName: expect.any(String), at: iso(day(3, 12)), confirmedAt: null, returnReason: null },
    });
    const station = (await api(STATION, 'GET', '/me')).json();
    expect(a.recordedAfter.byUserId).toBe(station.id);
    expect(a.recordedAfter.byName).toBe(station.name);
    expect(a.actions).toEqual(expect.arrayContaining(['archive', 'attendance']));
    expect(a.actions).not.toContain('confirm');
    expect(a.timeline.map((e: Json) => e.action)).toEqual(['record']);
    expect(a.settlement).toMatchObject({ needsConfirmation: false, credited: 15, pending: 2 });
    expect(a.settlement.items.map((i: Json) => [i.volunteerName, i.hours.credited, i.hours.pending])).toEqual([
      ['补录甲', 8, 2],
      ['补录乙', 0, 0],
      ['补录丙', 7, 0],
    ]);
    expect(a.settlement.items[1].hours.reason).toBe('实际时长不足计划时长的 60%，不计时长');

    const entries = await rows(
      'select volunteer_id, kind, hours, service_date::text as d from hours_entries ' +
        'where activity_id = $1 order by hours desc',
      [a.id],
    );
    expect(entries).toEqual([
      { volunteer_id: v1.id, kind: 'attendance', hours: 8, d: '2026-09-02' },
      { volunteer_id: v3.id, kind: 'attendance', hours: 7, d: '2026-09-02' },
    ]);
    expect(
      await rows('select volunteer_id, kind, status, hours from hours_requests where activity_id = $1', [a.id]),
    ).toEqual([{ volunteer_id: v1.id, kind: 'excess', status: 'pending', hours: 2 }]);
    const signups = (await api(STATION, 'GET', `/activities/${a.id}/signups`)).json().items;
    expect(signups.map((s: Json) => [s.volunteerName, s.source, s.creditedHours, s.pendingHours])).toEqual([
      ['补录甲', 'sheet', 8, 2],
      ['补录乙', 'sheet', 0, 0],
      ['补录丙', 'sheet', 7, 0],
    ]);

    // counted wherever held activities are counted
    const list = (await api(STATION, 'GET', `/activities?state=ended&regionCode=${village.code}`)).json();
    expect(list.items.find((x: Json) => x.id === a.id)).toMatchObject({ recordedAfter: { byName: station.name } });
    const ledger = await ledgerRows(village.code, '2026-09');
    expect(ledger.find((r) => r[1] === '金秋助老志愿服务')?.slice(-1)).toEqual(['已结束（补录）']);
    const figures = await computeFigures(t.deps.database.db, village.path, '2026-09');
    expect(figures.activities).toBe(figuresBefore.activities + 1);
    expect(figures.activities_volunteer_service).toBe(figuresBefore.activities_volunteer_service + 1);
    expect(figures.participations).toBe(figuresBefore.participations + 3);
    expect(figures.beneficiaries).toBe(figuresBefore.beneficiaries + 30);
    expect(figures.hours).toBe(figuresBefore.hours + 15);
    const teamAfter = (await api(COUNTY, 'GET', `/teams/${team.json().id}`)).json();
    expect(new Date(teamAfter.lastActiveAt).toISOString()).toBe(iso(day(2)));
    // volunteers of the county see it among past activities, like any held one
    expect((await api(PHONES.volunteer, 'GET', `/activities/${a.id}`)).json().state).toBe('ended');

    const audit = (await api(PHONES.auditor, 'GET', `/audit?entity=activity&entityId=${a.id}`)).json();
    expect(audit.items.map((e: Json) => e.action)).toEqual(['activity.record']);
  });

  it('refuses a future end, an end before the start, bad sheet rows and regions out of scope, storing nothing', async () => {
    t.clock.set(new Date(day(6, 12)));
    const before = (await rows('select count(*)::int as n from activities'))[0].n;
    const fail = async (body: Json, status = 400) => {
      const res = await api(STATION, 'POST', '/activities/records', body);
      expect(res.statusCode, res.body).toBe(status);
      return res.json().error as Json;
    };
    const future = await fail(record(6, { startAt: iso(day(6, 11)), endAt: iso(day(6, 13)) }));
    expect(future.details.map((d: Json) => d.path)).toEqual(['endAt']);
    expect(future.message).toContain('不能晚于当前时间');
    const reversed = await fail(record(5, { startAt: iso(day(5, 4)), endAt: iso(day(5, 4)) }));
    expect(reversed.details.map((d: Json) => d.path)).toEqual(['endAt']);
    const [v1, v2] = vols;
    const outside = await fail(record(5, { attendance: [row(v1, 5, 0, 10), row(v2, 4, 0, 10)] }));
    expect(outside.details.map((d: Json) => d.path)).toEqual(['attendance.1.checkInAt', 'attendance.1.checkOutAt']);
    expect(outside.message).toContain('第 2 行');
    const unknown = await fail(
      record(5, { attendance: [row(v1, 5, 0, 10), { ...row(v2, 5, 0, 10), volunteerId: crypto.randomUUID() }] }),
    );
    expect(unknown.details.map((d: Json) => d.path)).toEqual(['attendance.1.volunteerId']);
    const foreign = await fail(record(5, { attendance: [row(outsider, 5, 0, 10)] }));
    expect(foreign.details.map((d: Json) => d.path)).toEqual(['attendance.0.volunteerId']);
    expect(foreign.message).toContain('不在您的管理范围内');
    const twice = await fail(record(5, { attendance: [row(v1, 5, 0, 10), row(v2, 5, 0, 10), row(v1, 5, 1, 9)] }));
    expect(twice.details.map((d: Json) => d.path)).toEqual(['attendance.2.volunteerId']);
    expect(twice.message).toContain('只能录入一次');
    const badPhoto = await fail(record(5, { sheetPhotoIds: [crypto.randomUUID()] }));
    expect(badPhoto.details.map((d: Json) => d.path)).toEqual(['sheetPhotoIds.0']);
    const noContent = await fail(record(5, { description: '' }));
    expect(noContent.details.map((d: Json) => d.path)).toEqual(['description']);
    // another town's village: as for creating an activity, out of scope is not found
    expect((await fail(record(5, { regionCode: otherVillage }), 404)).code).toBe('NOT_FOUND');
    // a resident may not record
    const resident = await api(PHONES.resident, 'POST', '/activities/records', record(5));
    expect(resident.statusCode).toBe(403);
    expect((await rows('select count(*)::int as n from activities'))[0].n).toBe(before);
  });
});

describe('补录 with confirmation by the level above (activities.recordNeedsConfirmation)', () => {
  beforeAll(async () => {
    await setConfirmation(true);
  });
  afterAll(async () => {
    await setConfirmation(false);
  });

  it('waits uncounted and uncredited until the town institute confirms; the station cannot confirm its own record', async () => {
    t.clock.set(new Date(day(9, 12)));
    const figuresBefore = await computeFigures(t.deps.database.db, village.path, '2026-09');
    const notifiedBefore = (await notificationsOf(INSTITUTE, 'activity.record')).length;
    const [v1, , , v4] = vols;
    const res = await api(
      STATION,
      'POST',
      '/activities/records',
      record(8, { title: '中秋文艺汇演', type: 'culture_sports', attendance: [row(v4, 8, 0, 10)] }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const a = res.json();
    expect(a).toMatchObject({ state: 'pending_confirmation', stateName: '待上级确认' });
    expect(a.settlement).toMatchObject({ needsConfirmation: true, credited: 0, pending: 0 });
    expect(a.settlement.items).toEqual([expect.objectContaining({ volunteerId: v4.id, hours: null })]);
    expect(a.actions).toEqual(['cancel']);

    // not counted, nothing credited, not public
    expect(await rows('select id from hours_entries where activity_id = $1', [a.id])).toEqual([]);
    expect(await rows('select id from hours_requests where activity_id = $1', [a.id])).toEqual([]);
    expect(await computeFigures(t.deps.database.db, village.path, '2026-09')).toEqual(figuresBefore);
    expect((await ledgerRows(village.code, '2026-09')).some((r) => r[1] === '中秋文艺汇演')).toBe(false);
    expect((await api(PHONES.volunteer, 'GET', `/activities/${a.id}`)).statusCode).toBe(404);
    const correction = await api(COUNTY, 'POST', '/hours/requests', {
      activityId: a.id,
      volunteerId: v1.id,
      hours: 1,
      reason: '补录时长',
      evidenceFileIds: [crypto.randomUUID()],
    });
    expect(correction.statusCode).toBe(400);
    expect(correction.json().error.details[0].path).toBe('activityId');

    // the institute of the town is told; the station cannot confirm, nor can another town
    expect((await notificationsOf(INSTITUTE, 'activity.record')).length).toBe(notifiedBefore + 1);
    const own = await api(STATION, 'POST', `/activities/${a.id}/confirm`, {});
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toContain('不能确认自己补录的活动');
    expect((await api(PHONES.shawoAdmin, 'POST', `/activities/${a.id}/confirm`, {})).statusCode).toBe(404);
    expect(await rows('select id from hours_entries where activity_id = $1', [a.id])).toEqual([]);

    const seen = (await api(INSTITUTE, 'GET', `/activities/${a.id}`)).json();
    expect(seen.actions).toEqual(expect.arrayContaining(['confirm', 'return', 'cancel']));
    t.clock.set(new Date(day(10, 2)));
    const ok = await api(INSTITUTE, 'POST', `/activities/${a.id}/confirm`, { comment: '签到表与照片一致' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      state: 'ended',
      recordedAfter: { confirmedAt: iso(day(10, 2)) },
      settlement: { needsConfirmation: false, credited: 8, pending: 2 },
    });
    expect(ok.json().timeline.map((e: Json) => [e.action, e.note])).toEqual([
      ['record', '待上级确认'],
      ['confirm', '签到表与照片一致'],
    ]);
    expect(await rows('select kind, hours from hours_entries where activity_id = $1', [a.id])).toEqual([
      { kind: 'attendance', hours: 8 },
    ]);
    expect(await rows('select kind, hours, status from hours_requests where activity_id = $1', [a.id])).toEqual([
      { kind: 'excess', hours: 2, status: 'pending' },
    ]);
    const figures = await computeFigures(t.deps.database.db, village.path, '2026-09');
    expect(figures.activities).toBe(figuresBefore.activities + 1);
    expect(figures.activities_culture_sports).toBe(figuresBefore.activities_culture_sports + 1);
    expect(figures.hours).toBe(figuresBefore.hours + 8);
    // confirmed, it is on the activity ledger it was kept off
    expect((await ledgerRows(village.code, '2026-09')).map((r) => r[1])).toContain('中秋文艺汇演');
    const told = await notificationsOf(STATION, 'activity.confirmed');
    expect(told[0].body).toContain('中秋文艺汇演');
    expect((await api(INSTITUTE, 'POST', `/activities/${a.id}/confirm`, {})).statusCode).toBe(409);
    const audit = (await api(PHONES.auditor, 'GET', `/audit?entity=activity&entityId=${a.id}`)).json();
    expect(audit.items.map((e: Json) => e.action).sort()).toEqual(['activity.confirm', 'activity.record']);
  });

  it('returned with a reason, resubmitted with a corrected sheet, then confirmed', async () => {
    t.clock.set(new Date(day(13, 12)));
    const [v1, v2] = vols;
    const a = (
      await api(STATION, 'POST', '/activities/records', record(12, { title: '理论宣讲进村', type: 'lecture' }))
    ).json();
    expect(a.state).toBe('pending_confirmation');
    const noReason = await api(INSTITUTE, 'POST', `/activities/${a.id}/return`, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('reason');
    const returned = await api(INSTITUTE, 'POST', `/activities/${a.id}/return`, { reason: '缺少签到表照片' });
    expect(returned.statusCode, returned.body).toBe(200);
    expect(returned.json()).toMatchObject({
      state: 'returned',
      stateName: '已退回',
      recordedAfter: { returnReason: '缺少签到表照片' },
    });
    expect(returned.json().actions).not.toContain('confirm');
    expect((await notificationsOf(STATION, 'activity.returned'))[0].body).toContain('缺少签到表照片');
    expect((await api(INSTITUTE, 'POST', `/activities/${a.id}/confirm`, {})).statusCode).toBe(409);
    const mine = (await api(STATION, 'GET', `/activities/${a.id}`)).json();
    expect(mine.actions).toEqual(['cancel', 'resubmit']);

    const again = await api(
      STATION,
      'POST',
      `/activities/${a.id}/resubmit`,
      record(12, { title: '理论宣讲进村', type: 'lecture', attendance: [row(v1, 12, 0, 6), row(v2, 12, 0, 10)] }),
    );
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ state: 'pending_confirmation', confirmedCount: 2 });
    expect(again.json().settlement.items.map((i: Json) => i.hours)).toEqual([null, null]);
    const ok = await api(INSTITUTE, 'POST', `/activities/${a.id}/confirm`, {});
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().settlement.items.map((i: Json) => [i.volunteerName, i.hours.credited])).toEqual([
      ['补录甲', 6],
      ['补录乙', 8],
    ]);
    expect(ok.json().timeline.map((e: Json) => e.action)).toEqual(['record', 'return', 'resubmit', 'confirm']);
  });

  it('a record by the level above itself needs no confirmation; a town record waits for the county center', async () => {
    t.clock.set(new Date(day(16, 12)));
    const byInstitute = await api(INSTITUTE, 'POST', '/activities/records', record(15, { title: '所里代录的活动' }));
    expect(byInstitute.statusCode, byInstitute.body).toBe(201);
    expect(byInstitute.json().state).toBe('ended');
    const town = await api(
      INSTITUTE,
      'POST',
      '/activities/records',
      record(15, { title: '全镇志愿者培训', type: 'training', regionCode: XINJI }),
    );
    expect(town.json().state).toBe('pending_confirmation');
    expect((await api(INSTITUTE, 'POST', `/activities/${town.json().id}/confirm`, {})).statusCode).toBe(403);
    const ok = await api(COUNTY, 'POST', `/activities/${town.json().id}/confirm`, {});
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().state).toBe('ended');
  });
});
