import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, getTableColumns, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { PgDialect, alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx } from '../../db/client.js';
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
} from '../../db/schema/index.js';
import { AppError, forbidden, invalid, notFound, type ErrorDetail } from '../../platform/errors.js';
import { auditAppendSql, writeAudit, type Actor, type AuditInput } from '../../platform/audit.js';
import {
  escapeLike,
  inScope,
  leadsTeam,
  ledTeamFilter,
  regionInScope,
  teamAccess,
  townPath as townOf,
  type Scope,
} from '../../platform/scope.js';
import { actionsFor, assertAllowed, eventName, runTransition } from '../../platform/transitions.js';
import { maskPhone, type Crypto } from '../../platform/crypto.js';
import { notifyChannels, notifyInserts } from '../../platform/notify.js';
import type { Permission } from '../../platform/permissions.js';
import {
  keysetPage,
  offsetPage,
  type ListAnswer,
  type ListDef,
  type Lists,
  type SortKey,
} from '../../platform/lists.js';
import { requireRegion } from '../regions/service.js';
import { getSetting } from '../settings/service.js';
import { standingCategories } from '../volunteers/service.js';
import { registerTeamActivitySource } from '../teams/service.js';
import { orderHoursCtes, orderHoursSplit } from '../hours/service.js';
import { PHONE_RE } from '../../platform/validation.js';
import {
  followUpMachine,
  orderMachine,
  orderTransitions,
  scoreLabels,
  stateLabels,
  escalationLabels,
  reachableStates,
  type OrderAction,
  type OrderContext,
  type FollowUpParty,
  type OrderState,
  type Party,
} from './transitions.js';
import { userNameSql } from '../accounts/sql.js';

// ---------- the caller ----------

export type OrderCaller = OrderCallerBase & {
  volunteerId: string | null;
  volunteerPath: string | null;
  verified: boolean;
  leaderTeams: readonly { id: string; regionPath: string }[];
};

export type OrderCallerBase = {
  actor: Actor;
  userId: string;
  countyCode: string;
  scope: Scope;
  permissions: ReadonlySet<Permission>;
};

/** The caller with their volunteer record and led teams, from the scope's team access (read with the session). */
export function orderCaller(base: OrderCallerBase): OrderCaller {
  const me = teamAccess(base.scope);
  return {
    ...base,
    volunteerId: me.volunteerId,
    volunteerPath: me.volunteerPath,
    verified: me.verified,
    leaderTeams: me.leads,
  };
}

type Order = typeof orders.$inferSelect;

// ---------- statements of the hot path, without query building ----------

/**
 * The order lifecycle's statements are sent to the driver as text with parameters (the pool names them, so
 * PostgreSQL parses each once per connection): building them with drizzle was a quarter of the server's CPU in the
 * order bench (bench/NOTES.md).
 */
type RawClient = {
  query: (text: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
};
/** Adds parameters to a statement being written: `p(value)` returns its placeholder. */
function params() {
  const values: unknown[] = [];
  return {
    values,
    p: (v: unknown) => {
      values.push(v);
      return `$${values.length}`;
    },
  };
}
/** The pool under a drizzle handle: statements outside a transaction block. */
const poolOf = (db: Db) => (db as unknown as { session: { client: RawClient } }).session.client;
const pgDialect = new PgDialect();
/**
 * The audit append folded into the caller's statement (platform/audit.ts `auditAppendSql`): its CTEs, with their
 * parameters numbered after the statement's own, appending once when the CTE `from` yields a row.
 */
function auditCtes(values: unknown[], actor: Actor, input: AuditInput, from: string) {
  const q = pgDialect.sqlToQuery(auditAppendSql(actor, input, sql.raw(from)).ctes);
  const offset = values.length;
  values.push(...q.params);
  return q.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}
const orderColumnNames = Object.entries(getTableColumns(orders)).map(([key, col]) => [key, col.name] as const);
const orderColumnName: Record<string, string> = Object.fromEntries(orderColumnNames);
const jsonOrderColumns = new Set(['answers', 'volunteerIds', 'photoIds']);
/** An orders row as the driver returns it (snake_case) → the row drizzle would give. */
function orderFromRow(r: Record<string, unknown>): Order {
  const o: Record<string, unknown> = {};
  for (const [key, name] of orderColumnNames) o[key] = r[name];
  return o as Order;
}

/**
 * The region paths whose pool orders the caller may take: a verified volunteer's town, the towns of the teams they
 * lead (a county-level team: the county).
 */
function poolTowns(c: OrderCaller): string[] {
  const towns = new Set<string>();
  if (c.volunteerPath && c.verified) towns.add(townOf(c.volunteerPath));
  for (const t of c.leaderTeams)
    towns.add(t.regionPath.split('/').filter(Boolean).length >= 2 ? townOf(t.regionPath) : t.regionPath);
  return [...towns];
}

/**
 * Who may take a pool order: a verified volunteer of the order's town, or the leader of a team of its town or county.
 */
function poolEligible(c: OrderCaller, o: Pick<Order, 'regionPath'>) {
  return poolTowns(c).some((p) => o.regionPath.startsWith(p));
}

/** Who the caller is to one order (the parties of orderMachine). */
export function partiesOf(c: OrderCaller, o: Order): Set<Party> {
  const p = new Set<Party>();
  if (c.permissions.has('order:manage') && regionInScope(c.scope, o.regionPath)) p.add('staff');
  if (o.state === 'dispatched' && c.permissions.has('order:serve')) {
    if (o.targetType === 'volunteer' && o.targetId === c.volunteerId) p.add('target');
    if (o.targetType === 'team' && leadsTeam(c.scope, o.targetId)) p.add('target');
    if (o.targetType === 'pool' && poolEligible(c, o)) p.add('target');
  }
  if (o.acceptedUserId && o.acceptedUserId === c.userId) p.add('acceptor');
  if (o.residentUserId === c.userId || (!o.residentUserId && o.proxyUserId === c.userId)) p.add('resident');
  return p;
}

/**
 * The orders the caller may see, as SQL: staff with order:read in scope, the resident or proxy, the acceptor, the
 * dispatched volunteer, the leader of the dispatched team, a volunteer who served it, or one who may take it from
 * the pool while it waits there. The one condition of the scoped loader (findOrder) and of the lifecycle's read.
 */
type OrderCols = Record<
  | 'residentUserId'
  | 'proxyUserId'
  | 'acceptedUserId'
  | 'regionPath'
  | 'regionCode'
  | 'targetType'
  | 'targetId'
  | 'volunteerIds'
  | 'state',
  AnyPgColumn
>;
function orderVisible(c: OrderCaller, t: OrderCols = orders): SQL {
  const parts: SQL[] = [eq(t.residentUserId, c.userId), eq(t.proxyUserId, c.userId), eq(t.acceptedUserId, c.userId)];
  if (c.permissions.has('order:read')) parts.push(inScope(c.scope, { path: t.regionPath, regionCode: t.regionCode }));
  if (c.volunteerId) {
    parts.push(and(eq(t.targetType, 'volunteer'), eq(t.targetId, c.volunteerId))!);
    parts.push(sql`${t.volunteerIds} @> ${JSON.stringify([c.volunteerId])}::jsonb`);
  }
  if (c.leaderTeams.length) parts.push(and(eq(t.targetType, 'team'), ledTeamFilter(c.scope, t.targetId))!);
  const towns = poolTowns(c);
  if (towns.length)
    parts.push(
      and(
        eq(t.state, 'dispatched'),
        eq(t.targetType, 'pool'),
        or(...towns.map((p) => sql`${t.regionPath} like ${escapeLike(p) + '%'}`)),
      )!,
    );
  return or(...parts)!;
}

/**
 * orderVisible for the lifecycle's read (`o`) and writing statement (`u`), written into the raw statement with its
 * parameters appended to `values`, and rendered once per caller: the condition
 * depends only on the caller (scope, permissions, volunteer record, led teams), and building it with drizzle on
 * every request was the largest piece of the lifecycle's query building (bench/NOTES.md, 2026-12-07).
 */
const visibleRendered = new Map<string, { sql: string; params: unknown[] }>();
function visibleSql(values: unknown[], c: OrderCaller, alias: 'o' | 'u') {
  const key = [
    alias,
    c.userId,
    c.permissions.has('order:read') ? 1 : 0,
    JSON.stringify(c.scope),
    c.volunteerId,
    c.volunteerPath,
    c.verified,
    JSON.stringify(c.leaderTeams),
  ].join('\n');
  let q = visibleRendered.get(key);
  if (!q) {
    q = pgDialect.sqlToQuery(orderVisible(c, alias === 'o' ? snapOrder : updatedOrder));
    if (visibleRendered.size >= 5000) visibleRendered.clear();
    visibleRendered.set(key, q);
  }
  const offset = values.length;
  values.push(...q.params);
  return q.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

/** What the guards of orderMachine look at. */
async function contextOf(db: DbOrTx, o: Order, now: Date): Promise<OrderContext> {
  const reopenable = o.state === 'completed' || o.state === 'rated';
  return {
    now,
    targetType: o.targetType,
    completedAt: o.completedAt,
    reopenDays: reopenable ? await getSetting<number>(db, o.countyCode, 'orders.reopenDays') : 0,
  };
}

/**
 * Refuses an action the caller may not take now, with the messages the API has always given: a state it does not
 * leave (409) before a caller who is no party to it (403), then the machine's guards.
 */
function allowed(c: OrderCaller, o: Order, action: OrderAction, ctx: OrderContext) {
  const t = orderMachine.transitions[action];
  if (!t.from.includes(o.state)) {
    throw new AppError('INVALID_TRANSITION', `订单当前为“${stateLabels[o.state]}”，不能${t.label}`);
  }
  const parties = partiesOf(c, o);
  if (!t.who.some((w) => parties.has(w))) throw forbidden(`您不能对这个订单执行“${t.label}”`);
  return assertAllowed(orderMachine, action, o.state, parties, ctx);
}

/** The scoped loader: the order when the caller may see it (one query), else 404. */
export async function findOrder(db: DbOrTx, c: OrderCaller, id: string) {
  const [o] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.id, id), orderVisible(c)));
  if (!o) throw notFound('订单');
  return o;
}

// ---------- service items ----------

export type ItemInput = {
  name: string;
  category: string;
  description?: string;
  regionCode: string;
  fields?: ItemField[];
  providerTeamIds?: string[];
  active?: boolean;
};

function checkFields(fields: ItemField[]) {
  const keys = new Set<string>();
  fields.forEach((f, i) => {
    if (keys.has(f.key)) throw invalid(`fields.${i}.key`, `字段编码 ${f.key} 重复`);
    keys.add(f.key);
    if ((f.type === 'single' || f.type === 'multi') && !f.options?.length)
      throw invalid(`fields.${i}.options`, `“${f.label}”是选择题，至少需要一个选项`);
  });
}

async function checkCategory(db: DbOrTx, countyCode: string, category: string) {
  const { rows } = await db.execute(
    sql`select 1 from team_categories where county_code = ${countyCode} and code = ${category}`,
  );
  if (!(category in standingCategories) && !rows.length) throw invalid('category', `未知的服务类别：${category}`);
}

/** `now`: when the item is made (a promotion from a needs survey passes its clock); the database's now by default. */
export async function createItem(db: Db, actor: Actor, scope: Scope, input: ItemInput, now?: Date) {
  const region = await requireRegion(db, input.regionCode);
  if (!regionInScope(scope, region.path)) throw notFound('区划');
  await checkCategory(db, region.countyCode, input.category);
  checkFields(input.fields ?? []);
  await checkProviders(db, region.countyCode, input.providerTeamIds);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(serviceItems)
      .values({
        ...input,
        countyCode: region.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        createdBy: actor.userId,
        ...(now ? { createdAt: now, updatedAt: now } : {}),
      })
      .returning();
    await writeAudit(
      tx,
      { ...actor, countyCode: region.countyCode },
      { action: 'serviceItem.create', entity: 'service_item', entityId: row.id, after: row },
    );
    return presentItem(tx, row.id);
  });
}

async function checkProviders(db: DbOrTx, countyCode: string, ids?: string[]) {
  if (!ids?.length) return;
  const found = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.countyCode, countyCode), inArray(teams.id, ids)));
  const missing = ids.find((x) => !found.some((f) => f.id === x));
  if (missing) throw invalid('providerTeamIds', `队伍 ${missing} 不存在`);
}

export async function updateItem(db: Db, actor: Actor, scope: Scope, id: string, patch: Partial<ItemInput>) {
  const [before] = await db
    .select()
    .from(serviceItems)
    .where(
      and(
        eq(serviceItems.id, id),
        inScope(scope, { path: serviceItems.regionPath, regionCode: serviceItems.regionCode }),
      ),
    );
  if (!before) throw notFound('服务项目');
  if (patch.category) await checkCategory(db, before.countyCode, patch.category);
  if (patch.fields) checkFields(patch.fields);
  await checkProviders(db, before.countyCode, patch.providerTeamIds);
  const set: Partial<typeof serviceItems.$inferInsert> = { ...patch, updatedAt: new Date() };
  if (patch.regionCode) {
    const r = await requireRegion(db, patch.regionCode);
    if (!regionInScope(scope, r.path)) throw notFound('区划');
    set.regionPath = r.path;
  }
  return db.transaction(async (tx) => {
    const [after] = await tx.update(serviceItems).set(set).where(eq(serviceItems.id, id)).returning();
    await writeAudit(
      tx,
      { ...actor, countyCode: before.countyCode },
      { action: 'serviceItem.update', entity: 'service_item', entityId: id, before, after },
    );
    return presentItem(tx, id);
  });
}

const itemColumns = {
  id: serviceItems.id,
  name: serviceItems.name,
  category: serviceItems.category,
  description: serviceItems.description,
  regionCode: serviceItems.regionCode,
  regionName: regions.name,
  regionLevel: regions.level,
  fields: serviceItems.fields,
  providerTeamIds: serviceItems.providerTeamIds,
  active: serviceItems.active,
  createdAt: serviceItems.createdAt,
  orderCount: sql<number>`(select count(*)::int from orders o where o.service_item_id = "service_items"."id")`,
};
const withCategory = <T extends { category: string }>(x: T) => ({
  ...x,
  categoryName: (standingCategories as Record<string, string>)[x.category] ?? x.category,
});

/** One service item as the menu shows it (the answer of create and update). */
async function presentItem(db: DbOrTx, id: string) {
  const [row] = await db
    .select(itemColumns)
    .from(serviceItems)
    .innerJoin(regions, eq(regions.code, serviceItems.regionCode))
    .where(eq(serviceItems.id, id));
  return withCategory(row);
}

/** The menu a place sees: items owned by the county, its town and its village. */
export async function menuFor(db: DbOrTx, regionCode: string, includeInactive = false) {
  const region = await requireRegion(db, regionCode);
  const ancestors = region.path.split('/').filter(Boolean);
  const rows = await db
    .select(itemColumns)
    .from(serviceItems)
    .innerJoin(regions, eq(regions.code, serviceItems.regionCode))
    .where(
      and(inArray(serviceItems.regionCode, ancestors), includeInactive ? sql`true` : eq(serviceItems.active, true)),
    )
    .orderBy(asc(serviceItems.category), asc(serviceItems.name));
  return { region: { code: region.code, name: region.name }, items: rows.map(withCategory) };
}

export async function listItemsInScope(
  db: DbOrTx,
  scope: Scope,
  f: { q?: string; category?: string; page: number; pageSize: number },
) {
  const conds: SQL[] = [inScope(scope, { path: serviceItems.regionPath, regionCode: serviceItems.regionCode })];
  if (f.q) conds.push(ilike(serviceItems.name, `%${escapeLike(f.q)}%`));
  if (f.category) conds.push(eq(serviceItems.category, f.category));
  const { rows, total } = await offsetPage(db, {
    from: serviceItems,
    rows: () => db.select(itemColumns).from(serviceItems).innerJoin(regions, eq(regions.code, serviceItems.regionCode)),
    where: and(...conds),
    order: [asc(serviceItems.regionPath), asc(serviceItems.category), asc(serviceItems.name)],
    filter: f,
  });
  return { items: rows.map(withCategory), total, page: f.page, pageSize: f.pageSize };
}

/** Checks the answers to an item's extra fields: required ones present, each of its type. */
export function checkAnswers(fields: ItemField[], answers: Record<string, unknown>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const known = new Set(fields.map((f) => f.key));
  for (const k of Object.keys(answers))
    if (!known.has(k)) problems.push({ path: `answers.${k}`, message: '该服务项目没有这个字段' });
  for (const f of fields) {
    const v = answers[f.key];
    const path = `answers.${f.key}`;
    const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
    if (empty) {
      if (f.required) problems.push({ path, message: `请填写“${f.label}”` });
      continue;
    }
    if (f.type === 'text' && (typeof v !== 'string' || v.length > 500))
      problems.push({ path, message: `“${f.label}”应为 500 字以内的文字` });
    if (f.type === 'number' && (typeof v !== 'number' || !Number.isFinite(v)))
      problems.push({ path, message: `“${f.label}”应为数字` });
    if (f.type === 'date' && (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))))
      problems.push({ path, message: `“${f.label}”应为日期（YYYY-MM-DD）` });
    if (f.type === 'single' && (typeof v !== 'string' || !f.options?.includes(v)))
      problems.push({ path, message: `“${f.label}”应为选项之一：${f.options?.join('、')}` });
    if (f.type === 'multi' && (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !f.options?.includes(x))))
      problems.push({ path, message: `“${f.label}”应从选项中选择：${f.options?.join('、')}` });
  }
  return problems;
}

// ---------- households (代登记) ----------

export async function createHousehold(
  db: Db,
  crypto: Crypto,
  actor: Actor,
  scope: Scope,
  input: {
    headName: string;
    phone?: string | null;
    regionCode: string;
    address?: string;
    memberCount?: number;
    note?: string;
  },
  /** when the household was registered (the demo's clock); the database's now by default */
  now?: Date,
) {
  const region = await requireRegion(db, input.regionCode);
  if (!regionInScope(scope, region.path)) throw notFound('区划');
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(households)
      .values({
        ...(now ? { createdAt: now } : {}),
        countyCode: region.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        headName: input.headName,
        address: input.address ?? '',
        memberCount: input.memberCount ?? 1,
        note: input.note ?? '',
        phoneHash: input.phone ? crypto.lookupHash('phone', input.phone) : null,
        phoneEnc: input.phone ? crypto.encrypt(input.phone) : null,
        phoneMasked: input.phone ? maskPhone(input.phone) : null,
        createdBy: actor.userId,
      })
      .returning();
    await writeAudit(
      tx,
      { ...actor, countyCode: region.countyCode },
      {
        action: 'household.create',
        entity: 'household',
        entityId: row.id,
        after: { headName: row.headName, regionCode: row.regionCode },
      },
    );
    return presentHousehold(row, region.name);
  });
}

/** The columns a household is presented from (not the phone's cipher and hash). */
const householdColumns = {
  id: households.id,
  headName: households.headName,
  phoneMasked: households.phoneMasked,
  regionCode: households.regionCode,
  address: households.address,
  memberCount: households.memberCount,
  note: households.note,
  createdAt: households.createdAt,
};
export const presentHousehold = (
  h: Pick<typeof households.$inferSelect, keyof typeof householdColumns>,
  regionName?: string,
) => ({
  id: h.id,
  headName: h.headName,
  phoneMasked: h.phoneMasked,
  regionCode: h.regionCode,
  regionName: regionName ?? null,
  address: h.address,
  memberCount: h.memberCount,
  note: h.note,
  createdAt: h.createdAt,
});

/** Households (代登记) are built from households and region names. */
export const householdsList: ListDef<HouseholdFilter> = {
  name: 'households',
  groups: { county: ['households'], global: ['regions'] },
};
export type HouseholdFilter = { q?: string; regionCode?: string; page: number; pageSize: number; after?: string };
/** Newest first; the id breaks ties of the same instant. */
const householdKeys: SortKey[] = [
  { column: households.createdAt, desc: true, type: 'timestamp' },
  { column: households.id, desc: true, type: 'uuid' },
];

export async function listHouseholds(
  lists: Lists,
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  crypto: Crypto,
  f: HouseholdFilter,
): Promise<ListAnswer> {
  return lists.page(householdsList, { scope, countyCode, filter: f }, async (knownTotal) => {
    const conds: SQL[] = [inScope(scope, { path: households.regionPath, regionCode: households.regionCode })];
    if (f.q)
      conds.push(
        PHONE_RE.test(f.q)
          ? eq(households.phoneHash, crypto.lookupHash('phone', f.q))
          : ilike(households.headName, `%${escapeLike(f.q)}%`),
      );
    if (f.regionCode) conds.push(sql`${households.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
    const { rows, total, nextCursor } = await keysetPage(db, {
      from: households,
      rows: (cursor) =>
        db
          .select({ h: householdColumns, regionName: regions.name, cursor })
          .from(households)
          .innerJoin(regions, eq(regions.code, households.regionCode)),
      where: and(...conds),
      keys: householdKeys,
      filter: f,
      knownTotal,
    });
    return { items: rows.map((r) => presentHousehold(r.h, r.regionName)), total, nextCursor };
  });
}

// ---------- orders ----------

export type NewOrder = {
  serviceItemId: string;
  description: string;
  address?: string;
  answers?: Record<string, unknown>;
  householdId?: string | null;
};

export async function createOrder(db: Db, base: OrderCallerBase, now: Date, input: NewOrder) {
  let residentUserId: string | null = base.userId;
  let householdId: string | null = null;
  let proxyUserId: string | null = null;
  let contactName = base.actor.name;
  let householdRegion: string | null = null;
  if (input.householdId) {
    // 代点单: staff order for a household without a smartphone
    if (!base.permissions.has('order:proxy')) throw forbidden('您没有代群众点单的权限');
    const [h] = await db
      .select()
      .from(households)
      .where(
        and(
          eq(households.id, input.householdId),
          inScope(base.scope, { path: households.regionPath, regionCode: households.regionCode }),
        ),
      );
    if (!h) throw invalid('householdId', '户不存在或不在您的管理范围内');
    householdRegion = h.regionCode;
    householdId = h.id;
    proxyUserId = base.userId;
    residentUserId = null;
    contactName = h.headName;
    if (!input.address) input.address = h.address;
  }
  // the place (the household's, else the resident's village), the item and the place's staff (staffAt level 0) in
  // one round trip; then one statement writes the order, its event, the notifications and the audit event
  const raw = poolOf(db);
  const {
    rows: [pre],
  } = await raw.query(CREATE_READ, [householdRegion, base.userId, input.serviceItemId]);
  const row = await insertOrder(db, raw, pre, base, now, input, {
    residentUserId,
    householdId,
    proxyUserId,
    contactName,
    householdRegion,
  });
  // a new order: the caller is its resident (or proxy) and maybe staff; volunteer parties only begin at dispatch
  const created = orderFromRow(row);
  return presentOrder(orderCaller(base), created, viewFromRow(row), await contextOf(db, created, now));
}

const CREATE_READ = `select r.code, r.county_code, r.path, r.name,
      i.id as item_id, i.name as item_name, i.active as item_active,
      i.region_path as item_region_path, i.fields as item_fields,
      (select coalesce(array_agg(ra.user_id::text), '{}')
        from role_assignments ra
        where ra.region_code = k.codes[greatest(1, least(cardinality(k.codes), 3))]
        and ra.role_code in ('county_admin', 'institute_admin', 'station_admin')) as staff
    from (select coalesce($1::text, (select region_code from users where id = $2::uuid)) as code) me
    left join regions r on r.code = me.code
    left join service_items i on i.id = $3::uuid
    left join lateral (select array_remove(string_to_array(r.path, '/'), '') as codes) k on true`;

/** Creating an order inside its open transaction: checks, the one writing statement, audit. */
async function insertOrder(
  tx: DbOrTx,
  client: RawClient,
  pre: Record<string, unknown> | undefined,
  base: OrderCallerBase,
  now: Date,
  input: NewOrder,
  {
    residentUserId,
    householdId,
    proxyUserId,
    contactName,
    householdRegion,
  }: {
    residentUserId: string | null;
    householdId: string | null;
    proxyUserId: string | null;
    contactName: string;
    householdRegion: string | null;
  },
) {
  if (!pre?.code) {
    if (householdRegion) throw notFound('区划');
    throw invalid('regionCode', '您的账号没有所属村（社区），请先完善资料');
  }
  const region = { code: pre.code as string, countyCode: pre.county_code as string, path: pre.path as string };
  if (!pre.item_id || !pre.item_active || !region.path.startsWith(pre.item_region_path as string))
    throw invalid('serviceItemId', '服务项目不存在或不在本地菜单中');
  const problems = checkAnswers(pre.item_fields as ItemField[], input.answers ?? {});
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems[0].message, problems);
  const notice = {
    countyCode: region.countyCode,
    userIds: pre.staff as string[],
    kind: 'order.submitted',
    title: '新的点单',
    body: `${contactName}点了「${pre.item_name as string}」服务，请及时审核派单`,
    entity: 'order',
    now,
  };
  const channels = await notifyChannels(tx, region.countyCode, false);
  // the order, its first timeline event and the notifications in one statement (the id is chosen here; the event's
  // foreign key is checked at the end of the statement, when the order exists), answering with the order's view
  const id = randomUUID();
  const { values, p } = params();
  const ctes = [
    `o as (insert into orders (id, county_code, region_code, region_path,
        service_item_id, resident_user_id, household_id, proxy_user_id, contact_name, description, address, answers,
        state, step_started_at, submitted_at, created_at, updated_at)
      values (${p(id)}::uuid, ${p(region.countyCode)}::text, ${p(region.code)}::text, ${p(region.path)}::text,
        ${p(pre.item_id)}::uuid, ${p(residentUserId)}::uuid, ${p(householdId)}::uuid, ${p(proxyUserId)}::uuid,
        ${p(contactName)}::text, ${p(input.description)}::text, ${p(input.address ?? '')}::text,
        ${p(JSON.stringify(input.answers ?? {}))}::jsonb, 'submitted', ${p(now)}::timestamptz,
        $${values.length}::timestamptz, $${values.length}::timestamptz, $${values.length}::timestamptz)
      returning *)`,
    `e as (insert into order_events (order_id, action, from_state, to_state, actor_user_id, actor_name, at, note)
      select o.id, ${p(proxyUserId ? 'proxy_submit' : 'submit')}::text, null, 'submitted',
        ${p(base.userId)}::uuid, ${p(base.actor.name)}::text, ${p(now)}::timestamptz,
        ${p(proxyUserId ? `${base.actor.name}代${contactName}点单` : '')}::text from o
      returning action, from_state, to_state, actor_name, at, note, seq)`,
  ];
  notifyInserts({ ...notice, entityId: id }, channels, p, 'o').forEach((stmt, i) => ctes.push(`n${i} as (${stmt})`));
  // the audit event's "after" is the row this statement inserts (its columns' defaults written out), as it was
  const after: Order = {
    id,
    countyCode: region.countyCode,
    regionCode: region.code,
    regionPath: region.path,
    serviceItemId: pre.item_id as string,
    residentUserId,
    householdId,
    contactName,
    description: input.description,
    address: input.address ?? '',
    answers: input.answers ?? {},
    proxyUserId,
    state: 'submitted',
    targetType: null,
    targetId: null,
    acceptedUserId: null,
    acceptedVolunteerId: null,
    acceptedTeamId: null,
    summary: null,
    hours: null,
    volunteerIds: [],
    photoIds: [],
    score: null,
    comment: null,
    autoRated: false,
    escalationLevel: 0,
    overdue: false,
    stepStartedAt: now,
    submittedAt: now,
    dispatchedAt: null,
    acceptedAt: null,
    completedAt: null,
    ratedAt: null,
    closedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  ctes.push(
    auditCtes(
      values,
      { ...base.actor, countyCode: region.countyCode },
      { action: 'order.create', entity: 'order', entityId: id, after },
      'o',
    ),
  );
  const {
    rows: [r],
  } = await client.query(`with ${ctes.join(',\n')} select o.*, ${viewColumns('o', 'e')} from o`, values);
  return r;
}

/** Staff who manage orders at a level above a place: 0 = its village (站), 1 = its town (所), 2 = the county (中心). */
export async function staffAt(db: DbOrTx, regionPath: string, level: number): Promise<string[]> {
  const codes = regionPath.split('/').filter(Boolean);
  const code = codes[Math.max(0, Math.min(codes.length - 1, 2 - level))];
  const rows = await db
    .select({ userId: roleAssignments.userId })
    .from(roleAssignments)
    .where(
      and(
        eq(roleAssignments.regionCode, code),
        inArray(roleAssignments.roleCode, ['county_admin', 'institute_admin', 'station_admin']),
      ),
    );
  return rows.map((r) => r.userId);
}

export type TransitionBody = {
  reason?: string;
  target?: { type: 'team' | 'volunteer' | 'pool'; id?: string | null };
  summary?: string;
  hours?: number;
  volunteerIds?: string[];
  photoIds?: string[];
  score?: number;
  comment?: string;
};

const requiredFields: Partial<Record<OrderAction, (keyof TransitionBody)[]>> = {
  reject: ['reason'],
  dispatch: ['target'],
  decline: ['reason'],
  complete: ['summary'],
  rate: ['score'],
  reopen: ['reason'],
  recall: ['reason'],
};
const fieldLabels: Record<string, string> = { reason: '原因', target: '派单对象', summary: '服务情况', score: '评分' };

/**
 * Applies one transition of the table: the caller must be one of its parties, the order in one of its from-states;
 * the conditional update, the timeline event, the audit event and the notifications share one transaction, so a
 * lost race changes nothing and answers 409.
 */
export async function transition(
  db: Db,
  base: OrderCallerBase,
  now: Date,
  orderId: string,
  action: OrderAction,
  body: TransitionBody = {},
) {
  // every action is one read and one writing statement — completion's hours and the audit append included —
  // with no transaction block
  const raw = poolOf(db);
  const c = orderCaller(base);
  const { values, p } = params();
  const visible = visibleSql(values, c, 'o');
  const read = `select o.*, ${visible} as c_visible,
    (select i.name from service_items i where i.id = o.service_item_id) as c_item_name
    ${targetRead(action, body, p)}
    from orders o where o.id = ${p(orderId)}::uuid`;
  const {
    rows: [snap],
  } = await raw.query(read, values);
  const row = await applyTransition(db, raw, snap, c, now, action, body);
  const after = orderFromRow(row);
  // after a decline or a lost target the caller may no longer see the order: answer with its new state
  if (!row.c_visible)
    return { id: after.id, state: after.state, stateName: stateLabels[after.state], timeline: [], actions: [] };
  return presentOrder(c, after, viewFromRow(row), await contextOf(db, after, now));
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * A dispatch to a volunteer or a team reads its target (name, account, the team's leader) in the lifecycle's read,
 * checked against the order's county as resolveTarget does: one round trip less than a query of its own.
 */
function targetRead(action: OrderAction, body: TransitionBody, p: (v: unknown) => string) {
  const target = action === 'dispatch' ? body.target : undefined;
  if (!target?.id || !UUID_RE.test(target.id)) return '';
  if (target.type === 'volunteer')
    return `, (select json_build_object('name', v.name, 'userId', v.user_id)
      from volunteers v
      where v.id = ${p(target.id)}::uuid and v.county_code = o.county_code) as t_target`;
  if (target.type === 'team')
    return `, (select json_build_object('name', t.name, 'leader', t.leader_volunteer_id, 'leaderUserId', lv.user_id)
      from teams t left join volunteers lv on lv.id = t.leader_volunteer_id
      where t.id = ${p(target.id)}::uuid and t.county_code = o.county_code) as t_target`;
  return '';
}

/**
 * The orders row of the lifecycle's read (`o`) and of its writing statement (`u`), for conditions built with drizzle.
 */
const snapOrder = alias(orders, 'o');
const updatedOrder = alias(orders, 'u');

/** An order action: checks, then the one writing statement (order, timeline, notifications, hours, audit). */
async function applyTransition(
  tx: DbOrTx,
  client: RawClient,
  snap: Record<string, unknown> | undefined,
  c: OrderCaller,
  now: Date,
  action: OrderAction,
  body: TransitionBody,
) {
  const t = orderTransitions[action];
  const o = snap ? orderFromRow(snap) : undefined;
  if (!o || !snap?.c_visible) {
    // a pool order someone else just took is no longer visible to the others: they lost a race, not the order
    if (o && action === 'accept' && o.targetType === 'pool' && poolEligible(c, o))
      throw new AppError('INVALID_TRANSITION', '这单已被其他志愿者接走');
    throw notFound('订单');
  }
  allowed(c, o, action, await contextOf(tx, o, now));
  for (const f of requiredFields[action] ?? []) {
    const v = body[f];
    if (v === undefined || v === null || (typeof v === 'string' && !v.trim()))
      throw invalid(f, `请填写${fieldLabels[f]}`);
  }
  const set: Partial<typeof orders.$inferInsert> = { state: t.to, stepStartedAt: now, updatedAt: now };
  // every notification names the service: 您的「广场舞教学」服务单已被接单
  const item = `「${(snap.c_item_name as string | null) ?? '点单'}」`;
  let note = body.reason ?? '';
  const data: Record<string, unknown> = {};
  const notifyUsers: (string | null)[] = [];
  let notifyText = '';
  switch (action) {
    case 'dispatch': {
      const target = body.target!;
      const { name, userIds } = await resolveTarget(tx, o, target, snap.t_target);
      Object.assign(set, {
        targetType: target.type,
        targetId: target.type === 'pool' ? null : target.id,
        dispatchedAt: now,
        overdue: false,
      });
      note = `派给${name}`;
      data.target = { ...target, name };
      notifyUsers.push(...userIds, o.residentUserId);
      notifyText = `${item}服务单已派给${name}`;
      break;
    }
    case 'accept': {
      Object.assign(set, {
        acceptedUserId: c.userId,
        acceptedVolunteerId: c.volunteerId,
        acceptedTeamId: o.targetType === 'team' ? o.targetId : null,
        acceptedAt: now,
        overdue: false,
      });
      notifyUsers.push(o.residentUserId, o.proxyUserId);
      notifyText = `您的${item}服务单已被${c.actor.name}接单`;
      break;
    }
    case 'decline':
      Object.assign(set, { targetType: null, targetId: null });
      notifyUsers.push(...(await staffAt(tx, o.regionPath, o.escalationLevel)));
      notifyText = `${c.actor.name}拒绝了${item}服务单：${body.reason}`;
      break;
    case 'start':
      notifyUsers.push(o.residentUserId);
      notifyText = `志愿者已开始您的${item}服务`;
      break;
    case 'complete': {
      if (body.hours !== undefined && (body.hours < 0 || body.hours > 24))
        throw invalid('hours', '服务时长应在 0–24 小时之间');
      if (body.volunteerIds?.length) {
        const found = await tx
          .select({ id: volunteers.id })
          .from(volunteers)
          .where(and(eq(volunteers.countyCode, o.countyCode), inArray(volunteers.id, body.volunteerIds)));
        if (found.length !== new Set(body.volunteerIds).size) throw invalid('volunteerIds', '参与服务的志愿者不存在');
      }
      Object.assign(set, {
        summary: body.summary,
        hours: body.hours !== undefined ? String(body.hours) : null,
        volunteerIds: body.volunteerIds ?? (o.acceptedVolunteerId ? [o.acceptedVolunteerId] : []),
        photoIds: body.photoIds ?? [],
        completedAt: now,
        overdue: false,
      });
      note = body.summary ?? '';
      const split = orderHoursSplit(body.hours ?? 0, o.acceptedAt, now);
      if (split.excess > 0 && set.volunteerIds?.length)
        note += `（申报 ${split.hours} 小时，接单至完成共 ${split.served} 小时，超出的 ${split.excess} 小时待审核）`;
      notifyUsers.push(o.residentUserId, o.proxyUserId);
      notifyText = `您的${item}服务已完成，请您评价`;
      break;
    }
    case 'rate': {
      if (!Number.isInteger(body.score) || body.score! < 1 || body.score! > 5)
        throw invalid('score', '评分应为 1–5 的整数');
      Object.assign(set, { score: body.score, comment: body.comment ?? '', ratedAt: now, autoRated: false });
      note = `${scoreLabels[body.score!]}${body.comment ? `：${body.comment}` : ''}`;
      notifyUsers.push(o.acceptedUserId);
      notifyText = `${item}服务单收到群众评价：${scoreLabels[body.score!]}`;
      break;
    }
    case 'reopen': {
      Object.assign(set, {
        targetType: null,
        targetId: null,
        acceptedUserId: null,
        acceptedVolunteerId: null,
        acceptedTeamId: null,
        score: null,
        comment: null,
        ratedAt: null,
        completedAt: null,
        submittedAt: now,
      });
      notifyUsers.push(...(await staffAt(tx, o.regionPath, o.escalationLevel)), o.acceptedUserId);
      notifyText = `群众重新打开了${item}服务单：${body.reason}`;
      break;
    }
    case 'cancel':
      notifyUsers.push(
        ...(await staffAt(tx, o.regionPath, o.escalationLevel)),
        ...(o.state === 'dispatched' ? await targetUsers(tx, o, { type: o.targetType!, id: o.targetId }) : []),
      );
      notifyText = `群众取消了${item}服务单`;
      break;
    case 'recall':
      // 撤回 (to dispatch again: 改派): the target or acceptor lets go, the resident is told
      Object.assign(set, {
        targetType: null,
        targetId: null,
        acceptedUserId: null,
        acceptedVolunteerId: null,
        acceptedTeamId: null,
        overdue: false,
      });
      notifyUsers.push(
        o.residentUserId,
        o.proxyUserId,
        o.acceptedUserId,
        ...(o.state === 'dispatched' ? await targetUsers(tx, o, { type: o.targetType!, id: o.targetId }) : []),
      );
      notifyText = `${item}服务单已被工作人员撤回，将重新派单：${body.reason}`;
      break;
    case 'reject':
      notifyUsers.push(o.residentUserId, o.proxyUserId);
      notifyText = `您的${item}服务单未通过审核：${body.reason}`;
      break;
  }
  // a rating of 不满意 or worse opens a follow-up and tells the town's staff
  const followUp =
    action === 'rate' && body.score! <= 2
      ? `群众评价“${scoreLabels[body.score!]}”${body.comment ? `：${body.comment}` : ''}`
      : null;
  if (followUp) notifyUsers.push(...(await staffAt(tx, o.regionPath, 1)));
  const notice = {
    countyCode: o.countyCode,
    userIds: notifyUsers.filter((u) => u !== c.userId),
    kind: `order.${action}`,
    title: noticeTitles[action] ?? `订单${t.label}`,
    body: notifyText || `${item}服务单已${t.label}`,
    entity: 'order',
    entityId: o.id,
    now,
    sms: ['dispatch', 'complete', 'reject'].includes(action),
  };
  const channels = await notifyChannels(tx, o.countyCode, notice.sms);
  // the conditional update, its timeline event, the follow-up and the notifications in one statement
  // (data-modifying CTEs), which also answers with everything the response shows — no re-read after the commit
  const { values, p } = params();
  const visibleAfter = visibleSql(values, c, 'u');
  const sets = Object.entries(set)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${orderColumnName[k]} = ${p(jsonOrderColumns.has(k) ? JSON.stringify(v) : v)}`)
    .join(', ');
  const ctes = [
    `u as (update orders set ${sets} where id = ${p(o.id)}::uuid and state = ${p(o.state)}::text returning *)`,
    `e as (insert into order_events (order_id, action, from_state, to_state, actor_user_id, actor_name, at, note, data)
      select u.id, ${p(action)}::text, ${p(o.state)}::text, u.state,
        ${p(c.userId)}::uuid, ${p(c.actor.name)}::text, ${p(now)}::timestamptz, ${p(note)}::text,
        ${p(Object.keys(data).length ? JSON.stringify(data) : null)}::jsonb from u
      returning action, from_state, to_state, actor_name, at, note, seq)`,
  ];
  if (followUp) {
    ctes.push(`f as (insert into follow_ups (order_id, county_code, region_code, region_path, reason, opened_at)
        select u.id, u.county_code, u.region_code, u.region_path, ${p(followUp)}::text, ${p(now)}::timestamptz
        from u
      returning id, reason, opened_at, closed_at, result)`);
  }
  notifyInserts(notice, channels, p, 'u').forEach((stmt, i) => ctes.push(`n${i} as (${stmt})`));
  // completion credits the hours in the same statement, the volunteers' ledgers locked after the order row; the audit
  // append reads a CTE that waits for the hours (`ua`), so the audit lane is locked last, as by every ledger writer
  let auditFrom = 'u';
  if (action === 'complete') {
    const hours = orderHoursCtes(p, 'u', {
      hours: Number(set.hours ?? 0),
      volunteerIds: set.volunteerIds ?? [],
      createdBy: c.userId,
      now,
      acceptedAt: o.acceptedAt,
    });
    if (hours.length) {
      ctes.push(...hours, 'ua as (select u.* from u where (select n from hours_done) >= 0)');
      auditFrom = 'ua';
    }
  }
  const audit: AuditInput = {
    action: `order.${action}`,
    entity: 'order',
    entityId: o.id,
    before: { state: o.state },
    after: { state: t.to },
    detail: note ? { note } : undefined,
  };
  ctes.push(auditCtes(values, { ...c.actor, countyCode: o.countyCode }, audit, auditFrom));
  // locks are taken as late as possible and held until commit: the order row (conditional update) first, then the
  // volunteer's ledger (hours on completion), then the audit chain head, so writers queue on them for the shortest time
  const {
    rows: [r],
  } = await client.query(
    `with ${ctes.join(',\n')} select u.*, ${visibleAfter} as c_visible,
      ${viewColumns('u', 'e', followUp ? 'f' : undefined)} from u`,
    values,
  );
  // the order was in another state by now: the update matched nothing, so nothing else was written either
  if (!r) throw new AppError('INVALID_TRANSITION', '订单状态已被他人更新（可能已被抢先接单），请刷新后重试');
  return r;
}

const noticeTitles: Partial<Record<OrderAction, string>> = {
  dispatch: '点单已派出',
  accept: '志愿者已接单',
  decline: '派单被拒绝，请重新派单',
  start: '志愿者开始服务',
  complete: '服务已完成，请您评价',
  rate: '收到群众评价',
  cancel: '群众取消了点单',
  reopen: '群众重新打开了点单',
  reject: '点单未通过审核',
  recall: '服务单已撤回',
};

/** The dispatch target's display name and the users to notify, checked against the order's county: one query. */
async function resolveTarget(
  db: DbOrTx,
  o: Order,
  target: { type: string; id?: string | null },
  /** the target as the lifecycle's read found it (`targetRead`): null when missing, undefined when not read */
  read?: unknown,
): Promise<{ name: string; userIds: string[] }> {
  if (target.type === 'pool') return { name: '抢单池', userIds: await targetUsers(db, o, target) };
  if (!target.id) throw invalid('target.id', '请选择派单对象');
  if (target.type === 'team') {
    type Team = { name: string; leader: string | null; leaderUserId: string | null };
    const [t] =
      read !== undefined
        ? read === null
          ? []
          : [read as Team]
        : await db
            .select({ name: teams.name, leader: teams.leaderVolunteerId, leaderUserId: volunteers.userId })
            .from(teams)
            .leftJoin(volunteers, eq(volunteers.id, teams.leaderVolunteerId))
            .where(and(eq(teams.id, target.id), eq(teams.countyCode, o.countyCode)));
    if (!t) throw invalid('target.id', '队伍不存在');
    if (!t.leader) throw invalid('target.id', '该队伍还没有队长，无法接单');
    return { name: t.name, userIds: t.leaderUserId ? [t.leaderUserId] : [] };
  }
  type Volunteer = { name: string; userId: string | null };
  const [v] =
    read !== undefined
      ? read === null
        ? []
        : [read as Volunteer]
      : await db
          .select({ name: volunteers.name, userId: volunteers.userId })
          .from(volunteers)
          .where(and(eq(volunteers.id, target.id), eq(volunteers.countyCode, o.countyCode)));
  if (!v) throw invalid('target.id', '志愿者不存在');
  if (!v.userId) throw invalid('target.id', '该志愿者还没有开通账号，无法在线接单');
  return { name: `志愿者${v.name}`, userIds: [v.userId] };
}

async function targetUsers(db: DbOrTx, o: Order, target: { type: string; id?: string | null }): Promise<string[]> {
  if (target.type === 'volunteer' && target.id) {
    const [v] = await db.select({ userId: volunteers.userId }).from(volunteers).where(eq(volunteers.id, target.id));
    return v?.userId ? [v.userId] : [];
  }
  if (target.type === 'team' && target.id) {
    const [t] = await db
      .select({ userId: volunteers.userId })
      .from(teams)
      .innerJoin(volunteers, eq(volunteers.id, teams.leaderVolunteerId))
      .where(eq(teams.id, target.id));
    return t?.userId ? [t.userId] : [];
  }
  if (target.type === 'pool') {
    const rows = await db
      .select({ userId: volunteers.userId })
      .from(volunteers)
      .where(
        and(
          sql`${volunteers.userId} is not null`,
          eq(volunteers.verified, true),
          sql`${volunteers.regionPath} like ${escapeLike(townOf(o.regionPath)) + '%'}`,
        ),
      )
      .limit(200);
    return rows.map((r) => r.userId!);
  }
  return [];
}

// ---------- reading ----------

const orderColumns = {
  id: orders.id,
  state: orders.state,
  regionCode: orders.regionCode,
  regionName: regions.name,
  contactName: orders.contactName,
  description: orders.description,
  address: orders.address,
  answers: orders.answers,
  serviceItemId: orders.serviceItemId,
  serviceItemName: serviceItems.name,
  category: serviceItems.category,
  targetType: orders.targetType,
  targetId: orders.targetId,
  acceptedUserId: orders.acceptedUserId,
  acceptedVolunteerId: orders.acceptedVolunteerId,
  acceptedTeamId: orders.acceptedTeamId,
  residentUserId: orders.residentUserId,
  householdId: orders.householdId,
  proxyUserId: orders.proxyUserId,
  summary: orders.summary,
  hours: orders.hours,
  volunteerIds: orders.volunteerIds,
  photoIds: orders.photoIds,
  score: orders.score,
  comment: orders.comment,
  autoRated: orders.autoRated,
  escalationLevel: orders.escalationLevel,
  overdue: orders.overdue,
  stepStartedAt: orders.stepStartedAt,
  submittedAt: orders.submittedAt,
  dispatchedAt: orders.dispatchedAt,
  acceptedAt: orders.acceptedAt,
  completedAt: orders.completedAt,
  ratedAt: orders.ratedAt,
  closedAt: orders.closedAt,
  createdAt: orders.createdAt,
};
type OrderRow = {
  state: OrderState;
  category: string;
  escalationLevel: number;
  score: number | null;
  hours: string | number | null;
  targetType: string | null;
  targetId: string | null;
};
const label = <T extends OrderRow>(o: T) => ({
  ...o,
  hours: o.hours === null ? null : Number(o.hours),
  stateName: stateLabels[o.state],
  categoryName: (standingCategories as Record<string, string>)[o.category] ?? o.category,
  escalatedTo:
    o.escalationLevel > 0 || (o as { overdue?: boolean }).overdue ? escalationLabels[o.escalationLevel] : null,
  scoreName: o.score ? scoreLabels[o.score] : null,
});

export type OrderFilter = {
  state?: OrderState[];
  overdue?: boolean;
  regionCode?: string;
  category?: string;
  q?: string;
  page: number;
  pageSize: number;
  after?: string;
};

/** Overdue first, then newest; the id breaks ties of the same instant. */
const orderKeys: SortKey[] = [
  { column: orders.overdue, desc: true, type: 'boolean' },
  { column: orders.createdAt, desc: true, type: 'timestamp' },
  { column: orders.id, desc: true, type: 'uuid' },
];

/** The admin board is built from orders, their service items (both bump 'orders') and region names. */
export const ordersBoard: ListDef<OrderFilter> = {
  name: 'orders',
  groups: { county: ['orders'], global: ['regions'] },
};

/** The admin board: every order in the caller's scope. */
export async function listOrders(
  lists: Lists,
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  f: OrderFilter,
): Promise<ListAnswer> {
  return lists.page(ordersBoard, { scope, countyCode, filter: f }, async (knownTotal) =>
    pagedOrders(db, [inScope(scope, { path: orders.regionPath, regionCode: orders.regionCode })], f, knownTotal),
  );
}

async function pagedOrders(db: DbOrTx, conds: SQL[], f: OrderFilter, knownTotal?: number) {
  if (f.state?.length) conds.push(inArray(orders.state, f.state));
  if (f.overdue !== undefined) conds.push(eq(orders.overdue, f.overdue));
  if (f.regionCode) conds.push(sql`${orders.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
  if (f.category) conds.push(eq(serviceItems.category, f.category));
  if (f.q)
    conds.push(
      or(
        ilike(orders.contactName, `%${escapeLike(f.q)}%`),
        ilike(orders.description, `%${escapeLike(f.q)}%`),
        ilike(serviceItems.name, `%${escapeLike(f.q)}%`),
      )!,
    );
  const { rows, total, nextCursor } = await keysetPage(db, {
    from: orders,
    // the filters may read the service item's category and name
    countJoins: (q) => q.innerJoin(serviceItems, eq(serviceItems.id, orders.serviceItemId)),
    rows: (cursor) =>
      db
        .select({ o: orderColumns, cursor })
        .from(orders)
        .innerJoin(serviceItems, eq(serviceItems.id, orders.serviceItemId))
        .innerJoin(regions, eq(regions.code, orders.regionCode)),
    where: and(...conds),
    keys: orderKeys,
    filter: f,
    knownTotal,
  });
  return { items: rows.map((r) => label(r.o)), total, page: f.page, pageSize: f.pageSize, nextCursor };
}

/** The resident's own orders (and those staff placed on their behalf). */
export async function myOrders(db: DbOrTx, c: OrderCaller, f: OrderFilter) {
  return pagedOrders(db, [or(eq(orders.residentUserId, c.userId), eq(orders.proxyUserId, c.userId))!], f);
}

/** A volunteer's work: dispatched to them or their teams, in the pool of their town, or accepted by them. */
export async function myTasks(db: DbOrTx, c: OrderCaller, f: OrderFilter & { view?: 'todo' | 'pool' | 'mine' }) {
  const parts: SQL[] = [];
  const view = f.view ?? 'todo';
  if (view === 'todo') {
    if (c.volunteerId) parts.push(and(eq(orders.targetType, 'volunteer'), eq(orders.targetId, c.volunteerId))!);
    if (c.leaderTeams.length) parts.push(and(eq(orders.targetType, 'team'), ledTeamFilter(c.scope, orders.targetId))!);
    parts.splice(0, parts.length, ...(parts.length ? [and(eq(orders.state, 'dispatched'), or(...parts))!] : []));
  } else if (view === 'pool') {
    const towns = poolTowns(c);
    if (towns.length)
      parts.push(
        and(
          eq(orders.state, 'dispatched'),
          eq(orders.targetType, 'pool'),
          or(...towns.map((p) => sql`${orders.regionPath} like ${escapeLike(p) + '%'}`)),
        )!,
      );
  } else {
    parts.push(eq(orders.acceptedUserId, c.userId));
  }
  if (!parts.length) return { items: [], total: 0, page: f.page, pageSize: f.pageSize };
  return pagedOrders(db, [or(...parts)!], f);
}

/** An ISO-8601 UTC timestamp as JavaScript's toISOString writes it, from SQL (for values inside json). */
const isoSql = (col: SQL) => sql`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
type TimelineRow = {
  action: string;
  from: OrderState | null;
  to: OrderState;
  actorName: string;
  at: string;
  note: string;
};
type FollowUpRow = { id: string; reason: string; openedAt: string; closedAt: string | null; result: string | null };

/**
 * An order with its item, timeline, follow-ups, target and acceptor names, in one round trip (it answers every
 * order action as well as the detail page). The target's name is empty where the target can no longer take the
 * order (a team without a leader, a volunteer without an account), as before.
 */
export async function getOrder(db: DbOrTx, c: OrderCaller, id: string, now: Date) {
  const [r] = await db
    .select({
      o: orders,
      regionName: regions.name,
      item: {
        id: serviceItems.id,
        name: serviceItems.name,
        category: serviceItems.category,
        fields: serviceItems.fields,
      },
      timeline: sql<
        TimelineRow[]
      >`(select coalesce(json_agg(json_build_object('action', e.action, 'from', e.from_state, 'to', e.to_state,
        'actorName', e.actor_name,
      'at', ${isoSql(sql`e.at`)}, 'note', e.note) order by e.at, e.seq), '[]')
        from order_events e where e.order_id = ${orders.id})`,
      followUps: sql<FollowUpRow[]>`(select coalesce(json_agg(json_build_object('id', f.id, 'reason', f.reason,
        'openedAt', ${isoSql(sql`f.opened_at`)},
      'closedAt', ${isoSql(sql`f.closed_at`)}, 'result', f.result) order by f.opened_at), '[]')
        from follow_ups f where f.order_id = ${orders.id})`,
      targetName: sql<string>`case ${orders.targetType}
      when 'pool' then '抢单池'
      when 'team' then coalesce((select case when t.leader_volunteer_id is null then '' else t.name end
          from teams t where t.id = ${orders.targetId}
          and t.county_code = ${orders.countyCode}), '')
      when 'volunteer' then coalesce((select case when v.user_id is null then '' else '志愿者' || v.name end
          from volunteers v where v.id = ${orders.targetId}
          and v.county_code = ${orders.countyCode}), '')
      else '' end`,
      acceptorName: userNameSql(orders.acceptedUserId),
      contactPhoneMasked: sql<string | null>`case when ${orders.residentUserId} is not null
        then (select x.phone_masked from users x where x.id = ${orders.residentUserId})
        else (select h.phone_masked from households h where h.id = ${orders.householdId}) end`,
      acceptorPhoneMasked: sql<
        string | null
      >`(select x.phone_masked from users x where x.id = ${orders.acceptedUserId})`,
    })
    .from(orders)
    .innerJoin(serviceItems, eq(serviceItems.id, orders.serviceItemId))
    .innerJoin(regions, eq(regions.code, orders.regionCode))
    .where(and(eq(orders.id, id), orderVisible(c)));
  if (!r) throw notFound('订单');
  return presentOrder(c, r.o, r, await contextOf(db, r.o, now));
}

/**
 * 拨打: the resident's full phone number, for the order's acceptor or its staff while the order is open; audited. Anyone
 * else is answered as if the order did not exist (404); once the order is closed, 409.
 */
export async function revealContact(db: Db, crypto: Crypto, c: OrderCaller, id: string) {
  const [r] = await db
    .select({ o: orders, userPhone: users.phoneEnc, householdPhone: households.phoneEnc })
    .from(orders)
    .leftJoin(users, eq(users.id, orders.residentUserId))
    .leftJoin(households, eq(households.id, orders.householdId))
    .where(and(eq(orders.id, id), orderVisible(c)));
  if (!r) throw notFound('订单');
  const parties = partiesOf(c, r.o);
  if (!parties.has('acceptor') && !parties.has('staff')) throw notFound('订单');
  if (!reachableStates.includes(r.o.state))
    throw new AppError('INVALID_TRANSITION', `订单当前为“${stateLabels[r.o.state]}”，已不能查看群众的联系电话`);
  const enc = r.o.residentUserId ? r.userPhone : r.householdPhone;
  if (!enc) throw notFound('联系电话');
  const phone = crypto.decrypt(enc);
  await db.transaction((tx) =>
    writeAudit(
      tx,
      { ...c.actor, countyCode: r.o.countyCode },
      {
        action: 'order.contact',
        entity: 'order',
        entityId: id,
        detail: { as: parties.has('acceptor') ? 'acceptor' : 'staff', state: r.o.state },
      },
    ),
  );
  return { phone };
}

type OrderView = {
  regionName: string;
  item: { id: string; name: string; category: string; fields: ItemField[] };
  timeline: TimelineRow[];
  followUps: FollowUpRow[];
  targetName: string;
  acceptorName: string | null;
  contactPhoneMasked: string | null;
  acceptorPhoneMasked: string | null;
};

/**
 * The answer of the detail page and of every order action: the order with its names, timeline and the caller's actions.
 */
function presentOrder(c: OrderCaller, o: Order, r: OrderView, ctx: OrderContext) {
  const row = {
    id: o.id,
    state: o.state,
    regionCode: o.regionCode,
    regionName: r.regionName,
    contactName: o.contactName,
    description: o.description,
    address: o.address,
    answers: o.answers,
    serviceItemId: o.serviceItemId,
    serviceItemName: r.item.name,
    category: r.item.category,
    targetType: o.targetType,
    targetId: o.targetId,
    acceptedUserId: o.acceptedUserId,
    acceptedVolunteerId: o.acceptedVolunteerId,
    acceptedTeamId: o.acceptedTeamId,
    residentUserId: o.residentUserId,
    householdId: o.householdId,
    proxyUserId: o.proxyUserId,
    summary: o.summary,
    hours: o.hours,
    volunteerIds: o.volunteerIds,
    photoIds: o.photoIds,
    score: o.score,
    comment: o.comment,
    autoRated: o.autoRated,
    escalationLevel: o.escalationLevel,
    overdue: o.overdue,
    stepStartedAt: o.stepStartedAt,
    submittedAt: o.submittedAt,
    dispatchedAt: o.dispatchedAt,
    acceptedAt: o.acceptedAt,
    completedAt: o.completedAt,
    ratedAt: o.ratedAt,
    closedAt: o.closedAt,
    createdAt: o.createdAt,
  };
  const parties = partiesOf(c, o);
  const actions = actionsFor(orderMachine, o.state, parties, ctx);
  const reachable = reachableStates.includes(o.state);
  return {
    ...label(row),
    serviceItem: withCategory(r.item),
    target: o.targetType ? { type: o.targetType, id: o.targetId, name: r.targetName } : null,
    acceptorName: r.acceptorName ?? null,
    // the acceptor and the staff reach the resident while the order is open (the full number: POST …/contact)
    contactPhoneMasked: reachable && (parties.has('acceptor') || parties.has('staff')) ? r.contactPhoneMasked : null,
    // the resident sees who is coming
    acceptorPhoneMasked: reachable && o.acceptedUserId && parties.size ? r.acceptorPhoneMasked : null,
    photos: o.photoIds.map((p) => ({ id: p, url: `/api/v1/files/${p}` })),
    timeline: r.timeline.map((e) => ({
      ...e,
      actionName: eventName(orderMachine, e.action),
    })),
    followUps: r.followUps,
    actions,
  };
}

const isoText = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/**
 * OrderView's columns for the order row `u` of a raw statement, exactly as getOrder reads them. `events` and
 * `followUps` name CTEs of the same statement whose inserted rows belong to the view (a statement's subqueries do
 * not see the rows it inserts).
 */
function viewColumns(u: string, events?: string, followUps?: string) {
  return `(select r.name from regions r where r.code = ${u}.region_code) as v_region_name,
    (select json_build_object('id', i.id, 'name', i.name, 'category', i.category, 'fields', i.fields)
        from service_items i where i.id = ${u}.service_item_id) as v_item,
    (select coalesce(json_agg(json_build_object('action', e.action, 'from', e.from_state, 'to', e.to_state,
        'actorName', e.actor_name, 'at', ${isoText('e.at')}, 'note', e.note)
        order by e.at, e.seq), '[]')
       from (select action, from_state, to_state, actor_name, at, note, seq from order_events
        where order_id = ${u}.id${
          events
            ? `
        union all select action, from_state, to_state, actor_name, at, note, seq
        from ${events}`
            : ''
        }) e) as v_timeline,
    (select coalesce(json_agg(json_build_object('id', f.id, 'reason', f.reason, 'openedAt', ${isoText('f.opened_at')},
        'closedAt', ${isoText('f.closed_at')}, 'result', f.result)
        order by f.opened_at), '[]')
       from (select id, reason, opened_at, closed_at, result from follow_ups
        where order_id = ${u}.id${
          followUps
            ? `
        union all select id, reason, opened_at, closed_at, result
        from ${followUps}`
            : ''
        }) f) as v_follow_ups,
    case ${u}.target_type when 'pool' then '抢单池'
      when 'team' then coalesce((select case when t.leader_volunteer_id is null then '' else t.name end
          from teams t where t.id = ${u}.target_id
          and t.county_code = ${u}.county_code), '')
      when 'volunteer' then coalesce((select case when v.user_id is null then '' else '志愿者' || v.name end
          from volunteers v where v.id = ${u}.target_id
          and v.county_code = ${u}.county_code), '')
      else '' end as v_target_name,
    (select x.name from users x where x.id = ${u}.accepted_user_id) as v_acceptor_name,
    case when ${u}.resident_user_id is not null
        then (select x.phone_masked from users x where x.id = ${u}.resident_user_id)
      else (select h.phone_masked from households h where h.id = ${u}.household_id) end as v_contact_phone_masked,
    (select x.phone_masked from users x where x.id = ${u}.accepted_user_id) as v_acceptor_phone_masked`;
}
const viewFromRow = (r: Record<string, unknown>): OrderView => ({
  regionName: r.v_region_name as string,
  item: r.v_item as OrderView['item'],
  timeline: r.v_timeline as TimelineRow[],
  followUps: r.v_follow_ups as FollowUpRow[],
  targetName: r.v_target_name as string,
  acceptorName: r.v_acceptor_name as string | null,
  contactPhoneMasked: r.v_contact_phone_masked as string | null,
  acceptorPhoneMasked: r.v_acceptor_phone_masked as string | null,
});

// ---------- follow-ups ----------

/** Who reads follow-ups: their scope, and whether they manage orders (order:manage), which makes them its staff. */
export type FollowUpViewer = { scope: Scope; canManage: boolean };

/** Follow-ups with their order's contact, item and score, in the caller's scope (by the order's place). */
function followUpRows(db: DbOrTx, scope: Scope, ...conds: SQL[]) {
  return db
    .select({
      id: followUps.id,
      orderId: followUps.orderId,
      state: followUps.state,
      reason: followUps.reason,
      openedAt: followUps.openedAt,
      closedAt: followUps.closedAt,
      result: followUps.result,
      contactName: orders.contactName,
      serviceItemName: serviceItems.name,
      score: orders.score,
    })
    .from(followUps)
    .innerJoin(orders, eq(orders.id, followUps.orderId))
    .innerJoin(serviceItems, eq(serviceItems.id, orders.serviceItemId))
    .where(and(inScope(scope, { path: followUps.regionPath, regionCode: followUps.regionCode }), ...conds))
    .orderBy(desc(followUps.openedAt));
}
type FollowUpView = Awaited<ReturnType<typeof followUpRows>>[number];
const followUpParties = (c: FollowUpViewer) => new Set<FollowUpParty>(c.canManage ? ['staff'] : []);
const presentFollowUp = (r: FollowUpView, parties: ReadonlySet<FollowUpParty>) => ({
  ...r,
  stateName: followUpMachine.states[r.state],
  scoreName: r.score ? scoreLabels[r.score] : null,
  actions: actionsFor(followUpMachine, r.state, parties, undefined),
});

export async function listFollowUps(db: DbOrTx, c: FollowUpViewer, open?: boolean) {
  const conds: SQL[] = [];
  if (open !== undefined) conds.push(eq(followUps.state, open ? 'open' : 'closed'));
  const rows = await followUpRows(db, c.scope, ...conds).limit(200);
  const parties = followUpParties(c);
  return { items: rows.map((r) => presentFollowUp(r, parties)) };
}

/**
 * The scoped loader of a follow-up: found only when its place (the order's) is in the caller's scope, out of sight =
 * not found; with who the caller is to it.
 */
export async function findFollowUp(db: DbOrTx, c: FollowUpViewer, id: string) {
  const [row] = await db
    .select({ id: followUps.id, orderId: followUps.orderId, countyCode: followUps.countyCode, state: followUps.state })
    .from(followUps)
    .where(
      and(eq(followUps.id, id), inScope(c.scope, { path: followUps.regionPath, regionCode: followUps.regionCode })),
    );
  if (!row) throw notFound('回访');
  return { ...row, parties: followUpParties(c) };
}

/** 回访办结: the machine's `close` (a closed follow-up answers 409; of two concurrent closes one wins). */
export async function closeFollowUp(db: Db, actor: Actor, c: FollowUpViewer, now: Date, id: string, result: string) {
  const fu = await findFollowUp(db, c, id);
  assertAllowed(followUpMachine, 'close', fu.state, fu.parties, undefined);
  return db.transaction(async (tx) => {
    await runTransition(tx, {
      machine: followUpMachine,
      table: followUps,
      record: { id, countyCode: fu.countyCode, state: fu.state },
      action: 'close',
      actor,
      now,
      set: { closedAt: now, result, closedBy: actor.userId },
      lost: '该回访已经办结',
      detail: { orderId: fu.orderId, result },
    });
    // the order's timeline shows the result to the resident
    const [{ state }] = await tx.select({ state: orders.state }).from(orders).where(eq(orders.id, fu.orderId));
    await tx.insert(orderEvents).values({
      orderId: fu.orderId,
      action: 'follow_up',
      fromState: null,
      toState: state,
      actorUserId: actor.userId,
      actorName: actor.name,
      at: now,
      note: `回访办结：${result}`,
    });
    const [view] = await followUpRows(tx, c.scope, eq(followUps.id, id));
    return presentFollowUp(view, fu.parties);
  });
}

// orders feed the "inactive team" query of the teams module
registerTeamActivitySource(
  (teamId) => sql`select max(x.accepted_at) from orders x where x.accepted_team_id = ${teamId}`,
);
