import { and, asc, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../platform/context.js';
import type { Tx } from '../db/client.js';
import {
  householdMembers,
  pointAccounts,
  regions,
  roleAssignments,
  shopGoods,
  users,
  volunteers,
  wishClaims,
  wishes,
  workflowEvents,
  type wishStates,
} from '../db/schema/index.js';
import { writeAudit, type Actor } from '../platform/audit.js';
import { maskPhone } from '../platform/crypto.js';
import type { Permission } from '../platform/permissions.js';
import { postTransaction, systemAccountId, ownerAccount } from '../modules/points/ledger.js';
import { cancelRedemption, handout, redeem, type ShopCaller } from '../modules/shop/service.js';
import { demoName } from './demo.js';
import { byDay, rng } from './random.js';
import { demoPhoto } from './files.js';

const DAY = 86400_000;
type WishState = (typeof wishStates)[number];

/** Goods a village shop stocks: name, points, funding source. */
const catalogue: [string, number, string, string][] = [
  ['大米 10kg', 120, '村集体经济', '本地优质稻米'],
  ['面粉 5kg', 60, '村集体经济', '高筋小麦粉'],
  ['食用油 5L', 150, '爱心企业', '非转基因压榨菜籽油'],
  ['洗衣液 2kg', 40, '爱心企业', ''],
  ['毛巾（两条装）', 20, '乡贤捐赠', '纯棉'],
  ['牙膏牙刷套装', 15, '乡贤捐赠', ''],
  ['学生文具套装', 30, '乡贤捐赠', '笔袋、铅笔、橡皮、尺子、作业本'],
  ['酱油醋组合', 25, '村集体经济', ''],
  ['洗洁精', 10, '爱心企业', ''],
  ['保温水壶', 80, '爱心企业', '2L 大容量'],
  ['电饭煲', 200, '乡贤捐赠', '3L，适合 2–4 人'],
  ['雨伞', 35, '村集体经济', ''],
  ['挂面 2kg', 18, '村集体经济', ''],
  ['香皂（三块装）', 12, '爱心企业', ''],
  ['抽纸（一提）', 25, '爱心企业', '10 包装'],
  ['鸡蛋 30 枚', 45, '村集体经济', '本村散养土鸡蛋'],
];

/** Micro-wishes as villages collect them: title, value (元), what it is about, who it is for. */
const wishIdeas: [string, number, string, string][] = [
  ['想要一台收音机', 80, '老人眼睛不好，想听戏曲和新闻广播', '独居老人'],
  ['想要一副老花镜', 50, '看不清药盒上的字，想配一副老花镜', '独居老人'],
  ['想要一床厚棉被', 150, '家里的被子用了十几年，冬天不暖和', '困难家庭'],
  ['想要一个新书包', 60, '书包背带断了，缝了好几次', '留守儿童'],
  ['想要一套课外读物', 100, '喜欢看书，想要一套适合三年级的课外书', '留守儿童'],
  ['想要一双棉鞋', 80, '冬天脚冷，想要一双暖和的棉鞋', '独居老人'],
  ['想要一台电暖器', 200, '屋里冬天很冷，老人有关节炎', '困难家庭'],
  ['想要一辆儿童自行车', 300, '上学路远，想骑自行车上学', '留守儿童'],
  ['想要一件羽绒服', 200, '正在长个子，去年的衣服穿不下了', '留守儿童'],
  ['想要一个电饭煲', 150, '家里的电饭煲坏了', '困难家庭'],
  ['想要一盏护眼台灯', 90, '晚上写作业光线不好', '留守儿童'],
  ['想要一套学习桌椅', 350, '一直趴在床边写作业', '留守儿童'],
  ['希望有人陪老人过一次生日', 100, '老伴去世后一直一个人过生日', '独居老人'],
  ['想要一部老年手机', 260, '想能随时给在外打工的儿子打电话', '独居老人'],
  ['想要一把新二胡', 400, '村里文艺队的老队员，二胡已经拉坏了', '文艺爱好者'],
  ['想要一套象棋和棋盘', 40, '想和邻居们下棋解闷', '独居老人'],
  ['想要一个血压计', 180, '有高血压，想在家每天量一量', '慢病老人'],
  ['想要一套篮球和球衣', 260, '村小学篮球队想要新球和统一的球衣', '留守儿童'],
  ['想要一台助听器', 1200, '听力下降严重，和家人交流困难', '残疾人'],
  ['希望修缮漏雨的屋顶', 900, '雨天屋里漏水，老人住着不安全', '困难家庭'],
  ['想要一台轮椅', 680, '腿脚不便，出门需要轮椅', '残疾人'],
];
const multiIdeas: [string, number, string, string][] = [
  ['为留守儿童之家添置图书', 480, '儿童之家书架空了一半，希望添置一批绘本和科普书', '留守儿童'],
  ['为敬老院添置一台洗衣机', 450, '敬老院的洗衣机坏了，护理员每天手洗床单', '敬老院老人'],
  ['为村小学添置体育器材', 400, '跳绳、足球、羽毛球拍都不够用', '留守儿童'],
  ['为老年活动室添置取暖器', 300, '冬天活动室太冷，老人们不愿意来', '村里老人'],
];
const units = [
  '县供电公司党支部',
  '县农商银行志愿服务队',
  '新集镇中心学校教师志愿队',
  '县人民医院青年志愿者',
  '爱心企业 豫南茶业',
];

/**
 * The points shop and the micro-wishes of the demo county: goods at the center, the institutes and a few stations
 * (funded by 乡贤捐赠、村集体经济、爱心企业), redemptions in every state through the shop's own commands (so the
 * ledger stays whole), and ~60 wishes across the county in every state with their claims and timelines.
 */
export async function seedShopWishes(deps: Deps, countyCode: string, actor: Actor, log: (s: string) => void) {
  const db = deps.database.db;
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(shopGoods)
    .where(eq(shopGoods.countyCode, countyCode));
  if (n > 0) return;
  const r = rng(Number(countyCode) + 9);
  const now = deps.clock.now();
  const all = await db.select().from(regions).where(eq(regions.countyCode, countyCode)).orderBy(asc(regions.code));
  const county = all.find((x) => x.level === 'county')!;
  const towns = all.filter((x) => x.level === 'town');
  const villages = all.filter((x) => x.level === 'village');
  const userOf = async (phone: string) =>
    (
      await db
        .select({ id: users.id, name: users.name, regionCode: users.regionCode })
        .from(users)
        .where(eq(users.phoneHash, deps.crypto.lookupHash('phone', phone)))
    )[0];
  const [countyAdmin, xinjiAdmin, shawoAdmin, , v1, v2, resident, shawoResident] = await Promise.all(
    [
      '13800000001',
      '13800000002',
      '13800000003',
      '13800000004',
      '13800000005',
      '13800000006',
      '13800000007',
      '13800000008',
    ].map(userOf),
  );

  // ---------- goods ----------
  const firstVillage = (townCode: string) => villages.find((v) => v.parentCode === townCode);
  const places = [
    {
      region: county,
      items: r.sample(
        catalogue.filter((c) => c[1] >= 80),
        3,
      ),
    },
    ...towns.slice(0, 6).map((t) => ({ region: t, items: r.sample(catalogue, r.int(5, 7)) })),
    ...[towns[0], towns[1], towns[0], towns[2]].map((t, i) => ({
      region:
        i === 2 ? (villages.filter((v) => v.parentCode === t.code)[2] ?? firstVillage(t.code)!) : firstVillage(t.code)!,
      items: r.sample(
        catalogue.filter((c) => c[1] <= 60),
        r.int(3, 4),
      ),
    })),
  ].filter((p) => p.region);
  const goodsRows = places.flatMap((p) =>
    p.items.map(([name, points, fundingSource, description]) => ({
      countyCode,
      regionCode: p.region.code,
      regionPath: p.region.path,
      name,
      points,
      description,
      fundingSource: p.region.level === 'county' && fundingSource === '村集体经济' ? '爱心企业' : fundingSource,
      stock: r.chance(0.08) ? 0 : r.int(8, 60),
      active: true,
      createdBy: countyAdmin?.id ?? null,
      createdAt: new Date(now.getTime() - r.int(60, 200) * DAY),
      updatedAt: new Date(now.getTime() - r.int(1, 50) * DAY),
    })),
  );
  goodsRows[goodsRows.length - 1].active = false; // one goods taken off the shelf
  const goods = await db.transaction(async (tx) => {
    const out = await tx.insert(shopGoods).values(goodsRows).returning();
    await writeAudit(tx, actor, { action: 'shop.goods.import', entity: 'shop_goods', detail: { count: out.length } });
    return out;
  });

  // ---------- redemptions, through the shop's commands ----------
  const perms = new Set<Permission>(['shop:manage', 'shop:handout', 'shop:redeem']);
  const staff = (u: typeof countyAdmin, path: string): ShopCaller => ({
    actor: { userId: u?.id ?? null, name: u?.name ?? '县文明实践中心', countyCode },
    userId: u?.id ?? '00000000-0000-0000-0000-000000000000',
    countyCode,
    regionCode: null,
    scope: { userId: u?.id ?? '', all: false, subtrees: [path], regions: [], self: false },
    permissions: perms,
    volunteerId: null,
    householdIds: [],
  });
  const keeper = (path: string) =>
    path.includes(`/${towns[0].code}/`)
      ? staff(xinjiAdmin, towns[0].path)
      : path.includes(`/${towns[1].code}/`)
        ? staff(shawoAdmin, towns[1].path)
        : staff(countyAdmin, county.path);
  const issuance = async (tx: Tx) => systemAccountId(tx, countyCode, 'issuance', now);
  /** The demo owners get enough points to show the shop (a clearly labelled demo award). */
  const topUp = async (type: 'household' | 'volunteer', ownerId: string, atLeast: number) => {
    await db.transaction(async (tx) => {
      const acct = await ownerAccount(tx, type, ownerId, now);
      if (acct.balance >= atLeast) return;
      await postTransaction(tx, {
        countyCode,
        kind: 'award',
        memo: '演示数据：积分超市体验积分',
        movements: [{ debit: await issuance(tx), credit: acct.id, amount: atLeast - acct.balance }],
        createdBy: null,
        now: new Date(now.getTime() - 70 * DAY),
      });
    });
  };
  const owners: { type: 'household' | 'volunteer'; ownerId: string; path: string; demo: boolean; balance: number }[] =
    [];
  const [residentHh] = resident
    ? await db
        .select({ id: householdMembers.householdId })
        .from(householdMembers)
        .where(eq(householdMembers.userId, resident.id))
    : [];
  const demoVols = await db
    .select({ id: volunteers.id, path: volunteers.regionPath, userId: volunteers.userId, name: volunteers.name })
    .from(volunteers)
    .where(
      inArray(
        volunteers.userId,
        [v1?.id, v2?.id].filter((x): x is string => !!x),
      ),
    );
  if (residentHh) {
    await topUp('household', residentHh.id, 400);
    owners.push({
      type: 'household',
      ownerId: residentHh.id,
      path: (await ownerAccount(db, 'household', residentHh.id, now)).regionPath,
      demo: true,
      balance: 400,
    });
  }
  for (const v of demoVols) {
    await topUp('volunteer', v.id, 300);
    owners.push({ type: 'volunteer', ownerId: v.id, path: v.path, demo: true, balance: 300 });
  }
  const rich = await db
    .select({ ownerId: pointAccounts.ownerId, path: pointAccounts.regionPath, balance: pointAccounts.balance })
    .from(pointAccounts)
    .where(
      and(
        eq(pointAccounts.countyCode, countyCode),
        eq(pointAccounts.type, 'household'),
        gte(pointAccounts.balance, 30),
      ),
    )
    .orderBy(desc(pointAccounts.balance))
    .limit(60);
  for (const h of rich)
    if (h.ownerId && h.ownerId !== residentHh?.id)
      owners.push({ type: 'household', ownerId: h.ownerId, path: h.path, demo: false, balance: h.balance });

  const counts = { reserved: 0, handed_out: 0, cancelled: 0 };
  const plan: ('reserved' | 'handed_out' | 'cancelled')[] = [];
  for (const o of owners)
    plan.push(
      ...(o.demo
        ? (['handed_out', 'reserved', 'cancelled'] as const)
        : ([r.chance(0.6) ? 'handed_out' : r.chance(0.75) ? 'reserved' : 'cancelled'] as const)),
    );
  let i = 0;
  for (const o of owners) {
    const mine = o.demo ? 3 : 1;
    for (let k = 0; k < mine; k++, i++) {
      const want = plan[i];
      const near = goods.filter(
        (g) => g.active && g.stock > 2 && o.path.startsWith(g.regionPath) && g.points * 2 <= o.balance,
      );
      if (!near.length) continue;
      const g = r.pick(near);
      const quantity = g.points <= 20 && r.chance(0.4) ? 2 : 1;
      const age = want === 'reserved' ? r.int(0, 6) : r.int(5, 60);
      const at = byDay(now.getTime() - age * DAY - r.int(1, 8) * 3600_000, now);
      const k1 = keeper(g.regionPath);
      try {
        const res = await redeem(db, k1, at, { goodsId: g.id, quantity, accountType: o.type, accountId: o.ownerId });
        g.stock -= quantity;
        if (want !== 'cancelled') o.balance -= res.points;
        if (want === 'handed_out')
          await handout(db, k1, byDay(at.getTime() + r.int(1, 4) * DAY, now), res.id, res.pickupCode);
        if (want === 'cancelled') {
          await cancelRedemption(
            db,
            k1,
            byDay(at.getTime() + r.int(1, 3) * 3600_000, now),
            res.id,
            r.pick(['群众临时有事，改日再兑换', '想换成其他商品', '重复兑换']),
          );
          g.stock += quantity;
        }
        counts[want]++;
      } catch (e) {
        // not enough points for this one: the next owner tries
        if (process.env.SEED_DEBUG) console.log('redeem failed', (e as Error).message);
      }
    }
  }
  log(
    `积分超市：${goods.length} 种商品，兑换 ${counts.reserved + counts.handed_out + counts.cancelled} 笔` +
      `（待领取 ${counts.reserved}、已领取 ${counts.handed_out}、已取消 ${counts.cancelled}）`,
  );

  // ---------- wishes ----------
  const photoIds: string[] = [];
  for (const colour of [
    [214, 120, 80],
    [90, 150, 200],
    [120, 170, 90],
    [200, 160, 70],
  ] as [number, number, number][])
    photoIds.push(
      await demoPhoto(deps, {
        countyCode,
        ownerId: v1?.id ?? null,
        at: now.getTime() - 30 * DAY,
        name: '心愿实现照片',
        colour,
      }),
    );
  const staffRows = await db
    .select({
      userId: roleAssignments.userId,
      region: roleAssignments.regionCode,
      role: roleAssignments.roleCode,
      name: users.name,
    })
    .from(roleAssignments)
    .innerJoin(users, eq(users.id, roleAssignments.userId))
    .where(inArray(roleAssignments.roleCode, ['station_admin', 'institute_admin', 'county_admin']));
  const manager = (path: string) => {
    const [, town, village] = path.split('/').filter(Boolean);
    const s =
      staffRows.find((x) => x.role === 'station_admin' && x.region === village) ??
      staffRows.find((x) => x.role === 'institute_admin' && x.region === town);
    const t = towns.find((x) => x.code === town);
    return s ? { id: s.userId, name: s.name } : { id: null, name: `${t?.name ?? ''}文明实践所` };
  };
  const countyActor = { id: countyAdmin?.id ?? null, name: countyAdmin?.name ?? '县文明实践中心' };
  const otherVols = await db
    .select({ id: volunteers.id, name: volunteers.name, userId: volunteers.userId, path: volunteers.regionPath })
    .from(volunteers)
    .where(and(eq(volunteers.countyCode, countyCode), sql`${volunteers.userId} is null`))
    .orderBy(asc(volunteers.id))
    .limit(60);
  type Claimant = {
    type: 'volunteer' | 'unit' | 'person';
    name: string;
    userId: string | null;
    volunteerId: string | null;
  };
  const li = demoVols.find((v) => v.userId === v1?.id);
  const zhang = demoVols.find((v) => v.userId === v2?.id);
  const liC: Claimant | null = li ? { type: 'volunteer', name: li.name, userId: li.userId, volunteerId: li.id } : null;
  const zhangC: Claimant | null = zhang
    ? { type: 'volunteer', name: zhang.name, userId: zhang.userId, volunteerId: zhang.id }
    : null;
  const someone = (): Claimant => {
    const roll = r.next();
    if (roll < 0.55 && otherVols.length) {
      const v = r.pick(otherVols);
      return { type: 'volunteer', name: v.name, userId: null, volunteerId: v.id };
    }
    if (roll < 0.85) return { type: 'unit', name: r.pick(units), userId: null, volunteerId: null };
    return { type: 'person', name: `爱心人士 ${demoName(r).slice(0, 1)}先生`, userId: null, volunteerId: null };
  };

  // the states of ~60 wishes; 李志愿 (13800000005) claims in several
  const states: WishState[] = [
    ...Array<WishState>(5).fill('submitted'),
    ...Array<WishState>(5).fill('verified'),
    ...Array<WishState>(13).fill('published'),
    ...Array<WishState>(8).fill('claimed'),
    ...Array<WishState>(7).fill('fulfilled'),
    ...Array<WishState>(13).fill('confirmed'),
    ...Array<WishState>(3).fill('rejected'),
    ...Array<WishState>(2).fill('withdrawn'),
    ...Array<WishState>(3).fill('expired'),
  ];
  const xinjiVillages = villages.filter((v) => v.parentCode === towns[0].code);
  const shawoVillages = villages.filter((v) => v.parentCode === towns[1].code);
  const wishRows: (typeof wishes.$inferInsert)[] = [];
  const claimRows: Omit<typeof wishClaims.$inferInsert, 'wishId'>[][] = [];
  const eventRows: Omit<typeof workflowEvents.$inferInsert, 'entityId'>[][] = [];
  const pickVillage = (k: number) =>
    k % 3 === 0 ? r.pick(xinjiVillages) : k % 3 === 1 ? r.pick(shawoVillages) : r.pick(villages);
  const cap = 500;
  const overCapPending = 3;
  let liClaims = 0;
  states.forEach((state, k) => {
    // three over the cap wait for the county; two more were approved by it
    const overPending = state === 'submitted' && k < overCapPending;
    const overApproved = (state === 'published' && k === 10) || (state === 'confirmed' && k === 40);
    const multi =
      !overPending && (state === 'published' || state === 'claimed' || state === 'confirmed') && k % 4 === 0;
    const big = wishIdeas.filter((x) => x[1] > cap);
    const small = wishIdeas.filter((x) => x[1] <= cap);
    const [title, value, description, who] =
      overPending || overApproved
        ? big[k % big.length]
        : multi
          ? multiIdeas[k % multiIdeas.length]
          : small[(k * 7) % small.length];
    const region =
      k === 5 || k === 20 || k === 35
        ? (villages.find((v) => v.code === resident?.regionCode) ?? pickVillage(k))
        : k === 6
          ? (villages.find((v) => v.code === shawoResident?.regionCode) ?? pickVillage(k))
          : pickVillage(k);
    const byResident = k === 5 || k === 20 || k === 35 || k === 6;
    const submitter = byResident ? (k === 6 ? shawoResident : resident) : null;
    const mgr = manager(region.path);
    const source = byResident ? ('resident' as const) : r.chance(0.4) ? ('grid' as const) : ('staff' as const);
    const created = byDay(
      now.getTime() -
        (state === 'submitted'
          ? r.int(0, 5)
          : state === 'verified'
            ? r.int(3, 10)
            : state === 'published'
              ? r.int(8, 30)
              : r.int(20, 200)) *
          DAY -
        r.int(1, 10) * 3600_000,
      now,
    );
    const step = (d: number) => byDay(Math.min(now.getTime() - 3600_000, created.getTime() + d * DAY), now);
    const beneficiaryName =
      who === '敬老院老人'
        ? `${region.name}敬老院`
        : who === '村里老人' || (who === '留守儿童' && multi)
          ? `${region.name}${who === '村里老人' ? '老年活动室' : '儿童之家'}`
          : byResident
            ? (submitter?.name ?? demoName(r))
            : demoName(r);
    const phone = r.chance(0.5) && !multi ? `13${r.int(5, 9)}${String(r.int(0, 99999999)).padStart(8, '0')}` : null;
    const events: Omit<typeof workflowEvents.$inferInsert, 'entityId'>[] = [];
    const ev = (
      action: string,
      from: WishState | null,
      to: WishState,
      at: Date,
      by: { id: string | null; name: string },
      note = '',
    ) =>
      events.push({
        entity: 'wish',
        action,
        fromState: from,
        toState: to,
        actorUserId: by.id,
        actorName: by.name,
        note,
        at,
      });
    const submittedBy = submitter
      ? { id: submitter.id, name: submitter.name }
      : source === 'grid'
        ? { id: null, name: `${region.name}网格员` }
        : mgr;
    ev(
      'submit',
      null,
      'submitted',
      created,
      submittedBy,
      overPending || overApproved ? `金额 ${value} 元超过上限 ${cap} 元，须县级中心审批` : '',
    );
    const claims: Omit<typeof wishClaims.$inferInsert, 'wishId'>[] = [];
    let claimedValue = 0;
    let publishedAt: Date | null = null;
    let fulfilledAt: Date | null = null;
    let confirmedAt: Date | null = null;
    let deadline: Date | null = null;
    let rejectReason: string | null = null;
    const reached = (s: WishState) =>
      states.indexOf(s) >= 0 &&
      ['verified', 'published', 'claimed', 'fulfilled', 'confirmed', 'expired'].includes(state) &&
      order(state) >= order(s);
    if (reached('verified'))
      ev(
        'verify',
        'submitted',
        'verified',
        step(1),
        overApproved ? countyActor : mgr,
        overApproved ? '超过金额上限，县级中心审批通过' : '',
      );
    if (reached('published')) {
      publishedAt = step(2);
      ev('publish', 'verified', 'published', publishedAt, mgr);
      deadline =
        state === 'expired'
          ? step(14)
          : state === 'published'
            ? new Date(now.getTime() + r.int(10, 45) * DAY)
            : r.chance(0.5)
              ? new Date(publishedAt.getTime() + 30 * DAY)
              : null;
    }
    const wantLi =
      liC &&
      liClaims < 7 &&
      (state === 'claimed' || state === 'fulfilled' || state === 'confirmed' || (state === 'published' && multi)) &&
      k % 3 !== 2;
    if (reached('claimed') || (state === 'published' && multi && k % 8 === 0)) {
      if (!multi) {
        const c = wantLi ? liC! : k % 5 === 1 && zhangC ? zhangC : someone();
        if (wantLi) liClaims++;
        claims.push({
          claimantType: c.type,
          claimantName: c.name,
          userId: c.userId,
          volunteerId: c.volunteerId,
          amount: value.toFixed(2),
          state: state === 'claimed' ? 'active' : 'fulfilled',
          createdAt: step(3),
        });
        claimedValue = value;
        ev('claim', 'published', 'claimed', step(3), { id: c.userId, name: c.name });
      } else {
        const covered = state !== 'published';
        const shares = covered
          ? [
              Math.round(value * 0.4),
              Math.round(value * 0.35),
              value - Math.round(value * 0.4) - Math.round(value * 0.35),
            ]
          : [Math.round(value * 0.3)];
        const people = [
          wantLi ? liC! : someone(),
          zhangC ?? someone(),
          { type: 'unit' as const, name: units[k % units.length], userId: null, volunteerId: null },
        ];
        if (wantLi) liClaims++;
        shares.forEach((amount, j) => {
          claimedValue += amount;
          const c = people[j];
          claims.push({
            claimantType: c.type,
            claimantName: c.name,
            userId: c.userId,
            volunteerId: c.volunteerId,
            amount: amount.toFixed(2),
            state: state === 'claimed' || state === 'published' ? 'active' : 'fulfilled',
            createdAt: step(3 + j),
          });
          ev(
            'claim',
            'published',
            covered && j === shares.length - 1 ? 'claimed' : 'published',
            step(3 + j),
            { id: c.userId, name: c.name },
            `认领 ${amount} 元，累计 ${claimedValue} / ${value} 元`,
          );
        });
      }
    }
    const photos: string[] = [];
    if (reached('fulfilled')) {
      fulfilledAt = step(8);
      photos.push(photoIds[k % photoIds.length], ...(r.chance(0.5) ? [photoIds[(k + 1) % photoIds.length]] : []));
      const last = claims.at(-1)!;
      ev('fulfill', 'claimed', 'fulfilled', fulfilledAt, { id: last.userId ?? null, name: last.claimantName });
    }
    if (state === 'confirmed') {
      confirmedAt = step(10);
      ev(
        'confirm',
        'fulfilled',
        'confirmed',
        confirmedAt,
        submitter ? { id: submitter.id, name: submitter.name } : mgr,
      );
    }
    if (state === 'rejected') {
      rejectReason = r.pick([
        '经核实，该户已纳入民政救助，由民政部门解决',
        '心愿内容不属于微心愿范围，已转村委会协调',
        '经入户核实，情况与反映不符',
      ]);
      ev('reject', 'submitted', 'rejected', step(2), mgr, rejectReason);
    }
    if (state === 'withdrawn') ev('withdraw', 'submitted', 'withdrawn', step(1), submittedBy);
    if (state === 'expired') ev('expire', 'published', 'expired', deadline!, { id: null, name: '心愿到期检查' });
    wishRows.push({
      countyCode,
      regionCode: region.code,
      regionPath: region.path,
      title,
      description: `${who}：${description}`,
      value: value.toFixed(2),
      beneficiaryName,
      beneficiaryPhoneEnc: phone ? deps.crypto.encrypt(phone) : null,
      beneficiaryPhoneMasked: phone ? maskPhone(phone) : null,
      consentToPublish: multi || r.chance(0.8),
      source,
      claimMode: multi ? 'multi' : 'single',
      claimedValue: claimedValue.toFixed(2),
      state,
      overCap: overPending || overApproved,
      approvedOverCapBy: overApproved ? countyActor.id : null,
      rejectReason,
      photoIds: photos,
      deadline,
      submittedBy: submitter?.id ?? (source === 'staff' ? mgr.id : null),
      publishedAt,
      fulfilledAt,
      confirmedAt,
      createdAt: created,
      updatedAt: events.at(-1)!.at as Date,
    });
    claimRows.push(claims);
    eventRows.push(events);
  });
  await db.transaction(async (tx) => {
    const inserted = await tx.insert(wishes).values(wishRows).returning({ id: wishes.id });
    const claims = inserted.flatMap((w, j) => claimRows[j].map((c) => ({ ...c, wishId: w.id })));
    if (claims.length) await tx.insert(wishClaims).values(claims);
    const events = inserted.flatMap((w, j) => eventRows[j].map((e) => ({ ...e, entityId: w.id })));
    for (let j = 0; j < events.length; j += 200) await tx.insert(workflowEvents).values(events.slice(j, j + 200));
    await writeAudit(tx, actor, {
      action: 'wish.import',
      entity: 'wish',
      detail: { count: inserted.length, claims: claims.length },
    });
  });
  const byState = states.reduce<Record<string, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});
  log(
    `微心愿：${wishRows.length} 个（${Object.entries(byState)
      .map(([s, c]) => `${stateName[s as WishState]} ${c}`)
      .join('、')}；超过上限待审批 ${overCapPending} 个）`,
  );
}

const stateName: Record<WishState, string> = {
  submitted: '待核实',
  verified: '已核实',
  published: '已发布',
  claimed: '已认领',
  fulfilled: '已实现',
  confirmed: '已确认',
  rejected: '未通过',
  withdrawn: '已撤回',
  expired: '已过期',
};
const chain: WishState[] = ['submitted', 'verified', 'published', 'claimed', 'fulfilled', 'confirmed'];
/** How far along the happy path a state is (expired got as far as published). */
function order(s: WishState) {
  if (s === 'expired') return chain.indexOf('published');
  return chain.indexOf(s);
}
