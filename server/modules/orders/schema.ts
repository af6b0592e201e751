import { z } from 'zod';
import { dateTime, FileRef, isoDateTime, pageOf } from '../../platform/responses.js';
import { followUpMachine, orderMachine } from './transitions.js';

/**
 * What the orders routes answer — the service menu, households, orders, follow-ups and the meta endpoint (named
 * components of the OpenAPI document; the web's types come from them).
 */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];

export const OrderState = z.enum(keys(orderMachine.states)).meta({
  id: 'OrderState',
  description: '订单状态：待派单 / 已驳回 / 待接单 / 已接单 / 服务中 / 已完成 / 已评价 / 已关闭 / 已取消',
});
export const OrderAction = z
  .enum(keys(orderMachine.transitions))
  .meta({ id: 'OrderAction', description: '订单动作（expire、close 由系统执行）' });
const TargetType = z.enum(['team', 'volunteer', 'pool']).meta({ description: '派单对象：队伍 / 志愿者 / 抢单池' });
/** keyset lists answer the cursor of their next page (null on the last page) */
const nextCursor = z
  .string()
  .nullable()
  .optional()
  .meta({ description: '下一页的游标（用作 after；最后一页为 null）' });

// ---- the service menu ----

export const ItemField = z
  .object({
    key: z.string(),
    label: z.string(),
    type: z.enum(['text', 'number', 'date', 'single', 'multi']),
    required: z.boolean(),
    options: z.array(z.string()).optional(),
  })
  .meta({ id: 'ItemField', description: '服务项目的附加字段（点单时填写）' });

export const ServiceItem = z
  .object({
    id: z.uuid(),
    name: z.string(),
    category: z.string(),
    categoryName: z.string(),
    description: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    regionLevel: z.enum(['county', 'town', 'village']).meta({ description: '所属层级：县 / 乡镇 / 村' }),
    fields: z.array(ItemField),
    providerTeamIds: z.array(z.uuid()),
    active: z.boolean(),
    createdAt: dateTime,
    orderCount: z.number().int(),
  })
  .meta({ id: 'ServiceItem', description: '服务项目（菜单中的一项）' });
export const ServiceMenu = z
  .object({ region: z.object({ code: z.string(), name: z.string() }), items: z.array(ServiceItem) })
  .meta({ id: 'ServiceMenu', description: '某地可点的服务菜单（县、乡镇、村三级的项目）' });
export const ServiceItemPage = pageOf(ServiceItem);

// ---- households (代登记) ----

export const Household = z
  .object({
    id: z.uuid(),
    headName: z.string(),
    phoneMasked: z.string().nullable(),
    regionCode: z.string(),
    regionName: z.string().nullable(),
    address: z.string(),
    memberCount: z.number().int(),
    note: z.string(),
    createdAt: dateTime,
  })
  .meta({ id: 'Household', description: '群众户（代登记，手机号脱敏）' });
export const HouseholdPage = pageOf(Household).extend({ nextCursor });

// ---- orders ----

/** An order as the board and the H5 lists show it. */
export const OrderSummary = z
  .object({
    id: z.uuid(),
    state: OrderState,
    stateName: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    contactName: z.string(),
    description: z.string(),
    address: z.string(),
    answers: z.record(z.string(), z.unknown()).meta({ description: '附加字段的回答（键为字段编码）' }),
    serviceItemId: z.uuid(),
    serviceItemName: z.string(),
    category: z.string(),
    categoryName: z.string(),
    targetType: TargetType.nullable(),
    targetId: z.uuid().nullable(),
    acceptedUserId: z.uuid().nullable(),
    acceptedVolunteerId: z.uuid().nullable(),
    acceptedTeamId: z.uuid().nullable(),
    residentUserId: z.uuid().nullable(),
    householdId: z.uuid().nullable(),
    proxyUserId: z.uuid().nullable(),
    summary: z.string().nullable(),
    hours: z.number().nullable(),
    volunteerIds: z.array(z.uuid()),
    photoIds: z.array(z.uuid()),
    score: z.number().int().nullable(),
    scoreName: z.string().nullable(),
    comment: z.string().nullable(),
    autoRated: z.boolean(),
    escalationLevel: z.number().int(),
    escalatedTo: z.string().nullable().meta({ description: '超时上报到的层级：站 / 所 / 中心' }),
    overdue: z.boolean(),
    stepStartedAt: dateTime,
    submittedAt: dateTime,
    dispatchedAt: dateTime.nullable(),
    acceptedAt: dateTime.nullable(),
    completedAt: dateTime.nullable(),
    ratedAt: dateTime.nullable(),
    closedAt: dateTime.nullable(),
    createdAt: dateTime,
  })
  .meta({ id: 'OrderSummary', description: '订单（列表中的一项）' });
export const OrderPage = pageOf(OrderSummary).extend({ nextCursor });

export const OrderEvent = z
  .object({
    action: z.string(),
    actionName: z.string(),
    from: OrderState.nullable(),
    to: OrderState,
    actorName: z.string(),
    at: isoDateTime,
    note: z.string(),
  })
  .meta({ id: 'OrderEvent', description: '订单时间线上的一条' });

const FollowUpOfOrder = z.object({
  id: z.uuid(),
  reason: z.string(),
  openedAt: isoDateTime,
  closedAt: isoDateTime.nullable(),
  result: z.string().nullable(),
});

export const Order = OrderSummary.extend({
  serviceItem: z.object({
    id: z.uuid(),
    name: z.string(),
    category: z.string(),
    categoryName: z.string(),
    fields: z.array(ItemField),
  }),
  target: z.object({ type: TargetType, id: z.uuid().nullable(), name: z.string() }).nullable(),
  acceptorName: z.string().nullable(),
  contactPhoneMasked: z.string().nullable().meta({
    description: '群众联系电话（脱敏）：订单进行中时接单人与本级工作人员可见，完整号码用 POST …/contact 查看',
  }),
  acceptorPhoneMasked: z
    .string()
    .nullable()
    .meta({ description: '接单志愿者的手机号（脱敏）：订单进行中时群众与工作人员可见' }),
  photos: z.array(FileRef),
  timeline: z.array(OrderEvent),
  followUps: z.array(FollowUpOfOrder),
  actions: z.array(OrderAction).meta({ description: '当前用户现在可以执行的动作（按钮）' }),
}).meta({ id: 'Order', description: '订单详情与时间线' });

/** After a decline (or a target lost) the caller may no longer see the order: its new state, nothing more. */
export const OrderMoved = z
  .object({
    id: z.uuid(),
    state: OrderState,
    stateName: z.string(),
    timeline: z.array(OrderEvent).max(0),
    actions: z.array(OrderAction).max(0),
  })
  .meta({ id: 'OrderMoved', description: '动作之后当前用户已看不到的订单：只有新状态' });
export const OrderAfterAction = z.union([Order, OrderMoved]);

export const OrderContact = z
  .object({ phone: z.string() })
  .meta({ id: 'OrderContact', description: '群众的完整联系电话（已记入审计）' });

export const Recommendations = z
  .object({
    items: z.array(
      z.object({
        type: z.enum(['team', 'volunteer']),
        id: z.uuid(),
        name: z.string(),
        score: z.number(),
        reasons: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'Recommendations', description: '派单推荐：按得分排序的队伍与志愿者及理由' });

export const OrdersMeta = z
  .object({
    states: z.record(z.string(), z.string()),
    scores: z.record(z.string(), z.string()),
    transitions: z.record(
      z.string(),
      z.object({ from: z.array(z.string()), to: z.string(), who: z.array(z.string()), label: z.string() }),
    ),
  })
  .meta({ id: 'OrdersMeta', description: '订单状态、动作与评分的中文名称' });

// ---- follow-ups (不满意回访) ----

export const FollowUpState = z
  .enum(keys(followUpMachine.states))
  .meta({ id: 'FollowUpState', description: '回访状态：待回访 / 已办结' });
export const FollowUpAction = z
  .enum(keys(followUpMachine.transitions))
  .meta({ id: 'FollowUpAction', description: '回访的操作：办结' });

export const FollowUp = z
  .object({
    id: z.uuid(),
    orderId: z.uuid(),
    state: FollowUpState,
    stateName: z.string(),
    reason: z.string(),
    openedAt: dateTime,
    closedAt: dateTime.nullable(),
    result: z.string().nullable(),
    contactName: z.string(),
    serviceItemName: z.string(),
    score: z.number().int().nullable(),
    scoreName: z.string().nullable(),
    actions: z.array(FollowUpAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
  })
  .meta({ id: 'FollowUp', description: '不满意回访' });
export const FollowUpList = z.object({ items: z.array(FollowUp) });
