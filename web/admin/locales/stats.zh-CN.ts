/** Texts of 统计分析 (issue #12) and the 工作台 figures; merged into `msg` by zh-CN.ts. */

export const statsMenu = {
  stats: '统计分析',
};

export const statsMsg = {
  stats: {
    region: '统计区域',
    regionPlaceholder: '默认本辖区',
    period: '统计期',
    presets: {
      month: '本月',
      quarter: '本季度',
      year: '本年',
      lastYear: '上一年',
      custom: '自定义',
    },
    rangeStart: '开始日期',
    rangeEnd: '结束日期',
    rangeSeparator: '至',
    asOf: (t: string): string => `数据截至 ${t}`,
    heading: (region: string, from: string, to: string): string => `${region} · ${from} 至 ${to}`,
    groups: {
      sites: '阵地',
      people: '志愿者与队伍',
      activities: '活动',
      orders: '点单',
      others: '心愿·积分·荣誉·宣传',
    },
    clickHint: '点击数字查看构成该指标的明细',
    byRegion: (level: string): string => `按${level}统计`,
    regionColumn: '区划',
    ownLevel: (name: string): string => `${name}本级`,
    ownTag: '本级',
    ownHint: '本级：记在所选区划本身、不属于任何下级区划的数据',
    noLower: '所选区域没有下级区划，已在上方显示该区域的全部指标。',
    empty: '暂无统计数据。选择其他统计期或区域后再试。',
    loadFailed: '统计数据加载失败，请稍后重试。',
    town: '乡镇（街道）',
    village: '村（社区）',
    drawer: {
      title: (label: string): string => `${label} · 明细`,
      scope: (region: string, from: string, to: string): string => `${region}，${from} 至 ${to}`,
      figure: '指标数值',
      countMatches: (total: string, value: string, unit: string): string =>
        `共 ${total} 条记录，条数即为该指标（${value} ${unit}）。`,
      sumMatches: (total: string, sum: string, value: string, unit: string): string =>
        `共 ${total} 条记录，“数值”合计 ${sum} ${unit}，即为该指标（${value} ${unit}）。`,
      rateBase: (total: string, value: string): string =>
        `比率指标（${value}%）：下列 ${total} 条记录是计算它的基数，按口径中的条件计算比率。`,
      mismatch: '明细与指标暂不一致：统计数据可能正在更新，请稍后刷新。',
      region: '区划',
      value: '数值',
      empty: '该统计期内没有构成此指标的记录。可以放宽统计期或选择其他区域。',
    },
  },
  dashboardStats: {
    title: (region: string): string => `${region}主要指标`,
    thisMonth: '本月',
    thisYear: '本年',
    trend: '近 12 个月走势',
    trendOf: (label: string): string => `近 12 个月${label}`,
    more: '查看统计分析',
    empty: '暂无统计数据。',
  },
};
