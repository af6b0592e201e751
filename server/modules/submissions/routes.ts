import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, can, pageQuery } from '../../platform/http.js';
import { idParam, regionCodeSchema } from '../../platform/validation.js';
import { forbidden } from '../../platform/errors.js';
import { monthSchema } from '../plans/month.js';
import { getSubmission, listSubmissions, missing, resubmit, review, submit, type Caller } from './service.js';
import { sql } from 'drizzle-orm';
import { holdsId } from '../../platform/file-holders.js';
import { submissions } from '../../db/schema/index.js';
import { MissingSubmissions, SubmissionDetail, SubmissionPage } from './schema.js';

const summary = z
  .string({ error: '请填写本月工作小结' })
  .trim()
  .min(2, '请填写本月工作小结（至少 2 个字）')
  .max(5000, '工作小结不超过 5000 个字');
const attachmentIds = z.array(z.uuid('附件 ID 格式不正确')).max(20, '附件最多 20 个');

export const submissionRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const caller = (req: FastifyRequest): Caller => {
      const a = auth(req);
      return {
        actor: actor(req),
        userId: a.userId,
        scope: a.scope,
        grants: a.grants,
        canSubmit: can(req, 'submission:submit'),
        canReview: can(req, 'submission:review'),
        now: deps.clock.now(),
      };
    };
    /** Reading needs one of the two: a submitter reads their own, a reviewer what they receive. */
    const either = (req: FastifyRequest) => {
      if (!can(req, 'submission:submit') && !can(req, 'submission:review')) throw forbidden('您没有查看月度报送的权限');
      return caller(req);
    };

    // attachments of a monthly submission: readable with the submission (its submitter, the level reviewing it)
    app.fileHolders.define({
      kind: 'submission',
      holding: (fileId) =>
        sql`select ${submissions.id} as id from ${submissions} where ${holdsId(submissions.attachmentIds, fileId)}`,
      readable: async (req, id) => !!(await getSubmission(db, either(req), id)),
    });

    app.post(
      '/submissions',
      {
        config: { permission: 'submission:submit', attachesFiles: ['attachmentIds'] },
        schema: {
          tags: ['台账与报送'],
          summary: '月度报送：实践站报所、实践所报中心；活动、参与人数、时长、点单、新志愿者等数据自动统计',
          body: z.object({
            month: monthSchema,
            summary,
            attachmentIds: attachmentIds.optional(),
            regionCode: regionCodeSchema.optional(),
          }),
          response: { 201: SubmissionDetail },
        },
      },
      async (req, reply) => {
        const id = await submit(db, caller(req), req.body);
        return reply.status(201).send(await getSubmission(db, caller(req), id));
      },
    );

    app.get(
      '/submissions',
      {
        schema: {
          tags: ['台账与报送'],
          summary: '月度报送列表：审核人看本级收到的，报送人看自己的（view=received|mine 只看其一）',
          querystring: z.object({
            ...pageQuery,
            month: monthSchema.optional(),
            state: z
              .enum(['submitted', 'accepted', 'returned'], { error: '状态应为 submitted、accepted 或 returned' })
              .optional(),
            regionCode: regionCodeSchema.optional(),
            view: z.enum(['received', 'mine'], { error: 'view 应为 received 或 mine' }).optional(),
          }),
          response: { 200: SubmissionPage },
        },
      },
      async (req) => listSubmissions(db, either(req), req.query),
    );

    app.get(
      '/submissions/missing',
      {
        config: { permission: 'submission:review' },
        schema: {
          tags: ['台账与报送'],
          summary: '未报送名单：下级实践站（所）本月未报送或被退回未重报的，附截止日期与是否逾期',
          querystring: z.object({ month: monthSchema }),
          response: { 200: MissingSubmissions },
        },
      },
      async (req) => missing(db, caller(req), req.query.month),
    );

    app.get(
      '/submissions/:id',
      {
        schema: {
          tags: ['台账与报送'],
          summary: '报送详情（含审核记录 events 与当前可执行的动作 actions）',
          params: idParam,
          response: { 200: SubmissionDetail },
        },
      },
      async (req) => getSubmission(db, either(req), req.params.id),
    );

    app.post(
      '/submissions/:id/resubmit',
      {
        config: { permission: 'submission:submit', attachesFiles: ['attachmentIds'] },
        schema: {
          tags: ['台账与报送'],
          summary: '被退回后重新报送（数据重新统计，版本号加一）',
          params: idParam,
          body: z.object({ summary: summary.optional(), attachmentIds: attachmentIds.optional() }).nullish(),
          response: { 200: SubmissionDetail },
        },
      },
      async (req) => {
        await resubmit(db, caller(req), req.params.id, req.body ?? {});
        return getSubmission(db, caller(req), req.params.id);
      },
    );

    app.post(
      '/submissions/:id/accept',
      {
        config: { permission: 'submission:review' },
        schema: {
          tags: ['台账与报送'],
          summary: '审核通过',
          params: idParam,
          body: z.object({ comment: z.string().trim().max(1000, '意见不超过 1000 个字').optional() }).nullish(),
          response: { 200: SubmissionDetail },
        },
      },
      async (req) => {
        await review(db, caller(req), req.params.id, 'accept', req.body?.comment);
        return getSubmission(db, caller(req), req.params.id);
      },
    );

    app.post(
      '/submissions/:id/return',
      {
        config: { permission: 'submission:review' },
        schema: {
          tags: ['台账与报送'],
          summary: '退回（须填写退回意见）',
          params: idParam,
          body: z
            .object({
              comment: z.string({ error: '退回时请填写退回意见' }).max(1000, '意见不超过 1000 个字').optional(),
            })
            .nullish(),
          response: { 200: SubmissionDetail },
        },
      },
      async (req) => {
        await review(db, caller(req), req.params.id, 'return', req.body?.comment);
        return getSubmission(db, caller(req), req.params.id);
      },
    );
  };
