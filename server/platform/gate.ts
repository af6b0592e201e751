/**
 * In-process, per-key FIFO gates. Work that would queue on one hot database row anyway (every sign-up for one
 * activity locks that activity's row) runs here one at a time per key, in arrival order, instead of waiting inside
 * PostgreSQL. Correctness never depends on the gate — the row lock still orders every writer, including those of
 * other processes — but ten backends waking up on the same row lock cost PostgreSQL more than twice the CPU of the
 * same statements arriving one after another (bench/NOTES.md, issue #5), and its lock queue is not strictly
 * first-come-first-served, which is what the tail latency of a burst is made of.
 */
export class KeyedGate {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` after every earlier `run` of the same key has settled; keys are independent. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    let open!: () => void;
    const mine = new Promise<void>((resolve) => { open = resolve; });
    const tail = before ? before.then(() => mine) : mine;
    this.tails.set(key, tail);
    try {
      if (before) await before;
      return await fn();
    } finally {
      open();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with work running or waiting (for tests and diagnostics). */
  get size() {
    return this.tails.size;
  }
}
