import { auditCheckpointPath, loadConfig } from './config.js';
import { writeAuditCheckpoint } from './platform/audit.js';
import { openPlatform } from './bootstrap.js';
import { buildApp } from './app.js';
import fs from 'node:fs';
import path from 'node:path';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isEmpty, DEMO_PASSWORD } from './seed/demo.js';

/** read config → open db → migrate → (seed the demo county on an empty database) → build app → listen */
async function main() {
  const started = Date.now();
  const config = loadConfig();
  // a fresh embedded database is created by the seeding child too: creating one costs ~800 MB that WASM never returns
  const freshEmbedded = !config.databaseUrl && !fs.existsSync(path.join(config.dataDir, 'pgdata'));
  if (config.demo && freshEmbedded) {
    console.log(`首次启动：正在创建演示县 ${config.demoCounty} …`);
    await seedInWorker();
  }
  let deps = await openPlatform(config);
  if (config.demo && (await isEmpty(deps))) {
    console.log(`首次启动：正在创建演示县 ${config.demoCounty} …`);
    // the embedded database has one owner: close it, seed in a child process, open it again
    await deps.database.close();
    await seedInWorker();
    deps = await openPlatform(config);
  }
  const app = await buildApp(deps);
  await app.listen({
    port: config.port,
    host: config.host,
    listenTextResolver: (address) => `正在监听 ${address}`,
  });
  // lets `cli backup` refuse to copy an embedded database this server is writing to
  if (!config.databaseUrl) fs.writeFileSync(path.join(config.dataDir, 'server.pid'), String(process.pid));
  // durable jobs (imports, sweeps, checkpoints): claimed from the jobs table, so each runs once across servers
  await deps.jobs.start();
  const base = `http://localhost:${config.port}`;
  console.log(
    [
      '',
      `文明实践云 ${deps.version} 已启动` +
        `（数据库：${deps.database.kind === 'pglite' ? `嵌入式 PGlite，${config.dataDir}` : 'PostgreSQL'}，` +
        `用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒）`,
      `  管理后台   ${base}/admin/`,
      `  移动端 H5  ${base}/m/`,
      `  接口文档   ${base}/api/docs`,
      config.demo
        ? `  演示账号（密码 ${DEMO_PASSWORD}）：13800000001 中心管理员 · 13800000002 新集镇所管理员 · 13800000004 站管理员 · 13800000005 ` +
          '志愿者 · 13800000007 群众 · 13800000009 系统管理员 · 13800000010 审计管理员 · 13800000011 安全管理员'
        : '',
      '',
    ].join('\n'),
  );
  const stop = async (signal: string) => {
    app.log.info({ signal }, '收到停止信号，正在停止服务');
    await deps.jobs.stop();
    try {
      await writeAuditCheckpoint(deps.database.db, auditCheckpointPath(config), deps.clock.now());
    } catch (err) {
      app.log.error({ err }, '停止时写入审计检查点失败');
    }
    fs.rmSync(path.join(config.dataDir, 'server.pid'), { force: true });
    await app.close();
    await deps.database.close();
    process.exit(0);
  };
  const exitOnFailure = (err: unknown) => {
    console.error('停止时出错：', err instanceof Error ? err.message : err);
    process.exit(1);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      stop(signal).catch(exitOnFailure);
    });
}

/** The seed runs in a child process: all the memory it used goes back to the system when it exits. */
function seedInWorker() {
  return new Promise<void>((resolve, reject) => {
    // compiled (`npm start`, dist/server/main.mjs): the compiled seed worker next to it; under tsx: the TypeScript one
    const entry = process.env.WENMING_BUNDLED
      ? new URL('../dist/server/seed-worker.mjs', import.meta.url)
      : new URL('./seed/worker.ts', import.meta.url);
    const child = fork(fileURLToPath(entry), [], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (m: { log?: string; done?: boolean }) => {
      if (m.log) console.log(`  ${m.log}`);
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`演示数据生成失败（退出码 ${code}）`))));
  });
}

main().catch((e) => {
  // drizzle puts the whole statement and its parameters in the message; the cause is what helps
  const err = e instanceof Error ? ((e.cause as Error | undefined) ?? e) : e;
  console.error('启动失败：', err instanceof Error ? err.message : err);
  process.exit(1);
});
