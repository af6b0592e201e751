import { describe, expect, it } from 'vitest';
import Fastify, { type FastifyReply } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dateTime, noContent, registerResponses, sendJsonText, unknownKeys, type ResponseCheck } from './responses.js';
import { registerErrors } from './http.js';
import { AppError } from './errors.js';

const Thing = z.object({
  id: z.string(),
  count: z.number().int(),
  at: dateTime,
  tags: z.array(z.object({ n: z.string() })),
});

/** A small app with one route per way an answer can match or miss its schema. */
async function appWith(mode: ResponseCheck) {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  registerResponses(app, mode);
  registerErrors(app);
  const at = new Date('2026-11-22T02:00:00Z');
  const ok = { id: 'a', count: 1, at, tags: [{ n: 'x' }] };
  const schema = { response: { 200: Thing } };
  app.get('/ok', { schema }, async () => ok);
  app.get('/extra', { schema }, async () => ({ ...ok, secret: 'leak' }));
  app.get('/extra-nested', { schema }, async () => ({ ...ok, tags: [{ n: 'x', hidden: true }] }));
  app.get('/missing', { schema }, async () => ({ id: 'a', at, tags: [] }) as unknown as typeof ok);
  app.get('/wrong-type', { schema }, async () => ({ ...ok, count: '1' }) as unknown as typeof ok);
  app.get('/buffer', { schema }, async (_req, reply) =>
    sendJsonText(reply, Buffer.from(JSON.stringify({ ...ok, extra: 1 }))),
  );
  app.get('/buffer-ok', { schema }, async (_req, reply) => sendJsonText(reply, Buffer.from(JSON.stringify(ok))));
  app.post('/undeclared-status', { schema }, async (_req, reply) => (reply as FastifyReply).status(201).send(ok));
  app.delete('/gone', { schema: { response: { 204: noContent } } }, async (_req, reply) => reply.status(204).send());
  app.get('/not-found', { schema }, async () => {
    throw new AppError('NOT_FOUND', '记录不存在');
  });
  app.get('/untyped', async () => ({ anything: true }));
  await app.ready();
  return app;
}

describe('response schemas in strict mode', () => {
  it('passes an answer that matches its schema, byte for byte what JSON.stringify writes', async () => {
    const app = await appWith('strict');
    const res = await app.inject('/ok');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"id":"a","count":1,"at":"2026-11-22T02:00:00.000Z","tags":[{"n":"x"}]}');
    expect((await app.inject('/buffer-ok')).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: '/gone' })).statusCode).toBe(204);
  });

  it('answers 500 naming the field when the code sends a field the schema does not declare', async () => {
    const app = await appWith('strict');
    const res = await app.inject('/extra');
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL');
    expect(res.json().error.message).toContain('GET /extra 200');
    expect(res.json().error.details[0].path).toBe('secret');
    expect((await app.inject('/extra-nested')).json().error.details[0].path).toBe('tags.0.hidden');
  });

  it('answers 500 when a declared field is missing or has the wrong type', async () => {
    const app = await appWith('strict');
    const missing = await app.inject('/missing');
    expect(missing.statusCode).toBe(500);
    expect(missing.json().error.details.map((d: { path: string }) => d.path)).toContain('count');
    const wrong = await app.inject('/wrong-type');
    expect(wrong.statusCode).toBe(500);
    expect(wrong.json().error.details[0].path).toBe('count');
  });

  it('checks a JSON body sent as a ready-made Buffer (a cached page) as well', async () => {
    const res = await (await appWith('strict')).inject('/buffer');
    expect(res.statusCode).toBe(500);
    expect(res.json().error.details[0].path).toBe('extra');
  });

  it('refuses a success status the route does not declare, and checks errors against the envelope', async () => {
    const app = await appWith('strict');
    const res = await app.inject({ method: 'POST', url: '/undeclared-status' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.message).toContain('状态码 201 未在接口文档中声明');
    const nf = await app.inject('/not-found');
    expect(nf.statusCode).toBe(404);
    expect(nf.json()).toEqual({ error: { code: 'NOT_FOUND', message: '记录不存在', details: [] } });
    expect((await app.inject('/untyped')).statusCode).toBe(200);
  });
});

describe('response schemas with the check off (production)', () => {
  it('sends what the code returns without checking it', async () => {
    const app = await appWith('off');
    const res = await app.inject('/extra');
    expect(res.statusCode).toBe(200);
    expect(res.json().secret).toBe('leak');
    expect((await app.inject('/ok')).body).toBe(
      '{"id":"a","count":1,"at":"2026-11-22T02:00:00.000Z","tags":[{"n":"x"}]}',
    );
  });
});

describe('unknownKeys', () => {
  it('lists the paths of keys the parsed value dropped, through arrays and nested objects', () => {
    const sent = { a: 1, b: { c: 2, d: 3 }, e: [{ f: 1 }, { f: 2, g: 3 }] };
    const parsed = { a: 1, b: { c: 2 }, e: [{ f: 1 }, { f: 2 }] };
    expect(unknownKeys(sent, parsed, '')).toEqual(['b.d', 'e.1.g']);
    expect(unknownKeys({ x: { y: 1 } }, { x: { y: 1 } }, '')).toEqual([]);
  });
});
