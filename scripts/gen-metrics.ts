/**
 * Writes docs/METRICS.md from the figure definitions (server/modules/stats/definitions.ts): the one text of each
 * figure, as the API answers it and the admin shows it. `--check` fails when the file is out of date.
 */
import fs from 'node:fs';
import { metricsMarkdown } from '../server/modules/stats/metrics-doc.js';

const target = new URL('../docs/METRICS.md', import.meta.url);
const text = metricsMarkdown();
if (process.argv.includes('--check')) {
  const cur = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (cur !== text) {
    console.error('docs/METRICS.md 与指标定义不一致，请运行 npm run gen:metrics');
    process.exit(1);
  }
  console.log('docs/METRICS.md 与指标定义一致');
} else {
  fs.writeFileSync(target, text);
  console.log('已生成 docs/METRICS.md');
}
