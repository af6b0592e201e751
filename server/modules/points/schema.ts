import { z } from 'zod';
import { pointCategories, pointGroups } from '../../db/schema/index.js';
import { dateTime, pageOf } from '../../platform/responses.js';
import { adjustmentMachine, claimMachine } from './transitions.js';

/** What the points routes answer (named components of the OpenAPI document; the web's types come from them). */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];
const actionsOf = <T extends z.ZodType>(action: T) =>
  z.array(action).meta({ description: '当前用户现在可以执行的操作（按钮）' });

export const PointAccountType = z
  .enum(['household', 'volunteer'])
  .meta({ id: 'PointAccountType', description: '积分账户类型：户（文明积分）/ 志愿者（服务积分）' });
export const PointRuleCategory = z
  .enum(pointCategories)
  .meta({ id: 'PointRuleCategory', description: '积分规则类别：基础 / 奖励 / 扣分' });
export const PointRuleGroup = z.enum(pointGroups).meta({ id: 'PointRuleGroup', description: '积分指标组' });
export const PointClaimState = z
  .enum(keys(claimMachine.states))
  .meta({ id: 'PointClaimState', description: '积分申报状态：待评议 / 公示中 / 已入账 / 未通过 / 已撤回' });
export const PointClaimAction = z
  .enum(keys(claimMachine.transitions))
  .meta({ id: 'PointClaimAction', description: '积分申报的操作：评议通过 / 驳回 / 提出异议 / 撤回 / 入账' });
export const PointAdjustmentState = z
  .enum(keys(adjustmentMachine.states))
  .meta({ id: 'PointAdjustmentState', description: '积分调整状态：待复核 / 已入账 / 已驳回' });
export const PointAdjustmentAction = z
  .enum(keys(adjustmentMachine.transitions))
  .meta({ id: 'PointAdjustmentAction', description: '积分调整的操作：复核通过 / 驳回（申请人本人不能操作）' });

/** A step of a claim's or an adjustment's timeline (workflow_events). */
export const WorkflowStep = z
  .object({
    action: z.string(),
    fromState: z.string().nullable(),
    toState: z.string(),
    actorName: z.string(),
    note: z.string(),
    data: z.record(z.string(), z.unknown()).nullable(),
    at: dateTime,
  })
  .meta({ id: 'WorkflowStep', description: '流转记录的一步' });

// ---------- rules and privileges ----------

export const PointRule = z
  .object({
    id: z.uuid(),
    name: z.string(),
    category: PointRuleCategory,
    categoryName: z.string(),
    group: PointRuleGroup,
    groupName: z.string(),
    points: z.number().int().meta({ description: '分值（扣分项为负数）' }),
    evidenceRequired: z.boolean(),
    description: z.string(),
    active: z.boolean(),
    sort: z.number().int(),
    updatedAt: dateTime,
  })
  .meta({ id: 'PointRule', description: '积分规则' });
export const PointRuleList = pageOf(PointRule).meta({ id: 'PointRuleList', description: '积分规则目录（不分页）' });

export const PointRulesMeta = z
  .object({
    categories: z.record(PointRuleCategory, z.string()),
    groups: z.record(PointRuleGroup, z.string()),
    claimStates: z.record(PointClaimState, z.string()),
  })
  .meta({ id: 'PointRulesMeta', description: '积分规则类别、指标组与申报状态的中文名称' });

export const PointPrivilege = z
  .object({
    id: z.uuid(),
    name: z.string(),
    threshold: z.number().int().meta({ description: '积分门槛' }),
    description: z.string(),
    active: z.boolean(),
  })
  .meta({ id: 'PointPrivilege', description: '积分特权' });
export const PointPrivilegeList = pageOf(PointPrivilege).meta({ id: 'PointPrivilegeList' });

// ---------- accounts ----------

export const PointAccount = z
  .object({
    id: z.uuid(),
    type: PointAccountType,
    ownerId: z.uuid().meta({ description: '户 ID 或志愿者 ID' }),
    name: z.string(),
    regionCode: z.string().nullable(),
    regionName: z.string().nullable(),
    balance: z.number().int(),
    typeName: z.string(),
  })
  .meta({ id: 'PointAccount', description: '积分账户（列表中的一项）' });
export const PointAccountPage = pageOf(PointAccount).extend({
  nextCursor: z.string().nullable().meta({ description: '下一页的游标（作为 after 传回）；没有下一页时为 null' }),
});

export const PointEntry = z
  .object({
    transactionId: z.uuid(),
    kind: z.string(),
    kindName: z.string(),
    memo: z.string(),
    amount: z.number().int().meta({ description: '本账户的变动（入账为正，支出为负）' }),
    balanceAfter: z.number().int(),
    at: dateTime,
    counterAccount: z.string().meta({ description: '对方账户名称' }),
  })
  .meta({ id: 'PointEntry', description: '积分流水（从本账户看）' });

export const PointPrivilegeReached = z
  .object({
    id: z.uuid(),
    name: z.string(),
    threshold: z.number().int(),
    description: z.string(),
    reached: z.boolean().meta({ description: '余额已达到门槛' }),
  })
  .meta({ id: 'PointPrivilegeReached', description: '积分特权及是否已达到' });

export const PointAccountDetail = z
  .object({
    account: z.object({
      id: z.uuid().nullable().meta({ description: '尚未开户时为 null（余额按 0 计）' }),
      type: PointAccountType,
      typeName: z.string(),
      ownerId: z.uuid(),
      name: z.string(),
      regionCode: z.string(),
      regionName: z.string().nullable(),
      balance: z.number().int(),
    }),
    privileges: z.array(PointPrivilegeReached),
    entries: z.array(PointEntry),
    total: z.number().int().meta({ description: '流水总条数' }),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .meta({ id: 'PointAccountDetail', description: '积分账户详情：余额、特权与流水（分页）' });

export const MyPoints = z
  .object({
    volunteer: PointAccountDetail.nullable(),
    household: PointAccountDetail.nullable(),
    accounts: z.array(PointAccountDetail),
  })
  .meta({ id: 'MyPoints', description: '我的积分：志愿者服务积分与本户文明积分' });

// ---------- claims ----------

export const PointClaim = z
  .object({
    id: z.uuid(),
    state: PointClaimState,
    stateName: z.string(),
    accountId: z.uuid(),
    accountType: PointAccountType,
    accountTypeName: z.string(),
    ownerId: z.uuid().nullable(),
    accountName: z.string(),
    regionName: z.string().nullable(),
    ruleId: z.uuid(),
    ruleName: z.string(),
    category: PointRuleCategory,
    categoryName: z.string(),
    group: PointRuleGroup,
    groupName: z.string(),
    points: z.number().int(),
    note: z.string(),
    evidenceFileIds: z.array(z.uuid()),
    noticeStartAt: dateTime.nullable(),
    noticeEndAt: dateTime.nullable(),
    reviewComment: z.string().nullable(),
    transactionId: z.uuid().nullable(),
    postedAt: dateTime.nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'PointClaim', description: '积分申报（列表中的一项）' });
export const PointClaimPage = pageOf(PointClaim).extend({
  nextCursor: z.string().nullable().meta({ description: '下一页的游标（作为 after 传回）；没有下一页时为 null' }),
});
export const PointClaimMinePage = pageOf(PointClaim);

export const PointClaimDetail = PointClaim.extend({
  actions: actionsOf(PointClaimAction),
  events: z.array(WorkflowStep),
}).meta({ id: 'PointClaimDetail', description: '积分申报详情、可执行的操作与流转记录' });

export const PointClaimObjected = z
  .object({ id: z.uuid(), state: z.literal('submitted') })
  .meta({ id: 'PointClaimObjected', description: '异议已登记：申报退回待评议' });

export const PointClaimPosted = z
  .object({
    id: z.uuid(),
    state: z.literal('posted'),
    transactionId: z.uuid().nullable(),
    points: z.number().int().meta({ description: '实际入账的分值（扣分为负）' }),
    capped: z.boolean().meta({ description: '扣分超过余额，只扣到 0' }),
    message: z.string(),
  })
  .meta({ id: 'PointClaimPosted', description: '申报已入账' });

export const PointClaimNotice = z
  .object({
    id: z.uuid(),
    accountName: z.string().meta({ description: '户名或姓名（部分隐去）' }),
    accountType: PointAccountType,
    regionName: z.string().nullable(),
    ruleName: z.string(),
    category: PointRuleCategory,
    categoryName: z.string(),
    points: z.number().int(),
    noticeStartAt: dateTime.nullable(),
    noticeEndAt: dateTime.nullable(),
    canObject: z.boolean().meta({ description: '公示期内，可以提出异议' }),
  })
  .meta({ id: 'PointClaimNotice', description: '积分公示（一项）' });
export const PointClaimNoticePage = pageOf(PointClaimNotice);

// ---------- awards, adjustments, transactions, expiry, dividend, verify ----------

export const PointAwardResult = z
  .object({
    posted: z.number().int(),
    skipped: z.number().int().meta({ description: '重复的账户，或同一 idempotencyKey 已发放过' }),
    transactionId: z.uuid(),
    points: z.number().int().meta({ description: '本次发放的积分合计' }),
  })
  .meta({ id: 'PointAwardResult', description: '批量发放的结果' });

export const PointActivityAwardResult = z
  .object({
    posted: z.number().int(),
    points: z.number().int(),
    transactionId: z.uuid(),
    perHour: z.number(),
    coefficient: z.number(),
    rows: z.array(z.object({ volunteerId: z.uuid(), name: z.string(), hours: z.number(), points: z.number().int() })),
  })
  .meta({ id: 'PointActivityAwardResult', description: '活动服务积分的发放结果' });

export const PointAdjustment = z
  .object({
    id: z.uuid(),
    state: PointAdjustmentState,
    stateName: z.string(),
    accountId: z.uuid(),
    accountType: PointAccountType,
    ownerId: z.uuid().nullable(),
    accountName: z.string(),
    regionName: z.string().nullable(),
    amount: z.number().int(),
    reason: z.string(),
    requestedBy: z.uuid(),
    requestedByName: z.string().nullable(),
    decidedBy: z.uuid().nullable(),
    decidedByName: z.string().nullable(),
    decidedAt: dateTime.nullable(),
    comment: z.string().nullable(),
    transactionId: z.uuid().nullable(),
    createdAt: dateTime,
    actions: actionsOf(PointAdjustmentAction),
  })
  .meta({ id: 'PointAdjustment', description: '积分人工调整' });
export const PointAdjustmentPage = pageOf(PointAdjustment);
export const PointAdjustmentDetail = PointAdjustment.extend({ events: z.array(WorkflowStep) }).meta({
  id: 'PointAdjustmentDetail',
  description: '积分调整详情与流转记录',
});

export const PointTransaction = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    kindName: z.string(),
    memo: z.string(),
    ruleId: z.uuid().nullable(),
    reversesId: z.uuid().nullable(),
    reversedBy: z.uuid().nullable(),
    createdAt: dateTime,
    movements: z.array(
      z.object({
        debitAccountId: z.uuid(),
        debitName: z.string(),
        creditAccountId: z.uuid(),
        creditName: z.string(),
        amount: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'PointTransaction', description: '积分凭证及其流水（数据权限内的）' });

export const PointReversal = z
  .object({
    transactionId: z.uuid().meta({ description: '冲正凭证' }),
    reversesId: z.uuid(),
    movements: z.number().int(),
    points: z.number().int(),
  })
  .meta({ id: 'PointReversal', description: '冲正的结果' });

export const PointExpiry = z
  .object({
    year: z.number().int(),
    accounts: z.number().int(),
    points: z.number().int(),
    transactionId: z.uuid().nullable(),
    duplicate: z.boolean().meta({ description: '该年度已清零过' }),
  })
  .meta({ id: 'PointExpiry', description: '年底积分清零的结果' });

export const PointDividend = z
  .object({
    year: z.number().int(),
    type: PointAccountType,
    typeName: z.string(),
    totalPoints: z.number(),
    budget: z.number().meta({ description: '预算（元）；未填时按每分折合金额算出' }),
    yuanPerPoint: z.number(),
    rows: z.array(
      z.object({
        account: z.object({
          id: z.uuid(),
          type: PointAccountType,
          ownerId: z.uuid(),
          name: z.string(),
          regionCode: z.string().nullable(),
          regionName: z.string().nullable(),
        }),
        points: z.number(),
        amount: z.number().meta({ description: '分得金额（元）' }),
      }),
    ),
  })
  .meta({ id: 'PointDividend', description: '积分分红报告' });

/** The dividend as JSON, or with `format=xlsx` as an Excel workbook. */
export const PointDividendAnswer = {
  description: '积分分红报告（format=xlsx 时为 Excel 文件）',
  content: {
    'application/json': { schema: PointDividend },
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
      schema: z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ type: 'string', format: 'binary' }),
    },
  },
};

export const PointsVerification = z
  .object({
    ok: z.boolean(),
    accounts: z.number().int(),
    transactions: z.number().int(),
    movements: z.number().int(),
    problems: z.array(
      z.object({ accountId: z.uuid().optional(), transactionId: z.uuid().optional(), problem: z.string() }),
    ),
  })
  .meta({ id: 'PointsVerification', description: '积分账本校验结果' });
