import { sql } from 'drizzle-orm';
import { pgTable, text, uuid, timestamp, integer, jsonb, date, index, primaryKey, check } from 'drizzle-orm/pg-core';
import { regionColumns } from './core.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** 栏目 (API.md, "Code lists"): the nine content columns. */
export const articleColumns = [
  'news',
  'policy',
  'practice',
  'civil_customs',
  'role_models',
  'volunteer_activities',
  'service_stations',
  'brands',
  'organizations',
] as const;
export const articleStates = ['draft', 'submitted', 'approved', 'rejected', 'published', 'withdrawn'] as const;

/** 宣传文章: written in a region's place, reviewed by the level above, published to the public columns. */
export const articles = pgTable(
  'articles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    column: text('column', { enum: articleColumns }).notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    /** Sanitised HTML (sanitize-html, modules/articles/sanitize.ts); images only from our own files. */
    body: text('body').notNull(),
    coverFileId: uuid('cover_file_id'),
    attachmentIds: jsonb('attachment_ids').$type<string[]>().notNull().default([]),
    /** The files the body's images show (kept beside the body: the file holders and the public file route). */
    imageIds: jsonb('image_ids').$type<string[]>().notNull().default([]),
    state: text('state', { enum: articleStates }).notNull(),
    authorId: uuid('author_id'),
    reviewerId: uuid('reviewer_id'),
    reviewComment: text('review_comment'),
    publishedAt: ts('published_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('articles_path_idx').on(t.regionPath.op('text_pattern_ops'), t.state),
    index('articles_list_idx').on(t.countyCode, t.createdAt.desc(), t.id.desc()),
    index('articles_public_idx').on(t.countyCode, t.state, t.publishedAt.desc(), t.id.desc()),
  ],
);

/**
 * Views of an article, in shards (the reading backend's pid mod 8): a view is one upsert on one of eight rows, so
 * readers of one popular article rarely wait on each other, and the article row (and the public list's version) is
 * not touched by a view.
 */
export const articleViews = pgTable(
  'article_views',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    shard: integer('shard').notNull(),
    views: integer('views').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.shard] })],
);

/** 线下宣传: posters, leaflets, broadcasts, banners … counted, with photos, so a report can state them. */
export const publicityKinds = ['poster', 'leaflet', 'broadcast', 'banner', 'other'] as const;
export const publicityItems = pgTable(
  'publicity_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    kind: text('kind', { enum: publicityKinds }).notNull(),
    title: text('title').notNull(),
    quantity: integer('quantity').notNull(),
    /** The day it was put up or handed out (China time). */
    day: date('day', { mode: 'string' }).notNull(),
    note: text('note').notNull().default(''),
    photoIds: jsonb('photo_ids').$type<string[]>().notNull().default([]),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('publicity_items_path_idx').on(t.regionPath.op('text_pattern_ops'), t.day),
    index('publicity_items_list_idx').on(t.countyCode, t.day.desc(), t.id.desc()),
    check('publicity_items_quantity_ck', sql`${t.quantity} > 0`),
  ],
);
