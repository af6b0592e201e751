import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/harness.js';
import { PHONES } from '../test/constants.js';
import { checkChar } from './idcard.js';
import { DUTY_REFUSED } from './http.js';

let t: TestApp;
let teamId: string;
let village: string;
beforeAll(async () => {
  t = await createTestApp();
  village = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/regions?parent=411523100' })).json().items[3]
    .code;
  teamId = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/teams?pageSize=1' })).json().items[0].id;
});
afterAll(async () => {
  await t?.close();
});

const DUTIES = [
  { name: 'sysadmin', phone: PHONES.sysadmin },
  { name: 'secadmin', phone: PHONES.secadmin },
  { name: 'auditor', phone: PHONES.auditor },
] as const;

/** The account's own things, open to every signed-in account (logout is left out: it would end the session). */
const ACCOUNT = new Set([
  'GET /api/v1/me',
  'POST /api/v1/me/password',
  'GET /api/v1/notifications',
  'POST /api/v1/notifications/read',
  'GET /api/v1/files/{id}',
  'GET /api/v1/jobs/{id}',
  // public: the region tree is read before signing in (registration)
  'GET /api/v1/regions',
  'GET /api/v1/regions/{code}',
]);
/** What each duty's own permissions open (permissions.ts): system configuration, accounts, the audit log. */
const OWN: Record<(typeof DUTIES)[number]['name'], RegExp> = {
  sysadmin: /^(GET|POST|PUT|PATCH|DELETE) \/api\/v1\/(regions|settings|standards|sites)\b/,
  secadmin: /^(GET|POST|PUT|PATCH|DELETE) \/api\/v1\/(regions|users|roles|permissions)\b/,
  auditor: /^(GET|POST|PUT|PATCH|DELETE) \/api\/v1\/audit\b/,
};

const makeId = (birth: string, seq: string) => {
  const f = `410101${birth.replace(/-/g, '')}${seq}`;
  return f + checkChar(f);
};

describe('三员 accounts get nothing beyond their duty', () => {
  for (const d of DUTIES) {
    it(`${d.name} cannot register as a volunteer; nothing is created`, async () => {
      const as = t.as(d.phone);
      const me = (await as({ method: 'GET', url: '/api/v1/me' })).json();
      const res = await as({
        method: 'POST',
        url: '/api/v1/volunteers',
        payload: {
          name: '三员甲',
          idNumber: makeId('1980-02-02', d.name === 'sysadmin' ? '901' : d.name === 'secadmin' ? '902' : '903'),
          regionCode: village,
          consentToRegistration: true,
        },
      });
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().error.message).toBe(DUTY_REFUSED);
      const after = (await as({ method: 'GET', url: '/api/v1/me' })).json();
      expect(after.volunteerId).toBeNull();
      expect(after.roles).toEqual(me.roles);
    });

    it(`${d.name} reads no team, team member or volunteer number`, async () => {
      const as = t.as(d.phone);
      for (const url of [
        '/api/v1/teams/tree',
        '/api/v1/teams/mine',
        `/api/v1/teams/${teamId}`,
        `/api/v1/teams/${teamId}/members`,
        '/api/v1/team-categories',
        '/api/v1/volunteers/me',
      ]) {
        const res = await as({ method: 'GET', url });
        expect(res.statusCode, `${url} ${res.body}`).toBe(403);
        expect(res.json().error.message).toBe(DUTY_REFUSED);
      }
      const join = await as({ method: 'POST', url: `/api/v1/teams/${teamId}/join`, payload: {} });
      expect(join.statusCode).toBe(403);
    });

    it(`${d.name} is refused on every route outside its duty and its own account`, async () => {
      const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      const reached: string[] = [];
      let refused = 0;
      for (const [p, methods] of Object.entries(spec.paths as Record<string, Record<string, unknown>>)) {
        if (p.startsWith('/api/v1/public/') || !p.startsWith('/api/v1/')) continue;
        for (const m of Object.keys(methods)) {
          const op = `${m.toUpperCase()} ${p}`;
          if (op === 'POST /api/v1/auth/logout') continue;
          const res = await t.as(d.phone)({
            method: m.toUpperCase() as 'GET',
            url: p.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'),
            payload: m === 'get' || m === 'delete' ? undefined : {},
          });
          if (res.statusCode === 403) refused++;
          else if (!ACCOUNT.has(op) && !OWN[d.name].test(op) && !p.startsWith('/api/v1/auth/')) reached.push(op);
        }
      }
      expect(refused).toBeGreaterThan(100);
      expect(reached).toEqual([]);
    });
  }

  it('a business account still uses the self-service routes', async () => {
    const res = await t.as(PHONES.volunteer)({ method: 'GET', url: '/api/v1/teams/mine' });
    expect(res.statusCode).toBe(200);
    const me = await t.as(PHONES.resident)({ method: 'GET', url: '/api/v1/volunteers/me' });
    expect(me.statusCode).not.toBe(403);
  });
});
