/**
 * What does a crash do to the embedded database? `npx tsx bench/crash-test.ts [rounds]`
 * Starts the server on a fresh PGlite data directory, keeps writing (creating sites as the county admin, 8 at
 * a time), kills the server with SIGKILL in the middle of the writes, restarts it on the same directory and
 * checks: does it start, is every acknowledged write there, does the audit chain verify. Repeats `rounds` times
 * on the same directory. Prints a JSON summary (used for docs/OPERATIONS.md).
 */
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { repoRoot, startServer, tempDataDir, type RunningServer } from '../e2e/server.js';

const ROUNDS = Number(process.argv[2] ?? 3);
const PREFIX = '崩溃测试点';

async function login(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: '13800000001', password: 'Demo@2026' }),
  });
  if (!res.ok) throw new Error(`login: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

async function countSites(baseUrl: string, token: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (let page = 1; ; page++) {
    const res = await fetch(`${baseUrl}/api/v1/sites?page=${page}&pageSize=100&q=${encodeURIComponent(PREFIX)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`list: HTTP ${res.status}`);
    const body = (await res.json()) as { items: { name: string }[]; total: number };
    for (const s of body.items) names.add(s.name);
    if (body.items.length < 100) return names;
  }
}

function auditVerify(dataDir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'audit-verify'], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    encoding: 'utf8',
  });
  return { code: r.status, out: (r.stdout + r.stderr).trim() };
}

async function main() {
  const dataDir = tempDataDir('crash');
  const acknowledged = new Set<string>();
  const rounds: object[] = [];
  let server: RunningServer | undefined;
  let cleanRestartMs: number;
  try {
    server = await startServer({ dataDir, env: { WENMING_DEMO: '1' } });
    console.log(`fresh start with seed: ${(server.startMs / 1000).toFixed(1)} s`);
    await server.stop();
    server = await startServer({ dataDir, env: { WENMING_DEMO: '1' } });
    cleanRestartMs = Math.round(server.startMs);
    console.log(`restart after a clean stop (SIGTERM): ${(cleanRestartMs / 1000).toFixed(2)} s`);
    for (let round = 1; round <= ROUNDS; round++) {
      const token = await login(server.baseUrl);
      const base = server.baseUrl;
      let stop = false;
      let sent = 0;
      let failed = 0;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const name = `${PREFIX}${round}-${w}-${i}`;
          sent++;
          try {
            const res = await fetch(`${base}/api/v1/sites`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ kind: 'point', name, regionCode: '411523100', address: '新集镇崩溃测试路 1 号' }),
            });
            if (res.status === 201 || res.status === 200) acknowledged.add(name);
            else {
              failed++;
              if (failed === 1) console.log(`  write answered ${res.status}: ${await res.text()}`);
            }
          } catch {
            failed++;
          }
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      await new Promise((r) => setTimeout(r, 1500 + Math.random() * 1500));
      process.kill(server.pid, 'SIGKILL');
      await server.stop();
      stop = true;
      await Promise.all(writers);
      const ackBefore = acknowledged.size;

      let restartError: string | null = null;
      try {
        server = await startServer({ dataDir, env: { WENMING_DEMO: '1' }, timeoutMs: 120_000 });
      } catch (e) {
        restartError = (e as Error).message;
      }
      if (restartError || !server) {
        rounds.push({ round, sent, acknowledged: ackBefore, restart: 'failed', restartError });
        console.log(`round ${round}: restart FAILED\n${restartError}`);
        server = undefined;
        break;
      }
      const present = await countSites(server.baseUrl, await login(server.baseUrl));
      const lost = [...acknowledged].filter((n) => !present.has(n));
      const unacknowledgedButPresent = [...present].filter((n) => !acknowledged.has(n)).length;
      const r = {
        round,
        writesSent: sent,
        acknowledgedTotal: ackBefore,
        failedOrCutOff: failed,
        restartMs: Math.round(server.startMs),
        present: present.size,
        lostAcknowledged: lost.length,
        presentButNotAcknowledged: unacknowledgedButPresent,
      };
      rounds.push(r);
      console.log(JSON.stringify(r));
    }
    await server?.stop();
    server = undefined;
    const audit = auditVerify(dataDir);
    console.log(JSON.stringify({ cleanRestartMs, rounds, auditVerify: audit }, null, 2));
  } finally {
    await server?.stop('SIGKILL');
    if (process.env.KEEP_DATA !== '1') fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
