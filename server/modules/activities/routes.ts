import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import QRCode from 'qrcode';
import type { Deps } from '../../platform/context.js';
import { actor, auth, pageQuery, stateRoutes } from '../../platform/http.js';
import { idParam, regionCodeSchema } from '../../platform/validation.js';
import { activityStates, activityTypes } from '../../db/schema/index.js';
import { countyOf } from '../accounts/service.js';
import { afterQuery, listsOf } from '../../platform/lists.js';
import { noContent, pageOf, sendJsonText } from '../../platform/responses.js';
import {
  ActivityDetail,
  ActivityEnded,
  ActivityMeta,
  ActivityPage,
  ActivitySignup,
  Activity,
  AttendanceResult,
  CheckInResult,
  CheckOutResult,
  MySignupItem,
  MyParticipationItem,
  MyActivityItem,
  ParticipantPage,
  ParticipationResult,
  AttendanceMark,
  QrImage,
  RecordedActivity,
  SignupResult,
} from './schema.js';
import {
  activityCaller,
  archiveActivity,
  attendanceCode,
  browseActivities,
  cancelActivity,
  cancelMySignup,
  checkIn,
  checkOut,
  createActivity,
  endActivity,
  getActivity,
  listActivities,
  listSignups,
  publishActivity,
  recordAttendance,
  signUp,
  stateLabels,
  typeLabels,
  updateActivity,
  sweepActivities,
} from './service.js';
import { confirmRecord, recordActivity, resubmitRecord, returnRecord } from './records.js';
import { cancelMyPlace, checkInPlace, joinActivity, listParticipants, markAttendance } from './participants.js';
import { myActivities, myPlaces, mySignups } from './mine.js';
import { sql } from 'drizzle-orm';
import { holdsId } from '../../platform/file-holders.js';
import { activities } from '../../db/schema/index.js';

/** A roster (volunteers' sign-ups, residents' places): a page, optionally of one status. */
const rosterQuery = z.object({
  ...pageQuery,
  status: z
    .enum(['confirmed', 'waitlisted', 'cancelled'], { error: 'status 应为 confirmed、waitlisted 或 cancelled' })
    .optional(),
});

const tags = ['活动'];
const time = (label: string) =>
  z.iso
    .datetime({ offset: true, error: `${label}应为 ISO 8601 时间（如 2026-06-01T09:00:00+08:00）` })
    .transform((s) => new Date(s));
const uuid = (label: string) => z.uuid(`${label} ID 格式不正确`);
const typeEnum = z.enum(activityTypes, {
  error: `活动类型应为 ${activityTypes.map((t) => `${t}（${typeLabels[t]}）`).join('、')} 之一`,
});

const shiftBody = z.object({
  id: uuid('岗位时段').optional(),
  position: z.string().trim().min(1, '岗位名称不能为空').max(40, '岗位名称不能超过 40 个字'),
  startAt: time('岗位开始时间'),
  endAt: time('岗位结束时间'),
  quota: z
    .number({ error: '岗位名额应为整数' })
    .int('岗位名额应为整数')
    .min(1, '岗位名额必须大于 0')
    .max(10_000, '岗位名额不能超过 10000'),
});
const activityBody = z.object({
  title: z.string().trim().min(2, '活动名称至少 2 个字').max(100, '活动名称不能超过 100 个字'),
  type: typeEnum,
  regionCode: regionCodeSchema,
  startAt: time('开始时间'),
  endAt: time('结束时间'),
  quota: z
    .number({ error: '招募名额应为整数' })
    .int('招募名额应为整数')
    .min(1, '招募名额必须大于 0')
    .max(10_000, '招募名额不能超过 10000'),
  address: z.string().trim().min(2, '请填写活动地点').max(200, '活动地点不能超过 200 个字'),
  siteId: uuid('阵地').nullish(),
  teamId: uuid('队伍').nullish(),
  planId: uuid('计划').nullish(),
  theme: z.string().trim().max(100, '主题不能超过 100 个字').optional(),
  description: z.string().max(5000, '活动内容不能超过 5000 个字').optional(),
  beneficiaries: z.string().max(200, '服务对象不能超过 200 个字').optional(),
  beneficiaryCount: z
    .number({ error: '受益人数应为整数' })
    .int('受益人数应为整数')
    .min(0, '受益人数不能为负')
    .max(1_000_000)
    .optional(),
  risky: z.boolean({ error: 'risky 应为 true 或 false' }).optional(),
  insurance: z.string().trim().max(500, '保险信息不能超过 500 个字').nullish(),
  lat: z
    .number({ error: '纬度应为数字' })
    .min(-90, '纬度应在 -90 到 90 之间')
    .max(90, '纬度应在 -90 到 90 之间')
    .nullish(),
  lng: z
    .number({ error: '经度应为数字' })
    .min(-180, '经度应在 -180 到 180 之间')
    .max(180, '经度应在 -180 到 180 之间')
    .nullish(),
  checkinRadiusM: z
    .number({ error: '签到范围应为整数（米）' })
    .int('签到范围应为整数（米）')
    .min(10, '签到范围不能小于 10 米')
    .max(100_000, '签到范围不能超过 100 公里')
    .nullish(),
  participantQuota: z
    .number({ error: '群众报名名额应为整数' })
    .int('群众报名名额应为整数')
    .min(0, '群众报名名额不能为负（0 或不填为不开放群众报名）')
    .max(10_000, '群众报名名额不能超过 10000')
    .nullish(),
  shifts: z.array(shiftBody).max(50, '岗位时段不能超过 50 个').optional(),
});
const fileIds = (label: string) =>
  z
    .array(uuid(label), { error: `${label}应为文件 ID 的列表` })
    .max(20, `${label}最多 20 张`)
    .optional();
/** 补录: an activity held first and entered afterwards, with its paper sign-in sheet. */
const recordBody = z.object({
  title: activityBody.shape.title,
  type: typeEnum,
  regionCode: regionCodeSchema,
  startAt: time('开始时间'),
  endAt: time('结束时间'),
  address: activityBody.shape.address,
  description: z
    .string({ error: '请填写活动内容（做了什么）' })
    .trim()
    .min(2, '请填写活动内容（做了什么，至少 2 个字）')
    .max(5000, '活动内容不能超过 5000 个字'),
  theme: activityBody.shape.theme,
  siteId: uuid('阵地').nullish(),
  teamId: uuid('队伍').nullish(),
  planId: uuid('计划').nullish(),
  participants: z
    .number({ error: '参与群众人数应为整数' })
    .int('参与群众人数应为整数')
    .min(0, '参与群众人数不能为负')
    .max(1_000_000, '参与群众人数不能超过 1000000')
    .optional(),
  beneficiaries: z
    .union(
      [
        z.string().max(200, '服务对象不能超过 200 个字'),
        z.number().int('受益人数应为整数').min(0, '受益人数不能为负').max(1_000_000),
      ],
      { error: '服务对象应为文字（或受益人数，整数）' },
    )
    .optional(),
  beneficiaryCount: activityBody.shape.beneficiaryCount,
  photoIds: fileIds('活动照片'),
  sheetPhotoIds: fileIds('签到表照片'),
  attendance: z
    .array(
      z.object({
        volunteerId: uuid('志愿者'),
        checkInAt: time('签到时间'),
        checkOutAt: time('签退时间'),
      }),
      { error: 'attendance 应为签到记录的列表' },
    )
    .max(500, '一次最多录入 500 人的签到记录')
    .optional(),
});
const codeBody = z.object({
  code: z
    .string({ error: '请输入 6 位签到码' })
    .trim()
    .regex(/^\d{6}$/, '签到码应为 6 位数字'),
  lat: z.number({ error: '纬度应为数字' }).min(-90).max(90).nullish(),
  lng: z.number({ error: '经度应为数字' }).min(-180).max(180).nullish(),
  method: z.enum(['code', 'qr']).optional(),
});
const stateList = z
  .string()
  .max(200)
  .transform((v, ctx) => {
    const list = v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const bad = list.find((x) => !(activityStates as readonly string[]).includes(x));
    if (bad) {
      ctx.addIssue({ code: 'custom', message: `状态不正确：${bad}（多个状态用逗号分隔）` });
      return z.NEVER;
    }
    return list as (typeof activityStates)[number][];
  });
const when = z.enum(['upcoming', 'past'], { error: 'when 应为 upcoming 或 past' });

export const activityRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    // 活动按时间开始、结束与归档: a recurring job, run by one app server per period
    deps.jobs.define({
      kind: 'activities.sweep',
      every: 5 * 60_000,
      maxAttempts: 3,
      run: (ctx) => sweepActivities(db, ctx.now()),
    });
    const lists = listsOf(deps);
    const baseCaller = (req: FastifyRequest) => {
      const a = auth(req);
      return {
        actor: actor(req),
        userId: a.userId,
        countyCode: countyOf(a, deps),
        scope: a.scope,
        permissions: a.permissions,
      };
    };
    const caller = (req: FastifyRequest) => activityCaller(db, baseCaller(req));

    // cover, photos and the paper sign-in sheet of an activity: readable with the activity
    app.fileHolders.define({
      kind: 'activity',
      holding: (fileId) =>
        sql`select ${activities.id} as id from ${activities} where ${activities.coverFileId} = ${fileId}::uuid
            or ${holdsId(activities.photoIds, fileId)} or ${holdsId(activities.sheetPhotoIds, fileId)}`,
      readable: async (req, id) => !!(await getActivity(db, await caller(req), id, now())),
    });

    app.get(
      '/activities/meta',
      { schema: { tags, summary: '活动类型与状态的中文名称', response: { 200: ActivityMeta } } },
      async () => ({
        types: typeLabels,
        states: stateLabels,
      }),
    );

    app.get(
      '/activities',
      {
        config: { permission: 'activity:read' },
        schema: {
          tags,
          summary: '活动列表（管理端，按数据权限）',
          querystring: z.object({
            ...pageQuery,
            state: stateList.optional(),
            type: typeEnum.optional(),
            regionCode: regionCodeSchema.optional(),
            teamId: uuid('队伍').optional(),
            from: z.coerce.date({ error: '开始日期格式不正确' }).optional(),
            to: z.coerce.date({ error: '结束日期格式不正确' }).optional(),
            q: z.string().max(40).optional(),
            ...afterQuery,
          }),
          response: { 200: ActivityPage },
        },
      },
      async (req, reply) => sendJsonText(reply, await listActivities(lists, db, baseCaller(req), req.query, now())),
    );

    app.get(
      '/activities/browse',
      {
        schema: {
          tags,
          summary: '浏览本县活动（志愿者、群众）：招募中及以后的活动，含我的报名',
          querystring: z.object({
            ...pageQuery,
            type: typeEnum.optional(),
            regionCode: regionCodeSchema.optional(),
            q: z.string().max(40).optional(),
            when: when.optional(),
          }),
          response: { 200: pageOf(Activity) },
        },
      },
      async (req) => browseActivities(db, await caller(req), now(), req.query),
    );

    app.post(
      '/activities',
      {
        config: { permission: 'activity:manage' },
        schema: { tags, summary: '新建活动（草稿）', body: activityBody, response: { 201: ActivityDetail } },
      },
      async (req, reply) => {
        const c = await caller(req);
        const a = await createActivity(db, c, now(), req.body);
        return reply.status(201).send(await getActivity(db, c, a.id, now()));
      },
    );

    app.post(
      '/activities/records',
      {
        config: { permission: 'activity:manage', attachesFiles: ['photoIds', 'sheetPhotoIds'] },
        schema: {
          tags,
          summary:
            '补录活动：已举办未录入的活动连同签到表一并录入（直接为“已结束”并结算时长；本县要求上级确认时为“待上级确认”）',
          body: recordBody,
          response: { 201: RecordedActivity },
        },
      },
      async (req, reply) => {
        const c = await caller(req);
        const r = await recordActivity(db, c, now(), req.body);
        return reply.status(201).send({ ...(await getActivity(db, c, r.id, now())), settlement: r.settlement });
      },
    );

    app.post(
      '/activities/:id/confirm',
      {
        config: { permission: 'activity:manage' },
        schema: {
          tags,
          summary: '确认补录的活动（上级：乡镇实践所确认村里的，县中心确认乡镇的）；确认后计入统计并结算时长',
          params: idParam,
          body: z.object({ comment: z.string().trim().max(500, '意见不能超过 500 个字').optional() }).nullish(),
          response: { 200: RecordedActivity },
        },
      },
      async (req) => {
        const c = await caller(req);
        const settlement = await confirmRecord(db, c, now(), req.params.id, req.body?.comment);
        return { ...(await getActivity(db, c, req.params.id, now())), settlement };
      },
    );

    app.post(
      '/activities/:id/return',
      {
        config: { permission: 'activity:manage' },
        schema: {
          tags,
          summary: '退回补录的活动（上级，须填写原因）',
          params: idParam,
          body: z.object({
            reason: z
              .string({ error: '请填写退回原因' })
              .trim()
              .min(2, '请填写退回原因（至少 2 个字）')
              .max(500, '退回原因不能超过 500 个字'),
          }),
          response: { 200: ActivityDetail },
        },
      },
      async (req) => {
        const c = await caller(req);
        await returnRecord(db, c, now(), req.params.id, req.body.reason);
        return getActivity(db, c, req.params.id, now());
      },
    );

    app.post(
      '/activities/:id/resubmit',
      {
        config: { permission: 'activity:manage' },
        schema: {
          tags,
          summary: '修改被退回的补录活动并重新提交（请求体同补录活动，签到表整体替换）',
          params: idParam,
          body: recordBody,
          response: { 200: RecordedActivity },
        },
      },
      async (req) => {
        const c = await caller(req);
        const settlement = await resubmitRecord(db, c, now(), req.params.id, req.body);
        return { ...(await getActivity(db, c, req.params.id, now())), settlement };
      },
    );

    app.get(
      '/activities/:id',
      {
        schema: {
          tags,
          summary: '活动详情（签到码仅对可管理该活动的工作人员返回）',
          params: idParam,
          response: { 200: ActivityDetail },
        },
      },
      async (req) => getActivity(db, await caller(req), req.params.id, now()),
    );

    app.put(
      '/activities/:id',
      {
        config: { permission: 'activity:manage' },
        schema: {
          tags,
          summary: '修改活动（草稿、招募中、已满员）；已报名的人会收到变更通知',
          params: idParam,
          body: activityBody,
          response: { 200: ActivityDetail },
        },
      },
      async (req) => {
        const c = await caller(req);
        await updateActivity(db, c, now(), req.params.id, req.body);
        return getActivity(db, c, req.params.id, now());
      },
    );

    const stateRoute = stateRoutes(app, {
      prefix: '/activities',
      tags,
      detail: ActivityDetail,
      caller,
      // ending answers how many were recorded absent beside the detail
      answer: async (c, id, ran) => ({
        ...(await getActivity(db, c, id, now())),
        ...(ran && typeof ran === 'object' && 'noShows' in ran
          ? { noShows: (ran as { noShows: number }).noShows }
          : {}),
      }),
    });
    const manage = 'activity:manage';
    stateRoute('publish', { permission: manage, summary: '发布活动（有风险的活动须先登记保险）' }, (c, id) =>
      publishActivity(db, c, now(), id),
    );
    stateRoute(
      'cancel',
      {
        permission: manage,
        summary: '取消活动（须填写原因，通知所有已报名和候补的人）',
        body: z.object({
          reason: z
            .string({ error: '请填写取消原因' })
            .trim()
            .min(2, '请填写取消原因（至少 2 个字）')
            .max(500, '取消原因不能超过 500 个字'),
        }),
      },
      (c, id, b) => cancelActivity(db, c, now(), id, b.reason),
    );
    stateRoute(
      'end',
      { permission: manage, summary: '结束活动（记录未签到的人为缺席）', response: ActivityEnded },
      (c, id) => endActivity(db, c, now(), id),
    );
    stateRoute('archive', { permission: manage, summary: '归档已结束的活动' }, (c, id) =>
      archiveActivity(db, c, now(), id),
    );

    app.post(
      '/activities/:id/signups',
      {
        schema: {
          tags,
          summary: '报名活动（志愿者）：名额内即确认，满员则进入候补',
          params: idParam,
          body: z.object({ shiftId: uuid('岗位时段').nullish() }).nullish(),
          response: { 201: SignupResult },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await signUp(db, baseCaller(req), now(), req.params.id, req.body?.shiftId ?? null)),
    );

    app.delete(
      '/activities/:id/signups/me',
      {
        schema: { tags, summary: '取消我的报名（候补第一位自动转正）', params: idParam, response: { 204: noContent } },
      },
      async (req, reply) => {
        await cancelMySignup(db, await caller(req), now(), req.params.id);
        return reply.status(204).send();
      },
    );

    app.get(
      '/activities/:id/signups',
      {
        config: { permission: 'activity:read' },
        schema: {
          tags,
          summary: '报名名单（工作人员）：签到签退、缺席与时长',
          params: idParam,
          querystring: rosterQuery,
          response: { 200: pageOf(ActivitySignup) },
        },
      },
      async (req) => listSignups(db, await caller(req), req.params.id, req.query),
    );

    app.post(
      '/activities/:id/checkin',
      {
        schema: {
          tags,
          summary: '签到（志愿者，凭 6 位签到码或扫码）',
          params: idParam,
          body: codeBody,
          response: { 200: CheckInResult },
        },
      },
      async (req) => checkIn(db, await caller(req), now(), req.params.id, req.body),
    );
    app.post(
      '/activities/:id/checkout',
      {
        schema: {
          tags,
          summary: '签退（志愿者），并结算服务时长',
          params: idParam,
          body: codeBody,
          response: { 200: CheckOutResult },
        },
      },
      async (req) => checkOut(db, await caller(req), now(), req.params.id, req.body),
    );

    app.get(
      '/activities/:id/qr',
      {
        config: { permission: 'activity:manage' },
        schema: { tags, summary: '签到二维码（PNG），内容为 H5 签到地址', params: idParam, response: { 200: QrImage } },
      },
      async (req, reply) => {
        const a = await attendanceCode(db, await caller(req), req.params.id);
        const target = `/m/activities/${a.id}/checkin?code=${a.code}`;
        // phones scan the QR with their camera app: the address must be absolute (this server as the caller reached it)
        const url = req.host ? `${req.protocol}://${req.host}${target}` : target;
        const png = await QRCode.toBuffer(url, { type: 'png', width: 480, margin: 2, errorCorrectionLevel: 'M' });
        return reply.header('cache-control', 'no-store').type('image/png').send(png);
      },
    );

    app.post(
      '/activities/:id/attendance',
      {
        config: { permission: 'activity:manage' },
        schema: {
          tags,
          summary: '录入纸质签到表的一行（工作人员），并结算时长',
          params: idParam,
          body: z.object({
            volunteerId: uuid('志愿者'),
            checkInAt: time('签到时间'),
            checkOutAt: time('签退时间'),
          }),
          response: { 201: AttendanceResult },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await recordAttendance(db, await caller(req), now(), req.params.id, req.body)),
    );

    app.post(
      '/activities/:id/participants',
      {
        schema: {
          tags,
          summary: '报名参加活动（群众，无需注册志愿者；活动须开放群众报名）：名额内即确认，满员则进入候补',
          params: idParam,
          body: z.object({}).nullish(),
          response: { 201: ParticipationResult },
        },
      },
      async (req, reply) => reply.status(201).send(await joinActivity(db, await caller(req), now(), req.params.id)),
    );

    app.delete(
      '/activities/:id/participants/me',
      {
        schema: {
          tags,
          summary: '取消我的报名参加（群众；候补第一位自动转正）',
          params: idParam,
          response: { 204: noContent },
        },
      },
      async (req, reply) => {
        await cancelMyPlace(db, await caller(req), now(), req.params.id);
        return reply.status(204).send();
      },
    );

    app.post(
      '/activities/:id/participants/me/checkin',
      {
        schema: {
          tags,
          summary: '群众签到（报名参加的群众，凭 6 位签到码或扫码）',
          params: idParam,
          body: codeBody,
          response: { 200: CheckInResult },
        },
      },
      async (req) => checkInPlace(db, await caller(req), now(), req.params.id, req.body),
    );

    app.get(
      '/activities/:id/participants',
      {
        config: { permission: 'activity:read' },
        schema: {
          tags,
          summary: '群众报名参加名单（工作人员，姓名脱敏）及已报名、候补、到场人数',
          params: idParam,
          querystring: rosterQuery,
          response: { 200: ParticipantPage },
        },
      },
      async (req) => listParticipants(db, await caller(req), req.params.id, req.query),
    );

    app.post(
      '/activities/:id/participants/:participantId/attendance',
      {
        config: { permission: 'activity:manage' },
        schema: {
          tags,
          summary: '登记群众到场（工作人员按名单登记；attended 为 false 时撤销登记）',
          params: z.object({ id: idParam.shape.id, participantId: uuid('报名参加记录') }),
          body: z.object({ attended: z.boolean({ error: 'attended 应为 true 或 false' }) }),
          response: { 200: AttendanceMark },
        },
      },
      async (req) =>
        markAttendance(db, await caller(req), now(), req.params.id, req.params.participantId, req.body.attended),
    );

    app.get(
      '/me/participations',
      {
        schema: {
          tags,
          summary: '我报名参加的活动（群众）',
          querystring: z.object({ ...pageQuery, when: when.optional() }),
          response: { 200: pageOf(MyParticipationItem) },
        },
      },
      async (req) => myPlaces(db, await caller(req), now(), req.query),
    );

    app.get(
      '/me/activities',
      {
        schema: {
          tags,
          summary: '我的活动（志愿者报名与群众报名参加，按活动时间合为一页）',
          querystring: z.object({ ...pageQuery, when: when.optional() }),
          response: { 200: pageOf(MyActivityItem) },
        },
      },
      async (req) => myActivities(db, await caller(req), now(), req.query),
    );

    app.get(
      '/me/signups',
      {
        schema: {
          tags,
          summary: '我的报名（志愿者）',
          querystring: z.object({ ...pageQuery, when: when.optional() }),
          response: { 200: pageOf(MySignupItem) },
        },
      },
      async (req) => mySignups(db, await caller(req), now(), req.query),
    );
  };
