import { asc, eq, sql } from 'drizzle-orm';
import type { Deps } from '../platform/context.js';
import { inspections, regions, sites, standards, users } from '../db/schema/index.js';
import { writeAudit, systemActor } from '../platform/audit.js';
import { importRegions } from '../modules/regions/service.js';
import { ensureDefaultStandards } from '../modules/sites/service.js';
import { foldAll } from '../modules/stats/service.js';
import { ensureUser } from '../modules/accounts/service.js';
import { hashPassword } from '../platform/crypto.js';
import { rng } from './random.js';
import { seedVolunteers } from './volunteers.js';
import { seedOrders } from './orders.js';
import { seedActivities } from './activities.js';
import { seedParticipants } from './participants.js';
import { seedPoints } from './points.js';
import { ensureLocalStaff } from './staff.js';
import { seedHonors } from './honors.js';
import { seedShopWishes } from './shop-wishes.js';
import { seedArticles } from './articles.js';
import { seedGrids } from './grids.js';

export const DEMO_PASSWORD = 'Demo@2026';

const facilities = [
  '文体广场',
  '农家书屋',
  '新时代文明讲堂',
  '志愿服务站',
  '道德讲堂',
  '远程教育室',
  '党员活动室',
  '便民服务室',
  '健身器材',
  '儿童之家',
  '老年活动室',
];
const hours = [
  '周一至周五 8:30–12:00，14:30–18:00',
  '周二至周日 8:30–11:30，14:30–17:30',
  '每日 8:00–20:00',
  '周一至周六 9:00–17:00',
];
const surnames =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷' +
  '施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强柴华车冉房边辜吉饶刁瞿' +
  '戚丘古米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花仇艾蓝都巩稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠僧桑荆谌银扬明沙薄伏岑习胥保和蔺';
const givenChars = '建国志强秀英桂兰玉华明军红梅丽芳海燕春生伟刚勇敏静丹磊洋艳杰涛超霞平辉鹏飞慧娟宇新林波琴云霞婷';

export function demoName(r: ReturnType<typeof rng>) {
  return r.pick([...surnames.slice(0, 100)]) + r.pick([...givenChars]) + (r.chance(0.6) ? r.pick([...givenChars]) : '');
}

/** The demo county: regions, an institute per town, a station per village, inspections, and the demo accounts. */
export async function seedDemo(deps: Deps, countyCode = deps.config.demoCounty, log: (s: string) => void = () => {}) {
  const { db } = deps.database;
  const actor = { ...systemActor('演示数据'), countyCode };
  const imported = await importRegions(deps.database, countyCode, actor);
  log(`区划：${imported.county}，${imported.towns} 个乡镇（街道），${imported.villages} 个村（社区）`);
  await ensureDefaultStandards(db, countyCode);
  const stds = await db.select().from(standards).where(eq(standards.countyCode, countyCode));
  const six = stds.find((s) => s.code === 'six_haves')!;
  const five = stds.find((s) => s.code === 'five_haves')!;

  const all = await db.select().from(regions).where(eq(regions.countyCode, countyCode)).orderBy(asc(regions.code));
  const county = all.find((r) => r.level === 'county')!;
  const towns = all.filter((r) => r.level === 'town');
  const villages = all.filter((r) => r.level === 'village');
  const r = rng(Number(countyCode));
  const now = deps.clock.now();

  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sites)
    .where(eq(sites.countyCode, countyCode));
  if (n === 0) {
    const base = { lat: 31.63, lng: 114.88 };
    const townPos = new Map(
      towns.map((t, i) => [t.code, { lat: base.lat + Math.sin(i) * 0.15, lng: base.lng + Math.cos(i) * 0.18 }]),
    );
    type NewSite = typeof sites.$inferInsert;
    const rows: NewSite[] = [];
    const contact = () => ({ name: demoName(r), phone: `0376-29${r.int(10000, 99999)}`, role: '管理员' });
    rows.push({
      countyCode,
      regionCode: county.code,
      regionPath: county.path,
      kind: 'center',
      name: `${county.name}新时代文明实践中心`,
      address: `河南省信阳市${county.name}城区文明路 1 号`,
      lat: base.lat,
      lng: base.lng,
      capacity: 500,
      openingHours: hours[0],
      facilities: ['新时代文明讲堂', '志愿服务站', '文体广场', '远程教育室'],
      contacts: [contact()],
      standardId: six.id,
      isDemo: true,
      description: '县级新时代文明实践中心，统筹全县文明实践工作。',
    });
    for (const t of towns) {
      const p = townPos.get(t.code)!;
      rows.push({
        countyCode,
        regionCode: t.code,
        regionPath: t.path,
        kind: 'institute',
        name: `${t.name}新时代文明实践所`,
        address: `${county.name}${t.name}人民政府院内`,
        lat: p.lat,
        lng: p.lng,
        capacity: r.int(80, 200),
        openingHours: r.pick(hours),
        facilities: r.sample(facilities, r.int(3, 6)),
        contacts: [contact()],
        standardId: six.id,
        isDemo: r.chance(0.2),
        description: `${t.name}文明实践所，负责指导全镇实践站开展工作。`,
      });
    }
    for (const v of villages) {
      const p = townPos.get(v.parentCode!)!;
      const town = towns.find((t) => t.code === v.parentCode)!;
      rows.push({
        countyCode,
        regionCode: v.code,
        regionPath: v.path,
        kind: 'station',
        name: `${v.name}新时代文明实践站`,
        address: `${county.name}${town.name}${v.name}${v.name.endsWith('社区') ? '党群服务中心' : '村委会'}`,
        lat: p.lat + (r.next() - 0.5) * 0.08,
        lng: p.lng + (r.next() - 0.5) * 0.08,
        capacity: r.int(30, 120),
        openingHours: r.pick(hours),
        facilities: r.sample(facilities, r.int(2, 5)),
        contacts: [contact()],
        standardId: r.chance(0.85) ? six.id : five.id,
        isDemo: r.chance(0.08),
      });
    }
    // a few volunteer posts and bases, as real counties have
    rows.push({
      countyCode,
      regionCode: county.code,
      regionPath: county.path,
      kind: 'base',
      name: '鄂豫皖苏区首府革命博物馆实践基地',
      address: `${county.name}首府路`,
      lat: base.lat + 0.01,
      lng: base.lng - 0.01,
      capacity: 300,
      openingHours: '周二至周日 9:00–17:00',
      facilities: ['道德讲堂'],
      contacts: [contact()],
    });
    rows.push({
      countyCode,
      regionCode: towns[1].code,
      regionPath: towns[1].path,
      kind: 'post',
      name: `${towns[1].name}汽车站志愿服务岗`,
      address: `${county.name}${towns[1].name}汽车站`,
      openingHours: '每日 7:00–19:00',
      facilities: ['志愿服务站'],
      contacts: [contact()],
    });

    // built before their first inspection (two and a half to four years ago), on the demo clock (no draw from the
    // random stream, so the rest of the demo stays as it was)
    rows.forEach((row, i) => (row.createdAt ??= new Date(now.getTime() - (900 + ((i * 37) % 540)) * 86400_000)));
    const inserted = await db.transaction(async (tx) => {
      const out: { id: string; kind: string; standardId: string | null }[] = [];
      for (let i = 0; i < rows.length; i += 100)
        out.push(
          ...(await tx
            .insert(sites)
            .values(rows.slice(i, i + 100))
            .returning({ id: sites.id, kind: sites.kind, standardId: sites.standardId })),
        );
      await writeAudit(tx, actor, { action: 'site.import', entity: 'site', detail: { count: out.length } });
      return out;
    });
    log(`阵地：${inserted.length} 个（中心 1、所 ${towns.length}、站 ${villages.length}）`);

    const inspRows: (typeof inspections.$inferInsert)[] = [];
    for (const s of inserted) {
      if (!s.standardId || !['station', 'institute', 'center'].includes(s.kind)) continue;
      const std = s.standardId === six.id ? six : five;
      const roll = r.next();
      if (roll < 0.1) continue; // never inspected
      const monthsAgo = roll < 0.16 ? r.int(13, 20) : r.int(0, 8); // some inspections have expired
      const history = r.chance(0.4) ? 2 : 1;
      for (let h = 0; h < history; h++) {
        const at = new Date(now.getTime() - (monthsAgo + h * 6) * 30 * 86400_000 - r.int(0, 20) * 86400_000);
        const failing = r.chance(h === 0 ? 0.22 : 0.5) ? r.sample(std.items, r.int(1, 2)).map((x) => x.code) : [];
        const results = std.items.map((it) => ({
          itemCode: it.code,
          passed: !failing.includes(it.code),
          note: failing.includes(it.code) ? '需整改' : '',
        }));
        const passedCount = results.filter((x) => x.passed).length;
        const score = Math.round((passedCount / std.items.length) * 1000) / 10;
        inspRows.push({
          countyCode,
          siteId: s.id,
          standardId: std.id,
          inspectedAt: at,
          inspectorName: demoName(r),
          results,
          passedCount,
          totalCount: std.items.length,
          score: String(score),
          compliant: score >= std.passScore,
          note: failing.length ? '限期一个月整改' : '符合标准',
        });
      }
    }
    await db.transaction(async (tx) => {
      for (let i = 0; i < inspRows.length; i += 200) await tx.insert(inspections).values(inspRows.slice(i, i + 200));
      await writeAudit(tx, actor, {
        action: 'site.inspect.import',
        entity: 'inspection',
        detail: { count: inspRows.length },
      });
    });
    log(`检查记录：${inspRows.length} 条`);
  }

  const xinji = towns.find((t) => t.code === `${countyCode}100`) ?? towns[0];
  const shawo = towns.find((t) => t.code === `${countyCode}101`) ?? towns[1];
  const firstVillage = (town: { code: string }) => villages.find((v) => v.parentCode === town.code)!;
  const hash = await hashPassword(DEMO_PASSWORD);
  const accounts = [
    {
      phone: '13800000001',
      name: '刘文明',
      regionCode: county.code,
      roles: [{ role: 'county_admin', regionCode: county.code, scope: 'subtree' as const }],
    },
    {
      phone: '13800000002',
      name: '陈新集',
      regionCode: xinji.code,
      roles: [{ role: 'institute_admin', regionCode: xinji.code, scope: 'subtree' as const }],
    },
    {
      phone: '13800000003',
      name: '周沙窝',
      regionCode: shawo.code,
      roles: [{ role: 'institute_admin', regionCode: shawo.code, scope: 'subtree' as const }],
    },
    {
      phone: '13800000004',
      name: '王站长',
      regionCode: firstVillage(xinji).code,
      roles: [{ role: 'station_admin', regionCode: firstVillage(xinji).code, scope: 'subtree' as const }],
    },
    {
      phone: '13800000005',
      name: '李志愿',
      regionCode: firstVillage(xinji).code,
      roles: [{ role: 'volunteer', regionCode: firstVillage(xinji).code, scope: 'self' as const }],
    },
    {
      phone: '13800000006',
      name: '张志愿',
      regionCode: villages.filter((v) => v.parentCode === xinji.code)[1]?.code ?? firstVillage(xinji).code,
      roles: [{ role: 'volunteer', regionCode: xinji.code, scope: 'self' as const }],
    },
    {
      phone: '13800000007',
      name: '赵大娘',
      regionCode: firstVillage(xinji).code,
      roles: [{ role: 'resident', regionCode: firstVillage(xinji).code, scope: 'self' as const }],
    },
    {
      phone: '13800000008',
      name: '孙大爷',
      regionCode: firstVillage(shawo).code,
      roles: [{ role: 'resident', regionCode: firstVillage(shawo).code, scope: 'self' as const }],
    },
    {
      phone: '13800000009',
      name: '系统管理员',
      regionCode: null,
      roles: [{ role: 'sysadmin', regionCode: null, scope: 'all' as const }],
    },
    {
      phone: '13800000010',
      name: '审计管理员',
      regionCode: null,
      roles: [{ role: 'auditor', regionCode: null, scope: 'all' as const }],
    },
    {
      phone: '13800000011',
      name: '安全管理员',
      regionCode: null,
      roles: [{ role: 'secadmin', regionCode: null, scope: 'all' as const }],
    },
  ];
  let created = 0;
  for (const a of accounts) {
    const res = await ensureUser(
      db,
      deps.crypto,
      actor,
      { countyCode, name: a.name, phone: a.phone, password: DEMO_PASSWORD, regionCode: a.regionCode, roles: a.roles },
      hash,
    );
    if (res.created) created++;
  }
  log(`演示账号：${accounts.length} 个（新建 ${created} 个），密码 ${DEMO_PASSWORD}`);
  // the records below are made by the staff of their own village or town (seed/staff.ts)
  const staff = await ensureLocalStaff(deps, countyCode, actor, DEMO_PASSWORD);
  log('乡镇、村（社区）工作人员：每个所、站各一名管理员');
  await seedVolunteers(deps, countyCode, actor, log);
  await seedOrders(deps, countyCode, actor, log, staff);
  await seedActivities(deps, countyCode, actor, log);
  await seedParticipants(deps, countyCode, log);
  await seedPoints(deps, countyCode, actor, log, staff);
  await seedHonors(deps, countyCode, actor, log);
  await seedShopWishes(deps, countyCode, actor, log);
  await seedArticles(deps, countyCode, staff, log);
  await seedGrids(deps, countyCode, actor, log, staff);
  log(`统计汇总：已计入 ${await foldAll(db)} 条变化`);
  return { accounts: accounts.map((a) => ({ phone: a.phone, name: a.name, role: a.roles[0].role })) };
}

export async function isEmpty(deps: Deps) {
  const [{ n }] = await deps.database.db.select({ n: sql<number>`count(*)::int` }).from(users);
  return n === 0;
}
