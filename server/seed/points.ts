import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../platform/context.js';
import {
  activities,
  householdMembers,
  households,
  pointAccounts,
  pointAdjustments,
  pointAwardActivities,
  pointClaims,
  pointRules,
  regions,
  users,
  volunteers,
  workflowEvents,
} from '../db/schema/index.js';
import { writeAudit, type Actor } from '../platform/audit.js';
import { ensureDefaultPointCatalogue } from '../modules/points/rules.js';
import { postTransaction, systemAccountId, type Movement } from '../modules/points/ledger.js';
import { postActivityService } from '../modules/points/awards.js';
import { byDay, rng } from './random.js';
import { pointsCallerOf, type LocalStaff } from './staff.js';
import { approveClaim, objectToClaim, submitClaim } from '../modules/points/claims.js';

const DAY = 86400_000;
type ClaimRow = typeof pointClaims.$inferInsert;
type EventRow = typeof workflowEvents.$inferInsert;

/**
 * Points for the demo county: the default catalogue, household accounts with a year of posted claims (monthly
 * 评议 batches, some deductions), claims under notice and awaiting review, service points for recent activities,
 * a pending adjustment; the demo resident gets a household and, like the demo volunteers, a balance.
 */
export async function seedPoints(
  deps: Deps,
  countyCode: string,
  actor: Actor,
  log: (s: string) => void,
  staff: LocalStaff,
) {
  const db = deps.database.db;
  const now = deps.clock.now();
  const catalogue = await ensureDefaultPointCatalogue(db, countyCode, new Date(now.getTime() - 400 * DAY));
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(pointClaims)
    .where(eq(pointClaims.countyCode, countyCode));
  if (n > 0) return;
  const r = rng(Number(countyCode) + 6);
  const rules = await db
    .select()
    .from(pointRules)
    .where(and(eq(pointRules.countyCode, countyCode), eq(pointRules.active, true)))
    .orderBy(asc(pointRules.sort));
  const positive = rules.filter((x) => x.points > 0 && x.group !== 'service');
  const byName = (part: string) => rules.find((x) => x.name.includes(part)) ?? positive[0];
  const common = positive.filter((x) => x.category === 'basic');
  const rewards = positive.filter((x) => x.category === 'reward');
  const deductions = rules.filter((x) => x.points < 0);
  const userOf = async (phone: string) =>
    (
      await db
        .select({ id: users.id, name: users.name, regionCode: users.regionCode })
        .from(users)
        .where(eq(users.phoneHash, deps.crypto.lookupHash('phone', phone)))
    )[0];
  const station = await userOf('13800000004');
  const institute = await userOf('13800000002');
  const reviewer = institute?.id ?? null;
  // a household's claims are filed by its village's station and reviewed by its town's institute (评议小组)
  const regionOf = (path: string) => path.split('/').filter(Boolean).at(-1)!;
  const filer = (path: string) => staff.of(regionOf(path));
  const reviewerOf = (path: string) => staff.above(regionOf(path));

  // the demo residents live in households of their villages
  for (const phone of ['13800000007', '13800000008']) {
    const u = await userOf(phone);
    if (!u?.regionCode) continue;
    const [linked] = await db
      .select({ id: householdMembers.householdId })
      .from(householdMembers)
      .where(eq(householdMembers.userId, u.id));
    if (linked) continue;
    const [reg] = await db.select().from(regions).where(eq(regions.code, u.regionCode));
    const [h] = await db
      .insert(households)
      .values({
        countyCode,
        regionCode: reg.code,
        regionPath: reg.path,
        headName: u.name,
        address: `${reg.name}3组18号`,
        memberCount: 3,
        createdAt: new Date(now.getTime() - 420 * DAY),
      })
      .returning({ id: households.id });
    await db.insert(householdMembers).values({ householdId: h.id, userId: u.id });
  }
  const resident = await userOf('13800000007');
  const [residentHousehold] = resident
    ? await db
        .select({ id: householdMembers.householdId })
        .from(householdMembers)
        .where(eq(householdMembers.userId, resident.id))
    : [];

  // household accounts for most households (the demo resident's always)
  const all = await db
    .select({ id: households.id, path: households.regionPath })
    .from(households)
    .where(eq(households.countyCode, countyCode))
    .orderBy(asc(households.id));
  const chosen = all.filter((h) => h.id === residentHousehold?.id || r.chance(0.85));
  const opened = new Date(now.getTime() - 380 * DAY);
  await db.execute(sql`
    insert into point_accounts (county_code, type, owner_id, region_code, region_path, name, created_at)
    select county_code, 'household', id, region_code, region_path, head_name || '户', ${opened}
    from households where id = any(${sql.param(chosen.map((h) => h.id))}::uuid[])
    on conflict do nothing`);
  const accounts = await db
    .select({ id: pointAccounts.id, ownerId: pointAccounts.ownerId, path: pointAccounts.regionPath })
    .from(pointAccounts)
    .where(and(eq(pointAccounts.countyCode, countyCode), eq(pointAccounts.type, 'household')));
  const residentAccount = accounts.find((a) => a.ownerId === residentHousehold?.id);

  const claims: ClaimRow[] = [];
  const events: EventRow[] = [];
  const ev = (
    claimId: string,
    action: string,
    from: string | null,
    to: string,
    at: Date,
    who: { id: string | null; name: string },
    note = '',
    data?: Record<string, unknown>,
  ): EventRow => ({
    entity: 'point_claim',
    entityId: claimId,
    action,
    fromState: from,
    toState: to,
    actorUserId: who.id,
    actorName: who.name,
    note,
    data: data ?? null,
    at,
  });
  const balances = new Map<string, number>();
  let total = 0;

  // a year of monthly 评议: claims submitted during the month, approved, 5 days of notice, posted on the 1st of the next
  // month
  await db.transaction(async (tx) => {
    const issuance = await systemAccountId(tx, countyCode, 'issuance', opened);
    const deduction = await systemAccountId(tx, countyCode, 'deduction', opened);
    for (let m = 12; m >= 1; m--) {
      const postAt = new Date(now.getTime() - m * 30 * DAY);
      const plus: { acc: string; rule: (typeof rules)[number] }[] = [];
      const minus: { acc: string; rule: (typeof rules)[number] }[] = [];
      for (const a of accounts) {
        const isResident = a.id === residentAccount?.id;
        if (!isResident && !r.chance(0.45)) continue;
        const picks = isResident
          ? [byName('门前三包'), m % 3 === 0 ? byName('孝老爱亲') : byName('参加村集体活动')]
          : [r.pick(common)];
        if (!isResident && r.chance(0.05)) picks.push(r.pick(rewards));
        if (isResident && m === 6) picks.push(byName('文明家庭'));
        for (const rule of picks) plus.push({ acc: a.id, rule });
        if ((!isResident && r.chance(0.04)) || (isResident && m === 4))
          minus.push({ acc: a.id, rule: isResident ? byName('乱堆乱放') : r.pick(deductions) });
      }
      const posMoves: Movement[] = plus.map((p) => ({ debit: issuance, credit: p.acc, amount: p.rule.points }));
      const posted = await postTransaction(tx, {
        countyCode,
        kind: 'claim',
        memo: `${m} 个月前月度评议入账（${plus.length} 项申报）`,
        idempotencyKey: `seed-claims:+:${m}`,
        movements: posMoves,
        // the batch of the whole county is posted by the notice job, not by one person
        createdBy: null,
        approvedBy: null,
        now: postAt,
      });
      for (const p of plus) balances.set(p.acc, (balances.get(p.acc) ?? 0) + p.rule.points);
      // deductions never take a balance below zero (capped, as the post endpoint does)
      const negMoves: Movement[] = [];
      const capped = minus.map((p) => {
        const amount = Math.min(-p.rule.points, balances.get(p.acc) ?? 0);
        if (amount > 0) {
          negMoves.push({ debit: p.acc, credit: deduction, amount });
          balances.set(p.acc, (balances.get(p.acc) ?? 0) - amount);
        }
        return amount;
      });
      const negPosted = negMoves.length
        ? await postTransaction(tx, {
            countyCode,
            kind: 'claim',
            memo: `${m} 个月前月度评议扣分`,
            idempotencyKey: `seed-claims:-:${m}`,
            movements: negMoves,
            createdBy: null,
            approvedBy: null,
            now: postAt,
          })
        : null;
      total += posMoves.length + negMoves.length;
      const submitted = new Date(postAt.getTime() - 20 * DAY);
      const approved = new Date(postAt.getTime() - 6 * DAY);
      const noticeEnd = new Date(approved.getTime() + 5 * DAY);
      const add = (acc: string, rule: (typeof rules)[number], transactionId: string | null, booked: number) => {
        const id = crypto.randomUUID();
        const at = new Date(submitted.getTime() + r.int(0, 10) * DAY);
        const path = accounts.find((a) => a.id === acc)!.path;
        const [by, rev] = [filer(path), reviewerOf(path)];
        claims.push({
          id,
          countyCode,
          regionPath: path,
          accountId: acc,
          ruleId: rule.id,
          points: rule.points,
          note: '',
          evidenceFileIds: [],
          state: 'posted',
          noticeStartAt: approved,
          noticeEndAt: noticeEnd,
          reviewComment: '经村民代表评议，情况属实',
          transactionId,
          submittedBy: by.id,
          reviewedBy: rev.id,
          postedAt: postAt,
          createdAt: at,
          updatedAt: postAt,
        });
        events.push(
          ev(id, 'submit', null, 'submitted', at, by, ''),
          ev(id, 'approve', 'submitted', 'notice', approved, rev, '经村民代表评议，情况属实'),
          ev(
            id,
            'post',
            'notice',
            'posted',
            postAt,
            { id: null, name: '积分公示到期自动入账' },
            booked === rule.points
              ? `已入账 ${booked > 0 ? '+' : ''}${booked} 分`
              : `账户余额不足，实际扣 ${-booked} 分`,
          ),
        );
      };
      for (const p of plus) add(p.acc, p.rule, posted.transactionId, p.rule.points);
      minus.forEach((p, i) => add(p.acc, p.rule, capped[i] > 0 ? negPosted!.transactionId : null, -capped[i]));
    }

    for (let k = 0; k < claims.length; k += 500) await tx.insert(pointClaims).values(claims.slice(k, k + 500));
    for (let k = 0; k < events.length; k += 1000) await tx.insert(workflowEvents).values(events.slice(k, k + 1000));

    // one adjustment waiting for a second approver
    if (residentAccount && station) {
      const [adj] = await tx
        .insert(pointAdjustments)
        .values({
          countyCode,
          regionPath: residentAccount.path,
          accountId: residentAccount.id,
          amount: 20,
          reason: '补录去年重阳节照顾孤寡老人的积分（当时漏报）',
          state: 'pending',
          requestedBy: station.id,
          createdAt: new Date(now.getTime() - DAY),
        })
        .returning({ id: pointAdjustments.id });
      await tx.insert(workflowEvents).values({
        entity: 'point_adjustment',
        entityId: adj.id,
        action: 'request',
        fromState: null,
        toState: 'pending',
        actorUserId: station.id,
        actorName: station.name,
        note: '补录去年重阳节照顾孤寡老人的积分（当时漏报）',
        data: { amount: 20 },
        at: new Date(now.getTime() - DAY),
      });
    }
    await writeAudit(tx, actor, {
      action: 'points.import',
      entity: 'point_claim',
      detail: {
        rules: catalogue.rules,
        privileges: catalogue.privileges,
        accounts: accounts.length,
        claims: claims.length,
        movements: total,
        source: 'demo',
      },
    });
  });

  // under notice (objections possible) and waiting for review: filed by the village's station, reviewed by the town's
  // institute and objected to by a resident, through the claims service and its scope checks, as the API does
  const pending = r.sample(
    accounts.filter((a) => a.id !== residentAccount?.id),
    14,
  );
  const plain = (list: typeof rules) => list.filter((x) => !x.evidenceRequired);
  const live: { acc: string; rule: (typeof rules)[number]; state: 'notice' | 'submitted'; objected?: boolean }[] = [
    ...(residentAccount ? [{ acc: residentAccount.id, rule: byName('邻里互助'), state: 'notice' as const }] : []),
    ...pending.slice(0, 6).map((a) => ({ acc: a.id, rule: r.pick(plain(common)), state: 'notice' as const })),
    ...pending.slice(6, 8).map((a) => ({ acc: a.id, rule: r.pick(plain(deductions)), state: 'notice' as const })),
    ...pending.slice(8, 13).map((a) => ({ acc: a.id, rule: r.pick(plain(positive)), state: 'submitted' as const })),
    ...pending
      .slice(13)
      .map((a) => ({ acc: a.id, rule: byName('庭院整洁'), state: 'submitted' as const, objected: true })),
  ];
  const objector = resident ? await pointsCallerOf(db, countyCode, resident) : null;
  for (const [i, p] of live.entries()) {
    const at = new Date(now.getTime() - (3 + (i % 4)) * DAY);
    const approved = new Date(now.getTime() - (1 + (i % 3)) * DAY);
    const account = accounts.find((a) => a.id === p.acc)!;
    const by = await pointsCallerOf(db, countyCode, filer(account.path));
    const claim = await submitClaim(db, by, at, {
      accountType: 'household',
      accountId: account.ownerId!,
      ruleId: p.rule.id,
      note: p.rule.points < 0 ? '网格员巡查发现，已拍照留证' : '',
    });
    if (p.state === 'notice' || p.objected)
      await approveClaim(
        db,
        await pointsCallerOf(db, countyCode, reviewerOf(account.path)),
        approved,
        claim.id,
        '评议通过',
      );
    if (p.objected && objector)
      await objectToClaim(
        db,
        objector,
        new Date(approved.getTime() + DAY),
        claim.id,
        '他家门口的柴火堆还没清理，请再核实',
      );
  }

  // service points for the activities that ended in the last 60 days
  const recent = await db
    .select({
      id: activities.id,
      title: activities.title,
      countyCode: activities.countyCode,
      endAt: activities.endAt,
      regionPath: activities.regionPath,
    })
    .from(activities)
    .where(
      and(
        eq(activities.countyCode, countyCode),
        inArray(activities.state, ['ended', 'archived']),
        sql`${activities.endAt} > ${new Date(now.getTime() - 60 * DAY)}`,
        sql`not exists (select 1 from ${pointAwardActivities} p where p.activity_id = ${activities.id})`,
      ),
    )
    .orderBy(desc(activities.endAt))
    .limit(12);
  const serviceRule = rules.find((x) => x.group === 'service' && x.points > 0)?.id ?? null;
  let serviced = 0;
  for (const a of recent) {
    try {
      await db.transaction((tx) =>
        postActivityService(
          tx,
          a,
          serviceRule,
          actor,
          staff.above(regionOf(a.regionPath)).id,
          byDay(Math.min(a.endAt.getTime() + 3 * DAY, now.getTime() - 2 * 3600_000), now),
        ),
      );
      serviced++;
    } catch {
      /* an activity without credited hours */
    }
  }

  // the demo volunteers always have something to show
  const demoVols = await db
    .select({ id: volunteers.id, acc: pointAccounts.id, balance: pointAccounts.balance })
    .from(volunteers)
    .innerJoin(users, eq(users.id, volunteers.userId))
    .leftJoin(pointAccounts, and(eq(pointAccounts.type, 'volunteer'), eq(pointAccounts.ownerId, volunteers.id)))
    .where(
      inArray(
        users.phoneHash,
        ['13800000005', '13800000006'].map((p) => deps.crypto.lookupHash('phone', p)),
      ),
    );
  const labour = byName('义务劳动');
  await db.transaction(async (tx) => {
    const issuance = await systemAccountId(tx, countyCode, 'issuance', now);
    const moves: Movement[] = [];
    for (const v of demoVols) {
      let acc = v.acc;
      if (!acc) {
        await tx.execute(sql`insert into point_accounts
            (county_code, type, owner_id, region_code, region_path, name, created_at)
          select county_code, 'volunteer', id, region_code, region_path, name, ${opened}
          from volunteers where id = ${v.id} on conflict do nothing`);
        [{ id: acc }] = await tx
          .select({ id: pointAccounts.id })
          .from(pointAccounts)
          .where(and(eq(pointAccounts.type, 'volunteer'), eq(pointAccounts.ownerId, v.id)));
      }
      if (!moves.some((m) => m.credit === acc))
        moves.push({ debit: issuance, credit: acc!, amount: labour.points * 6 });
    }
    if (moves.length)
      await postTransaction(tx, {
        countyCode,
        kind: 'award',
        memo: `${labour.name}（全年 6 次）`,
        idempotencyKey: 'seed-demo-volunteers',
        ruleId: labour.id,
        movements: moves,
        createdBy: reviewer,
        approvedBy: reviewer,
        now: new Date(now.getTime() - 20 * DAY),
      });
  });
  log(
    `积分：规则 ${rules.length} 条，户账户 ${accounts.length} 个，申报 ${claims.length} 条（入账流水 ${total} 条），` +
      `${serviced} 个活动发放服务积分，1 条调整待复核`,
  );
}
