import { and, asc, count, desc, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database, Db, DbOrTx } from '../../db/client.js';
import crypto from 'node:crypto';
import {
  householdMembers,
  regions,
  roleAssignments,
  roles,
  sessions,
  smsCodes,
  users,
  volunteers,
} from '../../db/schema/index.js';
import { queueToPhone } from '../../platform/notify.js';
import { AppError, duplicate, forbidden, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { CSRF_COOKIE, clearAuthCache, type AuthContext } from '../../platform/auth.js';
import {
  dummyPasswordHash,
  hashPassword,
  maskPhone,
  passwordProblem,
  randomToken,
  sha256Hex,
  verifyPassword,
  type Crypto,
} from '../../platform/crypto.js';
import { builtinRoles, scopeLabels, type ScopeKind } from '../../platform/permissions.js';
import { escapeLike, regionInScope, type Scope } from '../../platform/scope.js';
import type { Clock } from '../../platform/clock.js';
import type { Deps } from '../../platform/context.js';
import { getSetting } from '../settings/service.js';
import { settingDefinitions } from '../settings/definitions.js';
import { requireRegion, resolveCounty } from '../regions/service.js';

import { PHONE_RE } from '../../platform/validation.js';
import { offsetPage } from '../../platform/lists.js';

export { CSRF_COOKIE };

/**
 * The county whose settings, menus and rules apply to the caller: their account's county (set from their region when
 * the account is made). Never a configured default: one deployment may hold several counties. (The second argument
 * is unused and kept so that existing call sites need not change.)
 */
export function countyOf(auth: AuthContext, _deps?: unknown): string {
  const county = auth.countyCode ?? homeCounty(auth.regionCode, auth.grants);
  if (!county) throw forbidden('您的账号未归属任何县，请联系安全管理员设置所属区划');
  return county;
}

/** A county code from a region code (the first 6 digits of every GB/T 2260 code below it), or from the grants. */
function homeCounty(regionCode: string | null, grants: { regionCode: string | null }[] = []): string | null {
  const code = regionCode ?? grants.find((g) => g.regionCode)?.regionCode ?? null;
  return code ? code.slice(0, 6) : null;
}

/** Keeps the built-in roles' names and permissions current; custom roles are left alone. */
export async function syncBuiltinRoles(db: DbOrTx) {
  for (const r of builtinRoles) {
    await db
      .insert(roles)
      .values({
        code: r.code,
        name: r.name,
        description: r.description,
        permissions: r.permissions,
        duty: r.duty ?? null,
        builtin: true,
      })
      .onConflictDoUpdate({
        target: roles.code,
        set: { name: r.name, description: r.description, permissions: r.permissions, duty: r.duty ?? null },
      });
  }
}

type LoginDeps = { database: Database; crypto: Crypto; clock: Clock; config: Deps['config'] };

export async function login(
  deps: LoginDeps,
  input: { phone: string; password: string },
  meta: { ip?: string; userAgent?: string; requestId?: string },
) {
  const { db } = deps.database;
  const [user] = await db
    .select()
    .from(users)
    .where(eq(users.phoneHash, deps.crypto.lookupHash('phone', input.phone)));
  if (!user) {
    await verifyPassword(input.password, await dummyPasswordHash());
    throw new AppError('AUTH_INVALID', '手机号或密码错误');
  }
  const county = user.countyCode ?? homeCounty(user.regionCode);
  const now = deps.clock.now();
  const lockedMsg = (until: Date) =>
    `密码错误次数过多，账号已锁定，请在 ${Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60000))} 分钟后再试`;
  if (user.lockedUntil && user.lockedUntil > now) throw new AppError('AUTH_LOCKED', lockedMsg(user.lockedUntil));
  if (!user.active) throw new AppError('AUTH_INVALID', '账号已停用，请联系管理员');
  const actor: Actor = { userId: user.id, name: user.name, countyCode: county, ip: meta.ip, requestId: meta.requestId };
  if (!(await verifyPassword(input.password, user.passwordHash))) {
    // an account of no county (none is made so today) locks by the defaults
    const setting = async (key: 'security.loginMaxFailures' | 'security.lockMinutes') =>
      Number(county ? await getSetting<number>(db, county, key) : settingDefinitions[key].default);
    const max = await setting('security.loginMaxFailures');
    const lockMinutes = await setting('security.lockMinutes');
    const lockedUntil = await db.transaction(async (tx) => {
      const [u] = await tx
        .update(users)
        .set({ failedLogins: sql`${users.failedLogins} + 1` })
        .where(eq(users.id, user.id))
        .returning({ failed: users.failedLogins });
      let until: Date | null = null;
      if (u.failed >= max) {
        until = new Date(now.getTime() + lockMinutes * 60_000);
        await tx.update(users).set({ failedLogins: 0, lockedUntil: until }).where(eq(users.id, user.id));
      }
      await writeAudit(tx, actor, {
        action: until ? 'auth.lock' : 'auth.fail',
        entity: 'user',
        entityId: user.id,
        detail: { failures: u.failed },
      });
      return until;
    });
    if (lockedUntil) throw new AppError('AUTH_LOCKED', lockedMsg(lockedUntil));
    throw new AppError('AUTH_INVALID', '手机号或密码错误');
  }
  const token = randomToken();
  const csrfToken = randomToken(18);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
    await tx.insert(sessions).values({
      tokenHash: sha256Hex(token),
      userId: user.id,
      csrfToken,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      lastSeenAt: now,
      createdAt: now,
    });
    await writeAudit(tx, actor, { action: 'auth.login', entity: 'user', entityId: user.id });
  });
  const profile = await userProfile(db, user.id);
  return { token, csrfToken, user: profile, mustChangePassword: profile.mustChangePassword };
}

export async function logout(db: Db, auth: AuthContext, actor: Actor, now: Date) {
  clearAuthCache();
  await db.transaction(async (tx) => {
    await tx.update(sessions).set({ endedAt: now }).where(eq(sessions.id, auth.sessionId));
    await writeAudit(tx, actor, { action: 'auth.logout', entity: 'user', entityId: auth.userId });
  });
}

async function grantsOf(db: DbOrTx, userIds: string[]) {
  if (!userIds.length) return new Map<string, Grant[]>();
  const rows = await db
    .select({
      id: roleAssignments.id,
      userId: roleAssignments.userId,
      role: roleAssignments.roleCode,
      roleName: roles.name,
      regionCode: roleAssignments.regionCode,
      regionName: regions.name,
      scope: roleAssignments.scope,
      teamId: roleAssignments.teamId,
      permissions: roles.permissions,
    })
    .from(roleAssignments)
    .innerJoin(roles, eq(roles.code, roleAssignments.roleCode))
    .leftJoin(regions, eq(regions.code, roleAssignments.regionCode))
    .where(inArray(roleAssignments.userId, userIds))
    .orderBy(asc(roleAssignments.createdAt));
  const map = new Map<string, Grant[]>();
  for (const r of rows) {
    const list = map.get(r.userId) ?? [];
    list.push({
      id: r.id,
      role: r.role,
      roleName: r.roleName,
      regionCode: r.regionCode,
      regionName: r.regionName,
      scope: r.scope,
      scopeName: scopeLabels[r.scope],
      teamId: r.teamId,
      permissions: r.permissions,
    });
    map.set(r.userId, list);
  }
  return map;
}
type Grant = {
  id: string;
  role: string;
  roleName: string;
  regionCode: string | null;
  regionName: string | null;
  scope: ScopeKind;
  scopeName: string;
  teamId: string | null;
  permissions: string[];
};

export async function userProfile(db: DbOrTx, userId: string) {
  const [u] = await db
    .select({
      id: users.id,
      name: users.name,
      phoneMasked: users.phoneMasked,
      regionCode: users.regionCode,
      regionName: regions.name,
      mustChangePassword: users.mustChangePassword,
    })
    .from(users)
    .leftJoin(regions, eq(regions.code, users.regionCode))
    .where(eq(users.id, userId));
  const grants = (await grantsOf(db, [userId])).get(userId) ?? [];
  const [v] = await db.select({ id: volunteers.id }).from(volunteers).where(eq(volunteers.userId, userId));
  const [h] = await db
    .select({ id: householdMembers.householdId })
    .from(householdMembers)
    .where(eq(householdMembers.userId, userId));
  return {
    ...u,
    roles: grants.map(({ permissions: _p, ...g }) => g),
    permissions: [...new Set(grants.flatMap((g) => g.permissions))].sort(),
    volunteerId: v?.id ?? null,
    householdId: h?.id ?? null,
  };
}

// ---------- user management (scoped) ----------

const userPath = sql<string | null>`(select r.path from regions r where r.code = "users"."region_code")`;

/** Users visible to the caller: those whose home region is in scope; users without a region only to 全部. */
function usersInScope(scope: Scope): SQL {
  if (scope.all) return sql`true`;
  const parts: SQL[] = scope.subtrees.map((p) => sql`${userPath} like ${escapeLike(p) + '%'}`);
  if (scope.regions.length) parts.push(inArray(users.regionCode, [...scope.regions]));
  if (scope.self) parts.push(eq(users.id, scope.userId));
  return parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`false`;
}

export type UserFilter = { q?: string; regionCode?: string; role?: string; page: number; pageSize: number };

export async function listUsers(db: DbOrTx, scope: Scope, crypto: Crypto, f: UserFilter, now = new Date()) {
  const conds: SQL[] = [usersInScope(scope)];
  if (f.q) {
    const q = f.q.trim();
    conds.push(
      PHONE_RE.test(q) ? eq(users.phoneHash, crypto.lookupHash('phone', q)) : ilike(users.name, `%${escapeLike(q)}%`),
    );
  }
  if (f.regionCode) conds.push(sql`${userPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
  if (f.role)
    conds.push(
      sql`exists (select 1 from role_assignments ra where ra.user_id = "users"."id" and ra.role_code = ${f.role})`,
    );
  const { rows, total } = await offsetPage(db, {
    from: users,
    rows: () =>
      db
        .select({
          id: users.id,
          name: users.name,
          phoneMasked: users.phoneMasked,
          regionCode: users.regionCode,
          regionName: regions.name,
          active: users.active,
          lockedUntil: users.lockedUntil,
          createdAt: users.createdAt,
        })
        .from(users)
        .leftJoin(regions, eq(regions.code, users.regionCode)),
    where: and(...conds),
    order: [desc(users.createdAt), asc(users.id)],
    filter: f,
  });
  const grants = await grantsOf(
    db,
    rows.map((r) => r.id),
  );
  return {
    items: rows.map(({ lockedUntil, ...r }) => ({
      ...r,
      locked: !!lockedUntil && lockedUntil > now,
      roles: (grants.get(r.id) ?? []).map(({ permissions: _p, ...g }) => g),
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

export async function getUser(db: DbOrTx, scope: Scope, id: string, now = new Date()) {
  const [u] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, id), usersInScope(scope)));
  if (!u) throw notFound('用户');
  const [row] = await db
    .select({
      id: users.id,
      name: users.name,
      phoneMasked: users.phoneMasked,
      regionCode: users.regionCode,
      regionName: regions.name,
      active: users.active,
      lockedUntil: users.lockedUntil,
      createdAt: users.createdAt,
    })
    .from(users)
    .leftJoin(regions, eq(regions.code, users.regionCode))
    .where(eq(users.id, id));
  const grants = (await grantsOf(db, [id])).get(id) ?? [];
  const { lockedUntil, ...rest } = row;
  return { ...rest, locked: !!lockedUntil && lockedUntil > now, roles: grants.map(({ permissions: _p, ...g }) => g) };
}

export type RoleInput = { role: string; regionCode?: string | null; scope: ScopeKind; teamId?: string | null };

/**
 * Checks a set of role assignments before they are written: known roles, a region where the scope needs one,
 * regions inside the granter's scope, and the separation of the three administrator duties (三员).
 */
async function checkGrants(
  db: DbOrTx,
  granter: { scope: Scope; permissions: ReadonlySet<string>; isSecadmin: boolean },
  input: RoleInput[],
) {
  const known = new Map((await db.select().from(roles)).map((r) => [r.code, r]));
  const out: { roleCode: string; regionCode: string | null; scope: ScopeKind; teamId: string | null }[] = [];
  const duties = new Set<string>();
  for (const [i, g] of input.entries()) {
    const role = known.get(g.role);
    if (!role) throw invalid(`roles.${i}.role`, `未知的角色：${g.role}`);
    if (role.duty) {
      if (!granter.isSecadmin) throw forbidden('三员角色只能由安全管理员授予');
      duties.add(role.duty);
    }
    let regionCode: string | null = g.regionCode ?? null;
    if (g.scope === 'all') {
      if (!granter.scope.all) throw forbidden('您不能授予“全部”数据权限');
      regionCode = null;
    } else if (g.scope === 'subtree' || g.scope === 'own') {
      if (!regionCode) throw invalid(`roles.${i}.regionCode`, `数据权限“${scopeLabels[g.scope]}”需要指定区划`);
    }
    if (regionCode) {
      const r = await requireRegion(db, regionCode, `roles.${i}.regionCode`);
      if (!regionInScope(granter.scope, r.path)) throw notFound('区划');
    }
    out.push({ roleCode: g.role, regionCode, scope: g.scope, teamId: g.teamId ?? null });
  }
  if (duties.size > 0 && input.length > duties.size) {
    throw new AppError('VALIDATION_FAILED', '三员（系统、安全、审计管理员）账号不能兼任其他角色', [
      { path: 'roles', message: '三员角色必须单独授予' },
    ]);
  }
  if (duties.size > 1)
    throw new AppError('VALIDATION_FAILED', '同一账号不能兼任两种三员职责', [
      { path: 'roles', message: '三员职责互斥' },
    ]);
  return out;
}

type Granter = { auth: AuthContext; actor: Actor };
const granterOf = (g: Granter) => ({
  scope: g.auth.scope,
  permissions: g.auth.permissions,
  isSecadmin: g.auth.grants.some((x) => x.role === 'secadmin'),
});

export type NewUser = { name: string; phone: string; password: string; regionCode?: string | null; roles: RoleInput[] };

export async function createUser(db: Db, crypto: Crypto, g: Granter, countyCode: string, input: NewUser) {
  const pw = passwordProblem(input.password);
  if (pw) throw invalid('password', pw);
  let regionCode: string | null = null;
  if (input.regionCode) {
    const r = await requireRegion(db, input.regionCode);
    if (!regionInScope(g.auth.scope, r.path)) throw notFound('区划');
    regionCode = r.code;
  } else if (!g.auth.scope.all) throw invalid('regionCode', '请选择用户所属区划');
  const grants = await checkGrants(db, granterOf(g), input.roles);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const phoneHash = crypto.lookupHash('phone', input.phone);
    const [exists] = await tx.select({ id: users.id }).from(users).where(eq(users.phoneHash, phoneHash));
    if (exists) throw duplicate('该手机号已注册', 'phone');
    const [u] = await tx
      .insert(users)
      .values({
        countyCode,
        name: input.name,
        phoneHash,
        phoneEnc: crypto.encrypt(input.phone),
        phoneMasked: maskPhone(input.phone),
        passwordHash,
        mustChangePassword: true,
        regionCode,
      })
      .returning({ id: users.id });
    if (grants.length) await tx.insert(roleAssignments).values(grants.map((x) => ({ ...x, userId: u.id })));
    await writeAudit(tx, g.actor, {
      action: 'user.create',
      entity: 'user',
      entityId: u.id,
      after: { name: input.name, regionCode, roles: grants },
    });
    return u.id;
  });
}

export async function updateUser(
  db: Db,
  g: Granter,
  id: string,
  patch: { name?: string; regionCode?: string | null; active?: boolean },
) {
  clearAuthCache();
  const before = await getUser(db, g.auth.scope, id);
  if (patch.active === false && id === g.auth.userId) throw invalid('active', '不能停用自己的账号');
  const set: Partial<typeof users.$inferInsert> = { updatedAt: new Date() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.active !== undefined) set.active = patch.active;
  if (patch.regionCode !== undefined) {
    if (patch.regionCode === null) {
      if (!g.auth.scope.all) throw invalid('regionCode', '请选择用户所属区划');
      set.regionCode = null;
    } else {
      const r = await requireRegion(db, patch.regionCode);
      if (!regionInScope(g.auth.scope, r.path)) throw notFound('区划');
      set.regionCode = r.code;
    }
  }
  await db.transaction(async (tx) => {
    await tx.update(users).set(set).where(eq(users.id, id));
    if (patch.active === false)
      await tx
        .update(sessions)
        .set({ endedAt: new Date() })
        .where(and(eq(sessions.userId, id), sql`${sessions.endedAt} is null`));
    await writeAudit(tx, g.actor, { action: 'user.update', entity: 'user', entityId: id, before, after: patch });
  });
}

export async function setUserRoles(db: Db, g: Granter, id: string, input: RoleInput[]) {
  clearAuthCache();
  const before = await getUser(db, g.auth.scope, id);
  if (id === g.auth.userId) throw forbidden('不能修改自己的角色授权');
  const grants = await checkGrants(db, granterOf(g), input);
  // a granter who is not a secadmin cannot take away a duty role either
  if (!granterOf(g).isSecadmin && before.roles.some((r) => builtinRoles.find((b) => b.code === r.role)?.duty))
    throw forbidden('三员角色只能由安全管理员调整');
  await db.transaction(async (tx) => {
    await tx.delete(roleAssignments).where(eq(roleAssignments.userId, id));
    if (grants.length) await tx.insert(roleAssignments).values(grants.map((x) => ({ ...x, userId: id })));
    await writeAudit(tx, g.actor, {
      action: 'user.roles',
      entity: 'user',
      entityId: id,
      before: before.roles,
      after: grants,
    });
  });
}

export async function unlockUser(db: Db, g: Granter, id: string) {
  await getUser(db, g.auth.scope, id);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, id));
    await writeAudit(tx, g.actor, { action: 'user.unlock', entity: 'user', entityId: id });
  });
}

export async function resetPassword(db: Db, g: Granter, id: string, password: string) {
  clearAuthCache();
  await getUser(db, g.auth.scope, id);
  const pw = passwordProblem(password);
  if (pw) throw invalid('password', pw);
  const hash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash: hash, mustChangePassword: true, failedLogins: 0, lockedUntil: null, updatedAt: new Date() })
      .where(eq(users.id, id));
    await tx
      .update(sessions)
      .set({ endedAt: new Date() })
      .where(and(eq(sessions.userId, id), sql`${sessions.endedAt} is null`));
    await writeAudit(tx, g.actor, { action: 'user.resetPassword', entity: 'user', entityId: id });
  });
}

export async function changeOwnPassword(
  db: Db,
  auth: AuthContext,
  actor: Actor,
  oldPassword: string,
  newPassword: string,
) {
  clearAuthCache();
  const [u] = await db.select().from(users).where(eq(users.id, auth.userId));
  if (!(await verifyPassword(oldPassword, u.passwordHash))) throw invalid('oldPassword', '原密码不正确');
  const pw = passwordProblem(newPassword);
  if (pw) throw invalid('newPassword', pw);
  if (newPassword === oldPassword) throw invalid('newPassword', '新密码不能与原密码相同');
  const hash = await hashPassword(newPassword);
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash: hash, mustChangePassword: false, updatedAt: new Date() })
      .where(eq(users.id, auth.userId));
    await tx
      .update(sessions)
      .set({ endedAt: new Date() })
      .where(
        and(
          eq(sessions.userId, auth.userId),
          sql`${sessions.id} <> ${auth.sessionId}`,
          sql`${sessions.endedAt} is null`,
        ),
      );
    await writeAudit(tx, actor, { action: 'user.changePassword', entity: 'user', entityId: auth.userId });
  });
}

/** Used by the CLI and the demo seed: creates (or finds) a user with the given grants, bypassing the granter rules. */
export async function ensureUser(
  db: Db,
  crypto: Crypto,
  actor: Actor,
  input: {
    countyCode: string;
    name: string;
    phone: string;
    password: string;
    regionCode?: string | null;
    roles: { role: string; regionCode?: string | null; scope: ScopeKind }[];
    /** The password was chosen for the owner (`cli create-admin`), not by them: asked to set their own first. */
    mustChangePassword?: boolean;
  },
  passwordHash?: string,
) {
  const phoneHash = crypto.lookupHash('phone', input.phone);
  const [exists] = await db.select({ id: users.id }).from(users).where(eq(users.phoneHash, phoneHash));
  if (exists) return { id: exists.id, created: false };
  const hash = passwordHash ?? (await hashPassword(input.password));
  const id = await db.transaction(async (tx) => {
    const [u] = await tx
      .insert(users)
      .values({
        countyCode: input.countyCode,
        name: input.name,
        phoneHash,
        phoneEnc: crypto.encrypt(input.phone),
        phoneMasked: maskPhone(input.phone),
        passwordHash: hash,
        mustChangePassword: input.mustChangePassword ?? false,
        regionCode: input.regionCode ?? null,
      })
      .returning({ id: users.id });
    if (input.roles.length)
      await tx.insert(roleAssignments).values(
        input.roles.map((r) => ({
          userId: u.id,
          roleCode: r.role,
          regionCode: r.regionCode ?? null,
          scope: r.scope,
        })),
      );
    await writeAudit(
      tx,
      { ...actor, countyCode: input.countyCode },
      { action: 'user.create', entity: 'user', entityId: u.id, after: { name: input.name, roles: input.roles } },
    );
    return u.id;
  });
  return { id, created: true };
}

export const sessionCookieOptions = (secure: boolean) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax' as const,
  secure,
});
export const csrfCookieOptions = (secure: boolean) => ({
  path: '/',
  httpOnly: false,
  sameSite: 'lax' as const,
  secure,
});

// ---------- resident sign-up ----------

/**
 * Sends a 6-digit code through the SMS sender of the county being signed up in (the village's county, or the only
 * initialised one) when that county has one; without one, sign-up needs no code.
 */
export async function requestSmsCode(db: Db, cr: Crypto, input: { phone: string; regionCode?: string }, now: Date) {
  const { phone } = input;
  const countyCode = input.regionCode
    ? (await requireRegion(db, input.regionCode)).countyCode
    : await resolveCounty(db, undefined, 'regionCode');
  const url = await getSetting<string>(db, countyCode, 'notify.smsWebhookUrl');
  if (!url) return { sent: false, required: false };
  const phoneHash = cr.lookupHash('phone', phone);
  const recent = await db
    .select({ n: count() })
    .from(smsCodes)
    .where(
      and(
        eq(smsCodes.phoneHash, phoneHash),
        sql`${smsCodes.createdAt} > ${new Date(now.getTime() - 60_000).toISOString()}::timestamptz`,
      ),
    );
  if (recent[0].n > 0) throw new AppError('RATE_LIMITED', '验证码发送过于频繁，请 1 分钟后再试');
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  await db.transaction(async (tx) => {
    await tx.insert(smsCodes).values({
      phoneHash,
      codeHash: cr.lookupHash('sms', `${phone}:${code}`),
      expiresAt: new Date(now.getTime() + 10 * 60_000),
      createdAt: now,
    });
    await queueToPhone(
      tx,
      countyCode,
      cr.encrypt(phone),
      'auth.code',
      { title: '文明实践云验证码', body: `您的验证码是 ${code}，10 分钟内有效。`, code },
      now,
    );
  });
  return { sent: true, required: true, expiresInSeconds: 600 };
}

/** A resident signs up in a village of any initialised county; the village decides the county. */
export async function registerResident(
  deps: LoginDeps,
  input: { name: string; phone: string; password: string; regionCode: string; code?: string },
  meta: { ip?: string; userAgent?: string; requestId?: string },
) {
  const { db } = deps.database;
  const now = deps.clock.now();
  const pw = passwordProblem(input.password);
  if (pw) throw invalid('password', pw);
  const region = await requireRegion(db, input.regionCode);
  if (region.level !== 'village') throw invalid('regionCode', '请选择所在的村（社区）');
  const countyCode = region.countyCode;
  const phoneHash = deps.crypto.lookupHash('phone', input.phone);
  if (await getSetting<string>(db, countyCode, 'notify.smsWebhookUrl')) {
    if (!input.code) throw invalid('code', '请输入短信验证码');
    const [c] = await db
      .select()
      .from(smsCodes)
      .where(
        and(
          eq(smsCodes.phoneHash, phoneHash),
          sql`${smsCodes.usedAt} is null`,
          sql`${smsCodes.expiresAt} > ${now.toISOString()}::timestamptz`,
        ),
      )
      .orderBy(desc(smsCodes.createdAt))
      .limit(1);
    if (!c || c.attempts >= 5 || c.codeHash !== deps.crypto.lookupHash('sms', `${input.phone}:${input.code}`)) {
      if (c)
        await db
          .update(smsCodes)
          .set({ attempts: sql`${smsCodes.attempts} + 1` })
          .where(eq(smsCodes.id, c.id));
      throw invalid('code', '验证码不正确或已过期');
    }
    await db.update(smsCodes).set({ usedAt: now }).where(eq(smsCodes.id, c.id));
  }
  const [exists] = await db.select({ id: users.id }).from(users).where(eq(users.phoneHash, phoneHash));
  if (exists) throw duplicate('该手机号已注册，请直接登录', 'phone');
  const passwordHash = await hashPassword(input.password);
  await db.transaction(async (tx) => {
    const [u] = await tx
      .insert(users)
      .values({
        countyCode,
        name: input.name,
        phoneHash,
        phoneEnc: deps.crypto.encrypt(input.phone),
        phoneMasked: maskPhone(input.phone),
        passwordHash,
        regionCode: region.code,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: users.id });
    await tx
      .insert(roleAssignments)
      .values({ userId: u.id, roleCode: 'resident', regionCode: region.code, scope: 'self' });
    await writeAudit(
      tx,
      { userId: u.id, name: input.name, countyCode, ip: meta.ip, requestId: meta.requestId },
      { action: 'user.register', entity: 'user', entityId: u.id, after: { name: input.name, regionCode: region.code } },
    );
  });
  return login(deps, { phone: input.phone, password: input.password }, meta);
}

/**
 * Gives a user the volunteer role (仅本人) in their village, inside the caller's transaction: the volunteers module
 * registers a person and their account becomes a volunteer account through this, not by writing role assignments.
 */
export async function grantVolunteerRole(tx: DbOrTx, userId: string, regionCode: string) {
  await tx.insert(roleAssignments).values({ userId, roleCode: 'volunteer', regionCode, scope: 'self' });
}
