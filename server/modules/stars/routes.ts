import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, pageQuery } from '../../platform/http.js';
import { idParam } from '../../platform/validation.js';
import { pageOf } from '../../platform/responses.js';
import { countyOf } from '../accounts/service.js';
import { resolveCounty } from '../regions/service.js';
import { myVolunteer } from '../volunteers/service.js';
import type { HoursCaller } from '../hours/service.js';
import {
  applyForStar,
  approveApplication,
  getApplication,
  listApplications,
  myStars,
  objectToApplication,
  publicNotices,
  rejectApplication,
  grantDueStars,
} from './service.js';
import { MyStars, StarApplication, StarNotice, StarObjectionResult } from './schema.js';

const state = z.enum(['applied', 'notice', 'granted', 'rejected', 'withdrawn'], {
  error: '状态应为 applied、notice、granted、rejected 或 withdrawn',
});

export const starRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    // 公示期满的星级授予: a recurring job, run by one app server per period
    deps.jobs.define({
      kind: 'stars.grant',
      every: 10 * 60_000,
      maxAttempts: 3,
      run: (ctx) => grantDueStars(db, ctx.now()),
    });
    const caller = async (req: FastifyRequest): Promise<HoursCaller> => {
      const a = auth(req);
      return {
        actor: actor(req),
        userId: a.userId,
        countyCode: countyOf(a, deps),
        scope: a.scope,
        permissions: a.permissions,
        volunteerId: await myVolunteer(db, a.userId),
      };
    };

    app.get(
      '/me/stars',
      {
        schema: {
          tags: ['星级'],
          summary: '我的星级：当前星级、已认定时长、各星级门槛、可申请的最高星级与申请记录',
          response: { 200: MyStars },
        },
      },
      async (req) => myStars(db, auth(req).userId),
    );

    app.post(
      '/stars/applications',
      {
        schema: {
          tags: ['星级'],
          summary: '申请星级认定（志愿者）；时长未达门槛或不高于当前星级 → 409',
          body: z.object({
            level: z
              .number({ error: '请选择申请的星级（1–5）' })
              .int('星级应为 1–5 的整数')
              .min(1, '星级应为 1–5 的整数')
              .max(5, '星级应为 1–5 的整数'),
          }),
          response: { 201: StarApplication },
        },
      },
      async (req, reply) => {
        const c = await caller(req);
        const row = await applyForStar(db, c, now(), req.body.level);
        return reply.status(201).send(await getApplication(db, c, row.id));
      },
    );

    app.get(
      '/stars/applications',
      {
        config: { permission: 'star:review' },
        schema: {
          tags: ['星级'],
          summary: '星级申请审核列表（按数据权限）',
          querystring: z.object({ ...pageQuery, state: state.optional() }),
          response: { 200: pageOf(StarApplication) },
        },
      },
      async (req) => listApplications(db, await caller(req), req.query),
    );

    app.get(
      '/stars/applications/:id',
      {
        config: { permission: 'star:review' },
        schema: { tags: ['星级'], summary: '星级申请详情', params: idParam, response: { 200: StarApplication } },
      },
      async (req) => getApplication(db, await caller(req), req.params.id),
    );

    app.post(
      '/stars/applications/:id/approve',
      {
        config: { permission: 'star:review' },
        schema: {
          tags: ['星级'],
          summary: '审核通过，进入公示（自下一个工作日起，公示 stars.noticeWorkingDays 个工作日）',
          params: idParam,
          body: z.object({ comment: z.string().trim().max(500).optional() }).nullish(),
          response: { 200: StarApplication },
        },
      },
      async (req) => {
        const c = await caller(req);
        await approveApplication(db, c, now(), req.params.id, req.body?.comment);
        return getApplication(db, c, req.params.id);
      },
    );

    app.post(
      '/stars/applications/:id/reject',
      {
        config: { permission: 'star:review' },
        schema: {
          tags: ['星级'],
          summary: '驳回星级申请（须填写意见）',
          params: idParam,
          body: z.object({
            comment: z.string({ error: '请填写驳回意见' }).trim().min(2, '请填写驳回意见（至少 2 个字）').max(500),
          }),
          response: { 200: StarApplication },
        },
      },
      async (req) => {
        const c = await caller(req);
        await rejectApplication(db, c, now(), req.params.id, req.body.comment);
        return getApplication(db, c, req.params.id);
      },
    );

    app.post(
      '/stars/applications/:id/object',
      {
        schema: {
          tags: ['星级'],
          summary: '对公示中的星级申请提出异议（退回待审核）',
          params: idParam,
          body: z.object({
            objection: z.string({ error: '请填写异议内容' }).trim().min(2, '请填写异议内容（至少 2 个字）').max(1000),
          }),
          response: { 200: StarObjectionResult },
        },
      },
      async (req) => {
        const row = await objectToApplication(db, await caller(req), now(), req.params.id, req.body.objection);
        return { id: row.id, state: row.state };
      },
    );

    app.get(
      '/public/star-notices',
      {
        config: { auth: false },
        schema: {
          tags: ['星级'],
          summary: '星级认定公示（无需登录；姓名部分隐去）',
          security: [],
          querystring: z.object({
            ...pageQuery,
            county: z
              .string()
              .regex(/^\d{6}$/, '县级区划代码应为 6 位数字')
              .optional(),
          }),
          response: { 200: pageOf(StarNotice) },
        },
      },
      async (req) => publicNotices(db, await resolveCounty(db, req.query.county), req.query),
    );
  };
