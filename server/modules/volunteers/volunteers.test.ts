import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { checkChar } from '../../platform/idcard.js';
import { systemScope } from '../../platform/scope.js';
import { JobRunner } from '../../platform/jobs.js';
import { openDatabase } from '../../db/client.js';
import { importJob, startImport } from './excel.js';

let t: TestApp;
let xinjiVillage: string;
let shawoVillage: string;
beforeAll(async () => {
  t = await createTestApp();
  xinjiVillage = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/regions?parent=411523100' })).json()
    .items[3].code;
  shawoVillage = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/regions?parent=411523101' })).json()
    .items[3].code;
});
afterAll(async () => {
  await t?.close();
});

/** A valid ID number with the given birth date. */
const makeId = (birth: string, seq = '123', region = '410101') => {
  const f = `${region}${birth.replace(/-/g, '')}${seq}`;
  return f + checkChar(f);
};
const post = (phone: string, payload: Record<string, unknown>) =>
  t.as(phone)({ method: 'POST', url: '/api/v1/volunteers', payload });

describe('registration by staff', () => {
  it('registers with the GB 11643 test vector, derives sex and birth date, numbers the volunteer, masks everything', async () => {
    const res = await post(PHONES.xinjiAdmin, {
      name: '张三丰',
      idNumber: '11010519491231002X',
      phone: '13812341234',
      regionCode: xinjiVillage,
      categories: ['theory'],
      verified: true,
    });
    expect(res.statusCode).toBe(201);
    const v = res.json();
    expect(v).toMatchObject({
      name: '张三丰',
      gender: 'female',
      birthDate: '1949-12-31',
      idNumberMasked: '110105********002X',
      phoneMasked: '138****1234',
      verified: true,
    });
    expect(v.volunteerNo).toMatch(/^ZY411523\d{6}$/);
    expect(v.volunteerNo).not.toContain('11010519491231002X');
    expect(JSON.stringify(v)).not.toContain('13812341234');
  });

  it.each(['440524188001010014', '370101190102039973'])('accepts the vector %s', async (id) => {
    expect((await post(PHONES.xinjiAdmin, { name: '测试人', idNumber: id, regionCode: xinjiVillage })).statusCode).toBe(
      201,
    );
  });

  it('any altered digit fails with 400 naming idNumber, and nothing is saved', async () => {
    const before = (await t.deps.database.query('select count(*)::int as n from volunteers')).rows[0].n;
    for (const id of [
      '11010519491231003X',
      '11010519491231002Y',
      '440524188001010015',
      '370101190102039972',
      '1101051949123100',
    ]) {
      const res = await post(PHONES.xinjiAdmin, { name: '错号', idNumber: id, regionCode: xinjiVillage });
      expect(res.statusCode, id).toBe(400);
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain('idNumber');
    }
    expect((await t.deps.database.query('select count(*)::int as n from volunteers')).rows[0].n).toBe(before);
  });

  it('the same ID number twice → 409 DUPLICATE', async () => {
    const id = makeId('1990-05-05', '217');
    expect((await post(PHONES.xinjiAdmin, { name: '王五', idNumber: id, regionCode: xinjiVillage })).statusCode).toBe(
      201,
    );
    const again = await post(PHONES.countyAdmin, {
      name: '王五',
      idNumber: id.toLowerCase(),
      regionCode: shawoVillage,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('DUPLICATE');
  });

  it('validates phone, category, political status and region', async () => {
    const base = { name: '李四', idNumber: makeId('1985-03-03', '331'), regionCode: xinjiVillage };
    const cases: [Record<string, unknown>, string][] = [
      [{ phone: '12345678901' }, 'phone'],
      [{ categories: ['astrology'] }, 'categories.0'],
      [{ politicalStatus: '无党派' }, 'politicalStatus'],
      [{ regionCode: '411523999999' }, 'regionCode'],
    ];
    for (const [extra, path] of cases) {
      const res = await post(PHONES.xinjiAdmin, { ...base, ...extra });
      expect(res.statusCode, path).toBe(400);
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });

  it('an institute admin cannot register someone in another town', async () => {
    const res = await post(PHONES.xinjiAdmin, {
      name: '越权',
      idNumber: makeId('1980-01-01', '441'),
      regionCode: shawoVillage,
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('minors', () => {
  it('under 14 needs guardian consent; 14–17 needs a guardian; consents are recorded', async () => {
    const child = makeId('2015-03-01', '552');
    const noConsent = await post(PHONES.xinjiAdmin, {
      name: '小明',
      idNumber: child,
      regionCode: xinjiVillage,
      guardianName: '王大明',
      guardianPhone: '13911112222',
    });
    expect(noConsent.statusCode).toBe(400);
    expect(noConsent.json().error.details.map((d: { path: string }) => d.path)).toContain('guardianConsent');
    const ok = await post(PHONES.xinjiAdmin, {
      name: '小明',
      idNumber: child,
      regionCode: xinjiVillage,
      guardianName: '王大明',
      guardianPhone: '13911112222',
      guardianRelation: '父亲',
      guardianConsent: true,
    });
    expect(ok.statusCode).toBe(201);
    const detail = (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/volunteers/${ok.json().id}` })).json();
    expect(detail).toMatchObject({ guardianName: '王大明', guardianPhoneMasked: '139****2222' });
    expect(detail.consents[0]).toMatchObject({
      purpose: 'registration',
      version: '2026.1',
      grantedBy: 'guardian',
      guardianName: '王大明',
    });

    const teen = makeId('2010-02-01', '663');
    const noGuardian = await post(PHONES.xinjiAdmin, { name: '小红', idNumber: teen, regionCode: xinjiVillage });
    expect(noGuardian.statusCode).toBe(400);
    expect(noGuardian.json().error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['guardianName', 'guardianPhone']),
    );
    expect(
      (
        await post(PHONES.xinjiAdmin, {
          name: '小红',
          idNumber: teen,
          regionCode: xinjiVillage,
          guardianName: '李妈妈',
          guardianPhone: '13922223333',
        })
      ).statusCode,
    ).toBe(201);
  });
});

describe('self-registration in the H5', () => {
  it('a resident registers themself, needs consent, becomes unverified volunteer; /me shows it', async () => {
    const as = t.as(PHONES.resident);
    const me = (await as({ method: 'GET', url: '/api/v1/me' })).json();
    expect(me.volunteerId).toBeNull();
    const payload = {
      name: '赵大娘',
      idNumber: makeId('1962-08-08', '774'),
      phone: '13800000007',
      regionCode: me.regionCode,
      categories: ['environment'],
    };
    const noConsent = await as({ method: 'POST', url: '/api/v1/volunteers', payload });
    expect(noConsent.statusCode).toBe(400);
    expect(noConsent.json().error.details[0].path).toBe('consentToRegistration');
    const res = await as({
      method: 'POST',
      url: '/api/v1/volunteers',
      payload: { ...payload, consentToRegistration: true },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().verified).toBe(false);
    const again = await as({ method: 'GET', url: '/api/v1/me' });
    expect(again.json().volunteerId).toBe(res.json().id);
    const mine = (await as({ method: 'GET', url: '/api/v1/volunteers/me' })).json();
    expect(mine.consents[0]).toMatchObject({ grantedBy: 'self', purpose: 'registration' });
    const twice = await as({
      method: 'POST',
      url: '/api/v1/volunteers',
      payload: { ...payload, idNumber: makeId('1962-08-08', '776'), consentToRegistration: true },
    });
    expect(twice.statusCode).toBe(409);
    // staff verify in person
    const verify = await t.as(PHONES.xinjiAdmin)({ method: 'POST', url: `/api/v1/volunteers/${res.json().id}/verify` });
    expect(verify.json().verified).toBe(true);
  });
});

describe('personal data protection', () => {
  it('the raw table holds no plaintext ID number or phone', async () => {
    const { rows } = await t.deps.database.query('select * from volunteers');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain('11010519491231002X');
    expect(dump).not.toContain('13812341234');
    expect(dump).not.toMatch(/\b\d{17}[\dX]\b/);
    expect(dump).not.toMatch(/\b1[3-9]\d{9}\b/);
  });

  it('reveal needs the permission and writes an audit event', async () => {
    const v = (
      await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/volunteers?q=${encodeURIComponent('张三丰')}` })
    ).json().items[0];
    const denied = await t.as(PHONES.xinjiAdmin)({
      method: 'POST',
      url: `/api/v1/volunteers/${v.id}/reveal`,
      payload: { field: 'idNumber', reason: '开具证明' },
    });
    expect(denied.statusCode).toBe(403);
    const res = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: `/api/v1/volunteers/${v.id}/reveal`,
      payload: { field: 'idNumber', reason: '开具证明' },
    });
    expect(res.json()).toEqual({ field: 'idNumber', value: '11010519491231002X' });
    const audit = (
      await t.as(PHONES.auditor)({ method: 'GET', url: `/api/v1/audit?action=volunteer.reveal&entityId=${v.id}` })
    ).json();
    expect(audit.items[0]).toMatchObject({ actorName: '刘文明', detail: { field: 'idNumber', reason: '开具证明' } });
    const noReason = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: `/api/v1/volunteers/${v.id}/reveal`,
      payload: { field: 'phone' },
    });
    expect(noReason.statusCode).toBe(400);
  });
});

describe('search', () => {
  it('finds by name, pinyin, initials and volunteer number, inside the scope', async () => {
    const as = t.as(PHONES.xinjiAdmin);
    const created = (await as({ method: 'GET', url: `/api/v1/volunteers?q=${encodeURIComponent('张三丰')}` })).json()
      .items[0];
    for (const q of [
      'zsf',
      'zhangsanfeng',
      'zhangsan',
      encodeURIComponent('三丰'),
      created.volunteerNo,
      created.volunteerNo.toLowerCase(),
    ]) {
      const res = (await as({ method: 'GET', url: `/api/v1/volunteers?q=${q}` })).json();
      expect(
        res.items.map((x: { id: string }) => x.id),
        q,
      ).toContain(created.id);
    }
    // the characters of a Chinese query in their order; the county admin's scope finds the same person
    expect(
      (await as({ method: 'GET', url: `/api/v1/volunteers?q=${encodeURIComponent('丰三')}` }))
        .json()
        .items.map((x: { id: string }) => x.id),
    ).not.toContain(created.id);
    expect(
      (await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/volunteers?q=${encodeURIComponent('三丰')}` }))
        .json()
        .items.map((x: { id: string }) => x.id),
    ).toContain(created.id);
    // a 沙窝镇 admin does not find a 新集镇 volunteer
    expect(
      (await t.as(PHONES.shawoAdmin)({ method: 'GET', url: '/api/v1/volunteers?q=zsf' }))
        .json()
        .items.map((x: { id: string }) => x.id),
    ).not.toContain(created.id);
    expect((await t.as(PHONES.shawoAdmin)({ method: 'GET', url: `/api/v1/volunteers/${created.id}` })).statusCode).toBe(
      404,
    );
    expect((await t.as(PHONES.resident)({ method: 'GET', url: '/api/v1/volunteers' })).statusCode).toBe(403);
  });

  it('lists about 3,000 demo volunteers for the county, a share of them unverified', async () => {
    const as = t.as(PHONES.countyAdmin);
    const all = (await as({ method: 'GET', url: '/api/v1/volunteers?pageSize=1' })).json().total;
    const unverified = (await as({ method: 'GET', url: '/api/v1/volunteers?pageSize=1&verified=false' })).json().total;
    expect(all).toBeGreaterThanOrEqual(3000);
    expect(unverified / all).toBeGreaterThan(0.1);
    expect(unverified / all).toBeLessThan(0.5);
  });
});

async function workbook(rows: (string | number | null)[][], header?: string[]) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('志愿者');
  ws.addRow(
    header ?? [
      '姓名*',
      '身份证号*',
      '手机号',
      '所属村（社区）区划代码*',
      '服务类别',
      '专业技能',
      '监护人姓名',
      '监护人手机号',
      '监护人已同意',
      '已实名核验',
    ],
  );
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
function multipart(buf: Buffer, filename = 'v.xlsx') {
  const boundary = '----wm' + Math.random().toString(16).slice(2);
  return {
    payload: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ` +
          `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`,
      ),
      buf,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
const importFile = (phone: string, buf: Buffer, query = '') =>
  t.as(phone)({ method: 'POST', url: `/api/v1/volunteers/import${query}`, ...multipart(buf) });

describe('Excel import', () => {
  it('saves good rows, merges a known ID, reports bad rows with row, column and reason', async () => {
    const known = makeId('1990-05-05', '217'); // registered above as 王五, without phone
    const buf = await workbook([
      [
        '钱一',
        makeId('1970-01-01', '101'),
        '13700000101',
        xinjiVillage,
        '理论政策宣讲、卫生环保',
        '宣讲',
        null,
        null,
        null,
        '是',
      ],
      ['孙二', makeId('1971-01-01', '102'), '', xinjiVillage, '', '', null, null, null, ''],
      ['王五', known, '13700000103', xinjiVillage, '', '', null, null, null, ''],
      ['错号', '11010519491231003X', '', xinjiVillage, '', '', null, null, null, ''],
      ['外县', makeId('1972-01-01', '104'), '', '110101001001', '', '', null, null, null, ''],
      ['坏类别', makeId('1973-01-01', '105'), '', xinjiVillage, '天文观测', '', null, null, null, ''],
      ['小朋友', makeId('2016-01-01', '106'), '', xinjiVillage, '', '', '家长', '13700000107', '', ''],
      ['钱一', makeId('1970-01-01', '101'), '', xinjiVillage, '', '书法', null, null, null, ''],
    ]);
    const res = await importFile(PHONES.xinjiAdmin, buf);
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ total: 8, imported: 2, merged: 2, failed: 4 });
    expect(r.errorReportUrl).toMatch(/^\/api\/v1\/files\//);
    const report = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: r.errorReportUrl });
    expect(report.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(report.rawPayload as unknown as ArrayBuffer);
    const lines = wb.worksheets[0]
      .getSheetValues()
      .slice(2)
      .map((row) => (row as unknown[]).slice(1, 4));
    expect(lines).toEqual(
      expect.arrayContaining([
        [5, '身份证号', expect.stringContaining('校验位')],
        [6, '所属村（社区）区划代码', expect.stringContaining('不是本县')],
        [7, '服务类别', expect.stringContaining('天文观测')],
        [8, '监护人已同意', expect.stringContaining('14')],
      ]),
    );
    // merged, not doubled: 王五 now has the phone from the file
    const wang = (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/volunteers?q=${known}` })).json();
    expect(wang.total).toBe(1);
    expect(wang.items[0].phoneMasked).toBe('137****0103');
    const qian = (
      await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/volunteers?q=${makeId('1970-01-01', '101')}` })
    ).json();
    expect(qian.total).toBe(1);
    expect(qian.items[0]).toMatchObject({ categories: ['theory', 'environment'], verified: true, source: 'import' });
    const audit = (await t.as(PHONES.auditor)({ method: 'GET', url: '/api/v1/audit?action=volunteer.import' })).json();
    expect(audit.items[0].detail).toMatchObject({ imported: 2, merged: 2, failed: 4 });
  });

  it('keeps every Chinese character intact in a large workbook (no chunk-boundary corruption)', async () => {
    const given = '永勇秀英桂兰建国志强明华红梅丽芳海燕';
    const cn = (n: number) =>
      String(n)
        .split('')
        .map((d) => '零一二三四五六七八九'[Number(d)])
        .join('');
    // unique texts make a shared-strings part of ~100 KB: many 16 KB chunk boundaries fall inside characters
    const rows = Array.from({ length: 3000 }, (_, i) => [
      `吴${given[i % 16]}${given[(i * 7) % 16]}`,
      makeId(
        '1975-03-03',
        String(i % 1000).padStart(3, '0'),
        `4115${String(20 + Math.floor(i / 1000)).padStart(2, '0')}`,
      ),
      '',
      xinjiVillage,
      '',
      `摄影第${cn(i)}号、书法`,
      null,
      null,
      null,
      '',
    ]);
    const res = await importFile(PHONES.countyAdmin, await workbook(rows));
    expect(res.json()).toMatchObject({ total: 3000, imported: 3000, failed: 0 });
    const { rows: bad } = await t.deps.database.query(
      'select count(*)::int as n from volunteers ' +
        `where name like '%' || chr(65533) || '%' or skills::text like '%' || chr(65533) || '%'`,
    );
    expect(bad[0].n).toBe(0);
    const { rows: kept } = await t.deps.database.query(
      `select count(*)::int as n from volunteers where skills::text like '%摄影第%号%'`,
    );
    expect(kept[0].n).toBe(3000);
  });

  it('merges a person repeated in a later batch into the earlier row, and keeps quotes and backslashes', async () => {
    const day = (i: number) => new Date(Date.UTC(1980, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const ids = Array.from({ length: 2050 }, (_, i) => makeId(day(i), '315', '411540'));
    const rows = ids.map(
      (id, i) =>
        [
          `郑${'甲乙丙丁戊己庚辛壬癸'[i % 10]}${'子丑寅卯辰巳午未申酉戌亥'[i % 12]}`,
          id,
          '',
          xinjiVillage,
          '',
          i === 0 ? '书法"行书"\\楷书' : '',
          null,
          null,
          null,
          '',
        ] as (string | null)[],
    );
    // rows 2051–2100 repeat the first 50 people (in the second batch of 2,000): a new name is ignored, the phone fills
    // in
    for (let i = 0; i < 50; i++)
      rows.push(['改了名', ids[i], `1370001${String(i).padStart(4, '0')}`, xinjiVillage, '', '', null, null, null, '']);
    const res = await importFile(PHONES.countyAdmin, await workbook(rows));
    expect(res.json()).toMatchObject({ total: 2100, imported: 2050, merged: 50, failed: 0 });
    const first = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/volunteers?q=${ids[0]}` })).json();
    expect(first.total).toBe(1);
    expect(first.items[0]).toMatchObject({ name: '郑甲子', phoneMasked: '137****0000', skills: ['书法"行书"\\楷书'] });
    const { rows: renamed } = await t.deps.database.query(
      `select count(*)::int as n from volunteers where name = '改了名'`,
    );
    expect(renamed[0].n).toBe(0);
  });

  it('runs as a job whose progress can be polled', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [
      `批量${'甲乙丙丁戊己庚辛壬癸'[i % 10]}`,
      makeId('1980-02-02', String(200 + i)),
      '',
      xinjiVillage,
      '',
      '',
      null,
      null,
      null,
      '',
    ]);
    const res = await importFile(PHONES.xinjiAdmin, await workbook(rows), '?async=1');
    expect(res.statusCode).toBe(202);
    const { jobId } = res.json();
    const poll = async () => (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/jobs/${jobId}` })).json();
    // queued until a runner takes it (this app's runner is not started: the test runs it)
    expect(await poll()).toMatchObject({ status: 'running', waiting: true, processed: 0, total: 30 });
    await t.deps.jobs.drain();
    const job = await poll();
    expect(job).toMatchObject({
      status: 'succeeded',
      total: 30,
      processed: 30,
      percent: 100,
      result: { imported: 30, failed: 0 },
    });
    expect((await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/jobs/${jobId}` })).statusCode).toBe(404);
  });

  it('refuses what is not a workbook, a template with missing columns, empty and oversized files', async () => {
    const notXlsx = await importFile(PHONES.xinjiAdmin, Buffer.from('姓名,身份证号\n张三,1'));
    expect(notXlsx.statusCode).toBe(400);
    expect(notXlsx.json().error.message).toContain('不是有效的 Excel');
    const fakeZip = await importFile(
      PHONES.xinjiAdmin,
      Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100)]),
    );
    expect(fakeZip.statusCode).toBe(400);
    const missing = await importFile(
      PHONES.xinjiAdmin,
      await workbook([['张三', '11010519491231002X']], ['姓名', '手机号']),
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain('身份证号');
    const empty = await importFile(PHONES.xinjiAdmin, Buffer.alloc(0));
    expect(empty.statusCode).toBe(400);
    const huge = await importFile(PHONES.xinjiAdmin, Buffer.alloc(50 * 1024 * 1024, 1));
    expect(huge.statusCode).toBe(413);
    const noPermission = await importFile(PHONES.stationAdmin, await workbook([]));
    expect(noPermission.statusCode).toBe(403);
  });

  it('the template downloads as a workbook with the region codes', async () => {
    const res = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/volunteers/import/template' });
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect((wb.worksheets[0].getRow(1).values as string[]).slice(1, 5)).toEqual([
      '姓名*',
      '身份证号*',
      '手机号',
      '所属村（社区）区划代码*',
    ]);
    expect(wb.worksheets[1].rowCount).toBe(207);
  });
});

describe('an import interrupted by a restart', () => {
  it('stopped after two batches, resumed by another runner: every row saved once, the counts as if never stopped', async () => {
    const db = t.deps.database.db;
    const me = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/me' })).json();
    const day = (i: number) => new Date(Date.UTC(1985, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const ids = Array.from({ length: 48 }, (_, i) => makeId(day(i), '417', '411541'));
    const rows: (string | null)[][] = ids.map((id, i) => [
      `续导${'甲乙丙丁戊己庚辛壬癸'[i % 10]}${'子丑寅卯辰'[Math.floor(i / 10)]}`,
      id,
      '',
      xinjiVillage,
      '',
      '',
      null,
      null,
      null,
      '',
    ]);
    rows.splice(20, 0, ['错号', '11010519491231003X', '', xinjiVillage, '', '', null, null, null, '']);
    // the first person again, in the fifth batch, with a phone: merged into the row saved in the first batch
    rows.splice(45, 0, ['续导甲子', ids[0], '13700004170', xinjiVillage, '', '', null, null, null, '']);
    const started = await startImport(
      { db, crypto: t.deps.crypto, files: t.deps.files, jobs: t.deps.jobs },
      { userId: me.id, name: me.name, countyCode: '411523' },
      systemScope,
      '411523',
      t.clock.now(),
      await workbook(rows),
      { wait: false, batchSize: 10 },
    );
    const jobId = started.jobId;
    const count = async (q: string) => Number((await t.deps.database.query(q, [jobId])).rows[0].n);
    const saved = () => count(`select count(*) as n from volunteers where name like '续导%' and $1::uuid is not null`);

    // the server stops once two batches are in
    let stopping: Promise<void> | undefined;
    t.deps.jobs.onProgress = (job, processed) => {
      if (job.id === jobId && processed >= 20) stopping ??= t.deps.jobs.stop();
    };
    await t.deps.jobs.drain();
    await stopping;
    const steps = await count('select count(*) as n from job_steps where job_id = $1');
    expect(steps).toBeGreaterThanOrEqual(2);
    expect(steps).toBeLessThan(5);
    expect(await saved()).toBe(steps * 10);
    const [paused] = (await t.deps.database.query('select status, attempts from jobs where id = $1', [jobId])).rows;
    expect(paused).toMatchObject({ status: 'queued', attempts: 0 });
    const poll = async () => (await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/jobs/${jobId}` })).json();
    expect(await poll()).toMatchObject({ status: 'running', waiting: true, total: 50 });

    // another app server (its own connection on PostgreSQL) picks it up from the stored, sealed upload
    const otherDb = t.deps.config.databaseUrl
      ? await openDatabase({ databaseUrl: t.deps.config.databaseUrl, dataDir: '' })
      : null;
    try {
      const db2 = otherDb?.db ?? db;
      const second = new JobRunner(db2, t.clock);
      second.define(importJob({ db: db2, crypto: t.deps.crypto, files: t.deps.files, jobs: second }));
      await second.drain();
    } finally {
      await otherDb?.close();
    }
    expect(await poll()).toMatchObject({
      status: 'succeeded',
      processed: 50,
      total: 50,
      percent: 100,
      result: { total: 50, imported: 48, merged: 1, failed: 1 },
    });
    expect(await count('select count(*) as n from job_steps where job_id = $1')).toBe(5);
    expect(await saved()).toBe(48);
    expect(
      await count(
        'select count(distinct v.volunteer_no) as n from volunteers v ' +
          `join consents c on c.subject_id = v.id and c.purpose = 'registration' ` +
          `where v.name like '续导%' and $1::uuid is not null`,
      ),
    ).toBe(48);
    expect(
      await count(
        'select count(*) as n from volunteers ' +
          `where name = '续导甲子' and phone_masked = '137****4170' and $1::uuid is not null`,
      ),
    ).toBe(1);
    expect(
      await count(`select count(*) as n from audit_events where entity_id = $1::text and action = 'volunteer.import'`),
    ).toBe(1);
    expect(
      await count(
        `select count(*) as n from audit_events where entity_id = $1::text and action = 'volunteer.import.start'`,
      ),
    ).toBe(1);
    // the upload (ID numbers in clear in its cells) is gone with the job
    const [{ payload }] = (await t.deps.database.query('select payload from jobs where id = $1', [jobId])).rows as {
      payload: { upload: string };
    }[];
    await expect(t.deps.files.get(payload.upload)).rejects.toThrow();
  });
});

describe('roster export', () => {
  it('exports the scoped roster as .xlsx with masked ID numbers and phones', async () => {
    const res = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/volunteers/export' });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    const total = (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/volunteers?pageSize=1' })).json().total;
    expect(total).toBeGreaterThan(0);
    expect(ws.rowCount - 1).toBe(total);
    const ids = ws.getColumn(5).values.slice(2) as string[];
    expect(ids).toHaveLength(total);
    expect(ids.every((x) => /^\d{6}\*{8}[\dX]{4}$/.test(x))).toBe(true);
    const phones = (ws.getColumn(6).values.slice(2) as string[]).filter(Boolean);
    expect(phones.length).toBeGreaterThan(0);
    expect(phones.every((x) => /^\d{3}\*{4}\d{4}$/.test(x))).toBe(true);
    const regions = ws.getColumn(7).values.slice(2) as string[];
    expect(regions.length).toBe(total);
  });
});
