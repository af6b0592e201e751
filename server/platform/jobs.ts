import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../db/client.js';
import { jobs } from '../db/schema/index.js';
import type { Clock } from './clock.js';
import { AppError, notFound } from './errors.js';

export type JobRow = typeof jobs.$inferSelect;
export type JobResult = Record<string, unknown>;

/** A job's run was cut short — the runner is stopping, or its lease went to another runner: not a failure. */
export class JobInterrupted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'JobInterrupted';
  }
}

/** What a handler gets: its row, the claim's lease, a signal that aborts when it should stop, progress reporting. */
export type JobContext = {
  job: JobRow;
  /** The claim's token (`jobs.locked_by`): a statement that must only run while this claim holds the job checks it. */
  lease: string;
  /** Aborted when the runner stops or the lease is lost; handlers check it between steps (throws JobInterrupted). */
  signal: AbortSignal;
  now: () => Date;
  /** Stores progress for polling and extends the lease; throws JobInterrupted when the lease is lost. */
  progress: (processed: number, total?: number) => Promise<void>;
};

export type JobDefinition = {
  kind: string;
  run: (ctx: JobContext) => Promise<JobResult | void>;
  /** Attempts before the job fails for good (default 5). An AppError fails it at once: the input is wrong. */
  maxAttempts?: number;
  /** First retry delay; doubles with each attempt, at most an hour (default 10 s). */
  backoffMs?: number;
  /** A recurring job (a sweep): one pending occurrence, the next enqueued this many ms after the one that finished. */
  every?: number;
  /** In the transaction that marks the job succeeded: what must happen exactly once with it (e.g. its audit event). */
  onSucceeded?: (tx: Tx, job: JobRow, result: JobResult) => Promise<void>;
  /** After the job succeeded or failed for good (e.g. delete its upload). Errors are logged, not retried. */
  onSettled?: (job: JobRow) => Promise<void>;
};

/** How a job settled in this process: its row, and the error of a failed or interrupted run. */
export type Settled = { job: JobRow; error?: unknown };

export type EnqueueInput = {
  kind: string;
  payload?: Record<string, unknown>;
  countyCode?: string | null;
  createdBy?: string | null;
  runAt?: Date;
  /** At most one queued or running job per key: a second enqueue with the key is a no-op (returns null). */
  uniqueKey?: string;
  total?: number;
};

type Logger = {
  error: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
};
const consoleLogger: Logger = {
  error: (obj, msg) => console.error(msg, obj),
  warn: (obj, msg) => console.warn(msg, obj),
};

const MAX_BACKOFF_MS = 3600_000;
export const backoffDelay = (def: Pick<JobDefinition, 'backoffMs'>, attempt: number) =>
  Math.min(MAX_BACKOFF_MS, (def.backoffMs ?? 10_000) * 2 ** Math.max(0, attempt - 1));

const recurringKey = (kind: string) => `recurring:${kind}`;
/** The predicate of the partial unique index on unique_key. */
const pending = sql`status in ('queued', 'running')`;

/**
 * Runs the jobs of the `jobs` table in this process, for every kind defined here. Any number of runners (in this
 * process or in other app servers) share the table: a job is claimed by one conditional UPDATE over a `FOR UPDATE
 * SKIP LOCKED` pick, under a lease that heartbeats extend; a runner that dies leaves its lease to expire and another
 * claims the job again (handlers are resumable or idempotent). Completion is fenced by the claim's token, so a runner
 * that lost its lease cannot mark a job done. Time comes from the clock (tests move it; no sleeps).
 *
 * The loop polls every `pollMs`, is woken at once by an enqueue in this process and by a finished job, and runs at
 * most `concurrency` jobs. Every promise it starts is kept and awaited by stop().
 */
export class JobRunner {
  readonly id = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  private defs = new Map<string, JobDefinition>();
  private active = new Map<string, { done: Promise<void>; abort: AbortController }>();
  private settledWaiters = new Map<string, ((s: Settled) => void)[]>();
  private claims = 0;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private readonly concurrency: number;
  private readonly pollMs: number;
  /** How long a claim holds a job without a heartbeat; heartbeats run every third of it. */
  readonly leaseMs: number;
  log: Logger = consoleLogger;
  /** Called after each stored progress report (tests stop a runner at a chosen point). */
  onProgress?: (job: JobRow, processed: number) => void;

  constructor(
    private db: Db,
    private clock: Clock,
    opts: { concurrency?: number; pollMs?: number; leaseMs?: number } = {},
  ) {
    this.concurrency = opts.concurrency ?? 2;
    this.pollMs = opts.pollMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 60_000;
  }

  define(def: JobDefinition) {
    if (this.defs.has(def.kind)) throw new Error(`job kind ${def.kind} defined twice`);
    this.defs.set(def.kind, def);
  }

  get kinds() {
    return [...this.defs.keys()];
  }

  private def(kind: string) {
    const d = this.defs.get(kind);
    if (!d) throw new Error(`job kind ${kind} is not defined`);
    return d;
  }

  /** Adds a job (in the caller's transaction when given one) and wakes this runner; null when `uniqueKey` is taken. */
  async enqueue(db: DbOrTx, input: EnqueueInput): Promise<JobRow | null> {
    const def = this.def(input.kind);
    const now = this.clock.now();
    const [row] = await db
      .insert(jobs)
      .values({
        countyCode: input.countyCode ?? null,
        kind: input.kind,
        status: 'queued',
        uniqueKey: input.uniqueKey ?? null,
        payload: input.payload ?? {},
        runAt: input.runAt ?? now,
        maxAttempts: def.maxAttempts ?? 5,
        total: input.total ?? 0,
        createdBy: input.createdBy ?? null,
        createdAt: now,
      })
      .onConflictDoNothing({ target: jobs.uniqueKey, where: pending })
      .returning();
    if (!row) return null;
    this.wake();
    return row;
  }

  /**
   * Adds a job already claimed by this runner and runs it here, now, on the caller's time (a synchronous request):
   * if this process dies, the lease expires and another runner resumes it. Resolves with the settled row.
   */
  async runNow(input: EnqueueInput & { beforeRun?: (tx: Tx, job: JobRow) => Promise<void> }): Promise<Settled> {
    const def = this.def(input.kind);
    const now = this.clock.now();
    const lease = this.newLease();
    const row = await this.db.transaction(async (tx) => {
      const [job] = await tx
        .insert(jobs)
        .values({
          countyCode: input.countyCode ?? null,
          kind: input.kind,
          status: 'running',
          uniqueKey: input.uniqueKey ?? null,
          payload: input.payload ?? {},
          runAt: now,
          attempts: 1,
          maxAttempts: def.maxAttempts ?? 5,
          lockedBy: lease,
          lockedUntil: new Date(now.getTime() + this.leaseMs),
          total: input.total ?? 0,
          createdBy: input.createdBy ?? null,
          createdAt: now,
          startedAt: now,
        })
        .returning();
      await input.beforeRun?.(tx, job);
      return job;
    });
    const settled = this.whenSettled(row.id);
    await this.launch(row, lease);
    return settled;
  }

  /** Resolves when the job settles in this process (succeeded, failed for good, or released by stop()). */
  whenSettled(id: string): Promise<Settled> {
    return new Promise((resolve) => {
      const list = this.settledWaiters.get(id) ?? [];
      list.push(resolve);
      this.settledWaiters.set(id, list);
    });
  }

  wake() {
    this.wakeUp?.();
  }

  /**
   * Starts polling; with `recurring` (the server; not tests) first makes sure every recurring job has an occurrence.
   */
  async start(opts: { recurring?: boolean } = {}) {
    if (this.loop) return;
    this.stopping = false;
    if (opts.recurring !== false) await this.ensureRecurring();
    this.loop = this.runLoop();
  }

  /** One pending occurrence per recurring kind (the unique key keeps it one across processes). */
  async ensureRecurring() {
    for (const def of this.defs.values())
      if (def.every) await this.enqueue(this.db, { kind: def.kind, uniqueKey: recurringKey(def.kind) });
  }

  /** Stops claiming, asks running handlers to stop (they are released for another runner), and waits for them. */
  async stop(graceMs = 20_000) {
    this.stopping = true;
    this.wake();
    for (const a of this.active.values()) a.abort.abort(new JobInterrupted('服务停止'));
    const all = Promise.allSettled([this.loop, ...[...this.active.values()].map((a) => a.done)]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.loop = null;
  }

  /** Claims and runs due jobs until none is due and none is running (tests, the CLI). */
  async drain() {
    for (;;) {
      await this.fill();
      if (!this.active.size) return;
      await Promise.race([...this.active.values()].map((a) => a.done));
    }
  }

  private async runLoop() {
    while (!this.stopping) {
      try {
        await this.fill();
      } catch (err) {
        this.log.error({ err }, '后台任务：领取任务失败');
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.pollMs);
        timer.unref?.();
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wakeUp = done;
      });
      this.wakeUp = null;
    }
  }

  private newLease() {
    return `${this.id}:${++this.claims}`;
  }

  /** Claims due jobs into the free slots and starts them. */
  private async fill() {
    while (!this.stopping && this.active.size < this.concurrency && this.defs.size) {
      const lease = this.newLease();
      const row = await this.claim(lease);
      if (!row) return;
      await this.launch(row, lease);
    }
  }

  /**
   * One statement: pick the oldest due job of a kind this runner knows — queued and due, or running with an expired
   * lease (its runner died) — skipping rows other runners are claiming and jobs this runner is still running (its own
   * expired lease: it goes on, and another runner may take the job over), and take it under a new lease.
   */
  private async claim(lease: string): Promise<JobRow | null> {
    const now = this.clock.now();
    const at = sql`${now.toISOString()}::timestamptz`;
    const [row] = await this.db
      .update(jobs)
      .set({
        status: 'running',
        attempts: sql`${jobs.attempts} + 1`,
        lockedBy: lease,
        lockedUntil: new Date(now.getTime() + this.leaseMs),
        startedAt: sql`coalesce(${jobs.startedAt}, ${at})`,
      })
      .where(
        sql`${jobs.id} = (select id from ${jobs}
          where kind = any(${`{${this.kinds.join(',')}}`}::text[])
            and ((status = 'queued' and run_at <= ${at}) or (status = 'running' and locked_until < ${at}))
            and id <> all(${`{${[...this.active.keys()].join(',')}}`}::uuid[])
          order by run_at, created_at limit 1 for update skip locked)`,
      )
      .returning();
    return row ?? null;
  }

  private async launch(row: JobRow, lease: string) {
    const abort = new AbortController();
    const done = this.execute(row, lease, abort).finally(() => {
      this.active.delete(row.id);
      this.wake();
    });
    this.active.set(row.id, { done, abort });
  }

  /** Runs one claimed job to its outcome; never rejects (every error ends in the row, and in the log). */
  private async execute(row: JobRow, lease: string, abort: AbortController) {
    const def = this.def(row.kind);
    const leaseMs = this.leaseMs;
    const mine = and(eq(jobs.id, row.id), eq(jobs.lockedBy, lease), eq(jobs.status, 'running'));
    const lost = () => abort.abort(new JobInterrupted('任务已被其他进程接管'));
    const extend = async (progress?: { processed: number; total?: number }) => {
      const [r] = await this.db
        .update(jobs)
        .set({
          lockedUntil: new Date(this.clock.now().getTime() + leaseMs),
          ...(progress ? { processed: sql`greatest(${jobs.processed}, ${progress.processed})` } : {}),
          ...(progress?.total !== undefined ? { total: progress.total } : {}),
        })
        .where(mine)
        .returning({ id: jobs.id });
      if (!r) lost();
    };
    // heartbeat: a loop awaited below, ended when the handler is done
    const beat = new AbortController();
    const heartbeat = (async () => {
      while (!beat.signal.aborted) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, leaseMs / 3);
          t.unref?.();
          beat.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
        if (beat.signal.aborted) return;
        try {
          await extend();
        } catch (err) {
          this.log.warn({ err, job: row.id }, '后台任务心跳失败');
        }
      }
    })();
    let outcome: { ok: true; result: JobResult } | { ok: false; err: unknown };
    try {
      if (row.attempts > row.maxAttempts) throw new JobGaveUp(row.attempts - 1);
      const ctx: JobContext = {
        job: row,
        lease,
        signal: abort.signal,
        now: () => this.clock.now(),
        progress: async (processed, total) => {
          if (abort.signal.aborted) throw abort.signal.reason;
          await extend({ processed, total });
          if (abort.signal.aborted) throw abort.signal.reason;
          this.onProgress?.(row, processed);
        },
      };
      outcome = { ok: true, result: (await def.run(ctx)) ?? {} };
    } catch (err) {
      outcome = { ok: false, err };
    } finally {
      beat.abort();
      await heartbeat;
    }
    try {
      const settled = await this.settle(row, def, mine, outcome, abort.signal);
      if (settled && (settled.status === 'succeeded' || settled.status === 'failed'))
        await def.onSettled?.(settled).catch((err) => this.log.error({ err, job: row.id }, '后台任务收尾失败'));
      this.notifySettled(row.id, { job: settled ?? row, error: outcome.ok ? undefined : outcome.err });
    } catch (err) {
      this.log.error({ err, job: row.id, kind: row.kind }, '后台任务：保存结果失败');
      this.notifySettled(row.id, { job: row, error: err });
    }
  }

  private notifySettled(id: string, s: Settled) {
    const waiters = this.settledWaiters.get(id);
    this.settledWaiters.delete(id);
    for (const w of waiters ?? []) w(s);
  }

  /** Stores the outcome, fenced by the lease; null when the lease was lost (another runner has the job). */
  private async settle(
    row: JobRow,
    def: JobDefinition,
    mine: ReturnType<typeof and>,
    outcome: { ok: true; result: JobResult } | { ok: false; err: unknown },
    signal: AbortSignal,
  ): Promise<JobRow | null> {
    const now = this.clock.now();
    const unlock = { lockedBy: null, lockedUntil: null };
    if (outcome.ok) {
      return this.db.transaction(async (tx) => {
        const [done] = await tx
          .update(jobs)
          .set({
            ...unlock,
            status: 'succeeded',
            result: outcome.result,
            finishedAt: now,
            processed: sql`greatest(${jobs.processed}, ${jobs.total})`,
          })
          .where(mine)
          .returning();
        if (!done) return null;
        await def.onSucceeded?.(tx, done, outcome.result);
        if (def.every) await this.scheduleNext(tx, def, done, now);
        return done;
      });
    }
    const err = outcome.err;
    if (err instanceof JobInterrupted || (signal.aborted && !(err instanceof AppError))) {
      // stopped, not failed: back to the queue at once, and the attempt does not count
      const [released] = await this.db
        .update(jobs)
        .set({ ...unlock, status: 'queued', runAt: now, attempts: sql`greatest(${jobs.attempts} - 1, 0)` })
        .where(mine)
        .returning();
      return released ?? null;
    }
    const permanent = err instanceof AppError || err instanceof JobGaveUp || row.attempts >= row.maxAttempts;
    const message =
      err instanceof AppError || err instanceof JobGaveUp
        ? err.message
        : permanent
          ? `任务执行失败（服务器内部错误），已重试 ${row.attempts} 次`
          : `任务执行出错（服务器内部错误），将自动重试（第 ${row.attempts} 次）`;
    const detail = errorDetail(err);
    if (!(err instanceof AppError))
      this.log.error({ err, job: row.id, kind: row.kind, attempt: row.attempts }, '后台任务失败');
    if (!permanent) {
      const [retry] = await this.db
        .update(jobs)
        .set({
          ...unlock,
          status: 'queued',
          runAt: new Date(now.getTime() + backoffDelay(def, row.attempts)),
          error: message,
          errorDetail: detail,
        })
        .where(mine)
        .returning();
      return retry ?? null;
    }
    return this.db.transaction(async (tx) => {
      const [failed] = await tx
        .update(jobs)
        .set({ ...unlock, status: 'failed', error: message, errorDetail: detail, finishedAt: now })
        .where(mine)
        .returning();
      if (failed && def.every) await this.scheduleNext(tx, def, failed, now);
      return failed ?? null;
    });
  }

  /**
   * The next occurrence of a recurring job: a period after this one was due, or a period from now if that has passed.
   */
  private async scheduleNext(tx: Tx, def: JobDefinition, row: JobRow, now: Date) {
    let next = row.runAt.getTime() + def.every!;
    if (next <= now.getTime()) next = now.getTime() + def.every!;
    await tx
      .insert(jobs)
      .values({
        kind: def.kind,
        status: 'queued',
        uniqueKey: recurringKey(def.kind),
        runAt: new Date(next),
        maxAttempts: def.maxAttempts ?? 5,
        createdAt: now,
      })
      .onConflictDoNothing({ target: jobs.uniqueKey, where: pending });
  }
}

/** A job claimed again after more interruptions (crashes, lost leases) than its attempts allow. */
class JobGaveUp extends Error {
  constructor(attempts: number) {
    super(`任务已中断 ${attempts} 次（服务重启或超时），不再重试`);
  }
}

function errorDetail(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.name}: ${err.message}${cause}`.slice(0, 2000);
}

/** Deletes settled jobs: sweep occurrences after a day, other jobs (imports …) after 30 days. */
export async function deleteOldJobs(db: Db, now: Date) {
  const day = 86400_000;
  const { rowCount } = await db.execute(sql`delete from ${jobs} where status in ('succeeded', 'failed')
    and finished_at < case when unique_key like 'recurring:%'
      then ${new Date(now.getTime() - day).toISOString()}::timestamptz
      else ${new Date(now.getTime() - 30 * day).toISOString()}::timestamptz end`);
  return { deleted: rowCount ?? 0 };
}

/** A job as its owner polls it. `status` is running until it ends (also while it waits for a runner or a retry). */
export async function getJob(db: DbOrTx, id: string, userId: string) {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  if (!row || row.createdBy !== userId) throw notFound('任务');
  const finished = row.status === 'succeeded' || row.status === 'failed' ? row.status : null;
  return {
    id: row.id,
    kind: row.kind,
    status: finished ?? ('running' as const),
    /** Waiting for a runner, or for its next attempt after an error (`error` says which). */
    waiting: row.status === 'queued',
    attempts: row.attempts,
    processed: row.processed,
    total: row.total,
    percent: row.total
      ? Math.min(100, Math.round((row.processed / row.total) * 100))
      : row.status === 'succeeded'
        ? 100
        : 0,
    result: row.result,
    error: row.error,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}
