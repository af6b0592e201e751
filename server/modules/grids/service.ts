import { and, getTableName, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx } from '../../db/client.js';
import {
  gridLinks,
  grids,
  households,
  pairings,
  regions,
  roleAssignments,
  users,
  visits,
  volunteers,
} from '../../db/schema/index.js';
import { AppError, duplicate, forbidden, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { countyScope, escapeLike, inScope, regionInScope, teamAccess, type Scope } from '../../platform/scope.js';
import { offsetPage, type ListAnswer, type ListDef, type Lists } from '../../platform/lists.js';
import type { Permission } from '../../platform/permissions.js';
import type { Crypto } from '../../platform/crypto.js';
import { requireRegion } from '../regions/service.js';
import { submitWish, wishCaller } from '../wishes/service.js';
import { createOrder } from '../orders/service.js';
import { stateLabels as orderStateLabels } from '../orders/transitions.js';
import { wishStateLabels } from '../wishes/transitions.js';

/**
 * A column named with its table (`"households"."id"`), for correlated subqueries in select lists: drizzle leaves a
 * single-table query's columns unqualified there, and a bare `"id"` would bind to the subquery's own table.
 */
const outer = (c: AnyPgColumn) => sql.raw(`"${getTableName(c.table)}"."${c.name}"`);
/** The household of the row being selected, inside a subquery. */
const hhId = outer(households.id);

export const visitorRoleLabels = { staff: '站工作人员', link: '联户长', cadre: '结亲干部' } as const;
export const raisedKindLabels = { wish: '微心愿', order: '点单' } as const;

/**
 * 网格 (一中心一张网十联户): grids of a village with their link volunteer (联户长) and households (联户), cadres paired
 * with households (结亲 1+N), home visits (走访) — a need found in a visit raises a wish or an order in the same
 * transaction, through the wishes and orders services — and coverage per village.
 *
 * Who may: staff with `grid:manage` for the regions in their scope; the link volunteer for the households of the
 * grids they lead (visits); a cadre for the households paired with them (visits).
 */

export type GridCaller = {
  actor: Actor;
  userId: string;
  countyCode: string;
  scope: Scope;
  permissions: ReadonlySet<Permission>;
  /** the caller's volunteer record (a link volunteer leads grids through it) */
  volunteerId: string | null;
};

export const gridCaller = (base: Omit<GridCaller, 'volunteerId'>): GridCaller => ({
  ...base,
  volunteerId: teamAccess(base.scope).volunteerId,
});

const staffOf = (c: GridCaller) => c.permissions.has('grid:manage');
const gridScope = (s: Scope) => inScope(s, { path: grids.regionPath, regionCode: grids.regionCode });
const householdScope = (s: Scope) => inScope(s, { path: households.regionPath, regionCode: households.regionCode });
const isUniqueViolation = (e: unknown) =>
  (e as { code?: string })?.code === '23505' || (e as { cause?: { code?: string } })?.cause?.code === '23505';

/** Staff role codes: the cadres a household may be paired with (结亲). */
const cadreRoles = ['county_admin', 'institute_admin', 'station_admin'];

// ---------- grids ----------

export type NewGrid = { name: string; regionCode: string; leaderVolunteerId: string };

async function checkLeader(db: DbOrTx, countyCode: string, volunteerId: string) {
  const [v] = await db
    .select({ id: volunteers.id, name: volunteers.name })
    .from(volunteers)
    .where(and(eq(volunteers.id, volunteerId), eq(volunteers.countyCode, countyCode)));
  if (!v) throw invalid('leaderVolunteerId', '联户长应为本县已登记的志愿者');
  return v;
}

export async function createGrid(db: Db, c: GridCaller, now: Date, input: NewGrid) {
  const region = await requireRegion(db, input.regionCode);
  if (region.level !== 'village') throw invalid('regionCode', '网格应建在村（社区），请选择一个村（社区）');
  if (region.countyCode !== c.countyCode || !regionInScope(c.scope, region.path))
    throw invalid('regionCode', '该村（社区）不在您的管理范围内');
  await checkLeader(db, region.countyCode, input.leaderVolunteerId);
  try {
    return await db.transaction(async (tx) => {
      const [g] = await tx
        .insert(grids)
        .values({
          countyCode: region.countyCode,
          regionCode: region.code,
          regionPath: region.path,
          name: input.name,
          leaderVolunteerId: input.leaderVolunteerId,
          createdBy: c.userId,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await writeAudit(
        tx,
        { ...c.actor, countyCode: g.countyCode },
        { action: 'grid.create', entity: 'grid', entityId: g.id, after: g },
      );
      return g;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicate(`本村已有名为“${input.name}”的网格`, 'name');
    throw e;
  }
}

export async function updateGrid(db: Db, c: GridCaller, now: Date, id: string, patch: Partial<NewGrid>) {
  const f = await findGrid(db, c, id);
  if (!f.staff) throw forbidden('只有管理该村的工作人员可以修改网格');
  if (patch.leaderVolunteerId) await checkLeader(db, f.grid.countyCode, patch.leaderVolunteerId);
  try {
    return await db.transaction(async (tx) => {
      const [g] = await tx
        .update(grids)
        .set({
          ...(patch.name ? { name: patch.name } : {}),
          ...(patch.leaderVolunteerId ? { leaderVolunteerId: patch.leaderVolunteerId } : {}),
          updatedAt: now,
        })
        .where(eq(grids.id, id))
        .returning();
      await writeAudit(
        tx,
        { ...c.actor, countyCode: g.countyCode },
        { action: 'grid.update', entity: 'grid', entityId: g.id, before: f.grid, after: g },
      );
      return g;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicate(`本村已有名为“${patch.name}”的网格`, 'name');
    throw e;
  }
}

/**
 * The scoped loader of a grid: staff with its village in scope, or its link volunteer. Out of sight = not found.
 */
export async function findGrid(db: DbOrTx, c: GridCaller, id: string) {
  const staffSees = staffOf(c) ? gridScope(c.scope) : sql`false`;
  const leads = c.volunteerId ? eq(grids.leaderVolunteerId, c.volunteerId) : sql`false`;
  const [r] = await db
    .select({ grid: grids, staff: sql<boolean>`${staffSees}` })
    .from(grids)
    .where(and(eq(grids.id, id), eq(grids.countyCode, c.countyCode), or(staffSees, leads)));
  if (!r) throw notFound('网格');
  return { grid: r.grid, staff: !!r.staff, leader: !!c.volunteerId && r.grid.leaderVolunteerId === c.volunteerId };
}

const gridColumns = {
  id: grids.id,
  name: grids.name,
  regionCode: grids.regionCode,
  regionName: regions.name,
  leaderVolunteerId: grids.leaderVolunteerId,
  leaderName: volunteers.name,
  createdAt: grids.createdAt,
  households: sql<number>`(select count(*)::int from grid_links l where l.grid_id = ${outer(grids.id)})`,
};

export type GridFilter = { regionCode?: string; q?: string; page: number; pageSize: number };

/** Built from grids and their links (both bump `grids`), the leaders' names and the region names. */
export const gridsList: ListDef<GridFilter> = {
  name: 'grids',
  groups: { county: ['grids', 'volunteers'], global: ['regions'] },
};

export async function listGrids(lists: Lists, db: DbOrTx, c: GridCaller, f: GridFilter): Promise<ListAnswer> {
  return lists.page(gridsList, { scope: c.scope, countyCode: c.countyCode, filter: f }, async (knownTotal) => {
    const conds: SQL[] = [eq(grids.countyCode, c.countyCode), gridScope(c.scope)];
    if (f.regionCode) conds.push(sql`${grids.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
    if (f.q) conds.push(ilike(grids.name, `%${escapeLike(f.q)}%`));
    const { rows, total } = await offsetPage(db, {
      from: grids,
      rows: () =>
        db
          .select(gridColumns)
          .from(grids)
          .innerJoin(regions, eq(regions.code, grids.regionCode))
          .innerJoin(volunteers, eq(volunteers.id, grids.leaderVolunteerId)),
      where: and(...conds),
      order: [grids.regionCode, grids.name, grids.id],
      filter: f,
      knownTotal,
    });
    return { items: rows, total };
  });
}

/** A household as grid work shows it: its link grid, its paired cadre and its last visit. */
const householdRow = {
  id: households.id,
  headName: households.headName,
  address: households.address,
  memberCount: households.memberCount,
  phoneMasked: households.phoneMasked,
  regionCode: households.regionCode,
  gridId: sql<string | null>`(select l.grid_id from grid_links l where l.household_id = ${hhId})`,
  cadreName: sql<
    string | null
  >`(select u.name from pairings p join users u on u.id = p.cadre_user_id where p.household_id = ${hhId})`,
  lastVisitedAt: sql<Date | null>`(select max(v.visited_at) from visits v where v.household_id = ${hhId})`,
};
const asDate = <T extends { lastVisitedAt: Date | string | null }>(r: T) => ({
  ...r,
  lastVisitedAt: r.lastVisitedAt ? new Date(r.lastVisitedAt) : null,
});

export async function getGrid(db: DbOrTx, c: GridCaller, id: string) {
  const f = await findGrid(db, c, id);
  const [[head], members] = await Promise.all([
    db
      .select(gridColumns)
      .from(grids)
      .innerJoin(regions, eq(regions.code, grids.regionCode))
      .innerJoin(volunteers, eq(volunteers.id, grids.leaderVolunteerId))
      .where(eq(grids.id, id)),
    db
      .select(householdRow)
      .from(gridLinks)
      .innerJoin(households, eq(households.id, gridLinks.householdId))
      .where(eq(gridLinks.gridId, id))
      .orderBy(households.headName, households.id),
  ]);
  const actions = [
    ...(f.staff ? (['link', 'unlink', 'update'] as const) : []),
    ...(f.leader ? ['visit' as const] : []),
  ];
  return { ...head, householdList: members.map(asDate), actions };
}

/** 联户: households of the grid's village join it; a household in another grid → 409, outside the village → 400. */
export async function linkHouseholds(db: Db, c: GridCaller, now: Date, id: string, householdIds: string[]) {
  const f = await findGrid(db, c, id);
  if (!f.staff) throw forbidden('只有管理该村的工作人员可以调整联户');
  const ids = [...new Set(householdIds)];
  const found = await db
    .select({ id: households.id, regionCode: households.regionCode, headName: households.headName })
    .from(households)
    .where(and(inArray(households.id, ids), eq(households.countyCode, f.grid.countyCode)));
  const missing = ids.find((x) => !found.some((h) => h.id === x));
  if (missing) throw invalid('householdIds', `户 ${missing} 不存在`);
  const outside = found.filter((h) => h.regionCode !== f.grid.regionCode);
  if (outside.length)
    throw invalid('householdIds', `${outside.map((h) => h.headName).join('、')}户不在网格所在的村（社区），不能联户`);
  return db.transaction(async (tx) => {
    const added = await tx
      .insert(gridLinks)
      .values(ids.map((householdId) => ({ householdId, gridId: id, createdBy: c.userId, createdAt: now })))
      .onConflictDoNothing()
      .returning({ householdId: gridLinks.householdId });
    const rest = ids.filter((x) => !added.some((a) => a.householdId === x));
    if (rest.length) {
      const elsewhere = await tx
        .select({ householdId: gridLinks.householdId })
        .from(gridLinks)
        .where(and(inArray(gridLinks.householdId, rest), sql`${gridLinks.gridId} <> ${id}`));
      if (elsewhere.length) {
        const names = found.filter((h) => elsewhere.some((e) => e.householdId === h.id)).map((h) => h.headName);
        throw duplicate(`${names.join('、')}户已在其他网格，请先从原网格移出`, 'householdIds');
      }
    }
    await writeAudit(
      tx,
      { ...c.actor, countyCode: f.grid.countyCode },
      { action: 'grid.link', entity: 'grid', entityId: id, detail: { householdIds: added.map((a) => a.householdId) } },
    );
    return added.length;
  });
}

export async function unlinkHousehold(db: Db, c: GridCaller, id: string, householdId: string) {
  const f = await findGrid(db, c, id);
  if (!f.staff) throw forbidden('只有管理该村的工作人员可以调整联户');
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(gridLinks)
      .where(and(eq(gridLinks.gridId, id), eq(gridLinks.householdId, householdId)))
      .returning();
    if (!gone.length) throw notFound('联户记录');
    await writeAudit(
      tx,
      { ...c.actor, countyCode: f.grid.countyCode },
      { action: 'grid.unlink', entity: 'grid', entityId: id, detail: { householdId } },
    );
  });
}

// ---------- pairings (结亲 1+N) ----------

export async function createPairings(
  db: Db,
  c: GridCaller,
  now: Date,
  input: { cadreUserId: string; householdIds: string[] },
) {
  const [cadre] = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(
      and(
        eq(users.id, input.cadreUserId),
        sql`exists (select 1 from ${roleAssignments} ra where ra.user_id = ${users.id}
          and ra.role_code in (${sql.join(
            cadreRoles.map((r) => sql`${r}`),
            sql`, `,
          )}) and ra.region_code like ${c.countyCode + '%'})`,
      ),
    );
  if (!cadre) throw invalid('cadreUserId', '结亲干部应为本县的中心、所或站工作人员');
  const ids = [...new Set(input.householdIds)];
  const found = await db
    .select({ id: households.id, regionCode: households.regionCode, regionPath: households.regionPath })
    .from(households)
    .where(and(inArray(households.id, ids), eq(households.countyCode, c.countyCode), householdScope(c.scope)));
  const missing = ids.find((x) => !found.some((h) => h.id === x));
  if (missing) throw invalid('householdIds', `户 ${missing} 不存在或不在您的管理范围内`);
  try {
    return await db.transaction(async (tx) => {
      const rows = await tx
        .insert(pairings)
        .values(
          found.map((h) => ({
            countyCode: c.countyCode,
            regionCode: h.regionCode,
            regionPath: h.regionPath,
            cadreUserId: cadre.id,
            householdId: h.id,
            createdBy: c.userId,
            createdAt: now,
          })),
        )
        .returning();
      await writeAudit(
        tx,
        { ...c.actor, countyCode: c.countyCode },
        {
          action: 'pairing.create',
          entity: 'pairing',
          entityId: rows[0]?.id,
          detail: { cadreUserId: cadre.id, householdIds: ids },
        },
      );
      return rows;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicate('所选的户中已有户结亲了其他干部，请先解除原结亲', 'householdIds');
    throw e;
  }
}

/**
 * The cadres a household may be paired with: staff (中心、所、站) whose role's region lies in the caller's scope, the
 * caller included; by name.
 */
export async function listCadres(db: DbOrTx, c: GridCaller, q?: string) {
  const { rows } = await db.execute<{ id: string; name: string; regionName: string; role: string }>(sql`
    select distinct on (u.id) u.id, u.name, g.name as "regionName", ra.role_code as role
    from role_assignments ra join users u on u.id = ra.user_id join regions g on g.code = ra.region_code
    where ra.role_code in (${sql.join(
      cadreRoles.map((r) => sql`${r}`),
      sql`, `,
    )}) and g.county_code = ${c.countyCode}
      and (${inScope(c.scope, { path: sql`g.path`, regionCode: sql`g.code` })} or u.id = ${c.userId})
      ${q ? sql`and u.name ilike ${'%' + escapeLike(q) + '%'}` : sql``}
    order by u.id, g.path limit 50`);
  const roleNames: Record<string, string> = {
    county_admin: '中心管理员',
    institute_admin: '所管理员',
    station_admin: '站管理员',
  };
  return {
    items: rows
      .map((r) => ({ id: r.id, name: r.name, regionName: r.regionName, roleName: roleNames[r.role] ?? r.role }))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
  };
}

const pairingScope = (s: Scope) => inScope(s, { path: pairings.regionPath, regionCode: pairings.regionCode });

export type PairingFilter = { cadreUserId?: string; regionCode?: string; page: number; pageSize: number };

export async function listPairings(db: DbOrTx, c: GridCaller, f: PairingFilter) {
  const conds: SQL[] = [eq(pairings.countyCode, c.countyCode), pairingScope(c.scope)];
  if (f.cadreUserId) conds.push(eq(pairings.cadreUserId, f.cadreUserId));
  if (f.regionCode) conds.push(sql`${pairings.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
  const { rows, total } = await offsetPage(db, {
    from: pairings,
    rows: () =>
      db
        .select({
          id: pairings.id,
          cadreUserId: pairings.cadreUserId,
          cadreName: users.name,
          householdId: pairings.householdId,
          headName: households.headName,
          regionCode: pairings.regionCode,
          regionName: regions.name,
          createdAt: pairings.createdAt,
        })
        .from(pairings)
        .innerJoin(users, eq(users.id, pairings.cadreUserId))
        .innerJoin(households, eq(households.id, pairings.householdId))
        .innerJoin(regions, eq(regions.code, pairings.regionCode)),
    where: and(...conds),
    order: [users.name, households.headName, pairings.id],
    filter: f,
  });
  return { items: rows, total, page: f.page, pageSize: f.pageSize };
}

export async function deletePairing(db: Db, c: GridCaller, id: string) {
  return db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(pairings)
      .where(and(eq(pairings.id, id), eq(pairings.countyCode, c.countyCode), pairingScope(c.scope)))
      .returning();
    if (!gone) throw notFound('结亲记录');
    await writeAudit(
      tx,
      { ...c.actor, countyCode: gone.countyCode },
      { action: 'pairing.delete', entity: 'pairing', entityId: id, before: gone },
    );
  });
}

// ---------- my households (the link volunteer's and the cadre's) ----------

const myHouseholdsCond = (c: GridCaller) =>
  or(
    c.volunteerId
      ? sql`exists (select 1 from grid_links l join grids g on g.id = l.grid_id
          where l.household_id = ${hhId} and g.leader_volunteer_id = ${c.volunteerId})`
      : sql`false`,
    sql`exists (select 1 from pairings p
      where p.household_id = ${hhId} and p.cadre_user_id = ${c.userId})`,
  );

/** The households the caller serves as a link volunteer (their grids) or a paired cadre, with their last visit. */
export async function myHouseholds(db: DbOrTx, c: GridCaller) {
  const rows = await db
    .select({ ...householdRow, regionName: regions.name })
    .from(households)
    .innerJoin(regions, eq(regions.code, households.regionCode))
    .where(and(eq(households.countyCode, c.countyCode), myHouseholdsCond(c)))
    .orderBy(households.headName, households.id)
    .limit(500);
  return { items: rows.map(asDate) };
}

// ---------- visits ----------

export type RaiseWish = {
  kind: 'wish';
  title: string;
  description: string;
  value: number;
  consentToPublish: boolean;
  deadline?: Date | null;
};
export type RaiseOrder = {
  kind: 'order';
  serviceItemId: string;
  description: string;
  answers?: Record<string, unknown>;
};
export type NewVisit = {
  householdId: string;
  note: string;
  photoIds?: string[];
  visitedAt?: Date | null;
  raise?: RaiseWish | RaiseOrder | null;
};

/** Who the caller is to a household: its staff, its link volunteer, its paired cadre (first that holds). */
async function standingTo(db: DbOrTx, c: GridCaller, householdId: string) {
  const staffSees = staffOf(c) ? householdScope(c.scope) : sql`false`;
  const link = c.volunteerId
    ? sql`exists (select 1 from grid_links l join grids g on g.id = l.grid_id
        where l.household_id = ${hhId} and g.leader_volunteer_id = ${c.volunteerId})`
    : sql`false`;
  const cadre = sql`exists (select 1 from pairings p
    where p.household_id = ${hhId} and p.cadre_user_id = ${c.userId})`;
  const [r] = await db
    .select({
      h: households,
      staff: sql<boolean>`${staffSees}`,
      link: sql<boolean>`${link}`,
      cadre: sql<boolean>`${cadre}`,
    })
    .from(households)
    .where(and(eq(households.id, householdId), eq(households.countyCode, c.countyCode)));
  if (!r || !(r.staff || r.link || r.cadre)) throw invalid('householdId', '户不存在或不是您负责走访的户');
  const role: 'staff' | 'link' | 'cadre' = r.staff ? 'staff' : r.link ? 'link' : 'cadre';
  return { h: r.h, role };
}

/**
 * A visit and, when a need was found, the wish or order it raises: one transaction (the wishes and orders services
 * run inside it), the visit keeping the raised record's kind and id.
 *
 * A link volunteer or cadre who is not staff raises an order for the household as its 代点单 through the orders
 * service with a delegated caller: `order:proxy` on the household's village only (docs/DECISIONS.md "Grid work").
 */
export async function createVisit(db: Db, crypto: Crypto, c: GridCaller, now: Date, input: NewVisit) {
  const { h, role } = await standingTo(db, c, input.householdId);
  const visitedAt = input.visitedAt ?? now;
  if (visitedAt.getTime() > now.getTime() + 60_000) throw invalid('visitedAt', '走访时间不能晚于现在');
  const raise = input.raise ?? null;
  if (raise?.kind === 'wish' && !c.permissions.has('wish:submit') && !c.permissions.has('wish:manage'))
    throw forbidden('您没有提交微心愿的权限');
  return db.transaction(async (tx) => {
    const [v] = await tx
      .insert(visits)
      .values({
        countyCode: h.countyCode,
        regionCode: h.regionCode,
        regionPath: h.regionPath,
        householdId: h.id,
        visitorUserId: c.userId,
        visitorName: c.actor.name,
        visitorRole: role,
        note: input.note,
        photoIds: input.photoIds ?? [],
        visitedAt,
        createdAt: now,
      })
      .returning();
    let raised: { kind: 'wish' | 'order'; id: string } | null = null;
    const inTx = tx as unknown as Db; // the services open a savepoint inside this transaction
    if (raise?.kind === 'wish') {
      const wc = await wishCaller(tx, {
        actor: c.actor,
        userId: c.userId,
        countyCode: c.countyCode,
        scope: c.scope,
        permissions: c.permissions,
      });
      const w = await submitWish(inTx, crypto, wc, now, {
        title: raise.title,
        description: raise.description,
        value: raise.value,
        regionCode: h.regionCode,
        beneficiaryName: h.headName,
        consentToPublish: raise.consentToPublish,
        deadline: raise.deadline ?? null,
      }).catch(prefix('raise'));
      raised = { kind: 'wish', id: w.id };
    } else if (raise?.kind === 'order') {
      const delegated = role !== 'staff' || !c.permissions.has('order:proxy');
      const o = await createOrder(
        inTx,
        {
          actor: c.actor,
          userId: c.userId,
          countyCode: c.countyCode,
          scope: delegated
            ? { userId: c.userId, all: false, subtrees: [], regions: [h.regionCode], self: false }
            : c.scope,
          permissions: delegated ? new Set<Permission>(['order:proxy']) : c.permissions,
        },
        now,
        {
          serviceItemId: raise.serviceItemId,
          description: raise.description,
          answers: raise.answers,
          householdId: h.id,
        },
      ).catch(prefix('raise'));
      raised = { kind: 'order', id: o.id };
    }
    if (raised)
      await tx.update(visits).set({ raisedKind: raised.kind, raisedId: raised.id }).where(eq(visits.id, v.id));
    await writeAudit(
      tx,
      { ...c.actor, countyCode: h.countyCode },
      {
        action: 'visit.create',
        entity: 'visit',
        entityId: v.id,
        after: { ...v, raisedKind: raised?.kind ?? null, raisedId: raised?.id ?? null },
      },
    );
    return v.id;
  });
}

/** Errors of the raised wish or order name their fields under `raise.` (the body's place of them). */
const prefix = (p: string) => (e: unknown) => {
  if (e instanceof AppError && e.details.length)
    throw new AppError(
      e.code,
      e.message,
      e.details.map((d) => ({ ...d, path: d.path === 'regionCode' ? 'householdId' : `${p}.${d.path}` })),
    );
  throw e;
};

const visitSees = (c: GridCaller): SQL =>
  or(
    staffOf(c) ? inScope(c.scope, { path: visits.regionPath, regionCode: visits.regionCode }) : sql`false`,
    eq(visits.visitorUserId, c.userId),
  )!;

const visitColumns = {
  id: visits.id,
  householdId: visits.householdId,
  headName: households.headName,
  regionCode: visits.regionCode,
  regionName: regions.name,
  visitorName: visits.visitorName,
  visitorRole: visits.visitorRole,
  note: visits.note,
  photoIds: visits.photoIds,
  visitedAt: visits.visitedAt,
  raisedKind: visits.raisedKind,
  raisedId: visits.raisedId,
  raisedTitle: sql<string | null>`case ${outer(visits.raisedKind)}
    when 'wish' then (select w.title from wishes w where w.id = ${outer(visits.raisedId)})
    when 'order' then (select i.name from orders o join service_items i on i.id = o.service_item_id
      where o.id = ${outer(visits.raisedId)}) end`,
  raisedState: sql<string | null>`case ${outer(visits.raisedKind)}
    when 'wish' then (select w.state from wishes w where w.id = ${outer(visits.raisedId)})
    when 'order' then (select o.state from orders o where o.id = ${outer(visits.raisedId)}) end`,
  createdAt: visits.createdAt,
};

export type VisitFilter = {
  regionCode?: string;
  householdId?: string;
  month?: string;
  raised?: boolean;
  page: number;
  pageSize: number;
};

/** The China-time bounds of a month `YYYY-MM`. */
export function monthBounds(month: string) {
  const [y, m] = month.split('-').map(Number);
  const from = new Date(`${month}-01T00:00:00+08:00`);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from, to: new Date(`${next}-01T00:00:00+08:00`) };
}
/** The month (China time) an instant falls in: `YYYY-MM`. */
export const chinaMonth = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 7);

/** Built from visits, the households' names, the raised wishes and orders (titles, states) and the region names. */
export const visitsList: ListDef<VisitFilter> = {
  name: 'visits',
  groups: { county: ['visits', 'households', 'wishes', 'orders'], global: ['regions'] },
};

/**
 * Staff see the visits in their scope, everyone their own: the answer depends on the caller, and its rows lie in the
 * caller's county whatever the scope (a visitor without a staff scope reads the county's versions).
 */
export async function listVisits(lists: Lists, db: DbOrTx, c: GridCaller, f: VisitFilter): Promise<ListAnswer> {
  const staff = staffOf(c);
  const req = {
    scope: staff ? c.scope : countyScope(c.countyCode),
    countyCode: c.countyCode,
    filter: f,
    variant: [c.userId, staff],
  };
  return lists.page(visitsList, req, async (knownTotal) => {
    const conds: SQL[] = [eq(visits.countyCode, c.countyCode), visitSees(c)];
    if (f.regionCode) conds.push(sql`${visits.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
    if (f.householdId) conds.push(eq(visits.householdId, f.householdId));
    if (f.raised !== undefined)
      conds.push(f.raised ? sql`${visits.raisedId} is not null` : sql`${visits.raisedId} is null`);
    if (f.month) {
      const b = monthBounds(f.month);
      conds.push(sql`${visits.visitedAt} >= ${b.from} and ${visits.visitedAt} < ${b.to}`);
    }
    const { rows, total } = await offsetPage(db, {
      from: visits,
      rows: () =>
        db
          .select(visitColumns)
          .from(visits)
          .innerJoin(households, eq(households.id, visits.householdId))
          .innerJoin(regions, eq(regions.code, visits.regionCode)),
      where: and(...conds),
      order: [desc(visits.visitedAt), desc(visits.id)],
      filter: f,
      knownTotal,
    });
    return { items: rows.map(presentVisit), total };
  });
}

type VisitRow = {
  visitorRole: keyof typeof visitorRoleLabels;
  raisedKind: keyof typeof raisedKindLabels | null;
  raisedState: string | null;
};
const presentVisit = <T extends VisitRow>(r: T) => ({
  ...r,
  visitorRoleName: visitorRoleLabels[r.visitorRole],
  raisedKindName: r.raisedKind ? raisedKindLabels[r.raisedKind] : null,
  raisedStateName: !r.raisedState
    ? null
    : r.raisedKind === 'wish'
      ? ((wishStateLabels as Record<string, string>)[r.raisedState] ?? r.raisedState)
      : ((orderStateLabels as Record<string, string>)[r.raisedState] ?? r.raisedState),
});

/** The scoped loader of a visit: staff of its village in scope, or its visitor. */
export async function getVisit(db: DbOrTx, c: GridCaller, id: string) {
  const [r] = await db
    .select(visitColumns)
    .from(visits)
    .innerJoin(households, eq(households.id, visits.householdId))
    .innerJoin(regions, eq(regions.code, visits.regionCode))
    .where(and(eq(visits.id, id), eq(visits.countyCode, c.countyCode), visitSees(c)));
  if (!r) throw notFound('走访记录');
  return presentVisit(r);
}

// ---------- coverage ----------

/**
 * Coverage of grid work under a region, one row per region a level below it (a village: itself): households,
 * households with a link volunteer, paired households, visits in the month and households visited. The rows add up
 * to the total (every household lies in exactly one row). Scoped: only what the caller's scope covers is counted.
 */
export async function coverage(db: DbOrTx, c: GridCaller, regionCode: string | undefined, month: string) {
  const code = regionCode ?? defaultRegion(c);
  const region = await requireRegion(db, code);
  if (region.countyCode !== c.countyCode || !regionPathVisible(c.scope, region.path)) throw notFound('区划');
  const depth = region.level === 'county' ? 3 : 4; // split_part index of the row's code in a region path
  const children = await db
    .select({ code: regions.code, name: regions.name })
    .from(regions)
    .where(region.level === 'village' ? eq(regions.code, region.code) : eq(regions.parentCode, region.code))
    .orderBy(regions.code);
  const { from, to } = monthBounds(month);
  const like = escapeLike(region.path) + '%';
  const hScope = householdScope(c.scope);
  const vScope = inScope(c.scope, { path: visits.regionPath, regionCode: visits.regionCode });
  const [hh, vv] = await Promise.all([
    db
      .select({
        code: sql<string>`split_part(${households.regionPath}, '/', ${sql.raw(String(depth))})`,
        households: sql<number>`count(*)::int`,
        linked: sql<number>`count(*) filter (where exists (
          select 1 from grid_links l where l.household_id = ${hhId}))::int`,
        paired: sql<number>`count(*) filter (where exists (
          select 1 from pairings p where p.household_id = ${hhId}))::int`,
      })
      .from(households)
      .where(and(sql`${households.regionPath} like ${like}`, hScope))
      .groupBy(sql`1`),
    db
      .select({
        code: sql<string>`split_part(${visits.regionPath}, '/', ${sql.raw(String(depth))})`,
        visits: sql<number>`count(*)::int`,
        visited: sql<number>`count(distinct ${visits.householdId})::int`,
      })
      .from(visits)
      .where(
        and(
          sql`${visits.regionPath} like ${like}`,
          sql`${visits.visitedAt} >= ${from} and ${visits.visitedAt} < ${to}`,
          vScope,
        ),
      )
      .groupBy(sql`1`),
  ]);
  const zero = { households: 0, linked: 0, paired: 0, visits: 0, visited: 0 };
  const items = children.map((ch) => {
    const h = hh.find((x) => x.code === ch.code);
    const v = vv.find((x) => x.code === ch.code);
    return {
      regionCode: ch.code,
      regionName: ch.name,
      households: h?.households ?? 0,
      linked: h?.linked ?? 0,
      paired: h?.paired ?? 0,
      visits: v?.visits ?? 0,
      visited: v?.visited ?? 0,
    };
  });
  const total = items.reduce(
    (t, r) => ({
      households: t.households + r.households,
      linked: t.linked + r.linked,
      paired: t.paired + r.paired,
      visits: t.visits + r.visits,
      visited: t.visited + r.visited,
    }),
    zero,
  );
  return { regionCode: region.code, regionName: region.name, month, total, items };
}

/** The caller's home region for coverage: the first of their scope. */
function defaultRegion(c: GridCaller) {
  if (c.scope.all) return c.countyCode;
  const top = c.scope.subtrees[0]?.split('/').filter(Boolean).at(-1);
  return top ?? c.scope.regions[0] ?? c.countyCode;
}

/** A region the caller may ask coverage of: inside the scope, or above part of it (county staff asking a town …). */
function regionPathVisible(scope: Scope, path: string) {
  return regionInScope(scope, path);
}
