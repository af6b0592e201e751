import { z } from 'zod';
import { dateTime } from '../../platform/responses.js';

/** What the audit routes answer (named components of the OpenAPI document; the web's types come from them). */

export const AuditEvent = z
  .object({
    chain: z.string().meta({ description: '哈希链（每县一条）' }),
    seq: z.number().int().meta({ description: '链内序号，连续无缺' }),
    at: dateTime,
    actorName: z.string(),
    action: z.string().meta({ description: '操作，如 site.create、auth.login' }),
    entity: z.string(),
    entityId: z.string().nullable(),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
    beforeDigest: z.string().nullable().meta({ description: '修改前内容的摘要' }),
    afterDigest: z.string().nullable().meta({ description: '修改后内容的摘要' }),
    detail: z.record(z.string(), z.unknown()).nullable(),
    hash: z.string().meta({ description: 'SHA-256(上一条的 hash + 本条内容)' }),
  })
  .meta({ id: 'AuditEvent', description: '审计事件（防篡改哈希链中的一条）' });

export const AuditProblem = z
  .object({ chain: z.string(), seq: z.number().int(), problem: z.string() })
  .meta({ id: 'AuditProblem' });

export const AuditVerifyResult = z
  .object({ ok: z.boolean(), checked: z.number().int(), problems: z.array(AuditProblem) })
  .meta({ id: 'AuditVerifyResult', description: '审计哈希链校验：被篡改、删除或截断的事件' });
