import { z } from 'zod';
import { dateTime } from '../../platform/responses.js';
import { submissionMachine } from './transitions.js';

/** What the submissions routes answer (named components of the OpenAPI document; the web's types come from them). */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];

export const SubmissionState = z
  .enum(keys(submissionMachine.states))
  .meta({ id: 'SubmissionState', description: '报送状态：待审核 / 已通过 / 已退回' });
export const SubmissionAction = z
  .enum(keys(submissionMachine.transitions))
  .meta({ id: 'SubmissionAction', description: '报送的操作：通过 / 退回 / 重新报送' });
const SubmissionLevel = z.enum(['station', 'institute']).meta({ description: '实践站 / 实践所' });
const figureLabels = z.record(z.string(), z.string()).meta({ description: '各项数据的名称' });

const fields = {
  id: z.uuid(),
  regionCode: z.string(),
  regionName: z.string(),
  level: SubmissionLevel,
  levelName: z.string(),
  month: z.string().meta({ description: 'YYYY-MM' }),
  state: SubmissionState,
  stateName: z.string(),
  summary: z.string(),
  figures: z.record(z.string(), z.number()).meta({ description: '报送时自动统计的数据' }),
  attachmentIds: z.array(z.uuid()),
  comment: z.string().nullable(),
  submittedBy: z.uuid().nullable(),
  submitterName: z.string().nullable(),
  submittedAt: dateTime,
  reviewedBy: z.uuid().nullable(),
  reviewerName: z.string().nullable(),
  reviewedAt: dateTime.nullable(),
  version: z.number().int(),
  actions: z.array(SubmissionAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
};

export const Submission = z.object(fields).meta({ id: 'Submission', description: '月度报送（列表中的一项）' });

export const SubmissionPage = z
  .object({
    items: z.array(Submission),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    figureLabels,
  })
  .meta({ id: 'SubmissionPage' });

export const SubmissionDetail = z
  .object({
    ...fields,
    figureLabels,
    events: z.array(
      z.object({
        action: z.string(),
        actorName: z.string(),
        comment: z.string(),
        at: dateTime,
      }),
    ),
  })
  .meta({ id: 'SubmissionDetail', description: '报送详情：数据、审核记录与可执行的操作' });

export const MissingSubmissions = z
  .object({
    month: z.string(),
    dueDate: z.string(),
    overdue: z.boolean(),
    total: z.number().int(),
    items: z.array(
      z.object({
        regionCode: z.string(),
        regionName: z.string(),
        level: SubmissionLevel,
        levelName: z.string(),
        parentCode: z.string(),
        siteName: z.string().nullable(),
        submissionId: z.uuid().nullable(),
        state: SubmissionState.nullable(),
        stateName: z.string(),
        dueDate: z.string(),
        overdue: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'MissingSubmissions', description: '未报送名单' });
