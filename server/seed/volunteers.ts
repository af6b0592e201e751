import { and, asc, eq, sql } from 'drizzle-orm';
import type { Deps } from '../platform/context.js';
import { consents, regions, roleAssignments, teamMembers, teams, users, volunteers } from '../db/schema/index.js';
import { writeAudit, type Actor } from '../platform/audit.js';
import { checkChar } from '../platform/idcard.js';
import {
  consentPurposes,
  nameKeys,
  nextVolunteerNumbers,
  politicalStatuses,
  protectedColumns,
  standingCategories,
} from '../modules/volunteers/service.js';
import { demoName } from './demo.js';
import { rng } from './random.js';

const skills = [
  '宣讲',
  '书法',
  '摄影',
  '驾驶',
  '急救',
  '厨艺',
  '电工',
  '理发',
  '法律咨询',
  '心理疏导',
  '文艺演出',
  '广场舞',
  '农技',
  '医护',
  '家电维修',
  '计算机',
  '教学辅导',
];
const categoryCodes = Object.keys(standingCategories);
const education = ['小学', '初中', '高中', '中专', '大专', '本科', '研究生'];
const occupations = ['农民', '教师', '医生', '退休干部', '个体户', '学生', '村干部', '企业职工', '公务员', '务工人员'];
/** China Mobile / Unicom / Telecom prefixes after the leading 1 (demo phone numbers). */
const mobilePrefixes = ['35', '36', '37', '38', '39', '50', '51', '52', '58', '59', '87', '88'];

function idNumber(
  r: ReturnType<typeof rng>,
  county: string,
  used: Set<string>,
  ageMin: number,
  ageMax: number,
  year: number,
) {
  for (;;) {
    const age = r.int(ageMin, ageMax);
    const y = year - age;
    const m = r.int(1, 12);
    const d = r.int(1, 28);
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const first17 = `${county}${y}${pad(m, 2)}${pad(d, 2)}${pad(r.int(1, 999), 3)}`;
    const id = first17 + checkChar(first17);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

/** About 3,000 volunteers (a realistic share not yet verified) and about 60 teams across the county. */
export async function seedVolunteers(deps: Deps, countyCode: string, actor: Actor, log: (s: string) => void) {
  const dbx = deps.database.db;
  const [{ n }] = await dbx
    .select({ n: sql<number>`count(*)::int` })
    .from(volunteers)
    .where(eq(volunteers.countyCode, countyCode));
  if (n > 0) return;
  const r = rng(Number(countyCode) + 3);
  const now = deps.clock.now();
  const year = now.getUTCFullYear();
  const all = await dbx.select().from(regions).where(eq(regions.countyCode, countyCode)).orderBy(asc(regions.code));
  const county = all.find((x) => x.level === 'county')!;
  const towns = all.filter((x) => x.level === 'town');
  const villages = all.filter((x) => x.level === 'village');
  const used = new Set<string>();
  const xinji = towns.find((t) => t.code === `${countyCode}100`) ?? towns[0];

  // the demo volunteer accounts get their volunteer records first
  const demoUsers = await dbx
    .select({ id: users.id, name: users.name, regionCode: users.regionCode, phoneEnc: users.phoneEnc })
    .from(users)
    .innerJoin(roleAssignments, eq(roleAssignments.userId, users.id))
    .where(and(eq(roleAssignments.roleCode, 'volunteer'), eq(users.countyCode, countyCode)))
    .orderBy(asc(users.createdAt));

  type NewVolunteer = typeof volunteers.$inferInsert;
  const rows: NewVolunteer[] = [];
  const total = 3000;
  const numbers = await dbx.transaction((tx) => nextVolunteerNumbers(tx, countyCode, total));
  for (let i = 0; i < total; i++) {
    const demo = demoUsers[i];
    const village = demo?.regionCode
      ? (villages.find((v) => v.code === demo.regionCode) ?? r.pick(villages))
      : i < 600
        ? r.pick(villages.filter((v) => v.parentCode === xinji.code))
        : r.pick(villages);
    const minor = !demo && r.chance(0.03);
    const id = idNumber(r, countyCode, used, minor ? 15 : 19, minor ? 17 : 72, year);
    const name = demo?.name ?? demoName(r);
    const phone = demo
      ? deps.crypto.decrypt(demo.phoneEnc)
      : r.chance(0.92)
        ? `1${r.pick(mobilePrefixes)}${String(r.int(0, 99999999)).padStart(8, '0')}`
        : null;
    const verified = demo ? true : r.chance(0.72);
    const createdAt = new Date(now.getTime() - r.int(1, 900) * 86400_000);
    rows.push({
      countyCode,
      regionCode: village.code,
      regionPath: village.path,
      userId: demo?.id ?? null,
      volunteerNo: numbers[i],
      name,
      ...nameKeys(name),
      gender: Number(id[16]) % 2 ? 'male' : 'female',
      birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
      ...protectedColumns(deps.crypto, id, phone, minor ? `139${String(r.int(0, 99999999)).padStart(8, '0')}` : null),
      verified,
      verifiedAt: verified ? createdAt : null,
      skills: r.sample(skills, r.int(0, 3)),
      categories: r.sample(categoryCodes, r.int(1, 3)),
      availability: r.pick(['周末', '工作日晚上', '随时', '农闲时节', '节假日']),
      serviceArea: r.chance(0.5) ? village.name : '',
      politicalStatus: r.pick([...politicalStatuses, '群众', '群众']),
      education: r.pick(education),
      occupation: minor ? '学生' : r.pick(occupations),
      guardianName: minor ? demoName(r) : null,
      guardianRelation: minor ? r.pick(['父亲', '母亲']) : null,
      source: demo ? 'self' : r.pick(['staff', 'staff', 'import', 'self'] as const),
      createdAt,
      updatedAt: createdAt,
    });
  }
  const ids = await dbx.transaction(async (tx) => {
    const out: { id: string; regionPath: string; createdAt: Date; userId: string | null; source: string }[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      out.push(
        ...(await tx
          .insert(volunteers)
          .values(rows.slice(i, i + 500))
          .returning({
            id: volunteers.id,
            regionPath: volunteers.regionPath,
            createdAt: volunteers.createdAt,
            userId: volunteers.userId,
            source: volunteers.source,
          })),
      );
    }
    for (let i = 0; i < out.length; i += 1000) {
      await tx.insert(consents).values(
        out.slice(i, i + 1000).map((v) => ({
          countyCode,
          subjectType: 'volunteer',
          subjectId: v.id,
          purpose: 'registration',
          version: consentPurposes.registration.version,
          grantedBy: v.source === 'self' ? ('self' as const) : ('staff_on_paper' as const),
          at: v.createdAt,
        })),
      );
    }
    await writeAudit(tx, actor, {
      action: 'volunteer.import',
      entity: 'volunteer',
      detail: { count: out.length, source: 'demo' },
    });
    return out;
  });
  log(`志愿者：${ids.length} 名（已实名核验 ${rows.filter((x) => x.verified).length} 名）`);

  // teams: a county corps, a brigade per standing category, and squads in the towns
  type NewTeam = typeof teams.$inferInsert;
  const catNames = standingCategories as Record<string, string>;
  const corps: NewTeam = {
    countyCode,
    regionCode: county.code,
    regionPath: county.path,
    level: 'corps',
    category: 'theory',
    name: `${county.name}新时代文明实践志愿服务总队`,
    isBrand: true,
    description: '全县志愿服务队伍的总队，统筹各支队、分队开展志愿服务。',
    createdAt: new Date(now.getTime() - 1000 * 86400_000),
  };
  const [corpsRow] = await dbx.insert(teams).values(corps).returning();
  const brigades = await dbx
    .insert(teams)
    .values(
      categoryCodes.map((c) => ({
        countyCode,
        regionCode: county.code,
        regionPath: county.path,
        level: 'brigade' as const,
        category: c,
        parentId: corpsRow.id,
        name: `${county.name}${catNames[c].replace(/服务$/, '')}志愿服务支队`,
        isBrand: c === 'theory' || c === 'health',
        description: `${catNames[c]}方向的县级支队。`,
        createdAt: new Date(now.getTime() - r.int(400, 900) * 86400_000),
      })),
    )
    .returning();
  const squads: NewTeam[] = [];
  const squadKinds = [
    ['theory', '红色宣讲'],
    ['environment', '美丽乡村'],
    ['culture', '文艺'],
    ['poverty', '爱心帮扶'],
    ['health', '健康义诊'],
    ['education', '助学'],
  ] as const;
  for (const t of towns) {
    const kinds = t.code === xinji.code ? squadKinds.slice(0, 4) : r.sample(squadKinds, 3);
    for (const [cat, label] of kinds) {
      if (squads.length >= 51) break;
      const parent = brigades.find((b) => b.category === cat)!;
      squads.push({
        countyCode,
        regionCode: t.code,
        regionPath: t.path,
        level: 'squad',
        category: cat,
        parentId: parent.id,
        name: `${t.name}${label}志愿服务分队`,
        isBrand: r.chance(0.1),
        description: `${t.name}的${catNames[cat]}分队。`,
        createdAt: new Date(now.getTime() - r.int(60, 800) * 86400_000),
      });
    }
  }
  const squadRows = await dbx.insert(teams).values(squads).returning();
  const allTeams = [corpsRow, ...brigades, ...squadRows];

  // members: squads draw from their town, brigades from the whole county; the first member leads
  const memberRows: (typeof teamMembers.$inferInsert)[] = [];
  const leaders = new Map<string, string>();
  const demoVolunteerIds = ids.filter((v) => v.userId).map((v) => v.id);
  for (const t of allTeams) {
    const pool = ids.filter((v) => v.regionPath.startsWith(t.regionPath));
    const members = r.sample(pool, t.level === 'squad' ? r.int(8, 40) : r.int(15, 50));
    if (t.regionCode === xinji.code && t.name.includes('红色宣讲'))
      for (const d of demoVolunteerIds)
        if (!members.some((m) => m.id === d)) members.push(ids.find((v) => v.id === d)!);
    for (const m of members)
      memberRows.push({
        teamId: t.id,
        volunteerId: m.id,
        status: 'active',
        requestedAt: t.createdAt!,
        decidedAt: t.createdAt!,
      });
    // the first demo volunteer leads 新集镇's 美丽乡村 squad, so the H5 leader view has something to show
    const leadsDemo = t.regionCode === xinji.code && t.name.includes('美丽乡村') && demoVolunteerIds[0];
    if (leadsDemo && !members.some((m) => m.id === demoVolunteerIds[0]))
      members.push(ids.find((v) => v.id === demoVolunteerIds[0])!);
    const leader = leadsDemo
      ? ids.find((v) => v.id === demoVolunteerIds[0])!
      : (members.find((m) => !demoVolunteerIds.includes(m.id)) ?? members[0]);
    if (leader) leaders.set(t.id, leader.id);
    // a few pending join requests to review
    for (const p of r.sample(
      pool.filter((v) => !members.includes(v)),
      leadsDemo ? 2 : r.chance(0.3) ? r.int(1, 3) : 0,
    ))
      memberRows.push({
        teamId: t.id,
        volunteerId: p.id,
        status: 'pending',
        requestedAt: new Date(now.getTime() - r.int(1, 10) * 86400_000),
      });
  }
  await dbx.transaction(async (tx) => {
    for (let i = 0; i < memberRows.length; i += 1000)
      await tx
        .insert(teamMembers)
        .values(memberRows.slice(i, i + 1000))
        .onConflictDoNothing();
    for (const [teamId, volunteerId] of leaders)
      await tx.update(teams).set({ leaderVolunteerId: volunteerId }).where(eq(teams.id, teamId));
    await writeAudit(tx, actor, {
      action: 'team.import',
      entity: 'team',
      detail: { teams: allTeams.length, members: memberRows.length, source: 'demo' },
    });
  });
  log(
    `志愿服务队：${allTeams.length} 支（总队 1、支队 ${brigades.length}、分队 ${squadRows.length}），队员关系 ${memberRows.length} 条`,
  );
}
