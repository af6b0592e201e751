import { z } from 'zod';
import { honorKinds } from '../../db/schema/index.js';
import { dateTime, pageOf } from '../../platform/responses.js';
import { honorMachine } from './transitions.js';

/** What the honours routes answer (named components of the OpenAPI document; the web's types come from them). */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];

export const HonorKind = z
  .enum(honorKinds)
  .meta({ id: 'HonorKind', description: '荣誉类别：身边好人 / 道德模范 / 善行义举 / 最美家庭 / 文明家庭 / 平安家庭' });
export const HonorState = z
  .enum(keys(honorMachine.states))
  .meta({ id: 'HonorState', description: '荣誉推荐状态：待审核 / 公示中 / 已上榜 / 未通过 / 已撤销' });
export const HonorAction = z.enum([...keys(honorMachine.transitions), 'recordConsent', 'withdrawConsent']).meta({
  id: 'HonorAction',
  description: '荣誉推荐的操作：审核通过 / 驳回 / 提出异议 / 发布 / 撤销；登记或撤回本人公开同意',
});

export const Honor = z
  .object({
    id: z.uuid(),
    countyCode: z.string(),
    kind: HonorKind,
    nomineeName: z.string(),
    story: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    townName: z.string().nullable(),
    photoFileId: z.uuid().nullable(),
    consent: z.boolean().meta({ description: '本人已同意公开姓名和照片' }),
    householdId: z.uuid().nullable(),
    volunteerId: z.uuid().nullable(),
    year: z.number().int(),
    state: HonorState,
    noticeStartAt: dateTime.nullable(),
    noticeEndAt: dateTime.nullable(),
    reviewComment: z.string().nullable(),
    revokeReason: z.string().nullable(),
    nominatedBy: z.uuid().nullable(),
    nominatorName: z.string().nullable(),
    publishedAt: dateTime.nullable(),
    revokedAt: dateTime.nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
    objections: z.number().int().meta({ description: '收到的异议次数' }),
    kindName: z.string(),
    stateName: z.string(),
    regionFullName: z.string().meta({ description: '乡镇 + 村（社区）' }),
    photoUrl: z.string().nullable(),
    noticeEnded: z.boolean().meta({ description: '公示期已满（仍在公示状态）' }),
    awaitingConsent: z.boolean().meta({ description: '公示期已满，只差本人同意公开' }),
  })
  .meta({ id: 'Honor', description: '荣誉推荐（列表中的一项）' });
export const HonorPage = pageOf(Honor);

export const HonorDetail = Honor.extend({
  actions: z.array(HonorAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
  events: z.array(
    z.object({
      action: z.string(),
      fromState: z.string().nullable(),
      toState: z.string(),
      actorName: z.string(),
      note: z.string(),
      at: dateTime,
      actionName: z.string(),
      toStateName: z.string(),
    }),
  ),
}).meta({ id: 'HonorDetail', description: '荣誉推荐详情：流转记录（含异议）与当前可执行的操作' });

export const HonorObjected = z
  .object({ id: z.uuid(), state: HonorState, stateName: z.string() })
  .meta({ id: 'HonorObjected', description: '异议已登记：推荐退回待审核' });

export const HonorBoardEntry = z
  .object({
    id: z.uuid(),
    kind: HonorKind,
    kindName: z.string(),
    name: z.string(),
    story: z.string(),
    photoUrl: z.string().nullable(),
    regionName: z.string(),
    year: z.number().int(),
    publishedAt: dateTime.nullable(),
  })
  .meta({ id: 'HonorBoardEntry', description: '荣誉榜上的一项（已上榜且本人同意公开）' });
export const HonorBoardPage = pageOf(HonorBoardEntry);

export const HonorNotice = z
  .object({
    id: z.uuid(),
    kind: HonorKind,
    kindName: z.string(),
    name: z.string().meta({ description: '姓名（未同意公开时部分隐去）' }),
    story: z.string(),
    regionName: z.string(),
    year: z.number().int(),
    noticeStartAt: dateTime.nullable(),
    noticeEndAt: dateTime.nullable(),
  })
  .meta({ id: 'HonorNotice', description: '荣誉评选公示（一项）' });
export const HonorNoticePage = pageOf(HonorNotice);

/** The photo's bytes. */
export const HonorPhoto = {
  description: '荣誉榜照片',
  content: {
    'image/*': {
      schema: z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ type: 'string', format: 'binary' }),
    },
  },
};
