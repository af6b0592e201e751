import type { ListCache } from '../../platform/lists.js';
import { validFromOf } from '../sites/service.js';
import { and, eq, sql } from 'drizzle-orm';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import type { DbOrTx } from '../../db/client.js';
import { invalid } from '../../platform/errors.js';
import { chinaDate } from '../../platform/clock.js';
import { escapeLike, type Scope } from '../../platform/scope.js';
import { activityTypes, reportNotes } from '../../db/schema/index.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { activityTypeNames } from './definitions.js';
import { lowerLevel, overview, statsRegion, type Figure } from './service.js';
import { statsRows } from './rows.js';

/**
 * 年度工作报告: the source documents' structure (阵地建设, 队伍建设, 活动开展, 宣传, 积分激励, 存在问题, 下步打算),
 * every figure taken from the overview of the region and year (so equal to it), the problems found in the data with
 * their numbers and names, and 下步打算 left for people to write.
 */
export type ReportSection = {
  title: string;
  paragraphs: string[];
  /** A part that people write (下步打算): its text is theirs, kept per region and year; `written` once they have. */
  toWrite?: boolean;
  written?: boolean;
};
export type AnnualReport = {
  regionCode: string;
  regionName: string;
  year: number;
  from: string;
  to: string;
  title: string;
  sections: ReportSection[];
  figures: Figure[];
};

const LIST_MAX = 20;
const TO_WRITE = '【待填写】请结合本地实际，写明下一年度的工作目标、重点任务和保障措施。';

export async function annualReport(
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  now: Date,
  q: { regionCode?: string; year: number },
  cache?: ListCache,
): Promise<AnnualReport> {
  const region = await statsRegion(db, scope, countyCode, q.regionCode);
  const today = chinaDate(now);
  const thisYear = Number(today.slice(0, 4));
  if (q.year > thisYear) throw invalid('year', '年度不能晚于今年');
  if (q.year < 2000) throw invalid('year', '年度不能早于 2000 年');
  const from = `${q.year}-01-01`;
  const to = q.year === thisYear ? today : `${q.year}-12-31`;
  const by = lowerLevel(region);
  const o = await overview(db, scope, countyCode, now, { regionCode: region.code, from, to, by }, cache);
  const v = (key: string) => o.figures.find((f) => f.key === key)!.value;
  const n = (key: string) => fmt(v(key));
  const lower = region.level === 'county' ? '乡镇' : '村（社区）';

  const sections: ReportSection[] = [];
  sections.push({
    title: '一、阵地建设',
    paragraphs: [
      `截至${cn(to)}，${region.name}建成新时代文明实践所 ${n('sites.institutes')} 个、实践站 ${n('sites.stations')} 个，` +
        `其中经检查达标的实践站 ${n('sites.compliantStations')} 个；建有达标实践站的村（社区）占 ${n('coverage.rate')}%。`,
    ],
  });
  sections.push({
    title: '二、队伍建设',
    paragraphs: [
      `全年新注册志愿者 ${n('volunteers.newlyRegistered')} 人，` +
        `截至${to.endsWith('-12-31') ? '年底' : cn(to)}注册志愿者 ${n('volunteers.registered')} 人，` +
        `其中实名认证 ${n('volunteers.verified')} 人；服务时长超过活跃门槛的活跃志愿者 ${n('volunteers.active')} 人。` +
        `组建志愿服务队伍 ${n('teams.total')} 支，全年开展过服务的活跃队伍 ${n('teams.active')} 支。`,
    ],
  });
  const byType = activityTypes
    .map((t) => ({ name: activityTypeNames[t], value: v(`activities.${t}`) }))
    .filter((x) => x.value > 0)
    .map((x) => `${x.name} ${fmt(x.value)} 场`);
  sections.push({
    title: '三、活动开展',
    paragraphs: [
      `全年开展新时代文明实践活动 ${n('activities.total')} 场` +
        (byType.length ? `（${byType.join('、')}）` : '') +
        `，参与 ${n('activities.participants')} 人次，受益群众 ${n('activities.beneficiaries')} 人次，` +
        `记入志愿服务时长 ${n('hours.total')} 小时。`,
      `群众点单 ${n('orders.submitted')} 单，派单率 ${n('orders.dispatchRate')}%，完成服务 ${n('orders.completed')} 单，` +
        `群众满意率 ${n('orders.satisfaction')}%。收集微心愿 ${n('wishes.collected')} 个，实现 ${n('wishes.fulfilled')} 个。`,
    ],
  });
  sections.push({
    title: '四、宣传工作',
    paragraphs: [
      `全年在宣传栏目发布文章 ${n('articles.published')} 篇；线下张贴宣传海报 ${n('publicity.posters')} 张、` +
        `悬挂横幅标语 ${n('publicity.banners')} 条，发放宣传单 ${n('publicity.leaflets')} 份，` +
        `开展广播宣传 ${n('publicity.broadcasts')} 次。`,
    ],
  });
  sections.push({
    title: '五、积分激励',
    paragraphs: [
      `全年发放文明积分 ${n('points.issued')} 分，群众在积分超市兑换使用 ${n('points.redeemed')} 分；` +
        `评选发布好人好事、文明家庭等荣誉 ${n('honors.published')} 项。`,
    ],
  });

  // 存在问题: found in the data, each with its numbers and names
  const problems: string[] = [];
  const page = { page: 1, pageSize: LIST_MAX, regionCode: region.code, from, to };
  const never = await statsRows(db, scope, countyCode, now, { ...page, key: 'teams.neverServed' }, cache);
  if (never.total)
    problems.push(
      `有 ${fmt(never.total)} 支志愿服务队伍组建以来从未开展活动或完成点单服务：${names(
        never.items.map((i) => i.title),
        never.total,
      )}。`,
    );
  const below = v('sites.stations') - v('sites.compliantStations');
  if (below > 0) {
    const list = await belowStandard(db, region.path, to, countyCode);
    problems.push(`有 ${fmt(below)} 个实践站未达标或检查已过有效期：${names(list, below)}。`);
  }
  if (o.regions?.length) {
    const children = o.regions.filter((r) => !r.own);
    const acts = children.map((r) => r.figures.find((f) => f.key === 'activities.total')!.value);
    const avg = acts.reduce((a, b) => a + b, 0) / Math.max(1, acts.length);
    const low = children.filter((_, i) => acts[i] < avg / 2);
    if (low.length)
      problems.push(
        `${lower}之间活动开展不均衡，全年平均每个${lower}开展活动 ${fmt(Math.round(avg * 10) / 10)} 场，` +
          `以下 ${low.length} 个不足平均数的一半：` +
          names(
            low.map((r) => `${r.name}（${fmt(r.figures.find((f) => f.key === 'activities.total')!.value)} 场）`),
            low.length,
          ) +
          '。',
      );
  }
  const like = escapeLike(region.path) + '%';
  const { rows: overdue } = await db.execute(sql`
    select count(*)::int as n from orders
    where region_path like ${like} and overdue and state in ('submitted', 'dispatched', 'accepted', 'in_service')`);
  const od = (overdue[0] as { n: number }).n;
  if (od) problems.push(`目前有 ${fmt(od)} 单群众点单超过办理时限仍未完成。`);
  const { rows: open } = await db.execute(sql`
    select count(*)::int as n from wishes
    where region_path like ${like} and state in ('verified', 'published', 'claimed')
      and created_at <= ${`${to}T23:59:59.999+08:00`}::timestamptz`);
  const ow = (open[0] as { n: number }).n;
  if (ow) problems.push(`有 ${fmt(ow)} 个微心愿已收集但尚未实现。`);
  if (v('orders.submitted') > 0 && v('orders.dispatchRate') < 90)
    problems.push(`群众点单派单率为 ${n('orders.dispatchRate')}%，部分点单未能及时派出。`);
  sections.push({
    title: '六、存在问题',
    paragraphs: problems.length
      ? problems.map((p, i) => `${'一二三四五六七八九十'[i] ?? i + 1}是${p}`)
      : ['从数据看未发现突出问题（队伍、阵地、活动均衡性、点单时限、微心愿均无异常）。'],
  });
  const [notes] = await db
    .select()
    .from(reportNotes)
    .where(and(eq(reportNotes.regionCode, region.code), eq(reportNotes.year, q.year)));
  const plans = (notes?.plans ?? '')
    .split(/\n+/)
    .map((p) => p.trim())
    .filter(Boolean);
  sections.push({
    title: '七、下步打算',
    paragraphs: plans.length ? plans : [TO_WRITE],
    toWrite: true,
    written: plans.length > 0,
  });

  return {
    regionCode: region.code,
    regionName: region.name,
    year: q.year,
    from,
    to,
    title: `${region.name}${q.year}年度新时代文明实践工作报告`,
    sections,
    figures: o.figures,
  };
}

/** Keeps the text people wrote for a report (下步打算), one paragraph per line; empty text removes it. */
export async function saveReportNotes(
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  actor: Actor,
  now: Date,
  input: { regionCode?: string; year: number; plans: string },
) {
  const region = await statsRegion(db, scope, countyCode, input.regionCode);
  const plans = input.plans.trim();
  await db.transaction(async (tx) => {
    if (!plans)
      await tx
        .delete(reportNotes)
        .where(and(eq(reportNotes.regionCode, region.code), eq(reportNotes.year, input.year)));
    else
      await tx
        .insert(reportNotes)
        .values({
          countyCode: region.countyCode,
          regionCode: region.code,
          year: input.year,
          plans,
          updatedBy: actor.userId!,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [reportNotes.regionCode, reportNotes.year],
          set: { plans, updatedBy: actor.userId!, updatedAt: now },
        });
    await writeAudit(tx, actor, {
      action: 'report.notes',
      entity: 'report',
      entityId: `${region.code}:${input.year}`,
      detail: { regionCode: region.code, year: input.year, length: plans.length },
    });
  });
  return region.code;
}

/**
 * The stations counted in `sites.stations` but not in `sites.compliantStations` (the same definitions: the latest
 * inspection by the end of the period, within the county's validity window, found it compliant).
 */
async function belowStandard(db: DbOrTx, path: string, to: string, countyCode: string) {
  const end = `${to}T23:59:59.999+08:00`;
  const validFrom = (await validFromOf(db, countyCode, new Date(end))).toISOString();
  const { rows } = await db.execute(sql`
    select s.name from sites s
    where s.county_code = ${countyCode} and s.region_path like ${escapeLike(path) + '%'} and s.kind = 'station'
      and s.created_at <= ${end}::timestamptz
      and not coalesce((select i.compliant from inspections i where i.site_id = s.id
        and i.inspected_at <= ${end}::timestamptz and i.inspected_at >= ${validFrom}::timestamptz
        order by i.inspected_at desc limit 1), false)
    order by s.region_code limit ${LIST_MAX}`);
  return (rows as { name: string }[]).map((r) => r.name);
}

const fmt = (x: number) => x.toLocaleString('zh-CN', { maximumFractionDigits: 2 });
const cn = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
const names = (list: string[], total: number) => list.join('、') + (total > list.length ? ` 等 ${fmt(total)} 个` : '');

export function reportMarkdown(r: AnnualReport) {
  const out = [
    `# ${r.title}`,
    '',
    `统计期：${cn(r.from)}至${cn(r.to)}。本报告中的数字均取自平台统计（口径见各指标定义）。`,
    '',
  ];
  for (const s of r.sections) out.push(`## ${s.title}`, '', ...s.paragraphs.flatMap((p) => [p, '']));
  return out.join('\n');
}

/** The report as a Word file (Chinese fonts named for Word and LibreOffice). */
export async function reportDocx(r: AnnualReport): Promise<Buffer> {
  const font = { ascii: 'SimSun', eastAsia: '宋体', hAnsi: 'SimSun' };
  const heading = { ascii: 'SimHei', eastAsia: '黑体', hAnsi: 'SimHei' };
  const doc = new Document({
    creator: '文明实践云',
    title: r.title,
    styles: { default: { document: { run: { font, size: 28 } } } },
    sections: [
      {
        children: [
          new Paragraph({
            alignment: AlignmentType.CENTER,
            heading: HeadingLevel.TITLE,
            children: [
              new TextRun({
                text: r.title,
                font: { ascii: 'SimHei', eastAsia: '方正小标宋简体' },
                size: 40,
                bold: true,
              }),
            ],
          }),
          new Paragraph({ children: [new TextRun({ text: `统计期：${cn(r.from)}至${cn(r.to)}`, font, size: 24 })] }),
          ...r.sections.flatMap((s) => [
            new Paragraph({
              heading: HeadingLevel.HEADING_1,
              children: [new TextRun({ text: s.title, font: heading, size: 32, bold: true })],
            }),
            ...s.paragraphs.map(
              (p) =>
                new Paragraph({
                  indent: { firstLine: 560 },
                  spacing: { line: 560 },
                  children: [new TextRun({ text: p, font, size: 32, highlight: s.toWrite ? 'yellow' : undefined })],
                }),
            ),
          ]),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
