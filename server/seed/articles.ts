import { and, asc, eq, sql } from 'drizzle-orm';
import type { Deps } from '../platform/context.js';
import { articles, regions } from '../db/schema/index.js';
import { chinaDate } from '../platform/clock.js';
import { cleanArticleHtml } from '../modules/articles/sanitize.js';
import {
  approveArticle,
  createArticle,
  publishArticle,
  rejectArticle,
  submitArticle,
} from '../modules/articles/service.js';
import { createPublicity } from '../modules/articles/publicity.js';
import type { ArticleColumn, PublicityKind } from '../modules/articles/labels.js';
import { staffCallerOf, type LocalStaff } from './staff.js';
import { demoFile, demoPhoto, noticePdf } from './files.js';

type Level = 'county' | 'town' | 'village';
type Story = { column: ArticleColumn; level: Level; title: string; paragraphs: string[]; daysAgo: number };

/** What a county's columns carry in a year: news of the center, the towns' practice, the villages' customs. */
const stories: Story[] = [
  {
    column: 'news',
    level: 'county',
    daysAgo: 3,
    title: '县新时代文明实践中心召开季度工作推进会',
    paragraphs: [
      '会议通报了上一季度全县文明实践“点单、派单、接单、评单”运行情况，各乡镇实践所负责同志作交流发言。',
      '会议要求，要把群众需求摸清摸准，让志愿服务更加精准、更有温度。',
    ],
  },
  {
    column: 'policy',
    level: 'county',
    daysAgo: 12,
    title: '“理论政策宣讲进万家”百姓宣讲团走进田间地头',
    paragraphs: [
      '宣讲团成员用群众听得懂的家常话，讲政策、讲变化、讲身边事。',
      '宣讲结束后，宣讲员还现场解答了医保缴费、种粮补贴等群众关心的问题。',
    ],
  },
  {
    column: 'practice',
    level: 'town',
    daysAgo: 20,
    title: '新集镇文明实践所开展“邻里互助”志愿服务月活动',
    paragraphs: [
      '活动月期间，各村志愿服务队为独居老人打扫卫生、代购药品、维修电器。',
      '实践所将把活动中收集到的群众需求纳入服务菜单，持续跟进。',
    ],
  },
  {
    column: 'civil_customs',
    level: 'village',
    daysAgo: 35,
    title: '红白理事会修订村规民约 倡导婚事新办丧事简办',
    paragraphs: [
      '经村民代表大会讨论，新修订的村规民约对彩礼、宴席规模作出倡导性规定。',
      '红白理事会成员将上门宣传，引导群众移风易俗、崇尚节俭。',
    ],
  },
  {
    column: 'role_models',
    level: 'village',
    daysAgo: 48,
    title: '最美人物｜二十年义务照看留守儿童的“老支书”',
    paragraphs: [
      '退休后，他把自家堂屋改成了“四点半课堂”，放学后的孩子们在这里写作业、读绘本。',
      '二十年来，先后有三百多名孩子在这里得到照看。',
    ],
  },
  {
    column: 'volunteer_activities',
    level: 'town',
    daysAgo: 60,
    title: '“夏送清凉”志愿服务队走访慰问一线工作者',
    paragraphs: ['志愿者为环卫工人、建筑工人送去绿豆汤、防暑药品和毛巾，并讲解防暑降温知识。'],
  },
  {
    column: 'service_stations',
    level: 'village',
    daysAgo: 75,
    title: '村文明实践站新增“健康小屋” 群众在家门口测血压',
    paragraphs: [
      '健康小屋配备了血压计、血糖仪和体重秤，每周二、周五由乡村医生坐诊。',
      '志愿者还为行动不便的老人提供上门测量服务。',
    ],
  },
  {
    column: 'brands',
    level: 'county',
    daysAgo: 96,
    title: '“红色课堂”活动品牌入选全市文明实践优秀项目',
    paragraphs: ['“红色课堂”依托本地红色资源，组织党员、青少年开展现场教学，已累计开展活动一百余场。'],
  },
  {
    column: 'organizations',
    level: 'town',
    daysAgo: 130,
    title: '新集镇巾帼志愿服务队：把服务送到群众心坎上',
    paragraphs: [
      '服务队现有队员四十余名，常年开展家庭教育、矛盾调解、关爱留守妇女儿童等服务。',
      '队员们说：“群众的事再小也是大事。”',
    ],
  },
  {
    column: 'news',
    level: 'village',
    daysAgo: 150,
    title: '院坝会上话发展 群众议事有了“新平台”',
    paragraphs: ['村里定期召开院坝会，村干部、党员和群众围坐一起，商量修路、改水等公共事务。'],
  },
];

/** Three more in the review pipeline, so the review queue and 已退回 have something in them. */
const pending: (Story & { state: 'submitted' | 'approved' | 'rejected' })[] = [
  {
    column: 'practice',
    level: 'village',
    daysAgo: 1,
    state: 'submitted',
    title: '“板凳课堂”开进村头 乡亲们学习防范电信诈骗',
    paragraphs: ['民警志愿者结合真实案例，教大家识别冒充客服、刷单返利等常见骗局。'],
  },
  {
    column: 'news',
    level: 'town',
    daysAgo: 2,
    state: 'approved',
    title: '新集镇召开文明实践志愿服务队长培训会',
    paragraphs: ['培训围绕活动策划、安全保障、服务记录等内容展开，八十余名队长参加。'],
  },
  {
    column: 'civil_customs',
    level: 'village',
    daysAgo: 4,
    state: 'rejected',
    title: '我村开展“好媳妇好婆婆”评选',
    paragraphs: ['评选活动正在进行中。'],
  },
];

/** Offline publicity of the year: the source documents count 120 posters and 6,000 leaflets. */
const publicity: {
  kind: PublicityKind;
  level: 'town' | 'village';
  title: string;
  quantity: number;
  daysAgo: number;
}[] = [
  { kind: 'poster', level: 'town', title: '社会主义核心价值观公益广告', quantity: 60, daysAgo: 40 },
  { kind: 'poster', level: 'village', title: '移风易俗宣传画', quantity: 60, daysAgo: 90 },
  { kind: 'leaflet', level: 'town', title: '防范电信网络诈骗明白纸', quantity: 3500, daysAgo: 25 },
  { kind: 'leaflet', level: 'village', title: '文明积分兑换指南', quantity: 2500, daysAgo: 70 },
  { kind: 'broadcast', level: 'village', title: '“村村响”大喇叭政策宣讲', quantity: 24, daysAgo: 15 },
  { kind: 'banner', level: 'town', title: '“文明实践 你我同行”横幅', quantity: 12, daysAgo: 110 },
];

/** The cover colours of the first published stories. */
const covers: [number, number, number][] = [
  [196, 60, 50],
  [200, 140, 60],
  [80, 140, 110],
  [70, 110, 170],
];

/** The attachment of the county's meeting story. */
const workPlan = [
  '一、深化“点单、派单、接单、评单”服务机制，群众点单 2 小时内派单，3 日内办结，评单满意率不低于 95%。',
  '二、开展“我们的节日·春节”主题活动，各实践所至少组织 2 场，各实践站至少组织 1 场。',
  '三、推进“一中心一张网十联户”网格走访，联户长每月走访所联系户不少于 1 次，发现需求及时转为心愿或点单。',
  '四、做好志愿服务时长认定和“文明积分”兑换，积分超市每月开放不少于 2 次。',
  '五、各实践所于每月 5 日前报送上月工作台账，县中心按季度通报。',
];

const html = (paragraphs: string[]) => cleanArticleHtml(paragraphs.map((p) => `<p>${p}</p>`).join(''));
/** A working-hours moment (China time 09:00–17:00) `daysAgo` days before now, plus `hours`. */
const daytime = (now: Date, daysAgo: number, hours = 0, salt = 0) => {
  const day = new Date(now.getTime() - daysAgo * 86400_000);
  const at = new Date(`${chinaDate(day)}T09:00:00+08:00`);
  return new Date(at.getTime() + ((salt * 37) % 240) * 60_000 + hours * 3600_000);
};

/**
 * The demo county's articles and offline publicity, made through the content services by the staff whose scope
 * holds them: a village's station writes and its town's institute reviews; a town's institute writes and the
 * county center reviews; the center writes and reviews its own.
 */
export async function seedArticles(deps: Deps, countyCode: string, staff: LocalStaff, log: (s: string) => void) {
  const db = deps.database.db;
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(articles)
    .where(eq(articles.countyCode, countyCode));
  if (n > 0) return;
  // the demo accounts' town (新集镇, code …100, API.md) where there is one, else the first town
  const towns = await db
    .select({ code: regions.code })
    .from(regions)
    .where(and(eq(regions.countyCode, countyCode), eq(regions.level, 'town')))
    .orderBy(asc(regions.code));
  const firstTown = (towns.find((t) => t.code === `${countyCode}100`) ?? towns[0]).code;
  const firstVillage = (
    await db
      .select({ code: regions.code })
      .from(regions)
      .where(and(eq(regions.parentCode, firstTown), eq(regions.level, 'village')))
      .orderBy(asc(regions.code))
      .limit(1)
  )[0].code;
  const place = { county: countyCode, town: firstTown, village: firstVillage };
  const now = deps.clock.now();
  const caller = (code: string) => staffCallerOf(db, countyCode, staff.of(code));
  // a village's articles are reviewed by its town's institute, a town's and the county's by the center
  const reviewer = (code: string) =>
    staffCallerOf(db, countyCode, code === firstVillage ? staff.above(code) : staff.of(countyCode));

  let published = 0;
  for (const [i, s] of [...stories, ...pending].entries()) {
    const code = place[s.level];
    const author = await caller(code);
    const boss = await reviewer(code);
    const clean = html(s.paragraphs);
    const created = daytime(now, s.daysAgo + 1, 0, i);
    // the first published stories have a cover photo; the county's meeting its work plan as an attachment
    const upload = { countyCode, ownerId: author.userId, at: created.getTime() - 10 * 60_000 };
    const coverFileId =
      i < covers.length ? await demoPhoto(deps, { ...upload, name: '封面', colour: covers[i] }) : undefined;
    const attachmentIds =
      i === 0
        ? [
            await demoFile(deps, {
              ...upload,
              purpose: 'attachment',
              mime: 'application/pdf',
              ext: 'pdf',
              name: '第四季度文明实践重点工作安排',
              body: await noticePdf('第四季度文明实践重点工作安排', workPlan),
            }),
          ]
        : undefined;
    const a = await createArticle(db, author, created, {
      column: s.column,
      title: s.title,
      body: clean.html,
      imageIds: clean.imageIds,
      regionCode: code,
      coverFileId,
      attachmentIds,
    });
    await submitArticle(db, author, new Date(created.getTime() + 3600_000), a.id);
    const state = 'state' in s ? s.state : 'published';
    if (state === 'submitted') continue;
    const reviewedAt = daytime(now, s.daysAgo, 0, i + 1);
    if (state === 'rejected') {
      await rejectArticle(db, boss, reviewedAt, a.id, '内容过于简单，请补充评选办法、时间安排和现场照片后再提交');
      continue;
    }
    await approveArticle(db, boss, reviewedAt, a.id);
    if (state === 'approved') continue;
    await publishArticle(db, boss, new Date(reviewedAt.getTime() + 1800_000), a.id);
    published++;
  }
  for (const [i, p] of publicity.entries()) {
    const code = place[p.level];
    const at = daytime(now, p.daysAgo, 0, i);
    const who = await caller(code);
    // a photo of the posters up, the leaflets handed out, the banner hung
    const photo = await demoPhoto(deps, {
      countyCode,
      ownerId: who.userId,
      at: at.getTime() - 30 * 60_000,
      name: p.title,
      colour: covers[i % covers.length],
    });
    await createPublicity(db, who, at, {
      kind: p.kind,
      title: p.title,
      quantity: p.quantity,
      day: chinaDate(at),
      regionCode: code,
      photoIds: [photo],
    });
  }
  log(`宣传文章：${published} 篇已发布，${pending.length} 篇在审；线下宣传 ${publicity.length} 次`);
}
