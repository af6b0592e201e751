import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, pageQuery } from '../../platform/http.js';
import { idParam, regionCodeSchema } from '../../platform/validation.js';
import { holdsId } from '../../platform/file-holders.js';
import { listsOf } from '../../platform/lists.js';
import { sendJsonText } from '../../platform/responses.js';
import { visits } from '../../db/schema/index.js';
import { countyOf } from '../accounts/service.js';
import {
  chinaMonth,
  coverage,
  createGrid,
  createPairings,
  createVisit,
  deletePairing,
  getGrid,
  getVisit,
  gridCaller,
  linkHouseholds,
  listGrids,
  listCadres,
  listPairings,
  listVisits,
  myHouseholds,
  unlinkHousehold,
  updateGrid,
} from './service.js';
import {
  Coverage,
  GridDetail,
  GridPage,
  MyHouseholds,
  PairingCreated,
  PairingPage,
  Cadres,
  Visit,
  VisitPage,
} from './schema.js';

const tags = ['网格'];
const uuid = (label: string) => z.uuid(`${label} ID 格式不正确`);
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份应为 YYYY-MM（如 2026-05）');
const text = (label: string, min: number, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(min, `${label}至少 ${min} 个字`)
    .max(max, `${label}不能超过 ${max} 个字`);
const householdIds = z
  .array(uuid('户'), { error: '请选择户（householdIds）' })
  .min(1, '请至少选择一户')
  .max(200, '一次最多 200 户');
const when = (label: string) =>
  z.iso
    .datetime({ offset: true, error: `${label}应为 ISO 8601 时间（如 2026-05-20T10:00:00+08:00）` })
    .transform((s) => new Date(s));

const gridBody = z.object({
  name: text('网格名称', 2, 40),
  regionCode: regionCodeSchema,
  leaderVolunteerId: uuid('联户长（志愿者）'),
});

const raiseWish = z.object({
  kind: z.literal('wish'),
  title: text('心愿标题', 2, 60),
  description: text('心愿内容', 2, 2000),
  value: z
    .number({ error: '心愿金额应为数字（元）' })
    .positive('心愿金额必须大于 0')
    .max(100_000, '心愿金额不能超过 100000 元'),
  consentToPublish: z.boolean({ error: '请选择心愿人是否同意公开姓名（consentToPublish 应为 true 或 false）' }),
  deadline: when('截止时间').nullish(),
});
const raiseOrder = z.object({
  kind: z.literal('order'),
  serviceItemId: uuid('服务项目'),
  description: text('需求说明', 2, 1000),
  answers: z.record(z.string(), z.unknown()).optional(),
});
const visitBody = z.object({
  householdId: uuid('户'),
  note: text('走访情况', 2, 2000),
  photoIds: z.array(uuid('照片')).max(9, '照片不能超过 9 张').optional(),
  visitedAt: when('走访时间').nullish(),
  raise: z
    .discriminatedUnion('kind', [raiseWish, raiseOrder], {
      error: 'raise.kind 应为 wish（转为心愿）或 order（转为订单）',
    })
    .nullish(),
});

export const gridRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const lists = listsOf(deps);
    const now = () => deps.clock.now();
    const caller = (req: FastifyRequest) => {
      const a = auth(req);
      return gridCaller({
        actor: actor(req),
        userId: a.userId,
        countyCode: countyOf(a, deps),
        scope: a.scope,
        permissions: a.permissions,
      });
    };

    // photos of a visit: readable where the visit is (its village's staff, its visitor)
    app.fileHolders.define({
      kind: 'visit',
      holding: (fileId) => sql`select ${visits.id} as id from ${visits} where ${holdsId(visits.photoIds, fileId)}`,
      readable: async (req, id) => !!(await getVisit(db, caller(req), id)),
    });

    app.get(
      '/grids',
      {
        config: { permission: 'grid:manage' },
        schema: {
          tags,
          summary: '网格列表（按数据权限）',
          querystring: z.object({
            ...pageQuery,
            regionCode: regionCodeSchema.optional(),
            q: z.string().trim().max(40, '关键词不能超过 40 个字').optional(),
          }),
          response: { 200: GridPage },
        },
      },
      async (req, reply) => sendJsonText(reply, await listGrids(lists, db, caller(req), req.query)),
    );

    app.post(
      '/grids',
      {
        config: { permission: 'grid:manage' },
        schema: { tags, summary: '新建网格（村、社区），指定联户长', body: gridBody, response: { 201: GridDetail } },
      },
      async (req, reply) => {
        const g = await createGrid(db, caller(req), now(), req.body);
        return reply.status(201).send(await getGrid(db, caller(req), g.id));
      },
    );

    app.get(
      '/grids/coverage',
      {
        config: { permission: 'grid:manage' },
        schema: {
          tags,
          summary: '网格覆盖情况：下一级各区划的户数、联户、结亲、本月走访（合计等于上级）',
          querystring: z.object({ regionCode: regionCodeSchema.optional(), month: month.optional() }),
          response: { 200: Coverage },
        },
      },
      async (req) => coverage(db, caller(req), req.query.regionCode, req.query.month ?? chinaMonth(now())),
    );

    app.get(
      '/grids/:id',
      {
        schema: {
          tags,
          summary: '网格详情：联系的户（工作人员，或本网格的联户长）',
          params: idParam,
          response: { 200: GridDetail },
        },
      },
      async (req) => getGrid(db, caller(req), req.params.id),
    );

    app.put(
      '/grids/:id',
      {
        config: { permission: 'grid:manage' },
        schema: {
          tags,
          summary: '修改网格名称或联户长',
          params: idParam,
          body: gridBody.pick({ name: true, leaderVolunteerId: true }).partial(),
          response: { 200: GridDetail },
        },
      },
      async (req) => {
        await updateGrid(db, caller(req), now(), req.params.id, req.body);
        return getGrid(db, caller(req), req.params.id);
      },
    );

    app.post(
      '/grids/:id/links',
      {
        config: { permission: 'grid:manage' },
        schema: {
          tags,
          summary: '联户：把本村的户加入网格（一户同时只在一个网格）',
          params: idParam,
          body: z.object({ householdIds }),
          response: { 200: GridDetail },
        },
      },
      async (req) => {
        await linkHouseholds(db, caller(req), now(), req.params.id, req.body.householdIds);
        return getGrid(db, caller(req), req.params.id);
      },
    );

    app.delete(
      '/grids/:id/links/:householdId',
      {
        config: { permission: 'grid:manage' },
        schema: {
          tags,
          summary: '把户移出网格',
          params: z.object({ id: uuid('网格'), householdId: uuid('户') }),
          response: { 200: GridDetail },
        },
      },
      async (req) => {
        await unlinkHousehold(db, caller(req), req.params.id, req.params.householdId);
        return getGrid(db, caller(req), req.params.id);
      },
    );

    app.get(
      '/me/grid-households',
      {
        schema: {
          tags,
          summary: '我联系的户：我任联户长的网格中的户，和与我结亲的户',
          response: { 200: MyHouseholds },
        },
      },
      async (req) => myHouseholds(db, caller(req)),
    );

    app.post(
      '/pairings',
      {
        config: { permission: 'grid:manage' },
        schema: {
          tags,
          summary: '结亲（1+N）：一名干部联系多户',
          body: z.object({ cadreUserId: uuid('结亲干部'), householdIds }),
          response: { 201: PairingCreated },
        },
      },
      async (req, reply) => {
        const rows = await createPairings(db, caller(req), now(), req.body);
        return reply.status(201).send({ items: rows.map((r) => ({ id: r.id, householdId: r.householdId })) });
      },
    );

    app.get(
      '/pairings/cadres',
      {
        config: { permission: 'grid:manage' },
        schema: {
          tags,
          summary: '可结亲的干部：本辖区的中心、所、站工作人员',
          querystring: z.object({ q: z.string().trim().max(30, '姓名不能超过 30 个字').optional() }),
          response: { 200: Cadres },
        },
      },
      async (req) => listCadres(db, caller(req), req.query.q),
    );

    app.get(
      '/pairings',
      {
        config: { permission: 'grid:manage' },
        schema: {
          tags,
          summary: '结亲列表（按数据权限）',
          querystring: z.object({
            ...pageQuery,
            cadreUserId: uuid('结亲干部').optional(),
            regionCode: regionCodeSchema.optional(),
          }),
          response: { 200: PairingPage },
        },
      },
      async (req) => listPairings(db, caller(req), req.query),
    );

    app.delete(
      '/pairings/:id',
      {
        config: { permission: 'grid:manage' },
        schema: { tags, summary: '解除结亲', params: idParam, response: { 204: z.null() } },
      },
      async (req, reply) => {
        await deletePairing(db, caller(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/visits',
      {
        config: { attachesFiles: ['photoIds'] },
        schema: {
          tags,
          summary: '记录走访（站工作人员、联户长、结亲干部）；发现的需求可一步转为心愿或订单',
          body: visitBody,
          response: { 201: Visit },
        },
      },
      async (req, reply) => {
        const id = await createVisit(db, deps.crypto, caller(req), now(), req.body);
        return reply.status(201).send(await getVisit(db, caller(req), id));
      },
    );

    app.get(
      '/visits',
      {
        schema: {
          tags,
          summary: '走访记录（工作人员按数据权限；其他人只看自己的）',
          querystring: z.object({
            ...pageQuery,
            regionCode: regionCodeSchema.optional(),
            householdId: uuid('户').optional(),
            month: month.optional(),
            raised: z
              .enum(['true', 'false'], { error: 'raised 应为 true 或 false' })
              .transform((v) => v === 'true')
              .optional(),
          }),
          response: { 200: VisitPage },
        },
      },
      async (req, reply) => sendJsonText(reply, await listVisits(lists, db, caller(req), req.query)),
    );

    app.get(
      '/visits/:id',
      { schema: { tags, summary: '走访记录详情', params: idParam, response: { 200: Visit } } },
      async (req) => getVisit(db, caller(req), req.params.id),
    );
  };
