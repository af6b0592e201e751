import { activityTypes } from '../../db/schema/index.js';

/**
 * Every figure the platform states, with its one definition (docs/METRICS.md holds the same text; a test keeps them
 * equal). `source` says how it is computed:
 * - `period`: the sum of a rollup key over the days of the period;
 * - `toDate`: the sum of a rollup key over every day up to the end of the period (a count "by the end");
 * - `rate`: a share in per cent, `num` ÷ `den` (both rollup keys over the period, or coverage components);
 * - `subjects`: distinct volunteers or teams whose per-subject sum over the period passes a threshold;
 * - `sites`, `neverServed`, `none`: read from small tables as of the period's end (sites, teams) or nothing yet.
 */
export type FigureSource =
  | { kind: 'period'; key: string }
  | { kind: 'toDate'; key: string }
  | { kind: 'rate'; num: string; den: string; over: 'period' | 'sites' }
  | { kind: 'subjects'; key: string; threshold: 'activeHours' | 'any' }
  | { kind: 'sites'; part: 'institutes' | 'stations' | 'compliantStations' }
  | { kind: 'neverServed' }
  | { kind: 'none' };

export type FigureDefinition = {
  key: string;
  label: string;
  unit: string;
  /** The definition shown with the figure; `{threshold}` is replaced by the county's setting. */
  definition: string;
  source: FigureSource;
};

export const activityTypeNames: Record<(typeof activityTypes)[number], string> = {
  lecture: '理论宣讲',
  culture_sports: '文体活动',
  volunteer_service: '志愿服务',
  training: '培训',
  theme: '主题活动',
};

const held = '已结束或已归档的活动（事后补录的活动经确认后同样计入），按活动开始日期计入统计期';

export const figureDefinitions: FigureDefinition[] = [
  {
    key: 'sites.institutes',
    label: '新时代文明实践所',
    unit: '个',
    definition: '统计期末区域内已建的新时代文明实践所（乡镇）数量',
    source: { kind: 'sites', part: 'institutes' },
  },
  {
    key: 'sites.stations',
    label: '新时代文明实践站',
    unit: '个',
    definition: '统计期末区域内已建的新时代文明实践站（村、社区）数量',
    source: { kind: 'sites', part: 'stations' },
  },
  {
    key: 'sites.compliantStations',
    label: '达标实践站',
    unit: '个',
    definition: '统计期末最近一次有效检查结论为“达标”的实践站数量（检查有效期见县级设置）',
    source: { kind: 'sites', part: 'compliantStations' },
  },
  {
    key: 'coverage.rate',
    label: '阵地覆盖率',
    unit: '%',
    definition: '统计期末建有达标实践站的村（社区）数 ÷ 区域内村（社区）总数 × 100%',
    source: { kind: 'rate', num: 'villagesCompliant', den: 'villages', over: 'sites' },
  },
  {
    key: 'volunteers.registered',
    label: '注册志愿者',
    unit: '人',
    definition: '截至统计期末在册的注册志愿者人数（按注册日期）',
    source: { kind: 'toDate', key: 'volunteers.registered' },
  },
  {
    key: 'volunteers.newlyRegistered',
    label: '新注册志愿者',
    unit: '人',
    definition: '统计期内新注册的志愿者人数',
    source: { kind: 'period', key: 'volunteers.registered' },
  },
  {
    key: 'volunteers.verified',
    label: '实名认证志愿者',
    unit: '人',
    definition: '截至统计期末已通过实名核验的志愿者人数（按核验日期）',
    source: { kind: 'toDate', key: 'volunteers.verified' },
  },
  {
    key: 'volunteers.active',
    label: '活跃志愿者',
    unit: '人',
    definition:
      '本区域的注册志愿者中，统计期内（在任何地方）服务时长合计超过 {threshold} 小时的人数（门槛为县级设置“活跃志愿者时长门槛”）',
    source: { kind: 'subjects', key: 'volunteer.hours', threshold: 'activeHours' },
  },
  {
    key: 'teams.total',
    label: '志愿服务队伍',
    unit: '支',
    definition: '截至统计期末已组建的志愿服务队伍数量（含总队、大队、分队）',
    source: { kind: 'toDate', key: 'teams.total' },
  },
  {
    key: 'teams.active',
    label: '活跃队伍',
    unit: '支',
    definition: '本区域组建的队伍中，统计期内举办过活动（已结束）或完成过点单服务的队伍数量',
    source: { kind: 'subjects', key: 'team.served', threshold: 'any' },
  },
  {
    key: 'teams.neverServed',
    label: '从未开展服务的队伍',
    unit: '支',
    definition: '截至统计期末，本队及其下属队伍都从未举办过活动、也从未完成过点单服务的队伍数量',
    source: { kind: 'neverServed' },
  },
  {
    key: 'activities.total',
    label: '开展活动',
    unit: '场',
    definition: `统计期内开展的活动场次：${held}`,
    source: { kind: 'period', key: 'activities.total' },
  },
  ...activityTypes.map((t): FigureDefinition => ({
    key: `activities.${t}`,
    // 文体活动、主题活动 already end in 活动 (not 文体活动活动)
    label: activityTypeNames[t].endsWith('活动') ? activityTypeNames[t] : `${activityTypeNames[t]}活动`,
    unit: '场',
    definition: `统计期内开展的“${activityTypeNames[t]}”类活动场次：${held}`,
    source: { kind: 'period', key: `activities.${t}` },
  })),
  {
    key: 'activities.participants',
    label: '参与人次',
    unit: '人次',
    definition: `统计期内开展的活动中签到的志愿者人次与报名参加并签到的群众人次，加上活动登记的其他参与人数（如群众听众）；活动口径：${held}`,
    source: { kind: 'period', key: 'activities.participants' },
  },
  {
    key: 'activities.beneficiaries',
    label: '受益群众',
    unit: '人次',
    definition: `统计期内开展的活动登记的受益人数之和；活动口径：${held}`,
    source: { kind: 'period', key: 'activities.beneficiaries' },
  },
  {
    key: 'hours.total',
    label: '服务时长',
    unit: '小时',
    definition: '统计期内（按服务日期）记入服务时长台账的时长合计，含补录和核减',
    source: { kind: 'period', key: 'hours.total' },
  },
  {
    key: 'orders.submitted',
    label: '群众点单',
    unit: '单',
    definition: '统计期内群众（含代点单）提交的点单数量',
    source: { kind: 'period', key: 'orders.submitted' },
  },
  {
    key: 'orders.completed',
    label: '完成服务',
    unit: '单',
    definition: '统计期内完成服务（按完成日期）的点单数量',
    source: { kind: 'period', key: 'orders.completed' },
  },
  {
    key: 'orders.dispatchRate',
    label: '派单率',
    unit: '%',
    definition: '统计期内提交的点单中已派单的比例：已派单数 ÷ 提交数 × 100%',
    source: { kind: 'rate', num: 'funnel.dispatched', den: 'orders.submitted', over: 'period' },
  },
  {
    key: 'orders.satisfaction',
    label: '群众满意率',
    unit: '%',
    definition: '统计期内群众评价的点单中评为 4 星及以上的比例（超期自动好评不计入）：满意数 ÷ 评价数 × 100%',
    source: { kind: 'rate', num: 'orders.satisfied', den: 'orders.rated', over: 'period' },
  },
  {
    key: 'wishes.collected',
    label: '收集微心愿',
    unit: '个',
    definition: '统计期内收集登记的微心愿数量',
    source: { kind: 'period', key: 'wishes.collected' },
  },
  {
    key: 'wishes.fulfilled',
    label: '实现微心愿',
    unit: '个',
    definition: '统计期内（按实现日期）已实现的微心愿数量（已实现、已确认）',
    source: { kind: 'period', key: 'wishes.fulfilled' },
  },
  {
    key: 'points.issued',
    label: '发放积分',
    unit: '分',
    definition: '统计期内通过积分申报、奖励、服务积分和调整记入家庭、志愿者积分账户的积分净额（冲正已扣除）',
    source: { kind: 'period', key: 'points.issued' },
  },
  {
    key: 'points.redeemed',
    label: '兑换积分',
    unit: '分',
    definition: '统计期内在积分超市兑换并已领取（核销）的商品所用积分',
    source: { kind: 'period', key: 'points.redeemed' },
  },
  {
    key: 'honors.published',
    label: '发布荣誉',
    unit: '项',
    definition: '统计期内公示期满正式发布的荣誉（好人好事、文明家庭等）数量，已撤销的不计',
    source: { kind: 'period', key: 'honors.published' },
  },
  {
    key: 'articles.published',
    label: '发布宣传文章',
    unit: '篇',
    definition: '统计期内（按发布日期）在宣传栏目正式发布的文章数量，已撤回的不计',
    source: { kind: 'period', key: 'articles.published' },
  },
  {
    key: 'publicity.posters',
    label: '张贴宣传海报',
    unit: '张',
    definition: '统计期内登记的线下宣传中张贴的海报（宣传画）张数',
    source: { kind: 'period', key: 'publicity.posters' },
  },
  {
    key: 'publicity.leaflets',
    label: '发放宣传单',
    unit: '份',
    definition: '统计期内登记的线下宣传中发放的宣传单（明白纸、折页）份数',
    source: { kind: 'period', key: 'publicity.leaflets' },
  },
  {
    key: 'publicity.broadcasts',
    label: '广播宣传',
    unit: '次',
    definition: '统计期内登记的大喇叭、广播站等广播宣传次数',
    source: { kind: 'period', key: 'publicity.broadcasts' },
  },
  {
    key: 'publicity.banners',
    label: '悬挂横幅标语',
    unit: '条',
    definition: '统计期内登记的悬挂横幅、张贴标语条数',
    source: { kind: 'period', key: 'publicity.banners' },
  },
];

export const figureByKey = new Map(figureDefinitions.map((f) => [f.key, f]));
export const figureKeys = figureDefinitions.map((f) => f.key);
