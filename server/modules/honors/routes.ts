import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, can, pageQuery } from '../../platform/http.js';
import { idParam, regionCodeSchema } from '../../platform/validation.js';
import { honorKinds } from '../../db/schema/index.js';
import { countyOf } from '../accounts/service.js';
import { resolveCounty } from '../regions/service.js';
import {
  approveHonor,
  getHonor,
  honorKindLabels,
  honorStateLabels,
  honorStates,
  listHonors,
  nominate,
  objectToHonor,
  publicBoard,
  publicHonorNotices,
  publicPhoto,
  publishHonor,
  rejectHonor,
  revokeHonor,
  setConsent,
  type HonorCaller,
  publishDueHonors,
} from './service.js';
import { sql } from 'drizzle-orm';
import { honors } from '../../db/schema/index.js';

import { HonorBoardPage, HonorDetail, HonorNoticePage, HonorObjected, HonorPage, HonorPhoto } from './schema.js';
const tags = ['荣誉'];
const kind = z.enum(honorKinds, {
  error: `荣誉类型应为 ${honorKinds.map((k) => `${k}（${honorKindLabels[k]}）`).join('、')} 之一`,
});
const state = z.enum(honorStates, {
  error: `状态应为 ${honorStates.map((s) => `${s}（${honorStateLabels[s]}）`).join('、')} 之一`,
});
const grantedBy = z.enum(['self', 'staff_on_paper'], {
  error: '同意方式应为 self（本人同意）或 staff_on_paper（工作人员登记纸质同意书）',
});
const uuid = (label: string) => z.uuid(`${label} ID 格式不正确`);
const year = z.coerce
  .number({ error: '年度应为 4 位年份' })
  .int('年度应为 4 位年份')
  .min(2000, '年度不能早于 2000 年')
  .max(2100, '年度应为 4 位年份');
const county = z
  .string()
  .regex(/^\d{6}$/, '县级区划代码应为 6 位数字')
  .optional();
const reason = (what: string) =>
  z.object({
    reason: z
      .string({ error: `请填写${what}` })
      .trim()
      .min(2, `请填写${what}（至少 2 个字）`)
      .max(1000, `${what}不能超过 1000 个字`),
  });

const nominationBody = z.object({
  kind,
  nomineeName: z
    .string({ error: '请填写被推荐人（或家庭）姓名' })
    .trim()
    .min(2, '被推荐人姓名至少 2 个字')
    .max(50, '被推荐人姓名不能超过 50 个字'),
  story: z
    .string({ error: '请填写事迹' })
    .trim()
    .min(20, '事迹至少 20 个字，请写清楚做了什么好事')
    .max(3000, '事迹不能超过 3000 个字'),
  regionCode: regionCodeSchema,
  consent: z.boolean({ error: '请选择本人是否同意公开姓名和照片（consent 为 true 或 false）' }),
  consentBy: grantedBy.optional(),
  photoFileId: uuid('照片').nullish(),
  year: z
    .number({ error: '年度应为 4 位年份' })
    .int('年度应为 4 位年份')
    .min(2000, '年度不能早于 2000 年')
    .max(2100, '年度应为 4 位年份')
    .optional(),
  householdId: uuid('户').nullish(),
  volunteerId: uuid('志愿者').nullish(),
});

export const honorRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    // 公示期满的荣誉上榜: a recurring job, run by one app server per period
    deps.jobs.define({
      kind: 'honors.publish',
      every: 10 * 60_000,
      maxAttempts: 3,
      run: (ctx) => publishDueHonors(db, ctx.now()),
    });
    const caller = (req: FastifyRequest): HonorCaller => {
      const a = auth(req);
      return {
        actor: actor(req),
        userId: a.userId,
        name: a.name,
        countyCode: countyOf(a, deps),
        scope: a.scope,
        permissions: a.permissions,
      };
    };

    // the nominee's photo: readable with the honour, or by anyone once on the board with consent (the public page)
    app.fileHolders.define({
      kind: 'honor',
      holding: (fileId) => sql`select ${honors.id} as id from ${honors} where ${honors.photoFileId} = ${fileId}::uuid`,
      readable: async (req, id) =>
        !!(await publicPhoto(db, id).catch(() => null)) ||
        (can(req, 'honor:nominate') && !!(await getHonor(db, caller(req), now(), id))),
    });

    app.post(
      '/honors/nominations',
      {
        config: { permission: 'honor:nominate', attachesFiles: ['photoFileId'] },
        schema: {
          tags,
          summary:
            '推荐身边好人、道德模范、善行义举、最美家庭、文明家庭、平安家庭（工作人员：本辖区；群众、志愿者：本县任一村社区）',
          body: nominationBody,
          response: { 201: HonorDetail },
        },
      },
      async (req, reply) => {
        const row = await nominate(db, caller(req), now(), req.body);
        return reply.status(201).send(await getHonor(db, caller(req), now(), row.id));
      },
    );

    app.get(
      '/honors',
      {
        config: { permission: 'honor:nominate' },
        schema: {
          tags,
          summary: '荣誉推荐列表（工作人员按数据权限；群众、志愿者为本人推荐的）',
          querystring: z.object({
            ...pageQuery,
            kind: kind.optional(),
            state: state.optional(),
            regionCode: regionCodeSchema.optional(),
            year: year.optional(),
            q: z.string().trim().max(50, '搜索关键字不能超过 50 个字').optional(),
          }),
          response: { 200: HonorPage },
        },
      },
      async (req) => listHonors(db, auth(req).scope, now(), req.query),
    );

    app.get(
      '/honors/:id',
      {
        config: { permission: 'honor:nominate' },
        schema: {
          tags,
          summary: '荣誉推荐详情：流转记录（含异议）与当前可执行的操作',
          params: idParam,
          response: { 200: HonorDetail },
        },
      },
      async (req) => getHonor(db, caller(req), now(), req.params.id),
    );

    app.post(
      '/honors/:id/approve',
      {
        config: { permission: 'honor:review' },
        schema: {
          tags,
          summary: '审核通过，进入公示（honors.noticeDays 天）',
          params: idParam,
          body: z.object({ comment: z.string().trim().max(500, '审核意见不能超过 500 个字').optional() }).nullish(),
          response: { 200: HonorDetail },
        },
      },
      async (req) => {
        await approveHonor(db, caller(req), now(), req.params.id, req.body?.comment);
        return getHonor(db, caller(req), now(), req.params.id);
      },
    );

    app.post(
      '/honors/:id/reject',
      {
        config: { permission: 'honor:review' },
        schema: {
          tags,
          summary: '驳回推荐（待审核或公示中；须填写理由）',
          params: idParam,
          body: reason('驳回理由'),
          response: { 200: HonorDetail },
        },
      },
      async (req) => {
        await rejectHonor(db, caller(req), now(), req.params.id, req.body.reason);
        return getHonor(db, caller(req), now(), req.params.id);
      },
    );

    app.post(
      '/honors/:id/object',
      {
        schema: {
          tags,
          summary: '对公示中的荣誉提出异议（本县任何登录用户；退回待审核）',
          params: idParam,
          body: reason('异议内容'),
          response: { 200: HonorObjected },
        },
      },
      async (req) => {
        const row = await objectToHonor(db, caller(req), now(), req.params.id, req.body.reason);
        return { id: row.id, state: row.state, stateName: honorStateLabels[row.state] };
      },
    );

    app.post(
      '/honors/:id/publish',
      {
        config: { permission: 'honor:review' },
        schema: {
          tags,
          summary: '发布到荣誉榜（公示期满后；须本人同意公开，否则 409）',
          params: idParam,
          response: { 200: HonorDetail },
        },
      },
      async (req) => {
        await publishHonor(db, caller(req), now(), req.params.id);
        return getHonor(db, caller(req), now(), req.params.id);
      },
    );

    app.post(
      '/honors/:id/revoke',
      {
        config: { permission: 'honor:review' },
        schema: {
          tags,
          summary: '撤销已上榜的荣誉（须填写理由；立即从荣誉榜撤下）',
          params: idParam,
          body: reason('撤销理由'),
          response: { 200: HonorDetail },
        },
      },
      async (req) => {
        await revokeHonor(db, caller(req), now(), req.params.id, req.body.reason);
        return getHonor(db, caller(req), now(), req.params.id);
      },
    );

    app.post(
      '/honors/:id/consent',
      {
        config: { permission: 'honor:nominate' },
        schema: {
          tags,
          summary: '登记或撤回本人公开姓名和照片的同意（撤回后立即从荣誉榜撤下）',
          params: idParam,
          body: z.object({
            consent: z.boolean({ error: 'consent 应为 true（同意公开）或 false（撤回同意）' }),
            grantedBy: grantedBy.optional(),
            note: z.string().trim().max(500, '说明不能超过 500 个字').optional(),
          }),
          response: { 200: HonorDetail },
        },
      },
      async (req) => {
        await setConsent(db, caller(req), now(), req.params.id, req.body);
        return getHonor(db, caller(req), now(), req.params.id);
      },
    );

    app.get(
      '/public/honors',
      {
        config: { auth: false },
        schema: {
          tags,
          summary: '荣誉榜（无需登录；仅已上榜且本人同意公开的）',
          security: [],
          querystring: z.object({
            ...pageQuery,
            kind: kind.optional(),
            county,
            year: year.optional(),
            regionCode: regionCodeSchema.optional(),
          }),
          response: { 200: HonorBoardPage },
        },
      },
      async (req) =>
        publicBoard(db, await resolveCounty(db, req.query.county ?? req.query.regionCode?.slice(0, 6)), req.query),
    );

    app.get(
      '/public/honors/notices',
      {
        config: { auth: false },
        schema: {
          tags,
          summary: '荣誉评选公示（无需登录；未同意公开的姓名部分隐去）',
          security: [],
          querystring: z.object({ ...pageQuery, kind: kind.optional(), county }),
          response: { 200: HonorNoticePage },
        },
      },
      async (req) => publicHonorNotices(db, await resolveCounty(db, req.query.county), req.query),
    );

    app.get(
      '/public/honors/:id/photo',
      {
        config: { auth: false },
        schema: {
          tags,
          summary: '荣誉榜照片（无需登录；仅已上榜且本人同意公开的）',
          security: [],
          params: idParam,
          response: { 200: HonorPhoto },
        },
      },
      async (req, reply) => {
        const f = await publicPhoto(db, req.params.id);
        const data = await deps.files.get(f.storageKey);
        return reply
          .header('content-type', f.mime)
          .header('cache-control', 'public, max-age=600')
          .header('x-content-type-options', 'nosniff')
          .send(data);
      },
    );
  };
