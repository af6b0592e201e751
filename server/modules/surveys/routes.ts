import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, pageQuery } from '../../platform/http.js';
import { idParam, regionCodeSchema } from '../../platform/validation.js';
import { machineMeta } from '../../platform/transitions.js';
import { listsOf } from '../../platform/lists.js';
import { sendJsonText } from '../../platform/responses.js';
import { countyOf } from '../accounts/service.js';
import { monthSchema } from '../plans/month.js';
import { activityTypes } from '../../db/schema/index.js';
import {
  getSurvey,
  listResponses,
  listSurveys,
  openSurveysForMe,
  promote,
  respond,
  sourceLabels,
  surveyCaller,
  surveySummary,
  transitionSurvey,
  updateSurvey,
  createSurvey,
} from './service.js';
import { surveyMachine, surveyStates } from './transitions.js';
import {
  MySurveys,
  Promoted,
  ResponseCreated,
  SurveyDetail,
  SurveyPage,
  SurveyResponsePage,
  SurveySummary,
} from './schema.js';

const tags = ['需求排查'];
const uuid = (label: string) => z.uuid(`${label} ID 格式不正确`);
const when = (label: string) =>
  z.iso
    .datetime({ offset: true, error: `${label}应为 ISO 8601 时间（如 2026-05-20T10:00:00+08:00）` })
    .transform((s) => new Date(s));
const fieldTypes = ['text', 'number', 'date', 'single', 'multi'] as const;
const question = z.object({
  key: z
    .string({ error: '请填写题目编码' })
    .trim()
    .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, '题目编码为字母开头的字母、数字或下划线'),
  label: z.string({ error: '请填写题目' }).trim().min(1, '题目不能为空').max(60, '题目不能超过 60 个字'),
  type: z.enum(fieldTypes, {
    error: '题目类型应为 text（文字）、number（数字）、date（日期）、single（单选）、multi（多选）之一',
  }),
  required: z.boolean({ error: 'required 应为 true 或 false' }).default(false),
  options: z.array(z.string().trim().min(1, '选项不能为空').max(30, '选项不能超过 30 个字')).max(30).optional(),
});
const surveyBody = z.object({
  title: z.string({ error: '请填写标题' }).trim().min(2, '标题至少 2 个字').max(60, '标题不能超过 60 个字'),
  description: z.string().trim().max(2000, '说明不能超过 2000 个字').optional(),
  regionCode: regionCodeSchema,
  questions: z.array(question, { error: '请添加题目（questions）' }).max(30, '题目不能超过 30 个'),
  allowMultiple: z.boolean({ error: 'allowMultiple 应为 true 或 false' }).optional(),
  opensAt: when('开始时间').nullish(),
  closesAt: when('截止时间').nullish(),
});
const responseBody = z.object({
  category: z.string({ error: '请选择需求所属的服务类别（category）' }).trim().min(1, '请选择服务类别').max(40),
  answers: z.record(z.string(), z.unknown(), { error: '请填写问卷（answers）' }),
  respondentName: z
    .string({ error: '请填写群众姓名' })
    .trim()
    .min(1, '请填写群众姓名')
    .max(30, '群众姓名不能超过 30 个字')
    .optional(),
  source: z
    .enum(['mass_meeting', 'yard_meeting', 'door_to_door'], {
      error: '意见来源应为 mass_meeting（群众会）、yard_meeting（院坝会）或 door_to_door（入户走访）',
    })
    .optional(),
  householdId: uuid('户').nullish(),
  regionCode: regionCodeSchema.nullish(),
});

export const surveyRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const lists = listsOf(deps);
    const now = () => deps.clock.now();
    const caller = (req: FastifyRequest) => {
      const a = auth(req);
      return surveyCaller(db, {
        actor: actor(req),
        userId: a.userId,
        countyCode: countyOf(a, deps),
        scope: a.scope,
        permissions: a.permissions,
        regionCode: a.regionCode,
      });
    };

    app.get(
      '/surveys/meta',
      {
        schema: {
          tags,
          summary: '需求排查的状态、操作与意见来源名称',
          response: {
            200: z.object({
              states: z.array(z.object({ value: z.string(), label: z.string() })),
              actions: z.array(z.object({ value: z.string(), label: z.string() })),
              sources: z.array(z.object({ value: z.string(), label: z.string() })),
            }),
          },
        },
      },
      async () => ({
        ...machineMeta(surveyMachine),
        sources: Object.entries(sourceLabels).map(([value, label]) => ({ value, label })),
      }),
    );

    app.post(
      '/surveys',
      {
        config: { permission: 'survey:manage' },
        schema: { tags, summary: '新建需求排查（草稿）', body: surveyBody, response: { 201: SurveyDetail } },
      },
      async (req, reply) => {
        const c = await caller(req);
        const s = await createSurvey(db, c, now(), req.body);
        return reply.status(201).send(await getSurvey(db, c, s.id, now()));
      },
    );

    app.get(
      '/surveys',
      {
        config: { permission: 'survey:manage' },
        schema: {
          tags,
          summary: '需求排查列表（按数据权限）',
          querystring: z.object({
            ...pageQuery,
            state: z.enum(surveyStates, { error: '状态应为 draft、open 或 closed' }).optional(),
            regionCode: regionCodeSchema.optional(),
            q: z.string().trim().max(40, '关键词不能超过 40 个字').optional(),
          }),
          response: { 200: SurveyPage },
        },
      },
      async (req, reply) => sendJsonText(reply, await listSurveys(lists, db, await caller(req), req.query)),
    );

    app.get(
      '/me/surveys',
      {
        schema: { tags, summary: '我所在村（社区）正在收集的需求排查', response: { 200: MySurveys } },
      },
      async (req) => openSurveysForMe(db, await caller(req), now()),
    );

    app.get(
      '/surveys/:id',
      { schema: { tags, summary: '需求排查详情', params: idParam, response: { 200: SurveyDetail } } },
      async (req) => getSurvey(db, await caller(req), req.params.id, now()),
    );

    app.put(
      '/surveys/:id',
      {
        config: { permission: 'survey:manage' },
        schema: {
          tags,
          summary: '修改需求排查（题目只能在草稿时修改）',
          params: idParam,
          body: surveyBody.omit({ regionCode: true }).partial(),
          response: { 200: SurveyDetail },
        },
      },
      async (req) => {
        const c = await caller(req);
        await updateSurvey(db, c, now(), req.params.id, req.body);
        return getSurvey(db, c, req.params.id, now());
      },
    );

    for (const action of ['open', 'close', 'reopen'] as const)
      app.post(
        `/surveys/:id/${action}`,
        {
          config: { permission: 'survey:manage' },
          schema: {
            tags,
            summary: surveyMachine.transitions[action].label,
            params: idParam,
            response: { 200: SurveyDetail },
          },
        },
        async (req) => {
          const c = await caller(req);
          await transitionSurvey(db, c, now(), req.params.id, action);
          return getSurvey(db, c, req.params.id, now());
        },
      );

    app.post(
      '/surveys/:id/responses',
      {
        schema: {
          tags,
          summary: '填写问卷（群众，每人一次，除非允许多次）；工作人员录入群众会、院坝会意见（填写群众姓名与来源）',
          params: idParam,
          body: responseBody,
          response: { 201: ResponseCreated },
        },
      },
      async (req, reply) => {
        const r = await respond(db, await caller(req), now(), req.params.id, req.body);
        return reply.status(201).send({ id: r.id, surveyId: r.surveyId, category: r.category, createdAt: r.createdAt });
      },
    );

    app.get(
      '/surveys/:id/responses',
      {
        config: { permission: 'survey:manage' },
        schema: {
          tags,
          summary: '收到的意见',
          params: idParam,
          querystring: z.object({
            ...pageQuery,
            category: z.string().trim().max(40).optional(),
            regionCode: regionCodeSchema.optional(),
            promoted: z
              .enum(['true', 'false'], { error: 'promoted 应为 true 或 false' })
              .transform((v) => v === 'true')
              .optional(),
          }),
          response: { 200: SurveyResponsePage },
        },
      },
      async (req) => listResponses(db, await caller(req), req.params.id, now(), req.query),
    );

    app.get(
      '/surveys/:id/summary',
      {
        config: { permission: 'survey:manage' },
        schema: {
          tags,
          summary: '汇总：按服务类别、区划、来源计数，选择题各选项计数',
          params: idParam,
          response: { 200: SurveySummary },
        },
      },
      async (req) => surveySummary(db, await caller(req), req.params.id, now()),
    );

    app.post(
      '/surveys/:id/promote',
      {
        config: { permission: 'survey:manage' },
        schema: {
          tags,
          summary: '把一组意见转为服务项目或活动计划中某月的条目（意见记下转成的项目或计划）',
          params: idParam,
          body: z.object({
            responseIds: z
              .array(uuid('意见'), { error: '请选择要转化的意见（responseIds）' })
              .min(1, '请至少选择一条意见')
              .max(500, '一次最多 500 条'),
            serviceItem: z
              .object(
                {
                  name: z.string({ error: '请填写服务项目名称' }).trim().min(2, '名称至少 2 个字').max(60),
                  category: z.string({ error: '请选择服务类别' }).trim().min(1, '请选择服务类别').max(40),
                  description: z.string().max(2000, '说明不能超过 2000 个字').optional(),
                  regionCode: regionCodeSchema.optional(),
                },
                { error: '请填写要新建的服务项目（serviceItem）' },
              )
              .optional(),
            activityPlan: z
              .object(
                {
                  title: z.string({ error: '请填写活动名称' }).trim().min(2, '活动名称至少 2 个字').max(60),
                  month: monthSchema,
                  type: z.enum(activityTypes, { error: '请选择活动类型（type）' }),
                  note: z.string().max(500, '说明不能超过 500 个字').optional(),
                  regionCode: regionCodeSchema.optional(),
                },
                { error: '请填写要加入的活动计划条目（activityPlan）' },
              )
              .optional(),
          }),
          response: { 201: Promoted },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await promote(db, await caller(req), now(), req.params.id, req.body)),
    );
  };
