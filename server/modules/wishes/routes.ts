import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, pageQuery, stateRoutes } from '../../platform/http.js';
import { idParam, phoneSchema, regionCodeSchema } from '../../platform/validation.js';
import { wishStates } from '../../db/schema/index.js';
import { countyOf } from '../accounts/service.js';
import { resolveCounty } from '../regions/service.js';
import { afterQuery, listsOf } from '../../platform/lists.js';
import { sendJsonText } from '../../platform/responses.js';
import {
  claimWish,
  confirmWish,
  fulfillWish,
  getWish,
  listWishes,
  myWishes,
  publicStates,
  publicWall,
  publicWishPhoto,
  publishWish,
  rejectWish,
  submitWish,
  verifyWish,
  wishCaller,
  wishStateLabels,
  wishStats,
  withdrawClaim,
  withdrawWish,
  type WishState,
  expireWishes,
} from './service.js';
import { sql } from 'drizzle-orm';
import { holdsId } from '../../platform/file-holders.js';
import { wishes } from '../../db/schema/index.js';
import { MyWishPage, PublicWishPage, WishDetail, WishPage, WishPhoto, WishStats } from './schema.js';

const tags = ['微心愿'];
const cents = (v: number) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6;
const yuan = (label: string) =>
  z
    .number({ error: `${label}应为数字（元）` })
    .positive(`${label}必须大于 0`)
    .max(100_000, `${label}不能超过 100000 元`)
    .refine(cents, `${label}最多保留两位小数`);
const stateList = z
  .string()
  .max(200)
  .transform((v, ctx) => {
    const list = v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const bad = list.find((x) => !(wishStates as readonly string[]).includes(x));
    if (bad) {
      ctx.addIssue({
        code: 'custom',
        message: `状态不正确：${bad}（可选 ${wishStates.map((s) => `${s} ${wishStateLabels[s]}`).join('、')}，多个用逗号分隔）`,
      });
      return z.NEVER;
    }
    return list as WishState[];
  });
const countyParam = z.string().regex(/^\d{6}$/, '县级区划代码应为 6 位数字');
const reasonBody = (what: string) =>
  z.object({
    reason: z
      .string({ error: `请填写${what}` })
      .trim()
      .min(2, `请填写${what}（至少 2 个字）`)
      .max(500, `${what}不能超过 500 个字`),
  });

const wishBody = z.object({
  title: z.string({ error: '请填写心愿标题' }).trim().min(2, '心愿标题至少 2 个字').max(60, '心愿标题不能超过 60 个字'),
  description: z
    .string({ error: '请填写心愿内容' })
    .trim()
    .min(2, '请填写心愿内容（至少 2 个字）')
    .max(2000, '心愿内容不能超过 2000 个字'),
  value: yuan('心愿金额'),
  regionCode: regionCodeSchema,
  beneficiaryName: z
    .string({ error: '请填写心愿人姓名' })
    .trim()
    .min(1, '请填写心愿人姓名')
    .max(30, '心愿人姓名不能超过 30 个字'),
  consentToPublish: z.boolean({ error: '请选择心愿人是否同意公开姓名（consentToPublish 应为 true 或 false）' }),
  beneficiaryPhone: phoneSchema.nullish(),
  claimMode: z.enum(['single', 'multi'], { error: '认领方式应为 single（一对一）或 multi（多人共同认领）' }).optional(),
  deadline: z.iso
    .datetime({ offset: true, error: '截止时间应为 ISO 8601 时间（如 2026-06-30T18:00:00+08:00）' })
    .transform((s) => new Date(s))
    .nullish(),
});

export const wishRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    // 过期心愿: a recurring job, run by one app server per period
    deps.jobs.define({
      kind: 'wishes.expire',
      every: 10 * 60_000,
      maxAttempts: 3,
      run: (ctx) => expireWishes(db, ctx.now()),
    });
    const lists = listsOf(deps);
    const caller = (req: FastifyRequest) => {
      const a = auth(req);
      return wishCaller(db, {
        actor: actor(req),
        userId: a.userId,
        countyCode: countyOf(a, deps),
        scope: a.scope,
        permissions: a.permissions,
      });
    };
    const detail = async (req: FastifyRequest, id: string) => getWish(db, await caller(req), id, now());

    // photos of a wish: readable where its detail shows them (the beneficiary's consent decides), or on the public wall
    app.fileHolders.define({
      kind: 'wish',
      holding: (fileId) => sql`select ${wishes.id} as id from ${wishes} where ${holdsId(wishes.photoIds, fileId)}`,
      readable: async (req, id, fileId) =>
        !!(await publicWishPhoto(db, id, fileId).catch(() => null)) ||
        (await detail(req, id)).photos.some((p) => p.id === fileId),
    });

    app.post(
      '/wishes',
      {
        config: { permission: 'wish:submit' },
        schema: {
          tags,
          summary: '提交微心愿（群众、网格员、站工作人员）；超过金额上限按设置送县级审批或直接退回',
          body: wishBody,
          response: { 201: WishDetail },
        },
      },
      async (req, reply) => {
        const w = await submitWish(db, deps.crypto, await caller(req), now(), req.body);
        return reply.status(201).send(await detail(req, w.id));
      },
    );

    app.get(
      '/wishes',
      {
        config: { permission: 'wish:manage' },
        schema: {
          tags,
          summary: '心愿列表（工作人员，按数据权限）',
          querystring: z.object({
            ...pageQuery,
            state: stateList.optional(),
            regionCode: regionCodeSchema.optional(),
            q: z.string().trim().max(40, '关键词不能超过 40 个字').optional(),
            overCap: z
              .enum(['true', 'false'], { error: 'overCap 应为 true 或 false' })
              .transform((v) => v === 'true')
              .optional(),
            ...afterQuery,
          }),
          response: { 200: WishPage },
        },
      },
      async (req, reply) => {
        const a = auth(req);
        return sendJsonText(reply, await listWishes(lists, db, a.scope, countyOf(a, deps), req.query));
      },
    );

    app.get(
      '/wishes/stats',
      {
        config: { permission: 'wish:manage' },
        schema: {
          tags,
          summary: '心愿按状态统计（数量与金额，按数据权限）',
          querystring: z.object({ regionCode: regionCodeSchema.optional() }),
          response: { 200: WishStats },
        },
      },
      async (req) => wishStats(db, await caller(req), req.query),
    );

    app.get(
      '/me/wishes',
      {
        schema: {
          tags,
          summary: '我的心愿：我提交的和我认领的',
          querystring: z.object({
            ...pageQuery,
            role: z.enum(['submitted', 'claimed'], { error: 'role 应为 submitted 或 claimed' }).optional(),
            state: stateList.optional(),
          }),
          response: { 200: MyWishPage },
        },
      },
      async (req) => myWishes(db, await caller(req), req.query, now()),
    );

    app.get(
      '/wishes/:id',
      { schema: { tags, summary: '心愿详情：认领情况与流转记录', params: idParam, response: { 200: WishDetail } } },
      async (req) => detail(req, req.params.id),
    );

    const action = stateRoutes(app, {
      prefix: '/wishes',
      tags,
      detail: WishDetail,
      caller,
      answer: (c, id) => getWish(db, c, id, now()),
    });
    const manage = 'wish:manage';
    action('verify', { permission: manage, summary: '核实心愿（超过金额上限的须县级中心审批）' }, (c, id) =>
      verifyWish(db, c, now(), id),
    );
    action('publish', { permission: manage, summary: '发布到心愿墙' }, (c, id) => publishWish(db, c, now(), id));
    action(
      'reject',
      { permission: manage, summary: '退回心愿（须填写原因；已有人认领的不能退回）', body: reasonBody('退回原因') },
      (c, id, b) => rejectWish(db, c, now(), id, b.reason),
    );
    action('withdraw', { permission: 'wish:submit', summary: '撤回心愿（提交人；已有人认领的不能撤回）' }, (c, id) =>
      withdrawWish(db, c, now(), id),
    );

    app.post(
      '/wishes/:id/claim',
      {
        config: { permission: 'wish:claim' },
        schema: {
          tags,
          summary: '认领心愿：一对一先到先得，其余 409；多人认领按金额分担，认满即“已认领”',
          params: idParam,
          body: z.object({ amount: yuan('认领金额').optional() }).nullish(),
          response: { 201: WishDetail },
        },
      },
      async (req, reply) => {
        await claimWish(db, await caller(req), now(), req.params.id, req.body?.amount);
        return reply.status(201).send(await detail(req, req.params.id));
      },
    );

    action(
      'claim/withdraw',
      {
        permission: 'wish:claim',
        summary: '取消认领（认领人，提交实现情况之前）：认领的金额退回心愿，已认满的心愿重新开放认领',
        body: z
          .object({ reason: z.string({ error: '原因应为文字' }).max(200, '原因不超过 200 字').optional() })
          .nullish(),
      },
      (c, id, b) => withdrawClaim(db, c, now(), id, b?.reason),
    );

    app.post(
      '/wishes/:id/fulfill',
      {
        config: { attachesFiles: ['photoIds'] },
        schema: {
          tags,
          summary: '提交心愿实现情况（认领人，须上传照片）',
          params: idParam,
          body: z.object({
            photoIds: z
              .array(z.uuid('照片 ID 格式不正确'), { error: '请上传心愿实现的照片（photoIds）' })
              .min(1, '请上传至少一张心愿实现的照片')
              .max(9, '照片不能超过 9 张'),
          }),
          response: { 200: WishDetail },
        },
      },
      async (req) => {
        await fulfillWish(db, await caller(req), now(), req.params.id, req.body.photoIds);
        return detail(req, req.params.id);
      },
    );

    action('confirm', { summary: '确认心愿已实现（提交人或所在村站工作人员）' }, (c, id) =>
      confirmWish(db, c, now(), id),
    );

    app.get(
      '/public/wishes',
      {
        config: { auth: false },
        schema: {
          tags,
          summary: '心愿墙（无需登录）：已发布、已认领、已实现的心愿；未同意公开的心愿人显示为“某村民”，从不显示电话',
          security: [],
          querystring: z.object({
            ...pageQuery,
            county: countyParam.optional(),
            regionCode: regionCodeSchema.optional(),
            state: z
              .enum(publicStates, { error: '状态应为 published（已发布）、claimed（已认领）或 fulfilled（已实现）' })
              .optional(),
          }),
          response: { 200: PublicWishPage },
        },
      },
      async (req) =>
        publicWall(db, await resolveCounty(db, req.query.county ?? req.query.regionCode?.slice(0, 6)), req.query),
    );

    app.get(
      '/public/wishes/:id/photos/:fileId',
      {
        config: { auth: false },
        schema: {
          tags: ['心愿'],
          summary: '心愿墙上的实现照片（无需登录；仅受助人同意公开的心愿）',
          security: [],
          params: z.object({ id: z.uuid('心愿 ID 格式不正确'), fileId: z.uuid('照片 ID 格式不正确') }),
          response: { 200: WishPhoto },
        },
      },
      async (req, reply) => {
        const f = await publicWishPhoto(db, req.params.id, req.params.fileId);
        const data = await deps.files.get(f.storageKey);
        return reply
          .header('content-type', f.mime)
          .header('cache-control', 'public, max-age=600')
          .header('x-content-type-options', 'nosniff')
          .send(data);
      },
    );
  };
