import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, pageQuery } from '../../platform/http.js';
import { idParam, regionCodeSchema } from '../../platform/validation.js';
import { festivalsOf, suggestionsFor } from './festivals.js';
import { chinaDay, monthSchema, yearSchema } from './month.js';
import { CalendarMonth, Festival, PlanDetail, PlanPage, ThemeSuggestions } from './schema.js';
import { calendar, createPlan, defaultRegion, getPlan, listPlans, requireRegionParam, updatePlan } from './service.js';

const monthTheme = z.object({
  month: z
    .number({ error: '月份应为 1–12 的整数' })
    .int('月份应为 1–12 的整数')
    .min(1, '月份应为 1–12 的整数')
    .max(12, '月份应为 1–12 的整数'),
  theme: z.string({ error: '请填写月度主题' }).trim().min(1, '请填写月度主题').max(60, '月度主题不超过 60 个字'),
  focus: z.string().trim().max(500, '工作重点不超过 500 个字').default(''),
});
const planBody = z.object({
  regionCode: regionCodeSchema,
  year: z
    .number({ error: '年份应为数字' })
    .int('年份应为整数')
    .min(2000, '年份应在 2000–2100 之间')
    .max(2100, '年份应在 2000–2100 之间'),
  title: z.string({ error: '请填写计划名称' }).trim().min(2, '计划名称至少 2 个字').max(100, '计划名称不超过 100 个字'),
  goals: z.string().max(5000, '年度目标不超过 5000 个字').optional(),
  months: z.array(monthTheme).max(12, '最多 12 个月').optional(),
});

export const planRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    const thisYear = () => Number(chinaDay(now()).slice(0, 4));

    app.get(
      '/calendar/festivals',
      {
        schema: {
          tags: ['活动计划'],
          summary: '某年的传统节日、节气与纪念日（1900–2100 年，农历由日历库推算），附活动建议',
          querystring: z.object({ year: yearSchema.optional() }),
          response: { 200: z.array(Festival) },
        },
      },
      async (req) => festivalsOf(req.query.year ?? thisYear()).map(({ theme: _t, ...f }) => f),
    );

    app.get(
      '/plans/suggestions',
      {
        config: { permission: 'activity:read' },
        schema: {
          tags: ['活动计划'],
          summary: '月度主题建议（来自当月节日与纪念日）',
          querystring: z.object({
            year: yearSchema.optional(),
            month: z.coerce
              .number({ error: '月份应为 1–12 的整数' })
              .int('月份应为 1–12 的整数')
              .min(1, '月份应为 1–12 的整数')
              .max(12, '月份应为 1–12 的整数'),
          }),
          response: { 200: ThemeSuggestions },
        },
      },
      async (req) => suggestionsFor(req.query.year ?? thisYear(), req.query.month),
    );

    app.get(
      '/calendar',
      {
        config: { permission: 'activity:read' },
        schema: {
          tags: ['活动计划'],
          summary: '活动日历：某区划某月每天的节日与活动，及月度主题（村未定计划时沿用所在镇的计划）',
          querystring: z.object({ regionCode: regionCodeSchema.optional(), month: monthSchema }),
          response: { 200: CalendarMonth },
        },
      },
      async (req) =>
        calendar(
          db,
          auth(req).scope,
          requireRegionParam(req.query.regionCode ?? defaultRegion(auth(req))),
          req.query.month,
        ),
    );

    app.get(
      '/plans',
      {
        config: { permission: 'activity:read' },
        schema: {
          tags: ['活动计划'],
          summary: '年度活动计划（按数据权限）',
          querystring: z.object({ ...pageQuery, year: yearSchema.optional(), regionCode: regionCodeSchema.optional() }),
          response: { 200: PlanPage },
        },
      },
      async (req) => listPlans(db, auth(req).scope, req.query),
    );

    app.post(
      '/plans',
      {
        config: { permission: 'plan:manage' },
        schema: {
          tags: ['活动计划'],
          summary: '制定年度活动计划与月度主题（每个所、站每年一份）',
          body: planBody,
          response: { 201: PlanDetail },
        },
      },
      async (req, reply) => {
        const id = await createPlan(db, actor(req), auth(req).scope, now(), req.body);
        return reply.status(201).send(await getPlan(db, auth(req).scope, id));
      },
    );

    app.get(
      '/plans/:id',
      {
        config: { permission: 'activity:read' },
        schema: {
          tags: ['活动计划'],
          summary: '计划详情（含按月分组的活动）',
          params: idParam,
          response: { 200: PlanDetail },
        },
      },
      async (req) => getPlan(db, auth(req).scope, req.params.id),
    );

    app.put(
      '/plans/:id',
      {
        config: { permission: 'plan:manage' },
        schema: {
          tags: ['活动计划'],
          summary: '修改活动计划与月度主题',
          params: idParam,
          body: planBody.partial(),
          response: { 200: PlanDetail },
        },
      },
      async (req) => {
        await updatePlan(db, actor(req), auth(req).scope, now(), req.params.id, req.body);
        return getPlan(db, auth(req).scope, req.params.id);
      },
    );
  };
