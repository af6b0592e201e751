import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, can, pageQuery } from '../../platform/http.js';
import { idParam, phoneSchema, regionCodeSchema } from '../../platform/validation.js';
import { forbidden } from '../../platform/errors.js';
import { countyOf } from '../accounts/service.js';
import { afterQuery, listsOf } from '../../platform/lists.js';
import { sendJsonText } from '../../platform/responses.js';
import {
  FollowUp,
  FollowUpList,
  Household,
  HouseholdPage,
  Order,
  OrderAfterAction,
  OrderContact,
  OrderPage,
  OrdersMeta,
  Recommendations,
  ServiceItem,
  ServiceItemPage,
  ServiceMenu,
} from './schema.js';
import {
  closeFollowUp,
  createHousehold,
  createItem,
  createOrder,
  getOrder,
  listFollowUps,
  listHouseholds,
  listItemsInScope,
  listOrders,
  findOrder,
  menuFor,
  myOrders,
  myTasks,
  orderCaller,
  partiesOf,
  revealContact,
  transition,
  updateItem,
} from './service.js';
import { recommend } from './recommend.js';
import { orderStates } from '../../db/schema/index.js';
import { orderTransitions, scoreLabels, stateLabels, userActions } from './transitions.js';
import { sweepOrders } from './sla.js';
import { sql } from 'drizzle-orm';
import { holdsId } from '../../platform/file-holders.js';
import { orders } from '../../db/schema/index.js';

const regionCode = regionCodeSchema;
const phone = phoneSchema;
const field = z.object({
  key: z
    .string()
    .trim()
    .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, '字段编码为字母开头的字母、数字或下划线'),
  label: z.string().trim().min(1, '字段名称不能为空').max(30),
  type: z.enum(['text', 'number', 'date', 'single', 'multi'], {
    error: '字段类型应为 text/number/date/single/multi 之一',
  }),
  required: z.boolean().default(false),
  options: z.array(z.string().trim().min(1).max(30)).max(30).optional(),
});
const itemBody = z.object({
  name: z.string().trim().min(2, '名称至少 2 个字').max(60),
  category: z.string().trim().min(1, '请选择服务类别').max(40),
  description: z.string().max(2000).optional(),
  regionCode,
  fields: z.array(field).max(20).optional(),
  providerTeamIds: z.array(z.uuid('队伍 ID 格式不正确')).max(20).optional(),
  active: z.boolean().optional(),
});
const orderFilter = {
  ...pageQuery,
  ...afterQuery,
  state: z
    .string()
    .max(200)
    .transform((v, ctx) => {
      const list = v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      const bad = list.find((x) => !(orderStates as readonly string[]).includes(x));
      if (bad) {
        ctx.addIssue({ code: 'custom', message: `状态不正确：${bad}（多个状态用逗号分隔）` });
        return z.NEVER;
      }
      return list as (typeof orderStates)[number][];
    })
    .optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  regionCode: regionCode.optional(),
  category: z.string().max(40).optional(),
  q: z.string().max(40).optional(),
};
const transitionBody = z
  .object({
    reason: z.string().trim().max(500).optional(),
    target: z
      .object({
        type: z.enum(['team', 'volunteer', 'pool'], { error: '派单对象类型应为 team、volunteer 或 pool' }),
        id: z.uuid('派单对象 ID 格式不正确').nullish(),
      })
      .optional(),
    summary: z.string().trim().max(2000).optional(),
    hours: z
      .number({ error: '服务时长应为数字' })
      .min(0, '服务时长不能为负')
      .max(24, '服务时长不能超过 24 小时')
      .optional(),
    volunteerIds: z.array(z.uuid()).max(50).optional(),
    photoIds: z.array(z.uuid()).max(9).optional(),
    score: z
      .number({ error: '评分应为 1–5 的整数' })
      .int('评分应为 1–5 的整数')
      .min(1, '评分应为 1–5 的整数')
      .max(5, '评分应为 1–5 的整数')
      .optional(),
    comment: z.string().max(500).optional(),
  })
  .nullish();

export const orderRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    // 超时上报与自动关闭: a recurring job, run by one app server per period
    deps.jobs.define({
      kind: 'orders.sla',
      every: 5 * 60_000,
      maxAttempts: 3,
      run: (ctx) => sweepOrders(db, ctx.now()),
    });
    const lists = listsOf(deps);
    // the caller without their volunteer record and led teams: the lifecycle's commands read those with the order
    const callerBase = (req: FastifyRequest) => {
      const a = auth(req);
      return {
        actor: actor(req),
        userId: a.userId,
        countyCode: countyOf(a, deps),
        scope: a.scope,
        permissions: a.permissions,
      };
    };
    const caller = (req: FastifyRequest) => orderCaller(callerBase(req));
    const followUpViewer = (req: FastifyRequest) => ({ scope: auth(req).scope, canManage: can(req, 'order:manage') });

    // ---- menu ----
    // service photos of an order: readable by its parties (resident, volunteer, staff in scope), as its detail
    app.fileHolders.define({
      kind: 'order',
      holding: (fileId) => sql`select ${orders.id} as id from ${orders} where ${holdsId(orders.photoIds, fileId)}`,
      readable: async (req, id) => !!(await findOrder(db, caller(req), id)),
    });

    app.get(
      '/service-items',
      {
        schema: {
          tags: ['点单'],
          summary: '服务菜单：某地（默认本人所在村）可点的服务项目',
          querystring: z.object({ regionCode: regionCode.optional(), all: z.enum(['0', '1']).optional() }),
          response: { 200: ServiceMenu },
        },
      },
      async (req) => {
        const a = auth(req);
        const code =
          req.query.regionCode ?? a.regionCode ?? a.grants.find((g) => g.regionCode)?.regionCode ?? countyOf(a, deps);
        return menuFor(db, code, req.query.all === '1' && can(req, 'serviceItem:manage'));
      },
    );
    app.get(
      '/service-items/manage',
      {
        config: { permission: 'serviceItem:manage' },
        schema: {
          tags: ['点单'],
          summary: '本级及下级的服务项目（管理）',
          querystring: z.object({
            ...pageQuery,
            q: z.string().max(40).optional(),
            category: z.string().max(40).optional(),
          }),
          response: { 200: ServiceItemPage },
        },
      },
      async (req) => listItemsInScope(db, auth(req).scope, req.query),
    );
    app.post(
      '/service-items',
      {
        config: { permission: 'serviceItem:manage' },
        schema: { tags: ['点单'], summary: '新增服务项目', body: itemBody, response: { 201: ServiceItem } },
      },
      async (req, reply) => reply.status(201).send(await createItem(db, actor(req), auth(req).scope, req.body)),
    );
    app.patch(
      '/service-items/:id',
      {
        config: { permission: 'serviceItem:manage' },
        schema: {
          tags: ['点单'],
          summary: '修改服务项目（停用：active=false）',
          params: idParam,
          body: itemBody.partial(),
          response: { 200: ServiceItem },
        },
      },
      async (req) => updateItem(db, actor(req), auth(req).scope, req.params.id, req.body),
    );

    // ---- households (代登记) ----
    app.get(
      '/households',
      {
        config: { permission: 'household:manage' },
        schema: {
          tags: ['点单'],
          summary: '群众户（代登记）',
          querystring: z.object({
            ...pageQuery,
            ...afterQuery,
            q: z.string().max(40).optional(),
            regionCode: regionCode.optional(),
          }),
          response: { 200: HouseholdPage },
        },
      },
      async (req, reply) => {
        const a = auth(req);
        return sendJsonText(reply, await listHouseholds(lists, db, a.scope, countyOf(a, deps), deps.crypto, req.query));
      },
    );
    app.post(
      '/households',
      {
        config: { permission: 'household:manage' },
        schema: {
          tags: ['点单'],
          summary: '为没有智能手机的群众登记户',
          body: z.object({
            headName: z.string().trim().min(1, '户主姓名不能为空').max(30),
            phone: phone.nullish(),
            regionCode,
            address: z.string().max(200).optional(),
            memberCount: z.number().int().min(1).max(30).optional(),
            note: z.string().max(500).optional(),
          }),
          response: { 201: Household },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await createHousehold(db, deps.crypto, actor(req), auth(req).scope, req.body)),
    );

    // ---- orders ----
    app.post(
      '/orders',
      {
        schema: {
          tags: ['点单'],
          summary: '点单（群众）；工作人员带 householdId 即为代点单',
          body: z.object({
            serviceItemId: z.uuid('服务项目 ID 格式不正确'),
            description: z.string().trim().min(2, '请简单描述您的需求').max(1000),
            address: z.string().max(200).optional(),
            answers: z.record(z.string(), z.unknown()).optional(),
            householdId: z.uuid('户 ID 格式不正确').nullish(),
          }),
          response: { 201: Order },
        },
      },
      async (req, reply) => {
        if (req.body.householdId ? !can(req, 'order:proxy') : !can(req, 'order:create'))
          throw forbidden(req.body.householdId ? '您没有代群众点单的权限' : '您没有点单的权限');
        return reply.status(201).send(await createOrder(db, callerBase(req), now(), req.body));
      },
    );
    app.get(
      '/orders',
      {
        config: { permission: 'order:read' },
        schema: {
          tags: ['点单'],
          summary: '订单看板（按数据权限，可筛选状态、超时、区划、类别）',
          querystring: z.object(orderFilter),
          response: { 200: OrderPage },
        },
      },
      async (req, reply) => {
        const a = auth(req);
        return sendJsonText(reply, await listOrders(lists, db, a.scope, countyOf(a, deps), req.query));
      },
    );
    app.get(
      '/orders/mine',
      {
        schema: {
          tags: ['点单'],
          summary: '我的点单（群众）',
          querystring: z.object(orderFilter),
          response: { 200: OrderPage },
        },
      },
      async (req) => myOrders(db, await caller(req), req.query),
    );
    app.get(
      '/orders/tasks',
      {
        config: { permission: 'order:serve' },
        schema: {
          tags: ['点单'],
          summary: '志愿者与队长的接单任务：todo 派给我的 / pool 抢单池 / mine 我接的',
          querystring: z.object({ ...orderFilter, view: z.enum(['todo', 'pool', 'mine']).optional() }),
          response: { 200: OrderPage },
        },
      },
      async (req) => myTasks(db, await caller(req), req.query),
    );
    app.get(
      '/orders/meta',
      { schema: { tags: ['点单'], summary: '订单状态、动作与评分的中文名称', response: { 200: OrdersMeta } } },
      async () => ({
        states: stateLabels,
        scores: scoreLabels,
        transitions: Object.fromEntries(
          Object.entries(orderTransitions).map(([k, t]) => [
            k,
            { from: [...t.from], to: t.to, who: [...t.who], label: t.label },
          ]),
        ),
      }),
    );
    app.get(
      '/orders/:id',
      {
        schema: {
          tags: ['点单'],
          summary: '订单详情与时间线（actions 为当前用户可执行的动作）',
          params: idParam,
          response: { 200: Order },
        },
      },
      async (req) => getOrder(db, caller(req), req.params.id, now()),
    );
    app.get(
      '/orders/:id/recommendations',
      {
        config: { permission: 'order:manage' },
        schema: {
          tags: ['点单'],
          summary: '派单推荐：队伍与志愿者的排序与理由',
          params: idParam,
          response: { 200: Recommendations },
        },
      },
      async (req) => {
        const c = await caller(req);
        const o = await findOrder(db, c, req.params.id);
        if (!partiesOf(c, o).has('staff')) throw forbidden();
        return recommend(db, o.id);
      },
    );
    app.post(
      '/orders/:id/contact',
      {
        schema: {
          tags: ['点单'],
          summary: '查看群众的完整联系电话（接单人或本级工作人员，订单进行中；记入审计）',
          params: idParam,
          response: { 200: OrderContact },
        },
      },
      async (req) => revealContact(db, deps.crypto, caller(req), req.params.id),
    );
    for (const action of userActions) {
      app.post(
        `/orders/:id/${action}`,
        {
          config: { attachesFiles: ['photoIds'] },
          schema: {
            tags: ['点单'],
            summary: `订单动作：${orderTransitions[action].label}`,
            params: idParam,
            body: transitionBody,
            response: { 200: OrderAfterAction },
          },
        },
        async (req) => transition(db, callerBase(req), now(), req.params.id, action, req.body ?? {}),
      );
    }

    // ---- follow-ups ----
    app.get(
      '/follow-ups',
      {
        config: { permission: 'order:manage' },
        schema: {
          tags: ['点单'],
          summary: '不满意回访',
          querystring: z.object({
            open: z
              .enum(['true', 'false'])
              .transform((v) => v === 'true')
              .optional(),
          }),
          response: { 200: FollowUpList },
        },
      },
      async (req) => listFollowUps(db, followUpViewer(req), req.query.open),
    );
    app.post(
      '/follow-ups/:id/close',
      {
        config: { permission: 'order:manage' },
        schema: {
          tags: ['点单'],
          summary: '回访办结（已办结的答 409）',
          params: idParam,
          body: z.object({ result: z.string().trim().min(2, '请填写回访结果').max(1000) }),
          response: { 200: FollowUp },
        },
      },
      async (req) => closeFollowUp(db, actor(req), followUpViewer(req), now(), req.params.id, req.body.result),
    );
  };
