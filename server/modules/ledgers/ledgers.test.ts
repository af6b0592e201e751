import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { hoursEntries } from '../../db/schema/index.js';
import {
  demoPlaces,
  insertActivity,
  insertAttendance,
  villageVolunteers,
  type Place,
} from '../plans/fixtures.test-util.js';

let t: TestApp;
let p: Place;
let vols: { id: string; volunteer_no: string; name: string }[];
beforeAll(async () => {
  t = await createTestApp();
  p = await demoPlaces(t.deps.database.db);
  vols = await villageVolunteers(t.deps.database.db, p.villagePath, 3);
  const db = t.deps.database.db;
  // March 2030 in the station's village: two activities, three sign-ups (one no-show); one more in another town
  const a1 = await insertActivity(db, {
    regionCode: p.village,
    regionPath: p.villagePath,
    county: p.county,
    title: '学雷锋集中服务日',
    startAt: '2030-03-05T01:00:00Z',
    endAt: '2030-03-05T04:00:00Z',
  });
  const a2 = await insertActivity(db, {
    regionCode: p.village,
    regionPath: p.villagePath,
    county: p.county,
    title: '理论宣讲进农家',
    startAt: '2030-03-20T06:00:00Z',
    endAt: '2030-03-20T08:00:00Z',
    type: 'lecture',
  });
  await insertActivity(db, {
    regionCode: p.village,
    regionPath: p.villagePath,
    county: p.county,
    title: '草稿活动',
    startAt: '2030-03-21T06:00:00Z',
    endAt: '2030-03-21T08:00:00Z',
    state: 'draft',
  });
  await insertActivity(db, {
    regionCode: p.village,
    regionPath: p.villagePath,
    county: p.county,
    title: '四月的活动',
    startAt: '2030-03-31T16:30:00Z',
    endAt: '2030-03-31T18:00:00Z',
  });
  // the row in another town, made by that town's staff through the API
  const other = await t.as(PHONES.shawoAdmin)({
    method: 'POST',
    url: '/api/v1/activities',
    payload: {
      title: '沙窝镇三月义诊',
      type: 'volunteer_service',
      regionCode: p.otherTown,
      address: '沙窝镇卫生院',
      startAt: '2030-03-12T01:00:00Z',
      endAt: '2030-03-12T04:00:00Z',
      quota: 10,
    },
  });
  if (other.statusCode !== 201) throw new Error(`沙窝镇 activity: ${other.statusCode} ${other.body}`);
  const published = await t.as(PHONES.shawoAdmin)({
    method: 'POST',
    url: `/api/v1/activities/${other.json().id}/publish`,
  });
  if (published.statusCode !== 200) throw new Error(`publish: ${published.statusCode} ${published.body}`);
  await insertAttendance(db, a1, vols[0].id, 3);
  await insertAttendance(db, a1, vols[1].id, 2.5);
  await insertAttendance(db, a2, vols[0].id, null);
  // many ledger rows in May 2030, 1,500 of them on one day, to cross the keyset page size
  const rows = Array.from({ length: 2345 }, (_, i) => ({
    countyCode: p.county,
    regionPath: p.villagePath,
    volunteerId: vols[i % 3].id,
    kind: 'correction' as const,
    hours: '1.50',
    serviceDate: i < 1500 ? '2030-05-10' : `2030-05-${String(1 + (i % 28)).padStart(2, '0')}`,
    description: `补录第 ${i + 1} 条`,
    createdAt: new Date('2030-06-01T00:00:00Z'),
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insert(hoursEntries).values(rows.slice(i, i + 500));
});
afterAll(async () => {
  await t?.close();
});

const get = (phone: string | null, url: string) => t.as(phone)({ method: 'GET', url });
async function sheetOf(body: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  const rows: unknown[][] = [];
  ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  // empty cells read back as holes: pad every row to the header's width with ''
  const width = rows[1]?.length ?? 0;
  return {
    ws,
    rows: rows.map((r, i) => (i < 2 ? r : Array.from({ length: Math.max(width, r.length) }, (_, k) => r[k] ?? ''))),
  };
}

describe('ledger exports', () => {
  it('the activity ledger: title row, Chinese headers, one row per activity of the month', async () => {
    const res = await get(PHONES.stationAdmin, `/api/v1/ledgers/activities?regionCode=${p.village}&month=2030-03`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const cd = String(res.headers['content-disposition']);
    expect(cd).toMatch(/^attachment; filename="ledger-activities-\d+-2030-03\.xlsx"; filename\*=UTF-8''/);
    expect(decodeURIComponent(cd.split("UTF-8''")[1])).toMatch(/^新集镇.+2030年3月活动台账\.xlsx$/);
    const { ws, rows } = await sheetOf(res.rawPayload);
    expect(ws.name).toBe('活动台账');
    expect(String(rows[0][0])).toMatch(/^新集镇.+ 2030年3月 活动台账$/);
    expect(rows[1]).toEqual([
      '序号',
      '活动名称',
      '类型',
      '主题',
      '所属站点/区域',
      '开始时间',
      '结束时间',
      '地点',
      '招募人数',
      '报名人数',
      '签到人数',
      '服务对象',
      '受益人数',
      '状态',
    ]);
    expect(rows.slice(2)).toEqual([
      [
        1,
        '学雷锋集中服务日',
        '志愿服务',
        '测试主题',
        expect.any(String),
        '2030-03-05 09:00',
        '2030-03-05 12:00',
        '村委会广场',
        20,
        2,
        2,
        '留守老人',
        30,
        '已结束',
      ],
      [
        2,
        '理论宣讲进农家',
        '理论宣讲',
        '测试主题',
        expect.any(String),
        '2030-03-20 14:00',
        '2030-03-20 16:00',
        '村委会广场',
        20,
        1,
        0,
        '留守老人',
        30,
        '已结束',
      ],
    ]);
    // the town sees its villages; the audit trail records the export
    const town = await sheetOf(
      (await get(PHONES.xinjiAdmin, `/api/v1/ledgers/activities?regionCode=${p.town}&month=2030-03`)).rawPayload,
    );
    expect(town.rows.slice(2).map((r) => r[1])).toEqual(['学雷锋集中服务日', '理论宣讲进农家']);
    // the 沙窝镇 activity of the same month is on the county's ledger, and on no 新集镇 one
    const county = await sheetOf(
      (await get(PHONES.countyAdmin, `/api/v1/ledgers/activities?regionCode=${p.county}&month=2030-03`)).rawPayload,
    );
    expect(county.rows.slice(2).map((r) => r[1])).toEqual(['学雷锋集中服务日', '沙窝镇三月义诊', '理论宣讲进农家']);
    expect(
      (await get(PHONES.xinjiAdmin, `/api/v1/ledgers/activities?regionCode=${p.county}&month=2030-03`)).statusCode,
    ).toBe(404);
    const audit = await t.deps.database.query(
      `select action, entity_id, actor_name from audit_events where entity = 'ledger' order by at`,
    );
    expect(audit.rows[0]).toMatchObject({
      action: 'ledger.export',
      entity_id: `activities:${p.village}:2030-03`,
      actor_name: '王站长',
    });
  });

  it('the attendance ledger: sign-ups with check-in, no-shows and credited hours', async () => {
    const res = await get(PHONES.stationAdmin, `/api/v1/ledgers/attendance?regionCode=${p.village}&month=2030-03`);
    expect(res.statusCode).toBe(200);
    const { rows } = await sheetOf(res.rawPayload);
    expect(String(rows[0][0])).toContain('2030年3月 签到台账');
    expect(rows[1]).toEqual([
      '活动',
      '日期',
      '志愿者',
      '志愿者编号',
      '报名状态',
      '签到时间',
      '签退时间',
      '签到方式',
      '是否缺席',
      '认定时长',
    ]);
    expect(rows.slice(2)).toEqual([
      [
        '学雷锋集中服务日',
        '2030-03-05',
        vols[0].name,
        vols[0].volunteer_no,
        '已确认',
        '2030-03-05 09:00',
        '2030-03-05 12:00',
        '签到码',
        '否',
        3,
      ],
      [
        '学雷锋集中服务日',
        '2030-03-05',
        vols[1].name,
        vols[1].volunteer_no,
        '已确认',
        '2030-03-05 09:00',
        '2030-03-05 12:00',
        '签到码',
        '否',
        2.5,
      ],
      ['理论宣讲进农家', '2030-03-20', vols[0].name, vols[0].volunteer_no, '已确认', '', '', '', '是', 0],
    ]);
  });

  it('the hours ledger streams thousands of rows in keyset pages, in order and without repeats', async () => {
    const res = await get(PHONES.stationAdmin, `/api/v1/ledgers/hours?regionCode=${p.village}&month=2030-05`);
    expect(res.statusCode).toBe(200);
    const { rows } = await sheetOf(res.rawPayload);
    expect(rows[1]).toEqual(['志愿者', '编号', '日期', '类型', '时长', '活动/订单', '说明']);
    const data = rows.slice(2);
    expect(data).toHaveLength(2345);
    expect(new Set(data.map((r) => r[6])).size).toBe(2345);
    expect(data.map((r) => r[2])).toEqual([...data.map((r) => r[2] as string)].sort());
    expect(data[0]).toEqual([
      expect.any(String),
      expect.any(String),
      '2030-05-01',
      '补录',
      1.5,
      '',
      expect.stringMatching(/^补录第/),
    ]);
    const march = await sheetOf(
      (await get(PHONES.stationAdmin, `/api/v1/ledgers/hours?regionCode=${p.village}&month=2030-03`)).rawPayload,
    );
    expect(march.rows.slice(2).map((r) => [r[0], r[3], r[4], r[5]])).toEqual([
      [vols[0].name, '活动签到', 3, '学雷锋集中服务日'],
      [vols[1].name, '活动签到', 2.5, '学雷锋集中服务日'],
    ]);
  });

  it('an empty month still has its title and headers', async () => {
    const { rows } = await sheetOf(
      (await get(PHONES.stationAdmin, `/api/v1/ledgers/activities?regionCode=${p.village}&month=2031-01`)).rawPayload,
    );
    expect(rows).toHaveLength(3);
    expect(rows[2][0]).toBe('本月无记录');
  });

  it('checks the month, the scope, the permission and the sign-in', async () => {
    for (const kind of ['activities', 'attendance', 'hours']) {
      const noMonth = await get(PHONES.stationAdmin, `/api/v1/ledgers/${kind}?regionCode=${p.village}`);
      expect(noMonth.statusCode).toBe(400);
      expect(noMonth.json().error.details[0].path).toBe('month');
      const badMonth = await get(PHONES.stationAdmin, `/api/v1/ledgers/${kind}?regionCode=${p.village}&month=2030-13`);
      expect(badMonth.json().error.details[0].path).toBe('month');
      expect(
        (await get(PHONES.shawoAdmin, `/api/v1/ledgers/${kind}?regionCode=${p.village}&month=2030-03`)).statusCode,
      ).toBe(404);
      expect(
        (await get(PHONES.stationAdmin, `/api/v1/ledgers/${kind}?regionCode=${p.town}&month=2030-03`)).statusCode,
      ).toBe(404);
      expect(
        (await get(PHONES.stationAdmin, `/api/v1/ledgers/${kind}?regionCode=999999999999&month=2030-03`)).statusCode,
      ).toBe(404);
      expect(
        (await get(PHONES.volunteer, `/api/v1/ledgers/${kind}?regionCode=${p.village}&month=2030-03`)).statusCode,
      ).toBe(403);
      expect((await get(null, `/api/v1/ledgers/${kind}?regionCode=${p.village}&month=2030-03`)).statusCode).toBe(401);
    }
    // without regionCode: the caller's own region
    const own = await get(PHONES.stationAdmin, '/api/v1/ledgers/activities?month=2030-03');
    expect(own.statusCode).toBe(200);
    expect(String(own.headers['content-disposition'])).toContain(`ledger-activities-${p.village}-2030-03`);
  });
});
