import { z } from 'zod';
import type { SettingValue } from './schema.js';

/** Everything a county may set differently, with PRODUCT.md's defaults. Later modules add their keys here. */
export type SettingDef = Def;
type Def = {
  label: string;
  group: string;
  description: string;
  unit?: string;
  type: 'integer' | 'number' | 'boolean' | 'string' | 'enum' | 'integerList' | 'stringList' | 'objectList';
  /** An `enum`'s values with their Chinese names (a county's own, such as its standards, are added when read). */
  options?: readonly { value: string; label: string }[];
  min?: number;
  max?: number;
  default: SettingValue;
  schema: z.ZodTypeAny;
};

const int = (
  label: string,
  group: string,
  def: number,
  min: number,
  max: number,
  unit: string,
  description: string,
): Def => ({
  label,
  group,
  description,
  unit,
  type: 'integer',
  min,
  max,
  default: def,
  schema: z.number().int('必须是整数').min(min, `不能小于 ${min}`).max(max, `不能大于 ${max}`),
});

const str = (label: string, group: string, def: string, description: string): Def => ({
  label,
  group,
  description,
  type: 'string',
  default: def,
  schema: z.string().max(200, '不能超过 200 个字'),
});

/** The assessment's indicators (their names, definitions and scoring live in stats/assessment.ts). */
export const assessmentIndicatorKeys = [
  'coverage',
  'compliantStations',
  'activitiesPerStation',
  'volunteersPer1000',
  'satisfaction',
  'submissionsOnTime',
  'teamsServed',
] as const;
export type AssessmentIndicatorKey = (typeof assessmentIndicatorKeys)[number];
export type AssessmentIndicatorSetting = { key: AssessmentIndicatorKey; weight: number; target?: number | null };

const assessmentIndicators = z
  .array(
    z.object(
      {
        key: z.enum(assessmentIndicatorKeys, {
          error: `指标 key 应为 ${assessmentIndicatorKeys.join('、')} 之一`,
        }),
        weight: z.number({ error: '权重应为数字' }).min(0, '权重不能小于 0').max(100, '权重不能大于 100'),
        target: z.number({ error: '目标值应为数字' }).positive('目标值应大于 0').nullable().optional(),
      },
      { error: '每项应为 { key, weight, target } 形式' },
    ),
    { error: '应为指标列表' },
  )
  .min(1, '至少需要 1 项指标')
  .superRefine((list, ctx) => {
    list.forEach((item, i) => {
      if (list.findIndex((o) => o.key === item.key) !== i)
        ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `指标 ${item.key} 重复` });
    });
    const sum = Math.round(list.reduce((a, o) => a + o.weight, 0) * 100) / 100;
    if (sum !== 100) ctx.addIssue({ code: 'custom', message: `权重之和应为 100，现为 ${sum}` });
  });

const defaultIndicators: AssessmentIndicatorSetting[] = [
  { key: 'coverage', weight: 20, target: 100 },
  { key: 'compliantStations', weight: 15, target: 100 },
  { key: 'activitiesPerStation', weight: 20, target: 12 },
  { key: 'volunteersPer1000', weight: 15, target: 10 },
  { key: 'satisfaction', weight: 10, target: 100 },
  { key: 'submissionsOnTime', weight: 10, target: 100 },
  { key: 'teamsServed', weight: 10, target: 100 },
];

export const settingDefinitions = {
  'security.loginMaxFailures': int('登录失败锁定次数', '安全', 5, 3, 20, '次', '连续输错密码达到该次数后锁定账号'),
  'security.lockMinutes': int('锁定时长', '安全', 15, 1, 1440, '分钟', '账号被锁定的时长'),
  'sites.inspectionValidMonths': int(
    '检查结果有效期',
    '阵地',
    12,
    1,
    36,
    '个月',
    '超过该期限未复查的站点按“未检查”统计',
  ),
  'sites.defaultStandard': {
    label: '默认建设标准',
    group: '阵地',
    description: '新建站点默认采用的建设标准（检查清单），可选本县已有的标准',
    type: 'enum',
    options: [
      { value: 'six_haves', label: '六有' },
      { value: 'five_haves', label: '五有' },
    ],
    default: 'six_haves',
    schema: z.string().min(1, '不能为空').max(40),
  } satisfies Def,
  'orders.reviewHours': int('审单时限', '点单', 24, 1, 720, '小时', '群众点单后待审核的最长时间'),
  'orders.dispatchHours': int('派单时限', '点单', 24, 1, 720, '小时', '审核后派单的最长时间'),
  'orders.acceptHours': int('接单时限', '点单', 48, 1, 720, '小时', '派单后接单的最长时间，超时退回并上报'),
  'orders.rateDays': int('评价期限', '点单', 7, 1, 60, '天', '完成后未评价的订单按“满意”自动关闭'),
  'orders.reopenDays': int('重新打开期限', '点单', 7, 1, 60, '天', '群众可在完成后该期限内重新打开订单'),
  'activities.dailyHoursCap': int('每日直接认定时长上限', '活动', 8, 1, 24, '小时', '超出部分需审核'),
  'activities.minAttendanceRatio': int('最低出勤比例', '活动', 60, 0, 100, '%', '实际时长低于计划时长该比例时不计时长'),
  'stars.thresholds': {
    label: '星级时长门槛',
    group: '活动',
    description: '一星至五星所需的累计服务时长（小时），逐级递增',
    type: 'integerList',
    unit: '小时',
    default: [100, 300, 600, 1000, 1500],
    schema: z
      .array(z.number().int().min(1))
      .length(5, '需要 5 个门槛')
      .refine((a) => a.every((v, i) => i === 0 || v > a[i - 1]), '门槛必须逐级递增'),
  } satisfies Def,
  'stars.noticeWorkingDays': int('星级公示期', '活动', 5, 1, 30, '个工作日', '星级申请公示的工作日数'),
  'activities.signupCloseHours': int(
    '报名截止',
    '活动',
    0,
    0,
    168,
    '小时',
    '活动开始前该小时数停止报名（0 表示开始前均可报名）',
  ),
  'certificates.issuerName': str(
    '出具单位',
    '证明',
    '',
    '志愿服务证明上的出具单位名称；留空则用“县名 + 新时代文明实践中心”',
  ),
  'certificates.personInCharge': str('负责人', '证明', '', '出具单位负责人姓名'),
  'certificates.handler': str('经办人', '证明', '', '证明经办人姓名'),
  'certificates.contact': str('联系电话', '证明', '', '出具单位对外联系电话'),
  'certificates.sealFileId': str(
    '电子印章图片',
    '证明',
    '',
    '已上传的印章图片（PNG，透明背景）文件编号；留空则使用系统生成的印章样式',
  ),
  'activities.recordNeedsConfirmation': {
    label: '补录活动须上级确认',
    group: '活动',
    description:
      '开启后，村（社区）实践站补录的活动须由乡镇实践所确认、实践所补录的须由县中心确认，确认前不计入活动统计、不认定服务时长',
    type: 'boolean',
    default: false,
    schema: z.boolean({ error: '应为 true 或 false' }),
  } satisfies Def,
  'submissions.dueDay': int('月度报送截止日', '活动', 5, 1, 28, '日', '每月该日前报送上月台账，逾期列为未报送'),
  'teams.inactiveDays': int('队伍不活跃判定天数', '队伍', 30, 7, 365, '天', '连续该天数无活动、无接单的队伍列为不活跃'),
  'stats.activeVolunteerHours': int(
    '活跃志愿者时长门槛',
    '统计',
    5,
    0,
    1000,
    '小时',
    '统计期内服务时长超过该值的志愿者计为活跃志愿者',
  ),
  'points.noticeDays': int('积分公示期', '积分', 5, 1, 30, '天', '积分申报评议后的公示天数'),
  'points.pointsPerHour': int('每小时服务积分', '积分', 10, 0, 1000, '分', '服务积分 = 时长 × 每小时积分 × 系数'),
  'points.expireAtYearEnd': {
    label: '积分年底清零',
    group: '积分',
    description: '每年 12 月 31 日后未使用的积分是否作废',
    type: 'boolean',
    default: false,
    schema: z.boolean(),
  } satisfies Def,
  'points.serviceCoefficient': {
    label: '服务积分系数',
    group: '积分',
    description: '服务积分 = 时长 × 每小时积分 × 该系数',
    type: 'number',
    min: 0,
    max: 10,
    default: 1,
    schema: z.number().min(0, '不能小于 0').max(10, '不能大于 10'),
  } satisfies Def,
  'points.yuanPerPoint': {
    label: '积分分红折算',
    group: '积分',
    description: '年终分红时 1 积分折合的金额（元）；分红报告也可按预算自动折算',
    type: 'number',
    unit: '元',
    min: 0,
    max: 100,
    default: 1,
    schema: z.number().min(0, '不能小于 0').max(100, '不能大于 100'),
  } satisfies Def,
  'articles.townSelfPublish': {
    label: '乡镇自行发布文章',
    group: '内容',
    description:
      '开启后，乡镇（街道）文明实践所可以自行审核、发布本所（乡镇级）的宣传文章；关闭时由县文明实践中心审核发布。村（社区）的文章始终由所在乡镇审核',
    type: 'boolean',
    default: false,
    schema: z.boolean({ error: '应为 true 或 false' }),
  } satisfies Def,
  'honors.noticeDays': int('荣誉公示期', '荣誉', 5, 1, 30, '天', '好人好事、文明家庭等评选结果的公示天数'),
  'wishes.overCapPolicy': {
    label: '超限心愿处理',
    group: '心愿',
    description: '超过金额上限的心愿由中心审批，或直接退回给提交人',
    type: 'enum',
    options: [
      { value: 'approval', label: '需中心审批' },
      { value: 'refuse', label: '直接退回' },
    ],
    default: 'approval',
    schema: z.enum(['approval', 'refuse'], { error: '请选择“需中心审批”或“直接退回”' }),
  } satisfies Def,
  'wishes.valueCap': int('微心愿金额上限', '心愿', 500, 1, 100000, '元', '超过上限的心愿需审批或退回'),
  'notify.smsWebhookUrl': {
    label: '短信发送接口地址',
    group: '通知',
    description: '短信网关的 HTTP 接口（POST JSON）；留空则只发站内信',
    type: 'string',
    default: '',
    schema: z
      .string()
      .max(500)
      .refine((v) => v === '' || /^https?:\/\/\S+$/.test(v), '应为 http:// 或 https:// 开头的地址'),
  } satisfies Def,
  'notify.wechatWebhookUrl': {
    label: '微信消息接口地址',
    group: '通知',
    description: '微信模板消息网关的 HTTP 接口（POST JSON）；留空则不发送',
    type: 'string',
    default: '',
    schema: z
      .string()
      .max(500)
      .refine((v) => v === '' || /^https?:\/\/\S+$/.test(v), '应为 http:// 或 https:// 开头的地址'),
  } satisfies Def,
  'assessment.indicators': {
    label: '考核指标与权重',
    group: '统计',
    description:
      '乡镇、村（社区）考核的指标、权重（合计 100）和目标值；每项得分 = 实际值 ÷ 目标值 × 100（最高 100），“站均开展活动”的目标为每站每年场次，按统计期天数折算',
    type: 'objectList',
    default: defaultIndicators,
    schema: assessmentIndicators,
  } satisfies Def,
  holidays: {
    label: '本县额外放假日期',
    group: '通用',
    description:
      '国家法定节假日与调休上班日已内置（按国务院办公厅每年公布的安排）；这里只填本县另外放假、计算工作日时要跳过的日期（YYYY-MM-DD）',
    type: 'stringList',
    default: [],
    schema: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')),
  } satisfies Def,
  workdays: {
    label: '本县额外上班日期',
    group: '通用',
    description:
      '计算工作日时按上班计算的日期（YYYY-MM-DD），用于内置日历之外的调休或尚未收录的年份；与“本县额外放假日期”重复的日期按放假计算',
    type: 'stringList',
    default: [],
    schema: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')),
  } satisfies Def,
} as const satisfies Record<string, Def>;

export type SettingKey = keyof typeof settingDefinitions;
export const settingKeys = Object.keys(settingDefinitions) as SettingKey[];
