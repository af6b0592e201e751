/** Texts of the H5 content pages (issue #14): the columns, an article, read-aloud and large print. */
import { columnLabels } from '../../common/labels';

export const contentMessages = {
  articles: {
    title: '文明实践资讯',
    columns: columnLabels,
    all: '全部',
    homeTitle: '资讯栏目',
    latest: '最新动态',
    more: '更多',
    empty: '这个栏目还没有文章',
    emptyHint: '看看其他栏目吧',
    views: (n: number): string => `阅读 ${n}`,
    readAloud: '朗读',
    stopReading: '停止朗读',
    noSpeech: '当前浏览器不支持朗读，请试试系统自带浏览器',
    largePrint: '大字版',
    normalPrint: '图文版',
    attachments: '附件',
    reach: {
      county: '全县',
      town: '本镇',
      village: '本村',
      townHint: '只看本镇及所辖村（社区）发布的文章',
      villageHint: (name: string): string => `只看${name || '本村'}发布的文章`,
      empty: '这里还没有发布文章',
      emptyHint: '切换到“全县”看看吧',
    },
    notFound: '文章不存在或已撤回',
    retry: '重新加载',
  },
};
