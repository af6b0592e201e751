import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/harness.js';
import { PHONES } from '../test/constants.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const PUBLIC = new Set([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/sms-code',
  'GET /api/v1/regions',
  'GET /api/v1/regions/{code}',
  'GET /api/health',
  'GET /api/openapi.json',
]);

describe('every endpoint', () => {
  it('answers 401 in the envelope without a token (all API routes but the public ones)', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const ops: [string, string][] = [];
    for (const [p, methods] of Object.entries(spec.paths as Record<string, Record<string, unknown>>)) {
      for (const m of Object.keys(methods)) ops.push([m.toUpperCase(), p]);
    }
    expect(ops.length).toBeGreaterThan(25);
    for (const [method, p] of ops) {
      const url = p.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      if (p.startsWith('/api/v1/public/')) {
        // the public pages (certificate verification, notices) answer without sign-in
        const res = await t.app.inject({ method: method as 'GET', url });
        expect(res.statusCode, `${method} ${p}`).not.toBe(401);
        continue;
      }
      if (PUBLIC.has(`${method} ${p}`)) continue;
      const res = await t.app.inject({
        method: method as 'GET',
        url,
        payload: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      expect(res.statusCode, `${method} ${p}`).toBe(401);
      expect(res.json().error.code).toBe('AUTH_REQUIRED');
    }
  });

  it('documents every operation in OpenAPI with a Chinese summary', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    for (const [p, methods] of Object.entries(spec.paths as Record<string, Record<string, { summary?: string }>>)) {
      for (const [m, op] of Object.entries(methods)) expect(op.summary, `${m} ${p}`).toMatch(/[\u4e00-\u9fa5]/);
    }
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
  });

  it('answers 403 where the role lacks the permission', async () => {
    const as = t.as(PHONES.resident);
    for (const [method, url] of [
      ['POST', '/api/v1/sites'],
      ['GET', '/api/v1/users'],
      ['GET', '/api/v1/audit'],
      ['PUT', '/api/v1/settings'],
      ['GET', '/api/v1/stats/coverage'],
      ['POST', '/api/v1/standards'],
    ] as const) {
      const res = await as({ method, url, payload: method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
  });
});

describe('bad input', () => {
  it('malformed JSON → 400, a body over 1 MB → 413, a wrong content type → 415, never a 500', async () => {
    const as = t.as(PHONES.countyAdmin);
    const bad = await as({
      method: 'POST',
      url: '/api/v1/sites',
      payload: '{"kind": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('请求体不是合法的 JSON');
    const huge = await as({
      method: 'POST',
      url: '/api/v1/sites',
      payload: JSON.stringify({ kind: 'point', name: 'x', regionCode: '411523', description: 'x'.repeat(1_100_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const xml = await as({
      method: 'POST',
      url: '/api/v1/sites',
      payload: '<site/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.statusCode).toBe(415);
    const badId = await as({ method: 'GET', url: '/api/v1/sites/not-a-uuid' });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.details[0].path).toBe('id');
    const missing = await as({ method: 'GET', url: '/api/v1/sites/00000000-0000-4000-8000-000000000000' });
    expect(missing.statusCode).toBe(404);
    const unknownRoute = await as({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(unknownRoute.statusCode).toBe(404);
    expect(unknownRoute.json().error.code).toBe('NOT_FOUND');
  });

  it('answers with a request id header and no stack trace', async () => {
    const res = await t.as(PHONES.countyAdmin)({ method: 'POST', url: '/api/v1/sites', payload: { kind: 1 } });
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('health reports the database engine', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.json()).toMatchObject({ status: 'ok', database: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite' });
  });
});
