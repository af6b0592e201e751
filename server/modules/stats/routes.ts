import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { contentDisposition, auth, pageQuery } from '../../platform/http.js';
import { regionCodeSchema } from '../../platform/validation.js';
import { countyOf } from '../accounts/service.js';
import {
  definitionTexts,
  foldAll,
  lowerLevel,
  monthlySeries,
  overview,
  overviewCache,
  statsRegion,
} from './service.js';
import { statsRows } from './rows.js';
import { overviewWorkbook, rowsWorkbook, seriesWorkbook, XLSX_MIME } from './excel.js';
import { monthEnd } from './periods.js';
import { annualReport, reportDocx, reportMarkdown, saveReportNotes } from './report.js';
import { assessment, assessmentFileName, assessmentWorkbook } from './assessment.js';
import { createDisplayLink, displayLinkScope, listDisplayLinks, revokeDisplayLink, screenData } from './screen.js';
import { actor, can } from '../../platform/http.js';
import { todo } from './todo.js';
import { invalid } from '../../platform/errors.js';
import { chinaDate } from '../../platform/clock.js';
import { idParam } from '../../platform/validation.js';
import { noContent } from '../../platform/responses.js';
import {
  AnnualReport,
  Assessment,
  DisplayLink,
  ScreenData,
  StatsDefinition,
  StatsOverview,
  StatsRows,
  StatsSeries,
} from './schema.js';

const day = (field: string) =>
  z.iso.date({ error: `${field}应为 YYYY-MM-DD 格式的日期` }).meta({ description: `${field}（YYYY-MM-DD，含当日）` });
const xlsx = {
  [XLSX_MIME]: {
    schema: z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ type: 'string', format: 'binary' }),
  },
};
/** A statistics answer as JSON, or (format=xlsx) the same table as an Excel workbook. */
const jsonOrExcel = (schema: z.ZodType, description: string) => ({
  description: `${description}；format=xlsx 时为 Excel 工作簿（文件名见 Content-Disposition）`,
  content: { 'application/json': { schema }, ...xlsx },
});
const format = z.enum(['json', 'xlsx'], { error: 'format 应为 json 或 xlsx' }).default('json');
const period = {
  regionCode: regionCodeSchema.optional().meta({ description: '区划代码；缺省为本人管辖的最上级区划' }),
  from: day('开始日期').optional(),
  to: day('结束日期').optional(),
};

export const statsRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    const kept = overviewCache(deps);

    // the rollups catch up every few seconds even when nobody reads (a read folds what is pending first)
    deps.jobs.define({
      kind: 'stats.fold',
      every: 5_000,
      maxAttempts: 3,
      run: async () => ({ folded: await foldAll(db) }),
    });

    app.get(
      '/stats/overview',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '统计总览：区域、统计期内的各项指标（含口径），可按下级区划分组',
          querystring: z.object({
            ...period,
            by: z.enum(['town', 'village'], { error: 'by 应为 town（乡镇）或 village（村、社区）' }).optional(),
            format,
          }),
          response: { 200: jsonOrExcel(StatsOverview, '统计总览') },
        },
      },
      async (req, reply) => {
        const o = await overview(db, auth(req).scope, countyOf(auth(req)), now(), req.query, kept);
        if (req.query.format === 'json') return o;
        return reply
          .type(XLSX_MIME)
          .header('content-disposition', contentDisposition(`${o.regionName}统计总览-${o.from}至${o.to}.xlsx`))
          .send(await overviewWorkbook(o));
      },
    );

    app.get(
      '/stats/rows',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '指标明细：构成某项指标的记录（行数或数值之和等于该指标）',
          querystring: z.object({
            ...period,
            key: z.string({ error: '请指定指标 key' }).min(1).max(60),
            ...pageQuery,
            format,
          }),
          response: { 200: jsonOrExcel(StatsRows, '指标明细（分页）') },
        },
      },
      async (req, reply) => {
        const q = req.query;
        // the workbook holds every row (up to 50,000), not one page
        const all = q.format === 'xlsx' ? { page: 1, pageSize: 50_000 } : {};
        const r = await statsRows(db, auth(req).scope, countyOf(auth(req)), now(), { ...q, ...all }, kept);
        if (q.format === 'json') return r;
        return reply
          .type(XLSX_MIME)
          .header('content-disposition', contentDisposition(`${r.regionName}${r.label}明细-${r.from}至${r.to}.xlsx`))
          .send(await rowsWorkbook(r));
      },
    );

    app.get(
      '/stats/series',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '按月统计：统计期内每个月的各项期间指标（趋势、月报）',
          querystring: z.object({ ...period, format }),
          response: { 200: jsonOrExcel(StatsSeries, '按月统计') },
        },
      },
      async (req, reply) => {
        const scope = auth(req).scope;
        const s = await monthlySeries(db, scope, countyOf(auth(req)), now(), req.query);
        if (req.query.format === 'json') return s;
        const total = await overview(
          db,
          scope,
          countyOf(auth(req)),
          now(),
          { regionCode: s.regionCode, from: s.from, to: s.to },
          kept,
        );
        return reply
          .type(XLSX_MIME)
          .header('content-disposition', contentDisposition(`${s.regionName}月报-${s.from}至${s.to}.xlsx`))
          .send(await seriesWorkbook(s, total.figures));
      },
    );

    app.get(
      '/reports/monthly',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '月报：某月的各项指标及各下级区划的同口径数据（本月未过完时统计到今天）',
          querystring: z.object({
            regionCode: period.regionCode,
            month: z
              .string({ error: '请指定月份 month（YYYY-MM）' })
              .regex(/^(20\d\d)-(0[1-9]|1[0-2])$/, '月份应为 YYYY-MM 格式，如 2026-05'),
            format,
          }),
          response: { 200: jsonOrExcel(StatsOverview, '月报') },
        },
      },
      async (req, reply) => {
        const a = auth(req);
        const today = now();
        const first = `${req.query.month}-01`;
        const region = await statsRegion(db, a.scope, countyOf(a), req.query.regionCode);
        const by = lowerLevel(region);
        const last = monthEnd(req.query.month);
        const todayIso = chinaDate(today);
        if (first > todayIso) throw invalid('month', '月份不能晚于本月');
        const o = await overview(
          db,
          a.scope,
          countyOf(a),
          today,
          { regionCode: region.code, from: first, to: last < todayIso ? last : todayIso, by },
          kept,
        );
        if (req.query.format === 'json') return o;
        return reply
          .type(XLSX_MIME)
          .header('content-disposition', contentDisposition(`${o.regionName}${req.query.month}月报.xlsx`))
          .send(await overviewWorkbook(o));
      },
    );

    app.get(
      '/stats/definitions',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '指标口径：每项指标的名称、单位和定义',
          querystring: z.object({ regionCode: period.regionCode }),
          response: { 200: z.object({ items: z.array(StatsDefinition) }) },
        },
      },
      async (req) => {
        const region = await statsRegion(db, auth(req).scope, countyOf(auth(req)), req.query.regionCode);
        const defs = await definitionTexts(db, region.countyCode);
        return { items: defs.map((d) => ({ key: d.key, label: d.label, unit: d.unit, definition: d.definition })) };
      },
    );

    app.get(
      '/reports/annual',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '年度工作报告：按来源材料的结构，用统计数据写成（md、docx 或 json 供预览编辑）',
          querystring: z.object({
            regionCode: period.regionCode,
            year: z.coerce
              .number({ error: '年度应为四位数字' })
              .int('年度应为四位数字')
              .min(2000, '年度不能早于 2000 年')
              .max(2100, '年度不正确'),
            format: z.enum(['md', 'docx', 'json'], { error: 'format 应为 md、docx 或 json' }).default('json'),
          }),
          response: {
            200: {
              description: '年度报告：json（结构，供预览编辑）、Markdown 文本或 Word 文件',
              content: {
                'application/json': { schema: AnnualReport },
                'text/markdown': { schema: z.string() },
                'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
                  schema: z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ type: 'string', format: 'binary' }),
                },
              },
            },
          },
        },
      },
      async (req, reply) => {
        const r = await annualReport(db, auth(req).scope, countyOf(auth(req)), now(), req.query, kept);
        if (req.query.format === 'md')
          return reply
            .type('text/markdown; charset=utf-8')
            .header('content-disposition', contentDisposition(`${r.title}.md`, { inline: true }))
            .send(reportMarkdown(r));
        if (req.query.format === 'docx')
          return reply
            .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
            .header('content-disposition', contentDisposition(`${r.title}.docx`))
            .send(await reportDocx(r));
        return r;
      },
    );

    app.get(
      '/stats/assessment',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '考核评估：乡镇或村（社区）按县级设置的指标、权重和目标计分排名（附各项计算所用的数），可导出 Excel',
          querystring: z.object({
            ...period,
            level: z
              .string()
              .optional()
              .meta({ description: 'town（乡镇，默认）或 village（村、社区）；须为所选区划的下级' }),
            format: z.enum(['json', 'xlsx'], { error: 'format 应为 json 或 xlsx' }).default('json'),
          }),
          response: {
            200: {
              description: '考核排名：json，或 Excel 工作簿（考核排名、计算过程、指标口径）',
              content: {
                'application/json': { schema: Assessment },
                'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                  schema: z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ type: 'string', format: 'binary' }),
                },
              },
            },
          },
        },
      },
      async (req, reply) => {
        const a = await assessment(db, auth(req).scope, countyOf(auth(req)), now(), req.query, kept);
        if (req.query.format === 'xlsx')
          return reply
            .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
            .header('content-disposition', assessmentFileName(a))
            .send(await assessmentWorkbook(a));
        return a;
      },
    );

    app.get(
      '/stats/screen',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '大屏数据：本年度指标、近 12 个月趋势、下级排名、点单漏斗、最新动态',
          querystring: z.object({ regionCode: period.regionCode }),
          response: { 200: ScreenData },
        },
      },
      async (req) => screenData(db, auth(req).scope, countyOf(auth(req)), now(), req.query.regionCode, kept),
    );

    app.get(
      '/public/screen',
      {
        config: { auth: false },
        schema: {
          tags: ['统计'],
          summary: '大屏数据（展示链接，无需登录；可下钻到链接区划的下级）',
          security: [],
          querystring: z.object({
            token: z.string({ error: '缺少展示链接令牌 token' }).min(10, '展示链接令牌不正确').max(100),
            regionCode: period.regionCode,
          }),
          response: { 200: ScreenData },
        },
      },
      async (req, reply) => {
        const link = await displayLinkScope(db, req.query.token, now());
        reply.header('cache-control', 'no-store');
        return screenData(db, link.scope, link.countyCode, now(), req.query.regionCode ?? link.regionCode, kept);
      },
    );

    app.get(
      '/stats/display-links',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '大屏展示链接列表',
          response: { 200: z.object({ items: z.array(DisplayLink) }) },
        },
      },
      async (req) => listDisplayLinks(db, auth(req).scope, countyOf(auth(req))),
    );

    app.post(
      '/stats/display-links',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '新建大屏展示链接（只读，可随时作废；令牌只在此时返回一次）',
          body: z.object({
            regionCode: period.regionCode,
            label: z.string().trim().min(1, '请填写链接用途，如“县中心大厅大屏”').max(40, '用途不能超过 40 个字'),
            expiresAt: z.coerce.date({ error: '过期时间格式不正确' }).optional(),
          }),
          response: { 201: DisplayLink.extend({ token: z.string().meta({ description: '打开 /screen/?token=… ' }) }) },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(await createDisplayLink(db, auth(req).scope, countyOf(auth(req)), actor(req), now(), req.body)),
    );

    app.delete(
      '/stats/display-links/:id',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '作废大屏展示链接',
          params: idParam,
          response: { 204: noContent },
        },
      },
      async (req, reply) => {
        await revokeDisplayLink(db, auth(req).scope, countyOf(auth(req)), actor(req), now(), req.params.id);
        return reply.status(204).send();
      },
    );

    app.get(
      '/stats/todo',
      {
        // no route permission: each item needs its own (none: an empty list); 三员 accounts are refused (no business)
        config: {},
        schema: {
          tags: ['统计'],
          summary: '待办：本人权限和数据范围内等待处理的事项及数量',
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  key: z.string(),
                  label: z.string(),
                  count: z.number().int(),
                  hint: z.string(),
                  path: z.string(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => {
        const a = auth(req);
        return todo(
          db,
          a.scope,
          countyOf(a),
          now(),
          (p) => can(req, p),
          () => ({
            actor: actor(req),
            userId: a.userId,
            scope: a.scope,
            grants: a.grants,
            canSubmit: can(req, 'submission:submit'),
            canReview: can(req, 'submission:review'),
            now: now(),
          }),
        );
      },
    );

    app.put(
      '/reports/annual/notes',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '保存年度报告中由人填写的部分（下步打算，每行一段；清空则恢复为待填写），返回更新后的报告',
          body: z.object({
            regionCode: period.regionCode,
            year: z
              .number({ error: '年度应为四位数字' })
              .int('年度应为四位数字')
              .min(2000, '年度不能早于 2000 年')
              .max(2100),
            plans: z.string({ error: '请填写下步打算' }).max(20_000, '下步打算不能超过 20000 字'),
          }),
          response: { 200: AnnualReport },
        },
      },
      async (req) => {
        const a = auth(req);
        const regionCode = await saveReportNotes(db, a.scope, countyOf(a), actor(req), now(), req.body);
        return annualReport(db, a.scope, countyOf(a), now(), { regionCode, year: req.body.year }, kept);
      },
    );
  };
