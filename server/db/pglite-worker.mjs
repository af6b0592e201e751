// Runs the embedded PGlite database on its own thread. PGlite executes on the thread that calls it, so a slow
// query on the main thread would stall every request; here the main thread only waits for a message.
// Values travel in PostgreSQL's text format; the main thread parses them exactly as node-postgres does.
// Plain JavaScript so that it starts the same under tsx, vitest and a compiled build.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const raw = {};
async function refreshParsers(db) {
  const oids = await db.query('select oid::int as oid from pg_type');
  for (const { oid } of oids.rows) raw[oid] = (v) => v;
}

async function main() {
  const { dataDir, sharedBuffers, restoreFrom } = workerData;
  // PGlite's buffer pool lives in WASM memory, which never shrinks: a small pool keeps the server small, and the
  // operating system still caches the data files
  const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers ?? '16MB'}`];
  const db = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir, {
    startParams,
    ...(restoreFrom ? { loadDataDir: new Blob([restoreFrom]) } : {}),
  });
  await refreshParsers(db);
  parentPort.postMessage({ ready: true });
  parentPort.on('message', async (msg) => {
    if (msg.dump) {
      const blob = await db.dumpDataDir('gzip');
      const bytes = new Uint8Array(await blob.arrayBuffer());
      parentPort.postMessage({ id: msg.id, dump: bytes }, [bytes.buffer]);
      return;
    }
    if (msg.close) {
      await db.close();
      parentPort.postMessage({ closed: true });
      return;
    }
    try {
      if (msg.exec) {
        await db.exec(msg.sql);
        await refreshParsers(db);
        parentPort.postMessage({ id: msg.id, result: { rows: [], fields: [], rowCount: 0 } });
        return;
      }
      const r = await db.query(msg.sql, msg.params ?? [], { rowMode: 'array', parsers: raw });
      if (/^\s*(create|alter)\s+type/i.test(msg.sql)) await refreshParsers(db);
      parentPort.postMessage({
        id: msg.id,
        result: {
          rows: r.rows,
          fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
          rowCount: r.affectedRows || r.rows.length,
        },
      });
    } catch (e) {
      parentPort.postMessage({
        id: msg.id,
        error: {
          message: String(e?.message ?? e),
          code: e?.code,
          detail: e?.detail,
          constraint: e?.constraint,
          table: e?.table,
          column: e?.column,
          severity: e?.severity,
        },
      });
    }
  });
}

main().catch((e) => parentPort.postMessage({ fatal: String(e?.stack ?? e) }));
