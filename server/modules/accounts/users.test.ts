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

describe('user management', () => {
  it('a county admin creates a station admin in scope; the new account logs in with the granted scope', async () => {
    const village = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/regions?parent=${XINJI}` })).json()
      .items[2].code;
    const res = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        name: '新站长',
        phone: '13600000001',
        password: 'Station@2026',
        regionCode: village,
        roles: [{ role: 'station_admin', regionCode: village, scope: 'subtree' }],
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      name: '新站长',
      phoneMasked: '136****0001',
      roles: [{ role: 'station_admin', regionCode: village, scope: 'subtree', scopeName: '本级及以下' }],
    });
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { phone: '13600000001', password: 'Station@2026' },
    });
    expect(login.statusCode).toBe(200);
    // staff chose the password: the owner must set their own before anything else answers
    expect(login.json()).toMatchObject({ mustChangePassword: true, user: { mustChangePassword: true } });
    const headers = { authorization: `Bearer ${login.json().token}` };
    const refused = await t.app.inject({ method: 'GET', url: '/api/v1/sites', headers });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      code: 'PASSWORD_CHANGE_REQUIRED',
      message: expect.stringContaining('修改密码'),
    });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers })).json().mustChangePassword).toBe(true);
    const same = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers,
      payload: { oldPassword: 'Station@2026', newPassword: 'Station@2026' },
    });
    expect(same.statusCode).toBe(400);
    expect(same.json().error.details[0].path).toBe('newPassword');
    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers,
      payload: { oldPassword: 'Station@2026', newPassword: 'Mine@20261' },
    });
    expect(changed.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers })).json().mustChangePassword).toBe(false);
    const sites = await t.app.inject({ method: 'GET', url: '/api/v1/sites', headers });
    expect(sites.statusCode).toBe(200);
    const codes = (sites.json().items as { regionCode: string }[]).map((s) => s.regionCode);
    expect(codes).toContain(village); // the village's own station
    expect(codes.every((c) => c.startsWith(village))).toBe(true);
  });

  it('stores phones encrypted and finds them by keyed hash', async () => {
    const { rows } = await t.deps.database.query('select phone_enc, phone_hash, phone_masked from users');
    for (const r of rows) {
      expect(String(r.phone_enc)).not.toMatch(/1[3-9]\d{9}/);
      expect(String(r.phone_hash)).toMatch(/^[0-9a-f]{64}$/);
    }
    const found = await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/users?q=${PHONES.xinjiAdmin}` });
    expect(found.json().items.map((u: { name: string }) => u.name)).toEqual(['陈新集']);
  });

  it('refuses a weak password, a duplicate phone and a region outside the scope', async () => {
    const as = t.as(PHONES.xinjiAdmin);
    const weak = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: '/api/v1/users',
      payload: { name: 'a', phone: '13600000002', password: 'abc', regionCode: XINJI, roles: [] },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.details[0].path).toBe('password');
    const dup = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: '/api/v1/users',
      payload: { name: 'a', phone: PHONES.resident, password: 'Abcd@12345', regionCode: XINJI, roles: [] },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('DUPLICATE');
    // institute admins may read users but not manage them
    expect(
      (
        await as({
          method: 'POST',
          url: '/api/v1/users',
          payload: { name: 'a', phone: '13600000003', password: 'Abcd@12345', regionCode: XINJI, roles: [] },
        })
      ).statusCode,
    ).toBe(403);
    const outside = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: '/api/v1/users',
      payload: { name: 'a', phone: '13600000004', password: 'Abcd@12345', regionCode: '110101', roles: [] },
    });
    expect(outside.statusCode).toBe(400);
  });

  it('an institute admin lists the users of their town only and cannot open others', async () => {
    const list = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/users?pageSize=200' });
    expect(list.statusCode).toBe(200);
    const names = list.json().items.map((u: { name: string }) => u.name);
    expect(names).toContain('王站长');
    expect(names).not.toContain('周沙窝');
    expect(names).not.toContain('审计管理员');
    const shawoAdmin = (
      await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/users?q=${PHONES.shawoAdmin}` })
    ).json().items[0];
    expect((await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/users/${shawoAdmin.id}` })).statusCode).toBe(
      404,
    );
  });

  it('keeps the three administrator duties apart', async () => {
    const sec = t.as(PHONES.secadmin);
    const twoDuties = await sec({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        name: '兼任',
        phone: '13600000005',
        password: 'Abcd@12345',
        roles: [
          { role: 'sysadmin', scope: 'all' },
          { role: 'auditor', scope: 'all' },
        ],
      },
    });
    expect(twoDuties.statusCode).toBe(400);
    const dutyPlusBusiness = await sec({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        name: '兼任',
        phone: '13600000005',
        password: 'Abcd@12345',
        regionCode: XINJI,
        roles: [
          { role: 'auditor', scope: 'all' },
          { role: 'institute_admin', regionCode: XINJI, scope: 'subtree' },
        ],
      },
    });
    expect(dutyPlusBusiness.statusCode).toBe(400);
    const byCountyAdmin = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        name: '审计二',
        phone: '13600000006',
        password: 'Abcd@12345',
        regionCode: XINJI,
        roles: [{ role: 'auditor', scope: 'all' }],
      },
    });
    expect(byCountyAdmin.statusCode).toBe(403);
    const ok = await sec({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        name: '审计二',
        phone: '13600000006',
        password: 'Abcd@12345',
        roles: [{ role: 'auditor', scope: 'all' }],
      },
    });
    expect(ok.statusCode).toBe(201);
    const me = (await sec({ method: 'GET', url: '/api/v1/me' })).json();
    expect(
      (
        await sec({
          method: 'PUT',
          url: `/api/v1/users/${me.id}/roles`,
          payload: { roles: [{ role: 'county_admin', regionCode: '411523', scope: 'subtree' }] },
        })
      ).statusCode,
    ).toBe(403);
  });

  it('changes roles, disables, unlocks and resets a password', async () => {
    const admin = t.as(PHONES.countyAdmin);
    const u = (
      await admin({
        method: 'POST',
        url: '/api/v1/users',
        payload: {
          name: '临时',
          phone: '13600000007',
          password: 'Abcd@12345',
          regionCode: SHAWO,
          roles: [{ role: 'institute_admin', regionCode: SHAWO, scope: 'own' }],
        },
      })
    ).json();
    const roles = await admin({
      method: 'PUT',
      url: `/api/v1/users/${u.id}/roles`,
      payload: { roles: [{ role: 'station_admin', regionCode: SHAWO, scope: 'subtree' }] },
    });
    expect(roles.json().roles).toMatchObject([{ role: 'station_admin', scope: 'subtree' }]);
    const badScope = await admin({
      method: 'PUT',
      url: `/api/v1/users/${u.id}/roles`,
      payload: { roles: [{ role: 'station_admin', scope: 'subtree' }] },
    });
    expect(badScope.statusCode).toBe(400);
    expect(badScope.json().error.details[0].path).toBe('roles.0.regionCode');
    const badEnum = await admin({
      method: 'PUT',
      url: `/api/v1/users/${u.id}/roles`,
      payload: { roles: [{ role: 'station_admin', regionCode: SHAWO, scope: 'everything' }] },
    });
    expect(badEnum.statusCode).toBe(400);
    expect(badEnum.json().error.details[0].path).toBe('roles.0.scope');
    const token = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { phone: '13600000007', password: 'Abcd@12345' },
      })
    ).json().token;
    expect(
      (await admin({ method: 'PATCH', url: `/api/v1/users/${u.id}`, payload: { active: false } })).json().active,
    ).toBe(false);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } }))
        .statusCode,
    ).toBe(401);
    await admin({ method: 'PATCH', url: `/api/v1/users/${u.id}`, payload: { active: true } });
    for (let i = 0; i < 5; i++)
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { phone: '13600000007', password: 'Wrong@1234' },
      });
    expect((await admin({ method: 'GET', url: `/api/v1/users/${u.id}` })).json().locked).toBe(true);
    expect((await admin({ method: 'POST', url: `/api/v1/users/${u.id}/unlock` })).statusCode).toBe(204);
    expect(
      (
        await admin({
          method: 'POST',
          url: `/api/v1/users/${u.id}/reset-password`,
          payload: { password: 'Newpass@2026' },
        })
      ).statusCode,
    ).toBe(204);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { phone: '13600000007', password: 'Newpass@2026' },
        })
      ).json().mustChangePassword,
    ).toBe(true); // a reset password is the staff's, not the owner's
  });

  it('lists the roles with their permissions', async () => {
    const roles = (await t.as(PHONES.secadmin)({ method: 'GET', url: '/api/v1/roles' })).json().items;
    expect(roles.map((r: { code: string }) => r.code)).toEqual(
      expect.arrayContaining([
        'county_admin',
        'institute_admin',
        'station_admin',
        'volunteer',
        'resident',
        'sysadmin',
        'secadmin',
        'auditor',
      ]),
    );
    expect(roles.find((r: { code: string }) => r.code === 'auditor').permissions).toEqual(['audit:read']);
    // by level, not by code: 中心 → 所 → 站 → 志愿者 → 群众, the 三员 after them
    const codes: string[] = roles.map((r: { code: string }) => r.code);
    const order = ['county_admin', 'institute_admin', 'station_admin', 'volunteer', 'resident', 'sysadmin'];
    expect(order.map((c) => codes.indexOf(c))).toEqual(order.map((c) => codes.indexOf(c)).sort((a, b) => a - b));
    expect(codes[0]).toBe('county_admin');
  });
});
