import path from 'node:path';
import { fileURLToPath } from 'node:url';
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler, jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Deps } from './platform/context.js';
import { registerAuth, registerErrors, registerInputChecks } from './platform/http.js';
import { registerResponses, transformDocument } from './platform/responses.js';
import { IMAGE_MAX_BYTES } from './platform/files.js';
import { definePlatformJobs } from './platform/platform-jobs.js';
import { registerIdempotency } from './platform/idempotency.js';
import { registerFileHolders } from './platform/file-holders.js';
import { registerSecurityHeaders, registerWeb } from './platform/web.js';
import { regionRoutes } from './modules/regions/routes.js';
import { accountRoutes } from './modules/accounts/routes.js';
import { siteRoutes } from './modules/sites/routes.js';
import { settingRoutes } from './modules/settings/routes.js';
import { auditRoutes } from './modules/audit/routes.js';
import { fileRoutes } from './modules/files/routes.js';
import { volunteerRoutes } from './modules/volunteers/routes.js';
import { teamRoutes } from './modules/teams/routes.js';
import { orderRoutes } from './modules/orders/routes.js';
import { activityRoutes } from './modules/activities/routes.js';
import { hoursRoutes } from './modules/hours/routes.js';
import { starRoutes } from './modules/stars/routes.js';
import { certificateRoutes } from './modules/certificates/routes.js';
import { planRoutes } from './modules/plans/routes.js';
import { ledgerRoutes } from './modules/ledgers/routes.js';
import { submissionRoutes } from './modules/submissions/routes.js';
import { pointRoutes } from './modules/points/routes.js';
import { shopRoutes } from './modules/shop/routes.js';
import { wishRoutes } from './modules/wishes/routes.js';
import { articleRoutes } from './modules/articles/routes.js';
import { honorRoutes } from './modules/honors/routes.js';
import { gridRoutes } from './modules/grids/routes.js';
import { surveyRoutes } from './modules/surveys/routes.js';
import { notificationRoutes } from './modules/notifications/routes.js';
import { statsRoutes } from './modules/stats/routes.js';

z.config(z.locales.zhCN());

export const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/web');

export type BuildOptions = { logger?: boolean; serveWeb?: boolean };

/** The whole HTTP application: platform plugins first, then one plugin per module under /api/v1. */
export async function buildApp(deps: Deps, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      opts.logger === false
        ? false
        : {
            level: deps.config.logLevel,
            redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]'],
          },
    genReqId: (req) =>
      typeof req.headers['x-request-id'] === 'string' && /^[\w-]{8,64}$/.test(req.headers['x-request-id'])
        ? req.headers['x-request-id']
        : crypto.randomUUID(),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    trustProxy: deps.config.trustProxy,
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  registerResponses(app, deps.config.responseCheck);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  registerErrors(app);
  registerInputChecks(app);
  await app.register(cookie);
  registerSecurityHeaders(app);
  await app.register(rateLimit, { global: false });
  // routes raise the file limit where they need to
  await app.register(multipart, { limits: { fileSize: IMAGE_MAX_BYTES, files: 1, fields: 10 } });
  await app.register(swagger, {
    openapi: {
      info: {
        title: '文明实践云 API',
        version: deps.version,
        description: '县域新时代文明实践平台的公开接口（v1）。错误统一为 { error: { code, message, details } }。',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: transformDocument,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/api/openapi.json', { config: { auth: false }, schema: { hide: true } }, async () => app.swagger());

  registerAuth(app, deps);
  registerIdempotency(
    app,
    () => deps.database.db,
    () => deps.clock.now(),
  );
  registerFileHolders(app, () => deps.database.db);
  definePlatformJobs(deps);
  if (opts.logger !== false) deps.jobs.log = app.log;

  app.get(
    '/api/health',
    {
      config: { auth: false },
      schema: {
        tags: ['系统'],
        summary: '健康检查',
        security: [],
        response: {
          200: z.object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgres']), version: z.string() }),
        },
      },
    },
    async () => {
      await deps.database.query('select 1', [], { priority: true });
      return { status: 'ok' as const, database: deps.database.kind, version: deps.version };
    },
  );

  await app.register(
    async (api) => {
      await api.register(accountRoutes(deps));
      await api.register(regionRoutes(deps));
      await api.register(siteRoutes(deps));
      await api.register(settingRoutes(deps));
      await api.register(auditRoutes(deps));
      await api.register(fileRoutes(deps));
      await api.register(volunteerRoutes(deps));
      await api.register(teamRoutes(deps));
      await api.register(orderRoutes(deps));
      await api.register(activityRoutes(deps));
      await api.register(hoursRoutes(deps));
      await api.register(starRoutes(deps));
      await api.register(certificateRoutes(deps));
      await api.register(planRoutes(deps));
      await api.register(ledgerRoutes(deps));
      await api.register(submissionRoutes(deps));
      await api.register(pointRoutes(deps));
      await api.register(shopRoutes(deps));
      await api.register(wishRoutes(deps));
      await api.register(statsRoutes(deps));
      await api.register(honorRoutes(deps));
      await api.register(articleRoutes(deps));
      await api.register(gridRoutes(deps));
      await api.register(surveyRoutes(deps));
      await api.register(notificationRoutes(deps));
    },
    { prefix: '/api/v1' },
  );

  if (opts.serveWeb !== false) registerWeb(app, webRoot);
  return app;
}
