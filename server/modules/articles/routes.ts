import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, can, pageQuery, stateRoutes } from '../../platform/http.js';
import { idParam, regionCodeSchema } from '../../platform/validation.js';
import { articleColumns, articles, articleStates, publicityItems, publicityKinds } from '../../db/schema/index.js';
import { afterQuery, listsOf } from '../../platform/lists.js';
import { noContent, sendJsonText } from '../../platform/responses.js';
import { holdsId } from '../../platform/file-holders.js';
import { countyOf } from '../accounts/service.js';
import { resolveCounty } from '../regions/service.js';
import { articleColumnLabels, publicityKindLabels, publicityKindUnits, type ArticleColumn } from './labels.js';
import { cleanArticleHtml } from './sanitize.js';
import { articleMachine, type ArticleState } from './transitions.js';
import {
  approveArticle,
  articleStateLabels,
  createArticle,
  getArticle,
  isPublicArticleFile,
  listArticles,
  publicArticle,
  publicArticleFile,
  publicArticles,
  publishArticle,
  rejectArticle,
  reviseArticle,
  submitArticle,
  updateArticle,
  withdrawArticle,
  type ArticleCaller,
} from './service.js';
import {
  createPublicity,
  deletePublicity,
  findPublicity,
  getPublicity,
  listPublicity,
  updatePublicity,
} from './publicity.js';
import {
  ArticleDetail,
  ArticleFileContent,
  ArticlePage,
  ContentMeta,
  PublicArticleDetail,
  PublicArticlePage,
  PublicityItem,
  PublicityPage,
} from './schema.js';

const tags = ['内容'];
const column = z.enum(articleColumns, {
  error: `栏目（column）应为 ${articleColumns.map((c) => `${c}（${articleColumnLabels[c]}）`).join('、')} 之一`,
});
const stateList = z
  .string()
  .max(200)
  .transform((v, ctx) => {
    const list = v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const bad = list.find((x) => !(articleStates as readonly string[]).includes(x));
    if (bad) {
      ctx.addIssue({
        code: 'custom',
        message: `状态不正确：${bad}（可选 ${articleStates.map((s) => `${s} ${articleStateLabels[s]}`).join('、')}）`,
      });
      return z.NEVER;
    }
    return list as ArticleState[];
  });
const uuid = (label: string) => z.uuid(`${label} ID 格式不正确`);
const title = z.string({ error: '请填写标题' }).trim().min(2, '标题至少 2 个字').max(80, '标题不能超过 80 个字');
const summary = z.string().trim().max(200, '摘要不能超过 200 个字').nullish();
const bodyHtml = z
  .string({ error: '请填写正文' })
  .max(200_000, '正文过长（不能超过 20 万个字符），请拆分为多篇或把材料作为附件上传');
const attachmentIds = z.array(uuid('附件'), { error: 'attachmentIds 应为文件 ID 数组' }).max(20, '附件最多 20 个');

/** The body is sanitised as it is validated: the handler only ever sees clean HTML and the files its images show. */
const withCleanBody = <T extends { body?: string }>(b: T, ctx: z.RefinementCtx) => {
  if (b.body === undefined) return { ...b, imageIds: undefined };
  const clean = cleanArticleHtml(b.body);
  if (!clean.html.replace(/<[^>]*>/g, '').trim() && !clean.imageIds.length) {
    ctx.addIssue({ code: 'custom', path: ['body'], message: '正文不能为空（去除不允许的内容后没有文字或图片）' });
    return z.NEVER;
  }
  return { ...b, body: clean.html, imageIds: clean.imageIds };
};

const articleBody = z
  .object({
    column,
    title,
    body: bodyHtml,
    regionCode: regionCodeSchema,
    summary,
    coverFileId: uuid('封面').nullish(),
    attachmentIds: attachmentIds.optional(),
  })
  .transform(withCleanBody);
const articlePatch = z
  .object({
    column: column.optional(),
    title: title.optional(),
    body: bodyHtml.optional(),
    regionCode: regionCodeSchema.optional(),
    summary,
    coverFileId: uuid('封面').nullish(),
    attachmentIds: attachmentIds.optional(),
  })
  .transform(withCleanBody);
const county = z
  .string()
  .regex(/^\d{6}$/, '县级区划代码应为 6 位数字')
  .optional();

const day = z.iso.date('日期应为 YYYY-MM-DD');
const publicityBody = z.object({
  kind: z.enum(publicityKinds, {
    error: `宣传形式（kind）应为 ${publicityKinds.map((k) => `${k}（${publicityKindLabels[k]}）`).join('、')} 之一`,
  }),
  title: z.string({ error: '请填写宣传内容' }).trim().min(2, '宣传内容至少 2 个字').max(80, '宣传内容不能超过 80 个字'),
  quantity: z
    .number({ error: '数量应为正整数' })
    .int('数量应为正整数')
    .min(1, '数量至少为 1')
    .max(1_000_000, '数量不能超过 100 万'),
  day,
  regionCode: regionCodeSchema,
  note: z.string().trim().max(500, '说明不能超过 500 个字').optional(),
  photoIds: z.array(uuid('照片'), { error: 'photoIds 应为文件 ID 数组' }).max(9, '照片最多 9 张').optional(),
});

export const articleRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    const lists = listsOf(deps);
    const caller = (req: FastifyRequest): ArticleCaller => {
      const a = auth(req);
      return {
        actor: actor(req),
        userId: a.userId,
        name: a.name,
        countyCode: countyOf(a, deps),
        scope: a.scope,
        permissions: a.permissions,
      };
    };

    // an article's cover, body images and attachments: readable with the article, or by anyone once published
    app.fileHolders.define({
      kind: 'article',
      holding: (fileId) =>
        sql`select ${articles.id} as id from ${articles} where ${articles.coverFileId} = ${fileId}::uuid
          or ${holdsId(articles.imageIds, fileId)} or ${holdsId(articles.attachmentIds, fileId)}`,
      readable: async (req, id, fileId) =>
        (await isPublicArticleFile(db, id, fileId)) ||
        (can(req, 'article:write') && !!(await getArticle(db, caller(req), id))),
    });
    app.fileHolders.define({
      kind: 'publicity',
      holding: (fileId) =>
        sql`select ${publicityItems.id} as id from ${publicityItems} where ${holdsId(publicityItems.photoIds, fileId)}`,
      readable: async (req, id) => can(req, 'publicity:manage') && !!(await findPublicity(db, auth(req).scope, id)),
    });

    app.get(
      '/articles/meta',
      {
        config: { permission: 'article:write' },
        schema: { tags, summary: '栏目、文章状态与操作、线下宣传形式的中文名称', response: { 200: ContentMeta } },
      },
      async () => ({
        columns: articleColumns.map((value) => ({ value, label: articleColumnLabels[value] })),
        states: articleStates.map((value) => ({ value, label: articleStateLabels[value] })),
        actions: [
          ...Object.entries(articleMachine.transitions).map(([value, t]) => ({ value, label: t.label })),
          { value: 'edit', label: '修改' },
        ],
        publicityKinds: publicityKinds.map((value) => ({
          value,
          label: publicityKindLabels[value],
          unit: publicityKindUnits[value],
        })),
      }),
    );

    app.post(
      '/articles',
      {
        config: { permission: 'article:write', attachesFiles: ['coverFileId', 'attachmentIds', 'imageIds'] },
        schema: {
          tags,
          summary: '新建宣传文章（草稿；正文 HTML 在保存时清理，图片只能引用本平台上传的文件）',
          body: articleBody,
          response: { 201: ArticleDetail },
        },
      },
      async (req, reply) => {
        const b = req.body;
        const row = await createArticle(db, caller(req), now(), { ...b, imageIds: b.imageIds ?? [] });
        return reply.status(201).send(await getArticle(db, caller(req), row.id));
      },
    );

    app.get(
      '/articles',
      {
        config: { permission: 'article:write' },
        schema: {
          tags,
          summary: '文章列表（按数据权限）；queue=true 为我待审核、待发布的文章',
          querystring: z.object({
            ...pageQuery,
            column: column.optional(),
            state: stateList.optional(),
            regionCode: regionCodeSchema.optional(),
            q: z.string().trim().max(50, '搜索关键字不能超过 50 个字').optional(),
            queue: z
              .enum(['true', 'false'], { error: 'queue 应为 true 或 false' })
              .transform((v) => v === 'true')
              .optional(),
            ...afterQuery,
          }),
          response: { 200: ArticlePage },
        },
      },
      async (req, reply) => sendJsonText(reply, await listArticles(lists, db, caller(req), req.query)),
    );

    app.get(
      '/articles/:id',
      {
        config: { permission: 'article:write' },
        schema: {
          tags,
          summary: '文章详情：正文、附件、流转记录与当前可执行的操作',
          params: idParam,
          response: { 200: ArticleDetail },
        },
      },
      async (req) => getArticle(db, caller(req), req.params.id),
    );

    app.patch(
      '/articles/:id',
      {
        config: { permission: 'article:write', attachesFiles: ['coverFileId', 'attachmentIds', 'imageIds'] },
        schema: {
          tags,
          summary: '修改文章（仅草稿或已退回的文章）',
          params: idParam,
          body: articlePatch,
          response: { 200: ArticleDetail },
        },
      },
      async (req) => {
        await updateArticle(db, caller(req), now(), req.params.id, req.body);
        return getArticle(db, caller(req), req.params.id);
      },
    );

    const reason = (what: string) =>
      z.object({
        reason: z
          .string({ error: `请填写${what}` })
          .trim()
          .min(2, `请填写${what}（至少 2 个字）`)
          .max(500, `${what}不能超过 500 个字`),
      });
    const optional = (what: string) =>
      z.object({ reason: z.string().trim().max(500, `${what}不能超过 500 个字`).optional() }).nullish();
    const action = stateRoutes(app, {
      prefix: '/articles',
      tags,
      detail: ArticleDetail,
      caller,
      answer: (c, id) => getArticle(db, c, id),
    });
    const write = 'article:write';
    const review = 'article:review';
    action('submit', { permission: write, summary: '提交审核' }, (c, id) => submitArticle(db, c, now(), id));
    action(
      'approve',
      {
        permission: review,
        summary: '审核通过（上一级工作人员；县中心可审核本县全部文章）',
        body: optional('审核意见'),
      },
      (c, id, b) => approveArticle(db, c, now(), id, b?.reason),
    );
    action('reject', { permission: review, summary: '退回修改（须填写原因）', body: reason('退回原因') }, (c, id, b) =>
      rejectArticle(db, c, now(), id, b.reason),
    );
    action('publish', { permission: review, summary: '发布到栏目（公开，无需登录即可阅读）' }, (c, id) =>
      publishArticle(db, c, now(), id),
    );
    action(
      'withdraw',
      { permission: review, summary: '从栏目撤回已发布的文章', body: optional('撤回原因') },
      (c, id, b) => withdrawArticle(db, c, now(), id, b?.reason),
    );
    action('revise', { permission: write, summary: '撤回的文章重新编辑（回到草稿）' }, (c, id) =>
      reviseArticle(db, c, now(), id),
    );

    // ---------- public ----------

    app.get(
      '/public/articles',
      {
        config: { auth: false },
        schema: {
          tags,
          summary: '栏目文章列表（无需登录；仅已发布的）',
          security: [],
          querystring: z.object({
            ...pageQuery,
            county,
            column: column.optional(),
            regionCode: regionCodeSchema.optional(),
            ...afterQuery,
          }),
          response: { 200: PublicArticlePage },
        },
      },
      async (req, reply) => {
        const { county: c, ...f } = req.query;
        // a named county is checked when its page is built (a kept page was built for a county that exists, and
        // the regions' version keeps it so): a request served from the list cache costs no lookup of the county
        const countyCode = c ?? f.regionCode?.slice(0, 6) ?? (await resolveCounty(db, undefined));
        return sendJsonText(
          reply,
          await publicArticles(lists, db, countyCode, { ...f, column: f.column as ArticleColumn }),
        );
      },
    );

    app.get(
      '/public/articles/:id',
      {
        config: { auth: false },
        schema: {
          tags,
          summary: '阅读已发布的文章（无需登录；计一次阅读）',
          security: [],
          params: idParam,
          response: { 200: PublicArticleDetail },
        },
      },
      async (req) => publicArticle(db, req.params.id),
    );

    app.get(
      '/public/articles/:id/files/:fileId',
      {
        config: { auth: false },
        schema: {
          tags,
          summary: '已发布文章的封面、正文图片与附件（无需登录）',
          security: [],
          params: idParam.extend({ fileId: z.uuid('文件 ID 格式不正确') }),
          response: { 200: ArticleFileContent },
        },
      },
      async (req, reply) => {
        const f = await publicArticleFile(db, req.params.id, req.params.fileId);
        const data = await deps.files.get(f.storageKey);
        if (!f.mime.startsWith('image/'))
          reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`);
        return reply
          .header('content-type', f.mime)
          .header('cache-control', 'public, max-age=600')
          .header('x-content-type-options', 'nosniff')
          .send(data);
      },
    );

    // ---------- offline publicity ----------

    app.get(
      '/publicity',
      {
        config: { permission: 'publicity:manage' },
        schema: {
          tags,
          summary: '线下宣传记录（按数据权限）',
          querystring: z.object({
            ...pageQuery,
            kind: publicityBody.shape.kind.optional(),
            regionCode: regionCodeSchema.optional(),
            q: z.string().trim().max(50, '搜索关键字不能超过 50 个字').optional(),
            ...afterQuery,
          }),
          response: { 200: PublicityPage },
        },
      },
      async (req, reply) => {
        const a = auth(req);
        return sendJsonText(reply, await listPublicity(lists, db, a.scope, countyOf(a, deps), req.query));
      },
    );
    app.post(
      '/publicity',
      {
        config: { permission: 'publicity:manage', attachesFiles: ['photoIds'] },
        schema: {
          tags,
          summary: '登记一次线下宣传（海报、宣传单、广播、横幅…，数量与照片）',
          body: publicityBody,
          response: { 201: PublicityItem },
        },
      },
      async (req, reply) => {
        const row = await createPublicity(db, caller(req), now(), req.body);
        return reply.status(201).send(await getPublicity(db, auth(req).scope, row.id));
      },
    );
    app.get(
      '/publicity/:id',
      {
        config: { permission: 'publicity:manage' },
        schema: { tags, summary: '线下宣传记录详情', params: idParam, response: { 200: PublicityItem } },
      },
      async (req) => getPublicity(db, auth(req).scope, req.params.id),
    );
    app.patch(
      '/publicity/:id',
      {
        config: { permission: 'publicity:manage', attachesFiles: ['photoIds'] },
        schema: {
          tags,
          summary: '修改线下宣传记录',
          params: idParam,
          body: publicityBody.partial(),
          response: { 200: PublicityItem },
        },
      },
      async (req) => {
        await updatePublicity(db, caller(req), now(), req.params.id, req.body);
        return getPublicity(db, auth(req).scope, req.params.id);
      },
    );
    app.delete(
      '/publicity/:id',
      {
        config: { permission: 'publicity:manage' },
        schema: { tags, summary: '删除线下宣传记录', params: idParam, response: { 204: noContent } },
      },
      async (req, reply) => {
        await deletePublicity(db, caller(req), req.params.id);
        return reply.status(204).send();
      },
    );
  };
