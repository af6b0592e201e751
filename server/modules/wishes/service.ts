import { and, asc, count, desc, eq, exists, ilike, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx } from '../../db/client.js';
import {
  files,
  regions,
  roleAssignments,
  users,
  volunteers,
  wishClaims,
  wishStates,
  wishes,
} from '../../db/schema/index.js';
import { AppError, duplicate, forbidden, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { escapeLike, inScope, regionInScope, type Scope } from '../../platform/scope.js';
import {
  keysetPage,
  offsetPage,
  type ListAnswer,
  type ListDef,
  type Lists,
  type SortKey,
} from '../../platform/lists.js';
import { maskPhone, type Crypto } from '../../platform/crypto.js';
import { notify } from '../../platform/notify.js';
import type { Permission } from '../../platform/permissions.js';
import {
  actionsFor,
  addEvent,
  assertAllowed,
  runTransition,
  timelineOf,
  type RunTransition,
} from '../../platform/transitions.js';
import { requireRegion } from '../regions/service.js';
import { getSetting } from '../settings/service.js';
import { maskName } from '../stars/service.js';
import {
  wishMachine,
  wishStateLabels,
  type WishAction,
  type WishContext,
  type WishParty,
  type WishState,
} from './transitions.js';

/**
 * 微心愿: the state machine is ./transitions.ts; every step is checked against it for the caller's parties to the
 * wish (`findWish`, the scoped loader) and is a conditional update on the state, an event on the timeline, a notice
 * and an audit event, in one transaction.
 */

export { wishStateLabels, type WishState } from './transitions.js';
export const claimModeLabels = { single: '一对一认领', multi: '多人共同认领' } as const;
export const publicStates = ['published', 'claimed', 'fulfilled'] as const satisfies readonly WishState[];
/** Shown for a beneficiary who did not consent to being named. */
export const ANONYMOUS = '某村民';

export type WishCaller = {
  actor: Actor;
  userId: string;
  countyCode: string;
  scope: Scope;
  permissions: ReadonlySet<Permission>;
  volunteerId: string | null;
  volunteerName: string | null;
};

export async function wishCaller(
  db: DbOrTx,
  base: Omit<WishCaller, 'volunteerId' | 'volunteerName'>,
): Promise<WishCaller> {
  const [v] = await db
    .select({ id: volunteers.id, name: volunteers.name })
    .from(volunteers)
    .where(eq(volunteers.userId, base.userId));
  return { ...base, volunteerId: v?.id ?? null, volunteerName: v?.name ?? null };
}

type Wish = typeof wishes.$inferSelect;
const wishScope = (scope: Scope) => inScope(scope, { path: wishes.regionPath, regionCode: wishes.regionCode });
const isStaff = (c: WishCaller, w: Pick<Wish, 'regionPath'>) =>
  c.permissions.has('wish:manage') && regionInScope(c.scope, w.regionPath);
/** A caller whose scope covers the whole county: only they verify a wish above the value cap. */
const countyLevel = (c: WishCaller, countyCode: string) => c.scope.all || c.scope.subtrees.includes(`/${countyCode}/`);
/** Published and after: anyone of the county may see it. */
const wallStates: WishState[] = ['published', 'claimed', 'fulfilled', 'confirmed'];
const money = (v: number | string) => Number(v);
const fmt = (v: number | string) => {
  const n = money(v);
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
};

// ---------- people to tell ----------

/**
 * The staff who look after wishes of a place: its station (村), its institute (镇) and, when asked, the county center.
 */
async function wishStaff(db: DbOrTx, regionPath: string, withCounty = false): Promise<string[]> {
  const [county, town, village] = regionPath.split('/').filter(Boolean);
  const wanted: { role: string; region: string | undefined }[] = [
    { role: 'station_admin', region: village },
    { role: 'institute_admin', region: town },
    ...(withCounty ? [{ role: 'county_admin', region: county }] : []),
  ];
  const codes = wanted.map((w) => w.region).filter((x): x is string => !!x);
  if (!codes.length) return [];
  const rows = await db
    .select({ userId: roleAssignments.userId, role: roleAssignments.roleCode, region: roleAssignments.regionCode })
    .from(roleAssignments)
    .where(
      and(
        inArray(roleAssignments.regionCode, codes),
        inArray(
          roleAssignments.roleCode,
          wanted.map((w) => w.role),
        ),
      ),
    );
  return rows.filter((r) => wanted.some((w) => w.role === r.role && w.region === r.region)).map((r) => r.userId);
}

const liveClaimants = async (db: DbOrTx, wishId: string) =>
  (
    await db
      .select({ userId: wishClaims.userId })
      .from(wishClaims)
      .where(and(eq(wishClaims.wishId, wishId), sql`${wishClaims.state} <> 'withdrawn'`))
  ).map((r) => r.userId);

/** What the audit trail keeps of a wish: never the phone, even encrypted. */
const auditable = (w: Wish) => ({ ...w, beneficiaryPhoneEnc: undefined, beneficiaryPhoneMasked: undefined });

// ---------- submit ----------

export type NewWish = {
  title: string;
  description: string;
  value: number;
  regionCode: string;
  beneficiaryName: string;
  consentToPublish: boolean;
  beneficiaryPhone?: string | null;
  claimMode?: 'single' | 'multi';
  deadline?: Date | null;
};

export async function submitWish(db: Db, crypto: Crypto, c: WishCaller, now: Date, input: NewWish) {
  const region = await requireRegion(db, input.regionCode);
  if (region.countyCode !== c.countyCode) throw invalid('regionCode', '只能为本县的村（社区）提交心愿');
  const staff = c.permissions.has('wish:manage');
  if (staff && !regionInScope(c.scope, region.path)) throw invalid('regionCode', '该村（社区）不在您的管理范围内');
  if (input.deadline && input.deadline.getTime() <= now.getTime()) throw invalid('deadline', '截止时间应晚于当前时间');
  const [cap, policy] = await Promise.all([
    getSetting<number>(db, region.countyCode, 'wishes.valueCap'),
    getSetting<string>(db, region.countyCode, 'wishes.overCapPolicy'),
  ]);
  const overCap = input.value > cap;
  if (overCap && policy === 'refuse') throw invalid('value', `心愿金额不能超过 ${cap} 元`);
  return db.transaction(async (tx) => {
    const [w] = await tx
      .insert(wishes)
      .values({
        countyCode: region.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        title: input.title,
        description: input.description,
        value: input.value.toFixed(2),
        beneficiaryName: input.beneficiaryName,
        beneficiaryPhoneEnc: input.beneficiaryPhone ? crypto.encrypt(input.beneficiaryPhone) : null,
        beneficiaryPhoneMasked: input.beneficiaryPhone ? maskPhone(input.beneficiaryPhone) : null,
        consentToPublish: input.consentToPublish,
        source: staff ? 'staff' : 'resident',
        claimMode: input.claimMode ?? 'single',
        state: 'submitted',
        overCap,
        deadline: input.deadline ?? null,
        submittedBy: c.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await addEvent(tx, {
      entity: 'wish',
      entityId: w.id,
      action: 'submit',
      from: null,
      to: 'submitted',
      actor: c.actor,
      at: now,
      note: overCap ? `金额 ${fmt(input.value)} 元超过上限 ${cap} 元，须县级中心审批` : '',
    });
    await notify(tx, {
      countyCode: w.countyCode,
      userIds: (await wishStaff(tx, w.regionPath, overCap)).filter((u) => u !== c.userId),
      kind: 'wish.submitted',
      title: overCap ? '新的微心愿（超过金额上限，待审批）' : '新的微心愿',
      body: `${region.name}：“${w.title}”（${fmt(w.value)} 元）待核实`,
      entity: 'wish',
      entityId: w.id,
      now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: w.countyCode },
      {
        action: 'wish.submit',
        entity: 'wish',
        entityId: w.id,
        after: auditable(w),
        detail: overCap ? { overCap: true, cap } : undefined,
      },
    );
    return w;
  });
}

// ---------- one wish, as the caller may see it ----------

/**
 * The scoped loader of a wish: one query that finds it only if the caller may see it — staff with the region in scope,
 * the submitter, a claimant (any claim not withdrawn), or anyone of the county once it is on the wall — and says who
 * the caller is to it. Out of sight = not found. `lock` takes the wish row's lock (inside a transaction): every
 * writer of claims locks the wish first.
 */
export async function findWish(db: DbOrTx, c: WishCaller, id: string, now: Date, opts: { lock?: boolean } = {}) {
  const mine = sql`(select k.id from wish_claims k
    where k.wish_id = ${wishes.id} and k.user_id = ${c.userId} and k.state <> 'withdrawn' limit 1)`;
  const staffSees = c.permissions.has('wish:manage') ? wishScope(c.scope) : sql`false`;
  const query = db
    .select({
      w: wishes,
      myClaimId: sql<string | null>`${mine}`,
      liveClaims: sql<number>`(select count(*)::int from wish_claims k
        where k.wish_id = ${wishes.id} and k.state <> 'withdrawn')`,
    })
    .from(wishes)
    .where(
      and(
        eq(wishes.id, id),
        eq(wishes.countyCode, c.countyCode),
        or(staffSees, eq(wishes.submittedBy, c.userId), sql`${mine} is not null`, inArray(wishes.state, wallStates)),
      ),
    );
  const [r] = opts.lock ? await query.for('update', { of: wishes }) : await query;
  if (!r) throw notFound('心愿');
  const [claim] = r.myClaimId ? await db.select().from(wishClaims).where(eq(wishClaims.id, r.myClaimId)) : [];
  const w = r.w;
  const cap =
    w.overCap && !countyLevel(c, w.countyCode) ? await getSetting<number>(db, w.countyCode, 'wishes.valueCap') : null;
  return { w, claim: claim ?? null, ...standing(c, w, claim ?? null, Number(r.liveClaims), now, cap) };
}

/** Who the caller is to a wish and what the guards look at: from the wish, the caller's claim and the claim count. */
function standing(
  c: WishCaller,
  w: Wish,
  claim: Pick<typeof wishClaims.$inferSelect, 'state'> | null,
  liveClaims: number,
  now: Date,
  cap: number | null = null,
) {
  const parties = new Set<WishParty>();
  if (isStaff(c, w)) parties.add('staff');
  if (w.submittedBy === c.userId) parties.add('submitter');
  if (claim?.state === 'active') parties.add('claimant');
  if (c.permissions.has('wish:claim') && w.submittedBy !== c.userId && !claim) parties.add('donor');
  const ctx: WishContext = {
    now,
    deadline: w.deadline,
    overCap: w.overCap,
    countyLevel: countyLevel(c, w.countyCode),
    cap,
    value: money(w.value),
    liveClaims,
  };
  return { parties, ctx };
}
type Found = Awaited<ReturnType<typeof findWish>>;

const allowed = (f: Found, action: WishAction) => assertAllowed(wishMachine, action, f.w.state, f.parties, f.ctx);
/** The actions the caller may take on the wish now: what the detail answers and the web shows as buttons. */
const actionsOf = (f: Found) => actionsFor(wishMachine, f.w.state, f.parties, f.ctx);

/** Before anyone has claimed it: a published wish with a claim can no longer be rejected or withdrawn. */
const unclaimed = (id: string) =>
  sql`not exists (select 1 from wish_claims k where k.wish_id = ${id} and k.state <> 'withdrawn')`;

/** A transition with a fixed destination, run by the platform helper in one transaction. */
function step(
  db: Db,
  c: WishCaller,
  now: Date,
  f: Found,
  action: WishAction,
  t: Pick<
    RunTransition<typeof wishes, WishState, WishParty, WishAction, WishContext>,
    'set' | 'where' | 'lost' | 'note' | 'tell' | 'detail'
  >,
) {
  const set = { ...t.set, updatedAt: now };
  return db.transaction((tx) =>
    runTransition(tx, { machine: wishMachine, table: wishes, record: f.w, action, actor: c.actor, now, ...t, set }),
  );
}

// ---------- staff transitions ----------

export async function verifyWish(db: Db, c: WishCaller, now: Date, id: string) {
  const f = await findWish(db, c, id, now);
  allowed(f, 'verify');
  const { w } = f;
  return step(db, c, now, f, 'verify', {
    set: w.overCap ? { approvedOverCapBy: c.userId } : {},
    note: w.overCap ? '超过金额上限，县级中心审批通过' : '',
    tell: () => ({
      userIds: [w.submittedBy],
      title: '心愿已核实',
      body: `您提交的心愿“${w.title}”已核实，将在心愿墙发布`,
    }),
  });
}

export async function publishWish(db: Db, c: WishCaller, now: Date, id: string) {
  const f = await findWish(db, c, id, now);
  allowed(f, 'publish');
  const { w } = f;
  return step(db, c, now, f, 'publish', {
    set: { publishedAt: now },
    tell: () => ({
      userIds: [w.submittedBy],
      title: '心愿已发布',
      body: `心愿“${w.title}”已在心愿墙发布，等待爱心认领`,
    }),
  });
}

export async function rejectWish(db: Db, c: WishCaller, now: Date, id: string, reason: string) {
  const f = await findWish(db, c, id, now);
  allowed(f, 'reject');
  const { w } = f;
  return step(db, c, now, f, 'reject', {
    set: { rejectReason: reason },
    where: unclaimed(w.id),
    lost: '该心愿已有人认领或状态已变化，不能退回，请刷新后重试',
    note: reason,
    tell: () => ({
      userIds: [w.submittedBy],
      title: '心愿未通过',
      body: `您提交的心愿“${w.title}”未通过：${reason}`,
    }),
  });
}

export async function withdrawWish(db: Db, c: WishCaller, now: Date, id: string) {
  const f = await findWish(db, c, id, now);
  allowed(f, 'withdraw');
  const { w } = f;
  return step(db, c, now, f, 'withdraw', {
    where: unclaimed(w.id),
    lost: '该心愿已有人认领或状态已变化，不能撤回，请刷新后重试',
    tell: async (tx) => ({
      userIds: await wishStaff(tx, w.regionPath),
      title: '心愿已撤回',
      body: `心愿“${w.title}”已由提交人撤回`,
    }),
  });
}

/** The submitter, or the beneficiary's station staff, confirms a fulfilled wish. */
export async function confirmWish(db: Db, c: WishCaller, now: Date, id: string) {
  const f = await findWish(db, c, id, now);
  allowed(f, 'confirm');
  const { w } = f;
  return step(db, c, now, f, 'confirm', {
    set: { confirmedAt: now },
    tell: async (tx) => ({
      userIds: await liveClaimants(tx, w.id),
      title: '心愿已确认实现',
      body: `您认领的心愿“${w.title}”已确认实现，感谢您的爱心！`,
    }),
  });
}

// ---------- claims ----------

/**
 * One-to-one: the first claimant wins (a conditional update on state 'published'), the others get 409.
 * Many-to-one: each claim adds its share with a conditional `claimed_value + amount <= value`; the wish is
 * `claimed` once the value is covered.
 */
export async function claimWish(db: Db, c: WishCaller, now: Date, id: string, amount?: number) {
  const f = await findWish(db, c, id, now);
  const { w } = f;
  if (w.state === 'claimed' && !f.claim) throw new AppError('INVALID_TRANSITION', '该心愿已被认领');
  if (w.submittedBy === c.userId) throw forbidden('不能认领自己提交的心愿');
  if (f.claim) throw duplicate('您已认领过该心愿', 'id');
  allowed(f, 'claim');
  const remaining = Math.round((money(w.value) - money(w.claimedValue)) * 100) / 100;
  let share: number;
  if (w.claimMode === 'single') share = money(w.value);
  else {
    share = amount ?? remaining;
    if (share > remaining + 1e-9) throw invalid('amount', `认领金额不能超过剩余的 ${fmt(remaining)} 元`);
  }
  const shareText = share.toFixed(2);
  return db.transaction(async (tx) => {
    const cond =
      w.claimMode === 'single'
        ? and(eq(wishes.id, w.id), eq(wishes.state, 'published'), eq(wishes.claimMode, 'single'))
        : and(
            eq(wishes.id, w.id),
            eq(wishes.state, 'published'),
            sql`${wishes.claimedValue} + ${shareText}::numeric <= ${wishes.value}`,
          );
    const [row] = await tx
      .update(wishes)
      .set({
        claimedValue: sql`${wishes.claimedValue} + ${shareText}::numeric`,
        state: sql`case when ${wishes.claimedValue} + ${shareText}::numeric >= ${wishes.value} then 'claimed'
          else 'published' end`,
        updatedAt: now,
      })
      .where(cond)
      .returning();
    if (!row) {
      throw new AppError(
        'INVALID_TRANSITION',
        w.claimMode === 'single' ? '该心愿已被他人认领' : '认领金额超过了剩余金额（他人刚刚认领），请刷新后重试',
        [{ path: w.claimMode === 'single' ? 'id' : 'amount', message: '已被认领' }],
      );
    }
    const inserted = await tx
      .insert(wishClaims)
      .values({
        wishId: w.id,
        claimantType: c.volunteerId ? 'volunteer' : 'person',
        claimantName: c.volunteerName ?? c.actor.name,
        userId: c.userId,
        volunteerId: c.volunteerId,
        amount: shareText,
        state: 'active',
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!inserted.length) throw duplicate('您已认领过该心愿', 'id');
    const covered = row.state === 'claimed';
    await addEvent(tx, {
      entity: 'wish',
      entityId: w.id,
      action: 'claim',
      from: 'published',
      to: row.state,
      actor: c.actor,
      at: now,
      note:
        w.claimMode === 'multi' ? `认领 ${fmt(share)} 元，累计 ${fmt(row.claimedValue)} / ${fmt(row.value)} 元` : '',
      data: { claimId: inserted[0].id, amount: share },
    });
    await notify(tx, {
      countyCode: w.countyCode,
      userIds: [w.submittedBy, ...(covered ? await wishStaff(tx, w.regionPath) : [])].filter((u) => u !== c.userId),
      kind: 'wish.claimed',
      title: covered ? '心愿已被认领' : '心愿有了新的认领',
      body:
        `${c.volunteerName ?? c.actor.name}认领了心愿“${w.title}”` +
        (w.claimMode === 'multi' ? `（${fmt(share)} 元，累计 ${fmt(row.claimedValue)} / ${fmt(row.value)} 元）` : ''),
      entity: 'wish',
      entityId: w.id,
      now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: w.countyCode },
      {
        action: 'wish.claim',
        entity: 'wish',
        entityId: w.id,
        before: { state: 'published', claimedValue: money(w.claimedValue) },
        after: { state: row.state, claimedValue: money(row.claimedValue) },
        detail: { claimId: inserted[0].id, amount: share },
      },
    );
    return { wish: row, claim: inserted[0] };
  });
}

/**
 * A claimant takes back a claim not yet reported done (plans changed, cannot buy it after all). Their share returns
 * to the wish, which goes back on the wall (`published`) if it was fully claimed, so someone else can take it; the
 * claim row stays, `withdrawn`, and the same person may claim again later. The submitter is told, and the
 * station/institute staff too when the wish was fully claimed. The wish row is locked first, as by every claim
 * writer, so a withdrawal and a fulfilment or a new share cannot interleave.
 */
export async function withdrawClaim(db: Db, c: WishCaller, now: Date, id: string, reason?: string) {
  const why = reason?.trim() ?? '';
  return db.transaction(async (tx) => {
    const f = await findWish(tx, c, id, now, { lock: true });
    const { w, claim } = f;
    if (!claim) throw notFound('认领记录');
    if (claim.state === 'fulfilled') throw new AppError('INVALID_TRANSITION', '您已提交实现情况，不能再取消认领');
    allowed(f, 'unclaim');
    await tx.update(wishClaims).set({ state: 'withdrawn' }).where(eq(wishClaims.id, claim.id));
    const [row] = await tx
      .update(wishes)
      .set({
        claimedValue: sql`greatest(${wishes.claimedValue} - ${claim.amount}::numeric, 0)`,
        state: 'published',
        updatedAt: now,
      })
      .where(eq(wishes.id, w.id))
      .returning();
    const share = w.claimMode === 'multi' ? `（${fmt(claim.amount)} 元）` : '';
    await addEvent(tx, {
      entity: 'wish',
      entityId: w.id,
      action: 'unclaim',
      from: w.state,
      to: row.state,
      actor: c.actor,
      at: now,
      data: { claimId: claim.id, amount: money(claim.amount) },
      note: [`${claim.claimantName}取消了认领${share}`, why && `原因：${why}`].filter(Boolean).join('，'),
    });
    const reopened = w.state === 'claimed';
    await notify(tx, {
      countyCode: w.countyCode,
      userIds: [w.submittedBy, ...(reopened ? await wishStaff(tx, w.regionPath) : [])].filter((u) => u !== c.userId),
      kind: 'wish.unclaimed',
      title: reopened ? '心愿重新开放认领' : '心愿有人取消认领',
      body:
        `${claim.claimantName}取消了对心愿“${w.title}”的认领${share}` +
        `${why ? `，原因：${why}` : ''}${reopened ? '，心愿已重新在心愿墙开放认领' : ''}`,
      entity: 'wish',
      entityId: w.id,
      now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: w.countyCode },
      {
        action: 'wish.unclaim',
        entity: 'wish',
        entityId: w.id,
        before: { state: w.state, claimedValue: money(w.claimedValue) },
        after: { state: row.state, claimedValue: money(row.claimedValue) },
        detail: { claimId: claim.id, amount: money(claim.amount), ...(why ? { reason: why } : {}) },
      },
    );
    return row;
  });
}

/**
 * A claimant reports their part done with photos (files that exist). The wish is `fulfilled` when its value is
 * covered and every live claim is done; the wish row is locked first so two last claimants cannot both miss it.
 */
export async function fulfillWish(db: Db, c: WishCaller, now: Date, id: string, photoIds: string[]) {
  const unique = [...new Set(photoIds)];
  const found = unique.length
    ? await db
        .select({ id: files.id })
        .from(files)
        .where(and(inArray(files.id, unique), or(eq(files.countyCode, c.countyCode), sql`${files.countyCode} is null`)))
    : [];
  const missing = unique.filter((p) => !found.some((f) => f.id === p));
  if (!unique.length) throw invalid('photoIds', '请上传至少一张心愿实现的照片');
  if (missing.length) throw invalid('photoIds', `照片不存在，请重新上传（${missing.length} 张）`);
  return db.transaction(async (tx) => {
    const f = await findWish(tx, c, id, now, { lock: true });
    const { w, claim } = f;
    if (!claim) throw forbidden('只有认领人可以提交心愿实现情况');
    if (claim.state === 'fulfilled') throw new AppError('INVALID_TRANSITION', '您已提交过实现情况');
    allowed(f, 'fulfill');
    await tx.update(wishClaims).set({ state: 'fulfilled' }).where(eq(wishClaims.id, claim.id));
    const [{ open }] = await tx
      .select({ open: count() })
      .from(wishClaims)
      .where(and(eq(wishClaims.wishId, w.id), eq(wishClaims.state, 'active')));
    const done = w.state === 'claimed' && open === 0;
    const [row] = await tx
      .update(wishes)
      .set({
        photoIds: sql`${wishes.photoIds} || ${JSON.stringify(unique.filter((p) => !w.photoIds.includes(p)))}::jsonb`,
        ...(done ? { state: 'fulfilled' as const, fulfilledAt: now } : {}),
        updatedAt: now,
      })
      .where(eq(wishes.id, w.id))
      .returning();
    await addEvent(tx, {
      entity: 'wish',
      entityId: w.id,
      action: done ? 'fulfill' : 'fulfill_part',
      from: w.state,
      to: row.state,
      actor: c.actor,
      at: now,
      data: { claimId: claim.id, photoIds: unique },
      note: done ? '' : `${claim.claimantName}已完成认领的 ${fmt(claim.amount)} 元`,
    });
    await notify(tx, {
      countyCode: w.countyCode,
      userIds: [w.submittedBy, ...(done ? await wishStaff(tx, w.regionPath) : [])].filter((u) => u !== c.userId),
      kind: 'wish.fulfilled',
      title: done ? '心愿已实现，请确认' : '心愿认领人已完成',
      body: done
        ? `心愿“${w.title}”已实现，请核对照片并确认`
        : `${claim.claimantName}已完成心愿“${w.title}”中认领的部分`,
      entity: 'wish',
      entityId: w.id,
      now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: w.countyCode },
      {
        action: 'wish.fulfill',
        entity: 'wish',
        entityId: w.id,
        before: { state: w.state },
        after: { state: row.state },
        detail: { claimId: claim.id, photoIds: unique },
      },
    );
    return row;
  });
}

/** The sweep: published wishes past their deadline expire; the submitter and any claimants are told. */
export async function expireWishes(db: Db, now: Date) {
  const due = await db
    .select()
    .from(wishes)
    .where(and(eq(wishes.state, 'published'), lte(wishes.deadline, now)))
    .orderBy(asc(wishes.deadline))
    .limit(500);
  let expired = 0;
  for (const w of due) {
    const actor: Actor = { userId: null, name: '心愿到期检查', countyCode: w.countyCode };
    const done = await db
      .transaction((tx) =>
        runTransition(tx, {
          machine: wishMachine,
          table: wishes,
          record: w,
          action: 'expire',
          actor,
          now,
          set: { updatedAt: now },
          where: lte(wishes.deadline, now),
          tell: async (t) => ({
            userIds: [w.submittedBy, ...(await liveClaimants(t, w.id))],
            kind: 'wish.expired',
            title: '心愿已过期',
            body: `心愿“${w.title}”到截止时间仍未认领完成，已过期`,
          }),
        }),
      )
      .then(
        () => true,
        (e) => {
          if (e instanceof AppError && e.code === 'INVALID_TRANSITION') return false; // taken meanwhile
          throw e;
        },
      );
    if (done) expired++;
  }
  return { expired };
}

// ---------- reading ----------

const town = alias(regions, 'town');
const submitter = alias(users, 'submitter');
const columns = {
  w: wishes,
  regionName: regions.name,
  townName: town.name,
  submittedByName: submitter.name,
  claimCount: sql<number>`(select count(*)::int from wish_claims k
    where k.wish_id = "wishes"."id" and k.state <> 'withdrawn')`,
};
const baseQuery = (db: DbOrTx) =>
  db
    .select(columns)
    .from(wishes)
    .innerJoin(regions, eq(regions.code, wishes.regionCode))
    .leftJoin(town, eq(town.code, regions.parentCode))
    .leftJoin(submitter, eq(submitter.id, wishes.submittedBy));
type Row = {
  w: Wish;
  regionName: string;
  townName: string | null;
  submittedByName: string | null;
  claimCount: number | string;
};

/**
 * `full`: staff in scope and the submitter see the name and the masked phone; everyone else the consent-aware name and
 * no phone.
 */
function present(r: Row, full: boolean) {
  const w = r.w;
  const value = money(w.value);
  const claimed = money(w.claimedValue);
  const showPhotos = full || w.consentToPublish;
  return {
    id: w.id,
    title: w.title,
    description: w.description,
    value,
    claimedValue: claimed,
    remaining: Math.max(0, Math.round((value - claimed) * 100) / 100),
    claimMode: w.claimMode,
    claimModeName: claimModeLabels[w.claimMode],
    state: w.state,
    stateName: wishStateLabels[w.state],
    regionCode: w.regionCode,
    regionName: r.regionName,
    townName: r.townName,
    place: [r.townName, r.regionName].filter(Boolean).join(''),
    beneficiaryName: full || w.consentToPublish ? w.beneficiaryName : ANONYMOUS,
    consentToPublish: w.consentToPublish,
    ...(full
      ? {
          beneficiaryPhoneMasked: w.beneficiaryPhoneMasked,
          source: w.source,
          overCap: w.overCap,
          rejectReason: w.rejectReason,
          submittedByName: r.submittedByName,
        }
      : {}),
    photos: showPhotos
      ? w.photoIds.map((p) => ({
          id: p,
          url: full ? `/api/v1/files/${p}` : `/api/v1/public/wishes/${w.id}/photos/${p}`,
        }))
      : [],
    claimCount: Number(r.claimCount),
    deadline: w.deadline,
    publishedAt: w.publishedAt,
    fulfilledAt: w.fulfilledAt,
    confirmedAt: w.confirmedAt,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  };
}

const stateFilter = (states?: WishState[]) => (states?.length ? inArray(wishes.state, states) : sql`true`);

async function pageOf(
  db: DbOrTx,
  where: SQL | undefined,
  f: { page: number; pageSize: number },
  order: SQL[],
  full: (r: Row) => boolean,
) {
  const { rows, total } = await offsetPage(db, {
    from: wishes,
    rows: () => baseQuery(db),
    where,
    order,
    filter: f,
  });
  return { items: rows.map((r) => present(r, full(r))), total, page: f.page, pageSize: f.pageSize };
}

export type WishFilter = {
  state?: WishState[];
  regionCode?: string;
  q?: string;
  overCap?: boolean;
  page: number;
  pageSize: number;
  after?: string;
};
/** Newest first; the id breaks ties. */
const wishKeys: SortKey[] = [
  { column: wishes.createdAt, desc: true, type: 'timestamp' },
  { column: wishes.id, desc: true, type: 'uuid' },
];

async function regionFilter(db: DbOrTx, code?: string) {
  if (!code) return sql`true`;
  const r = await requireRegion(db, code);
  return sql`${wishes.regionPath} like ${escapeLike(r.path) + '%'}`;
}

/** The staff list is built from wishes, their claims (both bump 'wishes'), region and submitter names. */
export const wishesList: ListDef<WishFilter> = {
  name: 'wishes',
  groups: { county: ['wishes'], global: ['regions', 'user_names'] },
};

/** Staff list (`wish:manage`), in scope. */
export async function listWishes(
  lists: Lists,
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  f: WishFilter,
): Promise<ListAnswer> {
  return lists.page(wishesList, { scope, countyCode, filter: f }, async (knownTotal) => {
    const conds: SQL[] = [wishScope(scope), stateFilter(f.state), await regionFilter(db, f.regionCode)];
    if (f.q)
      conds.push(
        or(ilike(wishes.title, `%${escapeLike(f.q)}%`), ilike(wishes.beneficiaryName, `%${escapeLike(f.q)}%`))!,
      );
    if (f.overCap !== undefined) conds.push(eq(wishes.overCap, f.overCap));
    const { rows, total, nextCursor } = await keysetPage(db, {
      from: wishes,
      rows: (cursor) =>
        db
          .select({ ...columns, cursor })
          .from(wishes)
          .innerJoin(regions, eq(regions.code, wishes.regionCode))
          .leftJoin(town, eq(town.code, regions.parentCode))
          .leftJoin(submitter, eq(submitter.id, wishes.submittedBy)),
      where: and(...conds),
      keys: wishKeys,
      filter: f,
      knownTotal,
    });
    return { items: rows.map((r) => present(r, true)), total, nextCursor };
  });
}

/** Counts (and values) by state, in scope. */
export async function wishStats(db: DbOrTx, c: WishCaller, f: { regionCode?: string }) {
  const rows = await db
    .select({ state: wishes.state, n: count(), value: sql<string>`coalesce(sum(${wishes.value}), 0)` })
    .from(wishes)
    .where(and(wishScope(c.scope), await regionFilter(db, f.regionCode)))
    .groupBy(wishes.state);
  const byState = Object.fromEntries(wishStates.map((s) => [s, 0])) as Record<WishState, number>;
  for (const r of rows) byState[r.state] = r.n;
  return {
    total: rows.reduce((s, r) => s + r.n, 0),
    byState,
    items: wishStates.map((s) => ({
      state: s,
      stateName: wishStateLabels[s],
      count: byState[s],
      value: money(rows.find((r) => r.state === s)?.value ?? 0),
    })),
    overCapPending: Number(
      (
        await db
          .select({ n: count() })
          .from(wishes)
          .where(and(wishScope(c.scope), eq(wishes.overCap, true), eq(wishes.state, 'submitted')))
      )[0].n,
    ),
  };
}

/** `GET /me/wishes`: those I submitted and those I claimed. */
export async function myWishes(
  db: DbOrTx,
  c: WishCaller,
  f: { role?: 'submitted' | 'claimed'; state?: WishState[]; page: number; pageSize: number },
  now: Date,
) {
  const mineClaimed = exists(
    db
      .select({ x: sql`1` })
      .from(wishClaims)
      .where(
        and(eq(wishClaims.wishId, wishes.id), eq(wishClaims.userId, c.userId), sql`${wishClaims.state} <> 'withdrawn'`),
      ),
  );
  const who =
    f.role === 'submitted'
      ? eq(wishes.submittedBy, c.userId)
      : f.role === 'claimed'
        ? mineClaimed
        : or(eq(wishes.submittedBy, c.userId), mineClaimed)!;
  const page = await pageOf(
    db,
    and(who, stateFilter(f.state)),
    f,
    [desc(wishes.updatedAt), desc(wishes.id)],
    (r) => r.w.submittedBy === c.userId || isStaff(c, r.w),
  );
  const ids = page.items.map((i) => i.id);
  const [claims, rows] = ids.length
    ? await Promise.all([
        db
          .select()
          .from(wishClaims)
          .where(
            and(
              inArray(wishClaims.wishId, ids),
              eq(wishClaims.userId, c.userId),
              sql`${wishClaims.state} <> 'withdrawn'`,
            ),
          ),
        db.select().from(wishes).where(inArray(wishes.id, ids)),
      ])
    : [[], []];
  return {
    ...page,
    items: page.items.map((i) => {
      const k = claims.find((x) => x.wishId === i.id) ?? null;
      const { parties, ctx } = standing(
        c,
        rows.find((w) => w.id === i.id)!,
        k,
        i.claimCount,
        now,
      );
      return {
        ...i,
        mine: k ? ('claimed' as const) : ('submitted' as const),
        myClaim: k ? { id: k.id, amount: money(k.amount), state: k.state, createdAt: k.createdAt } : null,
        actions: actionsFor(wishMachine, i.state, parties, ctx),
      };
    }),
  };
}

/**
 * One wish. Staff in scope, the submitter and claimants see it whatever its state, with the timeline; anyone of the
 * county sees a wish on the wall (published and after) with the consent-aware name.
 */
export async function getWish(db: DbOrTx, c: WishCaller, id: string, now: Date) {
  const f = await findWish(db, c, id, now);
  const [r] = await baseQuery(db).where(eq(wishes.id, f.w.id));
  const w = r.w;
  const insider = f.parties.has('staff') || f.parties.has('submitter') || !!f.claim;
  const full = f.parties.has('staff') || f.parties.has('submitter');
  const [claims, events] = await Promise.all([
    db.select().from(wishClaims).where(eq(wishClaims.wishId, w.id)).orderBy(asc(wishClaims.createdAt)),
    insider ? timelineOf(db, wishMachine, w.id) : Promise.resolve([]),
  ]);
  return {
    ...present(r, full),
    claims: claims
      .filter((k) => insider || k.state !== 'withdrawn')
      .map((k) => ({
        id: k.id,
        claimantType: k.claimantType,
        claimantName: insider ? k.claimantName : publicClaimant(k.claimantType, k.claimantName),
        amount: money(k.amount),
        state: k.state,
        createdAt: k.createdAt,
      })),
    myClaim: f.claim ? { id: f.claim.id, amount: money(f.claim.amount), state: f.claim.state } : null,
    actions: actionsOf(f),
    events: events.map(({ data: _data, ...e }) => e),
  };
}

/** A fulfilment photo for the public wall: only of a wish on the wall whose beneficiary consented. */
export async function publicWishPhoto(db: DbOrTx, wishId: string, fileId: string) {
  const [row] = await db
    .select({ storageKey: files.storageKey, mime: files.mime })
    .from(wishes)
    .innerJoin(files, eq(files.id, fileId))
    .where(
      and(
        eq(wishes.id, wishId),
        inArray(wishes.state, ['published', 'claimed', 'fulfilled', 'confirmed']),
        eq(wishes.consentToPublish, true),
        sql`${wishes.photoIds} @> ${JSON.stringify([fileId])}::jsonb`,
      ),
    );
  if (!row || !row.mime.startsWith('image/')) throw new AppError('NOT_FOUND', '照片不存在或未公开');
  return row;
}

/** Units and teams are named in public; people (volunteers, 爱心人士) partly masked. */
const publicClaimant = (type: string, name: string) =>
  type === 'unit' || type === 'team' ? name : maskName(name.replace(/^爱心人士\s*/, ''));

/** The public wall (no sign-in): published, claimed and fulfilled wishes; a name only with consent; never a phone. */
export async function publicWall(
  db: DbOrTx,
  countyCode: string,
  f: { state?: (typeof publicStates)[number]; regionCode?: string; page: number; pageSize: number },
) {
  // 已实现 on the wall covers fulfilled and confirmed wishes alike
  const states: WishState[] =
    f.state === 'fulfilled' ? ['fulfilled', 'confirmed'] : f.state ? [f.state] : [...publicStates, 'confirmed'];
  const where = and(
    eq(wishes.countyCode, countyCode),
    inArray(wishes.state, states),
    await regionFilter(db, f.regionCode),
  );
  const page = await pageOf(
    db,
    where,
    f,
    [
      sql`case ${wishes.state} when 'published' then 0 when 'claimed' then 1 else 2 end`,
      desc(wishes.publishedAt),
      desc(wishes.id),
    ],
    () => false,
  );
  const claims = page.items.length
    ? await db
        .select({ wishId: wishClaims.wishId, name: wishClaims.claimantName, type: wishClaims.claimantType })
        .from(wishClaims)
        .where(
          and(
            inArray(
              wishClaims.wishId,
              page.items.map((i) => i.id),
            ),
            sql`${wishClaims.state} <> 'withdrawn'`,
          ),
        )
        .orderBy(asc(wishClaims.createdAt))
    : [];
  const [counts] = await db
    .select({
      published: sql<number>`count(*) filter (where ${wishes.state} = 'published')::int`,
      claimed: sql<number>`count(*) filter (where ${wishes.state} = 'claimed')::int`,
      fulfilled: sql<number>`count(*) filter (where ${wishes.state} in ('fulfilled', 'confirmed'))::int`,
    })
    .from(wishes)
    .where(eq(wishes.countyCode, countyCode));
  return {
    ...page,
    items: page.items.map((i) => ({
      ...i,
      claimants: claims.filter((k) => k.wishId === i.id).map((k) => publicClaimant(k.type, k.name)),
    })),
    counts: {
      published: Number(counts.published),
      claimed: Number(counts.claimed),
      fulfilled: Number(counts.fulfilled),
    },
  };
}
