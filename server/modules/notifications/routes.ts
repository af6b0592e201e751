import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../../platform/context.js';
import { auth, pageQuery } from '../../platform/http.js';
import { notifications } from '../../db/schema/index.js';
import { offsetPage } from '../../platform/lists.js';
import { NotificationPage, ReadResult } from './schema.js';

/** The caller's in-app inbox (站内信): what platform/notify.ts delivers to the `notifications` table. */
export const notificationRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();

    app.get(
      '/notifications',
      {
        config: { account: true },
        schema: {
          tags: ['消息'],
          summary: '我的站内消息',
          querystring: z.object({ ...pageQuery, unread: z.enum(['true', 'false']).optional() }),
          response: { 200: NotificationPage },
        },
      },
      async (req) => {
        const uid = auth(req).userId;
        const where = and(
          eq(notifications.userId, uid),
          req.query.unread === 'true' ? sql`${notifications.readAt} is null` : sql`true`,
        );
        const [[{ unread }], { rows: items, total }] = await Promise.all([
          db
            .select({ unread: count() })
            .from(notifications)
            .where(and(eq(notifications.userId, uid), sql`${notifications.readAt} is null`)),
          offsetPage(db, {
            from: notifications,
            rows: () =>
              db
                .select({
                  id: notifications.id,
                  kind: notifications.kind,
                  title: notifications.title,
                  body: notifications.body,
                  entity: notifications.entity,
                  entityId: notifications.entityId,
                  readAt: notifications.readAt,
                  createdAt: notifications.createdAt,
                })
                .from(notifications),
            where,
            order: [desc(notifications.createdAt), desc(notifications.id)],
            filter: req.query,
          }),
        ]);
        return { items, total, unread, page: req.query.page, pageSize: req.query.pageSize };
      },
    );

    app.post(
      '/notifications/read',
      {
        config: { account: true },
        schema: {
          tags: ['消息'],
          summary: '标为已读（不传 ids 则全部已读）',
          body: z.object({ ids: z.array(z.uuid()).max(200).optional() }).nullish(),
          response: { 200: ReadResult },
        },
      },
      async (req) => {
        const uid = auth(req).userId;
        const ids = req.body?.ids;
        const r = await db
          .update(notifications)
          .set({ readAt: now() })
          .where(
            and(
              eq(notifications.userId, uid),
              sql`${notifications.readAt} is null`,
              ids?.length ? inArray(notifications.id, ids) : sql`true`,
            ),
          )
          .returning({ id: notifications.id });
        return { updated: r.length };
      },
    );
  };
