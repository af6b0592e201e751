import { z } from 'zod';
import { dateTime, isoDate } from '../../platform/responses.js';
import { requestMachine } from './transitions.js';

/** What the hours routes answer (named components of the OpenAPI document; the web's types come from them). */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];

export const HoursKind = z
  .enum(['attendance', 'order', 'excess', 'correction', 'reversal'])
  .meta({ id: 'HoursKind', description: '时长来源：活动签到 / 点单服务 / 超时长认定 / 补录 / 冲正' });

export const HoursEntry = z
  .object({
    id: z.uuid(),
    volunteerId: z.uuid(),
    volunteerName: z.string(),
    volunteerNo: z.string(),
    kind: HoursKind,
    kindName: z.string(),
    hours: z.number().meta({ description: '小时；冲正为负数' }),
    serviceDate: isoDate,
    activityId: z.uuid().nullable(),
    activityTitle: z.string().nullable(),
    orderId: z.uuid().nullable(),
    requestId: z.uuid().nullable(),
    reversesId: z.uuid().nullable(),
    description: z.string(),
    evidenceFileIds: z.array(z.uuid()),
    createdAt: dateTime,
    reversed: z.boolean().meta({ description: '已被冲正' }),
  })
  .meta({ id: 'HoursEntry', description: '服务时长台账的一条记录' });

export const MyHours = z
  .object({
    volunteerId: z.uuid(),
    total: z.number(),
    thisYear: z.number(),
    starLevel: z.number().int(),
    nextLevel: z.number().int().nullable(),
    nextThreshold: z.number().nullable(),
    items: z.array(HoursEntry),
    entryCount: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .meta({ id: 'MyHours', description: '我的服务时长：累计、本年、星级与下一星级门槛，及台账明细' });

export const VolunteerHours = z
  .object({
    totalHours: z.number(),
    starLevel: z.number().int(),
    entries: z.array(HoursEntry),
    entryCount: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .meta({ id: 'VolunteerHours', description: '某志愿者的服务时长与台账明细' });

export const HoursRequestStatus = z
  .enum(keys(requestMachine.states))
  .meta({ id: 'HoursRequestStatus', description: '时长申请状态：待审核 / 已通过 / 已驳回' });
export const HoursRequestAction = z
  .enum(keys(requestMachine.transitions))
  .meta({ id: 'HoursRequestAction', description: '时长申请的操作：审核通过 / 驳回' });

export const HoursRequest = z
  .object({
    id: z.uuid(),
    volunteerId: z.uuid(),
    volunteerName: z.string(),
    volunteerNo: z.string(),
    kind: z.enum(['excess', 'correction']),
    kindName: z.string(),
    activityId: z.uuid().nullable(),
    activityTitle: z.string().nullable(),
    orderId: z.uuid().nullable().meta({ description: '超时长认定来自的服务订单（申报时长超过接单至完成的时间）' }),
    hours: z.number().meta({ description: '申请的小时数' }),
    approvedHours: z.number().nullable().meta({ description: '认定的小时数（通过后）' }),
    serviceDate: isoDate,
    reason: z.string(),
    evidenceFileIds: z.array(z.uuid()),
    status: HoursRequestStatus,
    statusName: z.string(),
    answer: z.string().nullable(),
    entryId: z.uuid().nullable(),
    createdAt: dateTime,
    decidedAt: dateTime.nullable(),
    actions: z.array(HoursRequestAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
  })
  .meta({ id: 'HoursRequest', description: '时长申请（超时长、补录）' });
