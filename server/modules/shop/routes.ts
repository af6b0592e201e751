import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, pageQuery } from '../../platform/http.js';
import { SESSION_COOKIE } from '../../platform/auth.js';
import { idParam, regionCodeSchema } from '../../platform/validation.js';
import { countyOf } from '../accounts/service.js';
import {
  cancelRedemption,
  createGoods,
  deactivateGoods,
  getGoods,
  getRedemption,
  handout,
  listGoods,
  listRedemptions,
  myRedemptions,
  redeem,
  redemptionStateLabels,
  shopCaller,
  updateGoods,
} from './service.js';
import { sql } from 'drizzle-orm';
import { shopGoods } from '../../db/schema/index.js';
import { Goods, GoodsPage, RedemptionDetail, RedemptionPage, RedemptionReceipt } from './schema.js';

const tags = ['积分超市'];
const uuid = (label: string) => z.uuid(`${label} ID 格式不正确`);
const goodsFields = {
  name: z.string({ error: '请填写商品名称' }).trim().min(1, '请填写商品名称').max(60, '商品名称不能超过 60 个字'),
  points: z
    .number({ error: '兑换积分应为正整数' })
    .int('兑换积分应为正整数')
    .min(1, '兑换积分必须大于 0')
    .max(100_000, '兑换积分不能超过 100000'),
  stock: z
    .number({ error: '库存应为整数' })
    .int('库存应为整数')
    .min(0, '库存不能为负数')
    .max(1_000_000, '库存不能超过 1000000'),
  regionCode: regionCodeSchema.optional(),
  description: z.string().trim().max(1000, '商品说明不能超过 1000 个字').optional(),
  fundingSource: z.string().trim().max(60, '资金来源不能超过 60 个字').optional(),
  imageFileId: uuid('商品图片').nullish(),
};
const goodsBody = z.object(goodsFields);
const goodsPatch = z
  .object({ ...goodsFields, active: z.boolean({ error: 'active 应为 true 或 false' }) })
  .partial()
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: '没有要修改的内容', path: ['(body)'] });
const stateEnum = z.enum(['reserved', 'handed_out', 'cancelled'], {
  error: `状态应为 ${Object.entries(redemptionStateLabels)
    .map(([k, v]) => `${k}（${v}）`)
    .join('、')} 之一`,
});
const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'all 应为 true 或 false' })
  .transform((v) => v === 'true' || v === '1');

/** GET /shop/redemptions?pickupCode= lookups allowed per minute and session. */
export const PICKUP_LOOKUPS_PER_MINUTE = 30;

export const shopRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    const caller = (req: FastifyRequest) => {
      const a = auth(req);
      return shopCaller(db, {
        actor: actor(req),
        userId: a.userId,
        countyCode: countyOf(a, deps),
        regionCode: a.regionCode,
        scope: a.scope,
        permissions: a.permissions,
      });
    };

    // a goods picture: readable wherever the goods are (the shop of the caller's place, staff in scope)
    app.fileHolders.define({
      kind: 'goods',
      holding: (fileId) =>
        sql`select ${shopGoods.id} as id from ${shopGoods} where ${shopGoods.imageFileId} = ${fileId}::uuid`,
      readable: async (req, id) => !!(await getGoods(db, await caller(req), id)),
    });

    app.get(
      '/shop/goods',
      {
        schema: {
          tags,
          summary: '积分超市商品（本县在架且有库存的商品；管理员 all=true 查看管辖范围内全部商品）',
          querystring: z.object({
            ...pageQuery,
            regionCode: regionCodeSchema.optional(),
            q: z.string().trim().max(40, '关键词不能超过 40 个字').optional(),
            all: flag.optional(),
          }),
          response: { 200: GoodsPage },
        },
      },
      async (req) => listGoods(db, await caller(req), req.query),
    );

    app.get(
      '/shop/goods/:id',
      { schema: { tags, summary: '商品详情', params: idParam, response: { 200: Goods } } },
      async (req) => getGoods(db, await caller(req), req.params.id),
    );

    app.post(
      '/shop/goods',
      {
        config: { permission: 'shop:manage', attachesFiles: ['imageFileId'] },
        schema: { tags, summary: '上架商品（积分价格、库存、资金来源）', body: goodsBody, response: { 201: Goods } },
      },
      async (req, reply) => {
        const c = await caller(req);
        const row = await createGoods(db, c, now(), req.body);
        return reply.status(201).send(await getGoods(db, c, row.id));
      },
    );

    app.put(
      '/shop/goods/:id',
      {
        config: { permission: 'shop:manage', attachesFiles: ['imageFileId'] },
        schema: {
          tags,
          summary: '修改商品（库存变动记入审计）',
          params: idParam,
          body: goodsPatch,
          response: { 200: Goods },
        },
      },
      async (req) => {
        const c = await caller(req);
        await updateGoods(db, c, now(), req.params.id, req.body);
        return getGoods(db, c, req.params.id);
      },
    );

    app.delete(
      '/shop/goods/:id',
      {
        config: { permission: 'shop:manage' },
        schema: {
          tags,
          summary: '下架商品（已预约的兑换仍可发放或取消）',
          params: idParam,
          response: { 200: Goods },
        },
      },
      async (req) => {
        const c = await caller(req);
        await deactivateGoods(db, c, now(), req.params.id);
        return getGoods(db, c, req.params.id);
      },
    );

    app.post(
      '/shop/redemptions',
      {
        schema: {
          tags,
          summary: '兑换商品：一次事务内扣减库存并冻结积分，返回取货码（本人、本户成员，或有发放权限的工作人员代兑换）',
          body: z.object({
            goodsId: uuid('商品'),
            quantity: z
              .number({ error: '兑换数量应为正整数' })
              .int('兑换数量应为正整数')
              .min(1, '兑换数量至少为 1')
              .max(100, '一次最多兑换 100 件'),
            accountType: z.enum(['household', 'volunteer'], {
              error: '账户类型应为 household（户）或 volunteer（志愿者）',
            }),
            accountId: uuid('账户'),
          }),
          response: { 201: RedemptionReceipt },
        },
      },
      async (req, reply) => reply.status(201).send(await redeem(db, await caller(req), now(), req.body)),
    );

    app.get(
      '/shop/redemptions',
      {
        // looking a redemption up by its pickup code is what a counter does a few times a minute; more is guessing
        // (a code is 6 digits): 30 lookups a minute per session (or address without one), other list requests unlimited
        config: {
          rateLimit: {
            max: PICKUP_LOOKUPS_PER_MINUTE,
            timeWindow: '1 minute',
            allowList: (req) => !(req.query as { pickupCode?: unknown } | undefined)?.pickupCode,
            keyGenerator: (req) => `pickup:${req.headers.authorization ?? req.cookies?.[SESSION_COOKIE] ?? req.ip}`,
          },
        },
        schema: {
          tags,
          summary: '兑换记录（工作人员，按数据权限；不显示取货码）',
          querystring: z.object({
            ...pageQuery,
            state: stateEnum.optional(),
            goodsId: uuid('商品').optional(),
            pickupCode: z
              .string()
              .regex(/^\d{6}$/, '取货码应为 6 位数字')
              .optional(),
            q: z.string().trim().max(40, '关键词不能超过 40 个字').optional(),
          }),
          response: { 200: RedemptionPage },
        },
      },
      async (req) => listRedemptions(db, await caller(req), req.query),
    );

    app.get(
      '/shop/redemptions/:id',
      { schema: { tags, summary: '兑换详情与流转记录', params: idParam, response: { 200: RedemptionDetail } } },
      async (req) => getRedemption(db, await caller(req), req.params.id),
    );

    app.post(
      '/shop/redemptions/:id/handout',
      {
        config: { permission: 'shop:handout' },
        schema: {
          tags,
          summary: '凭取货码发放（取货码错误 → 400，不做任何变更）',
          params: idParam,
          body: z.object({
            pickupCode: z
              .string({ error: '请输入 6 位取货码' })
              .trim()
              .regex(/^\d{6}$/, '取货码应为 6 位数字'),
          }),
          response: { 200: RedemptionDetail },
        },
      },
      async (req) => {
        const c = await caller(req);
        await handout(db, c, now(), req.params.id, req.body.pickupCode);
        return getRedemption(db, c, req.params.id);
      },
    );

    app.post(
      '/shop/redemptions/:id/cancel',
      {
        schema: {
          tags,
          summary: '取消兑换（本人或工作人员）：库存退回、积分退还',
          params: idParam,
          body: z.object({ reason: z.string().trim().max(200, '取消原因不能超过 200 个字').optional() }).nullish(),
          response: { 200: RedemptionDetail },
        },
      },
      async (req) => {
        const c = await caller(req);
        await cancelRedemption(db, c, now(), req.params.id, req.body?.reason);
        return getRedemption(db, c, req.params.id);
      },
    );

    app.get(
      '/me/redemptions',
      {
        schema: {
          tags,
          summary: '我的兑换（含待领取的取货码）',
          querystring: z.object({ ...pageQuery, state: stateEnum.optional() }),
          response: { 200: RedemptionPage },
        },
      },
      async (req) => myRedemptions(db, await caller(req), req.query),
    );
  };
