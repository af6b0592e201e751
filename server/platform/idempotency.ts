/**
 * Idempotent writes. On a village phone a request often reaches the server while its answer is lost; the client
 * (web/common/api.ts) then sends the same write again with the same `Idempotency-Key` header, and must not make a
 * second order, sign-up or redemption. A signed-in write with the header is recorded before it runs (per account and
 * key); its answer (any status below 500) is stored with it, and a repeat answers that stored answer with
 * `Idempotent-Replayed: true`. A repeat while the first still runs answers 409; the same key for another request
 * (another path or body) answers 400. A 5xx is not kept, so a retry runs again. Keys live a day.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { idempotencyKeys } from '../db/schema/index.js';
import { AppError, invalid } from './errors.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_RE = /^[A-Za-z0-9_.:-]{8,128}$/;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** How long an answer is kept for a repeat. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { userId: string; key: string };
  }
}

const bodyHash = (req: FastifyRequest) =>
  createHash('sha256')
    .update(JSON.stringify(req.body ?? null))
    .digest('hex');

export function registerIdempotency(app: FastifyInstance, db: () => Db, now: () => Date) {
  app.addHook('preHandler', async (req, reply) => {
    const raw = req.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined || !WRITES.has(req.method) || !req.authCtx || req.isMultipart()) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!KEY_RE.test(key)) throw invalid('Idempotency-Key', '请求编号应为 8–128 位字母、数字或 _ . : -');
    const userId = req.authCtx.userId;
    const request = `${req.method} ${req.url.split('?')[0]}`;
    const hash = bodyHash(req);
    const at = now();
    // the first use of a key records it (an expired one is taken over); a repeat finds the row and does not
    const [mine] = await db()
      .insert(idempotencyKeys)
      .values({ userId, key, request, bodyHash: hash, createdAt: at })
      .onConflictDoUpdate({
        target: [idempotencyKeys.userId, idempotencyKeys.key],
        set: { request, bodyHash: hash, status: null, contentType: null, body: null, createdAt: at },
        setWhere: lt(idempotencyKeys.createdAt, new Date(at.getTime() - IDEMPOTENCY_TTL_MS)),
      })
      .returning({ key: idempotencyKeys.key });
    if (mine) {
      req.idempotency = { userId, key };
      return;
    }
    const [first] = await db()
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
    // the first copy is still running: the client asks again after a moment (Retry-After) for its answer
    const running = () => {
      reply.header('retry-after', '1');
      return new AppError('DUPLICATE', '相同的请求正在处理，请稍后再试');
    };
    if (!first) throw running();
    if (first.request !== request || first.bodyHash !== hash)
      throw invalid('Idempotency-Key', '该请求编号已用于另一次提交，请重新提交');
    if (first.status === null) throw running();
    reply.code(first.status).header('idempotent-replayed', 'true');
    if (first.contentType) reply.type(first.contentType);
    return reply.send(first.body ?? undefined);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const mine = req.idempotency;
    if (!mine) return payload;
    req.idempotency = undefined;
    const where = and(eq(idempotencyKeys.userId, mine.userId), eq(idempotencyKeys.key, mine.key));
    const kept = typeof payload === 'string' || payload === null || payload === undefined;
    if (reply.statusCode >= 500 || !kept) {
      // not replayable: the next attempt runs again
      await db().delete(idempotencyKeys).where(where);
      return payload;
    }
    const type = reply.getHeader('content-type');
    await db()
      .update(idempotencyKeys)
      .set({
        status: reply.statusCode,
        contentType: typeof type === 'string' ? type : null,
        body: (payload as string | null | undefined) ?? null,
      })
      .where(where);
    return payload;
  });
}

/** Forgets the answers older than a day (the `idempotency.cleanup` job). */
export async function deleteOldIdempotencyKeys(db: Db, now: Date) {
  const { rowCount } = await db.execute(
    sql`delete from ${idempotencyKeys}
      where ${idempotencyKeys.createdAt} < ${new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString()}::timestamptz`,
  );
  return { deleted: rowCount ?? 0 };
}
