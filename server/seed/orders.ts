import { and, asc, eq, sql } from 'drizzle-orm';
import type { Deps } from '../platform/context.js';
import {
  followUps,
  households,
  orderEvents,
  orders,
  regions,
  roleAssignments,
  serviceItems,
  teams,
  users,
  volunteers,
  type ItemField,
} from '../db/schema/index.js';
import { writeAudit, type Actor } from '../platform/audit.js';
import { maskPhone } from '../platform/crypto.js';
import { demoName } from './demo.js';
import { byDay, rng } from './random.js';
import type { LocalStaff } from './staff.js';

const f = (key: string, label: string, type: ItemField['type'], required: boolean, options?: string[]): ItemField => ({
  key,
  label,
  type,
  required,
  ...(options ? { options } : {}),
});

const countyMenu: { name: string; category: string; description: string; fields: ItemField[] }[] = [
  {
    name: '党的创新理论宣讲',
    category: 'theory',
    description: '宣讲团进村入户，用群众听得懂的话讲政策',
    fields: [f('audience', '预计听众人数', 'number', true), f('topic', '希望宣讲的主题', 'text', false)],
  },
  {
    name: '惠民政策解读',
    category: 'theory',
    description: '医保、养老、惠农补贴等政策的一对一解读',
    fields: [f('policy', '想了解的政策', 'multi', true, ['医保', '养老保险', '惠农补贴', '低保', '就业创业'])],
  },
  {
    name: '送戏下乡',
    category: 'culture',
    description: '豫剧、黄梅戏、小品等文艺演出进村',
    fields: [
      f('date', '期望演出日期', 'date', true),
      f('genre', '节目类型', 'single', false, ['豫剧', '黄梅戏', '小品相声', '歌舞']),
    ],
  },
  { name: '广场舞教学', category: 'culture', description: '文艺骨干到村教学广场舞、太极拳', fields: [] },
  {
    name: '课业辅导',
    category: 'education',
    description: '为留守儿童提供作业辅导和阅读陪伴',
    fields: [f('grade', '孩子年级', 'single', true, ['小学低年级', '小学高年级', '初中'])],
  },
  {
    name: '暑期托管',
    category: 'education',
    description: '暑假期间的托管、兴趣课程',
    fields: [f('children', '孩子人数', 'number', true)],
  },
  {
    name: '义诊体检',
    category: 'health',
    description: '医生进村测血压、血糖，健康咨询',
    fields: [
      f('people', '预计人数', 'number', true),
      f('items', '检查项目', 'multi', false, ['血压', '血糖', '心电图', '中医问诊']),
      f('date', '期望日期', 'date', false),
    ],
  },
  { name: '健康知识讲座', category: 'health', description: '慢病防治、急救常识讲座', fields: [] },
  {
    name: '农业技术培训',
    category: 'science',
    description: '茶叶、油茶、养殖等实用技术培训',
    fields: [f('crop', '作物或养殖品种', 'text', true)],
  },
  { name: '防诈骗科普', category: 'science', description: '针对老年人的防电信诈骗宣传', fields: [] },
  {
    name: '法律咨询',
    category: 'law',
    description: '律师、法律工作者提供免费法律咨询',
    fields: [f('kind', '问题类型', 'single', true, ['婚姻家庭', '土地承包', '劳动报酬', '邻里纠纷', '其他'])],
  },
  { name: '矛盾纠纷调解', category: 'law', description: '调解邻里、家庭矛盾', fields: [] },
  {
    name: '人居环境整治',
    category: 'environment',
    description: '清理房前屋后、河道垃圾',
    fields: [f('area', '需要整治的地点', 'text', true)],
  },
  { name: '垃圾分类指导', category: 'environment', description: '入户指导垃圾分类', fields: [] },
  {
    name: '困难家庭帮扶',
    category: 'poverty',
    description: '为困难家庭送物资、解难题',
    fields: [f('need', '需要的帮助', 'multi', true, ['生活物资', '就医陪护', '房屋修缮', '就业帮扶'])],
  },
  { name: '代买代办', category: 'poverty', description: '为独居老人、残疾人代买生活用品、代办事项', fields: [] },
  {
    name: '家电维修',
    category: 'poverty',
    description: '上门维修电视、电饭煲等小家电',
    fields: [f('appliance', '家电', 'text', true)],
  },
];

const needs: Record<string, string[]> = {
  theory: ['村里老人想听听今年的惠民政策', '希望来讲讲乡村振兴的新政策', '党员冬训需要宣讲'],
  culture: ['村里过年想热闹热闹，请个戏班子', '妇女们想学新的广场舞', '重阳节想办个文艺演出'],
  education: ['孙子作业没人辅导', '留守孩子暑假没人照看', '想请大学生志愿者辅导数学'],
  health: ['老人血压高想量一量', '村里老人多，想做个体检', '想了解冬季防病知识'],
  science: ['油茶树生虫了，想请技术员看看', '想学养鸡技术', '老人总接到诈骗电话'],
  law: ['承包地边界有纠纷', '打工工资被拖欠', '邻居家排水冲到我家'],
  environment: ['村口垃圾堆放太久', '河道里有塑料垃圾', '房前屋后杂物需要清理'],
  poverty: ['独居老人需要买米面油', '电视坏了没人修', '老房子漏雨需要修缮'],
};

/** A year of orders through every state, some overdue, rated and with follow-ups, plus the menu and households. */
export async function seedOrders(
  deps: Deps,
  countyCode: string,
  actor: Actor,
  log: (s: string) => void,
  local: LocalStaff,
) {
  const db = deps.database.db;
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(serviceItems)
    .where(eq(serviceItems.countyCode, countyCode));
  if (n > 0) return;
  const r = rng(Number(countyCode) + 4);
  const now = deps.clock.now();
  const all = await db.select().from(regions).where(eq(regions.countyCode, countyCode)).orderBy(asc(regions.code));
  const county = all.find((x) => x.level === 'county')!;
  const towns = all.filter((x) => x.level === 'town');
  const villages = all.filter((x) => x.level === 'village');
  const allTeams = await db.select().from(teams).where(eq(teams.countyCode, countyCode));

  const items = await db
    .insert(serviceItems)
    .values(
      countyMenu.map((m) => ({
        ...m,
        countyCode,
        regionCode: county.code,
        regionPath: county.path,
        providerTeamIds: allTeams.filter((t) => t.level === 'brigade' && t.category === m.category).map((t) => t.id),
        createdAt: new Date(now.getTime() - 400 * 86400_000),
      })),
    )
    .returning();
  const townItems = await db
    .insert(serviceItems)
    .values(
      towns.slice(0, 6).map((t) => ({
        countyCode,
        regionCode: t.code,
        regionPath: t.path,
        name: `${t.name}红色故事宣讲`,
        category: 'theory',
        description: `${t.name}本地红色资源讲解、红色故事宣讲`,
        fields: [],
        providerTeamIds: allTeams.filter((x) => x.regionCode === t.code && x.category === 'theory').map((x) => x.id),
        createdAt: new Date(now.getTime() - 300 * 86400_000),
      })),
    )
    .returning();
  const menu = [...items, ...townItems];

  // households registered by staff for people without smartphones
  const hhRows = Array.from({ length: 240 }, () => {
    const v = r.pick(villages);
    const phone = r.chance(0.4) ? `13${r.int(0, 9)}${String(r.int(0, 99999999)).padStart(8, '0')}` : null;
    return {
      countyCode,
      regionCode: v.code,
      regionPath: v.path,
      headName: demoName(r),
      address: `${v.name}${r.int(1, 12)}组${r.int(1, 60)}号`,
      memberCount: r.int(1, 6),
      phoneHash: phone ? deps.crypto.lookupHash('phone', phone) : null,
      phoneEnc: phone ? deps.crypto.encrypt(phone) : null,
      phoneMasked: phone ? maskPhone(phone) : null,
      note: r.chance(0.3) ? r.pick(['独居老人', '留守老人', '残疾人家庭', '低保户']) : '',
      createdBy: local.of(v.code).id,
      createdAt: new Date(now.getTime() - r.int(200, 500) * 86400_000),
    };
  });
  const hh = await db.insert(households).values(hhRows).returning();

  // the residents who order: the demo residents and households
  const residents = await db
    .select({ id: users.id, name: users.name, regionCode: users.regionCode })
    .from(users)
    .innerJoin(roleAssignments, eq(roleAssignments.userId, users.id))
    .where(and(eq(roleAssignments.roleCode, 'resident'), eq(users.countyCode, countyCode)));
  const staff = await db
    .select({ id: users.id, name: users.name, regionCode: roleAssignments.regionCode, role: roleAssignments.roleCode })
    .from(users)
    .innerJoin(roleAssignments, eq(roleAssignments.userId, users.id))
    .where(sql`${roleAssignments.roleCode} in ('county_admin','institute_admin','station_admin')`);
  const demoVolunteers = await db
    .select({ id: volunteers.id, userId: volunteers.userId, name: volunteers.name })
    .from(volunteers)
    .where(and(eq(volunteers.countyCode, countyCode), sql`${volunteers.userId} is not null`));
  const staffName = (path: string) =>
    staff.find((s) => s.regionCode && path.includes(`/${s.regionCode}/`) && s.role !== 'station_admin')?.name ??
    '县中心管理员';
  const staffId = (path: string) =>
    staff.find((s) => s.regionCode && path.includes(`/${s.regionCode}/`) && s.role !== 'station_admin')?.id ?? null;

  type O = typeof orders.$inferInsert;
  type E = typeof orderEvents.$inferInsert & { at: Date };
  const orderRows: (O & { _events: Omit<E, 'orderId'>[]; _follow?: string })[] = [];
  const total = 720;
  for (let i = 0; i < total; i++) {
    const age = Math.floor(r.next() ** 1.3 * 365 * 86400_000);
    const submittedAt = byDay(now.getTime() - age - r.int(0, 3600_000), now);
    const byResident = i % 9 === 0 && residents.length > 0;
    const res = byResident ? residents[i % residents.length] : null;
    const h = byResident ? null : r.pick(hh);
    const regionCode = res?.regionCode ?? h!.regionCode;
    const region = villages.find((v) => v.code === regionCode) ?? r.pick(villages);
    const item = r.chance(0.1)
      ? (townItems.find((t) => region.path.startsWith(t.regionPath)) ?? r.pick(items))
      : r.pick(items);
    const answers: Record<string, unknown> = {};
    for (const fl of item.fields) {
      if (!fl.required && r.chance(0.5)) continue;
      answers[fl.key] =
        fl.type === 'number'
          ? r.int(3, 60)
          : fl.type === 'date'
            ? new Date(submittedAt.getTime() + r.int(2, 20) * 86400_000).toISOString().slice(0, 10)
            : fl.type === 'single'
              ? r.pick(fl.options!)
              : fl.type === 'multi'
                ? r.sample(fl.options!, r.int(1, 2))
                : r.pick(['村委会', '村文化广场', '二组', '老年活动中心']);
    }
    const proxy = h ? staffId(region.path) : null;
    const o: O & { _events: Omit<E, 'orderId'>[]; _follow?: string } = {
      countyCode,
      regionCode: region.code,
      regionPath: region.path,
      serviceItemId: item.id,
      residentUserId: res?.id ?? null,
      householdId: h?.id ?? null,
      proxyUserId: proxy,
      contactName: res?.name ?? h!.headName,
      description: r.pick(needs[item.category] ?? ['需要帮助']),
      address: h?.address ?? `${region.name}`,
      answers,
      state: 'submitted',
      stepStartedAt: submittedAt,
      submittedAt,
      createdAt: submittedAt,
      updatedAt: submittedAt,
      _events: [],
    };
    o._events.push({
      action: proxy ? 'proxy_submit' : 'submit',
      fromState: null,
      toState: 'submitted',
      actorName: proxy ? staffName(region.path) : o.contactName,
      actorUserId: proxy ?? res?.id ?? null,
      at: submittedAt,
      note: proxy ? `${staffName(region.path)}代${o.contactName}点单` : '',
    });
    const ageDays = age / 86400_000;
    // what happened next depends on how old the order is
    const roll = r.next();
    let t = submittedAt.getTime();
    const step = (hours: number) => {
      t = byDay(t + hours * 3600_000 * (0.5 + r.next()), now).getTime();
      return new Date(t);
    };
    if (roll < 0.04) {
      const at = step(10);
      Object.assign(o, { state: 'rejected', stepStartedAt: at });
      o._events.push({
        action: 'reject',
        fromState: 'submitted',
        toState: 'rejected',
        actorName: staffName(region.path),
        at,
        note: '不属于志愿服务范围，已转交村委会办理',
      });
      orderRows.push(o);
      continue;
    }
    if (roll < 0.08) {
      const at = step(6);
      Object.assign(o, { state: 'cancelled', stepStartedAt: at });
      o._events.push({
        action: 'cancel',
        fromState: 'submitted',
        toState: 'cancelled',
        actorName: o.contactName,
        at,
        note: '问题已自行解决',
      });
      orderRows.push(o);
      continue;
    }
    if (ageDays < 3 && roll < 0.35) {
      if (ageDays > 1) Object.assign(o, { overdue: true, escalationLevel: ageDays > 2 ? 2 : 1 });
      if (o.overdue)
        o._events.push({
          action: 'escalate',
          fromState: 'submitted',
          toState: 'submitted',
          actorName: '系统',
          at: byDay(submittedAt.getTime() + 24 * 3600_000, now),
          note: '超过 24 小时未派单，上报所',
        });
      orderRows.push(o);
      continue;
    }
    // dispatch
    const demoPick = demoVolunteers.length && r.chance(0.06) ? r.pick(demoVolunteers) : null;
    const teamPool = allTeams.filter(
      (x) => x.leaderVolunteerId && x.category === item.category && region.path.startsWith(x.regionPath),
    );
    const team = teamPool.length ? r.pick(teamPool) : r.pick(allTeams.filter((x) => x.leaderVolunteerId));
    const target = demoPick
      ? { type: 'volunteer' as const, id: demoPick.id, name: `志愿者${demoPick.name}` }
      : r.chance(0.12)
        ? { type: 'pool' as const, id: null, name: '抢单池' }
        : { type: 'team' as const, id: team.id, name: team.name };
    const dispatchedAt = step(ageDays < 5 ? 4 : 14);
    Object.assign(o, {
      state: 'dispatched',
      targetType: target.type,
      targetId: target.id,
      dispatchedAt,
      stepStartedAt: dispatchedAt,
    });
    o._events.push({
      action: 'dispatch',
      fromState: 'submitted',
      toState: 'dispatched',
      actorName: staffName(region.path),
      at: dispatchedAt,
      note: `派给${target.name}`,
      data: { target },
    });
    if (ageDays < 4 && r.chance(0.4)) {
      if (ageDays > 2.5) Object.assign(o, { overdue: true, escalationLevel: 1 });
      orderRows.push(o);
      continue;
    }
    const acceptedAt = step(10);
    const acceptorVol =
      demoPick ??
      (target.type === 'team'
        ? { id: team.leaderVolunteerId!, userId: null, name: '队长' }
        : r.pick(
            demoVolunteers.length ? demoVolunteers : [{ id: team.leaderVolunteerId!, userId: null, name: '队长' }],
          ));
    Object.assign(o, {
      state: 'accepted',
      acceptedAt,
      stepStartedAt: acceptedAt,
      acceptedVolunteerId: acceptorVol.id,
      acceptedUserId: acceptorVol.userId ?? null,
      acceptedTeamId: target.type === 'team' ? team.id : null,
    });
    o._events.push({
      action: 'accept',
      fromState: 'dispatched',
      toState: 'accepted',
      actorName: target.type === 'team' ? `${team.name}队长` : acceptorVol.name,
      at: acceptedAt,
      note: '',
    });
    if (ageDays < 4 && r.chance(0.3)) {
      orderRows.push(o);
      continue;
    }
    const startedAt = step(20);
    Object.assign(o, { state: 'in_service', stepStartedAt: startedAt });
    o._events.push({
      action: 'start',
      fromState: 'accepted',
      toState: 'in_service',
      actorName: o._events.at(-1)!.actorName,
      at: startedAt,
      note: '',
    });
    if (ageDays < 5 && r.chance(0.3)) {
      orderRows.push(o);
      continue;
    }
    const completedAt = step(30);
    const hours = r.int(1, 8) / 2 + 0.5;
    Object.assign(o, {
      state: 'completed',
      completedAt,
      stepStartedAt: completedAt,
      summary: `已上门服务，${r.pick(['群众很满意', '问题已解决', '已送达物资', '已完成讲解'])}`,
      hours: String(hours),
    });
    o._events.push({
      action: 'complete',
      fromState: 'in_service',
      toState: 'completed',
      actorName: o._events.at(-1)!.actorName,
      at: completedAt,
      note: o.summary as string,
    });
    const sinceDone = (now.getTime() - completedAt.getTime()) / 86400_000;
    if (sinceDone < 7 && r.chance(0.5)) {
      orderRows.push(o);
      continue;
    }
    if (r.chance(0.75)) {
      const score = r.chance(0.6) ? 5 : r.chance(0.6) ? 4 : r.chance(0.5) ? 3 : r.chance(0.6) ? 2 : 1;
      const ratedAt = byDay(completedAt.getTime() + r.int(1, 72) * 3600_000, now);
      const comment =
        score >= 4
          ? r.pick(['志愿者很热心', '服务很及时，谢谢', '解决了大问题', ''])
          : score === 3
            ? '还可以，来得有点晚'
            : r.pick(['等了很久才来', '问题没有完全解决']);
      Object.assign(o, { state: 'rated', score, comment, ratedAt, stepStartedAt: ratedAt });
      o._events.push({
        action: 'rate',
        fromState: 'completed',
        toState: 'rated',
        actorName: o.contactName,
        at: ratedAt,
        note: `${['', '非常不满意', '不满意', '基本满意', '满意', '非常满意'][score]}${comment ? `：${comment}` : ''}`,
      });
      if (score <= 2) o._follow = `群众评价“${['', '非常不满意', '不满意'][score]}”：${comment}`;
      if (sinceDone > 7) {
        const closedAt = byDay(completedAt.getTime() + 7 * 86400_000 + 3600_000, now);
        Object.assign(o, { state: 'closed', closedAt, stepStartedAt: closedAt });
        o._events.push({
          action: 'close',
          fromState: 'rated',
          toState: 'closed',
          actorName: '系统',
          at: closedAt,
          note: '评价后期满关闭',
        });
      }
    } else if (sinceDone > 7) {
      const closedAt = byDay(completedAt.getTime() + 7 * 86400_000 + 3600_000, now);
      Object.assign(o, { state: 'closed', score: 4, autoRated: true, closedAt, stepStartedAt: closedAt });
      o._events.push({
        action: 'auto_close',
        fromState: 'completed',
        toState: 'closed',
        actorName: '系统',
        at: closedAt,
        note: '7 天内未评价，默认“满意”并关闭',
      });
    }
    orderRows.push(o);
  }
  await db.transaction(async (tx) => {
    for (let i = 0; i < orderRows.length; i += 200) {
      const chunk = orderRows.slice(i, i + 200);
      const inserted = await tx
        .insert(orders)
        .values(chunk.map(({ _events: _e, _follow: _f, ...o }) => o))
        .returning({ id: orders.id });
      const events = chunk.flatMap((o, j) => o._events.map((e) => ({ ...e, orderId: inserted[j].id })));
      await tx.insert(orderEvents).values(events);
      const fus = chunk.map((o, j) => ({ o, id: inserted[j].id })).filter((x) => x.o._follow);
      if (fus.length) {
        await tx.insert(followUps).values(
          fus.map(({ o, id }, k) => {
            const closed = k % 3 !== 0;
            return {
              orderId: id,
              countyCode,
              regionCode: o.regionCode,
              regionPath: o.regionPath,
              reason: o._follow!,
              state: closed ? ('closed' as const) : ('open' as const),
              openedAt: o.ratedAt as Date,
              closedAt: closed ? byDay((o.ratedAt as Date).getTime() + 2 * 86400_000, now) : null,
              result: closed ? '已电话回访，重新安排志愿者上门，群众表示认可' : null,
            };
          }),
        );
      }
    }
    await writeAudit(tx, actor, {
      action: 'order.import',
      entity: 'order',
      detail: { count: orderRows.length, source: 'demo' },
    });
  });
  const byState = orderRows.reduce<Record<string, number>>(
    (a, o) => ({ ...a, [o.state as string]: (a[o.state as string] ?? 0) + 1 }),
    {},
  );
  log(
    `服务菜单：${menu.length} 项；代登记群众户：${hh.length} 户；点单：${orderRows.length} 单（${Object.entries(byState)
      .map(([k, v]) => `${k} ${v}`)
      .join('、')}）`,
  );
}
