import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { deliveryLog, outbox, users } from '../db/schema/index.js';
import type { Crypto } from './crypto.js';
import { getSetting } from '../modules/settings/service.js';

export type Channel = 'sms' | 'wechat';
export type Message = { channel: Channel; to: string; template: string; text: string; params: Record<string, unknown> };
export type SendResult = { ok: boolean; statusCode?: number; error?: string };

/** One interface for every external channel; an HTTP webhook is the built-in implementation. */
export interface Sender {
  send(url: string, msg: Message): Promise<SendResult>;
}

export const webhookSender: Sender = {
  async send(url, msg) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(msg),
        signal: AbortSignal.timeout(5000),
      });
      return res.ok
        ? { ok: true, statusCode: res.status }
        : { ok: false, statusCode: res.status, error: `HTTP ${res.status}` };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  },
};

export type NotifyInput = {
  countyCode: string;
  userIds: (string | null | undefined)[];
  kind: string;
  title: string;
  body: string;
  entity?: string;
  entityId?: string;
  now: Date;
  sms?: boolean;
};

type RawClient = {
  query: (text: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
};
/** The driver under a drizzle handle (the pool, or the transaction's connection): statements without query building. */
const rawOf = (db: DbOrTx) => (db as unknown as { session: { client: RawClient } }).session.client;

const recipients = (n: NotifyInput) => [...new Set(n.userIds.filter((x): x is string => !!x))];

/** The external channels a notification of this county goes to (settings come from their cache). */
export async function notifyChannels(db: DbOrTx, countyCode: string, sms?: boolean): Promise<Channel[]> {
  const channels: Channel[] = [];
  if (sms && (await getSetting<string>(db, countyCode, 'notify.smsWebhookUrl'))) channels.push('sms');
  if (await getSetting<string>(db, countyCode, 'notify.wechatWebhookUrl')) channels.push('wechat');
  return channels;
}

/**
 * The inserts that write a notification — the in-app messages (one row per recipient, from one array parameter)
 * and, per configured channel, the outbox rows — as `insert … select` statements, so a caller can run them as
 * data-modifying CTEs of the statement that causes them (one round trip). `p` adds a parameter to the caller's
 * statement and returns its placeholder; `from`, a CTE of that statement, makes them conditional: they write only
 * when it yields a row. Nothing when there is no recipient.
 */
export function notifyInserts(n: NotifyInput, channels: Channel[], p: (v: unknown) => string, from?: string): string[] {
  const ids = recipients(n);
  if (!ids.length) return [];
  const idsP = p(ids);
  const when = from ? ` where exists (select 1 from ${from})` : '';
  const county = p(n.countyCode);
  const kind = p(n.kind);
  const at = p(n.now);
  const stmts = [
    `insert into notifications (county_code, user_id, kind, title, body, entity, entity_id, created_at)
    select ${county}::text, x, ${kind}::text, ${p(n.title)}::text, ${p(n.body)}::text,
      ${p(n.entity ?? null)}::text, ${p(n.entityId ?? null)}::text, ${at}::timestamptz
      from unnest(${idsP}::uuid[]) x${when}`,
  ];
  if (channels.length) {
    stmts.push(`insert into outbox (county_code, channel, recipient, template, payload, next_attempt_at, created_at)
      select ${county}::text, ch, x::text, ${kind}::text,
        ${p(JSON.stringify({ title: n.title, body: n.body, entity: n.entity, entityId: n.entityId }))}::jsonb,
        ${at}::timestamptz, ${at}::timestamptz
      from unnest(${p(channels)}::text[]) with ordinality as c(ch, ci), unnest(${idsP}::uuid[])
        with ordinality as r(x, ri)${when} order by ci, ri`);
  }
  return stmts;
}

/**
 * Writes the in-app messages and, where a channel is configured, queues external deliveries — in the caller's
 * transaction, in one statement.
 */
export async function notify(tx: DbOrTx, n: NotifyInput) {
  if (!recipients(n).length) return;
  const values: unknown[] = [];
  const [inbox, out] = notifyInserts(n, await notifyChannels(tx, n.countyCode, n.sms), (v) => {
    values.push(v);
    return `$${values.length}`;
  });
  await rawOf(tx).query(out ? `with o as (${out}) ${inbox}` : inbox, values);
}

/** Queues a message to a phone number that has no account yet (verification codes). */
export async function queueToPhone(
  tx: DbOrTx,
  countyCode: string,
  phoneEnc: string,
  template: string,
  payload: Record<string, unknown>,
  now: Date,
) {
  await tx.insert(outbox).values({
    countyCode,
    channel: 'sms',
    recipient: `enc:${phoneEnc}`,
    template,
    payload,
    nextAttemptAt: now,
    createdAt: now,
  });
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
    const due = await tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
      .orderBy(asc(outbox.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (!due.length) return [];
    return tx
      .update(outbox)
      .set({ nextAttemptAt: new Date(now.getTime() + 5 * 60_000), attempts: sql`${outbox.attempts} + 1` })
      .where(
        inArray(
          outbox.id,
          due.map((d) => d.id),
        ),
      )
      .returning();
  });
  let sent = 0;
  let failed = 0;
  for (const m of claimed) {
    const url = await getSetting<string>(
      db,
      m.countyCode,
      m.channel === 'sms' ? 'notify.smsWebhookUrl' : 'notify.wechatWebhookUrl',
    );
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
      result = await sender.send(url, {
        channel: m.channel,
        to,
        template: m.template,
        text: [p.title, p.body].filter(Boolean).join('：'),
        params: m.payload,
      });
    }
    await db.transaction(async (tx) => {
      await tx.insert(deliveryLog).values({
        outboxId: m.id,
        attempt: m.attempts,
        at: now,
        ok: result.ok,
        statusCode: result.statusCode ?? null,
        error: result.error ?? null,
      });
      if (result.ok)
        await tx.update(outbox).set({ status: 'sent', sentAt: now, lastError: null }).where(eq(outbox.id, m.id));
      else if (m.attempts >= MAX_ATTEMPTS)
        await tx
          .update(outbox)
          .set({ status: 'failed', lastError: result.error ?? '发送失败' })
          .where(eq(outbox.id, m.id));
      else
        await tx
          .update(outbox)
          .set({
            lastError: result.error ?? '发送失败',
            nextAttemptAt: new Date(now.getTime() + backoffMs(m.attempts)),
          })
          .where(eq(outbox.id, m.id));
    });
    if (result.ok) sent++;
    else failed++;
  }
  return { claimed: claimed.length, sent, failed };
}
