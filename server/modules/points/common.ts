import { and, eq, inArray, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { householdMembers, households, pointAccounts, volunteers, workflowEvents } from '../../db/schema/index.js';
import { addEvent } from '../../platform/transitions.js';
import { AppError, notFound } from '../../platform/errors.js';
import type { Actor } from '../../platform/audit.js';
import { inScope, regionInScope, type Scope } from '../../platform/scope.js';
import type { Permission } from '../../platform/permissions.js';
import type { AccountType } from './ledger.js';
import { chinaDate } from '../../platform/clock.js';

/** Who calls: staff act within their scope; a volunteer on their own account, a resident on their household's. */
export type PointsCaller = {
  actor: Actor;
  userId: string;
  countyCode: string;
  scope: Scope;
  permissions: ReadonlySet<Permission>;
  volunteerId: string | null;
  householdId: string | null;
};

export async function pointsCaller(
  db: DbOrTx,
  base: Omit<PointsCaller, 'volunteerId' | 'householdId'>,
): Promise<PointsCaller> {
  const [[v], [h]] = await Promise.all([
    db.select({ id: volunteers.id }).from(volunteers).where(eq(volunteers.userId, base.userId)),
    db
      .select({ id: householdMembers.householdId })
      .from(householdMembers)
      .where(eq(householdMembers.userId, base.userId)),
  ]);
  return { ...base, volunteerId: v?.id ?? null, householdId: h?.id ?? null };
}

export const accountTypeLabels: Record<AccountType, string> = { household: '户', volunteer: '志愿者' };
export const kindLabels: Record<string, string> = {
  claim: '申报入账',
  award: '批量发放',
  service: '服务积分',
  adjustment: '人工调整',
  redemption: '兑换冻结',
  handout: '兑换发放',
  refund: '取消兑换退回',
  reversal: '冲正',
  expiry: '年底清零',
};

/** A household or volunteer, whether or not its points account has been opened yet. */
export type Owner = {
  type: AccountType;
  ownerId: string;
  countyCode: string;
  regionCode: string;
  regionPath: string;
  name: string;
};

export async function findOwner(db: DbOrTx, type: AccountType, ownerId: string): Promise<Owner | null> {
  if (type === 'household') {
    const [h] = await db
      .select({
        countyCode: households.countyCode,
        regionCode: households.regionCode,
        regionPath: households.regionPath,
        name: households.headName,
      })
      .from(households)
      .where(eq(households.id, ownerId));
    return h ? { type, ownerId, ...h, name: `${h.name}户` } : null;
  }
  const [v] = await db
    .select({
      countyCode: volunteers.countyCode,
      regionCode: volunteers.regionCode,
      regionPath: volunteers.regionPath,
      name: volunteers.name,
    })
    .from(volunteers)
    .where(eq(volunteers.id, ownerId));
  return v ? { type, ownerId, ...v } : null;
}

export const isOwner = (c: PointsCaller, type: AccountType, ownerId: string) =>
  type === 'volunteer' ? c.volunteerId === ownerId : c.householdId === ownerId;

/** Staff holding `perm` whose scope covers the place. */
export const staffCan = (c: PointsCaller, perm: Permission, regionPath: string, countyCode?: string) =>
  c.permissions.has(perm) &&
  regionInScope(c.scope, regionPath) &&
  (!countyCode || countyCode === c.countyCode || c.scope.all);

/**
 * The owner for a command: unknown → 404 naming `accountId`; out of scope for someone who is not the owner → the same
 * 404.
 */
export async function requireOwner(
  db: DbOrTx,
  c: PointsCaller,
  type: AccountType,
  ownerId: string,
  perm: Permission,
  field = 'accountId',
): Promise<Owner> {
  const o = await findOwner(db, type, ownerId);
  if (!o || !(staffCan(c, perm, o.regionPath, o.countyCode) || isOwner(c, type, ownerId))) {
    throw new AppError(
      'NOT_FOUND',
      type === 'household' ? '该户不存在或不在您的数据权限范围内' : '该志愿者不存在或不在您的数据权限范围内',
      [{ path: field, message: '账户不存在' }],
    );
  }
  return o;
}

/** The people told about an account's points: the volunteer, or the household's members. */
export async function ownerUserIds(db: DbOrTx, type: AccountType, ownerIds: string[]): Promise<string[]> {
  if (!ownerIds.length) return [];
  if (type === 'volunteer') {
    const rows = await db.select({ u: volunteers.userId }).from(volunteers).where(inArray(volunteers.id, ownerIds));
    return rows.map((r) => r.u).filter((u): u is string => !!u);
  }
  const rows = await db
    .select({ u: householdMembers.userId })
    .from(householdMembers)
    .where(inArray(householdMembers.householdId, ownerIds));
  return rows.map((r) => r.u);
}

/** The owner account row by its id (for claims and adjustments, which keep the account id). */
export async function accountRow(db: DbOrTx, id: string) {
  const [a] = await db.select().from(pointAccounts).where(eq(pointAccounts.id, id));
  if (!a) throw notFound('积分账户');
  return a;
}

export const codeOfPath = (path: SQL | AnyColumn) => sql`substring(${path} from '([^/]+)/$')`;
export const pathScope = (scope: Scope, path: AnyColumn) => inScope(scope, { path, regionCode: codeOfPath(path) });

/** Appends a step to the timeline of a claim or an adjustment. */
export async function workflowEvent(
  tx: DbOrTx,
  e: {
    entity: 'point_claim' | 'point_adjustment';
    entityId: string;
    action: string;
    fromState: string | null;
    toState: string;
    actor: Actor;
    note?: string;
    data?: Record<string, unknown>;
    at: Date;
  },
) {
  const { fromState, toState, ...rest } = e;
  await addEvent(tx, { ...rest, from: fromState, to: toState });
}

export async function eventsOf(db: DbOrTx, entity: 'point_claim' | 'point_adjustment', id: string) {
  return db
    .select({
      action: workflowEvents.action,
      fromState: workflowEvents.fromState,
      toState: workflowEvents.toState,
      actorName: workflowEvents.actorName,
      note: workflowEvents.note,
      data: workflowEvents.data,
      at: workflowEvents.at,
    })
    .from(workflowEvents)
    .where(and(eq(workflowEvents.entity, entity), eq(workflowEvents.entityId, id)))
    .orderBy(workflowEvents.seq);
}

export const transitionError = (message: string) => new AppError('INVALID_TRANSITION', message);

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
/** 2026-06-01 (China time) of an instant. */
export const chinaDay = chinaDate;
export const chinaYear = (d: Date) => Number(chinaDay(d).slice(0, 4));
/** The first instant of a China-time year. */
export const yearStart = (year: number) => new Date(`${year}-01-01T00:00:00+08:00`);

export function rowsOf<T = Record<string, unknown>>(r: unknown): T[] {
  return (r as { rows?: T[] }).rows ?? (r as T[]);
}

export const sqlArray = (values: (string | number)[], type: 'uuid' | 'bigint' | 'text' | 'int') =>
  sql`${sql.param(values)}::${sql.raw(type)}[]`;
