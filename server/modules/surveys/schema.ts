import { z } from 'zod';
import { dateTime, listOf, pageOf } from '../../platform/responses.js';
import { ItemField } from '../orders/schema.js';
import { surveyMachine } from './transitions.js';

/** What the survey routes answer (named components of the OpenAPI document; the web's types come from them). */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];
export const SurveyState = z
  .enum(keys(surveyMachine.states))
  .meta({ id: 'SurveyState', description: '需求排查状态：草稿 / 收集中 / 已结束' });
export const SurveyAction = z
  .enum(keys(surveyMachine.transitions))
  .meta({ id: 'SurveyAction', description: '需求排查的操作：开始收集 / 结束收集 / 重新开放' });
export const ResponseSource = z
  .enum(['h5', 'mass_meeting', 'yard_meeting', 'door_to_door'])
  .meta({ id: 'SurveyResponseSource', description: '意见来源：群众线上填写 / 群众会 / 院坝会 / 入户走访' });

export const Survey = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    questions: z.array(ItemField),
    allowMultiple: z.boolean().meta({ description: '允许同一人多次填写' }),
    opensAt: dateTime.nullable(),
    closesAt: dateTime.nullable(),
    state: SurveyState,
    stateName: z.string(),
    createdAt: dateTime,
  })
  .meta({ id: 'Survey', description: '需求排查（群众需求大排查）' });
export const SurveyPage = pageOf(Survey.extend({ responses: z.number().int() }));

const Option = z.object({ value: z.string(), label: z.string() });
export const SurveyDetail = Survey.extend({
  responses: z.number().int().nullable().meta({ description: '收到的意见数（工作人员可见）' }),
  answeredByMe: z.number().int(),
  canAnswer: z.boolean().meta({ description: '当前用户现在可以填写' }),
  canEnter: z.boolean().meta({ description: '当前用户可以录入群众会、院坝会的意见' }),
  actions: z.array(SurveyAction),
  categories: z.array(Option).meta({ description: '可选的服务类别' }),
  events: z.array(
    z.object({
      action: z.string(),
      actorName: z.string(),
      note: z.string(),
      at: dateTime,
      actionName: z.string(),
      toStateName: z.string(),
    }),
  ),
}).meta({ id: 'SurveyDetail', description: '需求排查详情：状态、可执行的操作与流转记录' });

export const MySurveys = listOf(Survey.extend({ answeredByMe: z.number().int(), canAnswer: z.boolean() })).meta({
  id: 'MySurveys',
  description: '我所在村（社区）正在收集的需求排查',
});

export const SurveyResponse = z
  .object({
    id: z.uuid(),
    regionCode: z.string(),
    regionName: z.string(),
    source: ResponseSource,
    sourceName: z.string(),
    respondentName: z.string(),
    householdId: z.uuid().nullable(),
    category: z.string(),
    categoryName: z.string(),
    answers: z.record(z.string(), z.unknown()),
    promotedItemId: z.uuid().nullable(),
    promotedItemName: z.string().nullable(),
    promotedPlanId: z.uuid().nullable(),
    promotedPlanTitle: z.string().nullable(),
    promotedPlanMonth: z.string().nullable().meta({ description: '转入活动计划的月份 YYYY-MM' }),
    createdAt: dateTime,
  })
  .meta({ id: 'SurveyResponse', description: '一条群众意见' });
export const SurveyResponsePage = pageOf(SurveyResponse);
export const ResponseCreated = z
  .object({ id: z.uuid(), surveyId: z.uuid(), category: z.string(), createdAt: dateTime })
  .meta({ id: 'SurveyResponseCreated', description: '意见已提交' });

export const SurveySummary = z
  .object({
    id: z.uuid(),
    title: z.string(),
    total: z.number().int(),
    byCategory: z.array(z.object({ category: z.string(), categoryName: z.string(), count: z.number().int() })),
    byRegion: z.array(z.object({ regionCode: z.string(), regionName: z.string(), count: z.number().int() })),
    bySource: z.array(z.object({ source: ResponseSource, sourceName: z.string(), count: z.number().int() })),
    questions: z.array(
      z.object({
        key: z.string(),
        label: z.string(),
        type: z.string(),
        options: z.array(z.object({ option: z.string(), count: z.number().int() })),
      }),
    ),
  })
  .meta({ id: 'SurveySummary', description: '需求排查汇总：按服务类别、区划、来源，选择题各选项' });

export const Promoted = z
  .object({
    serviceItemId: z.uuid().optional(),
    serviceItemName: z.string().optional(),
    planId: z.uuid().optional(),
    planTitle: z.string().optional(),
    month: z.string().optional().meta({ description: '转入活动计划的月份 YYYY-MM' }),
    responseIds: z.array(z.uuid()),
  })
  .meta({ id: 'SurveyPromoted', description: '意见已转为服务项目或活动计划中的条目' });
