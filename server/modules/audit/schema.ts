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
    hash: z.string().meta({ description: 'SHA-256(上一条的 hash + 本条内容的 HMAC 标签 + 序号)' }),
  })
  .meta({ id: 'AuditEvent', description: '审计事件（防篡改哈希链中的一条）' });

export const AuditProblem = z
  .object({ chain: z.string(), seq: z.number().int(), problem: z.string() })
  .meta({ id: 'AuditProblem' });

export const AuditCheckpointFile = z
  .object({
    path: z.string(),
    exists: z.boolean(),
    lines: z.number().int(),
    valid: z.number().int().meta({ description: '签名正确的检查点行数' }),
    latestAt: z.string().nullable().meta({ description: '最新一个有效检查点的时间' }),
  })
  .meta({ id: 'AuditCheckpointFile', description: '链外签名检查点文件' });

export const AuditVerifyResult = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    problems: z.array(AuditProblem),
    checkpoints: z.array(AuditCheckpointFile),
    warnings: z.array(z.string()).meta({ description: '限制校验但不是链本身问题的情况（如尚无检查点文件）' }),
  })
  .meta({ id: 'AuditVerifyResult', description: '审计哈希链校验：被篡改、删除或截断的事件，并与链外检查点核对' });
