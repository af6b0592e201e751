import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { auth, pageQuery } from '../../platform/http.js';
import { regionCodeSchema } from '../../platform/validation.js';
import { countyOf } from '../accounts/service.js';
import { definitionTexts, foldAll, monthlySeries, overview, statsRegion } from './service.js';
import { statsRows } from './rows.js';
import { StatsDefinition, StatsOverview, StatsRows, StatsSeries } from './schema.js';

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
  };
