import { and, asc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import type { Deps } from '../platform/context.js';
import { regions, roleAssignments, roles, users } from '../db/schema/index.js';
import type { Actor } from '../platform/audit.js';
import { hashPassword } from '../platform/crypto.js';
import { ensureUser } from '../modules/accounts/service.js';
import { scopeFromGrants } from '../platform/auth.js';
import type { Permission } from '../platform/permissions.js';
import { pointsCaller, type PointsCaller } from '../modules/points/common.js';

export type StaffMember = { id: string; name: string };
export type LocalStaff = Awaited<ReturnType<typeof ensureLocalStaff>>;

/**
 * The people who do the county's paperwork in the demo: for every town its institute admin (所管理员) and for every
 * village its station admin (站管理员), each granted on their own region. The demo accounts of API.md take their
 * places (陈新集, 周沙窝, 王站长); the other towns and villages get staff accounts (phones 1380200xxxx for towns,
 * 1380100xxxx for villages, password Demo@2026). Seeds attribute a record to the staff of its own village or town,
 * so every record was made by someone whose scope holds it.
 */
export async function ensureLocalStaff(deps: Deps, countyCode: string, actor: Actor, password: string) {
  const db = deps.database.db;
  const places = await db
    .select({ code: regions.code, name: regions.name, level: regions.level })
    .from(regions)
    .where(and(eq(regions.countyCode, countyCode), inArray(regions.level, ['town', 'village'])))
    .orderBy(asc(regions.code));
  const existing = await db
    .select({ id: users.id, name: users.name, region: roleAssignments.regionCode, role: roleAssignments.roleCode })
    .from(roleAssignments)
    .innerJoin(users, eq(users.id, roleAssignments.userId))
    .where(
      and(
        eq(users.countyCode, countyCode),
        inArray(roleAssignments.roleCode, ['county_admin', 'institute_admin', 'station_admin']),
      ),
    )
    .orderBy(asc(users.createdAt));
  const hash = await hashPassword(password);
  const towns = new Map<string, StaffMember>();
  const villages = new Map<string, StaffMember>();
  let t = 0;
  let v = 0;
  for (const p of places) {
    const town = p.level === 'town';
    const role = town ? 'institute_admin' : 'station_admin';
    const index = town ? ++t : ++v;
    const mine = existing.find((e) => e.region === p.code && e.role === role);
    let member: StaffMember;
    if (mine) member = { id: mine.id, name: mine.name };
    else {
      const name = `${p.name}${town ? '所管理员' : '站管理员'}`;
      const phone = `${town ? '1380200' : '1380100'}${String(index).padStart(4, '0')}`;
      const r = await ensureUser(
        db,
        deps.crypto,
        actor,
        {
          countyCode,
          name,
          phone,
          password,
          regionCode: p.code,
          roles: [{ role, regionCode: p.code, scope: 'subtree' }],
        },
        hash,
      );
      member = { id: r.id, name };
    }
    (town ? towns : villages).set(p.code, member);
  }
  const head = existing.find((e) => e.role === 'county_admin' && e.region === countyCode);
  if (!head) throw new Error(`演示县 ${countyCode} 没有中心管理员`);
  const center: StaffMember = { id: head.id, name: head.name };
  return {
    /** Whoever runs a region: a village's station admin, a town's institute admin, the county's center admin. */
    of: (code: string) => villages.get(code) ?? towns.get(code) ?? center,
    /** The level above a village that reviews its paperwork: the town's institute (the center for the county). */
    above: (code: string) => towns.get(code.slice(0, 9)) ?? center,
  };
}

/** A staff member as a service sees them once signed in (their grants' scope and permissions), to seed through it. */
export async function staffCallerOf(db: DbOrTx, countyCode: string, who: StaffMember) {
  const grants = await db
    .select({
      role: roleAssignments.roleCode,
      scope: roleAssignments.scope,
      regionCode: roleAssignments.regionCode,
      path: regions.path,
      teamId: roleAssignments.teamId,
      permissions: roles.permissions,
    })
    .from(roleAssignments)
    .innerJoin(roles, eq(roles.code, roleAssignments.roleCode))
    .leftJoin(regions, eq(regions.code, roleAssignments.regionCode))
    .where(eq(roleAssignments.userId, who.id));
  return {
    actor: { userId: who.id, name: who.name, countyCode },
    userId: who.id,
    name: who.name,
    countyCode,
    scope: scopeFromGrants(who.id, grants),
    permissions: new Set(grants.flatMap((g) => g.permissions as Permission[])),
  };
}

/** A user as the points service sees them once signed in (their grants' scope and permissions), to seed through it. */
export async function pointsCallerOf(db: DbOrTx, countyCode: string, who: StaffMember): Promise<PointsCaller> {
  const grants = await db
    .select({
      role: roleAssignments.roleCode,
      scope: roleAssignments.scope,
      regionCode: roleAssignments.regionCode,
      path: regions.path,
      teamId: roleAssignments.teamId,
      permissions: roles.permissions,
    })
    .from(roleAssignments)
    .innerJoin(roles, eq(roles.code, roleAssignments.roleCode))
    .leftJoin(regions, eq(regions.code, roleAssignments.regionCode))
    .where(eq(roleAssignments.userId, who.id));
  return pointsCaller(db, {
    actor: { userId: who.id, name: who.name, countyCode },
    userId: who.id,
    countyCode,
    scope: scopeFromGrants(who.id, grants),
    permissions: new Set(grants.flatMap((g) => g.permissions as Permission[])),
  });
}
