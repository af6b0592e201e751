import { z } from 'zod';
import { dateTime, isoDate } from '../../platform/responses.js';
import { starMachine } from './transitions.js';

/** What the star routes answer (named components of the OpenAPI document; the web's types come from them). */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];

export const StarState = z
  .enum(keys(starMachine.states))
  .meta({ id: 'StarState', description: '星级申请状态：待审核 / 公示中 / 已授予 / 未通过 / 已撤回' });
export const StarAction = z
  .enum(keys(starMachine.transitions))
  .meta({ id: 'StarAction', description: '星级申请的操作：审核通过 / 驳回 / 提出异议 / 授予（公示期满，系统）' });

export const StarApplication = z
  .object({
    id: z.uuid(),
    volunteerId: z.uuid(),
    volunteerName: z.string(),
    volunteerNo: z.string(),
    regionName: z.string(),
    level: z.number().int(),
    levelName: z.string(),
    hoursAtApply: z.number().meta({ description: '申请时已认定的服务时长（小时）' }),
    currentHours: z.number().meta({ description: '现在已认定的服务时长（小时）' }),
    currentLevel: z.number().int(),
    state: StarState,
    stateName: z.string(),
    comment: z.string().nullable(),
    objection: z.string().nullable(),
    noticeStart: isoDate.nullable(),
    noticeEnd: isoDate.nullable(),
    reviewedAt: dateTime.nullable(),
    grantedAt: dateTime.nullable(),
    createdAt: dateTime,
    actions: z.array(StarAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
  })
  .meta({ id: 'StarApplication', description: '星级申请' });

export const MyStars = z
  .object({
    volunteerId: z.uuid(),
    level: z.number().int(),
    levelName: z.string(),
    hours: z.number(),
    thresholds: z.array(z.number()),
    eligibleLevel: z.number().int(),
    applications: z.array(StarApplication),
  })
  .meta({ id: 'MyStars', description: '我的星级：当前星级、已认定时长、门槛与申请记录' });

export const StarObjectionResult = z
  .object({ id: z.uuid(), state: StarState })
  .meta({ id: 'StarObjectionResult', description: '异议已登记：申请退回待审核' });

export const StarNotice = z
  .object({
    id: z.uuid(),
    name: z.string().meta({ description: '姓名（部分隐去）' }),
    volunteerNo: z.string(),
    regionName: z.string(),
    level: z.number().int(),
    levelName: z.string(),
    hours: z.number(),
    noticeStart: isoDate.nullable(),
    noticeEnd: isoDate.nullable(),
  })
  .meta({ id: 'StarNotice', description: '星级认定公示（一项）' });
