import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import {
  activities,
  pointAccounts,
  pointAdjustments,
  pointAwardActivities,
  pointMovements,
  pointRules,
  pointTransactions,
  regions,
} from '../../db/schema/index.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { escapeLike, inScope, regionInScope } from '../../platform/scope.js';
import { notify } from '../../platform/notify.js';
import { actionsFor, assertAllowed, runTransition, type Notice } from '../../platform/transitions.js';
import { offsetPage } from '../../platform/lists.js';
import {
  adjustmentMachine,
  type AdjustmentAction,
  type AdjustmentContext,
  type AdjustmentParty,
} from './transitions.js';
import { getSetting } from '../settings/service.js';
import { requireRegion } from '../regions/service.js';
import { ownerAccount, postTransaction, systemAccountId, type AccountType } from './ledger.js';
import {
  accountTypeLabels,
  chinaYear,
  eventsOf,
  kindLabels,
  ownerUserIds,
  pathScope,
  requireOwner,
  rowsOf,
  sqlArray,
  staffCan,
  transitionError,
  workflowEvent,
  yearStart,
  type PointsCaller,
} from './common.js';
import { requireRule } from './rules.js';
import { userNameSql } from '../accounts/sql.js';

const NOTIFY_CHUNK = 2000;

async function notifyOwners(
  tx: DbOrTx,
  countyCode: string,
  type: AccountType,
  ownerIds: string[],
  title: string,
  body: string,
  now: Date,
) {
  const users = await ownerUserIds(tx, type, ownerIds);
  for (let i = 0; i < users.length; i += NOTIFY_CHUNK) {
    await notify(tx, { countyCode, userIds: users.slice(i, i + NOTIFY_CHUNK), kind: 'points', title, body, now });
  }
}

/**
 * Opens the accounts of many owners at once (set-based) and returns them by owner id. Owners that do not exist, lie
 * in another county or outside the caller's scope → 404 naming the first such `accountIds.N`.
 */
async function openAccounts(
  tx: DbOrTx,
  c: PointsCaller,
  type: AccountType,
  ownerIds: string[],
  perm: 'point:award',
  now: Date,
) {
  const source =
    type === 'household'
      ? sql`select county_code, region_code, region_path, head_name || '户' as name, id from households
        where id = any(${sqlArray(ownerIds, 'uuid')})`
      : sql`select county_code, region_code, region_path, name, id from volunteers
        where id = any(${sqlArray(ownerIds, 'uuid')})`;
  await tx.execute(sql`
    insert into point_accounts (county_code, type, owner_id, region_code, region_path, name, created_at)
    select o.county_code, ${type}, o.id, o.region_code, o.region_path, o.name, ${now} from (${source}) o
    on conflict do nothing`);
  const rows = await tx
    .select({
      id: pointAccounts.id,
      ownerId: pointAccounts.ownerId,
      regionPath: pointAccounts.regionPath,
      countyCode: pointAccounts.countyCode,
    })
    .from(pointAccounts)
    .where(and(eq(pointAccounts.type, type), sql`${pointAccounts.ownerId} = any(${sqlArray(ownerIds, 'uuid')})`));
  const byOwner = new Map(rows.map((r) => [r.ownerId!, r]));
  ownerIds.forEach((id, i) => {
    const a = byOwner.get(id);
    if (!a || !staffCan(c, perm, a.regionPath, a.countyCode)) {
      throw new AppError(
        'NOT_FOUND',
        `第 ${i + 1} 个${type === 'household' ? '户' : '志愿者'}不存在或不在您的数据权限范围内`,
        [{ path: `accountIds.${i}`, message: '账户不存在' }],
      );
    }
  });
  return byOwner;
}

// ---------- batch award ----------

export type AwardInput = {
  ruleId: string;
  accountType: AccountType;
  accountIds: string[];
  idempotencyKey: string;
  points?: number;
};

/**
 * ★ POST /points/awards: one transaction, one movement per account. A repeated idempotency key changes nothing
 * and answers `{ posted: 0, skipped: n }`.
 */
export async function award(db: Db, c: PointsCaller, now: Date, input: AwardInput) {
  const rule = await requireRule(db, c.countyCode, input.ruleId);
  if (rule.points < 0) throw invalid('ruleId', '批量发放只能使用基础分或奖励分规则，扣分请逐户申报');
  const points = input.points ?? rule.points;
  if (!Number.isInteger(points) || points <= 0) throw invalid('points', '每户发放的积分必须是正整数');
  const ids = [...new Set(input.accountIds)];
  const key = `award:${input.idempotencyKey}`;
  return db.transaction(async (tx) => {
    const [seen] = await tx
      .select({ id: pointTransactions.id })
      .from(pointTransactions)
      .where(and(eq(pointTransactions.countyCode, c.countyCode), eq(pointTransactions.idempotencyKey, key)));
    if (seen) return { posted: 0, skipped: input.accountIds.length, transactionId: seen.id, points: 0 };
    const accounts = await openAccounts(tx, c, input.accountType, ids, 'point:award', now);
    const issuance = await systemAccountId(tx, c.countyCode, 'issuance', now);
    const posted = await postTransaction(tx, {
      countyCode: c.countyCode,
      kind: 'award',
      memo: `${rule.name}（批量发放）`,
      idempotencyKey: key,
      ruleId: rule.id,
      movements: ids.map((id) => ({ debit: issuance, credit: accounts.get(id)!.id, amount: points })),
      createdBy: c.userId,
      approvedBy: c.userId,
      now,
    });
    if (posted.duplicate)
      return { posted: 0, skipped: input.accountIds.length, transactionId: posted.transactionId, points: 0 };
    await notifyOwners(
      tx,
      c.countyCode,
      input.accountType,
      ids,
      '获得文明积分',
      `“${rule.name}”+${points} 分已入账。`,
      now,
    );
    await writeAudit(tx, c.actor, {
      action: 'points.award',
      entity: 'point_transaction',
      entityId: posted.transactionId,
      detail: {
        ruleId: rule.id,
        accountType: input.accountType,
        accounts: ids.length,
        points,
        idempotencyKey: input.idempotencyKey,
      },
    });
    return {
      posted: ids.length,
      skipped: input.accountIds.length - ids.length,
      transactionId: posted.transactionId,
      points: points * ids.length,
    };
  });
}

// ---------- service points for an activity ----------

/**
 * POST /points/awards/activity/:activityId: hours × points.pointsPerHour × points.serviceCoefficient to every credited
 * volunteer, once per activity.
 */
export async function awardActivity(db: Db, c: PointsCaller, now: Date, activityId: string, ruleId?: string | null) {
  const [a] = await db.select().from(activities).where(eq(activities.id, activityId));
  if (!a || !staffCan(c, 'point:award', a.regionPath, a.countyCode)) throw notFound('活动');
  if (a.state !== 'ended' && a.state !== 'archived') throw transitionError('活动结束后才能发放服务积分');
  let rule: typeof pointRules.$inferSelect | undefined;
  if (ruleId) {
    rule = await requireRule(db, c.countyCode, ruleId);
    if (rule.points < 0) throw invalid('ruleId', '服务积分不能使用扣分规则');
  } else {
    [rule] = await db
      .select()
      .from(pointRules)
      .where(
        and(
          eq(pointRules.countyCode, c.countyCode),
          eq(pointRules.group, 'service'),
          eq(pointRules.active, true),
          sql`${pointRules.points} > 0`,
        ),
      )
      .orderBy(asc(pointRules.sort))
      .limit(1);
  }
  return db.transaction((tx) => postActivityService(tx, a, rule?.id ?? null, c.actor, c.userId, now));
}

/**
 * Service points for one ended activity in the caller's transaction: each credited volunteer's hours for it ×
 * points.pointsPerHour × points.serviceCoefficient, one `service` transaction, remembered so it happens once.
 */
export async function postActivityService(
  tx: DbOrTx,
  a: { id: string; title: string; countyCode: string },
  ruleId: string | null,
  actor: Actor,
  createdBy: string | null,
  now: Date,
) {
  const [perHour, coefficient] = await Promise.all([
    getSetting<number>(tx, a.countyCode, 'points.pointsPerHour'),
    getSetting<number>(tx, a.countyCode, 'points.serviceCoefficient'),
  ]);
  const [done] = await tx
    .select({ t: pointAwardActivities.transactionId })
    .from(pointAwardActivities)
    .where(eq(pointAwardActivities.activityId, a.id));
  if (done)
    throw new AppError('DUPLICATE', '该活动的服务积分已发放过，不能重复发放', [
      { path: 'activityId', message: '已发放' },
    ]);
  const hours = rowsOf<{ volunteer_id: string; name: string; hours: string }>(
    await tx.execute(sql`
    select e.volunteer_id, v.name, sum(e.hours) hours from hours_entries e join volunteers v on v.id = e.volunteer_id
    where e.activity_id = ${a.id} group by e.volunteer_id, v.name having sum(e.hours) > 0 order by v.name`),
  );
  const rows = hours
    .map((h) => ({
      volunteerId: h.volunteer_id,
      name: h.name,
      hours: Number(h.hours),
      points: Math.round(Number(h.hours) * perHour * coefficient),
    }))
    .filter((r) => r.points > 0);
  if (!rows.length) throw transitionError('该活动没有认定服务时长的志愿者，无需发放服务积分');
  const accounts = await openVolunteerAccounts(
    tx,
    rows.map((r) => r.volunteerId),
    now,
  );
  const issuance = await systemAccountId(tx, a.countyCode, 'issuance', now);
  const posted = await postTransaction(tx, {
    countyCode: a.countyCode,
    kind: 'service',
    memo: `服务积分：${a.title}`,
    idempotencyKey: `activity:${a.id}`,
    ruleId,
    movements: rows.map((r) => ({ debit: issuance, credit: accounts.get(r.volunteerId)!, amount: r.points })),
    createdBy,
    approvedBy: createdBy,
    now,
  });
  if (posted.duplicate)
    throw new AppError('DUPLICATE', '该活动的服务积分已发放过，不能重复发放', [
      { path: 'activityId', message: '已发放' },
    ]);
  await tx.insert(pointAwardActivities).values({ activityId: a.id, transactionId: posted.transactionId });
  const total = rows.reduce((s, r) => s + r.points, 0);
  await notifyOwners(
    tx,
    a.countyCode,
    'volunteer',
    rows.map((r) => r.volunteerId),
    '获得服务积分',
    `参加“${a.title}”的服务积分已入账。`,
    now,
  );
  await writeAudit(tx, actor, {
    action: 'points.awardActivity',
    entity: 'point_transaction',
    entityId: posted.transactionId,
    detail: { activityId: a.id, volunteers: rows.length, points: total, perHour, coefficient },
  });
  return { posted: rows.length, points: total, transactionId: posted.transactionId, perHour, coefficient, rows };
}

async function openVolunteerAccounts(tx: DbOrTx, volunteerIds: string[], now: Date) {
  await tx.execute(sql`
    insert into point_accounts (county_code, type, owner_id, region_code, region_path, name, created_at)
    select county_code, 'volunteer', id, region_code, region_path, name, ${now} from volunteers
      where id = any(${sqlArray(volunteerIds, 'uuid')})
    on conflict do nothing`);
  const rows = await tx
    .select({ id: pointAccounts.id, ownerId: pointAccounts.ownerId })
    .from(pointAccounts)
    .where(and(eq(pointAccounts.type, 'volunteer'), inArray(pointAccounts.ownerId, volunteerIds)));
  return new Map(rows.map((r) => [r.ownerId!, r.id]));
}

// ---------- adjustments ----------

export const adjustmentStateLabels = adjustmentMachine.states;
type Adjustment = typeof pointAdjustments.$inferSelect;

export async function requestAdjustment(
  db: Db,
  c: PointsCaller,
  now: Date,
  input: { accountType: AccountType; accountId: string; amount: number; reason: string },
) {
  if (!Number.isInteger(input.amount) || input.amount === 0) throw invalid('amount', '调整分值必须是非零整数');
  const owner = await requireOwner(db, c, input.accountType, input.accountId, 'point:adjust');
  if (!staffCan(c, 'point:adjust', owner.regionPath, owner.countyCode)) throw notFound('账户');
  return db.transaction(async (tx) => {
    const acc = await ownerAccount(tx, input.accountType, input.accountId, now);
    if (input.amount < 0 && acc.balance < -input.amount) {
      throw new AppError('INSUFFICIENT_POINTS', `账户余额 ${acc.balance} 分，不足以扣减 ${-input.amount} 分`, [
        { path: 'amount', message: '积分余额不足' },
      ]);
    }
    const [row] = await tx
      .insert(pointAdjustments)
      .values({
        countyCode: owner.countyCode,
        regionPath: owner.regionPath,
        accountId: acc.id,
        amount: input.amount,
        reason: input.reason,
        state: 'pending',
        requestedBy: c.userId,
        createdAt: now,
      })
      .returning();
    await workflowEvent(tx, {
      entity: 'point_adjustment',
      entityId: row.id,
      action: 'request',
      fromState: null,
      toState: 'pending',
      actor: c.actor,
      note: input.reason,
      data: { amount: input.amount },
      at: now,
    });
    await writeAudit(tx, c.actor, {
      action: 'pointAdjustment.request',
      entity: 'point_adjustment',
      entityId: row.id,
      after: { accountId: acc.id, amount: input.amount, reason: input.reason },
    });
    return row;
  });
}

const adjustmentSelect = {
  x: pointAdjustments,
  accountName: pointAccounts.name,
  accountType: pointAccounts.type,
  ownerId: pointAccounts.ownerId,
  regionName: regions.name,
  requestedByName: userNameSql(pointAdjustments.requestedBy),
  decidedByName: userNameSql(pointAdjustments.decidedBy),
};
const adjustmentsWithNames = (db: DbOrTx) =>
  db
    .select(adjustmentSelect)
    .from(pointAdjustments)
    .innerJoin(pointAccounts, eq(pointAccounts.id, pointAdjustments.accountId))
    .leftJoin(regions, eq(regions.code, pointAccounts.regionCode));
type AdjustmentRow = Awaited<ReturnType<ReturnType<typeof adjustmentsWithNames>['where']>>[number];
const presentAdjustment = (r: AdjustmentRow) => ({
  id: r.x.id,
  state: r.x.state,
  stateName: adjustmentStateLabels[r.x.state],
  accountId: r.x.accountId,
  accountType: r.accountType as AccountType,
  ownerId: r.ownerId,
  accountName: r.accountName,
  regionName: r.regionName,
  amount: r.x.amount,
  reason: r.x.reason,
  requestedBy: r.x.requestedBy,
  requestedByName: r.requestedByName,
  decidedBy: r.x.decidedBy,
  decidedByName: r.decidedByName,
  decidedAt: r.x.decidedAt,
  comment: r.x.comment,
  transactionId: r.x.transactionId,
  createdAt: r.x.createdAt,
});

export async function listAdjustments(
  db: DbOrTx,
  c: PointsCaller,
  f: { state?: Adjustment['state']; page: number; pageSize: number },
) {
  const conds: SQL[] = [eq(pointAdjustments.countyCode, c.countyCode), pathScope(c.scope, pointAdjustments.regionPath)];
  if (f.state) conds.push(eq(pointAdjustments.state, f.state));
  const { rows, total } = await offsetPage(db, {
    from: pointAdjustments,
    rows: () => adjustmentsWithNames(db),
    where: and(...conds),
    order: [desc(pointAdjustments.createdAt), asc(pointAdjustments.id)],
    filter: f,
  });
  const parties = new Set<AdjustmentParty>(c.permissions.has('point:approve') ? ['approver'] : []);
  const items = rows.map((r) => ({
    ...presentAdjustment(r),
    actions: actionsFor(adjustmentMachine, r.x.state, parties, { requestedByCaller: r.x.requestedBy === c.userId }),
  }));
  return { items, total, page: f.page, pageSize: f.pageSize };
}

/**
 * The scoped loader of an adjustment: one query that finds it only for staff with point:read and its place in scope
 * (out of sight = not found), and says who the caller is to it.
 */
export async function findAdjustment(db: DbOrTx, c: PointsCaller, id: string) {
  const sees = c.permissions.has('point:read')
    ? and(eq(pointAdjustments.countyCode, c.countyCode), pathScope(c.scope, pointAdjustments.regionPath))
    : sql`false`;
  const [row] = await adjustmentsWithNames(db).where(and(eq(pointAdjustments.id, id), sees));
  if (!row) throw notFound('积分调整');
  const parties = new Set<AdjustmentParty>(c.permissions.has('point:approve') ? ['approver'] : []);
  const ctx: AdjustmentContext = { requestedByCaller: row.x.requestedBy === c.userId };
  return { row, x: row.x, parties, ctx };
}
type FoundAdjustment = Awaited<ReturnType<typeof findAdjustment>>;
const allowedAdjustment = (f: FoundAdjustment, action: AdjustmentAction) =>
  assertAllowed(adjustmentMachine, action, f.x.state, f.parties, f.ctx);

/** One transition of an adjustment in the caller's transaction (update, event, notice to the requester, audit). */
const adjustmentStep = (
  tx: DbOrTx,
  c: PointsCaller,
  now: Date,
  x: Adjustment,
  action: AdjustmentAction,
  t: {
    set: Partial<typeof pointAdjustments.$inferInsert>;
    note: string;
    data?: Record<string, unknown>;
    notice: Notice;
  },
) =>
  runTransition(tx, {
    machine: adjustmentMachine,
    table: pointAdjustments,
    record: x,
    action,
    actor: { ...c.actor, countyCode: x.countyCode },
    now,
    set: { ...t.set, decidedBy: c.userId, decidedAt: now },
    note: t.note,
    data: t.data,
    detail: t.data,
    lost: '该调整已被他人处理，请刷新后重试',
    tell: () => t.notice,
  });

export async function approveAdjustment(db: Db, c: PointsCaller, now: Date, id: string, comment?: string) {
  const f = await findAdjustment(db, c, id);
  allowedAdjustment(f, 'approve');
  const { x } = f;
  return db.transaction(async (tx) => {
    const sys = await systemAccountId(tx, x.countyCode, 'adjustment', now);
    const amount = Math.abs(x.amount);
    const posted = await postTransaction(tx, {
      countyCode: x.countyCode,
      kind: 'adjustment',
      memo: `人工调整：${x.reason}`,
      idempotencyKey: `adjustment:${x.id}`,
      movements: [
        x.amount > 0 ? { debit: sys, credit: x.accountId, amount } : { debit: x.accountId, credit: sys, amount },
      ],
      createdBy: x.requestedBy,
      approvedBy: c.userId,
      now,
    });
    await adjustmentStep(tx, c, now, x, 'approve', {
      set: { comment: comment?.trim() || null, transactionId: posted.transactionId },
      note: comment ?? '',
      data: { transactionId: posted.transactionId, amount: x.amount },
      notice: {
        userIds: [x.requestedBy],
        kind: 'points',
        title: '积分调整已复核入账',
        body: `${x.amount > 0 ? '+' : ''}${x.amount} 分：${x.reason}`,
      },
    });
  });
}

export async function rejectAdjustment(db: Db, c: PointsCaller, now: Date, id: string, comment: string) {
  const f = await findAdjustment(db, c, id);
  allowedAdjustment(f, 'reject');
  const { x } = f;
  return db.transaction((tx) =>
    adjustmentStep(tx, c, now, x, 'reject', {
      set: { comment },
      note: comment,
      notice: { userIds: [x.requestedBy], kind: 'points', title: '积分调整被驳回', body: `${x.reason}：${comment}` },
    }),
  );
}

export async function getAdjustment(db: DbOrTx, c: PointsCaller, id: string) {
  const f = await findAdjustment(db, c, id);
  return {
    ...presentAdjustment(f.row),
    actions: actionsFor(adjustmentMachine, f.x.state, f.parties, f.ctx),
    events: await eventsOf(db, 'point_adjustment', id),
  };
}

// ---------- reversal ----------

const shopKinds = new Set(['redemption', 'handout', 'refund']);

/**
 * POST /points/transactions/:id/reverse: a `reversal` mirroring the original, once; every owner account it touches must
 * be in scope.
 */
export async function reverseTransaction(db: Db, c: PointsCaller, now: Date, id: string, reason: string) {
  return db.transaction(async (tx) => {
    const [t] = await tx
      .select()
      .from(pointTransactions)
      .where(and(eq(pointTransactions.id, id), eq(pointTransactions.countyCode, c.countyCode)));
    if (!t) throw notFound('积分凭证');
    const moves = await tx
      .select({
        debit: pointMovements.debitAccountId,
        credit: pointMovements.creditAccountId,
        amount: pointMovements.amount,
      })
      .from(pointMovements)
      .where(eq(pointMovements.transactionId, id));
    const accIds = [...new Set(moves.flatMap((m) => [m.debit, m.credit]))];
    const accs = accIds.length
      ? await tx
          .select({ id: pointAccounts.id, type: pointAccounts.type, regionPath: pointAccounts.regionPath })
          .from(pointAccounts)
          .where(inArray(pointAccounts.id, accIds))
      : [];
    if (accs.some((a) => a.type !== 'system' && !regionInScope(c.scope, a.regionPath))) throw notFound('积分凭证');
    if (t.kind === 'reversal') throw transitionError('冲正凭证不能再冲正');
    if (shopKinds.has(t.kind)) throw transitionError('积分兑换的流水请通过取消兑换处理，不能直接冲正');
    const [already] = await tx
      .select({ id: pointTransactions.id })
      .from(pointTransactions)
      .where(eq(pointTransactions.reversesId, id));
    if (already) throw new AppError('DUPLICATE', '该笔积分已冲正过，不能重复冲正');
    const posted = await postTransaction(tx, {
      countyCode: t.countyCode,
      kind: 'reversal',
      memo: `冲正：${t.memo}（${reason}）`,
      reversesId: id,
      ruleId: t.ruleId,
      movements: moves.map((m) => ({ debit: m.credit, credit: m.debit, amount: m.amount })),
      createdBy: c.userId,
      approvedBy: c.userId,
      now,
    });
    await writeAudit(tx, c.actor, {
      action: 'points.reverse',
      entity: 'point_transaction',
      entityId: id,
      detail: { reversalId: posted.transactionId, reason, movements: moves.length },
    });
    return {
      transactionId: posted.transactionId,
      reversesId: id,
      movements: moves.length,
      points: moves.reduce((s, m) => s + m.amount, 0),
    };
  });
}

export async function getTransaction(db: DbOrTx, c: PointsCaller, id: string) {
  const [t] = await db
    .select()
    .from(pointTransactions)
    .where(and(eq(pointTransactions.id, id), eq(pointTransactions.countyCode, c.countyCode)));
  if (!t) throw notFound('积分凭证');
  const moves = rowsOf<{
    debit: string;
    debit_name: string;
    debit_type: string;
    debit_path: string;
    credit: string;
    credit_name: string;
    credit_type: string;
    credit_path: string;
    amount: string;
  }>(
    await db.execute(sql`
    select m.debit_account_id debit, d.name debit_name, d.type debit_type, d.region_path debit_path,
      m.credit_account_id credit, c.name credit_name, c.type credit_type, c.region_path credit_path, m.amount
    from point_movements m join point_accounts d on d.id = m.debit_account_id
      join point_accounts c on c.id = m.credit_account_id
    where m.transaction_id = ${id} order by m.seq limit 1000`),
  );
  const visible = moves.filter(
    (m) =>
      (m.debit_type === 'system' || regionInScope(c.scope, m.debit_path)) &&
      (m.credit_type === 'system' || regionInScope(c.scope, m.credit_path)),
  );
  if (moves.length && !visible.length) throw notFound('积分凭证');
  const [reversal] = await db
    .select({ id: pointTransactions.id })
    .from(pointTransactions)
    .where(eq(pointTransactions.reversesId, id));
  return {
    id: t.id,
    kind: t.kind,
    kindName: kindLabels[t.kind],
    memo: t.memo,
    ruleId: t.ruleId,
    reversesId: t.reversesId,
    reversedBy: reversal?.id ?? null,
    createdAt: t.createdAt,
    movements: visible.map((m) => ({
      debitAccountId: m.debit,
      debitName: m.debit_name,
      creditAccountId: m.credit,
      creditName: m.credit_name,
      amount: Number(m.amount),
    })),
  };
}

// ---------- year-end expiry ----------

/**
 * POST /points/expire: every owner's points earned up to the end of `year` and not spent since (oldest spent first) →
 * `expiry`; once per year.
 */
export async function expirePoints(db: Db, c: PointsCaller, now: Date, year: number) {
  if (!(await getSetting<boolean>(db, c.countyCode, 'points.expireAtYearEnd')))
    throw transitionError('本县未开启“积分年底清零”（系统设置 → 积分），不能执行清零');
  const end = yearStart(year + 1);
  if (now.getTime() < end.getTime())
    throw new AppError('INVALID_TRANSITION', `${year} 年尚未结束，不能清零`, [
      { path: 'year', message: '年度尚未结束' },
    ]);
  const key = `expiry:${c.countyCode}:${year}`;
  return db.transaction(async (tx) => {
    const [seen] = await tx
      .select({ id: pointTransactions.id })
      .from(pointTransactions)
      .where(and(eq(pointTransactions.countyCode, c.countyCode), eq(pointTransactions.idempotencyKey, key)));
    if (seen) return { year, accounts: 0, points: 0, transactionId: seen.id, duplicate: true };
    const rows = rowsOf<{ id: string; amount: string }>(
      await tx.execute(sql`
      with a as (select id, balance from point_accounts
        where county_code = ${c.countyCode} and type <> 'system' and balance > 0),
      b as (
        select a.id, a.balance,
          coalesce((select sum(amount) from point_movements m
            where m.credit_account_id = a.id and m.created_at < ${end}), 0)
          - coalesce((select sum(amount) from point_movements m
            where m.debit_account_id = a.id and m.created_at < ${end}), 0) as at_end,
          coalesce((select sum(amount) from point_movements m
            where m.debit_account_id = a.id and m.created_at >= ${end}), 0) as spent_since
        from a)
      select id, least(balance, greatest(0, at_end - spent_since)) amount from b
        where least(balance, greatest(0, at_end - spent_since)) > 0 order by id`),
    );
    if (!rows.length) return { year, accounts: 0, points: 0, transactionId: null, duplicate: false };
    const expiry = await systemAccountId(tx, c.countyCode, 'expiry', now);
    const posted = await postTransaction(tx, {
      countyCode: c.countyCode,
      kind: 'expiry',
      memo: `${year} 年度积分年底清零`,
      idempotencyKey: key,
      movements: rows.map((r) => ({ debit: r.id, credit: expiry, amount: Number(r.amount) })),
      createdBy: c.userId,
      approvedBy: c.userId,
      now,
    });
    if (posted.duplicate) return { year, accounts: 0, points: 0, transactionId: posted.transactionId, duplicate: true };
    const points = rows.reduce((s, r) => s + Number(r.amount), 0);
    await writeAudit(tx, c.actor, {
      action: 'points.expire',
      entity: 'point_transaction',
      entityId: posted.transactionId,
      detail: { year, accounts: rows.length, points },
    });
    return { year, accounts: rows.length, points, transactionId: posted.transactionId, duplicate: false };
  });
}

// ---------- dividend ----------

export type DividendQuery = { regionCode?: string; year?: number; budget?: number; type?: AccountType };

/**
 * GET /points/dividend: the points each owner earned in the year (claims, awards, service points, adjustments, less
 * deductions and reversals of those; shop and expiry movements do not count) and their share of the budget.
 */
export async function dividend(db: DbOrTx, c: PointsCaller, now: Date, q: DividendQuery) {
  const year = q.year ?? chinaYear(now);
  const type = q.type ?? 'household';
  let path: string | null = null;
  if (q.regionCode) {
    const r = await requireRegion(db, q.regionCode);
    if (!regionInScope(c.scope, r.path) && !c.scope.subtrees.some((p) => p.startsWith(r.path))) throw notFound('区划');
    path = r.path;
  }
  const rows = rowsOf<{
    id: string;
    owner_id: string;
    name: string;
    region_name: string | null;
    region_path: string;
    region_code: string | null;
    points: string;
  }>(
    await db.execute(sql`
    with mv as (
      select m.credit_account_id acc, m.amount from point_movements m
        join point_transactions t on t.id = m.transaction_id left join point_transactions o on o.id = t.reverses_id
      where t.county_code = ${c.countyCode} and m.created_at >= ${yearStart(year)}
        and m.created_at < ${yearStart(year + 1)}
        and (t.kind in ('claim', 'award', 'service', 'adjustment')
          or (t.kind = 'reversal' and o.kind in ('claim', 'award', 'service', 'adjustment')))
      union all
      select m.debit_account_id, -m.amount from point_movements m
        join point_transactions t on t.id = m.transaction_id left join point_transactions o on o.id = t.reverses_id
      where t.county_code = ${c.countyCode} and m.created_at >= ${yearStart(year)}
        and m.created_at < ${yearStart(year + 1)}
        and (t.kind in ('claim', 'award', 'service', 'adjustment')
          or (t.kind = 'reversal' and o.kind in ('claim', 'award', 'service', 'adjustment')))
    )
    select a.id, a.owner_id, a.name, r.name region_name, a.region_path, a.region_code, sum(mv.amount) points
    from mv join point_accounts a on a.id = mv.acc left join regions r on r.code = a.region_code
    where a.type = ${type} ${path ? sql`and a.region_path like ${escapeLike(path) + '%'}` : sql``}
      and ${inScope(c.scope, { path: sql`a.region_path`, regionCode: sql`a.region_code` })}
    group by a.id, a.owner_id, a.name, r.name, a.region_path, a.region_code having sum(mv.amount) > 0
    order by sum(mv.amount) desc, a.name`),
  );
  const totalPoints = rows.reduce((s, r) => s + Number(r.points), 0);
  const yuanPerPoint =
    q.budget != null
      ? totalPoints > 0
        ? Math.floor((q.budget / totalPoints) * 10_000) / 10_000
        : 0
      : await getSetting<number>(db, c.countyCode, 'points.yuanPerPoint');
  const budget = q.budget ?? Math.round(totalPoints * yuanPerPoint * 100) / 100;
  return {
    year,
    type,
    typeName: accountTypeLabels[type],
    totalPoints,
    budget,
    yuanPerPoint,
    rows: rows.map((r) => ({
      account: {
        id: r.id,
        type,
        ownerId: r.owner_id,
        name: r.name,
        regionCode: r.region_code,
        regionName: r.region_name,
      },
      points: Number(r.points),
      amount: Math.round(Number(r.points) * yuanPerPoint * 100) / 100,
    })),
  };
}

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The dividend report as an Excel workbook (rows ≤ the accounts of a county: built in memory). */
export async function dividendXlsx(report: Awaited<ReturnType<typeof dividend>>, title: string): Promise<Buffer> {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('积分分红');
  ws.addRow([title]).font = { bold: true, size: 14 };
  ws.addRow([
    `年度：${report.year}`,
    `分红预算（元）：${report.budget}`,
    `每分折合（元）：${report.yuanPerPoint}`,
    `积分合计：${report.totalPoints}`,
  ]);
  const header = ws.addRow([
    '序号',
    report.type === 'household' ? '户名' : '姓名',
    '所属村（社区）',
    '年度积分',
    '分红金额（元）',
  ]);
  header.font = { bold: true };
  report.rows.forEach((r, i) => ws.addRow([i + 1, r.account.name, r.account.regionName ?? '', r.points, r.amount]));
  ws.addRow([
    '合计',
    '',
    '',
    report.totalPoints,
    Math.round(report.rows.reduce((s, r) => s + r.amount, 0) * 100) / 100,
  ]).font = { bold: true };
  ws.columns.forEach((col, i) => {
    col.width = [8, 18, 22, 12, 16][i];
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
