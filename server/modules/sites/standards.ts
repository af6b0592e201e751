import type { SiteKind } from './service.js';

/** Default checklist templates seeded for every county; counties edit or add their own. */
export const defaultStandards = [
  {
    code: 'six_haves',
    name: '六有标准',
    kinds: ['station', 'institute'] as SiteKind[],
    passScore: 100,
    isDefault: true,
    items: [
      { code: 'sign', name: '有标识', description: '统一规范的新时代文明实践站（所）标识标牌' },
      { code: 'venue', name: '有场所', description: '固定的活动场所，面积满足开展活动需要' },
      { code: 'books', name: '有书籍', description: '农家书屋或图书角，图书报刊定期更新' },
      { code: 'rules', name: '有工作制度', description: '工作职责、志愿服务等制度上墙' },
      { code: 'schedule', name: '有活动安排', description: '年有计划、月有主题、周有活动' },
      { code: 'records', name: '有软件资料', description: '活动台账、图片、签到等资料齐全' },
    ],
  },
  {
    code: 'five_haves',
    name: '五有标准',
    kinds: ['station', 'institute', 'point'] as SiteKind[],
    passScore: 80,
    isDefault: false,
    items: [
      { code: 'venue', name: '有固定场所', description: '有开展活动的固定场所' },
      { code: 'team', name: '有志愿队伍', description: '有常态化开展服务的志愿服务队' },
      { code: 'activity', name: '有经常性活动', description: '每月至少开展一次文明实践活动' },
      { code: 'mechanism', name: '有运行机制', description: '有管理制度和运行机制' },
      { code: 'effect', name: '有群众评价', description: '群众知晓率、参与率、满意度有记录' },
    ],
  },
];

export const facilitySuggestions = [
  '文体广场',
  '农家书屋',
  '新时代文明讲堂',
  '志愿服务站',
  '道德讲堂',
  '远程教育室',
  '党员活动室',
  '便民服务室',
  '健身器材',
  '儿童之家',
  '老年活动室',
];
