/**
 * A node-postgres-compatible pool over the PGlite worker thread. PGlite has one connection, so the pool hands out
 * one client at a time (a transaction holds it until release); plain queries wait their turn the same way.
 * Results are parsed with node-postgres's own type parsers, so both engines give the application the same values.
 */
import { Worker } from 'node:worker_threads';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { prepareValue } from 'pg/lib/utils.js';

type Field = { name: string; dataTypeID: number };
type RawResult = { rows: (string | null)[][]; fields: Field[]; rowCount: number };
type TypeParserSource = { getTypeParser: (oid: number, format?: string) => (v: string) => unknown };
export type QueryConfig = { text: string; values?: unknown[]; rowMode?: 'array'; types?: TypeParserSource };

export class PgliteError extends Error {
  code?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  column?: string;
  severity?: string;
}

/**
 * The single connection's lock, with two classes of waiters. Short interactive statements (health's `select 1`,
 * the session lookup, single-row primary-key reads) ask with priority and are served before the normal queue, so
 * they wait for at most the statement that is running, not for a queue of long ones. A holder is never
 * interrupted (a transaction keeps the connection until it releases), and at most PRIORITY_BURST priority
 * waiters are served in a row while normal ones wait, so the normal queue cannot starve.
 */
export const PRIORITY_BURST = 4;
export class Mutex {
  private normal: (() => void)[] = [];
  private priority: (() => void)[] = [];
  private locked = false;
  private burst = 0;
  async acquire(priority = false): Promise<() => void> {
    if (this.locked) await new Promise<void>((r) => (priority ? this.priority : this.normal).push(r));
    this.locked = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handOver();
    };
  }
  private handOver() {
    let next: (() => void) | undefined;
    if (this.priority.length > 0 && (this.burst < PRIORITY_BURST || this.normal.length === 0)) {
      next = this.priority.shift();
      this.burst++;
    } else {
      next = this.normal.shift();
      this.burst = 0;
    }
    if (next) next();
    else this.locked = false;
  }
}

export class WorkerPool extends EventEmitter {
  private worker: Worker;
  private seq = 0;
  private pending = new Map<number, { resolve: (r: RawResult) => void; reject: (e: Error) => void }>();
  private mutex = new Mutex();
  readonly ready: Promise<void>;
  private closed = false;

  constructor(dataDir: string, sharedBuffers?: string, restoreFrom?: Uint8Array) {
    super();
    const url = new URL('./pglite-worker.mjs', import.meta.url);
    // plain JavaScript: no TypeScript loader needed in this thread (saves its memory)
    this.worker = new Worker(url, { workerData: { dataDir, sharedBuffers, restoreFrom }, execArgv: [] });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (m) => {
        if (m.ready) return resolve();
        if (m.fatal) return reject(new Error(`嵌入式数据库启动失败：${m.fatal}`));
        if (m.closed) return;
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.dump) return (p.resolve as unknown as (d: Uint8Array) => void)(m.dump);
        if (m.error) p.reject(Object.assign(new PgliteError(m.error.message), m.error));
        else p.resolve(m.result);
      });
      this.worker.on('error', (e) => {
        reject(e);
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
    });
  }

  private send(sql: string, params?: unknown[], exec = false): Promise<RawResult> {
    if (this.closed) return Promise.reject(new Error('数据库已关闭'));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, sql, params, exec });
    });
  }

  /** Runs one statement on the held connection (no mutex: the caller holds it). */
  async run(config: string | QueryConfig, values?: unknown[]) {
    const cfg: QueryConfig =
      typeof config === 'string' ? { text: config, values } : { ...config, values: values ?? config.values };
    const params = (cfg.values ?? []).map((v) => prepareValue(v));
    const raw = await this.send(cfg.text, params);
    const parsers = raw.fields.map((f) => (cfg.types ?? pg.types).getTypeParser(f.dataTypeID, 'text'));
    const parsed = raw.rows.map((row) => row.map((v, i) => (v === null ? null : parsers[i](v))));
    const rows =
      cfg.rowMode === 'array'
        ? parsed
        : parsed.map((row) => Object.fromEntries(raw.fields.map((f, i) => [f.name, row[i]])));
    return { rows, fields: raw.fields, rowCount: raw.rowCount, command: '' };
  }

  /** A gzipped tarball of the whole data directory (PGlite's own dump format), for backups. */
  async dump(): Promise<Uint8Array> {
    const release = await this.mutex.acquire();
    try {
      const id = ++this.seq;
      return await new Promise<Uint8Array>((resolve, reject) => {
        this.pending.set(id, { resolve: resolve as unknown as (r: RawResult) => void, reject });
        this.worker.postMessage({ id, dump: true });
      });
    } finally {
      release();
    }
  }

  /** Runs a script of several statements (no parameters, no result). */
  async exec(sql: string) {
    const release = await this.mutex.acquire();
    try {
      await this.send(sql, undefined, true);
    } finally {
      release();
    }
  }

  /** One statement; `priority` puts it ahead of queued normal statements (for short single-row reads only). */
  async query(config: string | QueryConfig, values?: unknown[], opts?: { priority?: boolean }) {
    const release = await this.mutex.acquire(opts?.priority === true);
    try {
      return await this.run(config, values);
    } finally {
      release();
    }
  }

  /** Hands out the single connection; it is the caller's until release(). */
  async connect() {
    const release = await this.mutex.acquire();
    return {
      query: (config: string | QueryConfig, values?: unknown[]) => this.run(config, values),
      release: () => release(),
    };
  }

  async end() {
    if (this.closed) return;
    const release = await this.mutex.acquire();
    try {
      await new Promise<void>((resolve) => {
        this.worker.once('message', () => resolve());
        this.worker.postMessage({ close: true });
      });
      await this.worker.terminate();
    } finally {
      this.closed = true;
      release();
    }
  }
}
// drizzle's node-postgres session recognises a pool by its constructor name.
Object.defineProperty(WorkerPool, 'name', { value: 'WorkerPool' });
