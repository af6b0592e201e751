/**
 * What the browser gets besides the API: the security headers on every answer, and the three built web apps
 * (/admin/, /m/, /screen/) with their hashed assets, served pre-compressed (the .br/.gz files the web build writes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

/** helmet itself, resolved where @fastify/helmet (our dependency) resolves it. */
const helmetMiddleware = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'))('helmet') as (
  options: object,
) => (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

const directives = {
  defaultSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  styleSrc: ["'self'", "'unsafe-inline'"],
  scriptSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
};

/**
 * Security headers: helmet's middleware built once per transport (@fastify/helmet builds it anew for every request,
 * ~3 % of the server's CPU in the order bench). Over plain HTTP — a phone on the county office's LAN opening
 * http://192.168.x.x:3000/m/ — neither `upgrade-insecure-requests` (the browser would fetch every script over https
 * from a server that has none: a blank page) nor HSTS is sent; over TLS, or behind a trusted proxy that says
 * X-Forwarded-Proto: https (TRUST_PROXY=1), both are.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const overTls = helmetMiddleware({ contentSecurityPolicy: { directives } });
  const overHttp = helmetMiddleware({
    contentSecurityPolicy: { directives: { ...directives, upgradeInsecureRequests: null } },
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', (req, reply, done) => {
    // req.protocol reads X-Forwarded-Proto only when trustProxy is on, as the client IP does
    const headers = req.protocol === 'https' ? overTls : overHttp;
    headers(req.raw, reply.raw, (err) => done(err as Error | undefined));
  });
}

/** Hashed file names from the web build (`name-<hash>.js`): their content never changes under the same name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map)$/;

/** The built web apps: /admin/, /m/ and /screen/ are single-page apps with history routing; / goes to the H5. */
export function registerWeb(app: FastifyInstance, webRoot: string): void {
  const route = { config: { auth: false }, schema: { hide: true } };
  app.get('/', route, (_req, reply) => reply.redirect('/m/'));
  if (!fs.existsSync(webRoot)) {
    const missing = (_req: unknown, reply: FastifyReply) =>
      reply
        .status(503)
        .type('text/html; charset=utf-8')
        .send(
          '<meta charset="utf-8"><p>前端尚未构建：请运行 <code>npm run build:web</code> 或 <code>npm start</code>。</p>',
        );
    app.get('/admin/*', route, missing);
    app.get('/m/*', route, missing);
    app.get('/screen/*', route, missing);
    return;
  }
  // preCompressed: a request accepting br (or gzip) gets file.br (file.gz) when the build wrote one;
  // cacheControl off: send's own `public, max-age=0` would replace the header set here
  app.register(fastifyStatic, { root: webRoot, prefix: '/', serve: false, preCompressed: true, cacheControl: false });
  const isFile = (rel: string) => {
    const full = path.join(webRoot, rel);
    return fs.existsSync(full) && fs.statSync(full).isFile();
  };
  const send = (reply: FastifyReply, rel: string, cacheControl: string) => {
    reply.header('cache-control', cacheControl);
    if (COMPRESSIBLE.test(rel)) reply.header('vary', 'accept-encoding');
    return reply.sendFile(rel);
  };
  const spa = (dir: string, prefix: string) => {
    app.get(`${prefix}*`, route, (req: FastifyRequest, reply) => {
      const rel = (req.params as { '*': string })['*'];
      if (rel && !rel.includes('..') && isFile(path.join(dir, rel)))
        return send(reply, path.join(dir, rel), 'no-cache');
      return send(reply, path.join(dir, 'index.html'), 'no-cache');
    });
    app.get(prefix.replace(/\/$/, ''), route, (_req, reply) => reply.redirect(prefix));
  };
  spa('admin', '/admin/');
  spa('mobile', '/m/');
  spa('screen', '/screen/');
  app.get('/assets/*', route, (req, reply) => {
    const rel = (req.params as { '*': string })['*'];
    return send(reply, path.join('assets', rel), IMMUTABLE);
  });
}
