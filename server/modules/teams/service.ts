import { and, asc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { regions, sites, teamCategories, teamMembers, teams, volunteers } from '../../db/schema/index.js';
import { AppError, duplicate, forbidden, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { clearAuthCache } from '../../platform/auth.js';
import { offsetPage } from '../../platform/lists.js';
import {
  countyPath,
  escapeLike,
  inScope,
  leadsTeam,
  regionInScope,
  teamAccess,
  townPath,
  visibleTeamIds,
  type Scope,
} from '../../platform/scope.js';
import { requireRegion } from '../regions/service.js';
import { getSetting } from '../settings/service.js';
import { knownCategories, standingCategories, volunteerScope } from '../volunteers/service.js';

export const teamLevels = { corps: '总队', brigade: '支队', squad: '分队' } as const;
export type TeamLevel = keyof typeof teamLevels;
const levelRank: Record<TeamLevel, number> = { corps: 0, brigade: 1, squad: 2 };

/**
 * When a team last did something. Later modules (activities, orders) add their sources here, so "inactive" is
 * always computed from the records themselves, never stored.
 */
const activitySources: ((teamId: SQL) => SQL)[] = [];
export function registerTeamActivitySource(source: (teamId: SQL) => SQL) {
  activitySources.push(source);
}
const lastActiveAt = (teamId: SQL): SQL =>
  activitySources.length
    ? sql`greatest(${sql.join(
        activitySources.map((s) => sql`(${s(teamId)})`),
        sql`, `,
      )})`
    : sql`null::timestamptz`;

/** Who may see a team: its region in scope, or the caller leads or belongs to it. */
/** Teams the caller sees: those in their scope, and those they lead or belong to (from the scope's team access). */
function teamScope(scope: Scope): SQL {
  const base = inScope(scope, { path: teams.regionPath, regionCode: teams.regionCode });
  const mine = visibleTeamIds(scope);
  return mine.length ? or(base, inArray(teams.id, mine))! : base;
}

export async function categoryList(db: DbOrTx, countyCode: string) {
  const custom = await db
    .select()
    .from(teamCategories)
    .where(eq(teamCategories.countyCode, countyCode))
    .orderBy(asc(teamCategories.createdAt));
  return [
    ...Object.entries(standingCategories).map(([code, name]) => ({ code, name, standing: true })),
    ...custom.map((c) => ({ code: c.code, name: c.name, standing: false })),
  ];
}

export async function addCategory(db: Db, actor: Actor, countyCode: string, input: { code: string; name: string }) {
  const cats = await knownCategories(db, countyCode);
  if (cats.has(input.code)) throw duplicate(`类别编码 ${input.code} 已存在`, 'code');
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(teamCategories)
      .values({ countyCode, ...input })
      .returning();
    await writeAudit(
      tx,
      { ...actor, countyCode },
      { action: 'team.category.create', entity: 'team_category', entityId: input.code, after: row },
    );
    return { code: row.code, name: row.name, standing: false };
  });
}

export type TeamFilter = {
  q?: string;
  level?: TeamLevel;
  category?: string;
  regionCode?: string;
  parentId?: string;
  inactive?: boolean;
  isBrand?: boolean;
  page: number;
  pageSize: number;
};

const teamColumns = (now: Date, inactiveDays: number) => {
  const last = lastActiveAt(sql`"teams"."id"`);
  const since = new Date(now.getTime() - inactiveDays * 86400_000).toISOString();
  return {
    id: teams.id,
    name: teams.name,
    level: teams.level,
    category: teams.category,
    regionCode: teams.regionCode,
    regionName: regions.name,
    siteId: teams.siteId,
    parentId: teams.parentId,
    leaderVolunteerId: teams.leaderVolunteerId,
    isBrand: teams.isBrand,
    description: teams.description,
    createdAt: teams.createdAt,
    leaderName: sql<string | null>`(select v.name from volunteers v where v.id = "teams"."leader_volunteer_id")`,
    customCategoryName: sql<
      string | null
    >`(select c.name from team_categories c where c.county_code = "teams"."county_code"
      and c.code = "teams"."category")`,
    memberCount: sql<number>`(select count(*)::int from team_members m
      where m.team_id = "teams"."id" and m.status = 'active')`,
    pendingCount: sql<number>`(select count(*)::int from team_members m
      where m.team_id = "teams"."id" and m.status = 'pending')`,
    lastActiveAt: sql<Date | null>`${last}`.mapWith(teams.createdAt),
    inactive: sql<boolean>`coalesce(${last} < ${since}::timestamptz, "teams"."created_at" < ${since}::timestamptz)`,
  };
};

export async function listTeams(db: DbOrTx, scope: Scope, countyCode: string, now: Date, f: TeamFilter) {
  const inactiveDays = await getSetting<number>(db, countyCode, 'teams.inactiveDays');
  const cols = teamColumns(now, inactiveDays);
  const conds: SQL[] = [teamScope(scope)];
  if (f.q) conds.push(ilike(teams.name, `%${escapeLike(f.q)}%`));
  if (f.level) conds.push(eq(teams.level, f.level));
  if (f.category) conds.push(eq(teams.category, f.category));
  if (f.regionCode) conds.push(sql`${teams.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
  if (f.parentId) conds.push(eq(teams.parentId, f.parentId));
  if (f.isBrand !== undefined) conds.push(eq(teams.isBrand, f.isBrand));
  if (f.inactive !== undefined) conds.push(f.inactive ? sql`${cols.inactive}` : sql`not ${cols.inactive}`);
  const { rows, total } = await offsetPage(db, {
    from: teams,
    rows: () => db.select(cols).from(teams).innerJoin(regions, eq(regions.code, teams.regionCode)),
    where: and(...conds),
    order: [asc(teams.regionPath), asc(teams.level), asc(teams.name)],
    filter: f,
  });
  return { items: rows.map(withLabels), total, page: f.page, pageSize: f.pageSize, inactiveDays };
}

const withLabels = <T extends { level: TeamLevel; category: string; customCategoryName?: string | null }>({
  customCategoryName,
  ...t
}: T) => ({
  ...t,
  levelName: teamLevels[t.level],
  categoryName: (standingCategories as Record<string, string>)[t.category] ?? customCategoryName ?? t.category,
});

/** The whole tree of teams visible to the caller (总队 → 支队 → 分队), for the tree view. */
export async function teamTree(db: DbOrTx, scope: Scope, countyCode: string, now: Date) {
  const all = await listTeams(db, scope, countyCode, now, { page: 1, pageSize: 100000 });
  type Node = (typeof all.items)[number] & { children: Node[] };
  const byId = new Map<string, Node>(all.items.map((t) => [t.id, { ...t, children: [] }]));
  const roots: Node[] = [];
  for (const n of byId.values()) {
    const parent = n.parentId ? byId.get(n.parentId) : undefined;
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  return { items: roots };
}

export async function getTeam(db: DbOrTx, scope: Scope, countyCode: string, now: Date, id: string) {
  const inactiveDays = await getSetting<number>(db, countyCode, 'teams.inactiveDays');
  const [row] = await db
    .select(teamColumns(now, inactiveDays))
    .from(teams)
    .innerJoin(regions, eq(regions.code, teams.regionCode))
    .where(and(eq(teams.id, id), teamScope(scope)));
  if (!row) throw notFound('志愿服务队');
  const [site] = row.siteId
    ? await db.select({ id: sites.id, name: sites.name }).from(sites).where(eq(sites.id, row.siteId))
    : [];
  const [parent] = row.parentId
    ? await db
        .select({ id: teams.id, name: teams.name, level: teams.level })
        .from(teams)
        .where(eq(teams.id, row.parentId))
    : [];
  const children = await db
    .select({ id: teams.id, name: teams.name, level: teams.level })
    .from(teams)
    .where(eq(teams.parentId, id))
    .orderBy(asc(teams.name));
  return { ...withLabels(row), site: site ?? null, parent: parent ?? null, children };
}

export type TeamInput = {
  name: string;
  level: TeamLevel;
  category: string;
  regionCode: string;
  parentId?: string | null;
  siteId?: string | null;
  leaderVolunteerId?: string | null;
  isBrand?: boolean;
  description?: string;
};

async function checkTeam(
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  regionPath: string,
  input: Partial<TeamInput>,
  self?: { id: string; level: TeamLevel },
) {
  if (input.category !== undefined && !(await knownCategories(db, countyCode)).has(input.category))
    throw invalid('category', `未知的服务类别：${input.category}`);
  const level = input.level ?? self?.level;
  if (input.parentId) {
    // a parent may sit higher up the region tree (a county brigade over a town squad)
    const [p] = await db
      .select()
      .from(teams)
      .where(and(eq(teams.id, input.parentId), eq(teams.countyCode, countyCode)));
    if (!p || !(regionInScope(scope, p.regionPath) || regionPath.startsWith(p.regionPath)))
      throw invalid('parentId', '上级队伍不存在或不在您的管理范围内');
    if (level && levelRank[p.level] >= levelRank[level])
      throw invalid('parentId', `${teamLevels[level]}的上级应为更高一级的队伍`);
    if (self && (p.id === self.id || (await isDescendant(db, p.id, self.id))))
      throw invalid('parentId', '不能把队伍挂到自己或下级队伍之下');
  }
  if (input.siteId) {
    const [s] = await db
      .select({ id: sites.id })
      .from(sites)
      .where(and(eq(sites.id, input.siteId), inScope(scope, { path: sites.regionPath, regionCode: sites.regionCode })));
    if (!s) throw invalid('siteId', '阵地不存在或不在您的管理范围内');
  }
  if (input.leaderVolunteerId) {
    const [v] = await db
      .select({ id: volunteers.id })
      .from(volunteers)
      .where(and(eq(volunteers.id, input.leaderVolunteerId), volunteerScope(scope)));
    if (!v) throw invalid('leaderVolunteerId', '队长必须是您管理范围内的志愿者');
  }
}

async function isDescendant(db: DbOrTx, candidate: string, ancestor: string): Promise<boolean> {
  const { rows } = await db.execute(
    sql`with recursive d as (select id from teams where parent_id = ${ancestor} union select t.id from teams t
      join d on t.parent_id = d.id) select 1 from d where id = ${candidate}`,
  );
  return rows.length > 0;
}

export async function createTeam(db: Db, actor: Actor, scope: Scope, input: TeamInput, now = new Date()) {
  const region = await requireRegion(db, input.regionCode);
  if (!regionInScope(scope, region.path)) throw notFound('区划');
  await checkTeam(db, scope, region.countyCode, region.path, input);
  return db
    .transaction(async (tx) => {
      const [dup] = await tx
        .select({ id: teams.id })
        .from(teams)
        .where(and(eq(teams.countyCode, region.countyCode), eq(teams.name, input.name)));
      if (dup) throw duplicate('同名队伍已存在', 'name');
      const [row] = await tx
        .insert(teams)
        .values({
          ...input,
          countyCode: region.countyCode,
          regionCode: region.code,
          regionPath: region.path,
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (row.leaderVolunteerId)
        await tx
          .insert(teamMembers)
          .values({
            teamId: row.id,
            volunteerId: row.leaderVolunteerId,
            status: 'active',
            decidedAt: new Date(),
            decidedBy: actor.userId,
          })
          .onConflictDoNothing();
      await writeAudit(
        tx,
        { ...actor, countyCode: row.countyCode },
        { action: 'team.create', entity: 'team', entityId: row.id, after: row },
      );
      return row.id;
    })
    .finally(clearAuthCache);
}

export async function updateTeam(db: Db, actor: Actor, scope: Scope, id: string, patch: Partial<TeamInput>) {
  const [before] = await db
    .select()
    .from(teams)
    .where(and(eq(teams.id, id), inScope(scope, { path: teams.regionPath, regionCode: teams.regionCode })));
  if (!before) throw notFound('志愿服务队');
  const set: Partial<typeof teams.$inferInsert> = { ...patch, updatedAt: new Date() };
  if (patch.regionCode) {
    const r = await requireRegion(db, patch.regionCode);
    if (!regionInScope(scope, r.path)) throw notFound('区划');
    set.regionPath = r.path;
  }
  await checkTeam(db, scope, before.countyCode, set.regionPath ?? before.regionPath, patch, {
    id,
    level: before.level,
  });
  await db
    .transaction(async (tx) => {
      if (patch.name && patch.name !== before.name) {
        const [dup] = await tx
          .select({ id: teams.id })
          .from(teams)
          .where(and(eq(teams.countyCode, before.countyCode), eq(teams.name, patch.name)));
        if (dup) throw duplicate('同名队伍已存在', 'name');
      }
      const [after] = await tx.update(teams).set(set).where(eq(teams.id, id)).returning();
      if (after.leaderVolunteerId && after.leaderVolunteerId !== before.leaderVolunteerId) {
        await tx
          .insert(teamMembers)
          .values({
            teamId: id,
            volunteerId: after.leaderVolunteerId,
            status: 'active',
            decidedAt: new Date(),
            decidedBy: actor.userId,
          })
          .onConflictDoUpdate({
            target: [teamMembers.teamId, teamMembers.volunteerId],
            set: { status: 'active', decidedAt: new Date(), decidedBy: actor.userId },
          });
      }
      await writeAudit(
        tx,
        { ...actor, countyCode: before.countyCode },
        { action: 'team.update', entity: 'team', entityId: id, before, after },
      );
    })
    .finally(clearAuthCache);
}

// ---------- members ----------

export async function listMembers(db: DbOrTx, teamId: string, status?: string) {
  const rows = await db
    .select({
      volunteerId: volunteers.id,
      name: volunteers.name,
      volunteerNo: volunteers.volunteerNo,
      gender: volunteers.gender,
      phoneMasked: volunteers.phoneMasked,
      verified: volunteers.verified,
      status: teamMembers.status,
      note: teamMembers.note,
      requestedAt: teamMembers.requestedAt,
      decidedAt: teamMembers.decidedAt,
    })
    .from(teamMembers)
    .innerJoin(volunteers, eq(volunteers.id, teamMembers.volunteerId))
    .where(
      and(
        eq(teamMembers.teamId, teamId),
        status ? eq(teamMembers.status, status as 'active') : sql`${teamMembers.status} in ('active', 'pending')`,
      ),
    )
    .orderBy(sql`case ${teamMembers.status} when 'pending' then 0 else 1 end`, asc(volunteers.name));
  return { items: rows };
}

type Caller = { actor: Actor; scope: Scope; volunteerId: string | null; canManage: boolean };

/**
 * The scoped loader of a team for its member commands: found, in one query, when the caller sees it (scope, led or
 * joined) or may ask to join it (a team of their volunteer record's town or of the county); otherwise 404. Staff in
 * scope, or the team's leader, may decide on members.
 */
async function findTeam(db: DbOrTx, c: Caller, teamId: string) {
  const me = teamAccess(c.scope);
  const joinable = me.volunteerPath
    ? or(
        sql`${teams.regionPath} like ${escapeLike(townPath(me.volunteerPath)) + '%'}`,
        eq(teams.regionPath, countyPath(me.volunteerPath)),
      )!
    : sql`false`;
  const staffScope = inScope(c.scope, { path: teams.regionPath, regionCode: teams.regionCode });
  const [t] = await db
    .select({
      id: teams.id,
      countyCode: teams.countyCode,
      leaderVolunteerId: teams.leaderVolunteerId,
      staff: c.canManage ? sql<boolean>`${staffScope}` : sql<boolean>`false`,
    })
    .from(teams)
    .where(and(eq(teams.id, teamId), or(teamScope(c.scope), joinable)));
  if (!t) throw notFound('志愿服务队');
  const leader = leadsTeam(c.scope, t.id);
  return { team: t, allowed: t.staff || leader, staff: t.staff, leader };
}

/** Staff add a member directly; a volunteer asking for themself files a join request for the leader or staff. */
export async function addMember(db: Db, c: Caller, teamId: string, volunteerId: string, note = '') {
  const { team, allowed } = await findTeam(db, c, teamId);
  const self = c.volunteerId === volunteerId;
  if (!allowed && !self) throw notFound('志愿服务队');
  if (allowed) {
    const [v] = await db
      .select({ id: volunteers.id })
      .from(volunteers)
      .where(and(eq(volunteers.id, volunteerId), c.canManage ? volunteerScope(c.scope) : sql`true`));
    if (!v) throw invalid('volunteerId', '志愿者不存在或不在您的管理范围内');
  }
  const status: 'active' | 'pending' = allowed ? 'active' : 'pending';
  return db
    .transaction(async (tx) => {
      const [existing] = await tx
        .select()
        .from(teamMembers)
        .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.volunteerId, volunteerId)));
      if (existing && (existing.status === 'active' || (existing.status === 'pending' && status === 'pending'))) {
        throw duplicate(
          existing.status === 'active' ? '已经是该队成员' : '已提交过入队申请，请等待审核',
          'volunteerId',
        );
      }
      await tx
        .insert(teamMembers)
        .values({
          teamId,
          volunteerId,
          status,
          note,
          requestedAt: new Date(),
          decidedAt: allowed ? new Date() : null,
          decidedBy: allowed ? c.actor.userId : null,
        })
        .onConflictDoUpdate({
          target: [teamMembers.teamId, teamMembers.volunteerId],
          set: {
            status,
            note,
            requestedAt: new Date(),
            decidedAt: allowed ? new Date() : null,
            decidedBy: allowed ? c.actor.userId : null,
          },
        });
      await writeAudit(
        tx,
        { ...c.actor, countyCode: team.countyCode },
        {
          action: allowed ? 'team.member.add' : 'team.member.request',
          entity: 'team',
          entityId: teamId,
          detail: { volunteerId },
        },
      );
      return { status };
    })
    .finally(clearAuthCache);
}

export async function decideMember(
  db: Db,
  c: Caller,
  teamId: string,
  volunteerId: string,
  approve: boolean,
  note?: string,
) {
  const { team, allowed } = await findTeam(db, c, teamId);
  if (!allowed) throw forbidden('只有队长或管理员可以审核入队申请');
  return db
    .transaction(async (tx) => {
      const [row] = await tx
        .update(teamMembers)
        .set({
          status: approve ? 'active' : 'rejected',
          decidedAt: new Date(),
          decidedBy: c.actor.userId,
          ...(note ? { note } : {}),
        })
        .where(
          and(
            eq(teamMembers.teamId, teamId),
            eq(teamMembers.volunteerId, volunteerId),
            eq(teamMembers.status, 'pending'),
          ),
        )
        .returning();
      if (!row) throw new AppError('INVALID_TRANSITION', '没有待审核的入队申请（可能已被处理）');
      await writeAudit(
        tx,
        { ...c.actor, countyCode: team.countyCode },
        {
          action: approve ? 'team.member.approve' : 'team.member.reject',
          entity: 'team',
          entityId: teamId,
          detail: { volunteerId },
        },
      );
      return { status: row.status };
    })
    .finally(clearAuthCache);
}

export async function removeMember(db: Db, c: Caller, teamId: string, volunteerId: string) {
  const { team, allowed } = await findTeam(db, c, teamId);
  if (!allowed && c.volunteerId !== volunteerId) throw forbidden('只有队长、管理员或本人可以退出队伍');
  if (team.leaderVolunteerId === volunteerId) throw invalid('volunteerId', '队长不能退出，请先更换队长');
  await db
    .transaction(async (tx) => {
      const [row] = await tx
        .update(teamMembers)
        .set({ status: 'left', decidedAt: new Date(), decidedBy: c.actor.userId })
        .where(
          and(
            eq(teamMembers.teamId, teamId),
            eq(teamMembers.volunteerId, volunteerId),
            sql`${teamMembers.status} in ('active','pending')`,
          ),
        )
        .returning();
      if (!row) throw notFound('队员');
      await writeAudit(
        tx,
        { ...c.actor, countyCode: team.countyCode },
        { action: 'team.member.remove', entity: 'team', entityId: teamId, detail: { volunteerId } },
      );
    })
    .finally(clearAuthCache);
}

/** Teams a volunteer belongs to (or asked to join), and teams of their town they could join. */
export async function teamsForVolunteer(db: DbOrTx, volunteerId: string) {
  const [v] = await db.select().from(volunteers).where(eq(volunteers.id, volunteerId));
  const mine = await db
    .select({
      id: teams.id,
      name: teams.name,
      level: teams.level,
      category: teams.category,
      status: teamMembers.status,
      isLeader: sql<boolean>`${teams.leaderVolunteerId} = ${volunteerId}`,
    })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(and(eq(teamMembers.volunteerId, volunteerId), sql`${teamMembers.status} in ('active','pending')`))
    .orderBy(asc(teams.name));
  const town = townPath(v.regionPath);
  const county = countyPath(v.regionPath);
  const joinable = await db
    .select({
      id: teams.id,
      name: teams.name,
      level: teams.level,
      category: teams.category,
      regionName: regions.name,
      isBrand: teams.isBrand,
      description: teams.description,
      memberCount: sql<number>`(select count(*)::int from team_members m
        where m.team_id = "teams"."id" and m.status = 'active')`,
    })
    .from(teams)
    .innerJoin(regions, eq(regions.code, teams.regionCode))
    .where(
      and(
        or(sql`${teams.regionPath} like ${escapeLike(town) + '%'}`, eq(teams.regionPath, county))!,
        sql`not exists (select 1 from team_members m
          where m.team_id = "teams"."id" and m.volunteer_id = ${volunteerId} and m.status in ('active','pending'))`,
      ),
    )
    .orderBy(asc(teams.regionPath), asc(teams.name))
    .limit(100);
  return { mine: mine.map(withLabels), joinable: joinable.map(withLabels) };
}
