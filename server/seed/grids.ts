import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Deps } from '../platform/context.js';
import { grids, households, regions, serviceItems, users, volunteers } from '../db/schema/index.js';
import type { Actor } from '../platform/audit.js';
import type { Permission } from '../platform/permissions.js';
import type { Scope } from '../platform/scope.js';
import { createHousehold } from '../modules/orders/service.js';
import {
  createGrid,
  createPairings,
  createVisit,
  linkHouseholds,
  type GridCaller,
  type NewVisit,
} from '../modules/grids/service.js';
import { createSurvey, promote, respond, transitionSurvey, type SurveyCaller } from '../modules/surveys/service.js';
import type { LocalStaff } from './staff.js';
import { demoName } from './demo.js';
import { byDay, rng } from './random.js';
import { demoPhoto } from './files.js';

const DAY = 86400_000;
const CHINA = 8 * 3600_000;
/** 23:59 China time of the day an instant falls on: when a campaign's collection closes. */
const endOfChinaDay = (t: number) => new Date(Math.floor((t + CHINA) / DAY) * DAY - CHINA + DAY - 60_000);

/** The colours of the demo's visit photos (a yard, a kitchen, a wall …). */
const visitColours: [number, number, number][] = [
  [150, 120, 90],
  [110, 140, 170],
  [170, 150, 110],
];

const visitNotes = [
  '老人身体硬朗，家中用电、用气安全，提醒注意防范电信诈骗',
  '了解到家中孩子暑假无人照看，已介绍村里的“假日课堂”',
  '户主腰腿不便，药品按时服用，家属每周回来一次',
  '家中新修了厕所，卫生状况良好，宣传了垃圾分类',
  '询问医保缴费情况，已帮助在手机上完成缴费',
  '老人反映屋后排水沟堵塞，已转告村两委安排清理',
  '宣讲了防汛避险知识，留下了网格员联系方式',
  '独居老人精神不错，聊了家常，帮助打扫了院子',
];

/**
 * 网格 and 需求排查 of the demo county, all through the services: grids in the first villages of 新集镇 and 沙窝镇 with
 * their link volunteers (李志愿 leads the first one) and households, cadres paired with households (结亲), visits of the
 * last two months by day (one raising a wish, one an order), an open needs survey over 新集镇 with answers from
 * 院坝会 and 群众会, and a closed one over 沙窝镇 whose health answers became a service item.
 */
export async function seedGrids(
  deps: Deps,
  countyCode: string,
  actor: Actor,
  log: (s: string) => void,
  staff: LocalStaff,
) {
  const db = deps.database.db;
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(grids)
    .where(eq(grids.countyCode, countyCode));
  if (n > 0) return;
  const r = rng(Number(countyCode) + 14);
  const now = deps.clock.now();
  const all = await db.select().from(regions).where(eq(regions.countyCode, countyCode)).orderBy(asc(regions.code));
  const userRegion = async (phone: string) =>
    (
      await db
        .select({ code: users.regionCode })
        .from(users)
        .where(eq(users.phoneHash, deps.crypto.lookupHash('phone', phone)))
    )[0]?.code;
  // 新集镇 and 沙窝镇: the towns of the demo accounts 陈新集 and 周沙窝 (API.md)
  const townCodes = [await userRegion('13800000002'), await userRegion('13800000003')];
  const towns = townCodes.map((code) => all.find((x) => x.code === code)).filter((x) => !!x);
  if (towns.length < 2) return;
  const villagesOf = (town: string) => all.filter((x) => x.level === 'village' && x.parentCode === town);
  const userOf = async (phone: string) =>
    (
      await db
        .select({ id: users.id, name: users.name })
        .from(users)
        .where(eq(users.phoneHash, deps.crypto.lookupHash('phone', phone)))
    )[0];
  const li = await userOf('13800000005');
  const [liVolunteer] = li ? await db.select().from(volunteers).where(eq(volunteers.userId, li.id)) : [];

  const perms = new Set<Permission>(['grid:manage', 'survey:manage', 'wish:submit', 'wish:manage', 'order:proxy']);
  const scopeOf = (userId: string, path: string): Scope => ({
    userId,
    all: false,
    subtrees: [path],
    regions: [],
    self: false,
  });
  const callerFor = (u: { id: string; name: string }, path: string, volunteerId: string | null = null): GridCaller => ({
    actor: { ...actor, userId: u.id, name: u.name, countyCode },
    userId: u.id,
    countyCode,
    scope: scopeOf(u.id, path),
    permissions: perms,
    volunteerId,
  });

  const places = [...villagesOf(towns[0].code).slice(0, 3), ...villagesOf(towns[1].code).slice(0, 2)];
  let gridCount = 0;
  let visitCount = 0;
  let pairCount = 0;
  for (const [pi, v] of places.entries()) {
    const stationAdmin = staff.of(v.code);
    const station = callerFor(stationAdmin, v.path);
    const since = byDay(now.getTime() - 150 * DAY + pi * 3600_000, now);
    // households of the village: those registered already and a few more, registered by the station
    const existing = await db.select({ id: households.id }).from(households).where(eq(households.regionCode, v.code));
    const ids = existing.map((h) => h.id);
    while (ids.length < 10) {
      const h = await createHousehold(
        db,
        deps.crypto,
        station.actor,
        station.scope,
        {
          headName: demoName(r),
          regionCode: v.code,
          address: `${v.name}${r.int(1, 8)}组${r.int(1, 40)}号`,
          memberCount: r.int(1, 6),
          note: r.chance(0.3) ? r.pick(['独居老人', '留守老人', '残疾人家庭', '低保户']) : '',
        },
        byDay(now.getTime() - r.int(160, 400) * DAY, now),
      );
      ids.push(h.id);
    }
    // link volunteers: 李志愿 leads the first grid of the first village; others are the village's own volunteers
    const local = await db
      .select({ id: volunteers.id, userId: volunteers.userId, name: volunteers.name })
      .from(volunteers)
      .where(and(eq(volunteers.regionCode, v.code), isNotNull(volunteers.userId)))
      .orderBy(asc(volunteers.createdAt))
      .limit(4);
    const leaders = pi === 0 && liVolunteer ? [liVolunteer, ...local.filter((x) => x.id !== liVolunteer.id)] : local;
    if (!leaders.length) continue;
    const halves = [ids.slice(0, 6), ids.slice(6)];
    for (const [gi, members] of halves.entries()) {
      const leader = leaders[gi % leaders.length];
      const g = await createGrid(db, station, since, {
        name: `第${['一', '二'][gi]}网格`,
        regionCode: v.code,
        leaderVolunteerId: leader.id,
      });
      gridCount++;
      const linkable = gi === 1 ? members.slice(0, -1) : members; // one household not yet linked: coverage < 100 %
      await linkHouseholds(db, station, since, g.id, linkable);
      // the link volunteer's visits over the last two months, by day
      const leaderUser = leader.userId ? await db.select().from(users).where(eq(users.id, leader.userId)) : [];
      const visitor = leaderUser[0]
        ? callerFor({ id: leaderUser[0].id, name: leaderUser[0].name }, v.path, leader.id)
        : station;
      for (const [hi, householdId] of linkable.entries()) {
        for (let k = r.int(1, 2); k > 0; k--) {
          const at = byDay(now.getTime() - r.int(1, 60) * DAY - r.int(0, 8) * 3600_000, now);
          // the first two households' visits were photographed (one or two photos, taken on the visit)
          const photoIds: string[] = [];
          for (let p = 0; hi < 2 && p <= (hi + k) % 2; p++)
            photoIds.push(
              await demoPhoto(deps, {
                countyCode,
                ownerId: visitor.userId,
                at: at.getTime(),
                name: '走访照片',
                colour: visitColours[(hi + k + p) % visitColours.length],
              }),
            );
          await createVisit(db, deps.crypto, { ...visitor, permissions: new Set(['wish:submit']) }, at, {
            householdId,
            note: r.pick(visitNotes),
            visitedAt: at,
            photoIds,
          });
          visitCount++;
        }
      }
    }
    // 结亲: the station admin with three households, the town's admin with two
    const town = staff.above(v.code);
    await createPairings(db, station, since, { cadreUserId: stationAdmin.id, householdIds: ids.slice(0, 3) });
    await createPairings(db, station, since, { cadreUserId: town.id, householdIds: ids.slice(3, 5) });
    pairCount += 5;
    // visits that found a need: a wish raised by the station admin, an order by the paired cadre
    if (pi === 0) {
      const wishAt = byDay(now.getTime() - 6 * DAY - 2 * 3600_000, now);
      await createVisit(db, deps.crypto, station, wishAt, {
        householdId: ids[0],
        note: '老人行走困难，出门买菜不便，希望有一辆助行车',
        visitedAt: wishAt,
        raise: {
          kind: 'wish',
          title: '想要一辆老年助行车',
          description: '老人腿脚不便，出门买菜、赶集都要人搀扶，想要一辆带座椅的助行车',
          value: 260,
          consentToPublish: true,
        },
      } satisfies NewVisit);
      const menu = await db
        .select({ id: serviceItems.id, name: serviceItems.name })
        .from(serviceItems)
        .where(
          and(
            eq(serviceItems.countyCode, countyCode),
            eq(serviceItems.active, true),
            sql`${serviceItems.fields} = '[]'::jsonb`,
            sql`${v.path} like ${serviceItems.regionPath} || '%'`,
          ),
        );
      const item = menu.find((i) => i.name === '代买代办') ?? menu[0];
      if (item) {
        const orderAt = byDay(now.getTime() - 3 * DAY - 5 * 3600_000, now);
        await createVisit(db, deps.crypto, station, orderAt, {
          householdId: ids[1],
          note: '老人独居，腿脚不便，米面油和常用药快用完了，希望有人帮忙代买',
          visitedAt: orderAt,
          raise: { kind: 'order', serviceItemId: item.id, description: '请志愿者代买米面油和降压药，送到家中' },
        });
      }
      visitCount += 2;
    }
  }
  log(`网格：${gridCount} 个网格，${pairCount} 户结亲，${visitCount} 次走访`);

  // ---------- needs surveys ----------
  const xinjiAdmin = staff.of(towns[0].code);
  const shawoAdmin = staff.of(towns[1].code);
  const questions = [
    {
      key: 'need',
      label: '您最希望得到哪方面的服务？',
      type: 'single' as const,
      required: true,
      options: ['健康义诊', '法律咨询', '文艺演出', '助学辅导', '农技培训'],
    },
    {
      key: 'times',
      label: '您方便参加活动的时间',
      type: 'multi' as const,
      required: false,
      options: ['上午', '下午', '晚上'],
    },
    { key: 'note', label: '其他意见和建议', type: 'text' as const, required: false },
  ];
  const needCategory: Record<string, string> = {
    健康义诊: 'health',
    法律咨询: 'law',
    文艺演出: 'culture',
    助学辅导: 'education',
    农技培训: 'science',
  };
  const suggestions = ['希望每月都能来', '村里老人多，最好上门', '晚上有空', '希望有孩子的课后辅导', ''];
  const collect = async (c: SurveyCaller, id: string, town: string, count: number, start: number) => {
    const vs = villagesOf(town).slice(0, 4);
    const out: { id: string; category: string }[] = [];
    for (let i = 0; i < count; i++) {
      const need = r.pick(Object.keys(needCategory));
      const at = byDay(start + (i / count) * 12 * DAY + r.int(0, 6) * 3600_000, now);
      const res = await respond(db, c, at, id, {
        respondentName: demoName(r),
        source: r.chance(0.5) ? 'yard_meeting' : 'mass_meeting',
        regionCode: r.pick(vs).code,
        category: needCategory[need],
        answers: { need, times: r.sample(['上午', '下午', '晚上'], r.int(1, 2)), note: r.pick(suggestions) },
      });
      out.push({ id: res.id, category: res.category });
    }
    return out;
  };
  const surveyCaller = (u: { id: string; name: string }, path: string): SurveyCaller => ({
    actor: { ...actor, userId: u.id, name: u.name, countyCode },
    userId: u.id,
    countyCode,
    scope: scopeOf(u.id, path),
    permissions: perms,
    region: null,
  });
  let answers = 0;
  if (xinjiAdmin) {
    const c = surveyCaller(xinjiAdmin, towns[0].path);
    const start = byDay(now.getTime() - 20 * DAY, now);
    const s = await createSurvey(db, c, start, {
      title: `${towns[0].name}群众需求大排查`,
      description: '为了把志愿服务送到群众最需要的地方，请告诉我们您最希望得到的服务。',
      regionCode: towns[0].code,
      questions,
      closesAt: endOfChinaDay(now.getTime() + 30 * DAY),
    });
    await transitionSurvey(db, c, new Date(start.getTime() + 3600_000), s.id, 'open');
    answers += (await collect(c, s.id, towns[0].code, 24, start.getTime() + DAY)).length;
  }
  if (shawoAdmin) {
    const c = surveyCaller(shawoAdmin, towns[1].path);
    const start = byDay(now.getTime() - 75 * DAY, now);
    const s = await createSurvey(db, c, start, {
      title: `${towns[1].name}“我为群众办实事”需求征集`,
      regionCode: towns[1].code,
      questions,
      closesAt: endOfChinaDay(now.getTime() - 40 * DAY),
    });
    await transitionSurvey(db, c, new Date(start.getTime() + 3600_000), s.id, 'open');
    const got = await collect(c, s.id, towns[1].code, 16, start.getTime() + DAY);
    answers += got.length;
    const closeAt = byDay(now.getTime() - 45 * DAY, now);
    await transitionSurvey(db, c, closeAt, s.id, 'close');
    const health = got.filter((x) => x.category === 'health').map((x) => x.id);
    if (health.length)
      await promote(db, c, byDay(now.getTime() - 44 * DAY, now), s.id, {
        responseIds: health,
        serviceItem: {
          name: '健康义诊进村',
          category: 'health',
          description: `由${towns[1].name}需求排查中群众的意见转化：每月一次，县医院志愿者进村义诊`,
        },
      });
    // the wish for shows becomes an entry of the town's activity plan, the month after the promotion
    const culture = got.filter((x) => x.category === 'culture').map((x) => x.id);
    if (culture.length) {
      const at = byDay(now.getTime() - 43 * DAY, now);
      const china = new Date(at.getTime() + 8 * 3600_000);
      const next = new Date(Date.UTC(china.getUTCFullYear(), china.getUTCMonth() + 1, 1));
      await promote(db, c, at, s.id, {
        responseIds: culture,
        activityPlan: {
          title: '文艺演出进村',
          month: `${next.getUTCFullYear()}-${String(next.getUTCMonth() + 1).padStart(2, '0')}`,
          type: 'culture_sports',
          note: `由${towns[1].name}需求排查中群众的意见转化：请县文艺志愿服务队进村演出`,
        },
      });
    }
  }
  log(`需求排查：2 次排查，${answers} 条群众意见`);
}
