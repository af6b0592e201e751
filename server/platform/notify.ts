import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { deliveryLog, notifications, outbox, users } from '../db/schema/index.js';
import type { Crypto } from './crypto.js';
import { getSetting } from '../modules/settings/service.js';

export type Channel = 'sms' | 'wechat';
export type Message = { channel: Channel; to: string; template: string; text: string; params: Record<string, unknown> };
export type SendResult = { ok: boolean; statusCode?: number; error?: string };

/** One interface for every external channel; an HTTP webhook is the built-in implementation. */
export interface Sender { send(url: string, msg: Message): Promise<SendResult> }

export const webhookSender: Sender = {
  async send(url, msg) {
    try {
      const res = await fetch(url, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(msg), signal: AbortSignal.timeout(5000),
      });
      return res.ok ? { ok: true, statusCode: res.status } : { ok: false, statusCode: res.status, error: `HTTP ${res.status}` };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  },
};

export type NotifyInput = {
  countyCode: string; userIds: (string | null | undefined)[]; kind: string; title: string; body: string;
  entity?: string; entityId?: string; now: Date; sms?: boolean;
};

/** Writes the in-app messages and, where a channel is configured, queues external deliveries — in the caller's transaction. */
export async function notify(tx: DbOrTx, n: NotifyInput) {
  const ids = [...new Set(n.userIds.filter((x): x is string => !!x))];
  if (!ids.length) return;
  await tx.insert(notifications).values(ids.map((userId) => ({ countyCode: n.countyCode, userId, kind: n.kind, title: n.title, body: n.body, entity: n.entity ?? null, entityId: n.entityId ?? null, createdAt: n.now })));
  const channels: Channel[] = [];
  if (n.sms && (await getSetting<string>(tx, n.countyCode, 'notify.smsWebhookUrl'))) channels.push('sms');
  if (await getSetting<string>(tx, n.countyCode, 'notify.wechatWebhookUrl')) channels.push('wechat');
  if (!channels.length) return;
  await tx.insert(outbox).values(channels.flatMap((channel) => ids.map((userId) => ({
    countyCode: n.countyCode, channel, recipient: userId, template: n.kind, payload: { title: n.title, body: n.body, entity: n.entity, entityId: n.entityId }, nextAttemptAt: n.now, createdAt: n.now,
  }))));
}

/** Queues a message to a phone number that has no account yet (verification codes). */
export async function queueToPhone(tx: DbOrTx, countyCode: string, phoneEnc: string, template: string, payload: Record<string, unknown>, now: Date) {
  await tx.insert(outbox).values({ countyCode, channel: 'sms', recipient: `enc:${phoneEnc}`, template, payload, nextAttemptAt: now, createdAt: now });
}

export const MAX_ATTEMPTS = 6;
/** 30 s, 2 min, 8 min, 32 min, ~2 h between attempts. */
export const backoffMs = (attempt: number) => 30_000 * 4 ** (attempt - 1);

/**
 * Delivers due messages. Rows are leased by moving next_attempt_at forward in the claiming update, so several
 * servers never send the same message twice at once; the business state is never touched here.
 */
export async function deliverDue(db: Db, crypto: Crypto, sender: Sender, now: Date, limit = 50) {
  const claimed = await db.transaction(async (tx) => {
    const due = await tx.select({ id: outbox.id }).from(outbox).where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
      .orderBy(asc(outbox.nextAttemptAt)).limit(limit).for('update', { skipLocked: true });
    if (!due.length) return [];
    return tx.update(outbox).set({ nextAttemptAt: new Date(now.getTime() + 5 * 60_000), attempts: sql`${outbox.attempts} + 1` })
      .where(inArray(outbox.id, due.map((d) => d.id))).returning();
  });
  let sent = 0;
  let failed = 0;
  for (const m of claimed) {
    const url = await getSetting<string>(db, m.countyCode, m.channel === 'sms' ? 'notify.smsWebhookUrl' : 'notify.wechatWebhookUrl');
    let result: SendResult;
    let to: string;
    if (m.recipient.startsWith('enc:')) to = crypto.decrypt(m.recipient.slice(4));
    else {
      const [u] = await db.select({ phoneEnc: users.phoneEnc }).from(users).where(eq(users.id, m.recipient));
      to = u ? crypto.decrypt(u.phoneEnc) : '';
    }
    if (!url) result = { ok: false, error: '未配置发送接口' };
    else if (!to) result = { ok: false, error: '收件人不存在' };
    else {
      const p = m.payload as { title?: string; body?: string };
      result = await sender.send(url, { channel: m.channel, to, template: m.template, text: [p.title, p.body].filter(Boolean).join('：'), params: m.payload });
    }
    await db.transaction(async (tx) => {
      await tx.insert(deliveryLog).values({ outboxId: m.id, attempt: m.attempts, at: now, ok: result.ok, statusCode: result.statusCode ?? null, error: result.error ?? null });
      if (result.ok) await tx.update(outbox).set({ status: 'sent', sentAt: now, lastError: null }).where(eq(outbox.id, m.id));
      else if (m.attempts >= MAX_ATTEMPTS) await tx.update(outbox).set({ status: 'failed', lastError: result.error ?? '发送失败' }).where(eq(outbox.id, m.id));
      else await tx.update(outbox).set({ lastError: result.error ?? '发送失败', nextAttemptAt: new Date(now.getTime() + backoffMs(m.attempts)) }).where(eq(outbox.id, m.id));
    });
    if (result.ok) sent++;
    else failed++;
  }
  return { claimed: claimed.length, sent, failed };
}
