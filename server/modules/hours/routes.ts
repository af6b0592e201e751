import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, can, pageQuery } from '../../platform/http.js';
import { idParam } from '../../platform/validation.js';
import { forbidden } from '../../platform/errors.js';
import { pageOf } from '../../platform/responses.js';
import { countyOf } from '../accounts/service.js';
import { myVolunteer } from '../volunteers/service.js';
import {
  createCorrection,
  decideRequest,
  findRequest,
  getRequest,
  listEntries,
  listRequests,
  myHours,
  myRequests,
  reverseEntry,
  volunteerHours,
  type HoursCaller,
} from './service.js';
import { sql } from 'drizzle-orm';
import { holdsId } from '../../platform/file-holders.js';
import { hoursRequests } from '../../db/schema/index.js';
import { HoursEntry, HoursRequest, MyHours, VolunteerHours } from './schema.js';

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    '日期不存在',
  );
const hoursValue = (what: string) =>
  z
    .number({ error: `${what}应为数字（小时）` })
    .gt(0, `${what}应大于 0`)
    .max(24 * 31, `${what}过大`)
    .refine((h) => Math.round(h * 100) === Math.round(h * 100 * 1e6) / 1e6, `${what}最多保留 2 位小数`);
const kind = z.enum(['attendance', 'order', 'excess', 'correction', 'reversal'], {
  error: '类型应为 attendance、order、excess、correction 或 reversal',
});
const status = z.enum(['pending', 'approved', 'rejected'], { error: '状态应为 pending、approved 或 rejected' });

export const hoursRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    const caller = async (req: FastifyRequest): Promise<HoursCaller> => {
      const a = auth(req);
      return {
        actor: actor(req),
        userId: a.userId,
        countyCode: countyOf(a, deps),
        scope: a.scope,
        permissions: a.permissions,
        volunteerId: await myVolunteer(db, a.userId),
      };
    };
    const staffRead = (req: FastifyRequest) => {
      if (!can(req, 'activity:read') && !can(req, 'hours:review')) throw forbidden('您没有查看服务时长台账的权限');
    };

    // evidence of an hours request: readable by its reviewers in scope and by the volunteer who asked
    app.fileHolders.define({
      kind: 'hours-request',
      holding: (fileId) =>
        sql`select ${hoursRequests.id} as id from ${hoursRequests}
          where ${holdsId(hoursRequests.evidenceFileIds, fileId)}`,
      readable: async (req, id) => !!(await findRequest(db, await caller(req), id)),
    });

    app.get(
      '/hours/entries',
      {
        schema: {
          tags: ['时长'],
          summary: '服务时长台账（管理端，按数据权限）',
          querystring: z.object({
            ...pageQuery,
            volunteerId: z.uuid('志愿者 ID 格式不正确').optional(),
            activityId: z.uuid('活动 ID 格式不正确').optional(),
            kind: kind.optional(),
            from: date.optional(),
            to: date.optional(),
          }),
          response: { 200: pageOf(HoursEntry) },
        },
      },
      async (req) => {
        staffRead(req);
        return listEntries(db, auth(req).scope, req.query);
      },
    );

    app.get(
      '/me/hours',
      {
        schema: {
          tags: ['时长'],
          summary: '我的服务时长：累计、本年、星级与下一星级门槛，及台账明细',
          querystring: z.object(pageQuery),
          response: { 200: MyHours },
        },
      },
      async (req) => myHours(db, auth(req).userId, now(), req.query),
    );

    app.get(
      '/volunteers/:id/hours',
      {
        schema: {
          tags: ['时长'],
          summary: '某志愿者的服务时长（工作人员按数据权限，或本人）',
          params: idParam,
          querystring: z.object(pageQuery),
          response: { 200: VolunteerHours },
        },
      },
      async (req) =>
        volunteerHours(
          db,
          {
            userId: auth(req).userId,
            scope: auth(req).scope,
            canRead: can(req, 'volunteer:read') || can(req, 'hours:review'),
          },
          req.params.id,
          req.query,
        ),
    );

    app.post(
      '/hours/entries/:id/reverse',
      {
        config: { permission: 'hours:review' },
        schema: {
          tags: ['时长'],
          summary: '冲正一条时长记录（追加一条负数记录，每条只能冲正一次）',
          params: idParam,
          body: z.object({
            reason: z.string({ error: '请填写冲正原因' }).trim().min(2, '请填写冲正原因（至少 2 个字）').max(500),
          }),
          response: { 201: HoursEntry },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await reverseEntry(db, await caller(req), now(), req.params.id, req.body.reason)),
    );

    // ---- requests ----
    app.get(
      '/hours/requests',
      {
        config: { permission: 'hours:review' },
        schema: {
          tags: ['时长'],
          summary: '时长申请（超时长、补录）审核列表',
          querystring: z.object({
            ...pageQuery,
            status: status.optional(),
            kind: z.enum(['excess', 'correction']).optional(),
            volunteerId: z.uuid().optional(),
          }),
          response: { 200: pageOf(HoursRequest) },
        },
      },
      async (req) => listRequests(db, await caller(req), req.query),
    );

    app.get(
      '/me/hours/requests',
      {
        schema: {
          tags: ['时长'],
          summary: '我的时长申请及答复',
          querystring: z.object({ ...pageQuery, status: status.optional() }),
          response: { 200: pageOf(HoursRequest) },
        },
      },
      async (req) => myRequests(db, auth(req).userId, req.query),
    );

    app.get(
      '/hours/requests/:id',
      {
        config: { permission: 'hours:review' },
        schema: { tags: ['时长'], summary: '时长申请详情', params: idParam, response: { 200: HoursRequest } },
      },
      async (req) => getRequest(db, await caller(req), req.params.id),
    );

    app.post(
      '/hours/requests',
      {
        config: { attachesFiles: ['evidenceFileIds'] },
        schema: {
          tags: ['时长'],
          summary: '申请补录时长（志愿者本人；具备审核权限的工作人员可为管辖范围内的志愿者申请），须附证明材料',
          body: z.object({
            activityId: z.uuid('活动 ID 格式不正确'),
            hours: hoursValue('补录时长'),
            reason: z.string({ error: '请填写补录原因' }).trim().min(2, '请填写补录原因（至少 2 个字）').max(500),
            evidenceFileIds: z
              .array(z.uuid('证明材料文件 ID 格式不正确'), { error: '请上传证明材料' })
              .min(1, '补录时长须上传证明材料（签到表、照片等）')
              .max(9, '证明材料最多 9 个'),
            volunteerId: z.uuid('志愿者 ID 格式不正确').nullish(),
          }),
          response: { 201: HoursRequest },
        },
      },
      async (req, reply) => {
        const c = await caller(req);
        const row = await createCorrection(db, c, now(), req.body);
        return reply.status(201).send(await getRequest(db, c, row.id));
      },
    );

    app.post(
      '/hours/requests/:id/approve',
      {
        config: { permission: 'hours:review' },
        schema: {
          tags: ['时长'],
          summary: '通过时长申请（可认定少于申请的时长），追加一条台账记录并通知志愿者',
          params: idParam,
          body: z
            .object({ answer: z.string().trim().max(500).optional(), hours: hoursValue('认定时长').optional() })
            .nullish(),
          response: { 200: HoursRequest },
        },
      },
      async (req) => {
        const c = await caller(req);
        await decideRequest(db, c, now(), req.params.id, {
          approve: true,
          hours: req.body?.hours,
          answer: req.body?.answer,
        });
        return getRequest(db, c, req.params.id);
      },
    );

    app.post(
      '/hours/requests/:id/reject',
      {
        config: { permission: 'hours:review' },
        schema: {
          tags: ['时长'],
          summary: '驳回时长申请（须答复理由）并通知志愿者',
          params: idParam,
          body: z.object({
            answer: z.string({ error: '请填写驳回理由' }).trim().min(2, '请填写驳回理由（至少 2 个字）').max(500),
          }),
          response: { 200: HoursRequest },
        },
      },
      async (req) => {
        const c = await caller(req);
        await decideRequest(db, c, now(), req.params.id, { approve: false, answer: req.body.answer });
        return getRequest(db, c, req.params.id);
      },
    );
  };
