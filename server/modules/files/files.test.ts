import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const XINJI = '411523100';
const tinyPng = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d' +
    '0000000049454e44ae426082',
  'hex',
);
const api = (phone: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });

async function upload(phone: string) {
  const boundary = '----wm' + Math.random().toString(16).slice(2);
  const res = await t.as(phone)({
    method: 'POST',
    url: '/api/v1/files',
    payload: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: ` +
          `image/png\r\n\r\n`,
      ),
      tinyPng,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
const statusOf = async (phone: string, fileId: string) => (await api(phone, 'GET', `/files/${fileId}`)).statusCode;
async function act(phone: string, id: string, action: string, payload: Json = {}) {
  const res = await api(phone, 'POST', `/wishes/${id}/${action}`, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json() as Json;
}

describe('GET /files/:id reads a file only where the record holding it is readable', () => {
  it('a file no record holds yet: its uploader only', async () => {
    const f = await upload(PHONES.xinjiAdmin);
    expect(await statusOf(PHONES.xinjiAdmin, f)).toBe(200);
    for (const p of [PHONES.countyAdmin, PHONES.shawoAdmin, PHONES.stationAdmin, PHONES.resident])
      expect(await statusOf(p, f), p).toBe(404);
  });

  it("inspection evidence of a 新集镇 station: that town's staff and residents, never another town's", async () => {
    const station = (await api(PHONES.xinjiAdmin, 'GET', `/sites?kind=station&regionCode=${XINJI}&pageSize=1`)).json()
      .items[0];
    const detail = (await api(PHONES.xinjiAdmin, 'GET', `/sites/${station.id}`)).json();
    const f = await upload(PHONES.xinjiAdmin);
    const res = await api(PHONES.xinjiAdmin, 'POST', `/sites/${station.id}/inspections`, {
      standardId: detail.standard.id,
      results: detail.standard.items.map((it: Json, i: number) => ({
        itemCode: it.code,
        passed: true,
        photoIds: i === 0 ? [f] : [],
      })),
    });
    expect(res.statusCode, res.body).toBe(201);
    for (const p of [PHONES.xinjiAdmin, PHONES.countyAdmin, PHONES.resident]) expect(await statusOf(p, f), p).toBe(200);
    for (const p of [PHONES.shawoAdmin, PHONES.shawoResident, PHONES.auditor])
      expect(await statusOf(p, f), p).toBe(404);
    const img = await api(PHONES.xinjiAdmin, 'GET', `/files/${f}`);
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.rawPayload.equals(tinyPng)).toBe(true);
  });

  it("a wish's fulfilment photo follows the wish: the beneficiary's consent decides who else sees it", async () => {
    const me = (await api(PHONES.resident, 'GET', '/me')).json();
    const wish = async (consentToPublish: boolean) => {
      const w = await api(PHONES.resident, 'POST', '/wishes', {
        title: '想要一台收音机',
        description: '独居老人，想听戏曲广播',
        value: 120,
        regionCode: me.regionCode,
        beneficiaryName: '王桂兰',
        consentToPublish,
      });
      expect(w.statusCode, w.body).toBe(201);
      const id = w.json().id as string;
      await act(PHONES.stationAdmin, id, 'verify');
      await act(PHONES.stationAdmin, id, 'publish');
      await act(PHONES.volunteer, id, 'claim');
      // the claimant's own upload (only one's own or readable files may be attached); once the wish holds it, the
      // uploader reads it only as the wish allows
      const f = await upload(PHONES.volunteer);
      await act(PHONES.volunteer, id, 'fulfill', { photoIds: [f] });
      return f;
    };
    const hidden = await wish(false);
    // the submitter and the staff of the place see it; the claimant and everyone else do not (as the detail shows)
    for (const p of [PHONES.resident, PHONES.stationAdmin, PHONES.xinjiAdmin, PHONES.countyAdmin])
      expect(await statusOf(p, hidden), p).toBe(200);
    for (const p of [PHONES.volunteer, PHONES.shawoAdmin, PHONES.shawoResident])
      expect(await statusOf(p, hidden), p).toBe(404);
    // with consent the photo is on the public wall: whoever may see that page may read it
    const shown = await wish(true);
    for (const p of [PHONES.resident, PHONES.volunteer, PHONES.shawoResident, PHONES.shawoAdmin])
      expect(await statusOf(p, shown), p).toBe(200);
  });

  it('a missing id is 404, the same answer as an unreadable one', async () => {
    expect(await statusOf(PHONES.countyAdmin, '00000000-0000-4000-8000-000000000000')).toBe(404);
  });

  it('a file whose bytes are gone from the store (restored without its files) is a 404 saying so, not a 500', async () => {
    const f = await upload(PHONES.xinjiAdmin);
    const { rows } = await t.deps.database.query('select storage_key from files where id = $1', [f]);
    await t.deps.files.remove(rows[0].storage_key as string);
    const res = await api(PHONES.xinjiAdmin, 'GET', `/files/${f}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain('文件内容已不在文件存储中');
  });
});

describe('POST /files/attachments takes documents and images by their bytes', () => {
  const send = (phone: string | null, name: string, body: Buffer) => {
    const boundary = '----wm' + Math.random().toString(16).slice(2);
    return t.as(phone)({
      method: 'POST',
      url: '/api/v1/files/attachments',
      payload: Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`),
        body,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
  };
  const ole2 = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]);
  const zipOf = (entry: string) =>
    Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(26), Buffer.from(entry)]);

  it('PDF, Word, Excel, JPG and PNG are kept with their type and name, read by the uploader as a download', async () => {
    const cases: [string, Buffer, string][] = [
      ['通知.pdf', Buffer.from('%PDF-1.7\n%%EOF\n'), 'application/pdf'],
      ['旧版.doc', ole2, 'application/msword'],
      ['旧表.xls', ole2, 'application/vnd.ms-excel'],
      [
        '方案.docx',
        zipOf('word/document.xml'),
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ],
      ['名单.XLSX', zipOf('xl/workbook.xml'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['照片.png', tinyPng, 'image/png'],
    ];
    for (const [name, body, mime] of cases) {
      const res = await send(PHONES.xinjiAdmin, name, body);
      expect(res.statusCode, `${name} ${res.body}`).toBe(201);
      expect(res.json()).toMatchObject({ mime, name, size: body.length });
      const read = await api(PHONES.xinjiAdmin, 'GET', `/files/${res.json().id}`);
      expect(read.headers['content-type']).toBe(mime);
      if (!mime.startsWith('image/')) expect(read.headers['content-disposition']).toContain('attachment');
    }
  });

  it('a renamed, unknown, empty or oversized file is refused naming the file; signing in is needed', async () => {
    for (const [name, body] of [
      ['方案.docx', zipOf('xl/workbook.xml')],
      ['方案.xlsx', zipOf('word/document.xml')],
      ['程序.pdf', Buffer.from('MZ\x90\x00 not a pdf')],
      ['宏.doc', Buffer.from('<html><script>alert(1)</script></html>')],
      ['动图.webp', Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ')],
      ['旧版.ppt', ole2],
      ['空.pdf', Buffer.alloc(0)],
    ] as [string, Buffer][]) {
      const res = await send(PHONES.xinjiAdmin, name, body);
      expect(res.statusCode, name).toBe(400);
      expect(res.json().error.details[0].path, name).toBe('file');
      expect(res.json().error.message, name).toMatch(/附件只能是|文件是空的/);
    }
    const big = await send(
      PHONES.xinjiAdmin,
      '大.pdf',
      Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(5 * 1024 * 1024)]),
    );
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: '附件不能超过 5 MB' });
    expect(big.json().error.details[0].path).toBe('file');
    expect((await send(null, '通知.pdf', Buffer.from('%PDF-1.7\n'))).statusCode).toBe(401);
  });
});
