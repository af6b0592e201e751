import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { apiSchemaFile, documentApp, generateApiTypes } from '../scripts/gen-api.js';

type Responses = Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
type Doc = {
  paths: Record<string, Record<string, { responses: Responses }>>;
  components: { schemas: Record<string, unknown> };
};

/** The modules whose routes declare their answers; the others follow the same pattern (docs/WEB.md). */
const converted = [
  /^\/api\/v1\/auth\//,
  /^\/api\/v1\/me(\/password)?$/,
  /^\/api\/v1\/(users|roles|permissions|regions|sites|standards|settings|audit|files|notifications)(\/|$)/,
  /^\/api\/v1\/stats\/coverage$/,
  /^\/api\/v1\/(teams|team-categories)(\/|$)/,
  /^\/api\/v1\/(stars\/|me\/stars$|public\/star-notices$)/,
  /^\/api\/v1\/submissions(\/|$)/,
  /^\/api\/v1\/(certificates|me\/certificates|public\/certificates)(\/|$)/,
  /^\/api\/v1\/(hours\/|me\/hours(\/requests)?$|volunteers\/\{id\}\/hours$)/,
  /^\/api\/v1\/(activities(\/|$)|me\/signups$)/,
  /^\/api\/v1\/(plans|calendar|ledgers)(\/|$)/,
  /^\/api\/v1\/(point-rules|point-privileges|points|shop|honors)(\/|$)/,
  /^\/api\/v1\/(me\/(points|point-claims|redemptions)|public\/points-notices)$/,
  /^\/api\/v1\/public\/honors(\/|$)/,
  /^\/api\/v1\/(service-items|households|orders|follow-ups)(\/|$)/,
  /^\/api\/v1\/(volunteers|jobs)(\/|$)/,
  /^\/api\/v1\/(wishes|me\/wishes|public\/wishes)(\/|$)/,
];

let app: FastifyInstance;
let close: () => Promise<void>;
let doc: Doc;
beforeAll(async () => {
  ({ app, close } = await documentApp());
  const res = await app.inject('/api/openapi.json');
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => {
  await close?.();
});

const json = (r: Responses, status: string) => r[status]?.content?.['application/json']?.schema;

describe('the OpenAPI document', () => {
  it('declares a success answer and the error envelope for every route of the converted modules', () => {
    const ops = Object.entries(doc.paths)
      .filter(([p]) => converted.some((c) => c.test(p)))
      .flatMap(([p, item]) => Object.entries(item).map(([method, op]) => ({ at: `${method} ${p}`, op })));
    expect(ops.length).toBeGreaterThan(30);
    for (const { at, op } of ops) {
      const success = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(success, at).not.toEqual([]);
      for (const s of success) if (s !== '204') expect(op.responses[s].content, `${at} ${s}`).toBeDefined();
      expect(json(op.responses, '4XX'), at).toEqual({ $ref: '#/components/schemas/ErrorResponse' });
      expect(json(op.responses, '5XX'), at).toEqual({ $ref: '#/components/schemas/ErrorResponse' });
    }
  });

  it('names the answers as components the web types can use', () => {
    const get = (p: string, status = '200') => json(doc.paths[p].get.responses, status);
    expect(get('/api/v1/sites/{id}')).toEqual({ $ref: '#/components/schemas/SiteDetail' });
    expect(get('/api/v1/me')).toEqual({ $ref: '#/components/schemas/Me' });
    expect(get('/api/v1/sites')).toMatchObject({
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Site' } } },
      required: ['items', 'total', 'page', 'pageSize'],
    });
    expect(json(doc.paths['/api/v1/sites'].post.responses, '201')).toEqual({
      $ref: '#/components/schemas/SiteDetail',
    });
    for (const id of ['Site', 'SiteDetail', 'Inspection', 'Standard', 'User', 'Region', 'AuditEvent', 'Notification'])
      expect(doc.components.schemas[id], id).toBeDefined();
    // timestamps are strings on the wire
    expect(doc.components.schemas.User).toMatchObject({
      properties: { createdAt: { type: 'string', format: 'date-time' } },
    });
  });

  it('leaves out components no operation uses', () => {
    const text = JSON.stringify(doc.paths);
    for (const id of Object.keys(doc.components.schemas)) {
      const usedDirectly = text.includes(`"#/components/schemas/${id}"`);
      const usedByComponent = JSON.stringify(doc.components.schemas).includes(`"#/components/schemas/${id}"`);
      expect(usedDirectly || usedByComponent, id).toBe(true);
    }
  });
});

describe('web/common/api-schema.d.ts', () => {
  it('is what npm run gen:api generates from the current routes', { timeout: 180_000 }, async () => {
    const fresh = await generateApiTypes();
    const committed = fs.existsSync(apiSchemaFile) ? fs.readFileSync(apiSchemaFile, 'utf8') : '';
    expect(
      fresh === committed,
      'web/common/api-schema.d.ts is out of date with the routes: run `npm run gen:api` and commit the file',
    ).toBe(true);
  });
});
