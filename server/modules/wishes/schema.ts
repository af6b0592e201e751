import { z } from 'zod';
import { dateTime, FileRef, pageOf } from '../../platform/responses.js';
import { wishMachine } from './transitions.js';

/** What the wishes routes answer (named components of the OpenAPI document; the web's types come from them). */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];

export const WishState = z.enum(keys(wishMachine.states)).meta({
  id: 'WishState',
  description: '心愿状态：待核实 / 已核实 / 已发布 / 已认领 / 已实现 / 已确认 / 未通过 / 已撤回 / 已过期',
});
export const WishAction = z
  .enum(keys(wishMachine.transitions))
  .meta({ id: 'WishAction', description: '心愿动作（expire 由系统执行）' });
export const WishClaimState = z
  .enum(['active', 'fulfilled', 'withdrawn'])
  .meta({ id: 'WishClaimState', description: '认领状态：认领中 / 已实现 / 已取消' });
const ClaimMode = z.enum(['single', 'multi']).meta({ description: '认领方式：一对一 / 多人共同认领' });

/** A wish as anyone may see it (the wall): the name only with the beneficiary's consent, never a phone. */
export const WishCard = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string(),
    value: z.number().meta({ description: '心愿金额（元）' }),
    claimedValue: z.number().meta({ description: '已认领的金额（元）' }),
    remaining: z.number().meta({ description: '尚未认领的金额（元）' }),
    claimMode: ClaimMode,
    claimModeName: z.string(),
    state: WishState,
    stateName: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    townName: z.string().nullable(),
    place: z.string().meta({ description: '乡镇 + 村（社区）' }),
    beneficiaryName: z.string().meta({ description: '未同意公开时为“某村民”（工作人员与提交人看到真实姓名）' }),
    consentToPublish: z.boolean(),
    photos: z.array(FileRef).meta({ description: '实现照片（未同意公开的心愿只对工作人员与提交人显示）' }),
    claimCount: z.number().int().meta({ description: '未取消的认领数' }),
    deadline: dateTime.nullable(),
    publishedAt: dateTime.nullable(),
    fulfilledAt: dateTime.nullable(),
    confirmedAt: dateTime.nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'WishCard', description: '心愿（公开可见的部分）' });

/** A wish with what only staff in scope and the submitter see (absent for everyone else). */
export const Wish = WishCard.extend({
  beneficiaryPhoneMasked: z.string().nullable().optional(),
  source: z
    .enum(['resident', 'staff', 'grid'])
    .optional()
    .meta({ description: '来源：群众 / 工作人员 / 网格员（工作人员与提交人可见）' }),
  overCap: z.boolean().optional().meta({ description: '超过金额上限（须县级中心审批）' }),
  rejectReason: z.string().nullable().optional(),
  submittedByName: z.string().nullable().optional(),
}).meta({ id: 'Wish', description: '心愿（列表中的一项）；电话、来源等只对工作人员与提交人出现' });

export const WishPage = pageOf(Wish).extend({
  nextCursor: z.string().nullable().optional().meta({ description: '下一页的游标（用作 after；最后一页为 null）' }),
});

export const WishEvent = z
  .object({
    action: z.string(),
    actionName: z.string(),
    fromState: z.string().nullable(),
    toState: z.string(),
    toStateName: z.string(),
    actorName: z.string(),
    note: z.string(),
    at: dateTime,
  })
  .meta({ id: 'WishEvent', description: '心愿流转记录的一条' });

export const WishClaim = z
  .object({
    id: z.uuid(),
    claimantType: z.enum(['volunteer', 'team', 'unit', 'person']),
    claimantName: z.string().meta({ description: '对外部人员，个人姓名部分隐去' }),
    amount: z.number().meta({ description: '认领金额（元）' }),
    state: WishClaimState,
    createdAt: dateTime,
  })
  .meta({ id: 'WishClaim', description: '一次认领' });

export const WishDetail = Wish.extend({
  claims: z.array(WishClaim),
  myClaim: z
    .object({ id: z.uuid(), amount: z.number(), state: WishClaimState })
    .nullable()
    .meta({ description: '当前用户的认领（没有为 null）' }),
  actions: z.array(WishAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
  events: z.array(WishEvent).meta({ description: '流转记录（工作人员、提交人与认领人可见）' }),
}).meta({ id: 'WishDetail', description: '心愿详情：认领情况、可执行的操作与流转记录' });

export const MyWish = Wish.extend({
  mine: z.enum(['submitted', 'claimed']).meta({ description: '我提交的或我认领的' }),
  myClaim: z.object({ id: z.uuid(), amount: z.number(), state: WishClaimState, createdAt: dateTime }).nullable(),
  actions: z.array(WishAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
}).meta({ id: 'MyWish', description: '我的心愿（我提交的或我认领的）' });
export const MyWishPage = pageOf(MyWish);

export const PublicWish = WishCard.extend({
  claimants: z.array(z.string()).meta({ description: '认领人（个人姓名部分隐去）' }),
}).meta({ id: 'PublicWish', description: '心愿墙上的心愿' });
export const PublicWishPage = pageOf(PublicWish).extend({
  counts: z
    .object({ published: z.number().int(), claimed: z.number().int(), fulfilled: z.number().int() })
    .meta({ description: '全县心愿墙的数量：待认领、已认领、已实现（含已确认）' }),
});

export const WishStats = z
  .object({
    total: z.number().int(),
    byState: z.record(WishState, z.number().int()),
    items: z.array(z.object({ state: WishState, stateName: z.string(), count: z.number().int(), value: z.number() })),
    overCapPending: z.number().int().meta({ description: '超过金额上限、待县级审批的心愿数' }),
  })
  .meta({ id: 'WishStats', description: '心愿按状态的数量与金额（按数据权限）' });

/** A fulfilment photo on the wall. */
export const WishPhoto = {
  description: '心愿实现照片',
  content: {
    'image/*': {
      schema: z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ type: 'string', format: 'binary' }),
    },
  },
};
