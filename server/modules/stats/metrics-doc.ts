import { figureDefinitions } from './definitions.js';

/** docs/METRICS.md, written from the figure definitions by `npm run gen:metrics` (a test keeps the file in step). */
const how: Record<string, string> = {
  period: '统计期内各日之和',
  toDate: '截至统计期末的累计',
  rate: '比率（%，保留 1 位小数）',
  subjects: '去重计数',
  sites: '统计期末的阵地台账',
  neverServed: '截至统计期末的队伍台账',
  none: '—',
};

export function metricsMarkdown() {
  const rows = figureDefinitions.map((f) => {
    const definition = f.definition.replace('{threshold}', '{门槛}');
    return `| \`${f.key}\` | ${f.label} | ${f.unit} | ${definition} | ${how[f.source.kind]} |`;
  });
  return `# 统计指标口径（METRICS）

本文件由 \`npm run gen:metrics\` 根据 \`server/modules/stats/definitions.ts\` 生成，与接口返回的 \`definition\`、
管理端指标提示一致；请修改定义文件后重新生成，不要手改。

- 统计期按中国时间（UTC+8）的自然日计算，\`from\`、\`to\` 均含当日；最长 10 年，不早于 2000-01-01。
- 区域：所选区划及其全部下级。按下级分组（\`by=town|village\`）时，另列“本级”（记在所选区划本身的数据），
  各下级与本级相加等于上级；去重计数（活跃志愿者、活跃队伍）与比率除外：去重计数在上级只计一次，比率由分子、分母重新计算。
- 数据来源：每张业务表用一个 SQL 函数（\`stat_contrib_<表名>\`）说明一行记录对各指标的贡献；写入时触发器把贡献的变化记入
  \`stat_deltas\`，读取前（以及每 5 秒的后台任务）汇入按日、月、年和各级区划汇总的 \`stat_rollups\`、\`stat_subjects\`。
  响应中的 \`asOf\` 表示该时刻之前的全部写入均已计入。\`npm run cli -- stats-verify\` 用同一组函数由原始记录重算并比对。
- 明细（\`GET /api/v1/stats/rows\`）用同一组函数选出记录：计数类指标的行数、求和类指标各行数值之和等于指标；
  比率类指标列出其分母记录。
- {门槛} 为县级设置“活跃志愿者时长门槛”（\`stats.activeVolunteerHours\`，默认 5 小时）。

| 指标键 | 名称 | 单位 | 口径 | 计算方式 |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
}
