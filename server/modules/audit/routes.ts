import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { and, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { Deps } from '../../platform/context.js';
import { pageQuery } from '../../platform/http.js';
import { auditEvents } from '../../db/schema/index.js';
import { verifyAudit } from '../../platform/audit.js';
import { pageOf } from '../../platform/responses.js';
import { offsetPage } from '../../platform/lists.js';
import { AuditEvent, AuditVerifyResult } from './schema.js';
import { auditCheckpointPath } from '../../config.js';

export const auditRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/audit',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags: ['审计'],
          summary: '审计日志（审计管理员）',
          querystring: z.object({
            ...pageQuery,
            action: z.string().max(60).optional(),
            entity: z.string().max(40).optional(),
            entityId: z.string().max(60).optional(),
            from: z.coerce.date({ error: '开始时间格式不正确' }).optional(),
            to: z.coerce.date({ error: '结束时间格式不正确' }).optional(),
          }),
          response: { 200: pageOf(AuditEvent) },
        },
      },
      async (req) => {
        const q = req.query;
        const conds: SQL[] = [];
        if (q.action) conds.push(eq(auditEvents.action, q.action));
        if (q.entity) conds.push(eq(auditEvents.entity, q.entity));
        if (q.entityId) conds.push(eq(auditEvents.entityId, q.entityId));
        if (q.from) conds.push(gte(auditEvents.at, q.from));
        if (q.to) conds.push(lte(auditEvents.at, q.to));
        const where = conds.length ? and(...conds) : undefined;
        const db = deps.database.db;
        const { rows: items, total } = await offsetPage(db, {
          from: auditEvents,
          rows: () =>
            db
              .select({
                chain: auditEvents.chain,
                seq: auditEvents.seq,
                at: auditEvents.at,
                actorName: auditEvents.actorName,
                action: auditEvents.action,
                entity: auditEvents.entity,
                entityId: auditEvents.entityId,
                ip: auditEvents.ip,
                requestId: auditEvents.requestId,
                beforeDigest: auditEvents.beforeDigest,
                afterDigest: auditEvents.afterDigest,
                detail: auditEvents.detail,
                hash: auditEvents.hash,
              })
              .from(auditEvents),
          where,
          order: [desc(auditEvents.at), desc(auditEvents.seq)],
          filter: q,
        });
        return { items, total, page: q.page, pageSize: q.pageSize };
      },
    );

    app.get(
      '/audit/verify',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags: ['审计'],
          summary: '校验审计哈希链（含链外签名检查点）',
          response: { 200: AuditVerifyResult },
        },
      },
      async () => verifyAudit(deps.database.db, { checkpoints: [auditCheckpointPath(deps.config)] }),
    );
  };
