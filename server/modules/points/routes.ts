import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pointCategories, pointClaimStates, pointGroups } from '../../db/schema/index.js';
import type { Deps } from '../../platform/context.js';
import { contentDisposition, actor, auth, pageQuery } from '../../platform/http.js';
import { writeAudit } from '../../platform/audit.js';
import { idParam, regionCodeSchema } from '../../platform/validation.js';
import { countyOf } from '../accounts/service.js';
import { resolveCounty } from '../regions/service.js';
import { afterQuery, listsOf } from '../../platform/lists.js';
import { noContent, sendJsonText } from '../../platform/responses.js';
import { pointsCaller, type PointsCaller } from './common.js';
import { verifyPoints } from './ledger.js';
import {
  createPrivilege,
  createRule,
  deactivatePrivilege,
  deactivateRule,
  listPrivileges,
  listRules,
  updatePrivilege,
  updateRule,
  categoryLabels,
  groupLabels,
} from './rules.js';
import { accountDetail, listAccounts, myPoints } from './accounts.js';
import {
  approveClaim,
  claimStateLabels,
  findClaim,
  getClaim,
  listClaims,
  myClaims,
  objectToClaim,
  postClaim,
  publicClaimNotices,
  rejectClaim,
  submitClaim,
  withdrawClaim,
  postDueClaims,
} from './claims.js';
import {
  XLSX_MIME,
  approveAdjustment,
  award,
  awardActivity,
  dividend,
  dividendXlsx,
  expirePoints,
  getAdjustment,
  getTransaction,
  listAdjustments,
  rejectAdjustment,
  requestAdjustment,
  reverseTransaction,
} from './awards.js';
import { sql } from 'drizzle-orm';
import { holdsId } from '../../platform/file-holders.js';
import { pointClaims } from '../../db/schema/index.js';
import {
  MyPoints,
  PointAccountDetail,
  PointAccountPage,
  PointActivityAwardResult,
  PointAdjustmentDetail,
  PointAdjustmentPage,
  PointAwardResult,
  PointClaimDetail,
  PointClaimMinePage,
  PointClaimNoticePage,
  PointClaimObjected,
  PointClaimPage,
  PointClaimPosted,
  PointDividendAnswer,
  PointExpiry,
  PointPrivilege,
  PointPrivilegeList,
  PointReversal,
  PointRule,
  PointRuleList,
  PointRulesMeta,
  PointTransaction,
  PointsVerification,
} from './schema.js';

const tags = ['积分'];
const uuid = (label: string) => z.uuid(`${label} ID 格式不正确`);
const accountType = z.enum(['household', 'volunteer'], {
  error: 'accountType 应为 household（户）或 volunteer（志愿者）',
});
const category = z.enum(pointCategories, { error: '类别应为 basic（基础）、reward（奖励）或 deduction（扣分）' });
const group = z.enum(pointGroups, {
  error: `指标组应为 ${pointGroups.map((g) => `${g}（${groupLabels[g]}）`).join('、')} 之一`,
});
const intPoints = (label: string) => z.number({ error: `${label}应为整数` }).int(`${label}应为整数`);
const text = (label: string, min: number, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(min, `请填写${label}${min > 1 ? `（至少 ${min} 个字）` : ''}`)
    .max(max, `${label}不能超过 ${max} 个字`);

const ruleBody = z.object({
  name: text('规则名称', 2, 60),
  category,
  group,
  points: intPoints('分值')
    .refine((n) => n !== 0, '分值不能为 0')
    .refine((n) => Math.abs(n) <= 10_000, '分值绝对值不能超过 10000'),
  evidenceRequired: z.boolean({ error: 'evidenceRequired 应为 true 或 false' }).optional(),
  description: z.string().trim().max(500, '说明不能超过 500 个字').optional(),
  sort: z.number().int().min(0).max(100_000).optional(),
});
const privilegeBody = z.object({
  name: text('特权名称', 2, 60),
  threshold: intPoints('积分门槛').min(1, '积分门槛必须大于 0').max(1_000_000, '积分门槛不能超过 1000000'),
  description: z.string().trim().max(500, '说明不能超过 500 个字').optional(),
});
const typeIdParam = z.object({ type: accountType, id: uuid('账户') });
const comment = z.object({ comment: z.string().trim().max(500, '意见不能超过 500 个字').optional() }).nullish();
const requiredComment = z.object({ comment: text('意见', 2, 500) });
const reasonBody = z.object({ reason: text('原因', 2, 500) });
const claimState = z.enum(pointClaimStates, {
  error: `状态应为 ${pointClaimStates.map((s) => `${s}（${claimStateLabels[s]}）`).join('、')} 之一`,
});
const adjustmentState = z.enum(['pending', 'approved', 'rejected'], {
  error: '状态应为 pending（待复核）、approved（已入账）或 rejected（已驳回）',
});
const yearSchema = z.coerce
  .number({ error: '年度应为四位数字' })
  .int('年度应为四位数字')
  .min(2000, '年度不能早于 2000 年')
  .max(2100, '年度不能晚于 2100 年');

export const pointRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    // 公示期满的积分申报入账: a recurring job, run by one app server per period
    deps.jobs.define({
      kind: 'points.claims',
      every: 10 * 60_000,
      maxAttempts: 3,
      run: (ctx) => postDueClaims(db, ctx.now()),
    });
    const lists = listsOf(deps);
    const caller = (req: FastifyRequest): Promise<PointsCaller> => {
      const a = auth(req);
      return pointsCaller(db, {
        actor: actor(req),
        userId: a.userId,
        countyCode: countyOf(a, deps),
        scope: a.scope,
        permissions: a.permissions,
      });
    };
    const county = (req: FastifyRequest) => countyOf(auth(req), deps);

    // ---------- rules and privileges ----------

    // evidence of a points claim: readable with the claim (the household or volunteer, staff in scope)
    app.fileHolders.define({
      kind: 'point-claim',
      holding: (fileId) =>
        sql`select ${pointClaims.id} as id from ${pointClaims} where ${holdsId(pointClaims.evidenceFileIds, fileId)}`,
      readable: async (req, id) => !!(await findClaim(db, await caller(req), id, now())),
    });

    app.get(
      '/point-rules/meta',
      { schema: { tags, summary: '积分规则类别、指标组与申报状态的中文名称', response: { 200: PointRulesMeta } } },
      async () => ({ categories: categoryLabels, groups: groupLabels, claimStates: claimStateLabels }),
    );

    app.get(
      '/point-rules',
      {
        schema: {
          tags,
          summary: '积分规则目录（本县，登录即可查看）',
          querystring: z.object({
            category: category.optional(),
            group: group.optional(),
            includeInactive: z.enum(['true', 'false']).optional(),
          }),
          response: { 200: PointRuleList },
        },
      },
      async (req) =>
        listRules(db, county(req), {
          ...req.query,
          includeInactive: req.query.includeInactive === 'true' && auth(req).permissions.has('pointRule:manage'),
        }),
    );

    app.post(
      '/point-rules',
      {
        config: { permission: 'pointRule:manage' },
        schema: { tags, summary: '新增积分规则（扣分项分值必须为负数）', body: ruleBody, response: { 201: PointRule } },
      },
      async (req, reply) => reply.status(201).send(await createRule(db, await caller(req), now(), req.body)),
    );
    app.put(
      '/point-rules/:id',
      {
        config: { permission: 'pointRule:manage' },
        schema: {
          tags,
          summary: '修改积分规则（已申报的积分不受影响）',
          params: idParam,
          body: ruleBody,
          response: { 200: PointRule },
        },
      },
      async (req) => updateRule(db, await caller(req), now(), req.params.id, req.body),
    );
    app.delete(
      '/point-rules/:id',
      {
        config: { permission: 'pointRule:manage' },
        schema: { tags, summary: '停用积分规则', params: idParam, response: { 204: noContent } },
      },
      async (req, reply) => {
        await deactivateRule(db, await caller(req), now(), req.params.id);
        return reply.status(204).send();
      },
    );

    app.get(
      '/point-privileges',
      { schema: { tags, summary: '积分特权（达到积分门槛可享受的优先待遇）', response: { 200: PointPrivilegeList } } },
      async (req) => listPrivileges(db, county(req)),
    );
    app.post(
      '/point-privileges',
      {
        config: { permission: 'pointRule:manage' },
        schema: { tags, summary: '新增积分特权', body: privilegeBody, response: { 201: PointPrivilege } },
      },
      async (req, reply) => reply.status(201).send(await createPrivilege(db, await caller(req), now(), req.body)),
    );
    app.put(
      '/point-privileges/:id',
      {
        config: { permission: 'pointRule:manage' },
        schema: {
          tags,
          summary: '修改积分特权',
          params: idParam,
          body: privilegeBody,
          response: { 200: PointPrivilege },
        },
      },
      async (req) => updatePrivilege(db, await caller(req), req.params.id, req.body),
    );
    app.delete(
      '/point-privileges/:id',
      {
        config: { permission: 'pointRule:manage' },
        schema: { tags, summary: '停用积分特权', params: idParam, response: { 204: noContent } },
      },
      async (req, reply) => {
        await deactivatePrivilege(db, await caller(req), req.params.id);
        return reply.status(204).send();
      },
    );

    // ---------- accounts ----------

    app.get(
      '/points/accounts',
      {
        config: { permission: 'point:read' },
        schema: {
          tags,
          summary: '积分账户列表（按数据权限）',
          querystring: z.object({
            ...pageQuery,
            type: accountType.optional(),
            regionCode: regionCodeSchema.optional(),
            q: z.string().max(40).optional(),
            ...afterQuery,
          }),
          response: { 200: PointAccountPage },
        },
      },
      async (req, reply) => {
        const a = auth(req);
        return sendJsonText(reply, await listAccounts(lists, db, a.scope, countyOf(a, deps), req.query));
      },
    );

    app.get(
      '/points/accounts/:type/:id',
      {
        schema: {
          tags,
          summary: '积分账户详情与流水（:id 为户 ID 或志愿者 ID；工作人员按数据权限，或账户本人/本户成员）',
          params: typeIdParam,
          querystring: z.object(pageQuery),
          response: { 200: PointAccountDetail },
        },
      },
      async (req) =>
        accountDetail(db, await caller(req), req.params.type, req.params.id, req.query.page, req.query.pageSize),
    );

    app.get(
      '/me/points',
      {
        schema: {
          tags,
          summary: '我的积分：志愿者服务积分与本户文明积分，含余额、特权与最近流水',
          response: { 200: MyPoints },
        },
      },
      async (req) => myPoints(db, await caller(req)),
    );
    app.get(
      '/me/point-claims',
      {
        schema: {
          tags,
          summary: '我的积分申报（我提交的和我账户上的）',
          querystring: z.object(pageQuery),
          response: { 200: PointClaimMinePage },
        },
      },
      async (req) => myClaims(db, await caller(req), req.query),
    );

    // ---------- claims ----------

    app.post(
      '/points/claims',
      {
        config: { attachesFiles: ['evidenceFileIds'] },
        schema: {
          tags,
          summary: '申报积分：工作人员代申报（按数据权限），群众为本户申报，志愿者为本人申报',
          body: z.object({
            accountType,
            accountId: uuid('账户'),
            ruleId: uuid('积分规则'),
            note: z.string().trim().max(1000, '申报说明不能超过 1000 个字').optional(),
            evidenceFileIds: z
              .array(uuid('证明材料'), { error: 'evidenceFileIds 应为文件 ID 数组' })
              .max(9, '证明材料最多 9 个')
              .optional(),
          }),
          response: { 201: PointClaimDetail },
        },
      },
      async (req, reply) => {
        const c = await caller(req);
        const row = await submitClaim(db, c, now(), req.body);
        return reply.status(201).send(await getClaim(db, c, row.id, now()));
      },
    );

    app.get(
      '/points/claims',
      {
        config: { permission: 'point:read' },
        schema: {
          tags,
          summary: '积分申报列表（按数据权限）',
          querystring: z.object({
            ...pageQuery,
            state: claimState.optional(),
            regionCode: regionCodeSchema.optional(),
            accountId: uuid('账户').optional(),
            ...afterQuery,
          }),
          response: { 200: PointClaimPage },
        },
      },
      async (req, reply) => {
        const a = auth(req);
        return sendJsonText(reply, await listClaims(lists, db, a.scope, countyOf(a, deps), req.query));
      },
    );

    app.get(
      '/points/claims/:id',
      {
        schema: { tags, summary: '积分申报详情与流转记录', params: idParam, response: { 200: PointClaimDetail } },
      },
      async (req) => getClaim(db, await caller(req), req.params.id, now()),
    );

    app.post(
      '/points/claims/:id/approve',
      {
        config: { permission: 'point:review' },
        schema: {
          tags,
          summary: '评议通过，进入公示（points.noticeDays 天）',
          params: idParam,
          body: comment,
          response: { 200: PointClaimDetail },
        },
      },
      async (req) => {
        const c = await caller(req);
        await approveClaim(db, c, now(), req.params.id, req.body?.comment);
        return getClaim(db, c, req.params.id, now());
      },
    );
    app.post(
      '/points/claims/:id/reject',
      {
        config: { permission: 'point:review' },
        schema: {
          tags,
          summary: '评议不通过（须填写意见）',
          params: idParam,
          body: requiredComment,
          response: { 200: PointClaimDetail },
        },
      },
      async (req) => {
        const c = await caller(req);
        await rejectClaim(db, c, now(), req.params.id, req.body.comment);
        return getClaim(db, c, req.params.id, now());
      },
    );
    app.post(
      '/points/claims/:id/object',
      {
        schema: {
          tags,
          summary: '对公示中的积分申报提出异议（本县登录用户），退回重新评议',
          params: idParam,
          body: reasonBody,
          response: { 200: PointClaimObjected },
        },
      },
      async (req) => objectToClaim(db, await caller(req), now(), req.params.id, req.body.reason),
    );
    app.post(
      '/points/claims/:id/withdraw',
      {
        schema: { tags, summary: '撤回待评议的申报（申报人）', params: idParam, response: { 200: PointClaimDetail } },
      },
      async (req) => {
        const c = await caller(req);
        await withdrawClaim(db, c, now(), req.params.id);
        return getClaim(db, c, req.params.id, now());
      },
    );
    app.post(
      '/points/claims/:id/post',
      {
        config: { permission: 'point:review' },
        schema: {
          tags,
          summary: '公示期满后入账（公示未满 → 409）；扣分超过余额时扣至 0',
          params: idParam,
          response: { 200: PointClaimPosted },
        },
      },
      async (req) => postClaim(db, await caller(req), now(), req.params.id),
    );

    app.get(
      '/public/points-notices',
      {
        config: { auth: false },
        schema: {
          tags,
          summary: '积分公示（无需登录；户名、姓名部分隐去）',
          security: [],
          querystring: z.object({
            ...pageQuery,
            county: z
              .string()
              .regex(/^\d{6}$/, '县级区划代码应为 6 位数字')
              .optional(),
          }),
          response: { 200: PointClaimNoticePage },
        },
      },
      async (req) => publicClaimNotices(db, await resolveCounty(db, req.query.county), now(), req.query),
    );

    // ---------- awards, adjustments, reversal, expiry, dividend ----------

    app.post(
      '/points/awards',
      {
        config: { permission: 'point:award' },
        schema: {
          tags,
          summary: '批量发放积分：一笔凭证、每户一条流水；相同 idempotencyKey 重复提交不会重复发放',
          body: z.object({
            ruleId: uuid('积分规则'),
            accountType,
            accountIds: z
              .array(uuid('账户'), { error: 'accountIds 应为账户 ID 数组' })
              .min(1, '请至少选择一个账户')
              .max(20_000, '一次最多发放 20000 个账户'),
            idempotencyKey: z
              .string({ error: '请提供 idempotencyKey（防止重复发放）' })
              .trim()
              .min(8, 'idempotencyKey 至少 8 个字符')
              .max(100, 'idempotencyKey 不能超过 100 个字符'),
            points: intPoints('每户积分').min(1, '每户积分必须大于 0').max(10_000, '每户积分不能超过 10000').optional(),
          }),
          response: { 200: PointAwardResult },
        },
      },
      async (req) => award(db, await caller(req), now(), req.body),
    );

    app.post(
      '/points/awards/activity/:activityId',
      {
        config: { permission: 'point:award' },
        schema: {
          tags,
          summary: '为活动发放服务积分：认定时长 × 每小时积分 × 系数，每个活动只发一次',
          params: z.object({ activityId: uuid('活动') }),
          body: z.object({ ruleId: uuid('积分规则').nullish() }).nullish(),
          response: { 200: PointActivityAwardResult },
        },
      },
      async (req) => awardActivity(db, await caller(req), now(), req.params.activityId, req.body?.ruleId),
    );

    app.post(
      '/points/adjustments',
      {
        config: { permission: 'point:adjust' },
        schema: {
          tags,
          summary: '申请人工调整积分（须由另一人复核后入账）',
          body: z.object({
            accountType,
            accountId: uuid('账户'),
            amount: intPoints('调整分值')
              .refine((n) => n !== 0, '调整分值不能为 0')
              .refine((n) => Math.abs(n) <= 100_000, '调整分值绝对值不能超过 100000'),
            reason: text('调整原因', 2, 500),
          }),
          response: { 201: PointAdjustmentDetail },
        },
      },
      async (req, reply) => {
        const c = await caller(req);
        const row = await requestAdjustment(db, c, now(), req.body);
        return reply.status(201).send(await getAdjustment(db, c, row.id));
      },
    );
    app.get(
      '/points/adjustments',
      {
        config: { permission: 'point:read' },
        schema: {
          tags,
          summary: '积分调整列表',
          querystring: z.object({ ...pageQuery, state: adjustmentState.optional() }),
          response: { 200: PointAdjustmentPage },
        },
      },
      async (req) => listAdjustments(db, await caller(req), req.query),
    );
    app.get(
      '/points/adjustments/:id',
      {
        config: { permission: 'point:read' },
        schema: { tags, summary: '积分调整详情与流转记录', params: idParam, response: { 200: PointAdjustmentDetail } },
      },
      async (req) => getAdjustment(db, await caller(req), req.params.id),
    );
    app.post(
      '/points/adjustments/:id/approve',
      {
        config: { permission: 'point:approve' },
        schema: {
          tags,
          summary: '复核通过并入账（申请人本人不能复核 → 403）',
          params: idParam,
          body: comment,
          response: { 200: PointAdjustmentDetail },
        },
      },
      async (req) => {
        const c = await caller(req);
        await approveAdjustment(db, c, now(), req.params.id, req.body?.comment);
        return getAdjustment(db, c, req.params.id);
      },
    );
    app.post(
      '/points/adjustments/:id/reject',
      {
        config: { permission: 'point:approve' },
        schema: {
          tags,
          summary: '驳回积分调整（须填写意见）',
          params: idParam,
          body: requiredComment,
          response: { 200: PointAdjustmentDetail },
        },
      },
      async (req) => {
        const c = await caller(req);
        await rejectAdjustment(db, c, now(), req.params.id, req.body.comment);
        return getAdjustment(db, c, req.params.id);
      },
    );

    app.get(
      '/points/transactions/:id',
      {
        config: { permission: 'point:read' },
        schema: { tags, summary: '积分凭证及其流水', params: idParam, response: { 200: PointTransaction } },
      },
      async (req) => getTransaction(db, await caller(req), req.params.id),
    );
    app.post(
      '/points/transactions/:id/reverse',
      {
        config: { permission: 'point:approve' },
        schema: {
          tags,
          summary: '冲正一笔积分凭证（反向流水，只能冲正一次）',
          params: idParam,
          body: reasonBody,
          response: { 201: PointReversal },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await reverseTransaction(db, await caller(req), now(), req.params.id, req.body.reason)),
    );

    app.post(
      '/points/expire',
      {
        config: { permission: 'pointRule:manage' },
        schema: {
          tags,
          summary: '年底积分清零（需开启 points.expireAtYearEnd；每年只执行一次）',
          body: z.object({ year: yearSchema }),
          response: { 200: PointExpiry },
        },
      },
      async (req) => expirePoints(db, await caller(req), now(), req.body.year),
    );

    app.get(
      '/points/dividend',
      {
        config: { permission: 'point:read' },
        schema: {
          tags,
          summary: '积分分红报告：按年度积分分配预算（不填预算按每分折合金额）；format=xlsx 导出 Excel',
          querystring: z.object({
            regionCode: regionCodeSchema.optional(),
            year: yearSchema.optional(),
            type: accountType.optional(),
            budget: z.coerce
              .number({ error: '预算应为数字（元）' })
              .min(0, '预算不能为负')
              .max(1e9, '预算过大')
              .optional(),
            format: z.enum(['json', 'xlsx'], { error: 'format 应为 json 或 xlsx' }).optional(),
          }),
          response: { 200: PointDividendAnswer },
        },
      },
      async (req, reply) => {
        const c = await caller(req);
        const report = await dividend(db, c, now(), req.query);
        if (req.query.format !== 'xlsx') return report;
        await db.transaction((tx) =>
          writeAudit(tx, c.actor, {
            action: 'points.dividend.export',
            entity: 'point_account',
            detail: { year: report.year, regionCode: req.query.regionCode ?? null, rows: report.rows.length },
          }),
        );
        const buf = await dividendXlsx(report, `${report.year} 年度积分分红表`);
        const name = `${report.year}年度积分分红表.xlsx`;
        return reply
          .header('content-type', XLSX_MIME)
          .header('content-disposition', contentDisposition(name, { ascii: `points-dividend-${report.year}.xlsx` }))
          .header('cache-control', 'no-store')
          .send(buf);
      },
    );

    app.get(
      '/points/verify',
      {
        config: { permission: 'pointRule:manage' },
        schema: {
          tags,
          summary: '校验积分账本：按流水重算余额并检查各项不变式',
          response: { 200: PointsVerification },
        },
      },
      async (req) => verifyPoints(db, county(req)),
    );
  };
