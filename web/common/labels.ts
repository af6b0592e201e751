/** Chinese labels for the code lists in the API contract. Values are codes; the UI shows these. */

export type LabelMap<K extends string = string> = Readonly<Record<K, string>>;

export type SiteKind = 'center' | 'institute' | 'station' | 'point' | 'base' | 'post';
export const siteKindLabels: LabelMap<SiteKind> = {
  center: '中心',
  institute: '所',
  station: '站',
  point: '点',
  base: '基地',
  post: '志愿服务岗',
};
/** Full names, for titles and descriptions. */
export const siteKindFullLabels: LabelMap<SiteKind> = {
  center: '新时代文明实践中心',
  institute: '新时代文明实践所',
  station: '新时代文明实践站',
  point: '实践点',
  base: '实践基地',
  post: '志愿服务岗',
};

export type Scope = 'all' | 'own' | 'subtree' | 'self';
export const scopeLabels: LabelMap<Scope> = {
  all: '全部',
  own: '本级',
  subtree: '本级及以下',
  self: '仅本人',
};

export type RegionLevel = 'county' | 'town' | 'village';
export const regionLevelLabels: LabelMap<RegionLevel> = {
  county: '县',
  town: '乡镇',
  village: '村(社区)',
};

export type ComplianceStatus = 'compliant' | 'noncompliant' | 'uninspected';
export const complianceLabels: LabelMap<ComplianceStatus> = {
  compliant: '达标',
  noncompliant: '未达标',
  uninspected: '未检查',
};

export type TeamLevel = 'corps' | 'brigade' | 'squad';
export const teamLevelLabels: LabelMap<TeamLevel> = {
  corps: '总队',
  brigade: '支队',
  squad: '分队',
};

export const serviceCategoryLabels: LabelMap = {
  theory: '理论政策宣讲',
  culture: '文化文艺服务',
  education: '助学支教',
  health: '医疗健身',
  science: '科学普及',
  law: '法律服务',
  environment: '卫生环保',
  poverty: '扶贫帮困',
};

export const activityTypeLabels: LabelMap = {
  lecture: '理论宣讲',
  culture_sports: '文体活动',
  volunteer_service: '志愿服务',
  training: '培训',
  theme: '主题活动',
};

export const honorKindLabels: LabelMap = {
  good_person: '身边好人',
  moral_model: '道德模范',
  good_deed: '善行义举',
  beautiful_family: '最美家庭',
  civilized_family: '文明家庭',
  safe_family: '平安家庭',
};

export const columnLabels: LabelMap = {
  news: '最新动态',
  policy: '政策理论',
  practice: '文明实践',
  civil_customs: '文明乡风',
  role_models: '最美人物',
  volunteer_activities: '志愿活动',
  service_stations: '服务驿站',
  brands: '活动品牌',
  organizations: '志愿组织',
};

export const ratingLabels: Readonly<Record<number, string>> = {
  5: '非常满意',
  4: '满意',
  3: '基本满意',
  2: '不满意',
  1: '非常不满意',
};

/** The label for a code, or the code itself when the list does not know it (a county may add codes). */
export function labelOf(map: LabelMap, code: string | null | undefined, fallback = '—'): string {
  if (code === null || code === undefined || code === '') return fallback;
  return (map as Record<string, string>)[code] ?? code;
}

/** `[{ value, label }]` for selects, in the map's order. */
export function optionsOf<K extends string>(map: LabelMap<K>): { value: K; label: string }[] {
  return (Object.keys(map) as K[]).map((value) => ({ value, label: map[value] }));
}

export type Gender = 'male' | 'female';
export const genderLabels: LabelMap<Gender> = {
  male: '男',
  female: '女',
};

export type VolunteerSource = 'self' | 'staff' | 'import';
export const volunteerSourceLabels: LabelMap<VolunteerSource> = {
  self: '本人注册',
  staff: '工作人员登记',
  import: '批量导入',
};

/** Who agreed to a use of personal data. */
export type ConsentGrantedBy = 'self' | 'guardian' | 'staff_on_paper';
export const consentGrantedByLabels: LabelMap<ConsentGrantedBy> = {
  self: '本人',
  guardian: '监护人',
  staff_on_paper: '纸质登记表',
};

export type TeamMemberStatus = 'active' | 'pending' | 'rejected' | 'left';
export const teamMemberStatusLabels: LabelMap<TeamMemberStatus> = {
  active: '成员',
  pending: '申请中',
  rejected: '已拒绝',
  left: '已退出',
};

export const politicalStatusOptions = ['中共党员', '中共预备党员', '共青团员', '民主党派', '群众'] as const;
export const educationOptions = ['小学', '初中', '高中', '中专', '大专', '本科', '研究生'] as const;

/** 活动状态 */
export const activityStateLabels: LabelMap = {
  draft: '草稿',
  published: '招募中',
  full: '已满员',
  in_progress: '进行中',
  ended: '已结束',
  archived: '已归档',
  cancelled: '已取消',
  pending_confirmation: '待上级确认',
  returned: '已退回',
};

/** Past its end, an activity still open (the sweep closes it two hours later, or staff do): 已结束 to the public. */
export const activityOverdueLabels = { public: '已结束', staff: '待结束' } as const;

/**
 * The state an activity shows: one whose end has passed while it is still 招募中 / 已满员 / 进行中 is not going on any
 * more — people see 已结束, staff (who may still close it and record its attendance) 待结束.
 */
export function shownActivityState(
  a: { state: string; endAt?: string | null },
  staff: boolean,
  now: number = Date.now(),
): string {
  const open = a.state === 'published' || a.state === 'full' || a.state === 'in_progress';
  if (open && a.endAt && new Date(a.endAt).getTime() < now)
    return staff ? activityOverdueLabels.staff : activityOverdueLabels.public;
  return activityStateLabels[a.state] ?? a.state;
}

/** 点单状态（与服务端 orders/transitions.ts 的 states 一致；大屏等无法调用 /orders/meta 的地方用它） */
export const orderStateLabels: LabelMap = {
  submitted: '待派单',
  rejected: '已驳回',
  dispatched: '待接单',
  accepted: '已接单',
  in_service: '服务中',
  completed: '已完成',
  rated: '已评价',
  closed: '已关闭',
  cancelled: '已取消',
};

/** 报名状态（管理端） */
export const signupStatusLabels: LabelMap = {
  confirmed: '已确认',
  waitlisted: '候补',
  cancelled: '已取消',
};

/** 报名状态（群众端：已报名、候补中）: the staff's words where the residents are told others. */
export const signupStatusResidentLabels: LabelMap = {
  ...signupStatusLabels,
  confirmed: '已报名',
  waitlisted: '候补中',
};

/** 报名来源 */
export const signupSourceLabels: LabelMap = {
  self: '本人报名',
  staff: '工作人员添加',
  sheet: '签到表补录',
};

/** 积分账户类型（管理端） */
export const accountTypeLabels: LabelMap = {
  household: '家庭户',
  volunteer: '志愿者',
};

/** 积分账户类型（管理端，带积分名） */
export const accountTypeLongLabels: LabelMap = {
  household: '家庭户（文明积分）',
  volunteer: '志愿者（服务积分）',
};

/** 积分账户类型（群众端） */
export const accountTypeResidentLabels: LabelMap = {
  household: '家庭文明积分',
  volunteer: '志愿服务积分',
};

/** 积分账户类型（群众端，简称） */
export const accountTypeShortLabels: LabelMap = {
  household: '家庭积分',
  volunteer: '志愿积分',
};

/** 积分规则分组 */
export const ruleGroupLabels: LabelMap = {
  ideology: '思想政治',
  security: '社会治安',
  customs: '村风民俗',
  environment: '环境卫生',
  neighbourhood: '邻里关系',
  service: '志愿服务',
};

/** 积分规则类别 */
export const ruleCategoryLabels: LabelMap = {
  basic: '基础',
  reward: '奖励',
  deduction: '扣分',
};

/** 积分流水类型（群众端） */
export const entryKindResidentLabels: LabelMap = {
  claim: '申报入账',
  award: '集中奖励',
  service: '志愿服务',
  adjustment: '调整',
  redemption: '积分兑换',
  handout: '已领取',
  refund: '兑换退回',
  reversal: '冲正',
  expiry: '年末清零',
};

/** 积分申报状态（工作人员） */
export const pointClaimStateLabels: LabelMap = {
  submitted: '待评议',
  notice: '公示中',
  posted: '已入账',
  rejected: '未通过',
  withdrawn: '已撤回',
};

/** 积分流水类型（工作人员） */
export const entryKindLabels: LabelMap = {
  claim: '申报入账',
  award: '批量发放',
  service: '服务积分',
  adjustment: '人工调整',
  redemption: '兑换冻结',
  handout: '兑换发放',
  refund: '兑换退回',
  reversal: '冲正',
  expiry: '年终清零',
};

/** 积分调整状态 */
export const adjustmentStateLabels: LabelMap = { pending: '待复核', approved: '已通过', rejected: '已驳回' };

/** 兑换状态（工作人员） */
export const redemptionStateLabels: LabelMap = { reserved: '待领取', handed_out: '已发放', cancelled: '已取消' };

/** 兑换状态（群众端）: the resident collects (已领取) what the staff hand out (已发放). */
export const redemptionStateResidentLabels: LabelMap = { ...redemptionStateLabels, handed_out: '已领取' };

/** 微心愿状态（工作人员） */
export const wishStateLabels: LabelMap = {
  submitted: '待核实',
  verified: '已核实',
  published: '已发布',
  claimed: '已认领',
  fulfilled: '已实现',
  confirmed: '已确认',
  rejected: '已退回',
  withdrawn: '已撤回',
  expired: '已过期',
};

/** 微心愿状态（群众端）: a published wish waits to be claimed (待认领); a refused one 未通过. */
export const wishStateResidentLabels: LabelMap = { ...wishStateLabels, published: '待认领', rejected: '未通过' };

/** 好人好事状态（工作人员） */
export const honorStateLabels: LabelMap = {
  nominated: '待审核',
  notice: '公示中',
  published: '已发布',
  rejected: '未通过',
  revoked: '已撤销',
};

/** 志愿时长流水类型 */
export const hoursKindLabels: LabelMap = {
  attendance: '活动签到',
  order: '点单服务',
  excess: '超时长',
  correction: '补录',
  reversal: '冲正',
};

/** 时长申请状态 */
export const hoursRequestStatusLabels: LabelMap = { pending: '待审核', approved: '已通过', rejected: '未通过' };

/** 星级评定申请状态 */
export const starStateLabels: LabelMap = {
  applied: '待审核',
  notice: '公示中',
  granted: '已认定',
  rejected: '未通过',
  withdrawn: '已撤回',
};

/** 月度报送状态 */
export const submissionStateLabels: LabelMap = { submitted: '待审核', accepted: '已通过', returned: '已退回' };

/** 宣传文章的状态 (articles/transitions.ts). */
export const articleStateLabels: LabelMap = {
  draft: '草稿',
  submitted: '待审核',
  approved: '待发布',
  rejected: '已退回',
  published: '已发布',
  withdrawn: '已撤回',
};

/** 线下宣传的形式, and the unit each is counted in. */
export const publicityKindLabels: LabelMap = {
  poster: '宣传海报',
  leaflet: '宣传单',
  broadcast: '广播宣传',
  banner: '横幅标语',
  other: '其他',
};
export const publicityKindUnits: LabelMap = { poster: '张', leaflet: '份', broadcast: '次', banner: '条', other: '项' };
