import { and, asc, desc, eq, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { files, pointAccounts, pointClaims, pointRules, regions } from '../../db/schema/index.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { systemActor, writeAudit, type Actor } from '../../platform/audit.js';
import { escapeLike, type Scope } from '../../platform/scope.js';
import { actionsFor, assertAllowed, runTransition, type Notice } from '../../platform/transitions.js';
import { claimMachine, type ClaimAction, type ClaimContext, type ClaimParty, type ClaimState } from './transitions.js';
import {
  keysetPage,
  offsetPage,
  type ListAnswer,
  type ListDef,
  type Lists,
  type SortKey,
} from '../../platform/lists.js';
import { getSetting } from '../settings/service.js';
import { requireRegion } from '../regions/service.js';
import { maskName } from '../stars/service.js';
import { ownerAccount, postTransaction, systemAccountId, type AccountType } from './ledger.js';
import {
  DAY,
  accountRow,
  accountTypeLabels,
  eventsOf,
  isOwner,
  ownerUserIds,
  pathScope,
  requireOwner,
  staffCan,
  workflowEvent,
  type PointsCaller,
} from './common.js';
import { categoryLabels, groupLabels, requireRule } from './rules.js';
import { chinaDate as fmtDay } from '../../platform/clock.js';

export type { ClaimState };
export const claimStateLabels: Readonly<Record<ClaimState, string>> = claimMachine.states;
type Claim = typeof pointClaims.$inferSelect;

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

export type NewClaim = {
  accountType: AccountType;
  accountId: string;
  ruleId: string;
  note?: string;
  evidenceFileIds?: string[];
};

/**
 * ★ POST /points/claims: staff with point:claim for accounts in scope; a resident for their household; a volunteer for
 * themself.
 */
export async function submitClaim(db: Db, c: PointsCaller, now: Date, input: NewClaim) {
  const rule = await requireRule(db, c.countyCode, input.ruleId);
  const owner = await requireOwner(db, c, input.accountType, input.accountId, 'point:claim');
  const asStaff = staffCan(c, 'point:claim', owner.regionPath, owner.countyCode);
  if (!asStaff && rule.points < 0)
    throw new AppError('FORBIDDEN', '扣分项只能由村（社区）工作人员申报', [
      { path: 'ruleId', message: '扣分项只能由工作人员申报' },
    ]);
  if (owner.countyCode !== c.countyCode || owner.countyCode !== rule.countyCode)
    throw invalid('ruleId', '积分规则不属于该账户所在县');
  const evidence = [...new Set(input.evidenceFileIds ?? [])];
  if (rule.evidenceRequired && !evidence.length)
    throw invalid('evidenceFileIds', `“${rule.name}”须上传证明材料（照片、证书等）`);
  if (evidence.length) {
    const found = await db
      .select({ id: files.id })
      .from(files)
      .where(and(inArray(files.id, evidence), or(eq(files.countyCode, c.countyCode), isNull(files.countyCode))));
    if (found.length !== evidence.length) throw invalid('evidenceFileIds', '证明材料文件不存在，请重新上传');
  }
  return db.transaction(async (tx) => {
    const acc = await ownerAccount(tx, input.accountType, input.accountId, now);
    const [row] = await tx
      .insert(pointClaims)
      .values({
        countyCode: owner.countyCode,
        regionPath: owner.regionPath,
        accountId: acc.id,
        ruleId: rule.id,
        points: rule.points,
        note: input.note?.trim() ?? '',
        evidenceFileIds: evidence,
        state: 'submitted',
        submittedBy: c.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await workflowEvent(tx, {
      entity: 'point_claim',
      entityId: row.id,
      action: 'submit',
      fromState: null,
      toState: 'submitted',
      actor: c.actor,
      note: row.note,
      at: now,
      data: {
        rule: rule.name,
        points: rule.points,
        byOwner: !asStaff && isOwner(c, input.accountType, input.accountId),
      },
    });
    await writeAudit(tx, c.actor, {
      action: 'point_claim.submit',
      entity: 'point_claim',
      entityId: row.id,
      after: { accountId: acc.id, ruleId: rule.id, points: rule.points },
    });
    return row;
  });
}

// ---------- reading ----------

const claimSelect = {
  c: pointClaims,
  accountName: pointAccounts.name,
  accountType: pointAccounts.type,
  ownerId: pointAccounts.ownerId,
  regionName: regions.name,
  ruleName: pointRules.name,
  category: pointRules.category,
  group: pointRules.group,
};
const withNames = (db: DbOrTx) =>
  db
    .select(claimSelect)
    .from(pointClaims)
    .innerJoin(pointAccounts, eq(pointAccounts.id, pointClaims.accountId))
    .innerJoin(pointRules, eq(pointRules.id, pointClaims.ruleId))
    .leftJoin(regions, eq(regions.code, pointAccounts.regionCode));
type Row = Awaited<ReturnType<ReturnType<typeof withNames>['where']>>[number];

function present(r: Row) {
  const x = r.c;
  return {
    id: x.id,
    state: x.state,
    stateName: claimStateLabels[x.state],
    accountId: x.accountId,
    accountType: r.accountType as AccountType,
    accountTypeName: accountTypeLabels[r.accountType as AccountType],
    ownerId: r.ownerId,
    accountName: r.accountName,
    regionName: r.regionName,
    ruleId: x.ruleId,
    ruleName: r.ruleName,
    category: r.category,
    categoryName: categoryLabels[r.category],
    group: r.group,
    groupName: groupLabels[r.group],
    points: x.points,
    note: x.note,
    evidenceFileIds: x.evidenceFileIds,
    noticeStartAt: x.noticeStartAt,
    noticeEndAt: x.noticeEndAt,
    reviewComment: x.reviewComment,
    transactionId: x.transactionId,
    postedAt: x.postedAt,
    createdAt: x.createdAt,
    updatedAt: x.updatedAt,
  };
}

export type ClaimFilter = {
  state?: ClaimState;
  regionCode?: string;
  accountId?: string;
  page: number;
  pageSize: number;
  after?: string;
};
/** Latest change first; the id breaks ties. */
const claimKeys: SortKey[] = [
  { column: pointClaims.updatedAt, desc: true, type: 'timestamp' },
  { column: pointClaims.id, type: 'uuid' },
];

/** Claims are built from claims, their rules (both bump 'point_claims'), accounts and region names. */
export const claimsList: ListDef<ClaimFilter> = {
  name: 'point_claims',
  groups: { county: ['point_claims', 'point_accounts'], global: ['regions'] },
};

export async function listClaims(
  lists: Lists,
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  f: ClaimFilter,
): Promise<ListAnswer> {
  return lists.page(claimsList, { scope, countyCode, filter: f }, async (knownTotal) => {
    const conds: SQL[] = [eq(pointClaims.countyCode, countyCode), pathScope(scope, pointClaims.regionPath)];
    if (f.state) conds.push(eq(pointClaims.state, f.state));
    if (f.accountId) conds.push(eq(pointClaims.accountId, f.accountId));
    if (f.regionCode) {
      const r = await requireRegion(db, f.regionCode);
      conds.push(sql`${pointClaims.regionPath} like ${escapeLike(r.path) + '%'}`);
    }
    const { rows, total, nextCursor } = await keysetPage(db, {
      from: pointClaims,
      rows: (cursor) =>
        db
          .select({ ...claimSelect, cursor })
          .from(pointClaims)
          .innerJoin(pointAccounts, eq(pointAccounts.id, pointClaims.accountId))
          .innerJoin(pointRules, eq(pointRules.id, pointClaims.ruleId))
          .leftJoin(regions, eq(regions.code, pointAccounts.regionCode)),
      where: and(...conds),
      keys: claimKeys,
      filter: f,
      knownTotal,
    });
    return { items: rows.map(present), total, nextCursor };
  });
}

/**
 * The scoped loader of a claim: one query that finds it only if the caller may see it — staff with point:read and its
 * place in scope, the submitter, the account's owner — or, for an objection (`notice`), anyone of the county while it
 * is under notice (the public notice shows it). Out of sight = not found. Says who the caller is to it.
 */
export async function findClaim(
  db: DbOrTx,
  c: PointsCaller,
  id: string,
  now: Date,
  opts: { notice?: boolean; lock?: boolean } = {},
) {
  const staffSees = and(eq(pointClaims.countyCode, c.countyCode), pathScope(c.scope, pointClaims.regionPath));
  const owns = or(
    c.volunteerId ? and(eq(pointAccounts.type, 'volunteer'), eq(pointAccounts.ownerId, c.volunteerId)) : sql`false`,
    c.householdId ? and(eq(pointAccounts.type, 'household'), eq(pointAccounts.ownerId, c.householdId)) : sql`false`,
  );
  const onNotice = opts.notice
    ? and(eq(pointClaims.countyCode, c.countyCode), eq(pointClaims.state, 'notice'))
    : sql`false`;
  const query = db
    .select({ ...claimSelect, staffSees: sql<boolean>`coalesce(${staffSees}, false)` })
    .from(pointClaims)
    .innerJoin(pointAccounts, eq(pointAccounts.id, pointClaims.accountId))
    .innerJoin(pointRules, eq(pointRules.id, pointClaims.ruleId))
    .leftJoin(regions, eq(regions.code, pointAccounts.regionCode))
    .where(
      and(
        eq(pointClaims.id, id),
        or(
          c.permissions.has('point:read') ? staffSees : sql`false`,
          eq(pointClaims.submittedBy, c.userId),
          owns,
          onNotice,
        ),
      ),
    );
  const [row] = opts.lock ? await query.for('update', { of: pointClaims }) : await query;
  if (!row) throw notFound('积分申报');
  const x = row.c;
  const parties = new Set<ClaimParty>();
  if (row.staffSees && c.permissions.has('point:review')) parties.add('reviewer');
  if (x.submittedBy === c.userId) parties.add('submitter');
  if (x.countyCode === c.countyCode) parties.add('public');
  const ctx: ClaimContext = { now, noticeEndAt: x.noticeEndAt };
  return { row, x, parties, ctx };
}
type Found = Awaited<ReturnType<typeof findClaim>>;

const allowed = (f: Found, action: ClaimAction) => assertAllowed(claimMachine, action, f.x.state, f.parties, f.ctx);

export async function getClaim(db: DbOrTx, c: PointsCaller, id: string, now: Date) {
  const f = await findClaim(db, c, id, now);
  return {
    ...present(f.row),
    actions: actionsFor(claimMachine, f.x.state, f.parties, f.ctx),
    events: await eventsOf(db, 'point_claim', id),
  };
}

/** My claims: those I submitted and those on my accounts. */
export async function myClaims(db: DbOrTx, c: PointsCaller, f: { page: number; pageSize: number }) {
  const accountIds = (
    await db
      .select({ id: pointAccounts.id })
      .from(pointAccounts)
      .where(
        or(
          c.volunteerId
            ? and(eq(pointAccounts.type, 'volunteer'), eq(pointAccounts.ownerId, c.volunteerId))
            : sql`false`,
          c.householdId
            ? and(eq(pointAccounts.type, 'household'), eq(pointAccounts.ownerId, c.householdId))
            : sql`false`,
        ),
      )
  ).map((a) => a.id);
  const { rows, total } = await offsetPage(db, {
    from: pointClaims,
    rows: () => withNames(db),
    where: or(
      eq(pointClaims.submittedBy, c.userId),
      accountIds.length ? inArray(pointClaims.accountId, accountIds) : sql`false`,
    ),
    order: [desc(pointClaims.createdAt), asc(pointClaims.id)],
    filter: f,
  });
  return { items: rows.map(present), total, page: f.page, pageSize: f.pageSize };
}

// ---------- transitions ----------

/** The submitter and the account's owners hear of a claim's progress. */
async function told(tx: DbOrTx, x: Claim, title: string, body: string): Promise<Notice> {
  const acc = await accountRow(tx, x.accountId);
  const owners = acc.ownerId ? await ownerUserIds(tx, acc.type as AccountType, [acc.ownerId]) : [];
  return { userIds: [x.submittedBy, ...owners], kind: 'point_claim', title, body };
}

async function ruleName(tx: DbOrTx, ruleId: string) {
  const [r] = await tx.select({ name: pointRules.name }).from(pointRules).where(eq(pointRules.id, ruleId));
  return r?.name ?? '积分申报';
}

/** One transition of the machine in the caller's transaction (the platform helper: update, event, notice, audit). */
const step = (
  tx: DbOrTx,
  actor: Actor,
  now: Date,
  x: Claim,
  action: ClaimAction,
  t: {
    set?: Partial<typeof pointClaims.$inferInsert>;
    where?: SQL;
    note?: string;
    data?: Record<string, unknown>;
    tell?: (tx: DbOrTx) => Promise<Notice>;
  },
) =>
  runTransition(tx, {
    machine: claimMachine,
    table: pointClaims,
    record: x,
    action,
    actor: { ...actor, countyCode: x.countyCode },
    now,
    set: { ...t.set, updatedAt: now },
    where: t.where,
    note: t.note,
    data: t.data,
    detail: t.data,
    lost: '该申报已被他人处理，请刷新后重试',
    tell: t.tell,
  });

/** ★ approve: 评议通过 → 公示 for points.noticeDays days. */
export async function approveClaim(db: Db, c: PointsCaller, now: Date, id: string, comment?: string) {
  const f = await findClaim(db, c, id, now);
  allowed(f, 'approve');
  const { x } = f;
  const days = await getSetting<number>(db, x.countyCode, 'points.noticeDays');
  const end = new Date(now.getTime() + days * DAY);
  return db.transaction((tx) =>
    step(tx, c.actor, now, x, 'approve', {
      set: { noticeStartAt: now, noticeEndAt: end, reviewComment: comment?.trim() || null, reviewedBy: c.userId },
      note: comment?.trim() ?? '',
      data: { noticeEndAt: end.toISOString(), noticeDays: days },
      tell: (tx) =>
        told(
          tx,
          x,
          '积分申报进入公示',
          `“${f.row.ruleName}”${signed(x.points)} 分评议通过，公示至 ${fmtDay(end)}，期间无异议即入账。`,
        ),
    }),
  );
}

/** reject: 评议不通过 (from 待评议 or during the notice), with a comment. */
export async function rejectClaim(db: Db, c: PointsCaller, now: Date, id: string, comment: string) {
  const f = await findClaim(db, c, id, now);
  allowed(f, 'reject');
  const { x } = f;
  return db.transaction((tx) =>
    step(tx, c.actor, now, x, 'reject', {
      set: { reviewComment: comment, reviewedBy: c.userId },
      note: comment,
      tell: (tx) => told(tx, x, '积分申报未通过', `“${f.row.ruleName}”未通过评议：${comment}`),
    }),
  );
}

/** ★ object: anyone signed in in the county, during the notice → back to 待评议 with the objection on the timeline. */
export async function objectToClaim(db: Db, c: PointsCaller, now: Date, id: string, reason: string) {
  const f = await findClaim(db, c, id, now, { notice: true });
  allowed(f, 'object');
  const { x } = f;
  await db.transaction((tx) =>
    step(tx, c.actor, now, x, 'object', {
      set: { noticeStartAt: null, noticeEndAt: null },
      where: sql`${pointClaims.noticeEndAt} > ${now}`,
      note: reason,
      tell: async () => ({
        userIds: [x.reviewedBy, x.submittedBy],
        kind: 'point_claim',
        title: '积分公示收到异议',
        body: `“${f.row.ruleName}”公示期间有人提出异议，已退回重新评议：${reason}`,
      }),
    }),
  );
  return { id, state: 'submitted' as const };
}

/** withdraw: the submitter takes back a claim still waiting for review. */
export async function withdrawClaim(db: Db, c: PointsCaller, now: Date, id: string) {
  const f = await findClaim(db, c, id, now);
  allowed(f, 'withdraw');
  return db.transaction((tx) => step(tx, c.actor, now, f.x, 'withdraw', {}));
}

export type PostResult = {
  id: string;
  state: 'posted';
  transactionId: string | null;
  points: number;
  capped: boolean;
  message: string;
};

/**
 * 入账 in the caller's transaction: issuance → account for a positive rule, account → deduction for a negative one.
 * A deduction larger than the balance takes the balance to zero and says so.
 */
async function postClaimTx(tx: DbOrTx, actor: Actor, x: Claim, now: Date): Promise<PostResult> {
  const rule = await ruleName(tx, x.ruleId);
  let amount = Math.abs(x.points);
  let capped = false;
  let transactionId: string | null = null;
  if (x.points < 0) {
    const [acc] = await tx
      .select({ balance: pointAccounts.balance })
      .from(pointAccounts)
      .where(eq(pointAccounts.id, x.accountId))
      .for('update');
    if ((acc?.balance ?? 0) < amount) {
      amount = acc?.balance ?? 0;
      capped = true;
    }
  }
  if (amount > 0) {
    const sys = await systemAccountId(tx, x.countyCode, x.points > 0 ? 'issuance' : 'deduction', now);
    const posted = await postTransaction(tx, {
      countyCode: x.countyCode,
      kind: 'claim',
      memo: `${rule}（${x.points > 0 ? '申报' : '扣分'}）`,
      idempotencyKey: `claim:${x.id}`,
      ruleId: x.ruleId,
      movements: [
        x.points > 0 ? { debit: sys, credit: x.accountId, amount } : { debit: x.accountId, credit: sys, amount },
      ],
      createdBy: x.submittedBy,
      approvedBy: actor.userId ?? x.reviewedBy,
      now,
    });
    transactionId = posted.transactionId;
  }
  const booked = x.points > 0 ? amount : -amount;
  const message = capped
    ? amount === 0
      ? `账户余额为 0，应扣 ${Math.abs(x.points)} 分，实际未扣减`
      : `账户余额不足，应扣 ${Math.abs(x.points)} 分，实际扣 ${amount} 分，余额已为 0`
    : `已入账 ${signed(booked)} 分`;
  await step(tx, actor, now, x, 'post', {
    set: { transactionId, postedAt: now },
    where: lte(pointClaims.noticeEndAt, now),
    note: message,
    data: { transactionId, points: booked, capped },
    tell: (tx) => told(tx, x, '积分已入账', `“${rule}”${message}。`),
  });
  return { id: x.id, state: 'posted', transactionId, points: booked, capped, message };
}

/** ★ post: only after the notice ends (409 before). */
export async function postClaim(db: Db, c: PointsCaller, now: Date, id: string): Promise<PostResult> {
  const f = await findClaim(db, c, id, now);
  allowed(f, 'post');
  return db.transaction((tx) => postClaimTx(tx, c.actor, f.x, now));
}

/** The sweep: posts every claim whose notice ended with no objection, each in its own transaction. */
export async function postDueClaims(db: Db, now: Date, limit = 500) {
  const due = await db
    .select()
    .from(pointClaims)
    .where(and(eq(pointClaims.state, 'notice'), lte(pointClaims.noticeEndAt, now)))
    .orderBy(asc(pointClaims.noticeEndAt))
    .limit(limit);
  const system = new Set<ClaimParty>(['system']);
  let posted = 0,
    failed = 0;
  for (const x of due) {
    try {
      assertAllowed(claimMachine, 'post', x.state, system, { now, noticeEndAt: x.noticeEndAt });
      await db.transaction((tx) => postClaimTx(tx, systemActor('积分公示到期自动入账'), x, now));
      posted++;
    } catch (e) {
      if (e instanceof AppError && e.code === 'INVALID_TRANSITION') continue; // objected to or posted meanwhile
      failed++;
    }
  }
  return { posted, failed };
}

/** GET /public/points-notices — claims under notice, names partly masked. */
export async function publicClaimNotices(
  db: DbOrTx,
  countyCode: string,
  now: Date,
  f: { page: number; pageSize: number },
) {
  const { rows, total } = await offsetPage(db, {
    from: pointClaims,
    rows: () => withNames(db),
    where: and(eq(pointClaims.countyCode, countyCode), eq(pointClaims.state, 'notice')),
    order: [desc(pointClaims.noticeStartAt), asc(pointClaims.id)],
    filter: f,
  });
  return {
    items: rows.map((r) => ({
      id: r.c.id,
      accountName: maskAccountName(r.accountName),
      accountType: r.accountType as AccountType,
      regionName: r.regionName,
      ruleName: r.ruleName,
      category: r.category,
      categoryName: categoryLabels[r.category],
      points: r.c.points,
      noticeStartAt: r.c.noticeStartAt,
      noticeEndAt: r.c.noticeEndAt,
      canObject: !!r.c.noticeEndAt && r.c.noticeEndAt.getTime() > now.getTime(),
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** 张三丰户 → 张*丰户, 李四 → 李*. */
export function maskAccountName(name: string) {
  return name.endsWith('户') ? `${maskName(name.slice(0, -1))}户` : maskName(name);
}
