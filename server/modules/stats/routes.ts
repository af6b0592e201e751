import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { auth, pageQuery } from '../../platform/http.js';
import { regionCodeSchema } from '../../platform/validation.js';
import { countyOf } from '../accounts/service.js';
import { definitionTexts, foldAll, monthlySeries, overview, statsRegion } from './service.js';
import { statsRows } from './rows.js';
import { assessment, assessmentFileName, assessmentWorkbook } from './assessment.js';
import { annualReport, reportDocx, reportMarkdown } from './report.js';
import { createDisplayLink, displayLinkScope, listDisplayLinks, revokeDisplayLink, screenData } from './screen.js';
import { actor } from '../../platform/http.js';
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
          }),
          response: { 200: StatsOverview },
        },
      },
      async (req) => overview(db, auth(req).scope, countyOf(auth(req)), now(), req.query),
    );

    app.get(
      '/stats/rows',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '指标明细：构成某项指标的记录（行数或数值之和等于该指标）',
          querystring: z.object({ ...period, key: z.string({ error: '请指定指标 key' }).min(1).max(60), ...pageQuery }),
          response: { 200: StatsRows },
        },
      },
      async (req) => statsRows(db, auth(req).scope, countyOf(auth(req)), now(), req.query),
    );

    app.get(
      '/stats/series',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '按月统计：统计期内每个月的各项期间指标（趋势、月报）',
          querystring: z.object(period),
          response: { 200: StatsSeries },
        },
      },
      async (req) => monthlySeries(db, auth(req).scope, countyOf(auth(req)), now(), req.query),
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
        const r = await annualReport(db, auth(req).scope, countyOf(auth(req)), now(), req.query);
        const name = encodeURIComponent(r.title);
        if (req.query.format === 'md')
          return reply
            .type('text/markdown; charset=utf-8')
            .header('content-disposition', `inline; filename*=UTF-8''${name}.md`)
            .send(reportMarkdown(r));
        if (req.query.format === 'docx')
          return reply
            .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
            .header('content-disposition', `attachment; filename*=UTF-8''${name}.docx`)
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
        const a = await assessment(db, auth(req).scope, countyOf(auth(req)), now(), req.query);
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
      async (req) => screenData(db, auth(req).scope, countyOf(auth(req)), now(), req.query.regionCode),
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
        return screenData(db, link.scope, link.countyCode, now(), req.query.regionCode ?? link.regionCode);
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
  };
