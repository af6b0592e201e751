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

const XINJI = '411523100';
const SHAWO = '411523101';

describe('teams', () => {
  it('the demo county has about 60 teams in a 总队 → 支队 → 分队 tree, and the demo volunteers belong to a 新集镇 team', async () => {
    const as = t.as(PHONES.countyAdmin);
    const list = (await as({ method: 'GET', url: '/api/v1/teams?pageSize=200' })).json();
    expect(list.total).toBeGreaterThanOrEqual(50);
    const tree = (await as({ method: 'GET', url: '/api/v1/teams/tree' })).json().items;
    expect(tree).toHaveLength(1);
    expect(tree[0]).toMatchObject({ level: 'corps', levelName: '总队' });
    expect(tree[0].children.every((c: { level: string }) => c.level === 'brigade')).toBe(true);
    expect(tree[0].children.some((c: { children: unknown[] }) => c.children.length > 0)).toBe(true);
    const cats = (await as({ method: 'GET', url: '/api/v1/team-categories' }))
      .json()
      .items.map((c: { code: string }) => c.code);
    expect(cats).toEqual(['theory', 'culture', 'education', 'health', 'science', 'law', 'environment', 'poverty']);
    for (const phone of [PHONES.volunteer, PHONES.volunteer2]) {
      const mine = (await t.as(phone)({ method: 'GET', url: '/api/v1/teams/mine' })).json().mine;
      const xinjiTeam = mine.find(
        (m: { status: string; name: string }) => m.status === 'active' && m.name.startsWith('新集镇'),
      );
      expect(xinjiTeam, phone).toBeTruthy();
      const team = (await t.as(phone)({ method: 'GET', url: `/api/v1/teams/${xinjiTeam.id}` })).json();
      expect(team.regionCode).toBe(XINJI);
    }
  });

  it('creates a team with a custom category and validates level, parent and category', async () => {
    const as = t.as(PHONES.countyAdmin);
    const cat = await as({
      method: 'POST',
      url: '/api/v1/team-categories',
      payload: { code: 'elderly', name: '敬老助老' },
    });
    expect(cat.statusCode).toBe(201);
    expect(
      (await as({ method: 'POST', url: '/api/v1/team-categories', payload: { code: 'theory', name: '重复' } }))
        .statusCode,
    ).toBe(409);
    const corps = (await as({ method: 'GET', url: '/api/v1/teams?level=corps' })).json().items[0];
    const squad = (await as({ method: 'GET', url: `/api/v1/teams?level=squad&regionCode=${XINJI}` })).json().items[0];
    const volunteer = (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/volunteers?pageSize=1' })).json()
      .items[0];
    const created = await t.as(PHONES.xinjiAdmin)({
      method: 'POST',
      url: '/api/v1/teams',
      payload: {
        name: '新集镇敬老志愿服务分队',
        level: 'squad',
        category: 'elderly',
        regionCode: XINJI,
        parentId: squad.parentId,
        leaderVolunteerId: volunteer.id,
        isBrand: true,
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      category: 'elderly',
      leaderName: volunteer.name,
      memberCount: 1,
      isBrand: true,
    });
    const badLevel = await as({
      method: 'POST',
      url: '/api/v1/teams',
      payload: { name: '错层级', level: 'corps', category: 'theory', regionCode: XINJI, parentId: squad.id },
    });
    expect(badLevel.statusCode).toBe(400);
    expect(badLevel.json().error.details[0].path).toBe('parentId');
    const badCat = await as({
      method: 'POST',
      url: '/api/v1/teams',
      payload: { name: '坏类别队', level: 'squad', category: 'astrology', regionCode: XINJI, parentId: corps.id },
    });
    expect(badCat.json().error.details[0].path).toBe('category');
    const badEnum = await as({
      method: 'POST',
      url: '/api/v1/teams',
      payload: { name: '坏层级', level: 'division', category: 'theory', regionCode: XINJI },
    });
    expect(badEnum.json().error.details[0].path).toBe('level');
    const dup = await t.as(PHONES.xinjiAdmin)({
      method: 'POST',
      url: '/api/v1/teams',
      payload: { name: '新集镇敬老志愿服务分队', level: 'squad', category: 'elderly', regionCode: XINJI },
    });
    expect(dup.statusCode).toBe(409);
    const outside = await t.as(PHONES.xinjiAdmin)({
      method: 'POST',
      url: '/api/v1/teams',
      payload: { name: '越权队', level: 'squad', category: 'theory', regionCode: SHAWO },
    });
    expect(outside.statusCode).toBe(404);
  });

  it('a volunteer asks to join from the H5; the leader approves; staff of another town cannot see the team', async () => {
    const vol = t.as(PHONES.volunteer);
    const { joinable } = (await vol({ method: 'GET', url: '/api/v1/teams/mine' })).json();
    const target = joinable.find((j: { regionName: string }) => j.regionName === '新集镇');
    const join = await vol({ method: 'POST', url: `/api/v1/teams/${target.id}/join`, payload: { note: '想参加' } });
    expect(join.statusCode).toBe(201);
    expect(join.json().status).toBe('pending');
    expect((await vol({ method: 'POST', url: `/api/v1/teams/${target.id}/join`, payload: {} })).statusCode).toBe(409);
    const me = (await vol({ method: 'GET', url: '/api/v1/me' })).json();
    // another volunteer (not the leader) cannot approve
    expect(
      (
        await t.as(PHONES.volunteer2)({
          method: 'POST',
          url: `/api/v1/teams/${target.id}/members/${me.volunteerId}/approve`,
        })
      ).statusCode,
    ).toBe(403);
    const pending = (
      await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/teams/${target.id}/members?status=pending` })
    ).json().items;
    expect(pending.map((p: { volunteerId: string }) => p.volunteerId)).toContain(me.volunteerId);
    const ok = await t.as(PHONES.xinjiAdmin)({
      method: 'POST',
      url: `/api/v1/teams/${target.id}/members/${me.volunteerId}/approve`,
    });
    expect(ok.json()).toEqual({ status: 'active' });
    expect(
      (
        await t.as(PHONES.xinjiAdmin)({
          method: 'POST',
          url: `/api/v1/teams/${target.id}/members/${me.volunteerId}/approve`,
        })
      ).statusCode,
    ).toBe(409);
    expect((await t.as(PHONES.shawoAdmin)({ method: 'GET', url: `/api/v1/teams/${target.id}` })).statusCode).toBe(404);
    expect(
      (await vol({ method: 'DELETE', url: `/api/v1/teams/${target.id}/members/${me.volunteerId}` })).statusCode,
    ).toBe(204);
  });

  it('a team leader decides on join requests for their own team', async () => {
    // make the demo volunteer 2 lead a new team, then volunteer 1 asks to join it
    const v2 = (await t.as(PHONES.volunteer2)({ method: 'GET', url: '/api/v1/me' })).json();
    const team = (
      await t.as(PHONES.xinjiAdmin)({
        method: 'POST',
        url: '/api/v1/teams',
        payload: {
          name: '新集镇读书会志愿服务分队',
          level: 'squad',
          category: 'culture',
          regionCode: XINJI,
          leaderVolunteerId: v2.volunteerId,
        },
      })
    ).json();
    const v1 = (await t.as(PHONES.volunteer)({ method: 'GET', url: '/api/v1/me' })).json();
    const joined = await t.as(PHONES.volunteer)({ method: 'POST', url: `/api/v1/teams/${team.id}/join` });
    expect(joined.statusCode, joined.body + JSON.stringify(team)).toBe(201);
    const decided = await t.as(PHONES.volunteer2)({
      method: 'POST',
      url: `/api/v1/teams/${team.id}/members/${v1.volunteerId}/reject`,
      payload: { reason: '名额已满' },
    });
    expect(decided.json()).toEqual({ status: 'rejected' });
  });

  it('lists inactive teams by a query on the 30-day setting', async () => {
    const as = t.as(PHONES.countyAdmin);
    const inactive = (await as({ method: 'GET', url: '/api/v1/teams?inactive=true&pageSize=200' })).json();
    const active = (await as({ method: 'GET', url: '/api/v1/teams?inactive=false&pageSize=200' })).json();
    const all = (await as({ method: 'GET', url: '/api/v1/teams?pageSize=200' })).json();
    expect(inactive.inactiveDays).toBe(30);
    expect(inactive.total + active.total).toBe(all.total);
    // active: an order accepted (or the team founded) within 30 days; the demo year of orders feeds the query
    const now = t.clock.now().getTime();
    const recent = (d: string | null) => !!d && now - new Date(d).getTime() < 30 * 86400_000;
    for (const x of active.items) expect(recent(x.lastActiveAt) || recent(x.createdAt), x.name).toBe(true);
    for (const x of inactive.items) {
      expect(x.inactive).toBe(true);
      expect(recent(x.lastActiveAt)).toBe(false);
    }
    expect(inactive.total).toBeGreaterThan(10);
    expect(active.items.some((x: { lastActiveAt: string | null }) => recent(x.lastActiveAt))).toBe(true);
    await as({ method: 'PUT', url: '/api/v1/settings', payload: { 'teams.inactiveDays': 365 } });
    const fewer = (await as({ method: 'GET', url: '/api/v1/teams?inactive=true&pageSize=200' })).json();
    expect(fewer.total).toBeLessThan(inactive.total);
    expect(fewer.inactiveDays).toBe(365);
  });

  it('answers 400 for bad ids and 404 for teams out of scope or missing', async () => {
    const as = t.as(PHONES.xinjiAdmin);
    expect((await as({ method: 'GET', url: '/api/v1/teams/nope' })).statusCode).toBe(400);
    expect((await as({ method: 'GET', url: '/api/v1/teams/00000000-0000-4000-8000-000000000000' })).statusCode).toBe(
      404,
    );
    const shawoTeam = (
      await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/teams?regionCode=${SHAWO}` })
    ).json().items[0];
    expect(
      (await as({ method: 'PATCH', url: `/api/v1/teams/${shawoTeam.id}`, payload: { name: '改名' } })).statusCode,
    ).toBe(404);
  });
});
