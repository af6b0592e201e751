import { and, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx } from '../../db/client.js';
import { articles, articleViews, files, regions, roleAssignments } from '../../db/schema/index.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { actionsFor, addEvent, assertAllowed, runTransition, timelineOf } from '../../platform/transitions.js';
import { countyScope, escapeLike, inScope, regionInScope, type Scope } from '../../platform/scope.js';
import type { Permission } from '../../platform/permissions.js';
import { keysetPage, type ListAnswer, type ListDef, type Lists, type SortKey } from '../../platform/lists.js';
import { userNameSql } from '../accounts/sql.js';
import { resolveCounty } from '../regions/service.js';
import { getSetting } from '../settings/service.js';
import { articleColumnLabels, type ArticleColumn } from './labels.js';
import { plainText, publicBody } from './sanitize.js';
import {
  articleMachine,
  editableStates,
  type ArticleAction,
  type ArticleParty,
  type ArticleState,
} from './transitions.js';

export type ArticleCaller = {
  actor: Actor;
  userId: string;
  name: string;
  countyCode: string;
  scope: Scope;
  permissions: ReadonlySet<Permission>;
};

export const articleStateLabels = articleMachine.states;
export { articleColumnLabels, publicityKindLabels } from './labels.js';

/** Staff see the articles of their regions (and an author what they wrote). */
const articleScope = (scope: Scope) =>
  inScope(scope, { path: articles.regionPath, regionCode: articles.regionCode, owner: articles.authorId });

const depth = (path: string) => path.split('/').filter(Boolean).length;

/**
 * Whether the caller reviews articles at this region path: staff of the level above (a town's institute for its
 * villages, the county center for its towns), the county center for everything in the county (its own drafts
 * included), and, with `articles.townSelfPublish` on, a town's institute for its own town-level articles.
 */
export function reviewsAt(scope: Scope, path: string, townSelfPublish: boolean) {
  if (scope.all) return true;
  return scope.subtrees.some(
    (p) => path.startsWith(p) && (depth(p) === 1 || path !== p || (townSelfPublish && depth(p) === 2)),
  );
}

/** The same rule in SQL: the review queue (`GET /articles?queue=true`). */
function reviewsSql(scope: Scope, townSelfPublish: boolean): SQL {
  if (scope.all) return sql`true`;
  const parts = scope.subtrees.map((p) => {
    const under = sql`${articles.regionPath} like ${escapeLike(p) + '%'}`;
    return depth(p) === 1 || (townSelfPublish && depth(p) === 2)
      ? under
      : sql`(${under} and ${articles.regionPath} <> ${p})`;
  });
  return parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`false`;
}

const townSelfPublish = (db: DbOrTx, countyCode: string) =>
  getSetting<boolean>(db, countyCode, 'articles.townSelfPublish');

const town = alias(regions, 'town');
const fileUrl = (id: string | null) => (id ? `/api/v1/files/${id}` : null);
const publicFileUrl = (articleId: string, fileId: string) => `/api/v1/public/articles/${articleId}/files/${fileId}`;

const listColumns = {
  id: articles.id,
  column: articles.column,
  title: articles.title,
  summary: articles.summary,
  regionCode: articles.regionCode,
  villageName: regions.name,
  townName: sql<string | null>`case when ${regions.level} = 'village' then ${town.name} end`,
  state: articles.state,
  authorName: userNameSql(articles.authorId),
  coverFileId: articles.coverFileId,
  publishedAt: articles.publishedAt,
  createdAt: articles.createdAt,
  updatedAt: articles.updatedAt,
};
/** The rows of the article lists (staff and public), with their place names. */
const articleRows = (db: DbOrTx) => (cursor: SQL<string>) =>
  db
    .select({ ...listColumns, cursor })
    .from(articles)
    .innerJoin(regions, eq(regions.code, articles.regionCode))
    .leftJoin(town, eq(town.code, regions.parentCode));
type ListRow = {
  id: string;
  column: ArticleColumn;
  title: string;
  summary: string;
  regionCode: string;
  villageName: string;
  townName: string | null;
  state: ArticleState;
  authorName: string | null;
  coverFileId: string | null;
  publishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

function present(r: ListRow) {
  return {
    id: r.id,
    column: r.column,
    columnName: articleColumnLabels[r.column],
    title: r.title,
    summary: r.summary,
    regionCode: r.regionCode,
    regionName: `${r.townName ?? ''}${r.villageName}`,
    state: r.state,
    stateName: articleStateLabels[r.state],
    authorName: r.authorName,
    coverUrl: fileUrl(r.coverFileId),
    publishedAt: r.publishedAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

async function regionPathOf(db: DbOrTx, code: string | undefined, countyCode: string) {
  if (!code) return null;
  const [r] = await db
    .select({ path: regions.path, countyCode: regions.countyCode })
    .from(regions)
    .where(eq(regions.code, code));
  if (!r || r.countyCode !== countyCode) throw invalid('regionCode', '区划代码不存在或不属于本县');
  return r.path;
}

// ---------- the staff list ----------

export type ArticleFilter = {
  column?: ArticleColumn;
  state?: ArticleState[];
  regionCode?: string;
  q?: string;
  queue?: boolean;
  page: number;
  pageSize: number;
  after?: string;
};
const articleKeys: SortKey[] = [
  { column: articles.updatedAt, desc: true, type: 'timestamp' },
  { column: articles.id, desc: true, type: 'uuid' },
];
export const articlesList: ListDef<ArticleFilter> = {
  name: 'articles',
  groups: { county: ['articles'], global: ['regions', 'user_names'] },
};

/** `GET /articles`: in scope, newest change first; `queue` keeps those the caller reviews and that await review. */
export async function listArticles(lists: Lists, db: DbOrTx, c: ArticleCaller, f: ArticleFilter): Promise<ListAnswer> {
  const selfPublish = f.queue ? await townSelfPublish(db, c.countyCode) : false;
  return lists.page(
    articlesList,
    { scope: c.scope, countyCode: c.countyCode, filter: f, variant: f.queue ? selfPublish : null },
    async (knownTotal) => {
      const conds: SQL[] = [articleScope(c.scope)];
      if (f.column) conds.push(eq(articles.column, f.column));
      if (f.state?.length) conds.push(inArray(articles.state, f.state));
      const path = await regionPathOf(db, f.regionCode, c.countyCode);
      if (path) conds.push(sql`${articles.regionPath} like ${escapeLike(path) + '%'}`);
      if (f.q) conds.push(ilike(articles.title, `%${escapeLike(f.q)}%`));
      if (f.queue) {
        if (!c.permissions.has('article:review')) conds.push(sql`false`);
        conds.push(reviewsSql(c.scope, selfPublish), inArray(articles.state, ['submitted', 'approved']));
      }
      const { rows, total, nextCursor } = await keysetPage(db, {
        from: articles,
        rows: articleRows(db),
        where: and(...conds),
        keys: articleKeys,
        filter: f,
        knownTotal,
      });
      return { items: rows.map(present), total, nextCursor };
    },
  );
}

// ---------- one article ----------

/**
 * The scoped loader of an article: found only when its region is in the caller's scope (or the caller wrote it);
 * out of sight = not found. Says who the caller is to it.
 */
export async function findArticle(db: DbOrTx, c: ArticleCaller, id: string) {
  const regionSees = inScope(c.scope, { path: articles.regionPath, regionCode: articles.regionCode });
  const [row] = await db
    .select({
      ...listColumns,
      countyCode: articles.countyCode,
      regionPath: articles.regionPath,
      body: articles.body,
      attachmentIds: articles.attachmentIds,
      imageIds: articles.imageIds,
      authorId: articles.authorId,
      reviewComment: articles.reviewComment,
      reviewerName: userNameSql(articles.reviewerId),
      regionSees: sql<boolean>`${regionSees}`,
    })
    .from(articles)
    .innerJoin(regions, eq(regions.code, articles.regionCode))
    .leftJoin(town, eq(town.code, regions.parentCode))
    .where(and(eq(articles.id, id), articleScope(c.scope)));
  if (!row) throw notFound('文章');
  const parties = new Set<ArticleParty>();
  if (row.regionSees && c.permissions.has('article:write')) parties.add('editor');
  if (
    row.regionSees &&
    c.permissions.has('article:review') &&
    reviewsAt(c.scope, row.regionPath, await townSelfPublish(db, row.countyCode))
  )
    parties.add('reviewer');
  return { a: row, parties };
}
type Found = Awaited<ReturnType<typeof findArticle>>;

const canEdit = (f: Found) => f.parties.has('editor') && editableStates.includes(f.a.state);
const actionsOf = (f: Found): (ArticleAction | 'edit')[] => [
  ...actionsFor(articleMachine, f.a.state, f.parties, undefined),
  ...(canEdit(f) ? (['edit'] as const) : []),
];

async function fileRefs(db: DbOrTx, ids: string[], url: (id: string) => string) {
  if (!ids.length) return [];
  const rows = await db
    .select({ id: files.id, name: files.originalName, mime: files.mime, size: files.size })
    .from(files)
    .where(inArray(files.id, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [{ id, name: r.name, mime: r.mime, size: Number(r.size), url: url(id) }] : [];
  });
}

export async function viewsOf(db: DbOrTx, id: string) {
  const [r] = await db
    .select({ n: sql<number>`coalesce(sum(${articleViews.views}), 0)::int` })
    .from(articleViews)
    .where(eq(articleViews.articleId, id));
  return r?.n ?? 0;
}

export async function getArticle(db: DbOrTx, c: ArticleCaller, id: string) {
  const f = await findArticle(db, c, id);
  const { a } = f;
  const [events, attachments, views] = await Promise.all([
    timelineOf(db, articleMachine, id),
    fileRefs(db, a.attachmentIds, (fid) => `/api/v1/files/${fid}`),
    viewsOf(db, id),
  ]);
  return {
    ...present(a),
    body: a.body,
    coverFileId: a.coverFileId,
    attachments,
    reviewComment: a.reviewComment,
    reviewerName: a.reviewerName,
    views,
    actions: actionsOf(f),
    events: events.map((e) => ({
      action: e.action,
      actionName: e.actionName,
      fromState: e.fromState,
      toState: e.toState,
      toStateName: e.toStateName,
      actorName: e.actorName,
      note: e.note,
      at: e.at,
    })),
  };
}

// ---------- writing ----------

export type ArticleInput = {
  column: ArticleColumn;
  title: string;
  body: string;
  imageIds: string[];
  regionCode: string;
  summary?: string | null;
  coverFileId?: string | null;
  attachmentIds?: string[];
};

/** The files an article names must be files of its county; the cover and the body's images must be images. */
async function checkFiles(
  db: DbOrTx,
  countyCode: string,
  b: { coverFileId?: string | null; attachmentIds?: string[]; imageIds?: string[] },
) {
  const ids = [
    ...new Set([b.coverFileId, ...(b.attachmentIds ?? []), ...(b.imageIds ?? [])].filter(Boolean)),
  ] as string[];
  if (!ids.length) return;
  const rows = await db
    .select({ id: files.id, mime: files.mime, countyCode: files.countyCode })
    .from(files)
    .where(inArray(files.id, ids));
  const ok = new Map(rows.filter((r) => !r.countyCode || r.countyCode === countyCode).map((r) => [r.id, r.mime]));
  const isImage = (id: string) => ok.get(id)?.startsWith('image/');
  if (b.coverFileId && !isImage(b.coverFileId))
    throw invalid('coverFileId', '封面图片不存在，请先上传图片（JPEG/PNG/WebP）');
  const badAttachment = b.attachmentIds?.findIndex((id) => !ok.has(id)) ?? -1;
  if (badAttachment >= 0) throw invalid(`attachmentIds.${badAttachment}`, '附件不存在，请先上传附件');
  if (b.imageIds?.some((id) => !isImage(id))) throw invalid('body', '正文中的图片不存在，请通过“插入图片”上传后再保存');
}

const summaryOf = (summary: string | null | undefined, body: string) =>
  summary?.trim() || [...plainText(body).replace(/\n/g, '')].slice(0, 80).join('');

/** Those who review the articles of a place (to be told of a submission). */
async function reviewerIds(db: DbOrTx, regionPath: string, selfPublish: boolean) {
  const [county, townCode, village] = regionPath.split('/').filter(Boolean);
  const wantTown = !!townCode && (!!village || selfPublish);
  const rows = await db
    .select({ userId: roleAssignments.userId, role: roleAssignments.roleCode, region: roleAssignments.regionCode })
    .from(roleAssignments)
    .where(
      and(
        inArray(roleAssignments.regionCode, [county, townCode].filter(Boolean) as string[]),
        inArray(roleAssignments.roleCode, ['county_admin', 'institute_admin']),
      ),
    );
  return rows
    .filter((r) => (r.role === 'county_admin' ? r.region === county : wantTown && r.region === townCode))
    .map((r) => r.userId);
}

/** `POST /articles`: a draft in a region of the caller's scope. */
export async function createArticle(db: Db, c: ArticleCaller, now: Date, b: ArticleInput) {
  const [region] = await db.select().from(regions).where(eq(regions.code, b.regionCode));
  if (!region || region.countyCode !== c.countyCode) throw invalid('regionCode', '区划代码不存在或不属于本县');
  if (!regionInScope(c.scope, region.path)) throw invalid('regionCode', '只能在本单位管辖的区域内发文');
  await checkFiles(db, c.countyCode, b);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(articles)
      .values({
        countyCode: c.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        column: b.column,
        title: b.title,
        summary: summaryOf(b.summary, b.body),
        body: b.body,
        coverFileId: b.coverFileId ?? null,
        attachmentIds: b.attachmentIds ?? [],
        imageIds: b.imageIds,
        state: 'draft',
        authorId: c.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await addEvent(tx, {
      entity: 'article',
      entityId: row.id,
      action: 'create',
      from: null,
      to: 'draft',
      actor: c.actor,
      at: now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: c.countyCode },
      { action: 'article.create', entity: 'article', entityId: row.id, after: { ...row, body: undefined } },
    );
    return row;
  });
}

export type ArticlePatch = Partial<Omit<ArticleInput, 'imageIds'>> & { imageIds?: string[] };

/** `PATCH /articles/:id`: an editor changes a draft or an article sent back; the state stays. */
export async function updateArticle(db: Db, c: ArticleCaller, now: Date, id: string, b: ArticlePatch) {
  const f = await findArticle(db, c, id);
  if (!f.parties.has('editor')) throw new AppError('FORBIDDEN', '您不能修改该文章');
  if (!canEdit(f))
    throw new AppError('INVALID_TRANSITION', `该文章${articleStateLabels[f.a.state]}，只有草稿或已退回的文章可以修改`);
  let region = { code: f.a.regionCode, path: f.a.regionPath };
  if (b.regionCode && b.regionCode !== f.a.regionCode) {
    const [r] = await db.select().from(regions).where(eq(regions.code, b.regionCode));
    if (!r || r.countyCode !== c.countyCode) throw invalid('regionCode', '区划代码不存在或不属于本县');
    if (!regionInScope(c.scope, r.path)) throw invalid('regionCode', '只能在本单位管辖的区域内发文');
    region = { code: r.code, path: r.path };
  }
  await checkFiles(db, c.countyCode, b);
  const body = b.body ?? f.a.body;
  const set = {
    ...(b.column ? { column: b.column } : {}),
    ...(b.title ? { title: b.title } : {}),
    ...(b.body !== undefined ? { body: b.body, imageIds: b.imageIds ?? [] } : {}),
    ...(b.summary !== undefined || b.body !== undefined ? { summary: summaryOf(b.summary ?? f.a.summary, body) } : {}),
    ...(b.coverFileId !== undefined ? { coverFileId: b.coverFileId } : {}),
    ...(b.attachmentIds !== undefined ? { attachmentIds: b.attachmentIds } : {}),
    regionCode: region.code,
    regionPath: region.path,
    updatedAt: now,
  };
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(articles)
      .set(set)
      .where(and(eq(articles.id, id), eq(articles.state, f.a.state), eq(articles.updatedAt, f.a.updatedAt)))
      .returning();
    if (!row) throw new AppError('INVALID_TRANSITION', '该文章已被他人修改或处理，请刷新后重试');
    await addEvent(tx, {
      entity: 'article',
      entityId: id,
      action: 'edit',
      from: f.a.state,
      to: f.a.state,
      actor: c.actor,
      at: now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: f.a.countyCode },
      {
        action: 'article.edit',
        entity: 'article',
        entityId: id,
        before: { title: f.a.title, column: f.a.column, regionCode: f.a.regionCode },
        after: { title: row.title, column: row.column, regionCode: row.regionCode },
        detail: { fields: Object.keys(b) },
      },
    );
    return row;
  });
}

const label = (a: { title: string }) => `《${a.title}》`;

/** One transition of the machine: conditional update, timeline, notice and audit in one transaction. */
async function step(
  db: Db,
  c: ArticleCaller,
  now: Date,
  id: string,
  action: ArticleAction,
  opts: {
    set?: Partial<typeof articles.$inferInsert>;
    note?: string;
    tell?: (f: Found) => Promise<string[]> | string[];
    body?: (f: Found) => string;
  },
) {
  const f = await findArticle(db, c, id);
  assertAllowed(articleMachine, action, f.a.state, f.parties, undefined);
  const t = articleMachine.transitions[action];
  const userIds = opts.tell ? await opts.tell(f) : [];
  return db.transaction((tx) =>
    runTransition(tx, {
      machine: articleMachine,
      table: articles,
      record: { id, countyCode: f.a.countyCode, state: f.a.state },
      action,
      actor: c.actor,
      now,
      set: { ...opts.set, updatedAt: now },
      note: opts.note,
      lost: '该文章已被他人处理，请刷新后重试',
      tell: () =>
        userIds.length
          ? { userIds, title: `文章${t.label}`, body: opts.body?.(f) ?? `${label(f.a)}：${t.label}` }
          : null,
    }),
  );
}

const author = (f: Found) => (f.a.authorId ? [f.a.authorId] : []);

export const submitArticle = (db: Db, c: ArticleCaller, now: Date, id: string) =>
  step(db, c, now, id, 'submit', {
    set: { reviewComment: null },
    tell: async (f) => reviewerIds(db, f.a.regionPath, await townSelfPublish(db, f.a.countyCode)),
    body: (f) => `${f.a.townName ?? ''}${f.a.villageName}提交了文章${label(f.a)}，请审核`,
  });
export const approveArticle = (db: Db, c: ArticleCaller, now: Date, id: string, comment?: string) =>
  step(db, c, now, id, 'approve', {
    set: { reviewerId: c.userId, reviewComment: comment?.trim() || null },
    note: comment,
    tell: author,
    body: (f) => `您的文章${label(f.a)}已通过审核，待发布`,
  });
export const rejectArticle = (db: Db, c: ArticleCaller, now: Date, id: string, reason: string) =>
  step(db, c, now, id, 'reject', {
    set: { reviewerId: c.userId, reviewComment: reason },
    note: reason,
    tell: author,
    body: (f) => `您的文章${label(f.a)}被退回修改：${reason}`,
  });
export const publishArticle = (db: Db, c: ArticleCaller, now: Date, id: string) =>
  step(db, c, now, id, 'publish', {
    set: { publishedAt: now, reviewerId: c.userId },
    tell: author,
    body: (f) => `您的文章${label(f.a)}已发布到“${articleColumnLabels[f.a.column]}”栏目`,
  });
export const withdrawArticle = (db: Db, c: ArticleCaller, now: Date, id: string, reason?: string) =>
  step(db, c, now, id, 'withdraw', {
    note: reason,
    tell: author,
    body: (f) => `您的文章${label(f.a)}已从栏目撤回${reason ? `：${reason}` : ''}`,
  });
export const reviseArticle = (db: Db, c: ArticleCaller, now: Date, id: string) =>
  step(db, c, now, id, 'revise', { set: { reviewComment: null } });

// ---------- the public columns ----------

export type PublicFilter = {
  column?: ArticleColumn;
  regionCode?: string;
  page: number;
  pageSize: number;
  after?: string;
};
const publicKeys: SortKey[] = [
  { column: articles.publishedAt, desc: true, type: 'timestamp' },
  { column: articles.id, desc: true, type: 'uuid' },
];
export const publicArticlesList: ListDef<PublicFilter> = {
  name: 'public_articles',
  groups: { county: ['articles'], global: ['regions'] },
};

/**
 * `GET /public/articles`: the county's published articles, newest first, kept by the list cache under the county's
 * `articles` version (publish, withdraw and edit bump it; a view does not), so a kept page is never stale.
 */
export async function publicArticles(
  lists: Lists,
  db: DbOrTx,
  countyCode: string,
  f: PublicFilter,
): Promise<ListAnswer> {
  return lists.page(
    publicArticlesList,
    { scope: countyScope(countyCode), countyCode, filter: f },
    async (knownTotal) => {
      await resolveCounty(db, countyCode); // a county not set up here: 400 naming `county`, never kept
      const conds: SQL[] = [eq(articles.countyCode, countyCode), eq(articles.state, 'published')];
      if (f.column) conds.push(eq(articles.column, f.column));
      const path = await regionPathOf(db, f.regionCode, countyCode);
      if (path) conds.push(sql`${articles.regionPath} like ${escapeLike(path) + '%'}`);
      const { rows, total, nextCursor } = await keysetPage(db, {
        from: articles,
        rows: articleRows(db),
        where: and(...conds),
        keys: publicKeys,
        filter: f,
        knownTotal,
      });
      return {
        items: rows.map((r) => {
          const p = present(r);
          return {
            id: p.id,
            column: p.column,
            columnName: p.columnName,
            title: p.title,
            summary: p.summary,
            coverUrl: r.coverFileId ? publicFileUrl(r.id, r.coverFileId) : null,
            regionName: p.regionName,
            publishedAt: p.publishedAt,
          };
        }),
        total,
        nextCursor,
      };
    },
  );
}

/**
 * One view: an upsert on one of the article's eight view shards (the backend's pid mod 8), so the article row and
 * the public list's version are untouched and concurrent readers rarely meet on one row.
 */
export async function countView(db: DbOrTx, id: string) {
  await db.execute(sql`insert into article_views (article_id, shard, views)
    values (${id}::uuid, pg_backend_pid() % 8, 1)
    on conflict (article_id, shard) do update set views = article_views.views + 1`);
}

/** `GET /public/articles/:id`: a published article, with its images and files through its public file route. */
export async function publicArticle(db: DbOrTx, id: string) {
  const [r] = await db
    .select({ ...listColumns, body: articles.body, attachmentIds: articles.attachmentIds })
    .from(articles)
    .innerJoin(regions, eq(regions.code, articles.regionCode))
    .leftJoin(town, eq(town.code, regions.parentCode))
    .where(and(eq(articles.id, id), eq(articles.state, 'published')));
  if (!r) throw new AppError('NOT_FOUND', '文章不存在或未发布');
  await countView(db, id);
  const [attachments, views] = await Promise.all([
    fileRefs(db, r.attachmentIds, (fid) => publicFileUrl(id, fid)),
    viewsOf(db, id),
  ]);
  const p = present(r);
  return {
    id,
    column: p.column,
    columnName: p.columnName,
    title: p.title,
    summary: p.summary,
    coverUrl: r.coverFileId ? publicFileUrl(id, r.coverFileId) : null,
    regionName: p.regionName,
    publishedAt: p.publishedAt!,
    body: publicBody(id, r.body),
    text: plainText(r.body),
    attachments,
    views,
  };
}

/** A file a published article shows (cover, body image, attachment): the only article file a stranger can fetch. */
export async function publicArticleFile(db: DbOrTx, id: string, fileId: string) {
  const held = or(
    eq(articles.coverFileId, fileId),
    sql`${articles.imageIds} @> ${JSON.stringify([fileId])}::jsonb`,
    sql`${articles.attachmentIds} @> ${JSON.stringify([fileId])}::jsonb`,
  );
  const [row] = await db
    .select({ storageKey: files.storageKey, mime: files.mime, name: files.originalName })
    .from(articles)
    .innerJoin(files, eq(files.id, fileId))
    .where(and(eq(articles.id, id), eq(articles.state, 'published'), held));
  if (!row) throw new AppError('NOT_FOUND', '文件不存在或未公开');
  return row;
}

/** Whether a published article holds the file (the file holder's public half). */
export const isPublicArticleFile = (db: DbOrTx, id: string, fileId: string) =>
  publicArticleFile(db, id, fileId).then(
    () => true,
    () => false,
  );
