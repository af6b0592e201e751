import { z } from 'zod';
import { dateTime } from '../../platform/responses.js';

/** What the inbox routes answer (named components of the OpenAPI document; the web's types come from them). */

export const Notification = z
  .object({
    id: z.uuid(),
    kind: z.string().meta({ description: '消息类别，如 order.dispatched' }),
    title: z.string(),
    body: z.string(),
    entity: z.string().nullable().meta({ description: '相关记录的类型，如 order' }),
    entityId: z.string().nullable(),
    readAt: dateTime.nullable(),
    createdAt: dateTime,
  })
  .meta({ id: 'Notification', description: '站内消息' });

export const NotificationPage = z
  .object({
    items: z.array(Notification),
    total: z.number().int(),
    unread: z.number().int().meta({ description: '全部未读消息数（不受筛选影响）' }),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .meta({ id: 'NotificationPage' });

export const ReadResult = z
  .object({ updated: z.number().int().meta({ description: '标为已读的消息数' }) })
  .meta({ id: 'ReadResult' });
