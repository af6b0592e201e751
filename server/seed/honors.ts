import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../platform/context.js';
import { consents, honors, households, regions, roleAssignments, users, workflowEvents } from '../db/schema/index.js';
import { writeAudit, type Actor } from '../platform/audit.js';
import { chinaYear, HONOR_CONSENT, type HonorKind, type HonorState } from '../modules/honors/service.js';
import { demoName } from './demo.js';
import { byDay, rng } from './random.js';

const DAY = 86400_000;

/** Stories as villages write them up: {n} the person (or the head of the family), {p} the village. */
const stories: { kind: HonorKind; text: string }[] = [
  // 身边好人: 孝老爱亲、见义勇为、助人为乐、诚实守信、敬业奉献
  {
    kind: 'good_person',
    text: '{n}的丈夫常年在外务工，她一人照顾患阿尔茨海默病的婆婆和两个孩子，十二年来端水喂饭、擦身翻身从不间断。婆婆逢人便说“这个儿媳比亲闺女还亲”。',
  },
  {
    kind: 'good_person',
    text: '去年7月暴雨，{n}发现有两名儿童在{p}河边被急流困住，他不顾自身安危跳入水中，先后将两人托上岸边。事后家长登门道谢，他只说“换谁都会这么做”。',
  },
  {
    kind: 'good_person',
    text: '{n}开了二十多年小卖部，一直坚持明码标价、足秤足量。一次顾客多付了 500 元货款，他挨家打听找了三天，把钱如数送还。',
  },
  {
    kind: 'good_person',
    text: '{n}是{p}的乡村医生，三十年来随叫随到，夜里出诊是常事。对行动不便的老人他定期上门量血压、送药，村民都说“有他在，心里踏实”。',
  },
  {
    kind: 'good_person',
    text: '{n}退休后义务担任{p}的“红白理事会”会长，带头推行婚事新办、丧事简办，三年来为村民节省开支二十余万元。',
  },
  {
    kind: 'good_person',
    text: '{n}的邻居是一位独居的五保老人，他十年如一日帮老人挑水劈柴、代购药品，逢年过节把老人接到家里一起吃团圆饭。',
  },
  {
    kind: 'good_person',
    text: '{n}在镇上开修车铺，常年为环卫工人、残疾人免费修车补胎。他在铺子门口放了打气筒和工具箱，写着“需要就用，不用客气”。',
  },
  {
    kind: 'good_person',
    text: '{n}是一名返乡创业青年，带动{p}三十多户村民种植茶叶和油茶，还自掏腰包请技术员上门培训，让乡亲们在家门口增收。',
  },
  {
    kind: 'good_person',
    text: '{n}在路边捡到一个装有现金、银行卡和身份证的钱包，在原地等候两个多小时未见失主，随即送到派出所，帮失主找回了看病的救命钱。',
  },
  {
    kind: 'good_person',
    text: '{n}是{p}的村级网格员，每天走访包保的 42 户群众，帮独居老人代办医保、帮困难家庭申请救助，手机号贴在每户门上，群众有事一个电话就到。',
  },
  // 道德模范
  {
    kind: 'moral_model',
    text: '{n}的儿子因病去世后，她独自偿还了儿子生前治病欠下的十几万元债务，每笔都有账可查，她说“人走了，账不能烂”。',
  },
  {
    kind: 'moral_model',
    text: '{n}在{p}小学任教三十八年，始终坚守在山区教学一线，资助过的困难学生有二十多名，其中不少已考上大学回到家乡工作。',
  },
  {
    kind: 'moral_model',
    text: '{n}深夜途经{p}时发现一户民房起火，他一边拨打 119，一边冲进屋内背出两位被困老人，自己手臂被严重烧伤。',
  },
  {
    kind: 'moral_model',
    text: '{n}收养了三名因父母离世无人照料的孩子，靠种地和打零工供他们读书成人。如今孩子们都已成家，逢年过节都回来看望“妈妈”。',
  },
  {
    kind: 'moral_model',
    text: '{n}担任村支书二十年，带领{p}修路、通水、建产业园，村集体经济从“空壳”到年收入五十余万元，自己却从未多拿一分。',
  },
  {
    kind: 'moral_model',
    text: '{n}是县人民医院的护士长，疫情期间主动请缨到隔离点工作 60 多天，平时常利用休息日到村里为老人义诊、讲解健康知识。',
  },
  // 善行义举
  { kind: 'good_deed', text: '{n}连续八年在春节前为{p}七十岁以上老人送米送油，累计捐款捐物价值三万余元。' },
  {
    kind: 'good_deed',
    text: '{n}献血二十年，累计无偿献血一万余毫升，还登记成为造血干细胞捐献志愿者，并动员身边二十多人加入献血队伍。',
  },
  {
    kind: 'good_deed',
    text: '得知同村一名学生考上大学却凑不齐学费，{n}悄悄送去一万元，并叮嘱家人不要声张，直到学生毕业后写信感谢才为人所知。',
  },
  {
    kind: 'good_deed',
    text: '{n}自费购置垃圾夹和垃圾袋，每天清晨沿{p}到镇上的公路捡拾垃圾，五年来风雨无阻，带动不少村民一起参与。',
  },
  {
    kind: 'good_deed',
    text: '{n}在自家院里办起“四点半课堂”，义务辅导村里留守儿童写作业、读绘本，寒暑假还组织孩子们学书法、练手工。',
  },
  {
    kind: 'good_deed',
    text: '{n}是一名出租车司机，坚持为高考考生、老人和残疾人免费送站，遇到乘客遗失物品总是第一时间联系归还。',
  },
  {
    kind: 'good_deed',
    text: '{n}利用农闲时间为{p}困难群众免费理发，十年来理发上万人次，行动不便的老人他就背着工具上门服务。',
  },
  {
    kind: 'good_deed',
    text: '{n}捐出自家两亩地修建{p}文化广场，还出资购买健身器材，让村民有了跳广场舞、健身锻炼的好去处。',
  },
  // 最美家庭
  {
    kind: 'beautiful_family',
    text: '{n}一家四代同堂、和睦相处，老人生病时子女轮流陪护，家里定下“每周一次家庭会、有事大家一起商量”的家规，被邻里称为“和美之家”。',
  },
  {
    kind: 'beautiful_family',
    text: '{n}家是有名的“志愿者之家”，夫妻俩带着儿女常年参加环境整治、敬老助残志愿服务，一家人累计服务时长超过两千小时。',
  },
  {
    kind: 'beautiful_family',
    text: '{n}夫妇结婚四十多年相濡以沫，丈夫中风瘫痪后妻子悉心照料八年，儿女孝顺懂事，家风家教在{p}有口皆碑。',
  },
  {
    kind: 'beautiful_family',
    text: '{n}家崇尚读书，家中藏书两千余册，还把书房开放给村里孩子借阅，三个子女都考上了大学，两人毕业后回乡当了教师。',
  },
  {
    kind: 'beautiful_family',
    text: '{n}一家把孤寡老人王奶奶当成亲人照顾了十五年，老人去世时拉着他们的手说“这辈子遇到你们是福气”。',
  },
  {
    kind: 'beautiful_family',
    text: '{n}家开办家庭农场，富了不忘乡亲，优先吸纳{p}的留守妇女和残疾人务工，每年帮带十多户困难家庭增收。',
  },
  // 文明家庭
  {
    kind: 'civilized_family',
    text: '{n}家带头移风易俗，儿子结婚不要彩礼、不摆大席，省下的钱捐给村里修了路灯，为{p}树立了新风尚。',
  },
  {
    kind: 'civilized_family',
    text: '{n}家庭院干净整洁，垃圾分类做得好，房前屋后种花种菜，连续三年被评为“美丽庭院”示范户。',
  },
  {
    kind: 'civilized_family',
    text: '{n}家邻里关系和睦，谁家有难处都主动帮一把；家里定下“不说脏话、不比排场、不信谣传谣”的家规，全家人自觉遵守。',
  },
  {
    kind: 'civilized_family',
    text: '{n}家积极参与文明实践活动，老伴是村里广场舞队的领队，孙女是“小小宣讲员”，一家人都是新时代文明实践站的常客。',
  },
  {
    kind: 'civilized_family',
    text: '{n}家厚养薄葬，老人在世时尽心赡养，去世后一切从简，不放鞭炮、不搞大操大办，被{p}作为移风易俗的典型宣传。',
  },
  {
    kind: 'civilized_family',
    text: '{n}家尊老爱幼、勤俭持家，家庭成员无违法违纪行为，每年都积极参加义务植树和“我们的节日”主题活动。',
  },
  // 平安家庭
  {
    kind: 'safe_family',
    text: '{n}家注重家庭安全教育，经常给孩子讲防溺水、防诈骗知识；{n}本人是村里的义务消防员，多次参与扑救山火。',
  },
  {
    kind: 'safe_family',
    text: '{n}是{p}的人民调解员，家人全力支持他的工作，家里常常成了“调解室”，十年来调解邻里纠纷一百多起，无一起矛盾激化。',
  },
  {
    kind: 'safe_family',
    text: '{n}家遵纪守法、家庭和睦，从未发生家庭矛盾纠纷；他带头加入“十联户”平安守望队，夜间巡逻、防盗防火。',
  },
  {
    kind: 'safe_family',
    text: '{n}家积极参与反诈宣传，儿子在派出所工作，全家人利用赶集日向群众发放反诈传单，帮助多名老人识破了“保健品”骗局。',
  },
  {
    kind: 'safe_family',
    text: '{n}家严格遵守交通规则，骑电动车必戴头盔，还劝导邻居不酒驾、不超载，家里连续多年无安全事故。',
  },
  {
    kind: 'safe_family',
    text: '{n}家住在水库边，他主动担任护水员，每天巡查岸边，竖警示牌、劝离野泳人员，多年来守住了一方平安。',
  },
];
const isFamily = (k: HonorKind) => k === 'beautiful_family' || k === 'civilized_family' || k === 'safe_family';

type Plan = {
  state: HonorState;
  consent: boolean;
  lastYear: boolean;
  objected?: boolean;
  withdrawn?: boolean;
  rejectReason?: string;
  revokeReason?: string;
};
/**
 * 42 stories, mostly published with consent; a few under notice or waiting, one objected to, some rejected or
 * revoked, some never public.
 */
function plans(n: number): Plan[] {
  const special: Plan[] = [
    { state: 'notice', consent: true, lastYear: false },
    { state: 'notice', consent: true, lastYear: false },
    { state: 'notice', consent: false, lastYear: false },
    { state: 'nominated', consent: true, lastYear: false, objected: true },
    { state: 'nominated', consent: true, lastYear: false },
    { state: 'nominated', consent: false, lastYear: false },
    {
      state: 'rejected',
      consent: true,
      lastYear: false,
      rejectReason: '推荐材料缺少具体事迹和时间地点，经走访也未能核实，请补充后重新推荐',
    },
    {
      state: 'rejected',
      consent: false,
      lastYear: true,
      rejectReason: '所述事迹为村集体组织的活动，不宜作为个人善行义举推荐',
    },
    {
      state: 'revoked',
      consent: true,
      lastYear: true,
      revokeReason: '本人因酒后驾驶被依法处理，经评审小组研究，不再符合荣誉条件，予以撤销',
    },
    {
      state: 'revoked',
      consent: true,
      lastYear: false,
      revokeReason: '经群众反映并核实，事迹材料中“带头调解纠纷”一节与事实不符，予以撤销',
    },
    { state: 'published', consent: false, lastYear: true, withdrawn: true },
  ];
  const out: Plan[] = [];
  for (let i = 0; i < n; i++) out.push(special[i] ?? { state: 'published', consent: true, lastYear: i % 2 === 0 });
  return out;
}

/** Honour boards for this year and last: ~40 entries over every kind and town, with their timelines and consents. */
export async function seedHonors(deps: Deps, countyCode: string, actor: Actor, log: (s: string) => void) {
  const db = deps.database.db;
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(honors)
    .where(eq(honors.countyCode, countyCode));
  if (n > 0) return;
  const r = rng(Number(countyCode) + 6);
  const now = deps.clock.now();
  const year = chinaYear(now);
  const all = await db.select().from(regions).where(eq(regions.countyCode, countyCode)).orderBy(asc(regions.code));
  const towns = all.filter((x) => x.level === 'town');
  const villages = all.filter((x) => x.level === 'village');
  if (!villages.length) return;
  const staff = await db
    .select({ id: users.id, name: users.name, role: roleAssignments.roleCode, regionCode: roleAssignments.regionCode })
    .from(users)
    .innerJoin(roleAssignments, eq(roleAssignments.userId, users.id))
    .where(
      and(
        eq(users.countyCode, countyCode),
        inArray(roleAssignments.roleCode, ['county_admin', 'institute_admin', 'resident']),
      ),
    );
  const countyAdmin = staff.find((s) => s.role === 'county_admin');
  const reviewerOf = (townCode: string) =>
    staff.find((s) => s.role === 'institute_admin' && s.regionCode === townCode) ?? countyAdmin;
  const residents = staff.filter((s) => s.role === 'resident');
  const hh = await db
    .select({ id: households.id, regionCode: households.regionCode, headName: households.headName })
    .from(households)
    .where(eq(households.countyCode, countyCode));
  const noticeDays = 5;

  // the two demo towns first, so their admins have honours to review; then every town in turn
  const xinji = towns.find((t) => t.code === `${countyCode}100`) ?? towns[0];
  const shawo = towns.find((t) => t.code === `${countyCode}101`) ?? towns[1] ?? towns[0];
  const townOrder = [xinji, shawo, ...towns.filter((t) => t !== xinji && t !== shawo)];
  const villagesOf = (townCode: string) => villages.filter((v) => v.parentCode === townCode);

  type Ev = typeof workflowEvents.$inferInsert;
  const rows: (typeof honors.$inferInsert)[] = [];
  const evs: Omit<Ev, 'entityId'>[][] = [];
  const grants: ('self' | 'staff_on_paper' | null)[] = [];
  const consentAt: Date[] = [];
  const ps = plans(stories.length);
  // this year's dates stay before today; early in January everything falls back to last year
  const startOfYear = Date.UTC(year, 0, 1) - 8 * 3600_000;
  const thisYearSpan = Math.max(0, Math.floor((now.getTime() - startOfYear) / DAY) - 25);
  stories.forEach((s, i) => {
    const p = ps[(i * 5) % ps.length]; // 5 is coprime to 42: every plan once, spread over the kinds
    const town = townOrder[i % Math.min(townOrder.length, 6)] ?? townOrder[0];
    const village = r.pick(villagesOf(town.code).length ? villagesOf(town.code) : villages);
    const home = hh.filter((h) => h.regionCode === village.code);
    const household = isFamily(s.kind) && home.length && r.chance(0.6) ? r.pick(home) : null;
    const head = household?.headName ?? demoName(r);
    const nomineeName = isFamily(s.kind) ? `${head}家庭` : head;
    const story = s.text.replaceAll('{n}', isFamily(s.kind) ? `${head}` : head).replaceAll('{p}', village.name);
    const reviewer = reviewerOf(town.code);
    const byResident = residents.length > 0 && r.chance(0.25);
    const nominator = byResident ? r.pick(residents) : reviewer;
    const recent = p.state === 'notice' || p.state === 'nominated';
    const lastYear = p.lastYear || (!recent && thisYearSpan < 30);
    // under notice: approved one to three days ago, so the notice is still running;
    // objected: approved, objected two days later
    let created: Date;
    const noticeApprovedAt = byDay(now.getTime() - r.int(1, 3) * DAY - r.int(1, 8) * 3600_000, now);
    if (p.state === 'notice') created = new Date(noticeApprovedAt.getTime() - r.int(2, 4) * DAY);
    else if (p.objected) created = new Date(now.getTime() - 7 * DAY - r.int(1, 8) * 3600_000);
    else if (recent) created = new Date(now.getTime() - r.int(1, 6) * DAY - r.int(1, 8) * 3600_000);
    else if (lastYear) created = new Date(Date.UTC(year - 1, r.int(1, 9), r.int(1, 28), r.int(1, 9)));
    else created = new Date(startOfYear + r.int(3, Math.max(4, thisYearSpan - 15)) * DAY + r.int(1, 9) * 3600_000);
    created = byDay(created, now);
    const e: Omit<Ev, 'entityId'>[] = [];
    const ev = (
      action: string,
      from: HonorState | null,
      to: HonorState,
      at: Date,
      who: { id: string; name: string } | null | undefined,
      note = '',
    ) =>
      e.push({
        entity: 'honor',
        action,
        fromState: from,
        toState: to,
        actorUserId: who?.id ?? null,
        actorName: who?.name ?? '荣誉公示',
        note,
        at,
      });
    ev(
      'nominate',
      null,
      'nominated',
      created,
      nominator,
      p.consent || p.withdrawn ? '已同意公开姓名和照片' : '未同意公开姓名和照片',
    );
    const row: typeof honors.$inferInsert = {
      countyCode,
      regionCode: village.code,
      regionPath: village.path,
      kind: s.kind,
      nomineeName,
      story,
      consent: p.consent,
      householdId: household?.id ?? null,
      year: chinaYear(created),
      state: p.state,
      nominatedBy: nominator?.id ?? null,
      createdAt: created,
      updatedAt: created,
    };
    const approveAt =
      p.state === 'notice'
        ? noticeApprovedAt
        : new Date(created.getTime() + (p.objected ? 2 * DAY : r.int(3, 10) * DAY));
    const noticeEnd = new Date(approveAt.getTime() + noticeDays * DAY);
    if (p.state === 'notice') {
      ev('approve', 'nominated', 'notice', approveAt, reviewer, `公示 ${noticeDays} 天`);
      Object.assign(row, { noticeStartAt: approveAt, noticeEndAt: noticeEnd, updatedAt: approveAt });
    } else if (p.objected) {
      const objectAt = byDay(approveAt.getTime() + 2 * DAY, now);
      ev('approve', 'nominated', 'notice', approveAt, reviewer, `公示 ${noticeDays} 天`);
      const objector = residents.find((x) => x.id !== nominator?.id) ?? residents[0];
      ev(
        'object',
        'notice',
        'nominated',
        objectAt,
        objector,
        '据我了解，材料中的部分事迹与实际情况有出入，建议村里核实后再公示',
      );
      Object.assign(row, { updatedAt: objectAt });
    } else if (p.state === 'rejected') {
      ev('reject', 'nominated', 'rejected', approveAt, reviewer, p.rejectReason);
      Object.assign(row, { reviewComment: p.rejectReason, updatedAt: approveAt });
    } else if (p.state === 'published' || p.state === 'revoked') {
      const publishAt = byDay(noticeEnd.getTime() + r.int(0, 2) * DAY + 3600_000, now);
      ev(
        'approve',
        'nominated',
        'notice',
        approveAt,
        reviewer,
        r.pick(['事迹属实，经村“两委”和群众评议通过', '经实地走访核实，同意公示', `公示 ${noticeDays} 天`]),
      );
      ev(r.chance(0.5) ? 'publish' : 'auto_publish', 'notice', 'published', publishAt, r.chance(0.5) ? reviewer : null);
      Object.assign(row, {
        noticeStartAt: approveAt,
        noticeEndAt: noticeEnd,
        publishedAt: publishAt,
        updatedAt: publishAt,
      });
      if (p.withdrawn) {
        const at = byDay(Math.min(now.getTime() - DAY, publishAt.getTime() + 40 * DAY), now);
        ev('consent_withdrawn', 'published', 'published', at, reviewer, '本人来电表示不愿在网上公开姓名，已撤下');
        Object.assign(row, { consent: false, updatedAt: at });
      }
      if (p.state === 'revoked') {
        const at = byDay(Math.min(now.getTime() - DAY, publishAt.getTime() + r.int(30, 90) * DAY), now);
        ev('revoke', 'published', 'revoked', at, reviewer, p.revokeReason);
        Object.assign(row, { revokeReason: p.revokeReason, revokedAt: at, updatedAt: at });
      }
    }
    rows.push(row);
    evs.push(e);
    grants.push(p.consent || p.withdrawn ? (byResident ? 'self' : 'staff_on_paper') : null);
    consentAt.push(created);
  });

  await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(honors)
      .values(rows)
      .returning({ id: honors.id, consent: honors.consent, updatedAt: honors.updatedAt });
    await tx.insert(workflowEvents).values(inserted.flatMap((h, i) => evs[i].map((e) => ({ ...e, entityId: h.id }))));
    const consentRows = inserted.flatMap((h, i) => {
      const by = grants[i];
      if (!by) return [];
      return [
        {
          countyCode,
          subjectType: 'honor',
          subjectId: h.id,
          purpose: HONOR_CONSENT.purpose,
          version: HONOR_CONSENT.version,
          grantedBy: by,
          at: consentAt[i],
          revokedAt: h.consent ? null : h.updatedAt,
        },
      ];
    });
    if (consentRows.length) await tx.insert(consents).values(consentRows);
    await writeAudit(tx, actor, {
      action: 'honor.import',
      entity: 'honor',
      detail: { count: inserted.length, source: 'demo' },
    });
  });
  const count = (st: HonorState) => rows.filter((x) => x.state === st).length;
  log(
    `荣誉：${rows.length} 条（上榜 ${count('published')}、公示中 ${count('notice')}、待审核 ${count('nominated')}、` +
      `未通过 ${count('rejected')}、已撤销 ${count('revoked')}）`,
  );
}
