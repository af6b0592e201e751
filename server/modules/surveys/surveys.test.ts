import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { listsOf } from '../../platform/lists.js';
import { hashPassword, sha256Hex } from '../../platform/crypto.js';
import { ensureUser } from '../accounts/service.js';

let t: TestApp;
const COUNTY = '411523';
const XINJI = '411523100';
const STATION = PHONES.stationAdmin;
const RESIDENT = PHONES.resident; // 赵大娘, first village of 新集镇
let village: string;
let otherVillage: string;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });
const one = async (sql: string, params: unknown[] = []) => (await t.deps.database.query(sql, params)).rows[0] as Json;
async function ok(
  phone: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  status = 200,
) {
  const res = await api(phone, method, url, payload);
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as Json;
}

const questions = [
  {
    key: 'need',
    label: '您最需要的服务',
    type: 'single',
    required: true,
    options: ['健康义诊', '法律咨询', '文艺演出'],
  },
  { key: 'times', label: '方便的时间', type: 'multi', options: ['上午', '下午', '晚上'] },
  { key: 'note', label: '其他建议', type: 'text' },
];
async function openSurvey(over: Json = {}, phone: string = PHONES.xinjiAdmin) {
  const s = await ok(
    phone,
    'POST',
    '/surveys',
    { title: '2026 年群众需求大排查', regionCode: XINJI, questions, ...over },
    201,
  );
  expect(s.state).toBe('draft');
  expect(s.actions).toEqual(['open']);
  return ok(phone, 'POST', `/surveys/${s.id}/open`);
}

/** Residents of the village with a session straight in the table. */
async function residents(n: number, tag: string) {
  const db = t.deps.database.db;
  const hash = await hashPassword('Resi@2026');
  const actor = { userId: null, name: '测试', countyCode: COUNTY };
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = await ensureUser(
      db,
      t.deps.crypto,
      actor,
      {
        countyCode: COUNTY,
        name: `群众${tag}${i}`,
        phone: `136${tag}${String(i).padStart(8 - tag.length, '0')}`,
        password: '',
        regionCode: village,
        roles: [{ role: 'resident', regionCode: village, scope: 'self' }],
      },
      hash,
    );
    const token = crypto.randomBytes(24).toString('base64url');
    await t.deps.database.query(
      'insert into sessions (token_hash, user_id, csrf_token, last_seen_at, created_at) values ($1, $2, $3, $4, $4)',
      [sha256Hex(token), u.id, 'x', t.clock.now()],
    );
    tokens.push(token);
  }
  return tokens;
}
const withToken = (token: string, url: string, payload: unknown) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${token}` },
    payload: payload as Json,
  });

beforeAll(async () => {
  t = await createTestApp();
  village = (await one(`select region_code from users where name = '王站长'`)).region_code;
  otherVillage = (
    await one(`select code from regions where parent_code = $1 and code <> $2 order by code limit 1`, [XINJI, village])
  ).code;
});
afterAll(async () => {
  await t?.close();
});

describe('surveys', () => {
  it('draft → open → closed, with actions; questions of unknown types are refused naming the field', async () => {
    const bad = await api(PHONES.xinjiAdmin, 'POST', '/surveys', {
      title: '问卷',
      regionCode: XINJI,
      questions: [{ key: 'a', label: '题', type: 'rating' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('questions.0.type');
    const noOptions = await api(PHONES.xinjiAdmin, 'POST', '/surveys', {
      title: '问卷',
      regionCode: XINJI,
      questions: [{ key: 'a', label: '题', type: 'single' }],
    });
    expect(noOptions.statusCode).toBe(400);
    expect(noOptions.json().error.details[0].path).toBe('questions.0.options');
    const s = await openSurvey();
    expect(s.state).toBe('open');
    expect(s.stateName).toBe('收集中');
    expect(s.actions).toEqual(['close']);
    // questions cannot change once answers may come in
    expect((await api(PHONES.xinjiAdmin, 'PUT', `/surveys/${s.id}`, { questions })).statusCode).toBe(409);
    const closed = await ok(PHONES.xinjiAdmin, 'POST', `/surveys/${s.id}/close`);
    expect(closed.actions).toEqual(['reopen']);
    expect((await api(PHONES.xinjiAdmin, 'POST', `/surveys/${s.id}/close`)).statusCode).toBe(409);
    expect(closed.events.map((e: Json) => e.actionName)).toEqual(['创建', '开始收集', '结束收集']);
    // another town neither sees nor acts on it
    expect((await api(PHONES.shawoAdmin, 'GET', `/surveys/${s.id}`)).statusCode).toBe(404);
    expect((await ok(PHONES.shawoAdmin, 'GET', '/surveys?pageSize=200')).items.some((x: Json) => x.id === s.id)).toBe(
      false,
    );
  });

  it('a resident of the town answers once (409 DUPLICATE), exact under concurrency', async () => {
    const s = await openSurvey();
    const mine = await ok(RESIDENT, 'GET', '/me/surveys');
    expect(mine.items.some((x: Json) => x.id === s.id)).toBe(true);
    // the resident of 沙窝镇 does not see it
    expect((await ok(PHONES.shawoResident, 'GET', '/me/surveys')).items.some((x: Json) => x.id === s.id)).toBe(false);
    expect((await api(PHONES.shawoResident, 'GET', `/surveys/${s.id}`)).statusCode).toBe(404);
    const body = { category: 'health', answers: { need: '健康义诊', times: ['上午'] } };
    await ok(RESIDENT, 'POST', `/surveys/${s.id}/responses`, body, 201);
    const again = await api(RESIDENT, 'POST', `/surveys/${s.id}/responses`, body);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('DUPLICATE');
    expect((await ok(RESIDENT, 'GET', `/surveys/${s.id}`)).canAnswer).toBe(false);
    // bad answers: a missing required one, an option not offered, an unknown category
    const missing = await api(PHONES.volunteer, 'POST', `/surveys/${s.id}/responses`, {
      category: 'health',
      answers: {},
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details[0].path).toBe('answers.need');
    const wrong = await api(PHONES.volunteer, 'POST', `/surveys/${s.id}/responses`, {
      category: 'health',
      answers: { need: '修路' },
    });
    expect(wrong.json().error.details[0].path).toBe('answers.need');
    const cat = await api(PHONES.volunteer, 'POST', `/surveys/${s.id}/responses`, {
      category: 'roads',
      answers: { need: '法律咨询' },
    });
    expect(cat.statusCode).toBe(400);
    expect(cat.json().error.details[0].path).toBe('category');
    // one person racing themselves: 8 parallel answers, one lands
    const [token] = await residents(1, '71');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => withToken(token, `/surveys/${s.id}/responses`, body)),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(7);
    const n = await one(`select count(*) from survey_responses where survey_id = $1`, [s.id]);
    expect(Number(n.count)).toBe(2);
  });

  it('allowMultiple lets a person answer again; a closed survey takes no answers', async () => {
    const s = await openSurvey({ allowMultiple: true });
    const body = { category: 'culture', answers: { need: '文艺演出' } };
    await ok(RESIDENT, 'POST', `/surveys/${s.id}/responses`, body, 201);
    await ok(RESIDENT, 'POST', `/surveys/${s.id}/responses`, body, 201);
    await ok(PHONES.xinjiAdmin, 'POST', `/surveys/${s.id}/close`);
    expect((await api(RESIDENT, 'POST', `/surveys/${s.id}/responses`, body)).statusCode).toBe(404);
    const staff = await api(PHONES.xinjiAdmin, 'POST', `/surveys/${s.id}/responses`, {
      ...body,
      respondentName: '老王',
      source: 'mass_meeting',
    });
    expect(staff.statusCode).toBe(409);
  });

  it('staff enter answers from mass meetings; summary by category and region; promote to a service item', async () => {
    const s = await openSurvey();
    const enter = (name: string, category: string, need: string, regionCode: string, source = 'yard_meeting') =>
      ok(
        STATION,
        'POST',
        `/surveys/${s.id}/responses`,
        { respondentName: name, source, category, regionCode, answers: { need, times: ['晚上'] } },
        201,
      );
    const r1 = await enter('老李', 'health', '健康义诊', village);
    const r2 = await enter('老张', 'health', '健康义诊', village, 'mass_meeting');
    await enter('老刘', 'law', '法律咨询', village);
    await ok(
      PHONES.xinjiAdmin,
      'POST',
      `/surveys/${s.id}/responses`,
      {
        respondentName: '小周',
        source: 'mass_meeting',
        category: 'culture',
        regionCode: otherVillage,
        answers: { need: '文艺演出' },
      },
      201,
    );
    // the station admin may not enter answers for another village
    const far = await api(STATION, 'POST', `/surveys/${s.id}/responses`, {
      respondentName: '外村人',
      source: 'mass_meeting',
      category: 'law',
      regionCode: otherVillage,
      answers: { need: '法律咨询' },
    });
    expect(far.statusCode).toBe(400);
    // a resident may not pose as staff
    const pose = await api(RESIDENT, 'POST', `/surveys/${s.id}/responses`, {
      respondentName: '别人',
      source: 'mass_meeting',
      category: 'law',
      answers: { need: '法律咨询' },
    });
    expect(pose.statusCode).toBe(403);
    const sum = await ok(PHONES.xinjiAdmin, 'GET', `/surveys/${s.id}/summary`);
    expect(sum.total).toBe(4);
    expect(sum.byCategory[0]).toMatchObject({ category: 'health', categoryName: '医疗健身', count: 2 });
    expect(sum.byRegion.find((r: Json) => r.regionCode === village).count).toBe(3);
    expect(sum.byRegion.reduce((a: number, r: Json) => a + r.count, 0)).toBe(4);
    expect(sum.questions[0].options.find((o: Json) => o.option === '健康义诊').count).toBe(2);
    expect(sum.questions[1].options.find((o: Json) => o.option === '晚上').count).toBe(3);
    expect((await api(PHONES.shawoAdmin, 'GET', `/surveys/${s.id}/summary`)).statusCode).toBe(404);
    expect((await api(RESIDENT, 'GET', `/surveys/${s.id}/summary`)).statusCode).toBe(403);
    // promote the health cluster into a service item of the town's menu
    const p = await ok(
      PHONES.xinjiAdmin,
      'POST',
      `/surveys/${s.id}/promote`,
      { responseIds: [r1.id, r2.id], serviceItem: { name: '每月健康义诊进村', category: 'health' } },
      201,
    );
    const item = await one(`select name, region_code, category from service_items where id = $1`, [p.serviceItemId]);
    expect(item).toMatchObject({ name: '每月健康义诊进村', region_code: XINJI, category: 'health' });
    const list = await ok(PHONES.xinjiAdmin, 'GET', `/surveys/${s.id}/responses?promoted=true`);
    expect(list.items.map((r: Json) => r.promotedItemName)).toEqual(['每月健康义诊进村', '每月健康义诊进村']);
    const twice = await api(PHONES.xinjiAdmin, 'POST', `/surveys/${s.id}/promote`, {
      responseIds: [r1.id],
      serviceItem: { name: '再来一次', category: 'health' },
    });
    expect(twice.statusCode).toBe(409);
    const badCat = await api(PHONES.xinjiAdmin, 'POST', `/surveys/${s.id}/promote`, {
      responseIds: [(await ok(PHONES.xinjiAdmin, 'GET', `/surveys/${s.id}/responses?promoted=false`)).items[0].id],
      serviceItem: { name: '修路', category: 'roads' },
    });
    expect(badCat.statusCode).toBe(400);
    expect(badCat.json().error.details[0].path).toBe('serviceItem.category');
    const detail = await ok(PHONES.xinjiAdmin, 'GET', `/surveys/${s.id}`);
    expect(detail.events.at(-1).actionName).toBe('转为服务项目');
    expect(
      Number(
        (await one(`select count(*) from audit_events where action = 'survey.promote' and entity_id = $1`, [s.id]))
          .count,
      ),
    ).toBe(1);
  });

  it('promotes answers into an entry of the activity plan: once, in scope, month checked', async () => {
    const s = await openSurvey({ title: '活动需求排查' });
    const enter = (name: string) =>
      ok(
        STATION,
        'POST',
        `/surveys/${s.id}/responses`,
        {
          respondentName: name,
          source: 'yard_meeting',
          category: 'culture',
          regionCode: village,
          answers: { need: '文艺演出' },
        },
        201,
      );
    const [a, b, c] = [await enter('老王'), await enter('老孙'), await enter('老钱')];
    const badMonth = await api(PHONES.xinjiAdmin, 'POST', `/surveys/${s.id}/promote`, {
      responseIds: [a.id],
      activityPlan: { title: '广场舞展演', month: '2027-13', type: 'culture_sports' },
    });
    expect(badMonth.statusCode).toBe(400);
    expect(badMonth.json().error.details[0].path).toBe('activityPlan.month');
    const neither = await api(PHONES.xinjiAdmin, 'POST', `/surveys/${s.id}/promote`, { responseIds: [a.id] });
    expect(neither.statusCode).toBe(400);
    // another town's admin does not see the survey
    const far = await api(PHONES.shawoAdmin, 'POST', `/surveys/${s.id}/promote`, {
      responseIds: [a.id],
      activityPlan: { title: '广场舞展演', month: '2027-05', type: 'culture_sports' },
    });
    expect(far.statusCode).toBe(404);
    const p = await ok(
      PHONES.xinjiAdmin,
      'POST',
      `/surveys/${s.id}/promote`,
      {
        responseIds: [a.id, b.id],
        activityPlan: { title: '广场舞展演', month: '2027-05', type: 'culture_sports', note: '群众点单' },
      },
      201,
    );
    expect(p).toMatchObject({ month: '2027-05', responseIds: [a.id, b.id] });
    const plan = await ok(PHONES.xinjiAdmin, 'GET', `/plans/${p.planId}`);
    expect(plan).toMatchObject({ regionCode: XINJI, year: 2027 });
    expect(plan.months.find((m: Json) => m.month === 5).entries).toEqual([
      {
        title: '广场舞展演',
        type: 'culture_sports',
        note: '群众点单',
        source: { surveyId: s.id, surveyTitle: '活动需求排查', responseCount: 2 },
      },
    ]);
    // a second entry in the same month joins the first
    await ok(
      PHONES.xinjiAdmin,
      'POST',
      `/surveys/${s.id}/promote`,
      { responseIds: [c.id], activityPlan: { title: '戏曲进村', month: '2027-05', type: 'culture_sports' } },
      201,
    );
    const again = await ok(PHONES.xinjiAdmin, 'GET', `/plans/${p.planId}`);
    expect(again.months.find((m: Json) => m.month === 5).entries.map((e: Json) => e.title)).toEqual([
      '广场舞展演',
      '戏曲进村',
    ]);
    const list = await ok(PHONES.xinjiAdmin, 'GET', `/surveys/${s.id}/responses?promoted=true`);
    expect(list.total).toBe(3);
    expect(list.items.find((r: Json) => r.id === a.id)).toMatchObject({
      promotedPlanId: p.planId,
      promotedPlanMonth: '2027-05',
      promotedItemId: null,
    });
    expect((await ok(PHONES.xinjiAdmin, 'GET', `/surveys/${s.id}/responses?promoted=false`)).total).toBe(0);
    // promoted once: neither into a plan again nor into a service item
    const twice = await api(PHONES.xinjiAdmin, 'POST', `/surveys/${s.id}/promote`, {
      responseIds: [a.id],
      activityPlan: { title: '再来一次', month: '2027-06', type: 'theme' },
    });
    expect(twice.statusCode).toBe(409);
    const asItem = await api(PHONES.xinjiAdmin, 'POST', `/surveys/${s.id}/promote`, {
      responseIds: [b.id],
      serviceItem: { name: '再来一次', category: 'culture' },
    });
    expect(asItem.statusCode).toBe(409);
    const detail = await ok(PHONES.xinjiAdmin, 'GET', `/surveys/${s.id}`);
    expect(detail.events.at(-1).actionName).toBe('转为活动计划');
  });
});

describe('the survey list is kept by the list cache, never stale', () => {
  it('a kept page answers again; a survey and an answer through the service, and raw writes, show at once', async () => {
    const hits = () => listsOf(t.deps).cache!.stats().hits;
    const version = async () =>
      (await one(`select coalesce(sum(version), 0)::int as v from cache_versions where name = 'surveys:${COUNTY}'`))
        .v as number;
    const url = '/surveys?pageSize=200&q=缓存排查';
    expect((await ok(PHONES.xinjiAdmin, 'GET', url)).total).toBe(0);
    const h0 = hits();
    await ok(PHONES.xinjiAdmin, 'GET', url);
    expect(hits()).toBe(h0 + 1);
    // through the service: a new survey, an answer
    const s = await openSurvey({ title: '缓存排查问卷', allowMultiple: true });
    const listed = await ok(PHONES.xinjiAdmin, 'GET', url);
    expect(listed.items.map((x: Json) => [x.id, x.state, x.responses])).toEqual([[s.id, 'open', 0]]);
    await ok(
      RESIDENT,
      'POST',
      `/surveys/${s.id}/responses`,
      { category: 'culture', answers: { need: '文艺演出' } },
      201,
    );
    expect((await ok(PHONES.xinjiAdmin, 'GET', url)).items[0].responses).toBe(1);
    // straight into the database: the title, an answer removed
    const v0 = await version();
    await t.deps.database.query(`update surveys set title = '缓存排查问卷（改）' where id = $1`, [s.id]);
    expect(await version()).toBeGreaterThan(v0);
    expect((await ok(PHONES.xinjiAdmin, 'GET', url)).items[0].title).toBe('缓存排查问卷（改）');
    await t.deps.database.query(`delete from survey_responses where survey_id = $1`, [s.id]);
    expect((await ok(PHONES.xinjiAdmin, 'GET', url)).items[0].responses).toBe(0);
    // another town's staff see none of it
    expect((await ok(PHONES.shawoAdmin, 'GET', url)).total).toBe(0);
  });
});
