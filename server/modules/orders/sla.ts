import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { orderEvents, orders, serviceItems } from '../../db/schema/index.js';
import { writeAudit, systemActor } from '../../platform/audit.js';
import { notify } from '../../platform/notify.js';
import { getSettings } from '../settings/service.js';
import { staffAt } from './service.js';
import { escalationLabels, scoreLabels } from './transitions.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
type Order = typeof orders.$inferSelect;

/**
 * The time-limit job: overdue work goes one level up (站 → 所 → 中心) and is flagged; a dispatched order nobody
 * accepted in time returns to the queue; unrated completed orders close as 满意 after the rating window; rated
 * ones close when the reopen window ends. Every change is a conditional update, so two servers never double it.
 */
export async function sweepOrders(db: Db, now: Date) {
  const counties = await db
    .selectDistinct({ countyCode: orders.countyCode })
    .from(orders)
    .where(sql`${orders.state} in ('submitted','dispatched','completed','rated')`);
  const totals = { escalated: 0, expired: 0, autoClosed: 0, closed: 0 };
  for (const { countyCode } of counties) {
    const s = await getSettings(db, countyCode);
    const dispatchMs = ((s['orders.reviewHours'] as number) + 0) * HOUR;
    const acceptMs = (s['orders.acceptHours'] as number) * HOUR;
    const rateMs = (s['orders.rateDays'] as number) * DAY;
    const reopenMs = (s['orders.reopenDays'] as number) * DAY;
    const actor = { ...systemActor('时限检查'), countyCode };

    // submitted too long: one level up per elapsed limit, at most to the county center
    const waiting = await db
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.countyCode, countyCode),
          eq(orders.state, 'submitted'),
          lt(orders.stepStartedAt, new Date(now.getTime() - dispatchMs)),
          lt(orders.escalationLevel, 2),
        ),
      );
    for (const o of waiting) {
      const due = Math.min(2, Math.floor((now.getTime() - o.stepStartedAt.getTime()) / dispatchMs));
      if (due <= o.escalationLevel) continue;
      if (await escalate(db, o, due, now, actor, `超过 ${s['orders.reviewHours']} 小时未派单`)) totals.escalated++;
    }

    // dispatched but not accepted in time: back to the queue, and up one level
    const unaccepted = await db
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.countyCode, countyCode),
          eq(orders.state, 'dispatched'),
          lt(orders.stepStartedAt, new Date(now.getTime() - acceptMs)),
        ),
      );
    for (const o of unaccepted) {
      const level = Math.min(2, o.escalationLevel + 1);
      const done = await db.transaction(async (tx) => {
        const [after] = await tx
          .update(orders)
          .set({
            state: 'submitted',
            targetType: null,
            targetId: null,
            stepStartedAt: now,
            escalationLevel: level,
            overdue: true,
            updatedAt: now,
          })
          .where(and(eq(orders.id, o.id), eq(orders.state, 'dispatched'), eq(orders.stepStartedAt, o.stepStartedAt)))
          .returning();
        if (!after) return false;
        await tx.insert(orderEvents).values({
          orderId: o.id,
          action: 'expire',
          fromState: 'dispatched',
          toState: 'submitted',
          actorName: '系统',
          at: now,
          note: `超过 ${s['orders.acceptHours']} 小时无人接单，退回并上报${escalationLabels[level]}`,
        });
        await writeAudit(tx, actor, { action: 'order.expire', entity: 'order', entityId: o.id, detail: { level } });
        const [item] = await tx
          .select({ name: serviceItems.name })
          .from(serviceItems)
          .where(eq(serviceItems.id, o.serviceItemId));
        await notify(tx, {
          countyCode,
          userIds: await staffAt(tx, o.regionPath, level),
          kind: 'order.overdue',
          title: '订单超时未接单',
          body: `${o.contactName}的「${item?.name ?? '点单'}」服务单超时无人接单，已上报${escalationLabels[level]}，请重新派单`,
          entity: 'order',
          entityId: o.id,
          now,
          sms: true,
        });
        return true;
      });
      if (done) totals.expired++;
    }

    // completed and not rated within the window: closes as 满意
    const unrated = await db
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.countyCode, countyCode),
          eq(orders.state, 'completed'),
          lt(orders.completedAt, new Date(now.getTime() - rateMs)),
        ),
      );
    for (const o of unrated) {
      const done = await db.transaction(async (tx) => {
        const [after] = await tx
          .update(orders)
          .set({ state: 'closed', score: 4, autoRated: true, closedAt: now, stepStartedAt: now, updatedAt: now })
          .where(and(eq(orders.id, o.id), eq(orders.state, 'completed')))
          .returning();
        if (!after) return false;
        await tx.insert(orderEvents).values({
          orderId: o.id,
          action: 'auto_close',
          fromState: 'completed',
          toState: 'closed',
          actorName: '系统',
          at: now,
          note: `${s['orders.rateDays']} 天内未评价，默认“${scoreLabels[4]}”并关闭`,
        });
        await writeAudit(tx, actor, { action: 'order.close', entity: 'order', entityId: o.id, detail: { auto: true } });
        return true;
      });
      if (done) totals.autoClosed++;
    }

    // rated and past the reopen window: closed
    const rated = await db
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.countyCode, countyCode),
          eq(orders.state, 'rated'),
          lt(orders.completedAt, new Date(now.getTime() - reopenMs)),
        ),
      );
    for (const o of rated) {
      const done = await db.transaction(async (tx) => {
        const [after] = await tx
          .update(orders)
          .set({ state: 'closed', closedAt: now, stepStartedAt: now, updatedAt: now })
          .where(and(eq(orders.id, o.id), eq(orders.state, 'rated')))
          .returning();
        if (!after) return false;
        await tx.insert(orderEvents).values({
          orderId: o.id,
          action: 'close',
          fromState: 'rated',
          toState: 'closed',
          actorName: '系统',
          at: now,
          note: '评价后期满关闭',
        });
        await writeAudit(tx, actor, { action: 'order.close', entity: 'order', entityId: o.id });
        return true;
      });
      if (done) totals.closed++;
    }
  }
  return totals;
}

async function escalate(
  db: Db,
  o: Order,
  level: number,
  now: Date,
  actor: ReturnType<typeof systemActor> & { countyCode: string },
  why: string,
) {
  return db.transaction(async (tx) => {
    const [after] = await tx
      .update(orders)
      .set({ escalationLevel: level, overdue: true, updatedAt: now })
      .where(and(eq(orders.id, o.id), eq(orders.state, o.state), lt(orders.escalationLevel, level)))
      .returning();
    if (!after) return false;
    const [item] = await tx
      .select({ name: serviceItems.name })
      .from(serviceItems)
      .where(eq(serviceItems.id, o.serviceItemId));
    await tx.insert(orderEvents).values({
      orderId: o.id,
      action: 'escalate',
      fromState: o.state,
      toState: o.state,
      actorName: '系统',
      at: now,
      note: `${why}，上报${escalationLabels[level]}`,
    });
    await writeAudit(tx, actor, { action: 'order.escalate', entity: 'order', entityId: o.id, detail: { level } });
    await notify(tx, {
      countyCode: o.countyCode,
      userIds: await staffAt(tx, o.regionPath, level),
      kind: 'order.overdue',
      title: '订单超时上报',
      body: `${o.contactName}的「${item?.name ?? '点单'}」服务单${why}，已上报${escalationLabels[level]}`,
      entity: 'order',
      entityId: o.id,
      now,
      sms: true,
    });
    return true;
  });
}
