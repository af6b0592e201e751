// `npm test`: the server suite (unit + API, on PGlite or on PostgreSQL when TEST_DATABASE_URL is set), then the
// browser tests in Debian's Chromium. Without Chromium the browser tests are skipped with a hint, except in CI
// (CI=1), where that is a failure. Prints one final line: "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(import.meta.dirname, '..');
const tmp = path.join(root, '.tmp');
fs.mkdirSync(tmp, { recursive: true });
const extra = process.argv.slice(2);

function run(label, args) {
  const out = path.join(tmp, `vitest-${label}.json`);
  fs.rmSync(out, { force: true });
  const r = spawnSync(
    'npx',
    ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra],
    { cwd: root, stdio: 'inherit' },
  );
  let passed = 0;
  let failed = 0;
  if (fs.existsSync(out)) {
    const j = JSON.parse(fs.readFileSync(out, 'utf8'));
    passed = j.numPassedTests ?? 0;
    failed =
      (j.numFailedTests ?? 0) +
      (j.numFailedTestSuites ?? 0) -
      (j.testResults ?? []).filter(
        (s) => s.status === 'failed' && s.assertionResults?.some((a) => a.status === 'failed'),
      ).length;
    if (failed < 0) failed = 0;
  }
  if (r.status !== 0 && failed === 0) failed = 1; // a crash or a failed setup counts
  return { passed, failed };
}

function chromiumPath() {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'])
    if (p && fs.existsSync(p)) return p;
  return null;
}

const total = { passed: 0, failed: 0 };
const add = (r) => {
  total.passed += r.passed;
  total.failed += r.failed;
};

const db = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : '嵌入式 PGlite';
console.log(`\n▶ 服务端测试（数据库：${db}）`);
add(run('server', []));

if (process.env.WENMING_SKIP_E2E === '1') {
  console.log('\n（已按 WENMING_SKIP_E2E=1 跳过浏览器测试）');
} else if (chromiumPath()) {
  console.log('\n▶ 浏览器端到端测试（Chromium）');
  add(run('e2e', ['--config', 'vitest.e2e.config.ts']));
} else if (process.env.CI) {
  console.log('\n✗ 找不到 Chromium，CI 中浏览器测试不能跳过。安装：apt-get install -y chromium fonts-noto-cjk');
  total.failed += 1;
} else {
  console.log('\n⚠ 未找到 Chromium，已跳过浏览器测试。安装方法：sudo apt-get install -y chromium fonts-noto-cjk');
}

console.log(`\n${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed ? 1 : 0);
