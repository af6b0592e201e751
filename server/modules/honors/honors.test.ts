import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { consents, files, regions } from '../../db/schema/index.js';
import { maskHonorName, publishDueHonors } from './service.js';

let t: TestApp;
let xinjiVillage: string;
let shawoVillage: string;
let photoId: string;
const COUNTY = '411523';
const XINJI = `${COUNTY}100`;
const SHAWO = `${COUNTY}101`;
const DAY = 86400_000;

const api = (phone: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as object } : {}) });
const tinyPng = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d' +
    '0000000049454e44ae426082',
  'hex',
);
async function upload(phone: string) {
  const boundary = '----wm' + Math.random().toString(16).slice(2);
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\nContent-Type: ` +
        `image/png\r\n\r\n`,
    ),
    tinyPng,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await t.as(phone)({
    method: 'POST',
    url: '/api/v1/files',
    payload: body,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
const story = (who: string) =>
  `${who}十年如一日照顾瘫痪在床的婆婆，端水喂饭、擦身翻身从不间断，还常帮邻居照看留守儿童，在村里传为佳话。`;
const nomination = (over: Record<string, unknown> = {}) => ({
  kind: 'good_person',
  nomineeName: '王秀兰',
  story: story('王秀兰'),
  regionCode: xinjiVillage,
  consent: true,
  ...over,
});
const board = async (query = '') =>
  (await api(null, 'GET', `/public/honors?pageSize=200${query}`)).json().items as { id: string; name: string }[];
const notices = async () =>
  (await api(null, 'GET', '/public/honors/notices?pageSize=200')).json().items as {
    id: string;
    name: string;
    story: string;
  }[];

beforeAll(async () => {
  t = await createTestApp();
  const db = t.deps.database.db;
  const firstVillage = async (town: string) =>
    (await db.select().from(regions).where(eq(regions.parentCode, town)).orderBy(asc(regions.code)).limit(1))[0].code;
  xinjiVillage = await firstVillage(XINJI);
  shawoVillage = await firstVillage(SHAWO);
  photoId = await upload(PHONES.resident);
});
afterAll(async () => {
  await t?.close();
});

describe('demo data', () => {
  it('seeds honours of every kind for this year and last, mostly on the board, some under notice, one objected to', async () => {
    // this describe runs first: everything listed is seeded
    const seeded = (await api(PHONES.countyAdmin, 'GET', '/honors?pageSize=200')).json().items as {
      kind: string;
      state: string;
      consent: boolean;
      year: number;
      objections: number;
      noticeEnded: boolean;
    }[];
    expect(seeded.length).toBeGreaterThanOrEqual(38);
    expect(new Set(seeded.map((h) => h.kind)).size).toBe(6);
    expect(new Set(seeded.map((h) => h.year))).toEqual(new Set([2025, 2026]));
    expect(seeded.filter((h) => h.state === 'published' && h.consent).length).toBeGreaterThanOrEqual(25);
    expect(seeded.some((h) => h.state === 'nominated' && h.objections === 1)).toBe(true);
    for (const st of ['rejected', 'revoked'])
      expect(
        seeded.some((h) => h.state === st),
        st,
      ).toBe(true);
    expect(seeded.some((h) => !h.consent)).toBe(true);
    // under notice: consented ones in full, the one without consent masked; none of them due yet
    const onNotice = await notices();
    expect(onNotice.length).toBeGreaterThanOrEqual(3);
    expect(onNotice.some((n) => n.name.includes('*'))).toBe(true);
    const masked = onNotice.filter((n) => n.name.includes('*'));
    expect(masked).toHaveLength(1); // the seed puts one nominee without consent under notice
    const full = (await api(PHONES.countyAdmin, 'GET', '/honors?state=notice&pageSize=200')).json().items as {
      id: string;
      nomineeName: string;
    }[];
    for (const m of masked) {
      const real = full.find((f) => f.id === m.id)!.nomineeName;
      // the seeded name is random: the mask keeps the first character and the length, and hides the rest
      expect(m.name).not.toBe(real);
      expect([...m.name]).toHaveLength([...real].length);
      expect(m.name[0]).toBe(real[0]);
      expect(m.story).not.toContain(real.replace(/家庭$/, ''));
    }
    const underNotice = seeded.filter((h) => h.state === 'notice');
    expect(underNotice.length).toBeGreaterThanOrEqual(3);
    expect(underNotice.every((h) => !h.noticeEnded)).toBe(true);
    const xinjiBoard = await board(`&regionCode=${XINJI}`);
    expect(xinjiBoard.length).toBeGreaterThan(0);
  });
});

describe('honour lifecycle', () => {
  it('nominate (consent recorded) → approve → notice → objection → approve → publish after the notice → revoke takes it off the board', async () => {
    const name = '王秀兰测';
    const res = await api(
      PHONES.resident,
      'POST',
      '/honors/nominations',
      nomination({ nomineeName: name, story: story(name), photoFileId: photoId }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const h = res.json();
    expect(h).toMatchObject({
      state: 'nominated',
      stateName: '待审核',
      kind: 'good_person',
      kindName: '身边好人',
      consent: true,
      year: 2026,
      nominatorName: '赵大娘',
      actions: ['withdrawConsent'],
    });
    const id = h.id as string;
    const [c] = await t.deps.database.db
      .select()
      .from(consents)
      .where(and(eq(consents.subjectType, 'honor'), eq(consents.subjectId, id)));
    expect(c).toMatchObject({ purpose: 'public_board', version: 'honor-board-v1', grantedBy: 'self', revokedAt: null });
    // the institute of the town is told
    const inbox = (await api(PHONES.xinjiAdmin, 'GET', '/notifications?pageSize=50')).json().items;
    expect(
      inbox.some((n: { kind: string; body: string }) => n.kind === 'honor.nominated' && n.body.includes(name)),
    ).toBe(true);

    // the resident sees their own nomination; another town's admin does not, and cannot review it
    expect(
      (await api(PHONES.resident, 'GET', '/honors?pageSize=200')).json().items.map((x: { id: string }) => x.id),
    ).toContain(id);
    expect(
      (await api(PHONES.shawoResident, 'GET', '/honors?pageSize=200')).json().items.map((x: { id: string }) => x.id),
    ).not.toContain(id);
    expect(
      (await api(PHONES.shawoAdmin, 'GET', '/honors?pageSize=200')).json().items.map((x: { id: string }) => x.id),
    ).not.toContain(id);
    expect((await api(PHONES.shawoAdmin, 'GET', `/honors/${id}`)).statusCode).toBe(404);
    expect((await api(PHONES.shawoAdmin, 'POST', `/honors/${id}/approve`, {})).statusCode).toBe(404);
    expect((await api(PHONES.resident, 'POST', `/honors/${id}/approve`, {})).statusCode).toBe(403);
    expect((await api(PHONES.stationAdmin, 'POST', `/honors/${id}/approve`, {})).statusCode).toBe(403);
    expect((await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/publish`)).statusCode).toBe(409);
    expect((await api(PHONES.resident, 'POST', `/honors/${id}/object`, { reason: '还没公示呢' })).statusCode).toBe(409);

    const approved = await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/approve`, { comment: '事迹属实' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'notice', reviewComment: '事迹属实', noticeEnded: false });
    expect(new Date(approved.json().noticeEndAt).getTime() - t.clock.now().getTime()).toBe(5 * DAY);
    expect((await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/approve`, {})).statusCode).toBe(409);
    // consented: the full name on the notice, nothing yet on the board
    expect((await notices()).find((n) => n.id === id)).toMatchObject({ name, kindName: '身边好人' });
    expect((await board()).map((x) => x.id)).not.toContain(id);

    // publishing before the notice ends → 409
    t.clock.advance(2 * DAY);
    const early = await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/publish`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toContain('公示期满后才能发布');

    // an objection from anyone in the county sends it back, with the reason on the timeline
    expect((await api(PHONES.shawoResident, 'POST', `/honors/${id}/object`, {})).json().error.details[0].path).toBe(
      'reason',
    );
    const objected = await api(PHONES.shawoResident, 'POST', `/honors/${id}/object`, {
      reason: '事迹中照顾邻居儿童一事与事实不符',
    });
    expect(objected.statusCode, objected.body).toBe(200);
    expect(objected.json()).toMatchObject({ state: 'nominated' });
    expect((await notices()).map((n) => n.id)).not.toContain(id);
    const detail = (await api(PHONES.xinjiAdmin, 'GET', `/honors/${id}`)).json();
    expect(detail).toMatchObject({
      state: 'nominated',
      noticeEndAt: null,
      objections: 1,
      actions: expect.arrayContaining(['approve', 'reject']),
    });
    expect(detail.events.map((e: { action: string }) => e.action)).toEqual(['nominate', 'approve', 'object']);
    expect(detail.events[2]).toMatchObject({
      fromState: 'notice',
      toState: 'nominated',
      actorName: '孙大爷',
      note: '事迹中照顾邻居儿童一事与事实不符',
    });
    const adminInbox = (await api(PHONES.xinjiAdmin, 'GET', '/notifications?pageSize=50')).json().items;
    expect(adminInbox.some((n: { kind: string }) => n.kind === 'honor.object')).toBe(true);

    // approved again: a fresh notice; after it ends, published
    expect((await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/approve`, { comment: '核实无误' })).json().state).toBe(
      'notice',
    );
    t.clock.advance(5 * DAY + 60_000);
    expect((await api(PHONES.xinjiAdmin, 'GET', `/honors/${id}`)).json()).toMatchObject({
      noticeEnded: true,
      actions: expect.arrayContaining(['publish']),
    });
    const published = await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/publish`);
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json()).toMatchObject({ state: 'published', stateName: '已上榜' });
    expect((await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/publish`)).statusCode).toBe(409);

    // the board, without signing in: name, story, photo, region, year, kind
    const entry = (await board('&kind=good_person')).find((x) => x.id === id);
    expect(entry).toMatchObject({
      name,
      story: story(name),
      kind: 'good_person',
      kindName: '身边好人',
      year: 2026,
      photoUrl: `/api/v1/public/honors/${id}/photo`,
    });
    expect((entry as unknown as { regionName: string }).regionName).toMatch(/^新集镇/);
    expect((await board('&kind=moral_model')).map((x) => x.id)).not.toContain(id);
    const photo = await api(null, 'GET', `/public/honors/${id}/photo`);
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['content-type']).toBe('image/png');
    expect(photo.rawPayload.equals(tinyPng)).toBe(true);

    // revoke: needs a reason, takes it off the board and the photo with it
    expect((await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/revoke`, {})).json().error.details[0].path).toBe(
      'reason',
    );
    expect((await api(PHONES.resident, 'POST', `/honors/${id}/revoke`, { reason: '不该上榜' })).statusCode).toBe(403);
    const revoked = await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/revoke`, { reason: '经查本人有违法失德行为' });
    expect(revoked.json()).toMatchObject({ state: 'revoked', revokeReason: '经查本人有违法失德行为' });
    expect((await board()).map((x) => x.id)).not.toContain(id);
    expect((await api(null, 'GET', `/public/honors/${id}/photo`)).statusCode).toBe(404);
    expect((await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/revoke`, { reason: '再次撤销' })).statusCode).toBe(409);
    const nominatorInbox = (await api(PHONES.resident, 'GET', '/notifications?pageSize=50')).json().items;
    expect(
      nominatorInbox.some(
        (n: { kind: string; body: string }) => n.kind === 'honor.revoke' && n.body.includes('经查本人有违法失德行为'),
      ),
    ).toBe(true);
  });

  it('without consent: masked on the notice, 409 on publish, never on the board; consent recorded later lets the sweep publish it', async () => {
    const name = '刘建国测';
    const res = await api(
      PHONES.xinjiAdmin,
      'POST',
      '/honors/nominations',
      nomination({ kind: 'good_deed', nomineeName: name, story: story(name), consent: false, photoFileId: photoId }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    expect(
      await t.deps.database.db
        .select()
        .from(consents)
        .where(and(eq(consents.subjectType, 'honor'), eq(consents.subjectId, id))),
    ).toHaveLength(0);
    await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/approve`, {});
    const onNotice = (await notices()).find((n) => n.id === id)!;
    expect(onNotice.name).toBe('刘**测');
    expect(maskHonorName('王建国家庭')).toBe('王*国家庭');
    expect(maskHonorName('李明家庭')).toBe('李*家庭');
    expect(maskHonorName('欧阳')).toBe('欧*');
    expect(onNotice.story).not.toContain(name);
    expect(JSON.stringify(await notices())).not.toContain(name);

    t.clock.advance(5 * DAY + 60_000);
    const refused = await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/publish`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('尚未同意公开姓名和照片');
    expect(refused.json().error.details[0].path).toBe('consent');
    expect((await api(PHONES.xinjiAdmin, 'GET', `/honors/${id}`)).json()).toMatchObject({
      state: 'notice',
      awaitingConsent: true,
    });
    // the sweep leaves it alone
    await publishDueHonors(t.deps.database.db, t.clock.now());
    expect((await api(PHONES.xinjiAdmin, 'GET', `/honors/${id}`)).json().state).toBe('notice');
    expect((await board()).map((x) => x.id)).not.toContain(id);
    expect(JSON.stringify(await board())).not.toContain(name);
    expect((await api(null, 'GET', `/public/honors/${id}/photo`)).statusCode).toBe(404);

    // staff record the paper consent; the sweep then publishes it
    const consented = await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/consent`, { consent: true });
    expect(consented.statusCode, consented.body).toBe(200);
    expect(consented.json()).toMatchObject({ consent: true, awaitingConsent: false });
    expect((await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/consent`, { consent: true })).statusCode).toBe(409);
    const [c] = await t.deps.database.db
      .select()
      .from(consents)
      .where(and(eq(consents.subjectType, 'honor'), eq(consents.subjectId, id)));
    expect(c).toMatchObject({ purpose: 'public_board', grantedBy: 'staff_on_paper' });
    const swept = await publishDueHonors(t.deps.database.db, t.clock.now());
    expect(swept.published).toBeGreaterThanOrEqual(1);
    const detail = (await api(PHONES.xinjiAdmin, 'GET', `/honors/${id}`)).json();
    expect(detail.state).toBe('published');
    expect(detail.events.at(-1)).toMatchObject({ action: 'auto_publish', actorName: '荣誉公示' });
    expect((await board()).map((x) => x.id)).toContain(id);

    // withdrawing consent takes it off the board at once; the consent row is revoked, not deleted
    expect(
      (
        await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/consent`, { consent: false, note: '本人电话告知不愿公开' })
      ).json(),
    ).toMatchObject({ consent: false, state: 'published' });
    expect((await board()).map((x) => x.id)).not.toContain(id);
    expect((await api(null, 'GET', `/public/honors/${id}/photo`)).statusCode).toBe(404);
    const [after] = await t.deps.database.db
      .select()
      .from(consents)
      .where(and(eq(consents.subjectType, 'honor'), eq(consents.subjectId, id)));
    expect(after.revokedAt).not.toBeNull();
  });

  it('reject needs a reason and tells the nominator', async () => {
    const id = (
      await api(
        PHONES.volunteer,
        'POST',
        '/honors/nominations',
        nomination({ kind: 'beautiful_family', nomineeName: '李明家庭' }),
      )
    ).json().id;
    expect(
      (await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/reject`, { reason: '' })).json().error.details[0].path,
    ).toBe('reason');
    expect(
      (
        await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/reject`, { reason: '事迹材料不完整，请补充后重新推荐' })
      ).json(),
    ).toMatchObject({ state: 'rejected', reviewComment: '事迹材料不完整，请补充后重新推荐' });
    expect((await api(PHONES.xinjiAdmin, 'POST', `/honors/${id}/approve`, {})).statusCode).toBe(409);
    const inbox = (await api(PHONES.volunteer, 'GET', '/notifications?pageSize=50')).json().items;
    expect(inbox.some((n: { kind: string }) => n.kind === 'honor.reject')).toBe(true);
  });
});

describe('bad input, sign-in, permissions and scope', () => {
  it('names the field: kind, consent, story, regionCode, year, photoFileId', async () => {
    const bad = async (over: Record<string, unknown>, phone: string = PHONES.resident) => {
      const res = await api(phone, 'POST', '/honors/nominations', nomination(over));
      expect(res.statusCode, res.body).toBe(400);
      return res.json().error;
    };
    const unknownKind = await bad({ kind: 'hero' });
    expect(unknownKind.details[0].path).toBe('kind');
    expect(unknownKind.message).toContain('身边好人');
    expect((await bad({ consent: undefined })).details[0].path).toBe('consent');
    expect((await bad({ consent: 'yes' })).details[0].path).toBe('consent');
    expect((await bad({ story: '好人' })).details[0].path).toBe('story');
    expect((await bad({ regionCode: '110101001' })).details[0].path).toBe('regionCode');
    expect((await bad({ regionCode: 'abc' })).details[0].path).toBe('regionCode');
    expect((await bad({ year: 2031 })).details[0].path).toBe('year');
    expect((await bad({ photoFileId: '00000000-0000-4000-8000-000000000000' })).details[0].path).toBe('photoFileId');
    expect((await bad({ photoFileId: 'nope' })).details[0].path).toBe('photoFileId');
    expect((await bad({ volunteerId: '00000000-0000-4000-8000-000000000000' })).details[0].path).toBe('volunteerId');
    expect((await bad({ householdId: '00000000-0000-4000-8000-000000000000' })).details[0].path).toBe('householdId');
    expect((await bad({ consentBy: 'staff_on_paper' })).details[0].path).toBe('consentBy');
    expect((await bad({ consentBy: 'guardian' })).details[0].path).toBe('consentBy');
    const [pdf] = await t.deps.database.db
      .insert(files)
      .values({
        countyCode: COUNTY,
        ownerId: (await api(PHONES.resident, 'GET', '/me')).json().id, // the caller's own file, of the wrong type
        purpose: 'export',
        mime: 'application/pdf',
        size: 1,
        sha256: 'x',
        storageKey: 'x.pdf',
        originalName: 'x.pdf',
      })
      .returning();
    expect((await bad({ photoFileId: pdf.id })).message).toContain('图片');
    expect((await api(null, 'GET', '/public/honors?kind=hero')).json().error.details[0].path).toBe('kind');
    expect((await api(null, 'GET', '/public/honors?kind=hero')).statusCode).toBe(400);
    expect((await api(PHONES.xinjiAdmin, 'GET', '/honors?state=done')).json().error.details[0].path).toBe('state');
  });

  it('401 without sign-in, 403 without the permission, 404 outside the scope', async () => {
    const id = (
      await api(
        PHONES.xinjiAdmin,
        'POST',
        '/honors/nominations',
        nomination({ kind: 'civilized_family', nomineeName: '陈红梅家庭' }),
      )
    ).json().id;
    for (const [method, url, body] of [
      ['POST', '/honors/nominations', nomination()],
      ['GET', '/honors', undefined],
      ['GET', `/honors/${id}`, undefined],
      ['POST', `/honors/${id}/approve`, {}],
      ['POST', `/honors/${id}/reject`, { reason: '不符合条件' }],
      ['POST', `/honors/${id}/object`, { reason: '有异议的' }],
      ['POST', `/honors/${id}/publish`, undefined],
      ['POST', `/honors/${id}/revoke`, { reason: '撤销理由' }],
      ['POST', `/honors/${id}/consent`, { consent: true }],
    ] as const) {
      expect((await api(null, method, url, body)).statusCode, `${method} ${url}`).toBe(401);
    }
    // the auditor has no honour permissions; residents cannot review
    expect((await api(PHONES.auditor, 'POST', '/honors/nominations', nomination())).statusCode).toBe(403);
    expect((await api(PHONES.auditor, 'GET', '/honors')).statusCode).toBe(403);
    for (const action of ['approve', 'publish'])
      expect((await api(PHONES.resident, 'POST', `/honors/${id}/${action}`, {})).statusCode).toBe(403);
    expect((await api(PHONES.volunteer, 'POST', `/honors/${id}/reject`, { reason: '不符合条件' })).statusCode).toBe(
      403,
    );
    // 沙窝镇's admin cannot review a 新集镇 nomination, nor nominate for 新集镇; the station admin only for their village
    expect((await api(PHONES.shawoAdmin, 'POST', `/honors/${id}/approve`, {})).statusCode).toBe(404);
    expect((await api(PHONES.shawoAdmin, 'POST', `/honors/${id}/reject`, { reason: '不符合条件' })).statusCode).toBe(
      404,
    );
    expect((await api(PHONES.shawoAdmin, 'POST', '/honors/nominations', nomination())).statusCode).toBe(404);
    expect(
      (await api(PHONES.stationAdmin, 'POST', '/honors/nominations', nomination({ regionCode: shawoVillage })))
        .statusCode,
    ).toBe(404);
    expect((await api(PHONES.stationAdmin, 'POST', '/honors/nominations', nomination())).statusCode).toBe(201);
    // a resident may nominate anyone of the county; the county admin reviews everything
    expect(
      (await api(PHONES.resident, 'POST', '/honors/nominations', nomination({ regionCode: shawoVillage }))).statusCode,
    ).toBe(201);
    expect((await api(PHONES.countyAdmin, 'POST', `/honors/${id}/approve`, {})).json().state).toBe('notice');
    // the resident cannot read someone else's nomination
    expect((await api(PHONES.resident, 'GET', `/honors/${id}`)).statusCode).toBe(404);
  });

  it('the public routes need no sign-in and show published, consented entries only', async () => {
    for (const url of [
      '/public/honors',
      '/public/honors/notices',
      `/public/honors?county=${COUNTY}&kind=safe_family&year=2025`,
      `/public/honors?regionCode=${XINJI}`,
    ]) {
      const res = await api(null, 'GET', url);
      expect(res.statusCode, url).toBe(200);
      expect(res.json()).toMatchObject({ items: expect.any(Array), total: expect.any(Number), page: 1 });
    }
    expect((await api(null, 'GET', '/public/honors?county=12')).statusCode).toBe(400);
    const staff = (await api(PHONES.countyAdmin, 'GET', '/honors?pageSize=200')).json().items as {
      id: string;
      state: string;
      consent: boolean;
    }[];
    const publicIds = new Set((await board()).map((x) => x.id));
    for (const h of staff) expect(publicIds.has(h.id), h.id).toBe(h.state === 'published' && h.consent);
  });
});

describe('the honour machine: actions answered are the actions allowed', () => {
  const bodies: Record<string, { url: string; body?: object }> = {
    approve: { url: 'approve', body: {} },
    reject: { url: 'reject', body: { reason: '事迹不实' } },
    object: { url: 'object', body: { reason: '事迹与实际不符' } },
    publish: { url: 'publish' },
    revoke: { url: 'revoke', body: { reason: '发现违纪' } },
    recordConsent: { url: 'consent', body: { consent: true } },
    withdrawConsent: { url: 'consent', body: { consent: false } },
  };
  const take = (phone: string, id: string, action: string) =>
    api(phone, 'POST', `/honors/${id}/${bodies[action].url}`, bodies[action].body);
  const ok = async (res: Promise<{ statusCode: number; body: string }>) => {
    const r = await res;
    expect(r.statusCode, r.body).toBe(200);
  };
  /**
   * Fresh honours of 新集镇, nominated by the station admin and brought into the given states by the town's admin,
   * moving the clock once for all of them (every move of the clock past the idle limit means signing in again).
   */
  async function fresh(states: string[], consent = true) {
    const ids: string[] = [];
    for (const _ of states) {
      const res = await api(
        PHONES.stationAdmin,
        'POST',
        '/honors/nominations',
        nomination({ nomineeName: '刘桂芝', story: story('刘桂芝'), consent }),
      );
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id as string);
    }
    const each = async (which: string[], action: string) => {
      for (const [i, id] of ids.entries()) if (which.includes(states[i])) await ok(take(PHONES.xinjiAdmin, id, action));
    };
    await each(['rejected'], 'reject');
    if (states.some((s) => ['noticeEnded', 'published', 'revoked'].includes(s))) {
      await each(['noticeEnded', 'published', 'revoked'], 'approve');
      t.clock.advance(5 * DAY + 60_000);
    }
    await each(['notice'], 'approve');
    await each(['published', 'revoked'], 'publish');
    await each(['revoked'], 'revoke');
    return ids;
  }

  it('in every state, each listed action succeeds on a fresh honour and each unlisted one is refused', async () => {
    const expected: Record<string, string[]> = {
      nominated: ['approve', 'reject', 'withdrawConsent'],
      notice: ['reject', 'object', 'withdrawConsent'],
      noticeEnded: ['reject', 'object', 'publish', 'withdrawConsent'],
      published: ['revoke', 'withdrawConsent'],
      rejected: [],
      revoked: [],
    };
    const names = Object.keys(bodies);
    for (const [state, actions] of Object.entries(expected)) {
      const [probe, ...ids] = await fresh(Array<string>(names.length + 1).fill(state));
      const listed = (await api(PHONES.xinjiAdmin, 'GET', `/honors/${probe}`)).json().actions as string[];
      expect(listed, state).toEqual(actions);
      for (const [i, action] of names.entries()) {
        const id = ids[i];
        const res = await take(PHONES.xinjiAdmin, id, action);
        if (listed.includes(action)) expect(res.statusCode, `${state} ${action}: ${res.body}`).toBe(200);
        else expect([403, 409], `${state} ${action}: ${res.body}`).toContain(res.statusCode);
      }
    }
    // without consent the ended notice offers no publish, and publishing is refused with the field named
    const [unconsented] = await fresh(['noticeEnded'], false);
    const d = (await api(PHONES.xinjiAdmin, 'GET', `/honors/${unconsented}`)).json();
    expect(d.actions).toEqual(['reject', 'object', 'recordConsent']);
    const refused = await take(PHONES.xinjiAdmin, unconsented, 'publish');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details[0].path).toBe('consent');
  }, 600_000);

  it('the wrong party: 403 for one who sees it but may not act, 404 for one who does not see it', async () => {
    const [id, onNotice] = await fresh(['nominated', 'notice']);
    // the nominating station admin sees it but does not review
    const mine = (await api(PHONES.stationAdmin, 'GET', `/honors/${id}`)).json();
    expect(mine.actions).toEqual(['withdrawConsent']);
    expect((await take(PHONES.stationAdmin, id, 'approve')).statusCode).toBe(403);
    // another town's reviewer and a resident of the county do not see a nomination
    expect((await take(PHONES.shawoAdmin, id, 'approve')).statusCode).toBe(404);
    expect((await api(PHONES.resident, 'GET', `/honors/${id}`)).statusCode).toBe(404);
    expect((await take(PHONES.resident, id, 'object')).statusCode).toBe(404);
    // under notice anyone of the county may object (the notice is public), but nobody else may review it
    expect((await take(PHONES.shawoAdmin, onNotice, 'reject')).statusCode).toBe(404);
    expect((await take(PHONES.resident, onNotice, 'approve')).statusCode).toBe(403);
    const objected = await take(PHONES.resident, onNotice, 'object');
    expect(objected.statusCode, objected.body).toBe(200);
    expect(objected.json().state).toBe('nominated');
    // an action in a state it does not leave: 409 naming the state
    const again = await take(PHONES.xinjiAdmin, onNotice, 'revoke');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toBe('该推荐待审核，不能撤销');
  });

  it('two reviewers at once: one wins, the other gets 409', async () => {
    const [id] = await fresh(['nominated']);
    const results = await Promise.all([
      take(PHONES.xinjiAdmin, id, 'approve'),
      take(PHONES.countyAdmin, id, 'approve'),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const events = (await api(PHONES.xinjiAdmin, 'GET', `/honors/${id}`)).json().events as { action: string }[];
    expect(events.map((e) => e.action)).toHaveLength(2);
  });
});
