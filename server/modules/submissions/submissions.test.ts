import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import {
  demoPlaces,
  insertActivity,
  insertAttendance,
  villageVolunteers,
  type Place,
} from '../plans/fixtures.test-util.js';
import { computeFigures } from './service.js';

let t: TestApp;
let p: Place;
beforeAll(async () => {
  t = await createTestApp();
  p = await demoPlaces(t.deps.database.db);
});
afterAll(async () => {
  await t?.close();
});

const M = '2026-04';
const post = (phone: string | null, url: string, payload?: unknown) =>
  t.as(phone)({ method: 'POST', url: `/api/v1${url}`, payload: payload as Record<string, unknown> });
const get = (phone: string | null, url: string) => t.as(phone)({ method: 'GET', url: `/api/v1${url}` });
const missingCodes = async (phone: string, month = M) =>
  (await get(phone, `/submissions/missing?month=${month}`))
    .json()
    .items.map((i: { regionCode: string }) => i.regionCode) as string[];
const notices = async (name: string, kind: string) =>
  (
    await t.deps.database.query(
      'select n.title, n.body from notifications n join users u on u.id = n.user_id ' +
        'where u.name = $1 and n.kind = $2 order by n.created_at',
      [name, kind],
    )
  ).rows;

describe('monthly submissions', () => {
  let id: string;
  it('a station admin submits the month with figures computed from the records', async () => {
    const db = t.deps.database.db;
    const before = await computeFigures(db, p.villagePath, M);
    const a = await insertActivity(db, {
      regionCode: p.village,
      regionPath: p.villagePath,
      county: p.county,
      title: '四月理论宣讲',
      type: 'lecture',
      startAt: '2026-04-10T01:00:00Z',
      endAt: '2026-04-10T03:00:00Z',
    });
    const vols = await villageVolunteers(db, p.villagePath, 2);
    await insertAttendance(db, a, vols[0].id, 2);
    await insertAttendance(db, a, vols[1].id, 1.5);
    await insertActivity(db, {
      regionCode: p.village,
      regionPath: p.villagePath,
      county: p.county,
      title: '取消的活动',
      startAt: '2026-04-11T01:00:00Z',
      endAt: '2026-04-11T03:00:00Z',
      state: 'cancelled',
    });

    expect(await missingCodes(PHONES.xinjiAdmin)).toContain(p.village);
    const res = await post(PHONES.stationAdmin, '/submissions', {
      month: M,
      summary: '四月开展理论宣讲一场，台账已整理。',
    });
    expect(res.statusCode, res.body).toBe(201);
    const s = res.json();
    id = s.id;
    expect(s).toMatchObject({
      regionCode: p.village,
      level: 'station',
      levelName: '实践站',
      month: M,
      state: 'submitted',
      stateName: '待审核',
      version: 1,
      submitterName: '王站长',
      actions: [],
    });
    expect(s.figures).toMatchObject({
      activities: before.activities + 1,
      activities_lecture: before.activities_lecture + 1,
      participations: before.participations + 2,
      hours: Math.round((before.hours + 3.5) * 100) / 100,
      beneficiaries: before.beneficiaries + 30,
    });
    expect(s.figures.participants).toBeGreaterThanOrEqual(2);
    expect(s.figureLabels.participants).toBe('参与志愿者（人）');
    expect(s.events).toEqual([expect.objectContaining({ action: 'submit', actorName: '王站长' })]);
    expect(await missingCodes(PHONES.xinjiAdmin)).not.toContain(p.village);
    expect(await notices('陈新集', 'submission.submit')).toEqual([
      expect.objectContaining({ title: '月度报送待审核' }),
    ]);

    const dup = await post(PHONES.stationAdmin, '/submissions', { month: M, summary: '再报一次' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('DUPLICATE');
  });

  it('validates the input and who may submit', async () => {
    const future = await post(PHONES.stationAdmin, '/submissions', { month: '2026-07', summary: '未来的月份' });
    expect(future.statusCode).toBe(400);
    expect(future.json().error.details[0].path).toBe('month');
    const bad = await post(PHONES.stationAdmin, '/submissions', { month: '2026-4', summary: '格式不对' });
    expect(bad.json().error.details[0].path).toBe('month');
    const noSummary = await post(PHONES.stationAdmin, '/submissions', { month: '2026-03' });
    expect(noSummary.statusCode).toBe(400);
    expect(noSummary.json().error.details[0].path).toBe('summary');
    const att = await post(PHONES.stationAdmin, '/submissions', {
      month: '2026-03',
      summary: '附件不存在',
      attachmentIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(att.json().error.details[0].path).toBe('attachmentIds.0');
    expect(
      (
        await post(PHONES.stationAdmin, '/submissions', {
          month: '2026-03',
          summary: '别的村',
          regionCode: p.otherTown,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await post(PHONES.countyAdmin, '/submissions', { month: '2026-03', summary: '县里不报送' })).statusCode,
    ).toBe(403);
    expect((await post(PHONES.volunteer, '/submissions', { month: '2026-03', summary: '志愿者' })).statusCode).toBe(
      403,
    );
    expect((await post(null, '/submissions', { month: '2026-03', summary: '未登录' })).statusCode).toBe(401);
  });

  it('only the town institute reviews a station; a return needs a comment; resubmission makes version 2', async () => {
    expect((await post(PHONES.countyAdmin, `/submissions/${id}/accept`, {})).statusCode).toBe(403);
    expect((await post(PHONES.shawoAdmin, `/submissions/${id}/accept`, {})).statusCode).toBe(404);
    expect((await post(PHONES.stationAdmin, `/submissions/${id}/accept`, {})).statusCode).toBe(403);
    expect((await post(PHONES.xinjiAdmin, `/submissions/not-a-uuid/accept`, {})).statusCode).toBe(400);
    for (const body of [{}, { comment: '   ' }, undefined]) {
      const r = await post(PHONES.xinjiAdmin, `/submissions/${id}/return`, body);
      expect(r.statusCode).toBe(400);
      expect(r.json().error.details[0].path).toBe('comment');
    }
    const view = (await get(PHONES.xinjiAdmin, `/submissions/${id}`)).json();
    expect(view.actions).toEqual(['accept', 'return']);
    t.clock.advance(3600_000);
    const ret = await post(PHONES.xinjiAdmin, `/submissions/${id}/return`, { comment: '活动照片缺失，请补充' });
    expect(ret.statusCode, ret.body).toBe(200);
    expect(ret.json()).toMatchObject({ state: 'returned', comment: '活动照片缺失，请补充', reviewerName: '陈新集' });
    expect(await notices('王站长', 'submission.return')).toEqual([
      expect.objectContaining({ body: expect.stringContaining('活动照片缺失') }),
    ]);
    const missing = (await get(PHONES.xinjiAdmin, `/submissions/missing?month=${M}`)).json();
    expect(missing.items.find((i: { regionCode: string }) => i.regionCode === p.village)).toMatchObject({
      state: 'returned',
      stateName: '已退回',
      submissionId: id,
    });
    expect((await post(PHONES.xinjiAdmin, `/submissions/${id}/accept`, {})).statusCode).toBe(409);
    expect((await get(PHONES.stationAdmin, `/submissions/${id}`)).json().actions).toEqual(['resubmit']);
    expect((await post(PHONES.xinjiAdmin, `/submissions/${id}/resubmit`, {})).statusCode).toBe(403);

    t.clock.advance(3600_000);
    const again = await post(PHONES.stationAdmin, `/submissions/${id}/resubmit`, { summary: '已补充活动照片。' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ state: 'submitted', version: 2, summary: '已补充活动照片。', comment: null });
    expect((await post(PHONES.stationAdmin, `/submissions/${id}/resubmit`, {})).statusCode).toBe(409);
    expect(await notices('陈新集', 'submission.resubmit')).toHaveLength(1);
    expect(await missingCodes(PHONES.xinjiAdmin)).not.toContain(p.village);

    t.clock.advance(3600_000);
    const ok = await post(PHONES.xinjiAdmin, `/submissions/${id}/accept`, { comment: '同意' });
    expect(ok.json()).toMatchObject({ state: 'accepted', comment: '同意' });
    expect(ok.json().events.map((e: { action: string }) => e.action)).toEqual([
      'submit',
      'return',
      'resubmit',
      'accept',
    ]);
    expect(await notices('王站长', 'submission.accept')).toHaveLength(1);
    const audit = await t.deps.database.query(
      `select action from audit_events where entity = 'submission' and entity_id = $1 order by seq`,
      [id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'submission.submit',
      'submission.return',
      'submission.resubmit',
      'submission.accept',
    ]);
  });

  it('an institute reports to the county; the county lists the missing institutes with the due date', async () => {
    const before = (await get(PHONES.countyAdmin, `/submissions/missing?month=${M}`)).json();
    expect(before).toMatchObject({ month: M, dueDate: '2026-05-05', overdue: true });
    expect(before.items.map((i: { regionCode: string }) => i.regionCode)).toContain(p.town);
    expect(before.items.every((i: { level: string; overdue: boolean }) => i.level === 'institute' && i.overdue)).toBe(
      true,
    );
    const res = await post(PHONES.xinjiAdmin, '/submissions', { month: M, summary: '全镇四月工作小结' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ level: 'institute', regionCode: p.town });
    expect(res.json().figures.activities).toBeGreaterThanOrEqual(1);
    const after = (await get(PHONES.countyAdmin, `/submissions/missing?month=${M}`)).json();
    expect(after.total).toBe(before.total - 1);
    expect(await notices('刘文明', 'submission.submit')).toHaveLength(1);
    // the county receives institutes, not stations; the institute is not its own reviewer
    const received = (await get(PHONES.countyAdmin, `/submissions?month=${M}`)).json();
    expect(received.items.map((i: { level: string }) => i.level)).toEqual(['institute']);
    expect((await post(PHONES.xinjiAdmin, `/submissions/${res.json().id}/accept`, {})).statusCode).toBe(403);
    expect((await post(PHONES.countyAdmin, `/submissions/${res.json().id}/accept`, {})).json().state).toBe('accepted');
    // the institute admin sees both its own report and its stations'
    const both = (await get(PHONES.xinjiAdmin, `/submissions?month=${M}`)).json();
    expect(both.items.map((i: { level: string }) => i.level).sort()).toEqual(['institute', 'station']);
    expect((await get(PHONES.xinjiAdmin, `/submissions?month=${M}&view=received`)).json().total).toBe(1);
    expect(
      (await get(PHONES.stationAdmin, `/submissions?month=${M}`))
        .json()
        .items.map((i: { regionCode: string }) => i.regionCode),
    ).toEqual([p.village]);
    expect((await get(PHONES.shawoAdmin, `/submissions?month=${M}`)).json().total).toBe(0);
    expect((await get(PHONES.shawoAdmin, `/submissions/${res.json().id}`)).statusCode).toBe(404);
  });

  it('the missing list: the due day of the next month, overdue from the clock; checks for every endpoint', async () => {
    const may = (await get(PHONES.xinjiAdmin, '/submissions/missing?month=2026-05')).json();
    expect(may).toMatchObject({ dueDate: '2026-06-05', overdue: false });
    t.clock.advance(6 * 86400_000);
    expect((await get(PHONES.xinjiAdmin, '/submissions/missing?month=2026-05')).json().overdue).toBe(true);
    const noMonth = await get(PHONES.xinjiAdmin, '/submissions/missing');
    expect(noMonth.statusCode).toBe(400);
    expect(noMonth.json().error.details[0].path).toBe('month');
    expect((await get(PHONES.stationAdmin, `/submissions/missing?month=${M}`)).statusCode).toBe(403);
    expect((await get(null, `/submissions/missing?month=${M}`)).statusCode).toBe(401);
    expect((await get(PHONES.resident, '/submissions')).statusCode).toBe(403);
    expect((await get(null, '/submissions')).statusCode).toBe(401);
    expect((await get(PHONES.xinjiAdmin, '/submissions?state=bogus')).json().error.details[0].path).toBe('state');
    expect(
      (await post(null, `/submissions/${'0'.repeat(8)}-0000-4000-8000-000000000000/return`, { comment: 'x' }))
        .statusCode,
    ).toBe(401);
    expect(
      (
        await post(PHONES.xinjiAdmin, `/submissions/${'0'.repeat(8)}-0000-4000-8000-000000000000/return`, {
          comment: '不存在',
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe('the submission machine', () => {
  let n = 0;
  /** A fresh station report of an earlier month, submitted by the station admin. */
  async function fresh() {
    const month = ['2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02'][n++];
    const res = await post(PHONES.stationAdmin, '/submissions', { month, summary: `${month} 工作小结` });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().actions).toEqual([]);
    return res.json().id as string;
  }
  const body = { accept: {}, return: { comment: '请补充活动照片' }, resubmit: {} };
  const act = (phone: string, id: string, action: keyof typeof body) =>
    post(phone, `/submissions/${id}/${action}`, body[action]);

  it('the detail lists exactly what each party can do; each listed action works, the others are refused', async () => {
    const id = await fresh();
    expect((await get(PHONES.xinjiAdmin, `/submissions/${id}`)).json().actions).toEqual(['accept', 'return']);
    expect((await get(PHONES.stationAdmin, `/submissions/${id}`)).json().actions).toEqual([]);
    const row = (await get(PHONES.xinjiAdmin, '/submissions?view=received&pageSize=100'))
      .json()
      .items.find((x: { id: string }) => x.id === id);
    expect(row.actions).toEqual(['accept', 'return']);
    expect((await act(PHONES.stationAdmin, id, 'resubmit')).statusCode).toBe(409);

    const accepted = await act(PHONES.xinjiAdmin, await fresh(), 'accept');
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().actions).toEqual([]);

    const returned = await act(PHONES.xinjiAdmin, id, 'return');
    expect(returned.statusCode, returned.body).toBe(200);
    expect(returned.json().actions).toEqual([]);
    expect((await act(PHONES.xinjiAdmin, id, 'accept')).statusCode).toBe(409);
    expect((await get(PHONES.stationAdmin, `/submissions/${id}`)).json().actions).toEqual(['resubmit']);
    const again = await act(PHONES.stationAdmin, id, 'resubmit');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ state: 'submitted', version: 2, actions: [] });
    expect(again.json().events.map((e: { action: string }) => e.action)).toEqual(['submit', 'return', 'resubmit']);
  });

  it('refuses the wrong party: the county does not review stations, another town does not see them', async () => {
    const id = await fresh();
    expect((await get(PHONES.countyAdmin, `/submissions/${id}`)).json().actions).toEqual([]);
    expect((await act(PHONES.countyAdmin, id, 'accept')).statusCode).toBe(403);
    expect((await act(PHONES.shawoAdmin, id, 'return')).statusCode).toBe(404);
    expect((await act(PHONES.stationAdmin, id, 'accept')).statusCode).toBe(403);
  });

  it('two reviews at once: one wins, the other gets 409', async () => {
    const id = await fresh();
    const results = await Promise.all([act(PHONES.xinjiAdmin, id, 'accept'), act(PHONES.xinjiAdmin, id, 'return')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const events = (await get(PHONES.xinjiAdmin, `/submissions/${id}`)).json().events;
    expect(events).toHaveLength(2);
  });
});
