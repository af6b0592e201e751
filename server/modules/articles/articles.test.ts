import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { updateSettings } from '../settings/service.js';

let t: TestApp;
const COUNTY = '411523';
const XINJI = '411523100';
const SHAWO = '411523101';
const STATION = PHONES.stationAdmin; // 王站长, first village of 新集镇
const XINJI_ADMIN = PHONES.xinjiAdmin;
const SHAWO_ADMIN = PHONES.shawoAdmin;
const CENTER = PHONES.countyAdmin;
let village: string;
let shawoVillage: string;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const api = (phone: string | null, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });
const one = async (sql: string, params: unknown[] = []) => (await t.deps.database.query(sql, params)).rows[0] as Json;

const draft = (over: Json = {}) => ({
  column: 'news',
  title: '村里开展文明实践活动',
  body: '<p>今天上午，志愿者们来到村文化广场。</p>',
  regionCode: village,
  ...over,
});
async function create(phone: string, over: Json = {}) {
  const res = await api(phone, 'POST', '/articles', draft(over));
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Json;
}
async function act(phone: string, id: string, action: string, payload?: Json, status = 200) {
  const res = await api(phone, 'POST', `/articles/${id}/${action}`, payload);
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as Json;
}
/** A village article through its whole way to the public columns. */
async function publishedVillageArticle(over: Json = {}) {
  const a = await create(STATION, over);
  await act(STATION, a.id, 'submit');
  await act(XINJI_ADMIN, a.id, 'approve');
  return act(XINJI_ADMIN, a.id, 'publish');
}
/** An image uploaded by `phone`. */
async function image(phone: string) {
  const owner = (await api(phone, 'GET', '/me')).json().id as string;
  const key = `k/${crypto.randomUUID()}`;
  await t.deps.files.put(key, Buffer.from('fake-png'));
  const f = await one(
    `insert into files (county_code, owner_id, purpose, mime, size, sha256, storage_key, original_name)
     values ($1, $2, 'image', 'image/png', 8, 'x', $3, 'a.png') returning id`,
    [COUNTY, owner, key],
  );
  return f.id as string;
}
/** A file uploaded by `phone` as an attachment, through the upload route (multipart field `file`). */
async function attachment(phone: string, name: string, body: Buffer) {
  const boundary = '----wm' + crypto.randomUUID();
  const res = await t.as(phone)({
    method: 'POST',
    url: '/api/v1/files/attachments',
    payload: Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`),
      body,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Json;
}
const publicList = async (query = '') => {
  const res = await api(null, 'GET', `/public/articles?pageSize=200${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Json;
};
const figure = async (key: string) => {
  const o = (await api(CENTER, 'GET', '/stats/overview?from=2025-06-01&to=2026-06-01')).json();
  return o.figures.find((f: Json) => f.key === key).value as number;
};

beforeAll(async () => {
  t = await createTestApp();
  village = (await one(`select region_code from users where name = '王站长'`)).region_code;
  shawoVillage = (await one(`select code from regions where parent_code = $1 order by code limit 1`, [SHAWO])).code;
});
afterAll(async () => {
  await t?.close();
});

describe('demo data', () => {
  it('the demo county: published articles in several columns, some under review, offline publicity', async () => {
    const pub = await publicList();
    expect(pub.total).toBe(10);
    expect(new Set(pub.items.map((a: Json) => a.column)).size).toBeGreaterThanOrEqual(8);
    const all = (await api(CENTER, 'GET', '/articles?pageSize=200')).json();
    expect(all.total).toBe(13);
    const queue = (await api(XINJI_ADMIN, 'GET', '/articles?queue=true')).json();
    expect(queue.items.map((a: Json) => a.title)).toContain('“板凳课堂”开进村头 乡亲们学习防范电信诈骗');
    const p = (await api(CENTER, 'GET', '/publicity?pageSize=50')).json();
    expect(p.total).toBe(6);
    expect(p.items.every((i: Json) => i.photoIds.length === 1)).toBe(true);
  });

  it('the newest demo stories have covers; the county meeting’s work plan is a PDF anyone can download', async () => {
    const pub = await publicList();
    expect(pub.items.filter((a: Json) => a.coverUrl).length).toBe(4);
    const meeting = pub.items.find((a: Json) => a.title === '县新时代文明实践中心召开季度工作推进会');
    const cover = await api(null, 'GET', meeting.coverUrl.replace('/api/v1', ''));
    expect(cover.statusCode).toBe(200);
    expect(cover.headers['content-type']).toBe('image/png');
    const page = (await api(null, 'GET', `/public/articles/${meeting.id}`)).json();
    expect(page.attachments).toHaveLength(1);
    expect(page.attachments[0]).toMatchObject({ name: '第四季度文明实践重点工作安排.pdf', mime: 'application/pdf' });
    const file = await api(null, 'GET', page.attachments[0].url.replace('/api/v1', ''));
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});

describe('articles: create, sanitise, validate', () => {
  it('POST /articles: 201 draft with the editor’s actions; an unknown column is a 400 naming column', async () => {
    const a = await create(STATION);
    expect(a).toMatchObject({ state: 'draft', stateName: '草稿', columnName: '最新动态', actions: ['submit', 'edit'] });
    expect(a.summary).toBe('今天上午，志愿者们来到村文化广场。');
    const bad = await api(STATION, 'POST', '/articles', draft({ column: 'gossip' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('column');
    expect(bad.json().error.details[0].message).toContain('栏目');
    const audit = await one(
      `select count(*)::int as n from audit_events where entity_id = $1 and action = 'article.create'`,
      [a.id],
    );
    expect(audit.n).toBe(1);
  });

  it('sanitised body: scripts, on* handlers, javascript:/data: URLs, SVG, styles, foreign images go', async () => {
    const own = await image(STATION);
    const dirty = [
      '<p style="color:red" onclick="steal()">正文<script>alert(1)</script></p>',
      '<a href="javascript:alert(1)">坏链接</a><a href="data:text/html,<b>x</b>">数据链接</a>',
      '<a href="https://www.gov.cn/">好链接</a>',
      '<svg onload="alert(1)"><circle r="5"/></svg><iframe src="https://evil.example"></iframe>',
      '<img src="https://evil.example/track.png"><img src="data:image/png;base64,AAAA">',
      `<img src="/api/v1/files/${own}" onerror="alert(1)" alt="现场">`,
      '<style>body{display:none}</style><p>结尾</p>',
    ].join('');
    const a = await create(STATION, { body: dirty });
    for (const bad of [
      'script',
      'onclick',
      'onerror',
      'onload',
      'javascript:',
      'data:',
      'svg',
      'style',
      'iframe',
      'evil',
    ])
      expect(a.body, bad).not.toContain(bad);
    expect(a.body).toContain('<a href="https://www.gov.cn/"');
    expect(a.body).toContain(`<img src="/api/v1/files/${own}" alt="现场" />`);
    expect(a.body).toContain('<p>结尾</p>');
    const empty = await api(STATION, 'POST', '/articles', draft({ body: '<script>alert(1)</script>' }));
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details[0].path).toBe('body');
  });

  it('an image of someone else’s that the caller cannot read is refused (400), nothing written', async () => {
    const theirs = await image(SHAWO_ADMIN);
    const before = (await one(`select count(*)::int as n from articles`)).n;
    const res = await api(STATION, 'POST', '/articles', draft({ body: `<p>x</p><img src="/api/v1/files/${theirs}">` }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('imageIds');
    expect((await one(`select count(*)::int as n from articles`)).n).toBe(before);
  });

  it('a region outside the caller’s scope is refused', async () => {
    const res = await api(STATION, 'POST', '/articles', draft({ regionCode: shawoVillage }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('regionCode');
  });
});

describe('articles: review by the level above', () => {
  it('village article: station submits, its town reviews and publishes; not the station nor another town', async () => {
    const a = await create(STATION);
    const submitted = await act(STATION, a.id, 'submit');
    expect(submitted).toMatchObject({ state: 'submitted', actions: [] });
    await act(STATION, a.id, 'approve', undefined, 403);
    expect((await api(SHAWO_ADMIN, 'GET', `/articles/${a.id}`)).statusCode).toBe(404);
    await act(SHAWO_ADMIN, a.id, 'approve', undefined, 404);
    const seen = (await api(XINJI_ADMIN, 'GET', `/articles/${a.id}`)).json();
    expect(seen.actions).toEqual(['approve', 'reject']);
    const approved = await act(XINJI_ADMIN, a.id, 'approve');
    expect(approved).toMatchObject({ state: 'approved', actions: ['reject', 'publish'] });
    const pub = await act(XINJI_ADMIN, a.id, 'publish');
    expect(pub).toMatchObject({ state: 'published', stateName: '已发布', actions: ['withdraw'] });
    expect(pub.events.map((e: Json) => e.action)).toEqual(['create', 'submit', 'approve', 'publish']);
    const audits = await one(`select array_agg(action order by seq) as a from audit_events where entity_id = $1`, [
      a.id,
    ]);
    expect(audits.a).toEqual(['article.create', 'article.submit', 'article.approve', 'article.publish']);
    const note = await one(
      `select count(*)::int as n from notifications
       where entity_id = $1 and user_id = (select id from users where name = '王站长')`,
      [a.id],
    );
    expect(note.n).toBeGreaterThanOrEqual(2);
  });

  it('reject needs a reason and sends the article back for editing; PATCH is refused once submitted', async () => {
    const a = await create(STATION);
    await act(STATION, a.id, 'submit');
    expect((await api(STATION, 'PATCH', `/articles/${a.id}`, { title: '改一个标题吧' })).statusCode).toBe(409);
    const noReason = await api(XINJI_ADMIN, 'POST', `/articles/${a.id}/reject`, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('reason');
    const r = await act(XINJI_ADMIN, a.id, 'reject', { reason: '请补充活动照片' });
    expect(r).toMatchObject({ state: 'rejected', reviewComment: '请补充活动照片' });
    const edited = await api(STATION, 'PATCH', `/articles/${a.id}`, {
      title: '改好了的标题',
      body: '<p>补充了内容</p>',
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ title: '改好了的标题', state: 'rejected', actions: ['submit', 'edit'] });
    await act(STATION, a.id, 'submit');
  });

  it('a town’s own article: the county center reviews it, unless the county lets towns publish their own', async () => {
    const a = await create(XINJI_ADMIN, { regionCode: XINJI });
    const s = await act(XINJI_ADMIN, a.id, 'submit');
    expect(s.actions).toEqual([]);
    await act(XINJI_ADMIN, a.id, 'approve', undefined, 403);
    const queue = (await api(XINJI_ADMIN, 'GET', '/articles?queue=true&pageSize=200')).json();
    expect(queue.items.map((x: Json) => x.id)).not.toContain(a.id);
    const centerQueue = (await api(CENTER, 'GET', '/articles?queue=true&pageSize=200')).json();
    expect(centerQueue.items.map((x: Json) => x.id)).toContain(a.id);

    await updateSettings(
      t.deps.database.db,
      COUNTY,
      { 'articles.townSelfPublish': true },
      {
        userId: null,
        name: '测试',
        countyCode: COUNTY,
      },
    );
    try {
      const again = (await api(XINJI_ADMIN, 'GET', `/articles/${a.id}`)).json();
      expect(again.actions).toEqual(['approve', 'reject']);
      await act(XINJI_ADMIN, a.id, 'approve');
      await act(XINJI_ADMIN, a.id, 'publish');
    } finally {
      await updateSettings(
        t.deps.database.db,
        COUNTY,
        { 'articles.townSelfPublish': false },
        {
          userId: null,
          name: '测试',
          countyCode: COUNTY,
        },
      );
    }
  });

  it('the county center reviews and publishes its own drafts', async () => {
    const a = await create(CENTER, { regionCode: COUNTY, column: 'policy' });
    expect(a.actions).toEqual(['submit', 'edit']);
    const s = await act(CENTER, a.id, 'submit');
    expect(s.actions).toEqual(['approve', 'reject']);
    await act(CENTER, a.id, 'approve');
    expect((await act(CENTER, a.id, 'publish')).state).toBe('published');
  });

  it('two reviewers approving at once: one wins, the other gets 409', async () => {
    const a = await create(STATION);
    await act(STATION, a.id, 'submit');
    const [r1, r2] = await Promise.all([
      api(XINJI_ADMIN, 'POST', `/articles/${a.id}/approve`),
      api(CENTER, 'POST', `/articles/${a.id}/approve`),
    ]);
    expect([r1.statusCode, r2.statusCode].sort()).toEqual([200, 409]);
    const events = await one(
      `select count(*)::int as n from workflow_events
       where entity = 'article' and entity_id = $1 and action = 'approve'`,
      [a.id],
    );
    expect(events.n).toBe(1);
  });

  it('another town’s drafts are absent from the list, present for their own town and the county', async () => {
    const theirs = await create(SHAWO_ADMIN, { regionCode: shawoVillage, title: '沙窝镇的草稿文章' });
    const mine = await create(STATION, { title: '新集镇的草稿文章' });
    const ids = async (phone: string) =>
      (await api(phone, 'GET', '/articles?pageSize=200&state=draft')).json().items.map((x: Json) => x.id) as string[];
    expect(await ids(SHAWO_ADMIN)).toContain(theirs.id);
    expect(await ids(CENTER)).toContain(theirs.id);
    const xinji = await ids(XINJI_ADMIN);
    expect(xinji).toContain(mine.id);
    expect(xinji).not.toContain(theirs.id);
    expect(await ids(STATION)).not.toContain(theirs.id);
    expect((await api(PHONES.resident, 'GET', '/articles')).statusCode).toBe(403);
  });
});

describe('public columns', () => {
  it('published only, no sign-in; withdrawing takes it off at once; a view is counted', async () => {
    const a = await publishedVillageArticle({ column: 'civil_customs', title: '公开阅读的一篇文章' });
    const list = await publicList('&column=civil_customs');
    expect(list.items.map((x: Json) => x.id)).toContain(a.id);
    expect(list.items.every((x: Json) => x.column === 'civil_customs')).toBe(true);
    const first = await api(null, 'GET', `/public/articles/${a.id}`);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ title: '公开阅读的一篇文章', columnName: '文明乡风', views: 1 });
    expect(first.json().text).toBe('今天上午，志愿者们来到村文化广场。');
    expect((await api(null, 'GET', `/public/articles/${a.id}`)).json().views).toBe(2);
    const draftOne = await create(STATION);
    expect((await api(null, 'GET', `/public/articles/${draftOne.id}`)).statusCode).toBe(404);
    await act(XINJI_ADMIN, a.id, 'withdraw', { reason: '信息有误' });
    expect((await publicList()).items.map((x: Json) => x.id)).not.toContain(a.id);
    expect((await api(null, 'GET', `/public/articles/${a.id}`)).statusCode).toBe(404);
    const bad = await api(null, 'GET', '/public/articles?column=nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('column');
    // a county not set up here is a 400 naming it, every time (a refusal is not kept by the list cache)
    for (const q of ['county=999999', 'county=999999', 'regionCode=999999001'])
      expect((await api(null, 'GET', `/public/articles?${q}`)).json().error.details[0].path, q).toBe('county');
  });

  it('concurrent readers each count one view', async () => {
    const a = await publishedVillageArticle({ title: '很多人同时阅读的文章' });
    const reads = await Promise.all(Array.from({ length: 20 }, () => api(null, 'GET', `/public/articles/${a.id}`)));
    expect(reads.every((r) => r.statusCode === 200)).toBe(true);
    expect((await api(XINJI_ADMIN, 'GET', `/articles/${a.id}`)).json().views).toBe(20);
  });

  it('the kept list is never stale: publish, withdraw and a direct edit invalidate it; a view does not', async () => {
    const before = await publicList();
    const again = await publicList();
    expect(again).toEqual(before);
    const a = await publishedVillageArticle({ title: '缓存测试文章' });
    const after = await publicList();
    expect(after.total).toBe(before.total + 1);
    expect(after.items.map((x: Json) => x.id)).toContain(a.id);
    const version = async () =>
      (await one(`select coalesce(sum(version), 0)::int as v from cache_versions where name = 'articles:${COUNTY}'`)).v;
    const v0 = await version();
    await api(null, 'GET', `/public/articles/${a.id}`);
    expect(await version()).toBe(v0);
    await t.deps.database.query(`update articles set title = '直接改过的标题' where id = $1`, [a.id]);
    expect((await publicList()).items.find((x: Json) => x.id === a.id).title).toBe('直接改过的标题');
    await act(XINJI_ADMIN, a.id, 'withdraw');
    expect((await publicList()).total).toBe(before.total);
  });

  it('a published article’s images are readable without signing in, through its own route only', async () => {
    const img = await image(STATION);
    const a = await create(STATION, { body: `<p>有图</p><img src="/api/v1/files/${img}">`, coverFileId: img });
    const route = `/public/articles/${a.id}/files/${img}`;
    expect((await api(null, 'GET', route)).statusCode).toBe(404);
    expect((await api(XINJI_ADMIN, 'GET', `/files/${img}`)).statusCode).toBe(200);
    expect((await api(SHAWO_ADMIN, 'GET', `/files/${img}`)).statusCode).toBe(404);
    await act(STATION, a.id, 'submit');
    await act(XINJI_ADMIN, a.id, 'approve');
    await act(XINJI_ADMIN, a.id, 'publish');
    const page = (await api(null, 'GET', `/public/articles/${a.id}`)).json();
    expect(page.body).toContain(`/api/v1/public/articles/${a.id}/files/${img}`);
    expect(page.coverUrl).toBe(`/api/v1/public/articles/${a.id}/files/${img}`);
    const file = await api(null, 'GET', route);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect((await api(SHAWO_ADMIN, 'GET', `/files/${img}`)).statusCode).toBe(200);
    const other = await image(STATION);
    expect((await api(null, 'GET', `/public/articles/${a.id}/files/${other}`)).statusCode).toBe(404);
  });

  it('a published article’s attachments download without signing in; an unpublished one’s do not', async () => {
    const pdf = await attachment(STATION, '活动方案.pdf', Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n'));
    expect(pdf).toMatchObject({ mime: 'application/pdf', name: '活动方案.pdf' });
    const a = await create(STATION, { attachmentIds: [pdf.id] });
    const route = `/public/articles/${a.id}/files/${pdf.id}`;
    expect((await api(null, 'GET', route)).statusCode).toBe(404);
    const detail = (await api(STATION, 'GET', `/articles/${a.id}`)).json();
    expect(detail.attachments).toEqual([
      { id: pdf.id, name: '活动方案.pdf', mime: 'application/pdf', size: pdf.size, url: `/api/v1/files/${pdf.id}` },
    ]);
    await act(STATION, a.id, 'submit');
    await act(XINJI_ADMIN, a.id, 'approve');
    // approved, not yet published: still not public
    expect((await api(null, 'GET', route)).statusCode).toBe(404);
    await act(XINJI_ADMIN, a.id, 'publish');
    const page = (await api(null, 'GET', `/public/articles/${a.id}`)).json();
    expect(page.attachments.map((f: Json) => [f.name, f.url])).toEqual([['活动方案.pdf', `/api/v1${route}`]]);
    const file = await api(null, 'GET', route);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toContain(encodeURIComponent('活动方案.pdf'));
    expect(file.body).toContain('%PDF-1.4');
    await act(XINJI_ADMIN, a.id, 'withdraw', { reason: '内容需要更新' });
    expect((await api(null, 'GET', route)).statusCode).toBe(404);
  });
});

describe('statistics', () => {
  it('articles.published equals its drill-down and moves with publish and withdraw', async () => {
    const n0 = await figure('articles.published');
    const rows = (
      await api(CENTER, 'GET', '/stats/rows?key=articles.published&from=2025-06-01&to=2026-06-01&pageSize=200')
    ).json();
    expect(rows.total).toBe(n0);
    expect(rows.items[0].detail).not.toMatch(/^[a-z_]+$/);
    const a = await publishedVillageArticle();
    expect(await figure('articles.published')).toBe(n0 + 1);
    await act(XINJI_ADMIN, a.id, 'withdraw');
    expect(await figure('articles.published')).toBe(n0);
  });

  it('publicity items count their quantities; the drill-down sums to the figure', async () => {
    const p0 = await figure('publicity.posters');
    const res = await api(STATION, 'POST', '/publicity', {
      kind: 'poster',
      title: '垃圾分类宣传画',
      quantity: 15,
      day: '2026-05-20',
      regionCode: village,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(await figure('publicity.posters')).toBe(p0 + 15);
    const rows = (await api(CENTER, 'GET', '/stats/rows?key=publicity.posters&from=2025-06-01&to=2026-06-01')).json();
    expect(rows.sum).toBe(p0 + 15);
  });
});

describe('offline publicity', () => {
  it('create, read, edit, delete in scope; a future day is refused; another town’s items are absent', async () => {
    const photo = await image(STATION);
    const made = await api(STATION, 'POST', '/publicity', {
      kind: 'leaflet',
      title: '文明积分明白纸',
      quantity: 300,
      day: '2026-05-30',
      regionCode: village,
      photoIds: [photo],
    });
    expect(made.statusCode, made.body).toBe(201);
    const p = made.json();
    expect(p).toMatchObject({ kindName: '宣传单', unit: '份', quantity: 300, photoIds: [photo] });
    const future = await api(STATION, 'POST', '/publicity', { ...p, id: undefined, day: '2026-06-05' });
    expect(future.statusCode).toBe(400);
    const edited = await api(STATION, 'PATCH', `/publicity/${p.id}`, { quantity: 350 });
    expect(edited.json().quantity).toBe(350);
    const theirs = await api(SHAWO_ADMIN, 'POST', '/publicity', {
      kind: 'banner',
      title: '沙窝镇横幅',
      quantity: 2,
      day: '2026-05-30',
      regionCode: shawoVillage,
    });
    expect(theirs.statusCode).toBe(201);
    const ids = async (phone: string) =>
      (await api(phone, 'GET', '/publicity?pageSize=200')).json().items.map((x: Json) => x.id) as string[];
    expect(await ids(CENTER)).toEqual(expect.arrayContaining([p.id, theirs.json().id]));
    expect(await ids(STATION)).toContain(p.id);
    expect(await ids(STATION)).not.toContain(theirs.json().id);
    expect((await api(STATION, 'GET', `/publicity/${theirs.json().id}`)).statusCode).toBe(404);
    expect((await api(STATION, 'GET', `/files/${photo}`)).statusCode).toBe(200);
    expect((await api(STATION, 'DELETE', `/publicity/${p.id}`)).statusCode).toBe(204);
    expect((await api(STATION, 'GET', `/publicity/${p.id}`)).statusCode).toBe(404);
  });
});
