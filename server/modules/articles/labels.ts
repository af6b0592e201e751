import type { articleColumns, publicityKinds } from '../../db/schema/index.js';

export type ArticleColumn = (typeof articleColumns)[number];
export type PublicityKind = (typeof publicityKinds)[number];

/** 栏目 (API.md, "Code lists"). */
export const articleColumnLabels: Readonly<Record<ArticleColumn, string>> = {
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

/** 线下宣传的形式, with the unit its quantity is counted in. */
export const publicityKindLabels: Readonly<Record<PublicityKind, string>> = {
  poster: '宣传海报',
  leaflet: '宣传单',
  broadcast: '广播宣传',
  banner: '横幅标语',
  other: '其他',
};
export const publicityKindUnits: Readonly<Record<PublicityKind, string>> = {
  poster: '张',
  leaflet: '份',
  broadcast: '次',
  banner: '条',
  other: '项',
};
