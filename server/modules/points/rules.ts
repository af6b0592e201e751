import { and, asc, eq, ne, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { pointPrivileges, pointRules, type pointCategories, type pointGroups } from '../../db/schema/index.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { writeAudit } from '../../platform/audit.js';
import type { PointsCaller } from './common.js';

export type RuleCategory = (typeof pointCategories)[number];
export type RuleGroup = (typeof pointGroups)[number];
export const categoryLabels: Record<RuleCategory, string> = { basic: '基础', reward: '奖励', deduction: '扣分' };
export const groupLabels: Record<RuleGroup, string> = {
  ideology: '思想政治',
  security: '社会治安',
  customs: '村风民俗',
  environment: '环境卫生',
  neighbourhood: '邻里关系',
  service: '志愿服务',
};

export type RuleInput = {
  name: string;
  category: RuleCategory;
  group: RuleGroup;
  points: number;
  evidenceRequired?: boolean;
  description?: string;
  sort?: number;
};
export type PrivilegeInput = { name: string; threshold: number; description?: string };

/**
 * The default catalogue of a county (common practice of 积分制 villages): 基础分 per indicator group, 奖励 for
 * outstanding deeds, 扣分 for breaches of the village rules; the service rule's points are per hour of service.
 */
export const defaultPointRules: RuleInput[] = [
  {
    category: 'basic',
    group: 'ideology',
    name: '参加理论宣讲、主题党日等学习活动',
    points: 5,
    description: '每次参加村（社区）组织的政策宣讲、学习活动',
  },
  {
    category: 'basic',
    group: 'ideology',
    name: '遵纪守法，全年无违法违纪',
    points: 10,
    description: '全年家庭成员无违法犯罪、无违纪记录',
  },
  {
    category: 'basic',
    group: 'security',
    name: '参加平安巡逻、矛盾调解',
    points: 5,
    description: '参加村里组织的治安巡逻、防诈宣传或调解',
  },
  { category: 'basic', group: 'security', name: '全年无信访、无邻里纠纷', points: 5 },
  {
    category: 'basic',
    group: 'customs',
    name: '参加村集体活动',
    points: 5,
    description: '参加村集体组织的文体、公益、议事活动',
  },
  {
    category: 'basic',
    group: 'customs',
    name: '孝老爱亲、赡养老人',
    points: 10,
    description: '善待老人、按时赡养，无虐待遗弃',
  },
  { category: 'basic', group: 'customs', name: '移风易俗，婚事新办、丧事简办', points: 5 },
  {
    category: 'basic',
    group: 'environment',
    name: '门前三包、庭院整洁',
    points: 5,
    description: '房前屋后无乱堆乱放，庭院干净整洁（每月评比）',
  },
  { category: 'basic', group: 'environment', name: '垃圾分类、按时清运', points: 3 },
  {
    category: 'basic',
    group: 'neighbourhood',
    name: '邻里互助',
    points: 5,
    description: '帮助邻里解决困难、照顾孤寡老人、留守儿童',
  },
  { category: 'basic', group: 'neighbourhood', name: '家庭和睦、邻里团结', points: 5 },
  {
    category: 'reward',
    group: 'security',
    name: '见义勇为',
    points: 50,
    evidenceRequired: true,
    description: '经村（社区）核实的见义勇为行为',
  },
  {
    category: 'reward',
    group: 'ideology',
    name: '评为身边好人、道德模范',
    points: 30,
    evidenceRequired: true,
    description: '获得乡镇及以上身边好人、道德模范等称号',
  },
  {
    category: 'reward',
    group: 'customs',
    name: '评为文明家庭、最美家庭',
    points: 30,
    evidenceRequired: true,
    description: '获得乡镇及以上文明家庭、最美家庭等称号',
  },
  { category: 'reward', group: 'neighbourhood', name: '拾金不昧', points: 20, evidenceRequired: true },
  { category: 'reward', group: 'environment', name: '获评“美丽庭院”示范户', points: 20, evidenceRequired: true },
  { category: 'reward', group: 'ideology', name: '子女考入大学、参军入伍', points: 20, evidenceRequired: true },
  {
    category: 'reward',
    group: 'service',
    name: '参加志愿服务（按时长）',
    points: 10,
    description: '每小时服务积分，按认定时长 × 每小时积分 × 系数计算',
  },
  { category: 'reward', group: 'service', name: '参加村里义务劳动', points: 5 },
  {
    category: 'deduction',
    group: 'environment',
    name: '乱堆乱放、乱倒垃圾',
    points: -5,
    description: '经提醒仍不整改',
  },
  { category: 'deduction', group: 'customs', name: '红白事大操大办、铺张浪费', points: -10 },
  { category: 'deduction', group: 'customs', name: '不赡养老人、虐待家庭成员', points: -20, evidenceRequired: true },
  { category: 'deduction', group: 'neighbourhood', name: '邻里纠纷、寻衅滋事', points: -5 },
  { category: 'deduction', group: 'security', name: '违反村规民约', points: -10, evidenceRequired: true },
  { category: 'deduction', group: 'security', name: '参与赌博、封建迷信活动', points: -20, evidenceRequired: true },
  { category: 'deduction', group: 'environment', name: '焚烧秸秆、垃圾', points: -10 },
];

export const defaultPointPrivileges: PrivilegeInput[] = [
  { name: '技能培训优先', threshold: 100, description: '优先参加县、乡组织的实用技术与职业技能培训' },
  { name: '就业推荐优先', threshold: 200, description: '优先推荐公益性岗位和企业就业岗位' },
  { name: '好人评选优先推荐', threshold: 300, description: '优先推荐参评身边好人、文明家庭' },
  { name: '小额贷款优先', threshold: 500, description: '合作金融机构“信用贷”优先授信' },
];

/** Seeds a county's default catalogue and privileges when it has none (for the demo seed and a new county's setup). */
export async function ensureDefaultPointCatalogue(db: DbOrTx, countyCode: string, now: Date) {
  const [anyRule] = await db
    .select({ id: pointRules.id })
    .from(pointRules)
    .where(eq(pointRules.countyCode, countyCode))
    .limit(1);
  let rules = 0,
    privileges = 0;
  if (!anyRule) {
    await db.insert(pointRules).values(
      defaultPointRules.map((r, i) => ({
        countyCode,
        name: r.name,
        category: r.category,
        group: r.group,
        points: r.points,
        evidenceRequired: r.evidenceRequired ?? false,
        description: r.description ?? '',
        sort: (i + 1) * 10,
        createdAt: now,
        updatedAt: now,
      })),
    );
    rules = defaultPointRules.length;
  }
  const [anyPrivilege] = await db
    .select({ id: pointPrivileges.id })
    .from(pointPrivileges)
    .where(eq(pointPrivileges.countyCode, countyCode))
    .limit(1);
  if (!anyPrivilege) {
    await db.insert(pointPrivileges).values(
      defaultPointPrivileges.map((p) => ({
        countyCode,
        name: p.name,
        threshold: p.threshold,
        description: p.description ?? '',
        createdAt: now,
      })),
    );
    privileges = defaultPointPrivileges.length;
  }
  return { rules, privileges };
}

// ---------- rules ----------

type Rule = typeof pointRules.$inferSelect;
export const presentRule = (r: Rule) => ({
  id: r.id,
  name: r.name,
  category: r.category,
  categoryName: categoryLabels[r.category],
  group: r.group,
  groupName: groupLabels[r.group],
  points: r.points,
  evidenceRequired: r.evidenceRequired,
  description: r.description,
  active: r.active,
  sort: r.sort,
  updatedAt: r.updatedAt,
});

function checkRule(input: RuleInput) {
  if (!Number.isInteger(input.points) || input.points === 0) throw invalid('points', '分值必须是非零整数');
  if (input.category === 'deduction' && input.points > 0) throw invalid('points', '扣分项的分值必须是负数');
  if (input.category !== 'deduction' && input.points < 0)
    throw invalid('points', '基础分和奖励分的分值必须是正数（扣分请选择“扣分”类别）');
}

async function checkRuleName(db: DbOrTx, countyCode: string, name: string, exceptId?: string) {
  const conds: SQL[] = [eq(pointRules.countyCode, countyCode), eq(pointRules.name, name), eq(pointRules.active, true)];
  if (exceptId) conds.push(ne(pointRules.id, exceptId));
  const [dup] = await db
    .select({ id: pointRules.id })
    .from(pointRules)
    .where(and(...conds));
  if (dup) throw new AppError('DUPLICATE', `已有同名的积分规则“${name}”`, [{ path: 'name', message: '规则名称重复' }]);
}

export async function listRules(
  db: DbOrTx,
  countyCode: string,
  f: { category?: RuleCategory; group?: RuleGroup; includeInactive?: boolean },
) {
  const conds: SQL[] = [eq(pointRules.countyCode, countyCode)];
  if (f.category) conds.push(eq(pointRules.category, f.category));
  if (f.group) conds.push(eq(pointRules.group, f.group));
  if (!f.includeInactive) conds.push(eq(pointRules.active, true));
  const rows = await db
    .select()
    .from(pointRules)
    .where(and(...conds))
    .orderBy(asc(pointRules.sort), asc(pointRules.createdAt));
  return { items: rows.map(presentRule), total: rows.length, page: 1, pageSize: Math.max(rows.length, 1) };
}

/** A rule of the caller's county (active unless `any`); unknown → 400 naming `field`. */
export async function requireRule(db: DbOrTx, countyCode: string, id: string, field = 'ruleId', any = false) {
  const [r] = await db
    .select()
    .from(pointRules)
    .where(and(eq(pointRules.id, id), eq(pointRules.countyCode, countyCode)));
  if (!r || (!any && !r.active))
    throw new AppError('VALIDATION_FAILED', '积分规则不存在或已停用', [
      { path: field, message: '积分规则不存在或已停用' },
    ]);
  return r;
}

export async function createRule(db: Db, c: PointsCaller, now: Date, input: RuleInput) {
  checkRule(input);
  return db.transaction(async (tx) => {
    await checkRuleName(tx, c.countyCode, input.name);
    const [row] = await tx
      .insert(pointRules)
      .values({
        countyCode: c.countyCode,
        name: input.name,
        category: input.category,
        group: input.group,
        points: input.points,
        evidenceRequired: input.evidenceRequired ?? false,
        description: input.description ?? '',
        sort: input.sort ?? 1000,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await writeAudit(tx, c.actor, {
      action: 'pointRule.create',
      entity: 'point_rule',
      entityId: row.id,
      after: presentRule(row),
    });
    return presentRule(row);
  });
}

export async function updateRule(db: Db, c: PointsCaller, now: Date, id: string, input: RuleInput) {
  checkRule(input);
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(pointRules)
      .where(and(eq(pointRules.id, id), eq(pointRules.countyCode, c.countyCode)))
      .for('update');
    if (!before) throw notFound('积分规则');
    await checkRuleName(tx, c.countyCode, input.name, id);
    const [row] = await tx
      .update(pointRules)
      .set({
        name: input.name,
        category: input.category,
        group: input.group,
        points: input.points,
        evidenceRequired: input.evidenceRequired ?? before.evidenceRequired,
        description: input.description ?? before.description,
        sort: input.sort ?? before.sort,
        active: true,
        updatedAt: now,
      })
      .where(eq(pointRules.id, id))
      .returning();
    await writeAudit(tx, c.actor, {
      action: 'pointRule.update',
      entity: 'point_rule',
      entityId: id,
      before: presentRule(before),
      after: presentRule(row),
    });
    return presentRule(row);
  });
}

export async function deactivateRule(db: Db, c: PointsCaller, now: Date, id: string) {
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(pointRules)
      .where(and(eq(pointRules.id, id), eq(pointRules.countyCode, c.countyCode)))
      .for('update');
    if (!before) throw notFound('积分规则');
    await tx.update(pointRules).set({ active: false, updatedAt: now }).where(eq(pointRules.id, id));
    await writeAudit(tx, c.actor, {
      action: 'pointRule.deactivate',
      entity: 'point_rule',
      entityId: id,
      before: presentRule(before),
    });
  });
}

// ---------- privileges ----------

type Privilege = typeof pointPrivileges.$inferSelect;
export const presentPrivilege = (p: Privilege) => ({
  id: p.id,
  name: p.name,
  threshold: p.threshold,
  description: p.description,
  active: p.active,
});

function checkPrivilege(input: PrivilegeInput) {
  if (!Number.isInteger(input.threshold) || input.threshold <= 0) throw invalid('threshold', '积分门槛必须是正整数');
}

export async function listPrivileges(db: DbOrTx, countyCode: string, includeInactive = false) {
  const rows = await db
    .select()
    .from(pointPrivileges)
    .where(
      includeInactive
        ? eq(pointPrivileges.countyCode, countyCode)
        : and(eq(pointPrivileges.countyCode, countyCode), eq(pointPrivileges.active, true)),
    )
    .orderBy(asc(pointPrivileges.threshold), asc(pointPrivileges.createdAt));
  return { items: rows.map(presentPrivilege), total: rows.length, page: 1, pageSize: Math.max(rows.length, 1) };
}

/** The privileges of a county with whether a balance reaches each. */
export async function privilegesFor(db: DbOrTx, countyCode: string, balance: number) {
  const { items } = await listPrivileges(db, countyCode);
  return items.map((p) => ({
    id: p.id,
    name: p.name,
    threshold: p.threshold,
    description: p.description,
    reached: balance >= p.threshold,
  }));
}

export async function createPrivilege(db: Db, c: PointsCaller, now: Date, input: PrivilegeInput) {
  checkPrivilege(input);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(pointPrivileges)
      .values({
        countyCode: c.countyCode,
        name: input.name,
        threshold: input.threshold,
        description: input.description ?? '',
        createdAt: now,
      })
      .returning();
    await writeAudit(tx, c.actor, {
      action: 'pointPrivilege.create',
      entity: 'point_privilege',
      entityId: row.id,
      after: presentPrivilege(row),
    });
    return presentPrivilege(row);
  });
}

export async function updatePrivilege(db: Db, c: PointsCaller, id: string, input: PrivilegeInput) {
  checkPrivilege(input);
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(pointPrivileges)
      .where(and(eq(pointPrivileges.id, id), eq(pointPrivileges.countyCode, c.countyCode)))
      .for('update');
    if (!before) throw notFound('积分特权');
    const [row] = await tx
      .update(pointPrivileges)
      .set({
        name: input.name,
        threshold: input.threshold,
        description: input.description ?? before.description,
        active: true,
      })
      .where(eq(pointPrivileges.id, id))
      .returning();
    await writeAudit(tx, c.actor, {
      action: 'pointPrivilege.update',
      entity: 'point_privilege',
      entityId: id,
      before: presentPrivilege(before),
      after: presentPrivilege(row),
    });
    return presentPrivilege(row);
  });
}

export async function deactivatePrivilege(db: Db, c: PointsCaller, id: string) {
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(pointPrivileges)
      .where(and(eq(pointPrivileges.id, id), eq(pointPrivileges.countyCode, c.countyCode)))
      .for('update');
    if (!before) throw notFound('积分特权');
    await tx.update(pointPrivileges).set({ active: false }).where(eq(pointPrivileges.id, id));
    await writeAudit(tx, c.actor, {
      action: 'pointPrivilege.deactivate',
      entity: 'point_privilege',
      entityId: id,
      before: presentPrivilege(before),
    });
  });
}
