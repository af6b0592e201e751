import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, type ErrorDetail } from './errors.js';
import { findNul, idParam } from './validation.js';
import { authenticate, actorOf, type AuthContext, SESSION_COOKIE, CSRF_HEADER } from './auth.js';
import type { Permission } from './permissions.js';
import type { Deps } from './context.js';
import type { Actor } from './audit.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false for public routes; default true */
    auth?: boolean;
    permission?: Permission;
    /**
     * The account's own things (its profile, password, inbox, its files and jobs): open to every signed-in account,
     * 三员 ones included. A route with neither this nor a `permission` is self-service business (volunteer sign-up,
     * browsing, wishes, points …), which a 三员 account never gets.
     */
    account?: boolean;
    /** Open to an account that must still set its own password (its profile, the password change, sign-out). */
    beforePasswordChange?: boolean;
  }
  interface FastifyRequest {
    authCtx: AuthContext | null;
  }
}

/** The authenticated caller; routes with auth always have one. */
export function auth(req: FastifyRequest): AuthContext {
  if (!req.authCtx) throw new AppError('AUTH_REQUIRED', '请先登录');
  return req.authCtx;
}
export const actor = (req: FastifyRequest): Actor => actorOf(auth(req), req.ip, req.id);
export const can = (req: FastifyRequest, p: Permission) => !!req.authCtx?.permissions.has(p);

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim() || null;
  return null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const PASSWORD_CHANGE_REFUSED = '您的密码由管理员设置，请先修改密码（我的 → 修改密码）后再使用其他功能';
export const DUTY_REFUSED = '三员账号（系统管理员、安全管理员、审计管理员）只能使用本职功能，不能办理或查看业务';

/** Authentication, CSRF for cookie sessions, and the route's permission — before the body is even read. */
export function registerAuth(app: FastifyInstance, deps: Deps) {
  app.decorateRequest('authCtx', null);
  app.addHook('onRequest', async (req) => {
    const cfg = req.routeOptions.config;
    // the API under /api/v1 is private unless a route says otherwise; pages, assets and docs are public
    const url = req.routeOptions.url;
    if (!url || cfg?.auth === false || (!url.startsWith('/api/v1/') && cfg?.auth !== true)) return;
    const tokenFromHeader = bearer(req);
    const token = tokenFromHeader ?? req.cookies?.[SESSION_COOKIE] ?? null;
    if (!token) throw new AppError('AUTH_REQUIRED', '请先登录');
    const ctx = await authenticate(deps.database, deps.clock, token, deps.config.sessionIdleMinutes);
    if (!tokenFromHeader && !SAFE_METHODS.has(req.method) && req.headers[CSRF_HEADER] !== ctx.csrfToken) {
      throw new AppError('FORBIDDEN', '请求缺少有效的 CSRF 令牌，请刷新页面后重试');
    }
    req.authCtx = ctx;
    if (ctx.mustChangePassword && !cfg?.beforePasswordChange)
      throw new AppError('PASSWORD_CHANGE_REQUIRED', PASSWORD_CHANGE_REFUSED);
    if (cfg?.permission && !ctx.permissions.has(cfg.permission))
      throw new AppError('FORBIDDEN', '您没有执行此操作的权限');
    // 三员: a duty account has exactly its duty's permissions; self-service routes would give it business data
    if (ctx.duty && !cfg?.permission && !cfg?.account) throw new AppError('FORBIDDEN', DUTY_REFUSED);
  });
}

const contextLabel: Record<string, string> = {
  body: '请求体',
  querystring: '查询参数',
  params: '路径参数',
  headers: '请求头',
};

function envelope(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details: ErrorDetail[] = [],
  requestId?: string,
) {
  return reply.status(status).send({ error: { code, message, details, ...(requestId ? { requestId } : {}) } });
}

/**
 * PostgreSQL cannot store a NUL character in text or jsonb (it answers an error, which used to surface as a 500).
 * No field of this API has a use for one, so every route refuses it here, before its own validation, naming the
 * field: body, query string and path parameters, at any depth (multipart files are bytes and not looked at).
 */
export function registerInputChecks(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => {
    for (const [part, value] of [
      ['params', req.params],
      ['querystring', req.query],
      ['body', req.body],
    ] as const) {
      const found = findNul(value);
      if (!found) continue;
      const path = found.join('.') || '(root)';
      const message = '不能包含空字符（\\u0000）';
      throw new AppError('VALIDATION_FAILED', `${contextLabel[part]}校验失败：${path} ${message}`, [{ path, message }]);
    }
  });
}

/** Maps every failure to the API envelope; nothing but INTERNAL is a 500, and no stack trace leaves the server. */
export function registerErrors(app: FastifyInstance) {
  app.setNotFoundHandler((req, reply) =>
    envelope(reply, 404, 'NOT_FOUND', `接口不存在：${req.method} ${req.url.split('?')[0]}`),
  );
  app.setErrorHandler((err: FastifyError & { code?: string }, req, reply) => {
    if (err instanceof AppError) return envelope(reply, err.status, err.code, err.message, err.details);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = contextLabel[(err as { validationContext?: string }).validationContext ?? 'body'] ?? '请求';
      const details = err.validation.map((v) => ({
        path: v.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)',
        message: v.message ?? '格式不正确',
      }));
      const first = details[0];
      return envelope(
        reply,
        400,
        'VALIDATION_FAILED',
        `${where}校验失败：${first.path} ${first.message}${details.length > 1 ? ` 等 ${details.length} 处` : ''}`,
        details,
      );
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return envelope(reply, 400, 'VALIDATION_FAILED', '请求体不是合法的 JSON', [
          { path: '(body)', message: 'JSON 格式错误' },
        ]);
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
      case 'FST_REQ_FILE_TOO_LARGE':
      case 'FST_FILES_LIMIT':
        return envelope(reply, 413, 'PAYLOAD_TOO_LARGE', '请求内容超过大小限制', [
          { path: '(body)', message: '内容过大' },
        ]);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
        return envelope(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', '不支持的请求内容类型', [
          { path: '(body)', message: '内容类型不支持' },
        ]);
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return envelope(reply, 400, 'VALIDATION_FAILED', '请求长度不正确', []);
      case '23505':
        return envelope(reply, 409, 'DUPLICATE', '记录已存在（重复）');
      case '23503':
        return envelope(reply, 400, 'VALIDATION_FAILED', '引用的记录不存在', []);
      case '22P02':
      case '22007':
      case '22008':
        return envelope(reply, 400, 'VALIDATION_FAILED', '参数格式不正确', []);
    }
    if (err.statusCode === 429) return envelope(reply, 429, 'RATE_LIMITED', '请求过于频繁，请稍后再试');
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return envelope(
        reply,
        err.statusCode,
        err.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED',
        '请求不正确',
        [],
      );
    }
    req.log.error({ err }, '未处理的错误');
    return envelope(reply, 500, 'INTERNAL', `服务器内部错误，请联系管理员（请求编号 ${req.id}）`, [], req.id);
  });
}

/** Standard page query params (the answer: pageOf() in responses.ts). */
import { z } from 'zod';
export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
};

/**
 * A download's `content-disposition` (RFC 6266 / RFC 5987): the file's Chinese name, and an ASCII fallback name for
 * old clients when given. Every route that sends a file names it through here.
 */
export function contentDisposition(name: string, opts: { ascii?: string; inline?: boolean } = {}): string {
  const fallback = opts.ascii ? `; filename="${opts.ascii}"` : '';
  return `${opts.inline ? 'inline' : 'attachment'}${fallback}; filename*=UTF-8''${encodeURIComponent(name)}`;
}

type ZodApp = Parameters<FastifyPluginAsyncZod>[0];

/** One state-change route of an aggregate: `POST <prefix>/:id/<path>`. */
export type StateRouteOpts<B extends z.ZodType | undefined> = {
  summary: string;
  permission?: Permission;
  /** the request body, when the action takes one (a reason …) */
  body?: B;
  /** the answer's schema when it is not the aggregate's detail */
  response?: z.ZodType;
};

/**
 * The state-change routes of one aggregate, all alike: the caller, the action (a transition run by the module's
 * service), then the aggregate's detail as it is after the action (its new state, `actions` and timeline). Returns
 * `route(path, opts, run)` that declares one of them.
 */
export function stateRoutes<C>(
  app: ZodApp,
  base: {
    /** e.g. `/articles` */
    prefix: string;
    tags: string[];
    /** the detail's schema, the answer of every route unless it says otherwise */
    detail: z.ZodType;
    caller: (req: FastifyRequest) => C | Promise<C>;
    /** the detail after the action; `ran` is what the action returned */
    answer: (c: C, id: string, ran: unknown) => Promise<unknown>;
  },
) {
  return <B extends z.ZodType | undefined = undefined>(
    path: string,
    opts: StateRouteOpts<B>,
    run: (c: C, id: string, body: B extends z.ZodType ? z.output<B> : undefined) => Promise<unknown>,
  ) =>
    app.post(
      `${base.prefix}/:id/${path}`,
      {
        ...(opts.permission ? { config: { permission: opts.permission } } : {}),
        schema: {
          tags: base.tags,
          summary: opts.summary,
          params: idParam,
          ...(opts.body ? { body: opts.body } : {}),
          response: { 200: opts.response ?? base.detail },
        },
      },
      async (req) => {
        const c = await base.caller(req);
        const ran = await run(c, req.params.id, req.body as B extends z.ZodType ? z.output<B> : undefined);
        return base.answer(c, req.params.id, ran);
      },
    );
}
