import { z } from 'zod';
import { dateTime, pageOf } from '../../platform/responses.js';
import { RegionLevel } from '../regions/schema.js';
import { PointAccountType } from '../points/schema.js';
import { redemptionMachine } from './transitions.js';

/** What the shop routes answer (named components of the OpenAPI document; the web's types come from them). */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];

export const RedemptionState = z
  .enum(keys(redemptionMachine.states))
  .meta({ id: 'RedemptionState', description: '兑换状态：待领取 / 已领取 / 已取消' });
export const RedemptionAction = z
  .enum(keys(redemptionMachine.transitions))
  .meta({ id: 'RedemptionAction', description: '兑换的操作：发放 / 取消' });

export const Goods = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    points: z.number().int().meta({ description: '兑换所需积分（每件）' }),
    stock: z.number().int(),
    fundingSource: z.string(),
    imageFileId: z.uuid().nullable(),
    active: z.boolean().meta({ description: '在架' }),
    regionCode: z.string(),
    regionName: z.string(),
    regionLevel: RegionLevel,
    createdAt: dateTime,
    updatedAt: dateTime,
    reservedCount: z.number().int().meta({ description: '已预约、待领取的件数' }),
    imageUrl: z.string().nullable(),
  })
  .meta({ id: 'Goods', description: '积分超市商品' });
export const GoodsPage = pageOf(Goods);

/** The redemption just made, with its pickup code. */
export const RedemptionReceipt = z
  .object({
    id: z.uuid(),
    state: RedemptionState.meta({ description: '刚兑换时为待领取（reserved）' }),
    pickupCode: z.string().meta({ description: '6 位取货码' }),
    points: z.number().int(),
    quantity: z.number().int(),
    goodsId: z.uuid(),
    goodsName: z.string(),
    accountId: z.uuid(),
    accountName: z.string(),
    createdAt: dateTime,
  })
  .meta({ id: 'RedemptionReceipt', description: '兑换成功：库存与积分已冻结，凭取货码领取' });

export const Redemption = z
  .object({
    id: z.uuid(),
    goodsId: z.uuid(),
    goodsName: z.string(),
    goodsPoints: z.number().int(),
    goodsRegionName: z.string(),
    accountId: z.uuid(),
    accountType: PointAccountType,
    ownerId: z.uuid().nullable(),
    accountName: z.string(),
    quantity: z.number().int(),
    points: z.number().int(),
    state: RedemptionState,
    pickupCode: z.string().optional().meta({ description: '取货码：只给账户本人看，且只在待领取时' }),
    createdAt: dateTime,
    handedOutAt: dateTime.nullable(),
    cancelledAt: dateTime.nullable(),
    cancelReason: z.string().nullable(),
    stateName: z.string(),
    accountTypeName: z.string(),
    actions: z.array(RedemptionAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
  })
  .meta({ id: 'Redemption', description: '积分兑换' });
export const RedemptionPage = pageOf(Redemption);

export const RedemptionDetail = Redemption.extend({
  canHandout: z.boolean(),
  canCancel: z.boolean(),
  events: z.array(
    z.object({
      action: z.string(),
      fromState: z.string().nullable(),
      toState: z.string(),
      actorName: z.string(),
      note: z.string(),
      at: dateTime,
    }),
  ),
}).meta({ id: 'RedemptionDetail', description: '兑换详情、可执行的操作与流转记录' });
