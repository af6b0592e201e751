/**
 * In-process, per-key FIFO gates. Work that would queue on one hot database row anyway (every sign-up for one
 * activity locks that activity's row) runs here at most `limit` at a time per key, in arrival order, instead of
 * all waiting inside PostgreSQL. Correctness never depends on the gate — the row lock still orders every writer,
 * including those of other processes — but ten backends waking up on the same row lock cost PostgreSQL more than twice
 * the CPU of the same statements arriving one after another (bench/NOTES.md, issue #5), and its lock queue is not
 * strictly first-come-first-served, which is what the tail latency of a burst is made of.
 */
export class KeyedGate {
  private readonly queues = new Map<string, { running: number; waiting: (() => void)[] }>();

  /** `limit`: how many runs of one key may be in progress at once (1: one at a time). */
  constructor(private readonly limit = 1) {}

  /**
   * Runs `fn` once fewer than `limit` earlier runs of the same key are in progress, in arrival order; keys are
   * independent.
   */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let q = this.queues.get(key);
    if (!q) {
      q = { running: 0, waiting: [] };
      this.queues.set(key, q);
    }
    if (q.running < this.limit) q.running++;
    else await new Promise<void>((resolve) => q!.waiting.push(resolve)); // a finishing run hands its slot over
    try {
      return await fn();
    } finally {
      const next = q.waiting.shift();
      if (next) next();
      else if (--q.running === 0) this.queues.delete(key);
    }
  }

  /** Keys with work running or waiting (for tests and diagnostics). */
  get size() {
    return this.queues.size;
  }
}
