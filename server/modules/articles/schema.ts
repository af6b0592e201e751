import { z } from 'zod';
import { articleColumns, publicityKinds } from '../../db/schema/index.js';
import { dateTime, isoDate, pageOf } from '../../platform/responses.js';
import { articleMachine } from './transitions.js';

/** What the content routes answer (named components of the OpenAPI document; the web's types come from them). */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];

export const ArticleColumn = z.enum(articleColumns).meta({
  id: 'ArticleColumn',
  description: '栏目：最新动态 / 政策理论 / 文明实践 / 文明乡风 / 最美人物 / 志愿活动 / 服务驿站 / 活动品牌 / 志愿组织',
});
export const ArticleState = z
  .enum(keys(articleMachine.states))
  .meta({ id: 'ArticleState', description: '文章状态：草稿 / 待审核 / 待发布 / 已退回 / 已发布 / 已撤回' });
export const ArticleAction = z.enum([...keys(articleMachine.transitions), 'edit']).meta({
  id: 'ArticleAction',
  description: '文章的操作：提交审核 / 审核通过 / 退回修改 / 发布 / 撤回 / 重新编辑；edit 为修改内容',
});

const FileRef = z
  .object({ id: z.uuid(), name: z.string(), mime: z.string(), size: z.number().int(), url: z.string() })
  .meta({ id: 'ArticleFile', description: '文章的封面或附件' });

export const Article = z
  .object({
    id: z.uuid(),
    column: ArticleColumn,
    columnName: z.string(),
    title: z.string(),
    summary: z.string(),
    regionCode: z.string(),
    regionName: z.string().meta({ description: '乡镇 + 村（社区）' }),
    state: ArticleState,
    stateName: z.string(),
    authorName: z.string().nullable(),
    coverUrl: z.string().nullable(),
    publishedAt: dateTime.nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'Article', description: '宣传文章（列表中的一项）' });
export const ArticlePage = pageOf(Article).extend({ nextCursor: z.string().nullable().optional() });

export const ArticleDetail = Article.extend({
  body: z.string().meta({ description: '正文（已清理的 HTML）' }),
  coverFileId: z.uuid().nullable(),
  attachments: z.array(FileRef),
  reviewComment: z.string().nullable(),
  reviewerName: z.string().nullable(),
  views: z.number().int().meta({ description: '阅读次数' }),
  actions: z.array(ArticleAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
  events: z.array(
    z.object({
      action: z.string(),
      actionName: z.string(),
      fromState: z.string().nullable(),
      toState: z.string(),
      toStateName: z.string(),
      actorName: z.string(),
      note: z.string(),
      at: dateTime,
    }),
  ),
}).meta({ id: 'ArticleDetail', description: '宣传文章详情：正文、附件、流转记录与当前可执行的操作' });

export const PublicArticle = z
  .object({
    id: z.uuid(),
    column: ArticleColumn,
    columnName: z.string(),
    title: z.string(),
    summary: z.string(),
    coverUrl: z.string().nullable(),
    regionName: z.string(),
    publishedAt: dateTime,
  })
  .meta({ id: 'PublicArticle', description: '栏目中的一篇已发布文章' });
export const PublicArticlePage = pageOf(PublicArticle).extend({ nextCursor: z.string().nullable().optional() });

export const PublicArticleDetail = PublicArticle.extend({
  body: z.string().meta({ description: '正文 HTML（图片经本文的公开文件地址读取）' }),
  text: z.string().meta({ description: '正文纯文本，一段一行（大字版、朗读）' }),
  attachments: z.array(FileRef),
  views: z.number().int(),
}).meta({ id: 'PublicArticleDetail', description: '已发布文章的公开页面' });

export const PublicityKind = z.enum(publicityKinds).meta({
  id: 'PublicityKind',
  description: '线下宣传形式：宣传海报 / 宣传单 / 广播宣传 / 横幅标语 / 其他',
});
export const PublicityItem = z
  .object({
    id: z.uuid(),
    kind: PublicityKind,
    kindName: z.string(),
    unit: z.string(),
    title: z.string(),
    quantity: z.number().int(),
    day: isoDate,
    note: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    photoIds: z.array(z.uuid()),
    creatorName: z.string().nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'PublicityItem', description: '一次线下宣传：形式、数量、日期、地点与照片' });
export const PublicityPage = pageOf(PublicityItem).extend({ nextCursor: z.string().nullable().optional() });

export const ContentMeta = z
  .object({
    columns: z.array(z.object({ value: ArticleColumn, label: z.string() })),
    states: z.array(z.object({ value: ArticleState, label: z.string() })),
    actions: z.array(z.object({ value: z.string(), label: z.string() })),
    publicityKinds: z.array(z.object({ value: PublicityKind, label: z.string(), unit: z.string() })),
  })
  .meta({ id: 'ContentMeta', description: '栏目、文章状态与操作、线下宣传形式的中文名称' });

/** A file's bytes. */
export const ArticleFileContent = {
  description: '已发布文章的图片或附件',
  content: {
    'application/octet-stream': {
      schema: z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ type: 'string', format: 'binary' }),
    },
  },
};
