/** Every text the big screen shows. Components read from here, never inline. */

/** How many lower regions the ranking shows (the best ones). */
export const RANK_LIMIT = 12;
export const msg = {
  title: (region: string) => `${region}新时代文明实践大屏`,
  pageTitle: '新时代文明实践大屏',
  asOf: '数据截至',
  yearToDate: (year: string) => `${year}年度累计`,
  loading: '正在载入大屏数据…',
  retry: '重试',
  refreshFailed: '刷新失败，显示的是上次的数据',
  signIn: {
    title: '请先登录',
    text: '大屏数据仅对已登录、有统计查看权限的工作人员开放，或通过管理员发放的大屏展示链接查看。',
    link: '前往管理后台登录',
  },
  forbidden: {
    title: '没有查看权限',
    text: '当前账号没有“统计查看”权限，请联系管理员分配，或使用大屏展示链接。',
  },
  linkInvalid: {
    title: '展示链接不可用',
    text: '该展示链接可能已作废或过期，请向管理员索取新的链接。',
  },
  failed: '大屏数据载入失败',
  panels: {
    trend: '近12个月趋势',
    ranking: '下级区域排名',
    funnel: '点单服务闭环',
    feed: '实时动态',
  },
  trend: {
    activities: '活动场次',
    hours: '服务时长（小时）',
    orders: '群众点单',
  },
  rankingMetrics: {
    'activities.total': '活动场次',
    'volunteers.registered': '注册志愿者',
    'hours.total': '服务时长',
    'orders.completed': '完成点单',
    'coverage.rate': '站点覆盖率',
  } as Record<string, string>,
  rankingHint: (n: number) => (n > RANK_LIMIT ? `前${RANK_LIMIT}名 · 点击柱条查看下级` : '点击柱条查看下级'),
  noLower: '已是最末一级（村/社区），没有下级区域',
  noFeed: '暂无最新动态',
  feedKind: { activity: '活动', order: '点单' } as Record<string, string>,
  back: '返回上级',
  home: '返回首页',
  months: (month: string) => `${Number(month.slice(5, 7))}月`,
  weekdays: ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'],
};
