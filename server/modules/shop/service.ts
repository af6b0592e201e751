import crypto from 'node:crypto';
import { and, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import {
  files,
  householdMembers,
  households,
  pointAccounts,
  regions,
  shopGoods,
  shopRedemptions,
  volunteers,
} from '../../db/schema/index.js';
import { AppError, forbidden, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { escapeLike, inScope, regionInScope, type Scope } from '../../platform/scope.js';
import { notify } from '../../platform/notify.js';
import { chinaMinute } from '../../platform/clock.js';
import type { Permission } from '../../platform/permissions.js';
import { offsetPage } from '../../platform/lists.js';
import { requireRegion } from '../regions/service.js';
import {
  holdForRedemption,
  ownerAccount,
  refundRedemption,
  settleRedemption,
  type AccountType,
  type OwnerAccount,
} from '../points/service.js';
import {
  actionsFor,
  addEvent,
  assertAllowed,
  runTransition,
  timelineOf,
  type Notice,
} from '../../platform/transitions.js';
import { redemptionMachine, type RedemptionAction, type RedemptionParty, type RedemptionState } from './transitions.js';

/**
 * 积分超市: goods priced in points, and redemptions that hold stock and points in one transaction
 * (reserved → handed out with the pickup code, or cancelled with stock and points returned).
 */

export const redemptionStateLabels = redemptionMachine.states;
export type { RedemptionState };
export const accountTypeLabels = { household: '户', volunteer: '志愿者' } as const;

export type ShopCaller = {
  actor: Actor;
  userId: string;
  countyCode: string;
  regionCode: string | null;
  scope: Scope;
  permissions: ReadonlySet<Permission>;
  volunteerId: string | null;
  householdIds: string[];
};

export async function shopCaller(
  db: DbOrTx,
  base: Omit<ShopCaller, 'volunteerId' | 'householdIds'>,
): Promise<ShopCaller> {
  const [[v], hh] = await Promise.all([
    db.select({ id: volunteers.id }).from(volunteers).where(eq(volunteers.userId, base.userId)),
    db
      .select({ id: householdMembers.householdId })
      .from(householdMembers)
      .where(eq(householdMembers.userId, base.userId)),
  ]);
  return { ...base, volunteerId: v?.id ?? null, householdIds: hh.map((h) => h.id) };
}

const goodsScope = (scope: Scope) => inScope(scope, { path: shopGoods.regionPath, regionCode: shopGoods.regionCode });

// ---------- goods ----------

export type GoodsInput = {
  name: string;
  points: number;
  stock: number;
  regionCode?: string;
  description?: string;
  fundingSource?: string;
  imageFileId?: string | null;
};

async function checkImage(db: DbOrTx, id: string | null | undefined) {
  if (!id) return;
  const [f] = await db.select({ id: files.id }).from(files).where(eq(files.id, id));
  if (!f) throw invalid('imageFileId', '商品图片不存在，请先上传');
}

const goodsColumns = {
  id: shopGoods.id,
  name: shopGoods.name,
  description: shopGoods.description,
  points: shopGoods.points,
  stock: shopGoods.stock,
  fundingSource: shopGoods.fundingSource,
  imageFileId: shopGoods.imageFileId,
  active: shopGoods.active,
  regionCode: shopGoods.regionCode,
  regionName: regions.name,
  regionLevel: regions.level,
  createdAt: shopGoods.createdAt,
  updatedAt: shopGoods.updatedAt,
  reservedCount: sql<number>`(select coalesce(sum(r.quantity), 0)::int from shop_redemptions r
    where r.goods_id = "shop_goods"."id" and r.state = 'reserved')`,
};
type GoodsRow = { imageFileId: string | null; reservedCount: number | string };
const presentGoods = <T extends GoodsRow>(g: T) => ({
  ...g,
  reservedCount: Number(g.reservedCount),
  imageUrl: g.imageFileId ? `/api/v1/files/${g.imageFileId}` : null,
});

export async function getGoods(db: DbOrTx, c: ShopCaller, id: string) {
  const [g] = await db
    .select(goodsColumns)
    .from(shopGoods)
    .innerJoin(regions, eq(regions.code, shopGoods.regionCode))
    .where(
      and(
        eq(shopGoods.id, id),
        eq(shopGoods.countyCode, c.countyCode),
        canManageGoods(c) ? sql`true` : eq(shopGoods.active, true),
      ),
    );
  if (!g) throw notFound('商品');
  return presentGoods(g);
}
const canManageGoods = (c: ShopCaller) => c.permissions.has('shop:manage');

/**
 * Goods of the county. Residents and volunteers see active goods with stock; managers (`all`) see every goods of
 * their scope, inactive and sold-out ones included.
 */
export async function listGoods(
  db: DbOrTx,
  c: ShopCaller,
  f: { regionCode?: string; q?: string; all?: boolean; page: number; pageSize: number },
) {
  const conds: SQL[] = [eq(shopGoods.countyCode, c.countyCode)];
  if (f.all) {
    if (!canManageGoods(c)) throw forbidden('查看全部商品（含已下架、已售罄）需要管理积分超市商品的权限');
    conds.push(goodsScope(c.scope));
  } else conds.push(eq(shopGoods.active, true), sql`${shopGoods.stock} > 0`);
  if (f.regionCode) {
    const r = await requireRegion(db, f.regionCode);
    conds.push(sql`${shopGoods.regionPath} like ${escapeLike(r.path) + '%'}`);
  }
  if (f.q)
    conds.push(
      or(ilike(shopGoods.name, `%${escapeLike(f.q)}%`), ilike(shopGoods.fundingSource, `%${escapeLike(f.q)}%`))!,
    );
  const where = and(...conds);
  const { rows, total } = await offsetPage(db, {
    from: shopGoods,
    rows: () => db.select(goodsColumns).from(shopGoods).innerJoin(regions, eq(regions.code, shopGoods.regionCode)),
    where,
    order: [desc(shopGoods.active), sql`${shopGoods.points} asc`, shopGoods.name, shopGoods.id],
    filter: f,
  });
  return { items: rows.map(presentGoods), total, page: f.page, pageSize: f.pageSize };
}

export async function createGoods(db: Db, c: ShopCaller, now: Date, input: GoodsInput) {
  const code = input.regionCode ?? c.regionCode;
  if (!code) throw invalid('regionCode', '请选择商品所属的所（站）');
  const region = await requireRegion(db, code);
  if (region.countyCode !== c.countyCode || !regionInScope(c.scope, region.path))
    throw invalid('regionCode', '该区划不在您的管理范围内');
  await checkImage(db, input.imageFileId);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(shopGoods)
      .values({
        countyCode: region.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        name: input.name,
        description: input.description ?? '',
        points: input.points,
        stock: input.stock,
        fundingSource: input.fundingSource ?? '',
        imageFileId: input.imageFileId ?? null,
        createdBy: c.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await writeAudit(
      tx,
      { ...c.actor, countyCode: region.countyCode },
      { action: 'shop.goods.create', entity: 'shop_goods', entityId: row.id, after: row },
    );
    return row;
  });
}

export async function updateGoods(
  db: Db,
  c: ShopCaller,
  now: Date,
  id: string,
  patch: Partial<GoodsInput> & { active?: boolean },
) {
  let region: { code: string; path: string } | null = null;
  if (patch.regionCode) {
    const r = await requireRegion(db, patch.regionCode);
    if (r.countyCode !== c.countyCode || !regionInScope(c.scope, r.path))
      throw invalid('regionCode', '该区划不在您的管理范围内');
    region = r;
  }
  await checkImage(db, patch.imageFileId);
  return db.transaction(async (tx) => {
    // the row lock keeps a stock correction from interleaving with redemptions
    const [before] = await tx
      .select()
      .from(shopGoods)
      .where(and(eq(shopGoods.id, id), goodsScope(c.scope)))
      .for('update');
    if (!before) throw notFound('商品');
    const set: Partial<typeof shopGoods.$inferInsert> = { updatedAt: now };
    for (const k of ['name', 'description', 'points', 'stock', 'fundingSource', 'imageFileId', 'active'] as const) {
      if (patch[k] !== undefined) (set as Record<string, unknown>)[k] = patch[k];
    }
    if (region) Object.assign(set, { regionCode: region.code, regionPath: region.path });
    const [after] = await tx.update(shopGoods).set(set).where(eq(shopGoods.id, id)).returning();
    const stockChange = after.stock !== before.stock ? { from: before.stock, to: after.stock } : undefined;
    await writeAudit(
      tx,
      { ...c.actor, countyCode: before.countyCode },
      {
        action: stockChange ? 'shop.goods.stock' : 'shop.goods.update',
        entity: 'shop_goods',
        entityId: id,
        before,
        after,
        detail: stockChange ? { stock: stockChange } : undefined,
      },
    );
    return after;
  });
}

/** DELETE deactivates: the goods leave the shop; reservations already made can still be handed out or cancelled. */
export async function deactivateGoods(db: Db, c: ShopCaller, now: Date, id: string) {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(shopGoods)
      .where(and(eq(shopGoods.id, id), goodsScope(c.scope)));
    if (!before) throw notFound('商品');
    const [after] = await tx
      .update(shopGoods)
      .set({ active: false, updatedAt: now })
      .where(eq(shopGoods.id, id))
      .returning();
    await writeAudit(
      tx,
      { ...c.actor, countyCode: before.countyCode },
      {
        action: 'shop.goods.deactivate',
        entity: 'shop_goods',
        entityId: id,
        before: { active: before.active },
        after: { active: false },
      },
    );
    return after;
  });
}

// ---------- accounts ----------

/** Users to tell about an account: the volunteer, or every member of the household. */
async function accountUsers(db: DbOrTx, type: AccountType, ownerId: string): Promise<string[]> {
  if (type === 'volunteer') {
    const [v] = await db.select({ userId: volunteers.userId }).from(volunteers).where(eq(volunteers.id, ownerId));
    return v?.userId ? [v.userId] : [];
  }
  return (
    await db
      .select({ userId: householdMembers.userId })
      .from(householdMembers)
      .where(eq(householdMembers.householdId, ownerId))
  ).map((r) => r.userId);
}

const isOwner = (c: ShopCaller, type: AccountType, ownerId: string) =>
  type === 'volunteer' ? c.volunteerId === ownerId : c.householdIds.includes(ownerId);

/**
 * The account a redemption is for. `accountId` is the household or volunteer id (as in the points module), or the
 * points account id. The owner may use it (a volunteer their own, a resident their household); staff with
 * `shop:handout` any account in scope. Anything else is not found.
 */
async function accountFor(
  tx: DbOrTx,
  c: ShopCaller,
  type: AccountType,
  accountId: string,
  now: Date,
): Promise<OwnerAccount & { byOwner: boolean }> {
  const [byAccount] = await tx
    .select({ ownerId: pointAccounts.ownerId })
    .from(pointAccounts)
    .where(and(eq(pointAccounts.id, accountId), eq(pointAccounts.type, type)));
  const ownerId = byAccount?.ownerId ?? accountId;
  const gone = () =>
    new AppError('NOT_FOUND', '积分账户不存在或不在您的数据权限范围内', [
      { path: 'accountId', message: '账户不存在或不在您的管理范围内' },
    ]);
  if (isOwner(c, type, ownerId)) {
    if (!c.permissions.has('shop:redeem') && !c.permissions.has('shop:handout'))
      throw forbidden('您没有兑换商品的权限');
    return { ...(await ownerAccount(tx, type, ownerId, now)), byOwner: true };
  }
  if (!c.permissions.has('shop:handout')) throw gone();
  const [owner] =
    type === 'household'
      ? await tx
          .select({ path: households.regionPath, countyCode: households.countyCode })
          .from(households)
          .where(eq(households.id, ownerId))
      : await tx
          .select({ path: volunteers.regionPath, countyCode: volunteers.countyCode })
          .from(volunteers)
          .where(eq(volunteers.id, ownerId));
  if (!owner || owner.countyCode !== c.countyCode || !regionInScope(c.scope, owner.path)) throw gone();
  return { ...(await ownerAccount(tx, type, ownerId, now)), byOwner: false };
}

// ---------- redemptions ----------

const pickupCode = () => String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');

async function event(
  tx: DbOrTx,
  e: {
    entityId: string;
    action: string;
    from: string | null;
    to: string;
    actor: Actor;
    note?: string;
    data?: Record<string, unknown>;
    now: Date;
  },
) {
  const { now, ...rest } = e;
  await addEvent(tx, { entity: 'shop_redemption', ...rest, at: now });
}

export type RedeemInput = { goodsId: string; quantity: number; accountType: AccountType; accountId: string };

/**
 * One transaction: the stock is taken with a conditional UPDATE (none left → 409 OUT_OF_STOCK), then the points move
 * account → shop_held through the ledger (not enough → 409 INSUFFICIENT_POINTS, and the rollback gives the stock
 * back), then the redemption with its pickup code, the timeline, the notice to the owner and the audit event.
 */
export async function redeem(db: Db, c: ShopCaller, now: Date, input: RedeemInput) {
  const [goods] = await db
    .select()
    .from(shopGoods)
    .where(and(eq(shopGoods.id, input.goodsId), eq(shopGoods.countyCode, c.countyCode)));
  if (!goods) throw invalid('goodsId', '商品不存在');
  if (!goods.active)
    throw new AppError('INVALID_TRANSITION', `“${goods.name}”已下架，不能兑换`, [
      { path: 'goodsId', message: '商品已下架' },
    ]);
  const total = goods.points * input.quantity;
  if (!Number.isSafeInteger(total) || total > 100_000_000) throw invalid('quantity', '兑换数量过大');
  return db.transaction(async (tx) => {
    const account = await accountFor(tx, c, input.accountType, input.accountId, now);
    if (account.countyCode !== goods.countyCode) throw invalid('accountId', '账户与商品不在同一县');
    const taken = await tx
      .update(shopGoods)
      .set({ stock: sql`${shopGoods.stock} - ${input.quantity}`, updatedAt: now })
      .where(and(eq(shopGoods.id, goods.id), eq(shopGoods.active, true), sql`${shopGoods.stock} >= ${input.quantity}`))
      .returning({ stock: shopGoods.stock, points: shopGoods.points, name: shopGoods.name });
    if (!taken.length) {
      throw new AppError('OUT_OF_STOCK', `“${goods.name}”库存不足，兑换 ${input.quantity} 件失败`, [
        { path: 'quantity', message: '库存不足' },
      ]);
    }
    const points = taken[0].points * input.quantity;
    const memo = `兑换${taken[0].name} × ${input.quantity}`;
    let posted;
    try {
      posted = await holdForRedemption(tx, {
        countyCode: goods.countyCode,
        accountId: account.id,
        points,
        memo,
        createdBy: c.userId,
        now,
      });
    } catch (e) {
      if (e instanceof AppError && e.code === 'INSUFFICIENT_POINTS') {
        throw new AppError(
          'INSUFFICIENT_POINTS',
          `积分余额不足：兑换${taken[0].name} × ${input.quantity} 需要 ${points} 积分`,
          [{ path: 'accountId', message: '积分余额不足' }],
        );
      }
      throw e;
    }
    const [row] = await tx
      .insert(shopRedemptions)
      .values({
        countyCode: goods.countyCode,
        regionPath: goods.regionPath,
        goodsId: goods.id,
        accountId: account.id,
        quantity: input.quantity,
        points,
        state: 'reserved',
        pickupCode: pickupCode(),
        holdTransactionId: posted.transactionId,
        requestedBy: c.userId,
        createdAt: now,
      })
      .returning();
    await event(tx, {
      entityId: row.id,
      action: 'reserve',
      from: null,
      to: 'reserved',
      actor: c.actor,
      now,
      note: account.byOwner ? '' : `${c.actor.name}代${account.name}兑换`,
      data: { quantity: input.quantity, points, transactionId: posted.transactionId },
    });
    await notify(tx, {
      countyCode: goods.countyCode,
      userIds: await accountUsers(tx, account.type, account.ownerId),
      kind: 'shop.reserved',
      title: '积分兑换成功',
      body:
        `已为${account.name}兑换“${taken[0].name}”× ${input.quantity}，扣除 ${points} 积分，取货码 ${row.pickupCode}，` +
        '请凭取货码到兑换点领取',
      entity: 'shop_redemption',
      entityId: row.id,
      now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: goods.countyCode },
      {
        action: 'shop.redeem',
        entity: 'shop_redemption',
        entityId: row.id,
        after: { ...row, pickupCode: undefined },
        detail: {
          goodsId: goods.id,
          accountId: account.id,
          quantity: input.quantity,
          points,
          stockAfter: taken[0].stock,
        },
      },
    );
    return {
      id: row.id,
      state: row.state,
      pickupCode: row.pickupCode,
      points,
      quantity: row.quantity,
      goodsId: goods.id,
      goodsName: taken[0].name,
      accountId: account.id,
      accountName: account.name,
      createdAt: row.createdAt,
    };
  });
}

type Redemption = typeof shopRedemptions.$inferSelect;

/**
 * The scoped loader of a redemption: one query that finds it only if the caller may see it — staff with
 * `shop:handout` and the goods' or the account's place in scope, or the account's owner. Out of sight = not found.
 * Says who the caller is to it (its parties).
 */
export async function findRedemption(db: DbOrTx, c: ShopCaller, id: string) {
  const handout = c.permissions.has('shop:handout');
  const goodsSees = handout
    ? inScope(c.scope, { path: shopGoods.regionPath, regionCode: shopGoods.regionCode })
    : sql`false`;
  const accountSees = handout
    ? inScope(c.scope, { path: pointAccounts.regionPath, regionCode: sql`coalesce(${pointAccounts.regionCode}, '')` })
    : sql`false`;
  const owners: SQL[] = [sql`false`];
  if (c.volunteerId) owners.push(and(eq(pointAccounts.type, 'volunteer'), eq(pointAccounts.ownerId, c.volunteerId))!);
  if (c.householdIds.length)
    owners.push(and(eq(pointAccounts.type, 'household'), inArray(pointAccounts.ownerId, c.householdIds))!);
  const owns = or(...owners)!;
  const [r] = await db
    .select({
      r: shopRedemptions,
      goodsName: shopGoods.name,
      accountType: pointAccounts.type,
      ownerId: pointAccounts.ownerId,
      staffGoods: sql<boolean>`${goodsSees}`,
      staffAccount: sql<boolean>`${accountSees}`,
      owner: sql<boolean>`${owns}`,
    })
    .from(shopRedemptions)
    .innerJoin(shopGoods, eq(shopGoods.id, shopRedemptions.goodsId))
    .innerJoin(pointAccounts, eq(pointAccounts.id, shopRedemptions.accountId))
    .where(
      and(eq(shopRedemptions.id, id), eq(shopRedemptions.countyCode, c.countyCode), or(goodsSees, accountSees, owns)),
    );
  if (!r) throw notFound('兑换记录');
  const parties = new Set<RedemptionParty>();
  if (r.staffGoods) parties.add('goodsStaff');
  if (r.staffAccount) parties.add('accountStaff');
  if (r.owner) parties.add('owner');
  return { ...r, type: r.accountType as AccountType, parties };
}
type Found = Awaited<ReturnType<typeof findRedemption>>;

const allowed = (f: Found, action: RedemptionAction) =>
  assertAllowed(redemptionMachine, action, f.r.state, f.parties, undefined);

/** One transition in the caller's transaction: the conditional update, the event, the notice and the audit event. */
const step = (
  tx: DbOrTx,
  c: ShopCaller,
  now: Date,
  f: Found,
  action: RedemptionAction,
  t: {
    set: Partial<typeof shopRedemptions.$inferInsert>;
    where?: SQL;
    note?: string;
    data: Record<string, unknown>;
    tell?: () => Promise<Notice | null>;
  },
) =>
  runTransition(tx, {
    machine: redemptionMachine,
    table: shopRedemptions,
    record: f.r,
    action,
    actor: c.actor,
    now,
    set: t.set,
    where: t.where,
    note: t.note,
    data: t.data,
    detail: t.data,
    lost: '该兑换已被处理，请刷新',
    tell: t.tell,
  });

/**
 * Handed out with the pickup code: a wrong code → 400 `pickupCode` and nothing changes; points move shop_held →
 * redeemed.
 */
export async function handout(db: Db, c: ShopCaller, now: Date, id: string, code: string) {
  const r = await findRedemption(db, c, id);
  allowed(r, 'handout');
  if (r.r.codeLockedUntil && r.r.codeLockedUntil.getTime() > now.getTime()) throw pickupLocked(r.r.codeLockedUntil);
  if (!safeEqual(code, r.r.pickupCode)) {
    // count the miss; the fifth in a row locks the handout for a while (and starts a new count), audited
    const miss = await db.transaction(async (tx) => {
      const [f] = await tx
        .update(shopRedemptions)
        .set({
          codeFailures: sql`case when ${shopRedemptions.codeFailures} + 1 >= ${PICKUP_TRIES} then 0
            else ${shopRedemptions.codeFailures} + 1 end`,
          codeLockedUntil: sql`case when ${shopRedemptions.codeFailures} + 1 >= ${PICKUP_TRIES}
            then ${new Date(now.getTime() + PICKUP_LOCK_MS).toISOString()}::timestamptz else null end`,
        })
        .where(
          and(
            eq(shopRedemptions.id, id),
            eq(shopRedemptions.state, 'reserved'),
            sql`(${shopRedemptions.codeLockedUntil} is null
              or ${shopRedemptions.codeLockedUntil} <= ${now.toISOString()}::timestamptz)`,
          ),
        )
        .returning({ failures: shopRedemptions.codeFailures, lockedUntil: shopRedemptions.codeLockedUntil });
      if (f?.lockedUntil) {
        await writeAudit(
          tx,
          { ...c.actor, countyCode: r.r.countyCode },
          {
            action: 'shop.pickup_locked',
            entity: 'shop_redemption',
            entityId: id,
            detail: { tries: PICKUP_TRIES, until: f.lockedUntil },
          },
        );
      }
      return f;
    });
    if (miss?.lockedUntil) throw pickupLocked(miss.lockedUntil);
    if (!miss) {
      // locked or handed out by a parallel request since it was read
      const [current] = await db
        .select({ state: shopRedemptions.state, lockedUntil: shopRedemptions.codeLockedUntil })
        .from(shopRedemptions)
        .where(eq(shopRedemptions.id, id));
      if (current?.lockedUntil && current.lockedUntil.getTime() > now.getTime())
        throw pickupLocked(current.lockedUntil);
      throw new AppError('INVALID_TRANSITION', '该兑换已被处理，请刷新');
    }
    throw invalid('pickupCode', `取货码不正确，还可再试 ${PICKUP_TRIES - miss.failures} 次`);
  }
  return db.transaction(async (tx) => {
    const posted = await settleRedemption(tx, {
      countyCode: r.r.countyCode,
      points: r.r.points,
      memo: `发放${r.goodsName} × ${r.r.quantity}`,
      createdBy: c.userId,
      now,
    });
    return step(tx, c, now, r, 'handout', {
      set: { handedOutBy: c.userId, handedOutAt: now, settleTransactionId: posted.transactionId },
      where: eq(shopRedemptions.pickupCode, code),
      data: { transactionId: posted.transactionId },
      tell: async () => ({
        userIds: await accountUsers(tx, r.type, r.ownerId!),
        kind: 'shop.handed_out',
        title: '兑换商品已领取',
        body: `“${r.goodsName}”× ${r.r.quantity} 已于兑换点领取（经办人：${c.actor.name}）`,
      }),
    });
  });
}

/** Wrong pickup codes allowed in a row before the handout of that redemption is locked for PICKUP_LOCK_MS. */
export const PICKUP_TRIES = 5;
const PICKUP_LOCK_MS = 15 * 60_000;
const pickupLocked = (until: Date) => {
  const message = `取货码连续输错 ${PICKUP_TRIES} 次，已锁定到 ${chinaMinute(until)}，请与兑换人核对后再试`;
  return new AppError('RATE_LIMITED', message, [{ path: 'pickupCode', message }]);
};

function safeEqual(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** Cancelled by the owner or staff: the stock goes back and the points are refunded shop_held → account. */
export async function cancelRedemption(db: Db, c: ShopCaller, now: Date, id: string, reason?: string) {
  const r = await findRedemption(db, c, id);
  allowed(r, 'cancel');
  const why = reason?.trim() || '';
  return db.transaction(async (tx) => {
    const [goods] = await tx
      .update(shopGoods)
      .set({ stock: sql`${shopGoods.stock} + ${r.r.quantity}`, updatedAt: now })
      .where(eq(shopGoods.id, r.r.goodsId))
      .returning({ stock: shopGoods.stock });
    const posted = await refundRedemption(tx, {
      countyCode: r.r.countyCode,
      accountId: r.r.accountId,
      points: r.r.points,
      memo: `取消兑换${r.goodsName} × ${r.r.quantity}，退回积分`,
      createdBy: c.userId,
      now,
    });
    return step(tx, c, now, r, 'cancel', {
      set: { cancelledAt: now, cancelReason: why || null, settleTransactionId: posted.transactionId },
      note: why,
      data: { refund: r.r.points, stockAfter: goods?.stock, transactionId: posted.transactionId },
      tell: async () =>
        r.owner
          ? null
          : {
              userIds: await accountUsers(tx, r.type, r.ownerId!),
              kind: 'shop.cancelled',
              title: '积分兑换已取消',
              body: `“${r.goodsName}”× ${r.r.quantity} 的兑换已取消${why ? `（${why}）` : ''}，${r.r.points} 积分已退回`,
            },
    });
  });
}

// ---------- lists ----------

const redemptionColumns = {
  id: shopRedemptions.id,
  goodsId: shopRedemptions.goodsId,
  goodsName: shopGoods.name,
  goodsPoints: shopGoods.points,
  goodsRegionName: regions.name,
  accountId: shopRedemptions.accountId,
  accountType: pointAccounts.type,
  ownerId: pointAccounts.ownerId,
  accountName: pointAccounts.name,
  quantity: shopRedemptions.quantity,
  points: shopRedemptions.points,
  state: shopRedemptions.state,
  pickupCode: shopRedemptions.pickupCode,
  createdAt: shopRedemptions.createdAt,
  handedOutAt: shopRedemptions.handedOutAt,
  cancelledAt: shopRedemptions.cancelledAt,
  cancelReason: shopRedemptions.cancelReason,
};
type RedemptionRow = { state: Redemption['state']; pickupCode: string; accountType: string };
/** The pickup code is shown to the owner only: staff ask for it at the counter. */
const presentRedemption = <T extends RedemptionRow>(r: T, showCode: boolean) => ({
  ...r,
  accountType: r.accountType as AccountType,
  pickupCode: showCode ? r.pickupCode : undefined,
  stateName: redemptionStateLabels[r.state],
  accountTypeName: accountTypeLabels[r.accountType as AccountType] ?? r.accountType,
});

const redemptionQuery = (db: DbOrTx) =>
  db
    .select(redemptionColumns)
    .from(shopRedemptions)
    .innerJoin(shopGoods, eq(shopGoods.id, shopRedemptions.goodsId))
    .innerJoin(regions, eq(regions.code, shopGoods.regionCode))
    .innerJoin(pointAccounts, eq(pointAccounts.id, shopRedemptions.accountId));

/** Staff list: redemptions of goods in scope, or of accounts in scope. */
export async function listRedemptions(
  db: DbOrTx,
  c: ShopCaller,
  f: { state?: RedemptionState; goodsId?: string; pickupCode?: string; q?: string; page: number; pageSize: number },
) {
  if (!c.permissions.has('shop:handout') && !c.permissions.has('shop:manage'))
    throw forbidden('查看兑换记录需要积分超市的管理或发放权限');
  const conds: SQL[] = [
    eq(shopRedemptions.countyCode, c.countyCode),
    or(
      inScope(c.scope, { path: shopRedemptions.regionPath, regionCode: shopGoods.regionCode }),
      inScope(c.scope, { path: pointAccounts.regionPath, regionCode: sql`coalesce(${pointAccounts.regionCode}, '')` }),
    )!,
  ];
  if (f.state) conds.push(eq(shopRedemptions.state, f.state));
  if (f.goodsId) conds.push(eq(shopRedemptions.goodsId, f.goodsId));
  if (f.pickupCode) conds.push(eq(shopRedemptions.pickupCode, f.pickupCode));
  if (f.q)
    conds.push(or(ilike(pointAccounts.name, `%${escapeLike(f.q)}%`), ilike(shopGoods.name, `%${escapeLike(f.q)}%`))!);
  const where = and(...conds);
  const handout = c.permissions.has('shop:handout');
  const { rows, total } = await offsetPage(db, {
    from: shopRedemptions,
    countJoins: (q) =>
      q
        .innerJoin(shopGoods, eq(shopGoods.id, shopRedemptions.goodsId))
        .innerJoin(pointAccounts, eq(pointAccounts.id, shopRedemptions.accountId)),
    rows: () =>
      db
        .select({
          ...redemptionColumns,
          staffGoods: handout
            ? sql<boolean>`${inScope(c.scope, { path: shopGoods.regionPath, regionCode: shopGoods.regionCode })}`
            : sql<boolean>`false`,
          staffAccount: handout
            ? sql<boolean>`${inScope(c.scope, {
                path: pointAccounts.regionPath,
                regionCode: sql`coalesce(${pointAccounts.regionCode}, '')`,
              })}`
            : sql<boolean>`false`,
        })
        .from(shopRedemptions)
        .innerJoin(shopGoods, eq(shopGoods.id, shopRedemptions.goodsId))
        .innerJoin(regions, eq(regions.code, shopGoods.regionCode))
        .innerJoin(pointAccounts, eq(pointAccounts.id, shopRedemptions.accountId)),
    where,
    order: [desc(shopRedemptions.createdAt), desc(shopRedemptions.id)],
    filter: f,
  });
  const items = rows.map(({ staffGoods, staffAccount, ...r }) => {
    const parties = new Set<RedemptionParty>();
    if (staffGoods) parties.add('goodsStaff');
    if (staffAccount) parties.add('accountStaff');
    return { ...presentRedemption(r, false), actions: actionsFor(redemptionMachine, r.state, parties, undefined) };
  });
  return { items, total, page: f.page, pageSize: f.pageSize };
}

const ownerParty: ReadonlySet<RedemptionParty> = new Set(['owner']);
/** `GET /me/redemptions`: the caller's volunteer account and household accounts, with pickup codes. */
export async function myRedemptions(
  db: DbOrTx,
  c: ShopCaller,
  f: { state?: RedemptionState; page: number; pageSize: number },
) {
  const owners: SQL[] = [];
  if (c.volunteerId) owners.push(and(eq(pointAccounts.type, 'volunteer'), eq(pointAccounts.ownerId, c.volunteerId))!);
  if (c.householdIds.length)
    owners.push(and(eq(pointAccounts.type, 'household'), inArray(pointAccounts.ownerId, c.householdIds))!);
  if (!owners.length) return { items: [], total: 0, page: f.page, pageSize: f.pageSize };
  const conds: SQL[] = [or(...owners)!];
  if (f.state) conds.push(eq(shopRedemptions.state, f.state));
  const where = and(...conds);
  const { rows, total } = await offsetPage(db, {
    from: shopRedemptions,
    countJoins: (q) => q.innerJoin(pointAccounts, eq(pointAccounts.id, shopRedemptions.accountId)),
    rows: () => redemptionQuery(db),
    where,
    order: [desc(shopRedemptions.createdAt), desc(shopRedemptions.id)],
    filter: f,
  });
  return {
    items: rows.map((r) => ({
      ...presentRedemption(r, r.state === 'reserved'),
      actions: actionsFor(redemptionMachine, r.state, ownerParty, undefined),
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/**
 * One redemption with its timeline and the caller's actions; the pickup code only for its owner while it is reserved.
 */
export async function getRedemption(db: DbOrTx, c: ShopCaller, id: string) {
  const f = await findRedemption(db, c, id);
  const [[row], events] = await Promise.all([
    redemptionQuery(db).where(eq(shopRedemptions.id, id)),
    timelineOf(db, redemptionMachine, id),
  ]);
  const actions = actionsFor(redemptionMachine, f.r.state, f.parties, undefined);
  return {
    ...presentRedemption(row, f.owner && row.state === 'reserved'),
    actions,
    canHandout: actions.includes('handout'),
    canCancel: actions.includes('cancel'),
    events: events.map(({ action, fromState, toState, actorName, note, at }) => ({
      action,
      fromState,
      toState,
      actorName,
      note,
      at,
    })),
  };
}
