import { z } from 'zod';
import { dateTime, isoDate } from '../../platform/responses.js';

/** What the statistics routes answer (named components of the OpenAPI document; the web's types come from them). */

export const StatsFigure = z
  .object({
    key: z.string().meta({ description: '指标键，如 volunteers.registered' }),
    label: z.string(),
    value: z.number(),
    unit: z.string(),
    definition: z.string().meta({ description: '指标口径（与 docs/METRICS.md 一致）' }),
  })
  .meta({ id: 'StatsFigure' });

export const StatsOverview = z
  .object({
    regionCode: z.string(),
    regionName: z.string(),
    from: isoDate,
    to: isoDate,
    asOf: dateTime.meta({ description: '截至该时刻的全部业务数据已计入' }),
    figures: z.array(StatsFigure),
    regions: z
      .array(
        z.object({
          code: z.string(),
          name: z.string(),
          own: z.boolean().meta({ description: '本级：记在所选区划本身、不属于任何下级的数据' }),
          figures: z.array(StatsFigure),
        }),
      )
      .optional()
      .meta({ description: '按下级区划分组（by=town|village）时的各下级数据；各下级与本级相加等于上级' }),
  })
  .meta({ id: 'StatsOverview' });

export const StatsDefinition = z
  .object({ key: z.string(), label: z.string(), unit: z.string(), definition: z.string() })
  .meta({ id: 'StatsDefinition' });

export const StatsRows = z
  .object({
    key: z.string(),
    label: z.string(),
    unit: z.string(),
    definition: z.string(),
    value: z.number().meta({ description: '该指标的数值（与总览一致）' }),
    measure: z.enum(['count', 'sum']).meta({ description: 'count：行数等于指标；sum：各行 value 之和等于指标' }),
    columns: z.object({ title: z.string(), detail: z.string(), date: z.string() }),
    regionCode: z.string(),
    regionName: z.string(),
    from: isoDate,
    to: isoDate,
    total: z.number().int(),
    sum: z.number(),
    page: z.number().int(),
    pageSize: z.number().int(),
    items: z.array(
      z.object({
        id: z.string().nullable(),
        title: z.string(),
        detail: z.string(),
        region: z.string(),
        date: z.string().nullable(),
        value: z.number(),
      }),
    ),
  })
  .meta({ id: 'StatsRows' });

export const StatsSeries = z
  .object({
    regionCode: z.string(),
    regionName: z.string(),
    from: isoDate,
    to: isoDate,
    asOf: dateTime,
    keys: z.array(StatsDefinition),
    months: z.array(z.object({ month: z.string(), values: z.record(z.string(), z.number()) })),
  })
  .meta({ id: 'StatsSeries' });

export const AnnualReport = z
  .object({
    regionCode: z.string(),
    regionName: z.string(),
    year: z.number().int(),
    from: isoDate,
    to: isoDate,
    title: z.string(),
    sections: z.array(
      z.object({
        title: z.string(),
        paragraphs: z.array(z.string()),
        toWrite: z.boolean().optional().meta({ description: '需人工填写的部分（下步打算）' }),
        written: z.boolean().optional().meta({ description: '需人工填写的部分是否已填写' }),
      }),
    ),
    figures: z.array(StatsFigure).meta({ description: '报告所用的全部指标（与同期总览一致）' }),
  })
  .meta({ id: 'AnnualReport' });

export const ScreenData = z
  .object({
    region: z.object({
      code: z.string(),
      name: z.string(),
      level: z.enum(['county', 'town', 'village']),
      parentCode: z.string().nullable(),
    }),
    asOf: dateTime,
    from: isoDate,
    to: isoDate,
    figures: z.array(StatsFigure).meta({ description: '本年度至今的各项指标' }),
    series: z.array(z.object({ month: z.string(), values: z.record(z.string(), z.number()) })),
    seriesKeys: z.array(StatsDefinition),
    ranking: z.array(z.object({ code: z.string(), name: z.string(), values: z.record(z.string(), z.number()) })),
    funnel: z.array(z.object({ key: z.string(), label: z.string(), value: z.number() })),
    feed: z.array(
      z.object({
        kind: z.enum(['activity', 'order']),
        id: z.string(),
        title: z.string(),
        region: z.string(),
        state: z.string(),
        at: dateTime,
        person: z.string().meta({ description: '联系人（已脱敏）' }),
      }),
    ),
  })
  .meta({ id: 'ScreenData' });

export const DisplayLink = z
  .object({
    id: z.uuid(),
    regionCode: z.string(),
    regionName: z.string(),
    label: z.string(),
    createdAt: dateTime,
    expiresAt: dateTime.nullable(),
    revokedAt: dateTime.nullable(),
    lastUsedAt: dateTime.nullable(),
  })
  .meta({ id: 'DisplayLink' });

export const Assessment = z
  .object({
    regionCode: z.string(),
    regionName: z.string(),
    level: z.enum(['town', 'village']).meta({ description: '考核对象：town 乡镇，village 村（社区）' }),
    from: isoDate,
    to: isoDate,
    asOf: dateTime.meta({ description: '截至该时刻的全部业务数据已计入' }),
    indicators: z.array(
      z.object({
        key: z.string().meta({ description: '指标键，如 coverage' }),
        label: z.string(),
        unit: z.string(),
        weight: z.number().meta({ description: '权重（各项合计 100）' }),
        target: z.number().meta({ description: '目标值（县级设置；站均活动为每站每年场次）' }),
        periodTarget: z.number().meta({ description: '本统计期的目标值（站均活动按天数折算，其余同 target）' }),
        definition: z.string().meta({ description: '指标口径与计分方法' }),
      }),
    ),
    items: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        score: z.number().meta({ description: '总分：各项加权得分之和（满分 100）' }),
        rank: z.number().int().meta({ description: '名次；得分相同的名次相同' }),
        inputs: z.array(
          z.object({
            key: z.string(),
            value: z.number().nullable().meta({ description: '实际值；分母为 0 时为 null（按 0 分计）' }),
            unit: z.string(),
            target: z.number().meta({ description: '本统计期的目标值' }),
            score: z.number().meta({ description: '得分 = 实际值 ÷ 目标值 × 100，最高 100' }),
            weighted: z.number().meta({ description: '加权得分 = 得分 × 权重 ÷ 100' }),
            parts: z
              .array(z.object({ label: z.string(), value: z.number(), unit: z.string() }))
              .meta({ description: '计算所用的原始数（分子、分母）' }),
            note: z.string().optional().meta({ description: '计算过程' }),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'Assessment' });
