import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { asc } from 'drizzle-orm';
import type { Deps } from '../../platform/context.js';
import { actor, auth, pageQuery } from '../../platform/http.js';
import { listOf, noContent, pageOf } from '../../platform/responses.js';
import { PHONE_RE } from '../../platform/validation.js';
import { roles } from '../../db/schema/index.js';
import { builtinRoles, permissions } from '../../platform/permissions.js';
import { SESSION_COOKIE, CSRF_COOKIE } from '../../platform/auth.js';
import {
  changeOwnPassword,
  registerResident,
  requestSmsCode,
  countyOf,
  createUser,
  csrfCookieOptions,
  getUser,
  listUsers,
  login,
  logout,
  resetPassword,
  sessionCookieOptions,
  setUserRoles,
  unlockUser,
  updateUser,
  userProfile,
} from './service.js';
import { LoginResult, Me, PermissionInfo, Role, SmsCodeResult, User } from './schema.js';

const phone = z.string().regex(PHONE_RE, '请输入 11 位中国大陆手机号');
const id = z.object({ id: z.uuid('ID 格式不正确') });
const scopeEnum = z.enum(['all', 'own', 'subtree', 'self'], { error: '数据权限应为 all/own/subtree/self 之一' });
const roleInput = z.object({
  role: z.string().min(1),
  regionCode: z
    .string()
    .regex(/^\d{6,12}$/, '区划代码应为 6–12 位数字')
    .nullish(),
  scope: scopeEnum,
  teamId: z.uuid().nullish(),
});
const name = z.string().trim().min(1, '姓名不能为空').max(40, '姓名不能超过 40 个字');

export const accountRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/auth/login',
      {
        config: { auth: false, rateLimit: { max: deps.config.authRateLimit, timeWindow: '1 minute' } },
        schema: {
          tags: ['账号'],
          summary: '手机号 + 密码登录',
          security: [],
          body: z.object({ phone, password: z.string().min(1, '请输入密码').max(128), otp: z.string().optional() }),
          response: { 200: LoginResult },
        },
      },
      async (req, reply) => {
        const r = await login(deps, req.body, { ip: req.ip, userAgent: req.headers['user-agent'], requestId: req.id });
        reply.setCookie(SESSION_COOKIE, r.token, sessionCookieOptions(req.protocol === 'https'));
        reply.setCookie(CSRF_COOKIE, r.csrfToken, csrfCookieOptions(req.protocol === 'https'));
        return r;
      },
    );

    app.post(
      '/auth/sms-code',
      {
        config: { auth: false, rateLimit: { max: deps.config.authRateLimit, timeWindow: '1 minute' } },
        schema: {
          tags: ['账号'],
          summary: '发送注册验证码（未配置短信接口时返回 required=false，注册无需验证码）',
          security: [],
          body: z.object({
            phone,
            regionCode: z
              .string()
              .regex(/^\d{6,12}$/, '区划代码应为 6–12 位数字')
              .optional()
              .meta({ description: '要注册的村（社区）或其所在县；系统只有一个县时可省略' }),
          }),
          response: { 200: SmsCodeResult },
        },
      },
      async (req) => requestSmsCode(deps.database.db, deps.crypto, req.body, deps.clock.now()),
    );

    app.post(
      '/auth/register',
      {
        config: { auth: false, rateLimit: { max: deps.config.authRateLimit, timeWindow: '1 minute' } },
        schema: {
          tags: ['账号'],
          summary: '群众注册（手机号 + 密码，配置短信接口后需验证码），成功即登录',
          security: [],
          body: z.object({
            name,
            phone,
            password: z.string(),
            regionCode: z.string().regex(/^\d{12}$/, '请选择所在村（社区）'),
            code: z
              .string()
              .regex(/^\d{6}$/, '验证码为 6 位数字')
              .optional(),
          }),
          response: { 201: LoginResult },
        },
      },
      async (req, reply) => {
        const r = await registerResident(deps, req.body, {
          ip: req.ip,
          userAgent: req.headers['user-agent'],
          requestId: req.id,
        });
        reply.setCookie(SESSION_COOKIE, r.token, sessionCookieOptions(req.protocol === 'https'));
        reply.setCookie(CSRF_COOKIE, r.csrfToken, csrfCookieOptions(req.protocol === 'https'));
        return reply.status(201).send(r);
      },
    );

    app.post(
      '/auth/logout',
      {
        config: { account: true, beforePasswordChange: true },
        schema: { tags: ['账号'], summary: '退出登录', response: { 204: noContent } },
      },
      async (req, reply) => {
        await logout(deps.database.db, auth(req), actor(req), deps.clock.now());
        reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
        return reply.status(204).send();
      },
    );

    app.get(
      '/me',
      {
        config: { account: true, beforePasswordChange: true },
        schema: { tags: ['账号'], summary: '当前用户、角色与权限', response: { 200: Me } },
      },
      async (req) => userProfile(deps.database.db, auth(req).userId),
    );

    app.post(
      '/me/password',
      {
        config: { account: true, beforePasswordChange: true },
        schema: {
          tags: ['账号'],
          summary: '修改本人密码',
          body: z.object({
            oldPassword: z.string().min(1, '请输入原密码'),
            newPassword: z.string().min(1, '请输入新密码'),
          }),
          response: { 204: noContent },
        },
      },
      async (req, reply) => {
        await changeOwnPassword(deps.database.db, auth(req), actor(req), req.body.oldPassword, req.body.newPassword);
        return reply.status(204).send();
      },
    );

    app.get(
      '/users',
      {
        config: { permission: 'user:read' },
        schema: {
          tags: ['账号'],
          summary: '用户列表（按数据权限）',
          querystring: z.object({
            ...pageQuery,
            q: z.string().max(40).optional(),
            regionCode: z
              .string()
              .regex(/^\d{6,12}$/)
              .optional(),
            role: z.string().max(40).optional(),
          }),
          response: { 200: pageOf(User) },
        },
      },
      async (req) => listUsers(deps.database.db, auth(req).scope, deps.crypto, req.query, deps.clock.now()),
    );

    app.post(
      '/users',
      {
        config: { permission: 'user:manage' },
        schema: {
          tags: ['账号'],
          summary: '新增用户',
          body: z.object({
            name,
            phone,
            password: z.string(),
            regionCode: z
              .string()
              .regex(/^\d{6,12}$/, '区划代码应为 6–12 位数字')
              .nullish(),
            roles: z.array(roleInput).max(20).default([]),
          }),
          response: { 201: User },
        },
      },
      async (req, reply) => {
        const a = auth(req);
        const uid = await createUser(
          deps.database.db,
          deps.crypto,
          { auth: a, actor: actor(req) },
          countyOf(a, deps),
          req.body,
        );
        return reply.status(201).send(await getUser(deps.database.db, a.scope, uid, deps.clock.now()));
      },
    );

    app.get(
      '/users/:id',
      {
        config: { permission: 'user:read' },
        schema: { tags: ['账号'], summary: '用户详情', params: id, response: { 200: User } },
      },
      async (req) => getUser(deps.database.db, auth(req).scope, req.params.id, deps.clock.now()),
    );

    app.patch(
      '/users/:id',
      {
        config: { permission: 'user:manage' },
        schema: {
          tags: ['账号'],
          summary: '修改用户（姓名、所属区划、启用/停用）',
          params: id,
          body: z.object({
            name: name.optional(),
            regionCode: z
              .string()
              .regex(/^\d{6,12}$/, '区划代码应为 6–12 位数字')
              .nullish(),
            active: z.boolean().optional(),
          }),
          response: { 200: User },
        },
      },
      async (req) => {
        await updateUser(deps.database.db, { auth: auth(req), actor: actor(req) }, req.params.id, req.body);
        return getUser(deps.database.db, auth(req).scope, req.params.id, deps.clock.now());
      },
    );

    app.put(
      '/users/:id/roles',
      {
        config: { permission: 'user:manage' },
        schema: {
          tags: ['账号'],
          summary: '设置用户的角色与数据权限',
          params: id,
          body: z.object({ roles: z.array(roleInput).max(20) }),
          response: { 200: User },
        },
      },
      async (req) => {
        await setUserRoles(deps.database.db, { auth: auth(req), actor: actor(req) }, req.params.id, req.body.roles);
        return getUser(deps.database.db, auth(req).scope, req.params.id, deps.clock.now());
      },
    );

    app.post(
      '/users/:id/unlock',
      {
        config: { permission: 'user:manage' },
        schema: { tags: ['账号'], summary: '解除登录锁定', params: id, response: { 204: noContent } },
      },
      async (req, reply) => {
        await unlockUser(deps.database.db, { auth: auth(req), actor: actor(req) }, req.params.id);
        return reply.status(204).send();
      },
    );

    app.post(
      '/users/:id/reset-password',
      {
        config: { permission: 'user:manage' },
        schema: {
          tags: ['账号'],
          summary: '重置密码',
          params: id,
          body: z.object({ password: z.string() }),
          response: { 204: noContent },
        },
      },
      async (req, reply) => {
        await resetPassword(deps.database.db, { auth: auth(req), actor: actor(req) }, req.params.id, req.body.password);
        return reply.status(204).send();
      },
    );

    app.get(
      '/roles',
      {
        config: { permission: 'role:read' },
        schema: { tags: ['账号'], summary: '角色及其权限', response: { 200: listOf(Role) } },
      },
      async () => {
        const rows = await deps.database.db
          .select({
            code: roles.code,
            name: roles.name,
            description: roles.description,
            permissions: roles.permissions,
            duty: roles.duty,
            builtin: roles.builtin,
          })
          .from(roles)
          .orderBy(asc(roles.code));
        // by level, as builtinRoles lists them (中心 → 所 → 站 → 队 → 志愿者 → 群众 …, 三员 last); a county's own after
        const rank = (code: string) => {
          const i = builtinRoles.findIndex((r) => r.code === code);
          return i < 0 ? builtinRoles.length : i;
        };
        return { items: rows.sort((a, b) => rank(a.code) - rank(b.code)) };
      },
    );

    app.get(
      '/permissions',
      {
        config: { permission: 'role:read' },
        schema: { tags: ['账号'], summary: '权限码', response: { 200: listOf(PermissionInfo) } },
      },
      async () => ({ items: Object.entries(permissions).map(([code, p]) => ({ code, ...p })) }),
    );
  };
