import crypto from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../platform/context.js';
import {
  activities,
  activityPlans,
  activitySignups,
  certificates,
  counters,
  hoursEntries,
  hoursRequests,
  orders,
  regions,
  roleAssignments,
  settings,
  sites,
  starApplications,
  submissionEvents,
  submissions,
  teams,
  users,
  volunteers,
  type MonthTheme,
} from '../db/schema/index.js';
import { writeAudit, type Actor } from '../platform/audit.js';
import { chinaDate, roundHours } from '../modules/hours/ledger.js';
import { computeFigures } from '../modules/submissions/service.js';
import { byDay, rng } from './random.js';

type Type = (typeof activities.$inferInsert)['type'];

const templates: Record<
  Type,
  { titles: string[]; themes: string[]; hours: [number, number]; beneficiaries: string[] }
> = {
  lecture: {
    titles: ['党的创新理论“村村讲”', '惠民政策进万家宣讲', '红色故事大家讲', '乡村振兴政策解读会', '百姓宣讲团进村'],
    themes: ['理论宣讲', '政策解读', '红色教育'],
    hours: [1.5, 2.5],
    beneficiaries: ['村民', '党员群众', '老年人'],
  },
  culture_sports: {
    titles: ['“我们的节日”文艺演出', '广场舞展演', '送戏下乡', '农民趣味运动会', '乡村村晚'],
    themes: ['我们的节日', '文化惠民', '全民健身'],
    hours: [2, 4],
    beneficiaries: ['村民', '妇女', '老年人'],
  },
  volunteer_service: {
    titles: [
      '人居环境集中整治',
      '关爱留守老人上门服务',
      '义诊进村',
      '河道清洁志愿行动',
      '困难家庭帮扶走访',
      '文明交通劝导',
    ],
    themes: ['学雷锋志愿服务', '美丽乡村', '邻里守望'],
    hours: [2, 6],
    beneficiaries: ['留守老人', '困难家庭', '村民', '留守儿童'],
  },
  training: {
    titles: ['油茶种植技术培训', '志愿者骨干培训', '应急救护培训', '电商直播技能培训', '防诈骗知识培训'],
    themes: ['技能培训', '科学普及', '志愿服务能力提升'],
    hours: [2, 3],
    beneficiaries: ['种植户', '志愿者', '返乡青年', '老年人'],
  },
  theme: {
    titles: [
      '清明祭英烈',
      '学雷锋志愿服务月启动',
      '“七一”重温入党誓词',
      '重阳敬老宴',
      '国家宪法日宣传',
      '国际志愿者日主题活动',
    ],
    themes: ['主题党日', '我们的节日', '法治宣传'],
    hours: [1.5, 3],
    beneficiaries: ['党员', '村民', '老年人', '青少年'],
  },
};
const typeWeights: [Type, number][] = [
  ['volunteer_service', 0.38],
  ['lecture', 0.2],
  ['culture_sports', 0.17],
  ['training', 0.12],
  ['theme', 0.13],
];

export const defaultMonthThemes: MonthTheme[] = [
  { month: 1, theme: '迎新春·送温暖', focus: '走访慰问困难群众、写春联送福字' },
  { month: 2, theme: '我们的节日·春节元宵', focus: '村晚、猜灯谜、移风易俗倡议' },
  { month: 3, theme: '学雷锋志愿服务月', focus: '3·5 学雷锋纪念日集中志愿服务、三八节关爱妇女' },
  { month: 4, theme: '清明祭英烈·文明祭扫', focus: '缅怀先烈、文明祭扫宣传、植绿护绿' },
  { month: 5, theme: '劳动创造幸福', focus: '五一、五四青年志愿服务，端午传统文化' },
  { month: 6, theme: '关爱未成年人', focus: '六一关爱留守儿童、防溺水安全教育' },
  { month: 7, theme: '永远跟党走', focus: '七一重温入党誓词、红色故事宣讲、暑期托管' },
  { month: 8, theme: '全民健身·拥军优属', focus: '八一走访退役军人、全民健身日活动' },
  { month: 9, theme: '敬师重教·科学普及', focus: '教师节、全国科普日、中秋邻里节' },
  { month: 10, theme: '我们的节日·重阳敬老', focus: '国庆爱国主义教育、重阳敬老志愿服务' },
  { month: 11, theme: '法治宣传·冬季防火', focus: '法律进村、消防安全宣传' },
  { month: 12, theme: '宪法宣传·志愿者之星', focus: '12·4 国家宪法日、12·5 国际志愿者日表彰' },
];

const cancelReasons = ['天气原因（暴雨预警），活动取消', '场地临时被占用，改期另行通知', '主讲人临时有事，活动取消'];

/**
 * A year of activities of every type with sign-ups, attendance and hours (through the ledger rules: 60 % minimum,
 * 8 h a day), order hours, star applications in every state, certificates, yearly plans and monthly submissions.
 */
export async function seedActivities(deps: Deps, countyCode: string, actor: Actor, log: (s: string) => void) {
  const db = deps.database.db;
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(activities)
    .where(eq(activities.countyCode, countyCode));
  if (n > 0) return;
  const r = rng(Number(countyCode) + 5);
  const now = deps.clock.now();
  const year = Number(chinaDate(now).slice(0, 4));
  const all = await db.select().from(regions).where(eq(regions.countyCode, countyCode)).orderBy(asc(regions.code));
  const county = all.find((x) => x.level === 'county')!;
  const towns = all.filter((x) => x.level === 'town');
  const villages = all.filter((x) => x.level === 'village');
  const siteRows = await db
    .select({
      id: sites.id,
      regionCode: sites.regionCode,
      kind: sites.kind,
      name: sites.name,
      address: sites.address,
      lat: sites.lat,
      lng: sites.lng,
    })
    .from(sites)
    .where(eq(sites.countyCode, countyCode));
  const teamRows = await db
    .select({ id: teams.id, regionPath: teams.regionPath, level: teams.level, category: teams.category })
    .from(teams)
    .where(eq(teams.countyCode, countyCode));
  const vols = await db
    .select({
      id: volunteers.id,
      userId: volunteers.userId,
      regionPath: volunteers.regionPath,
      name: volunteers.name,
      createdAt: volunteers.createdAt,
    })
    .from(volunteers)
    .where(eq(volunteers.countyCode, countyCode));
  const staff = await db
    .select({ id: users.id, name: users.name, regionCode: roleAssignments.regionCode, role: roleAssignments.roleCode })
    .from(users)
    .innerJoin(roleAssignments, eq(roleAssignments.userId, users.id))
    .where(sql`${roleAssignments.roleCode} in ('county_admin','institute_admin','station_admin')`);
  const creatorFor = (path: string) =>
    staff.find((s) => s.regionCode && path.includes(`/${s.regionCode}/`) && s.role === 'station_admin')?.id ??
    staff.find((s) => s.regionCode && path.includes(`/${s.regionCode}/`) && s.role === 'institute_admin')?.id ??
    staff.find((s) => s.role === 'county_admin')?.id ??
    null;

  // volunteers by town, with a core of regulars who come to most things (as in every village)
  const demoIds = new Set(vols.filter((v) => v.userId).map((v) => v.id));
  const byTown = new Map<string, { core: typeof vols; rest: typeof vols }>();
  for (const t of towns) {
    const pool = vols.filter((v) => v.regionPath.startsWith(t.path));
    const coreSize = t.name.includes('新集') ? 70 : Math.min(12, Math.floor(pool.length / 8));
    const core = [
      ...pool.filter((v) => demoIds.has(v.id)),
      ...r.sample(
        pool.filter((v) => !demoIds.has(v.id)),
        coreSize,
      ),
    ];
    byTown.set(t.path, { core, rest: pool.filter((v) => !core.includes(v)) });
  }

  // yearly plans: every institute, and the stations of the first town, for this year and last
  const planRows: (typeof activityPlans.$inferInsert)[] = [];
  const firstTown = towns.find((t) => t.name.includes('新集')) ?? towns[0];
  for (const y of [year - 1, year]) {
    for (const t of towns)
      planRows.push({
        countyCode,
        regionCode: t.code,
        regionPath: t.path,
        siteId: siteRows.find((s) => s.regionCode === t.code && s.kind === 'institute')?.id ?? null,
        year: y,
        title: `${t.name}新时代文明实践所${y}年度工作计划`,
        goals:
          '围绕“年有计划、月有主题、周有活动”，每月至少开展 4 场志愿服务活动，理论宣讲覆盖所有行政村，志愿者注册率达到常住人口 13% 以上。',
        months: defaultMonthThemes,
        createdBy: creatorFor(t.path),
        createdAt: new Date(Date.UTC(y - 1, 11, 20)),
        updatedAt: new Date(Date.UTC(y - 1, 11, 20)),
      });
    for (const v of villages.filter((x) => x.parentCode === firstTown.code).slice(0, 6))
      planRows.push({
        countyCode,
        regionCode: v.code,
        regionPath: v.path,
        siteId: siteRows.find((s) => s.regionCode === v.code && s.kind === 'station')?.id ?? null,
        year: y,
        title: `${v.name}新时代文明实践站${y}年度活动计划`,
        goals: '每周至少一次活动，重点服务留守老人和儿童。',
        months: defaultMonthThemes,
        createdBy: creatorFor(v.path),
        createdAt: new Date(Date.UTC(y - 1, 11, 25)),
        updatedAt: new Date(Date.UTC(y - 1, 11, 25)),
      });
  }
  const plans = await db
    .insert(activityPlans)
    .values(planRows)
    .returning({ id: activityPlans.id, regionCode: activityPlans.regionCode, year: activityPlans.year });

  type A = typeof activities.$inferInsert;
  type S = Omit<typeof activitySignups.$inferInsert, 'activityId'>;
  const rows: { a: A; signups: S[] }[] = [];
  const dayCredited = new Map<string, number>();
  const entries: {
    v: string;
    path: string;
    hours: number;
    date: string;
    act: number;
    su: number;
    at: Date;
    kind: 'attendance';
  }[] = [];
  const excess: { v: string; path: string; hours: number; date: string; act: number; su: number; at: Date }[] = [];
  // 新集镇, where the demo accounts work, is busy (about one activity a village a month); other towns less so
  for (const t of towns) {
    const perTown = t.code === firstTown.code ? 300 : 52;
    const tv = byTown.get(t.path)!;
    const townVillages = villages.filter((v) => v.parentCode === t.code);
    for (let i = 0; i < perTown; i++) {
      // spread over the past year, a few in the next month; clustered on festival months
      const daysAgo = i < 6 ? -r.int(1, 30) : Math.floor(r.next() * 365);
      const day = new Date(now.getTime() - daysAgo * 86400_000);
      const startH = r.pick([8, 9, 9, 14, 15, 19]);
      const startAt = new Date(
        Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), startH - 8, r.pick([0, 30])),
      );
      let roll = r.next();
      let type: Type = 'volunteer_service';
      for (const [k, w] of typeWeights) {
        if (roll < w) {
          type = k;
          break;
        }
        roll -= w;
      }
      const tpl = templates[type];
      // a whole day's service starts in the morning, so it never runs into the night
      const longDay = type === 'volunteer_service' && startH <= 9 && r.chance(0.04);
      const planned = longDay ? 9 : tpl.hours[0] + Math.round(r.next() * (tpl.hours[1] - tpl.hours[0]) * 2) / 2;
      // an evening activity is over by half past nine
      const dur = startH >= 19 ? Math.min(planned, 2.5) : planned;
      const endAt = new Date(startAt.getTime() + dur * 3600_000);
      const atVillage = townVillages.length > 0 && r.chance(0.7);
      const region = atVillage ? r.pick(townVillages) : t;
      const site = siteRows.find(
        (s) => s.regionCode === region.code && (s.kind === 'station' || s.kind === 'institute'),
      );
      const teamPool = teamRows.filter((x) => x.level === 'squad' && x.regionPath === t.path);
      const team = teamPool.length && r.chance(0.65) ? r.pick(teamPool) : null;
      const quota = r.pick([10, 15, 20, 20, 30, 40]);
      const risky = type === 'volunteer_service' && r.chance(0.15);
      const ended = endAt.getTime() < now.getTime() - 2 * 3600_000;
      const running = !ended && startAt.getTime() <= now.getTime();
      let state: A['state'] = ended
        ? now.getTime() - endAt.getTime() > 30 * 86400_000
          ? 'archived'
          : 'ended'
        : running
          ? 'in_progress'
          : 'published';
      const cancelled = ended && r.chance(0.03);
      if (cancelled) state = 'cancelled';
      if (!ended && !running && i === 0) state = 'draft';
      // planned days ahead, and never later than now (an activity of next week was published already)
      const createdAt = byDay(
        Math.min(startAt.getTime() - r.int(5, 15) * 86400_000, now.getTime() - r.int(2, 20) * 3600_000),
        now,
      );
      const plan =
        plans.find((p) => p.regionCode === region.code && p.year === Number(chinaDate(startAt).slice(0, 4))) ??
        plans.find((p) => p.regionCode === t.code && p.year === Number(chinaDate(startAt).slice(0, 4)));
      const a: A = {
        countyCode,
        regionCode: region.code,
        regionPath: region.path,
        siteId: site?.id ?? null,
        teamId: team?.id ?? null,
        planId: plan?.id ?? null,
        title: `${region.name}${r.pick(tpl.titles)}`,
        type,
        theme: defaultMonthThemes[Number(chinaDate(startAt).slice(5, 7)) - 1].theme,
        description: `${r.pick(tpl.themes)}：由${region.name}新时代文明实践${atVillage ? '站' : '所'}组织开展。`,
        startAt,
        endAt,
        quota,
        address: site?.address || `${region.name}文化广场`,
        lat: site?.lat ?? null,
        lng: site?.lng ?? null,
        checkinRadiusM: site?.lat != null && r.chance(0.3) ? 500 : null,
        beneficiaries: r.pick(tpl.beneficiaries),
        beneficiaryCount: r.int(15, 120),
        risky,
        insurance: risky ? `团体意外险 ${r.int(100000, 999999)} 号（每人保额 10 万元）` : null,
        state,
        cancelReason: cancelled ? r.pick(cancelReasons) : null,
        code: String(crypto.randomInt(0, 1_000_000)).padStart(6, '0'),
        summary:
          ended && !cancelled
            ? `活动顺利开展，${r.pick(['群众反响热烈', '受到村民好评', '解决了群众的实际困难'])}。`
            : '',
        createdBy: creatorFor(region.path),
        publishedAt: state === 'draft' ? null : byDay(createdAt.getTime() + 3600_000, now),
        endedAt: ended && !cancelled ? byDay(endAt.getTime() + 2 * 3600_000, now) : null,
        archivedAt: state === 'archived' ? byDay(endAt.getTime() + 30 * 86400_000, now) : null,
        cancelledAt: cancelled ? new Date(startAt.getTime() - 86400_000) : null,
        createdAt,
        updatedAt: createdAt,
      };
      const signups: S[] = [];
      if (state !== 'draft') {
        const demoHere = tv.core.filter((v) => demoIds.has(v.id));
        const want =
          state === 'published'
            ? Math.floor(quota * (0.3 + r.next() * 0.8))
            : Math.floor(quota * (0.55 + r.next() * 0.45));
        const people = [
          ...new Set([
            ...(state === 'published' || r.chance(0.35) ? demoHere : []),
            ...r.sample(tv.core, Math.min(tv.core.length, Math.ceil(want * 0.55))),
            ...r.sample(tv.rest, want),
          ]),
        ].slice(0, want + (state === 'published' ? 3 : 0));
        let confirmed = 0;
        let waitlisted = 0;
        people.forEach((v, k) => {
          const status = confirmed < quota ? ('confirmed' as const) : ('waitlisted' as const);
          if (status === 'confirmed') confirmed++;
          else waitlisted++;
          // after publishing, by day, before the start and before now
          const signedUpAt = byDay(
            Math.min(createdAt.getTime() + 3600_000 + (k + 1) * r.int(600, 7200) * 1000, startAt.getTime() - 600_000),
            now,
          );
          const s: S = {
            volunteerId: v.id,
            userId: v.userId,
            status: cancelled ? 'cancelled' : status,
            source: 'self',
            signedUpAt,
            cancelledAt: cancelled ? a.cancelledAt : null,
            createdAt: signedUpAt,
            updatedAt: signedUpAt,
          };
          if ((state === 'ended' || state === 'archived') && status === 'confirmed') {
            if (r.chance(0.09)) s.noShow = true;
            else {
              const inAt = new Date(startAt.getTime() + r.int(-20, 10) * 60_000);
              const short = r.chance(0.04);
              const outAt = short
                ? new Date(startAt.getTime() + dur * 0.4 * 3600_000)
                : new Date(endAt.getTime() + r.int(-15, 20) * 60_000);
              const method = r.chance(0.15) ? ('sheet' as const) : r.chance(0.5) ? ('qr' as const) : ('code' as const);
              Object.assign(s, {
                checkInAt: inAt,
                checkOutAt: outAt,
                checkInMethod: method,
                source: method === 'sheet' ? 'sheet' : 'self',
                hoursSettledAt: outAt,
              });
              const actual =
                (Math.min(outAt.getTime(), endAt.getTime()) - Math.max(inAt.getTime(), startAt.getTime())) / 3600_000;
              if (actual >= 0.6 * dur) {
                const date = chinaDate(startAt);
                const key = `${v.id}|${date}`;
                const done = dayCredited.get(key) ?? 0;
                const credit = roundHours(Math.max(0, Math.min(actual, 8 - done)));
                const rest = roundHours(actual - credit);
                dayCredited.set(key, done + credit);
                if (credit > 0)
                  entries.push({
                    v: v.id,
                    path: region.path,
                    hours: credit,
                    date,
                    act: rows.length,
                    su: signups.length,
                    at: outAt,
                    kind: 'attendance',
                  });
                if (rest > 0.01)
                  excess.push({
                    v: v.id,
                    path: region.path,
                    hours: rest,
                    date,
                    act: rows.length,
                    su: signups.length,
                    at: outAt,
                  });
              }
            }
          } else if (state === 'in_progress' && status === 'confirmed' && r.chance(0.7)) {
            Object.assign(s, {
              checkInAt: new Date(startAt.getTime() + r.int(-15, 10) * 60_000),
              checkInMethod: 'code',
            });
          }
          signups.push(s);
        });
        a.confirmedCount = cancelled ? 0 : confirmed;
        a.waitlistCount = cancelled ? 0 : waitlisted;
        if (state === 'published' && confirmed >= quota) a.state = 'full';
      }
      rows.push({ a, signups });
    }
  }

  const insertedActs: string[] = [];
  const signupIds: string[][] = [];
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200);
      const ids = await tx
        .insert(activities)
        .values(chunk.map((x) => x.a))
        .returning({ id: activities.id });
      ids.forEach((x) => insertedActs.push(x.id));
      const flat = chunk.flatMap((x, j) => x.signups.map((s) => ({ ...s, activityId: ids[j].id })));
      const sids: { id: string; activityId: string }[] = [];
      for (let k = 0; k < flat.length; k += 1000)
        sids.push(
          ...(await tx
            .insert(activitySignups)
            .values(flat.slice(k, k + 1000))
            .returning({ id: activitySignups.id, activityId: activitySignups.activityId })),
        );
      let p = 0;
      chunk.forEach((x) => {
        signupIds.push(sids.slice(p, p + x.signups.length).map((s) => s.id));
        p += x.signups.length;
      });
    }
    const entryRows = entries.map((e) => ({
      countyCode,
      regionPath: e.path,
      volunteerId: e.v,
      kind: e.kind,
      hours: e.hours.toFixed(2),
      serviceDate: e.date,
      activityId: insertedActs[e.act],
      signupId: signupIds[e.act][e.su],
      description: `参加活动：${rows[e.act].a.title}`,
      createdBy: null,
      createdAt: e.at,
    }));
    for (let k = 0; k < entryRows.length; k += 1000) await tx.insert(hoursEntries).values(entryRows.slice(k, k + 1000));
    // excess beyond 8 h a day: most approved, some still pending
    for (const [k, e] of excess.entries()) {
      const approved = k % 3 !== 0;
      const [req] = await tx
        .insert(hoursRequests)
        .values({
          countyCode,
          regionPath: e.path,
          volunteerId: e.v,
          kind: 'excess',
          activityId: insertedActs[e.act],
          signupId: signupIds[e.act][e.su],
          hours: e.hours.toFixed(2),
          serviceDate: e.date,
          reason: '当日累计服务超过 8 小时，超出部分需审核认定',
          status: approved ? 'approved' : 'pending',
          answer: approved ? '经核实签到记录，同意认定' : null,
          decidedAt: approved ? byDay(e.at.getTime() + 86400_000, now) : null,
          createdAt: e.at,
        })
        .returning({ id: hoursRequests.id });
      if (approved)
        await tx.insert(hoursEntries).values({
          countyCode,
          regionPath: e.path,
          volunteerId: e.v,
          kind: 'excess',
          hours: e.hours.toFixed(2),
          serviceDate: e.date,
          activityId: insertedActs[e.act],
          requestId: req.id,
          description: `超出每日上限部分经审核认定：${rows[e.act].a.title}`,
          createdAt: byDay(e.at.getTime() + 86400_000, now),
        });
    }
    // hours of completed service orders
    const done = await tx
      .select({
        id: orders.id,
        v: orders.acceptedVolunteerId,
        hours: orders.hours,
        at: orders.completedAt,
        path: orders.regionPath,
        d: orders.description,
      })
      .from(orders)
      .where(
        and(
          eq(orders.countyCode, countyCode),
          inArray(orders.state, ['completed', 'rated', 'closed']),
          sql`${orders.acceptedVolunteerId} is not null and ${orders.hours} is not null`,
        ),
      );
    if (done.length)
      await tx.insert(hoursEntries).values(
        done.map((o) => ({
          countyCode,
          regionPath: o.path,
          volunteerId: o.v!,
          kind: 'order' as const,
          hours: Number(o.hours).toFixed(2),
          serviceDate: chinaDate(o.at!),
          orderId: o.id,
          description: `点单服务：${o.d}`,
          createdAt: o.at!,
        })),
      );
    await writeAudit(tx, actor, {
      action: 'activity.import',
      entity: 'activity',
      detail: {
        activities: rows.length,
        signups: signupIds.flat().length,
        hoursEntries: entryRows.length + done.length,
        source: 'demo',
      },
    });
  });

  // star levels from verified hours: most granted, a few under notice or waiting for review
  const totals = await db
    .select({
      v: hoursEntries.volunteerId,
      h: sql<string>`sum(${hoursEntries.hours})`,
      path: sql<string>`min(${volunteers.regionPath})`,
    })
    .from(hoursEntries)
    .innerJoin(volunteers, eq(volunteers.id, hoursEntries.volunteerId))
    .where(eq(hoursEntries.countyCode, countyCode))
    .groupBy(hoursEntries.volunteerId);
  const thresholds = [100, 300, 600, 1000, 1500];
  const reviewer = staff.find((s) => s.role === 'county_admin')?.id ?? null;
  const stars: (typeof starApplications.$inferInsert)[] = [];
  const granted: { id: string; level: number }[] = [];
  for (const [k, t] of totals.entries()) {
    const hours = Number(t.h);
    const level = thresholds.filter((x) => hours >= x).length;
    if (level === 0) continue;
    const kind = demoIds.has(t.v) ? 'granted' : k % 7 === 0 ? 'notice' : k % 11 === 0 ? 'applied' : 'granted';
    const applied = new Date(
      now.getTime() - (kind === 'granted' ? r.int(15, 60) : kind === 'notice' ? 3 : 1) * 86400_000,
    );
    const [{ h: atApply }] = await db
      .select({ h: sql<string>`coalesce(sum(${hoursEntries.hours}), 0)` })
      .from(hoursEntries)
      .where(and(eq(hoursEntries.volunteerId, t.v), sql`${hoursEntries.serviceDate} <= ${chinaDate(applied)}`));
    // reached the level only after that date
    if (thresholds.filter((x) => Number(atApply) >= x).length < level) continue;
    const start = new Date(applied.getTime() + 86400_000);
    stars.push({
      countyCode,
      regionPath: t.path,
      volunteerId: t.v,
      level,
      hoursAtApply: Number(atApply).toFixed(2),
      state: kind,
      comment: kind === 'applied' ? null : '服务时长核实无误',
      reviewedBy: kind === 'applied' ? null : reviewer,
      reviewedAt: kind === 'applied' ? null : start,
      noticeStart: kind === 'applied' ? null : chinaDate(start),
      noticeEnd: kind === 'applied' ? null : chinaDate(new Date(start.getTime() + 6 * 86400_000)),
      grantedAt: kind === 'granted' ? new Date(start.getTime() + 8 * 86400_000) : null,
      createdAt: applied,
      updatedAt: applied,
    });
    if (kind === 'granted') granted.push({ id: t.v, level });
  }
  // certificates for some of the most active, one revoked
  const certRows: (typeof certificates.$inferInsert)[] = [];
  const top = [...totals].sort((a, b) => Number(b.h) - Number(a.h)).slice(0, 30);
  const volById = new Map(
    (
      await db
        .select({
          id: volunteers.id,
          name: volunteers.name,
          idType: volunteers.idType,
          idMasked: volunteers.idMasked,
          no: volunteers.volunteerNo,
        })
        .from(volunteers)
        .where(
          inArray(
            volunteers.id,
            top.map((t) => t.v),
          ),
        )
    ).map((v) => [v.id, v]),
  );
  const issuer = {
    name: `${county.name}新时代文明实践中心`,
    personInCharge: '刘文明',
    handler: '王晓燕',
    contact: '0376-2962000',
  };
  top.forEach((t, k) => {
    const v = volById.get(t.v)!;
    const issuedAt = new Date(now.getTime() - r.int(1, 90) * 86400_000);
    certRows.push({
      countyCode,
      regionPath: t.path,
      volunteerId: t.v,
      number: `ZYZM-${countyCode}-${year}-${String(k + 1).padStart(6, '0')}`,
      verifyCode: crypto.randomBytes(9).toString('base64url'),
      periodFrom: `${year - 1}-01-01`,
      periodTo: chinaDate(issuedAt),
      hours: Number(t.h).toFixed(2),
      snapshot: {
        name: v.name,
        idType: v.idType,
        idMasked: v.idMasked,
        volunteerNo: v.no,
        issuer,
        content: [{ title: '参加新时代文明实践志愿服务活动', date: chinaDate(issuedAt), hours: Number(t.h) }],
      },
      issuedBy: reviewer,
      issuedAt,
      revokedAt: k === 5 ? byDay(issuedAt.getTime() + 86400_000, now) : null,
      revokeReason: k === 5 ? '信息有误，已重新开具' : null,
    });
  });

  // monthly submissions for last month: most stations and institutes reported, some returned, some missing
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));
  const month = chinaDate(lastMonth).slice(0, 7);
  const subs: {
    s: typeof submissions.$inferInsert;
    events: Omit<typeof submissionEvents.$inferInsert, 'submissionId'>[];
  }[] = [];
  const figures = new Map<string, Record<string, number>>();
  for (const r of [...villages.filter((x) => x.parentCode === firstTown.code), ...towns])
    figures.set(r.path, await computeFigures(db, r.path, month));
  const figuresFor = (path: string) => figures.get(path)!;
  const submitAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 3, 2));
  for (const [k, v] of villages.filter((x) => x.parentCode === firstTown.code).entries()) {
    if (k % 4 === 3) continue; // not submitted
    const state = k % 5 === 1 ? ('returned' as const) : k % 3 === 0 ? ('submitted' as const) : ('accepted' as const);
    const by = creatorFor(v.path);
    subs.push({
      s: {
        countyCode,
        regionCode: v.code,
        regionPath: v.path,
        level: 'station',
        month,
        state,
        summary: `${v.name}本月开展志愿服务活动 ${figuresFor(v.path).activities} 场，台账已整理。`,
        figures: figuresFor(v.path),
        comment: state === 'returned' ? '活动照片缺失，请补充后重新报送' : state === 'accepted' ? '已审核' : null,
        submittedBy: by,
        submittedAt: submitAt,
        reviewedAt: state === 'submitted' ? null : new Date(submitAt.getTime() + 86400_000),
      },
      events: [
        { action: 'submit', actorUserId: by, actorName: '站管理员', at: submitAt },
        ...(state === 'submitted'
          ? []
          : [
              {
                action: state === 'returned' ? ('return' as const) : ('accept' as const),
                actorName: '陈新集',
                comment: state === 'returned' ? '活动照片缺失，请补充后重新报送' : '',
                at: new Date(submitAt.getTime() + 86400_000),
              },
            ]),
      ],
    });
  }
  for (const [k, t] of towns.entries()) {
    if (k % 3 === 2) continue;
    const state = k % 4 === 1 ? ('submitted' as const) : ('accepted' as const);
    subs.push({
      s: {
        countyCode,
        regionCode: t.code,
        regionPath: t.path,
        level: 'institute',
        month,
        state,
        summary: `${t.name}本月共开展活动 ${figuresFor(t.path).activities} 场，参与志愿者 ${figuresFor(t.path).participants} 人次。`,
        figures: figuresFor(t.path),
        comment: state === 'accepted' ? '已审核' : null,
        submittedBy: creatorFor(t.path),
        submittedAt: new Date(submitAt.getTime() + 2 * 86400_000),
        reviewedAt: state === 'accepted' ? new Date(submitAt.getTime() + 3 * 86400_000) : null,
      },
      events: [
        {
          action: 'submit',
          actorUserId: creatorFor(t.path),
          actorName: '所管理员',
          at: new Date(submitAt.getTime() + 2 * 86400_000),
        },
        ...(state === 'accepted'
          ? [{ action: 'accept' as const, actorName: '刘文明', at: new Date(submitAt.getTime() + 3 * 86400_000) }]
          : []),
      ],
    });
  }

  // the certificate issuer of the demo county (PRODUCT.md §5: name, person in charge, handler, contact)
  await db
    .insert(settings)
    .values([
      { countyCode, key: 'certificates.issuerName', value: issuer.name },
      { countyCode, key: 'certificates.personInCharge', value: issuer.personInCharge },
      { countyCode, key: 'certificates.handler', value: issuer.handler },
      { countyCode, key: 'certificates.contact', value: issuer.contact },
    ])
    .onConflictDoNothing();

  await db.transaction(async (tx) => {
    if (stars.length) await tx.insert(starApplications).values(stars);
    for (const g of granted) await tx.update(volunteers).set({ starLevel: g.level }).where(eq(volunteers.id, g.id));
    if (certRows.length) await tx.insert(certificates).values(certRows);
    await tx.insert(counters).values({ countyCode, name: 'certificate', value: certRows.length }).onConflictDoNothing();
    for (const x of subs) {
      const [s] = await tx.insert(submissions).values(x.s).returning({ id: submissions.id });
      await tx.insert(submissionEvents).values(x.events.map((e) => ({ ...e, submissionId: s.id })));
    }
    await writeAudit(tx, actor, {
      action: 'star.import',
      entity: 'star_application',
      detail: { applications: stars.length, certificates: certRows.length, submissions: subs.length, source: 'demo' },
    });
  });
  const byState = rows.reduce<Record<string, number>>(
    (acc, x) => ({ ...acc, [x.a.state as string]: (acc[x.a.state as string] ?? 0) + 1 }),
    {},
  );
  const totalHours = Math.round(entries.reduce((s, e) => s + e.hours, 0));
  log(
    `活动：${rows.length} 场（${Object.entries(byState)
      .map(([k, v]) => `${k} ${v}`)
      .join('、')}），报名 ${signupIds.flat().length} 人次，认定时长 ${totalHours} 小时；` +
      `星级申请 ${stars.length} 条；证明 ${certRows.length} 份；月度报送 ${subs.length} 份；` +
      `年度计划 ${plans.length} 份（${county.name}）`,
  );
}
