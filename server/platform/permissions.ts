/** Permission codes (shared with the web apps) and the built-in roles. Roles are rows; these are their defaults. */
export const permissions = {
  'site:read': { name: '查看阵地', group: '阵地' },
  'site:create': { name: '新增阵地', group: '阵地' },
  'site:update': { name: '编辑阵地', group: '阵地' },
  'site:delete': { name: '删除阵地', group: '阵地' },
  'site:inspect': { name: '阵地检查', group: '阵地' },
  'standard:manage': { name: '管理建设标准', group: '阵地' },
  'region:read': { name: '查看行政区划', group: '系统' },
  'region:import': { name: '导入行政区划', group: '系统' },
  'user:read': { name: '查看用户', group: '系统' },
  'user:manage': { name: '管理用户与授权', group: '系统' },
  'role:read': { name: '查看角色', group: '系统' },
  'setting:read': { name: '查看设置', group: '系统' },
  'setting:update': { name: '修改设置', group: '系统' },
  'audit:read': { name: '查看审计日志', group: '系统' },
  'stats:read': { name: '查看统计', group: '统计' },
  'file:upload': { name: '上传文件', group: '系统' },
  'volunteer:read': { name: '查看志愿者', group: '队伍' },
  'volunteer:create': { name: '登记志愿者', group: '队伍' },
  'volunteer:update': { name: '编辑志愿者', group: '队伍' },
  'volunteer:verify': { name: '志愿者实名认证', group: '队伍' },
  'volunteer:reveal': { name: '查看完整身份证号与手机号', group: '队伍' },
  'volunteer:import': { name: '批量导入志愿者', group: '队伍' },
  'volunteer:export': { name: '导出花名册', group: '队伍' },
  'team:read': { name: '查看志愿服务队', group: '队伍' },
  'team:manage': { name: '管理志愿服务队', group: '队伍' },
  'serviceItem:manage': { name: '管理服务菜单', group: '服务' },
  'order:create': { name: '点单', group: '服务' },
  'order:serve': { name: '接单与服务', group: '服务' },
  'order:read': { name: '查看订单', group: '服务' },
  'order:manage': { name: '审单、派单与回访', group: '服务' },
  'order:proxy': { name: '代群众点单', group: '服务' },
  'household:manage': { name: '登记群众与户', group: '服务' },
  'plan:manage': { name: '制定活动计划与月度主题', group: '活动' },
  'activity:read': { name: '查看活动（管理端）', group: '活动' },
  'activity:manage': { name: '发布与管理活动、录入签到表', group: '活动' },
  'activity:join': { name: '报名活动、签到签退', group: '活动' },
  'hours:review': { name: '审核时长（超时长、补录）', group: '活动' },
  'star:review': { name: '审核星级申请', group: '活动' },
  'certificate:issue': { name: '开具与作废志愿服务证明', group: '活动' },
  'ledger:export': { name: '导出台账', group: '活动' },
  'submission:submit': { name: '月度报送', group: '活动' },
  'submission:review': { name: '审核下级报送', group: '活动' },
  'point:read': { name: '查看积分账户与流水', group: '积分' },
  'pointRule:manage': { name: '管理积分规则与特权', group: '积分' },
  'point:claim': { name: '代群众申报积分', group: '积分' },
  'point:review': { name: '积分评议与公示', group: '积分' },
  'point:award': { name: '批量发放积分', group: '积分' },
  'point:adjust': { name: '申请积分调整', group: '积分' },
  'point:approve': { name: '复核积分调整（第二审批人）', group: '积分' },
  'shop:manage': { name: '管理积分超市商品', group: '积分' },
  'shop:handout': { name: '凭取货码发放兑换', group: '积分' },
  'shop:redeem': { name: '兑换商品', group: '积分' },
  'wish:submit': { name: '提交微心愿', group: '心愿' },
  'wish:manage': { name: '核实、发布与管理微心愿', group: '心愿' },
  'wish:claim': { name: '认领微心愿', group: '心愿' },
  'honor:nominate': { name: '推荐好人好事与文明家庭', group: '荣誉' },
  'honor:review': { name: '审核、公示与发布荣誉榜', group: '荣誉' },
} as const;

export type Permission = keyof typeof permissions;
export const permissionCodes = Object.keys(permissions) as Permission[];

export type RoleDef = { code: string; name: string; description: string; duty?: 'system' | 'security' | 'audit'; permissions: Permission[] };

const staffBase: Permission[] = ['site:read', 'region:read', 'stats:read', 'file:upload', 'setting:read', 'volunteer:read', 'team:read'];
const orderAdmin: Permission[] = ['order:read', 'order:manage', 'order:proxy', 'household:manage', 'serviceItem:manage'];
const activityAdmin: Permission[] = ['plan:manage', 'activity:read', 'activity:manage', 'hours:review', 'certificate:issue', 'ledger:export', 'submission:submit'];
const pointsAdmin: Permission[] = ['point:read', 'point:claim', 'point:award', 'point:adjust', 'shop:handout', 'wish:submit', 'wish:manage', 'honor:nominate'];
const volunteerAdmin: Permission[] = ['volunteer:create', 'volunteer:update', 'volunteer:verify', 'volunteer:import', 'volunteer:export', 'team:manage'];

export const builtinRoles: RoleDef[] = [
  { code: 'county_admin', name: '中心管理员', description: '县级文明实践中心（文明办）：制定菜单、规则与标准，跨镇调度，考核与报告',
    permissions: [...staffBase, 'site:create', 'site:update', 'site:delete', 'site:inspect', 'standard:manage', 'user:read', 'user:manage', 'role:read', 'setting:update', ...volunteerAdmin, 'volunteer:reveal', ...orderAdmin, ...activityAdmin, 'star:review', 'submission:review', ...pointsAdmin, 'pointRule:manage', 'point:review', 'point:approve', 'shop:manage', 'honor:review'] },
  { code: 'institute_admin', name: '所管理员', description: '乡镇（街道）文明实践所：管理本镇站点、队伍、活动',
    permissions: [...staffBase, 'site:create', 'site:update', 'site:delete', 'site:inspect', 'user:read', 'role:read', ...volunteerAdmin, ...orderAdmin, ...activityAdmin, 'star:review', 'submission:review', ...pointsAdmin, 'point:review', 'point:approve', 'shop:manage', 'honor:review'] },
  { code: 'station_admin', name: '站管理员', description: '村（社区）文明实践站：本村活动、台账、心愿、积分申报、网格',
    permissions: [...staffBase, 'site:update', 'site:inspect', 'volunteer:create', 'volunteer:update', 'volunteer:export', ...orderAdmin, ...activityAdmin, ...pointsAdmin] },
  { code: 'team_leader', name: '队长', description: '志愿服务队队长：队伍名册、活动、为队伍接单', permissions: ['site:read', 'region:read', 'file:upload', 'team:read', 'order:serve', 'order:create', 'activity:join', 'shop:redeem', 'wish:submit', 'wish:claim', 'honor:nominate'] },
  { code: 'volunteer', name: '志愿者', description: '注册、报名、签到、接单，查看时长、星级、证明与积分', permissions: ['site:read', 'region:read', 'file:upload', 'order:serve', 'order:create', 'activity:join', 'shop:redeem', 'wish:submit', 'wish:claim', 'honor:nominate'] },
  { code: 'resident', name: '群众', description: '点单、许愿、评价、阅读栏目、查看积分与兑换', permissions: ['site:read', 'region:read', 'file:upload', 'order:create', 'shop:redeem', 'wish:submit', 'honor:nominate'] },
  { code: 'points_reviewer', name: '积分评议员', description: '评议积分申报与异议', permissions: ['site:read', 'region:read', 'point:read', 'point:review'] },
  { code: 'shop_keeper', name: '超市管理员', description: '积分超市商品、库存与兑换发放', permissions: ['site:read', 'region:read', 'point:read', 'shop:manage', 'shop:handout', 'file:upload'] },
  { code: 'sysadmin', name: '系统管理员', description: '三员之一：系统配置、区划导入、建设标准', duty: 'system',
    permissions: ['region:read', 'region:import', 'setting:read', 'setting:update', 'standard:manage', 'site:read'] },
  { code: 'secadmin', name: '安全管理员', description: '三员之一：账号、角色授权与安全策略', duty: 'security',
    permissions: ['region:read', 'user:read', 'user:manage', 'role:read'] },
  { code: 'auditor', name: '审计管理员', description: '三员之一：只查看审计日志', duty: 'audit', permissions: ['audit:read'] },
];

export const scopeLabels = { all: '全部', own: '本级', subtree: '本级及以下', self: '仅本人' } as const;
export type ScopeKind = keyof typeof scopeLabels;
