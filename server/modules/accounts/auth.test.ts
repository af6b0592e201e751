import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES, DEMO_PASSWORD } from '../../test/constants.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const login = (phone: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone, password } });

describe('login', () => {
  it('returns a token, the roles and sets an httpOnly session cookie', async () => {
    const res = await login(PHONES.countyAdmin, DEMO_PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^[\w-]{40,}$/);
    expect(body.user.roles[0]).toMatchObject({ role: 'county_admin', regionCode: '411523', scope: 'subtree' });
    const cookie = res.cookies.find((c) => c.name === 'wm_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(res.cookies.find((c) => c.name === 'wm_csrf')?.value).toBe(body.csrfToken);
  });

  it('no demo account is asked to change its password (demo logins keep working)', async () => {
    for (const phone of Object.values(PHONES)) {
      const res = await login(phone, DEMO_PASSWORD);
      expect(res.statusCode, phone).toBe(200);
      expect(res.json().mustChangePassword, phone).toBe(false);
    }
    const { rows } = await t.deps.database.query('select count(*)::int as n from users where must_change_password');
    expect(rows[0].n).toBe(0);
  });

  it('answers a wrong password and an unknown phone the same way', async () => {
    const a = await login(PHONES.resident, 'Wrong@2026');
    const b = await login('13912345678', 'Wrong@2026');
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json().error.code).toBe('AUTH_INVALID');
    expect(a.json().error.message).toBe(b.json().error.message);
  });

  it('names the phone field when it is malformed', async () => {
    const res = await login('12345', 'x');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('phone');
  });

  it('locks the account for 15 minutes after 5 failures, then lets it in again', async () => {
    const phone = PHONES.shawoResident;
    for (let i = 0; i < 4; i++) expect((await login(phone, 'Wrong@2026')).statusCode).toBe(401);
    const fifth = await login(phone, 'Wrong@2026');
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().error.code).toBe('AUTH_LOCKED');
    const right = await login(phone, DEMO_PASSWORD);
    expect(right.statusCode).toBe(429);
    t.clock.advance(15 * 60_000 + 1000);
    expect((await login(phone, DEMO_PASSWORD)).statusCode).toBe(200);
  });

  it('stores passwords with scrypt, never in clear', async () => {
    const { rows } = await t.deps.database.query('select password_hash from users');
    for (const r of rows) expect(String(r.password_hash)).toMatch(/^scrypt\$32768\$8\$1\$/);
  });
});

describe('sessions', () => {
  it('/me answers for a bearer token and 401 without one', async () => {
    const me = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ name: '陈新集', regionCode: '411523100', volunteerId: null });
    expect(me.json().permissions).toContain('site:create');
    const anon = await t.app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().error.code).toBe('AUTH_REQUIRED');
  });

  it('/me names the household of a resident who lives in one, and null for one who does not', async () => {
    const resident = t.as(PHONES.resident);
    const me = (await resident({ method: 'GET', url: '/api/v1/me' })).json();
    expect(me.householdId).toMatch(/^[0-9a-f-]{36}$/);
    const points = (await resident({ method: 'GET', url: '/api/v1/me/points' })).json();
    expect(points.household.account.ownerId).toBe(me.householdId);

    const village = (await t.app.inject({ method: 'GET', url: '/api/v1/regions?parent=411523100' })).json().items[0];
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { name: '无户群众', phone: '13300000091', password: 'Resident@1', regionCode: village.code },
    });
    expect(reg.statusCode).toBe(201);
    const fresh = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${reg.json().token}` },
    });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toMatchObject({ name: '无户群众', householdId: null, volunteerId: null });
  });

  it('ends after 30 idle minutes but not while in use', async () => {
    const token = (await login(PHONES.stationAdmin, DEMO_PASSWORD)).json().token;
    const me = () => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    t.clock.advance(20 * 60_000);
    expect((await me()).statusCode).toBe(200);
    t.clock.advance(20 * 60_000);
    expect((await me()).statusCode).toBe(200);
    t.clock.advance(31 * 60_000);
    const res = await me();
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toContain('30 分钟');
  });

  it('logout ends the session', async () => {
    const token = (await login(PHONES.volunteer, DEMO_PASSWORD)).json().token;
    const h = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: h })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: h })).statusCode).toBe(401);
  });

  it('a cookie session needs the CSRF header on writes', async () => {
    const res = await login(PHONES.volunteer2, DEMO_PASSWORD);
    const { token, csrfToken } = res.json();
    const cookies = { wm_session: token };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies })).statusCode).toBe(200);
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies });
    expect(noCsrf.statusCode).toBe(403);
    const withCsrf = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies,
      headers: { 'x-csrf-token': csrfToken },
    });
    expect(withCsrf.statusCode).toBe(204);
  });
});
