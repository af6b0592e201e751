import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../test/harness.js';
import { openDatabase, type Database } from '../db/client.js';
import { jobs } from '../db/schema/index.js';
import { AppError } from './errors.js';
import { backoffDelay, deleteOldJobs, JobRunner, type JobDefinition } from './jobs.js';

let t: TestApp;
/** A second connection to the same database — another app server — on PostgreSQL; PGlite has one connection. */
let other: Database | null = null;
beforeAll(async () => {
  t = await createTestApp();
  if (t.deps.config.databaseUrl) other = await openDatabase({ databaseUrl: t.deps.config.databaseUrl, dataDir: '' });
});
afterAll(async () => {
  await other?.close();
  await t?.close();
});

const db = () => t.deps.database.db;
/** A runner as another app server would have: its own connection where the engine allows one. */
const runner = (defs: JobDefinition[], opts: { concurrency?: number; second?: boolean } = {}) => {
  const r = new JobRunner(opts.second && other ? other.db : db(), t.clock, { concurrency: opts.concurrency });
  r.log = { error: () => {}, warn: () => {} }; // the failures these tests cause on purpose
  for (const d of defs) r.define(d);
  return r;
};
const rowsOf = (kind: string) => db().select().from(jobs).where(eq(jobs.kind, kind)).orderBy(jobs.runAt, jobs.status);
let n = 0;
const kind = (name: string) => `test.${name}.${++n}`;

describe('durable jobs', () => {
  it('two runners on one database race for 50 jobs: each job runs exactly once', async () => {
    const k = kind('race');
    const runs = new Map<string, number>();
    const def = (who: string): JobDefinition => ({
      kind: k,
      run: async (ctx) => {
        runs.set(ctx.job.id, (runs.get(ctx.job.id) ?? 0) + 1);
        // a statement per job, so the two runners interleave on the database
        await ctx.progress(1, 1);
        return { by: who };
      },
    });
    const a = runner([def('a')], { concurrency: 4 });
    const b = runner([def('b')], { concurrency: 4, second: true });
    for (let i = 0; i < 50; i++) await a.enqueue(db(), { kind: k, payload: { i } });
    await Promise.all([a.drain(), b.drain(), a.drain(), b.drain()]);
    const rows = await rowsOf(k);
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.status === 'succeeded' && r.attempts === 1 && r.lockedBy === null)).toBe(true);
    expect([...runs.values()]).toEqual(Array(50).fill(1));
    expect(runs.size).toBe(50);
    const by = rows.map((r) => (r.result as { by: string }).by);
    // both took part (on PGlite the one connection serialises them, but each runner still claims its share)
    expect(by.filter((x) => x === 'a').length + by.filter((x) => x === 'b').length).toBe(50);
  });

  it('a handler that throws twice is retried with exponential backoff, then succeeds; the last error is kept meanwhile', async () => {
    const k = kind('flaky');
    let calls = 0;
    const r = runner([
      {
        kind: k,
        backoffMs: 10_000,
        run: async () => {
          calls++;
          if (calls <= 2) throw new Error(`连接中断 ${calls}`);
          return { ok: true };
        },
      },
    ]);
    const job = (await r.enqueue(db(), { kind: k }))!;
    const start = t.clock.now().getTime();
    const row = async () => (await db().select().from(jobs).where(eq(jobs.id, job.id)))[0];

    await r.drain();
    expect(calls).toBe(1);
    let now = await row();
    expect(now).toMatchObject({ status: 'queued', attempts: 1, lockedBy: null });
    expect(now.error).toContain('将自动重试');
    expect(now.errorDetail).toContain('连接中断 1');
    expect(now.runAt.getTime() - start).toBe(10_000);

    await r.drain(); // not due yet: nothing runs
    expect(calls).toBe(1);
    t.clock.advance(10_000);
    await r.drain();
    expect(calls).toBe(2);
    now = await row();
    expect(now).toMatchObject({ status: 'queued', attempts: 2 });
    expect(now.runAt.getTime() - t.clock.now().getTime()).toBe(20_000); // doubled
    expect(now.errorDetail).toContain('连接中断 2');

    t.clock.advance(19_999);
    await r.drain();
    expect(calls).toBe(2);
    t.clock.advance(1);
    await r.drain();
    expect(calls).toBe(3);
    expect(await row()).toMatchObject({ status: 'succeeded', attempts: 3, result: { ok: true } });
    expect(backoffDelay({ backoffMs: 10_000 }, 20)).toBe(3600_000); // capped at an hour
  });

  it('fails for good after the last attempt, keeping the error; a wrong input (AppError) fails at once', async () => {
    const k = kind('broken');
    const r = runner([
      {
        kind: k,
        maxAttempts: 2,
        backoffMs: 1000,
        run: async (ctx) => {
          if ((ctx.job.payload as { bad?: boolean }).bad)
            throw new AppError('VALIDATION_FAILED', '模板缺少必填列：身份证号', []);
          throw new Error('磁盘已满');
        },
      },
    ]);
    const flaky = (await r.enqueue(db(), { kind: k }))!;
    const bad = (await r.enqueue(db(), { kind: k, payload: { bad: true } }))!;
    await r.drain();
    t.clock.advance(1000);
    await r.drain();
    const [f] = await db().select().from(jobs).where(eq(jobs.id, flaky.id));
    expect(f).toMatchObject({ status: 'failed', attempts: 2 });
    expect(f.error).toContain('已重试 2 次');
    expect(f.errorDetail).toContain('磁盘已满');
    expect(f.finishedAt).not.toBeNull();
    const [b] = await db().select().from(jobs).where(eq(jobs.id, bad.id));
    expect(b).toMatchObject({ status: 'failed', attempts: 1, error: '模板缺少必填列：身份证号' });
  });

  it('a job whose runner died (running, lease expired) is taken over by another runner and finished once', async () => {
    const k = kind('orphan');
    const done: string[] = [];
    const succeeded: string[] = [];
    const def = (who: string): JobDefinition => ({
      kind: k,
      run: async () => {
        done.push(who);
        return { by: who };
      },
      onSucceeded: async (_tx, job) => {
        succeeded.push(job.id);
      },
    });
    // as a crash leaves it: claimed by a runner that is gone, its lease running out in a minute
    const [orphan] = await db()
      .insert(jobs)
      .values({
        kind: k,
        status: 'running',
        attempts: 1,
        lockedBy: 'gone:1',
        lockedUntil: new Date(t.clock.now().getTime() + 60_000),
        runAt: t.clock.now(),
        startedAt: t.clock.now(),
      })
      .returning();
    const b = runner([def('b')], { second: true });
    await b.drain();
    expect(done).toEqual([]); // the lease still holds
    t.clock.advance(60_001);
    await b.drain();
    expect(done).toEqual(['b']);
    const [row] = await db().select().from(jobs).where(eq(jobs.id, orphan.id));
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2, result: { by: 'b' }, lockedBy: null });
    expect(succeeded).toEqual([orphan.id]);
    await b.drain();
    expect(done).toEqual(['b']);
  });

  it('a runner that lost its lease cannot complete the job: the one that took it over does, once', async () => {
    const k = kind('slow');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const completions: string[] = [];
    const a = runner(
      [
        {
          kind: k,
          run: async () => {
            started();
            await gate; // stalled (a long GC pause, a network partition) past its lease, heartbeats not getting through
            return { by: 'a' };
          },
          onSucceeded: async () => {
            completions.push('a');
          },
        },
        // one at a time: a second claim of its own after the clock moved would take the expired job back itself
      ],
      { concurrency: 1 },
    );
    const b = runner(
      [
        {
          kind: k,
          run: async () => ({ by: 'b' }),
          onSucceeded: async () => {
            completions.push('b');
          },
        },
      ],
      { second: true },
    );
    const job = (await a.enqueue(db(), { kind: k }))!;
    const aDone = a.drain();
    await running;
    t.clock.advance(a.leaseMs + 1);
    await b.drain();
    release();
    await aDone;
    const [row] = await db().select().from(jobs).where(eq(jobs.id, job.id));
    expect(row).toMatchObject({ status: 'succeeded', result: { by: 'b' } });
    expect(completions).toEqual(['b']);
  });

  it('stop() hands a running job back to the queue without counting the attempt', async () => {
    const k = kind('long');
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const r = runner([
      {
        kind: k,
        run: async (ctx) => {
          started();
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          throw ctx.signal.reason;
        },
      },
    ]);
    const job = (await r.enqueue(db(), { kind: k }))!;
    const draining = r.drain();
    await running;
    await r.stop();
    await draining;
    const [row] = await db().select().from(jobs).where(eq(jobs.id, job.id));
    expect(row).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null, lockedUntil: null });
  });

  it('a recurring sweep scheduled by two processes runs once per period', async () => {
    const k = kind('sweep');
    const ran: string[] = [];
    const def = (who: string): JobDefinition => ({
      kind: k,
      every: 5 * 60_000,
      run: async (ctx) => {
        ran.push(`${who}@${ctx.now().toISOString()}`);
        return { swept: 0 };
      },
    });
    const a = runner([def('a')]);
    const b = runner([def('b')], { second: true });
    await Promise.all([a.ensureRecurring(), b.ensureRecurring(), a.ensureRecurring()]);
    const pending = await db()
      .select()
      .from(jobs)
      .where(and(eq(jobs.kind, k), sql`status in ('queued', 'running')`));
    expect(pending).toHaveLength(1);
    expect(pending[0].uniqueKey).toBe(`recurring:${k}`);
    for (let period = 0; period < 4; period++) {
      await Promise.all([a.drain(), b.drain()]);
      await Promise.all([a.drain(), b.drain()]); // nothing more in the same period
      t.clock.advance(5 * 60_000);
    }
    expect(ran).toHaveLength(4);
    const rows = await rowsOf(k);
    expect(rows.filter((r) => r.status === 'succeeded')).toHaveLength(4);
    expect(rows.filter((r) => r.status === 'queued')).toHaveLength(1);
    // each occurrence was due a period after the one before
    const due = rows.map((r) => r.runAt.getTime());
    for (let i = 1; i < due.length; i++) expect(due[i] - due[i - 1]).toBe(5 * 60_000);
  });

  it('enqueue with a unique key is a no-op while one is pending; settled jobs are cleaned up later', async () => {
    const k = kind('unique');
    const r = runner([{ kind: k, run: async () => ({}) }]);
    expect(await r.enqueue(db(), { kind: k, uniqueKey: k })).not.toBeNull();
    expect(await r.enqueue(db(), { kind: k, uniqueKey: k })).toBeNull();
    await r.drain();
    expect(await r.enqueue(db(), { kind: k, uniqueKey: k })).not.toBeNull(); // the first one is done
    expect((await rowsOf(k)).map((x) => x.status)).toEqual(['queued', 'succeeded']);
    // finished jobs stay 30 days (sweep occurrences a day); pending ones always
    await deleteOldJobs(db(), new Date(t.clock.now().getTime() + 29 * 86400_000));
    expect(await rowsOf(k)).toHaveLength(2);
    await deleteOldJobs(db(), new Date(t.clock.now().getTime() + 31 * 86400_000));
    expect((await rowsOf(k)).map((x) => x.status)).toEqual(['queued']);
  });
});
