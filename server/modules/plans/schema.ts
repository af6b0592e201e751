import { z } from 'zod';
import { dateTime, isoDate, pageOf } from '../../platform/responses.js';
// the activities' code lists are part of the API's vocabulary, shared by the answers that show activities
import { ActivityState, ActivityType } from '../activities/schema.js';

/**
 * What the plan and calendar routes answer (named components of the OpenAPI document; the web's types come from them).
 */

export const MonthTheme = z
  .object({
    month: z.number().int(),
    theme: z.string(),
    focus: z.string(),
    entries: z
      .array(
        z.object({
          title: z.string(),
          type: ActivityType,
          note: z.string(),
          source: z
            .object({ surveyId: z.uuid(), surveyTitle: z.string(), responseCount: z.number().int() })
            .optional()
            .meta({ description: '条目来自需求排查：排查、名称及转入的意见条数' }),
        }),
      )
      .optional()
      .meta({ description: '本月计划的活动条目（如由需求排查意见转成）' }),
  })
  .meta({ id: 'MonthTheme', description: '月度主题与工作重点' });

export const Plan = z
  .object({
    id: z.uuid(),
    regionCode: z.string(),
    regionName: z.string(),
    regionLevel: z.string(),
    siteId: z.uuid().nullable(),
    siteName: z.string().nullable(),
    year: z.number().int(),
    title: z.string(),
    goals: z.string(),
    months: z.array(MonthTheme),
    activityCount: z.number().int().meta({ description: '计划下的活动数' }),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'Plan', description: '年度活动计划（列表中的一项）' });

export const PlanActivity = z
  .object({
    id: z.uuid(),
    title: z.string(),
    type: ActivityType,
    typeName: z.string(),
    state: ActivityState,
    stateName: z.string(),
    startAt: dateTime,
    endAt: dateTime,
    regionCode: z.string(),
  })
  .meta({ id: 'PlanActivity', description: '计划或日历中的一项活动' });

export const PlanDetail = Plan.extend({
  byMonth: z.array(
    z.object({
      month: z.number().int(),
      theme: z.string().nullable(),
      focus: z.string().nullable(),
      activities: z.array(PlanActivity),
    }),
  ),
}).meta({ id: 'PlanDetail', description: '计划详情：十二个月的主题及当月开始的活动' });

export const PlanPage = pageOf(Plan).meta({ id: 'PlanPage', description: '年度活动计划的一页' });

export const Festival = z
  .object({
    date: isoDate,
    name: z.string(),
    kind: z.enum(['lunar', 'memorial', 'solar_term']),
    suggestion: z.string(),
  })
  .meta({ id: 'Festival', description: '传统节日、节气或纪念日，附活动建议' });

export const ThemeSuggestions = z
  .object({
    month: z.string().meta({ description: 'YYYY-MM' }),
    themes: z.array(
      z.object({
        theme: z.string(),
        reason: z.string(),
        date: isoDate.optional(),
        suggestion: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'ThemeSuggestions', description: '月度主题建议（来自当月节日与纪念日）' });

export const CalendarMonth = z
  .object({
    month: z.string().meta({ description: 'YYYY-MM' }),
    regionCode: z.string(),
    regionName: z.string(),
    theme: z.string().nullable(),
    focus: z.string().nullable(),
    plan: z
      .object({
        planId: z.uuid(),
        planTitle: z.string(),
        planRegionCode: z.string(),
        theme: z.string(),
        focus: z.string(),
        inherited: z.boolean().meta({ description: '沿用所在镇的计划' }),
      })
      .nullable(),
    days: z.array(z.object({ date: isoDate, festivals: z.array(Festival), activities: z.array(PlanActivity) })),
  })
  .meta({ id: 'CalendarMonth', description: '活动日历的一个月：每天的节日与活动，及月度主题' });
