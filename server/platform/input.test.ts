import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../test/harness.js';
import { PHONES } from '../test/constants.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};
type Operation = {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
};
type Spec = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, JsonSchema> } };

const ANY_ID = '00000000-0000-4000-8000-000000000000';
const NUL = 'a\u0000b';
/** Everyone, so that each route meets at least one account its permission lets in. */
const CALLERS = [
  PHONES.countyAdmin,
  PHONES.resident,
  PHONES.volunteer,
  PHONES.secadmin,
  PHONES.sysadmin,
  PHONES.auditor,
];

/** The path to a string somewhere in a request schema (a property, an item, a branch), or null if it takes none. */
function stringPath(spec: Spec, s: JsonSchema | undefined, depth = 0): string[] | null {
  if (!s || depth > 8) return null;
  if (s.$ref) return stringPath(spec, spec.components?.schemas?.[s.$ref.split('/').pop()!], depth + 1);
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('string')) return [];
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    const found = stringPath(spec, p, depth + 1);
    if (found) return [k, ...found];
  }
  if (s.items) {
    const found = stringPath(spec, s.items, depth + 1);
    if (found) return ['0', ...found];
  }
  for (const b of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) {
    const found = stringPath(spec, b, depth + 1);
    if (found) return found;
  }
  return null;
}

/** A value that holds the NUL at `path` (an array index makes an array). */
function valueAt(path: string[]): unknown {
  if (path.length === 0) return NUL;
  const [head, ...rest] = path;
  return /^\d+$/.test(head) ? [valueAt(rest)] : { [head]: valueAt(rest) };
}

/** Every row of every table but sessions (a request touches its session), as one digest. */
async function fingerprint() {
  const tables = (await t.deps.database.db.execute(
    sql`select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'sessions' order by 1`,
  )) as unknown as { rows: { table_name: string }[] };
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const r = (await t.deps.database.db.execute(
      sql`select count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as d
        from ${sql.identifier(table_name)} x`,
    )) as unknown as { rows: { d: string }[] };
    parts.push(`${table_name}=${r.rows[0].d}`);
  }
  return parts;
}

describe('a NUL character in any string', () => {
  it('is refused with 400 naming the field on every route that takes a JSON body, and changes nothing', async () => {
    for (const p of CALLERS) await t.token(p); // sign in first: logging in writes rows
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as Spec;
    const cases: { method: string; route: string; path: string[] }[] = [];
    for (const [route, methods] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const path = stringPath(spec, op.requestBody?.content?.['application/json']?.schema);
        if (path) cases.push({ method: method.toUpperCase(), route, path });
      }
    }
    // the free-text fields of the issue are among them (wishes, households, honours, rules, reasons …)
    expect(cases.length).toBeGreaterThan(60);
    const routes = cases.map((c) => `${c.method} ${c.route}`);
    for (const r of [
      'POST /api/v1/wishes',
      'POST /api/v1/households',
      'POST /api/v1/honors/nominations',
      'POST /api/v1/point-rules',
      'POST /api/v1/volunteers',
    ])
      expect(routes).toContain(r);

    const before = await fingerprint();
    const missed: string[] = [];
    for (const c of cases) {
      const url = c.route.replace(/\{[^}]+\}/g, ANY_ID);
      let answered = false;
      for (const phone of CALLERS) {
        const res = await t.as(phone)({ method: c.method as 'POST', url, payload: valueAt(c.path) as object });
        if (res.statusCode === 403) continue; // this account may not call it: try the next one
        expect(res.statusCode, `${c.method} ${c.route} ${res.body}`).toBe(400);
        const field = c.path.join('.') || '(root)';
        expect(res.json().error.details, `${c.method} ${c.route}`).toEqual([
          { path: field, message: expect.any(String) },
        ]);
        expect(res.json().error.message).toContain(field);
        answered = true;
        break;
      }
      if (!answered) missed.push(`${c.method} ${c.route}`);
    }
    expect(missed).toEqual([]);
    expect(await fingerprint()).toEqual(before);
  }, 600_000);

  it('is refused in a query string and in a path parameter', async () => {
    const q = await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/volunteers?q=a%00b' });
    expect(q.statusCode).toBe(400);
    expect(q.json().error.details).toEqual([{ path: 'q', message: expect.any(String) }]);
    expect(q.json().error.message).toContain('查询参数');
    const p = await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/regions/41%0015' });
    expect(p.statusCode).toBe(400);
    expect(p.json().error.details).toEqual([{ path: 'code', message: expect.any(String) }]);
  });

  it('is refused in a nested key and an array item', async () => {
    const res = await t.as(PHONES.resident)({
      method: 'POST',
      url: '/api/v1/wishes',
      payload: { title: '心愿', photoIds: ['x', NUL] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('photoIds.1');
  });
});

const boundary = '----wenming-test-boundary';
const multipartOf = (body: string | Buffer) => ({
  payload: body,
  headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
});
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

describe('a malformed multipart body', () => {
  const uploads = [
    { phone: PHONES.countyAdmin, url: '/api/v1/files', filename: 'a.png' },
    { phone: PHONES.countyAdmin, url: '/api/v1/volunteers/import', filename: 'v.xlsx' },
  ];
  const head = (filename: string) =>
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${filename}"\r\ncontent-type: ` +
    `application/octet-stream\r\n\r\n`;

  for (const u of uploads) {
    it(`is refused with 400 on ${u.url}: truncated before the closing boundary`, async () => {
      const body = Buffer.concat([Buffer.from(head(u.filename)), PNG]); // no closing boundary: the body just ends
      const res = await t.as(u.phone)({ method: 'POST', url: u.url, ...multipartOf(body) });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.message).toMatch(/上传内容不完整或格式错误/);
    });

    it(`is refused with 400 on ${u.url}: a part without headers`, async () => {
      const res = await t.as(u.phone)({
        method: 'POST',
        url: u.url,
        ...multipartOf(`--${boundary}\r\ngarbage\r\n--${boundary}--\r\n`),
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    });

    it(`is refused with 400 on ${u.url}: cut inside the part headers`, async () => {
      const res = await t.as(u.phone)({
        method: 'POST',
        url: u.url,
        ...multipartOf(`--${boundary}\r\ncontent-disposition: form-da`),
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    });
  }
});
