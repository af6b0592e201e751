import { and, eq, lte } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { schedules } from '../db/schema/index.js';
import type { Clock } from './clock.js';

export type Task = { name: string; everyMs: number; run: (now: Date) => Promise<Record<string, unknown> | void> };

/**
 * Claims a task's tick with a conditional update, so that with several app servers each tick runs once.
 * Returns whether this process ran it.
 */
export async function runIfDue(db: Db, task: Task, now: Date): Promise<boolean> {
  await db.insert(schedules).values({ name: task.name, nextRunAt: now }).onConflictDoNothing();
  const [claimed] = await db
    .update(schedules)
    .set({ nextRunAt: new Date(now.getTime() + task.everyMs), lastRunAt: now })
    .where(and(eq(schedules.name, task.name), lte(schedules.nextRunAt, now)))
    .returning();
  if (!claimed) return false;
  const result = await task.run(now);
  await db
    .update(schedules)
    .set({ lastResult: result ?? {} })
    .where(eq(schedules.name, task.name));
  return true;
}

export function startScheduler(
  db: Db,
  clock: Clock,
  tasks: Task[],
  log: (e: unknown, name: string) => void,
  tickMs = 15_000,
) {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      for (const t of tasks) {
        try {
          await runIfDue(db, t, clock.now());
        } catch (e) {
          log(e, t.name);
        }
      }
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), tickMs);
  timer.unref();
  setTimeout(() => void tick(), 2000).unref();
  return () => clearInterval(timer);
}
