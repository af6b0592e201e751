import { Readable } from 'node:stream';
import { z } from 'zod';
import { dateTime, isoDate, pageOf } from '../../platform/responses.js';
import { TeamLevel, TeamMemberStatus } from '../teams/schema.js';
import { volunteerMachine } from './transitions.js';

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];
export const VolunteerAction = z
  .enum(keys(volunteerMachine.transitions))
  .meta({ id: 'VolunteerAction', description: '志愿者的操作：实名核验' });

/** What the volunteers routes answer (named components of the OpenAPI document; the web's types come from them). */

/** A volunteer as lists show it: personal data masked. */
export const Volunteer = z
  .object({
    id: z.uuid(),
    volunteerNo: z.string(),
    name: z.string(),
    gender: z.enum(['male', 'female']),
    birthDate: isoDate,
    idType: z.string(),
    idNumberMasked: z.string(),
    phoneMasked: z.string().nullable(),
    regionCode: z.string(),
    regionName: z.string().nullable(),
    verified: z.boolean(),
    verifiedAt: dateTime.nullable(),
    skills: z.array(z.string()),
    categories: z.array(z.string()),
    availability: z.string(),
    serviceArea: z.string(),
    politicalStatus: z.string(),
    education: z.string(),
    occupation: z.string(),
    guardianName: z.string().nullable(),
    guardianPhoneMasked: z.string().nullable(),
    guardianRelation: z.string().nullable(),
    source: z.enum(['self', 'staff', 'import']).meta({ description: '来源：本人注册 / 工作人员登记 / 批量导入' }),
    userId: z.uuid().nullable(),
    createdAt: dateTime,
  })
  .meta({ id: 'Volunteer', description: '志愿者（列表中的一项，身份证号与手机号脱敏）' });
export const VolunteerPage = pageOf(Volunteer).extend({
  nextCursor: z.string().nullable().optional().meta({ description: '下一页的游标（用作 after；最后一页为 null）' }),
});

export const VolunteerDetail = Volunteer.extend({
  teams: z.array(
    z.object({
      teamId: z.uuid(),
      name: z.string(),
      level: TeamLevel,
      levelName: z.string(),
      category: z.string(),
      categoryName: z.string(),
      status: TeamMemberStatus,
      isLeader: z.boolean(),
    }),
  ),
  consents: z.array(
    z.object({
      purpose: z.string(),
      purposeText: z.string(),
      version: z.string(),
      grantedBy: z.enum(['self', 'guardian', 'staff_on_paper']),
      guardianName: z.string().nullable(),
      at: dateTime,
      revokedAt: dateTime.nullable(),
    }),
  ),
  actions: z.array(VolunteerAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
}).meta({ id: 'VolunteerDetail', description: '志愿者详情：所在队伍与个人信息同意记录' });

export const ConsentTexts = z
  .object({ items: z.array(z.object({ purpose: z.string(), version: z.string(), text: z.string() })) })
  .meta({ id: 'ConsentTexts', description: '个人信息处理的同意文本及版本' });

export const VolunteerReveal = z
  .object({ field: z.enum(['idNumber', 'phone', 'guardianPhone']), value: z.string() })
  .meta({ id: 'VolunteerReveal', description: '完整的身份证号或手机号（已记入审计）' });

export const VolunteerImportResult = z
  .object({
    jobId: z.uuid(),
    total: z.number().int(),
    imported: z.number().int(),
    merged: z.number().int().meta({ description: '与已有志愿者（同一身份证号）合并的行数' }),
    failed: z.number().int(),
    errorReportUrl: z.string().nullable().meta({ description: '错误报告（.xlsx）的下载地址；没有错误行时为 null' }),
  })
  .meta({ id: 'VolunteerImportResult', description: '导入结果' });
export const JobAccepted = z
  .object({ jobId: z.uuid(), statusUrl: z.string().meta({ description: '查询进度：GET /api/v1/jobs/{id}' }) })
  .meta({ id: 'JobAccepted', description: '已在后台开始的任务' });

export const Job = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    status: z.enum(['running', 'succeeded', 'failed']),
    waiting: z.boolean().meta({ description: '排队中（等待执行或出错后等待重试）' }),
    attempts: z.number().int(),
    processed: z.number().int(),
    total: z.number().int(),
    percent: z.number().int(),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .meta({ description: '任务的结果（导入：VolunteerImportResult 去掉 jobId）' }),
    error: z.string().nullable(),
    createdAt: dateTime,
    finishedAt: dateTime.nullable(),
  })
  .meta({ id: 'Job', description: '后台任务进度' });

/** An Excel workbook (the import template, the roster). */
export const XlsxContent = {
  description: 'Excel 工作簿（.xlsx）',
  content: {
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
      schema: z
        .custom<Buffer | Readable>((v) => Buffer.isBuffer(v) || v instanceof Readable)
        .meta({ type: 'string', format: 'binary' }),
    },
  },
};
