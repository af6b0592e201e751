import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSecurityHeaders, registerWeb } from './web.js';

let root: string;
const SCRIPT = 'console.log("文明实践");'.repeat(50);

beforeAll(() => {
  // a built web tree as the web build leaves it: hashed assets with their .br/.gz twins, one index.html per app
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'wenming-web-'));
  for (const dir of ['assets', 'admin', 'mobile', 'screen']) fs.mkdirSync(path.join(root, dir));
  fs.writeFileSync(path.join(root, 'assets/admin-AbC123xy.js'), SCRIPT);
  fs.writeFileSync(path.join(root, 'assets/admin-AbC123xy.js.br'), zlib.brotliCompressSync(SCRIPT));
  fs.writeFileSync(path.join(root, 'assets/admin-AbC123xy.js.gz'), zlib.gzipSync(SCRIPT));
  for (const app of ['admin', 'mobile', 'screen'])
    fs.writeFileSync(path.join(root, app, 'index.html'), `<!doctype html><title>${app}</title>`);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function server(trustProxy: boolean): Promise<FastifyInstance> {
  const app = Fastify({ trustProxy });
  registerSecurityHeaders(app);
  registerWeb(app, root);
  await app.ready();
  return app;
}

describe('content security policy', () => {
  it('over plain HTTP (a phone on the LAN) does not upgrade requests to https nor send HSTS', async () => {
    const app = await server(false);
    const res = await app.inject({ url: '/m/' });
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    // without trust proxy a client's own X-Forwarded-Proto is not believed
    const forged = await app.inject({ url: '/m/', headers: { 'x-forwarded-proto': 'https' } });
    expect(String(forged.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    await app.close();
  });

  it('behind a trusted TLS proxy (X-Forwarded-Proto: https) upgrades requests and sends HSTS', async () => {
    const app = await server(true);
    const res = await app.inject({ url: '/admin/', headers: { 'x-forwarded-proto': 'https' } });
    expect(String(res.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const plain = await app.inject({ url: '/admin/', headers: { 'x-forwarded-proto': 'http' } });
    expect(String(plain.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    await app.close();
  });
});

describe('static web apps', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await server(false);
  });
  afterAll(async () => app.close());

  it('serves a hashed asset pre-compressed (br before gzip) and cached as immutable', async () => {
    const br = await app.inject({ url: '/assets/admin-AbC123xy.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe(SCRIPT);

    const gz = await app.inject({ url: '/assets/admin-AbC123xy.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.rawPayload).toString()).toBe(SCRIPT);

    const raw = await app.inject({ url: '/assets/admin-AbC123xy.js' });
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(raw.body).toBe(SCRIPT);
  });

  it('answers each app’s index.html with no-cache, also for deep links', async () => {
    for (const url of ['/admin/', '/admin/orders/123', '/m/', '/m/activities/mine', '/screen/']) {
      const res = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.headers['content-type'], url).toMatch(/text\/html/);
    }
    expect((await app.inject({ url: '/assets/missing-0000.js' })).statusCode).toBe(404);
  });
});
