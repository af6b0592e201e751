import { sql } from 'drizzle-orm';
import {
  pgTable,
  text,
  uuid,
  timestamp,
  integer,
  boolean,
  jsonb,
  numeric,
  bigint,
  index,
  uniqueIndex,
  check,
} from 'drizzle-orm/pg-core';
import { regionColumns, users } from './core.js';
import { volunteers, teams } from './volunteers.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type ItemField = {
  key: string;
  label: string;
  type: 'text' | 'number' | 'date' | 'single' | 'multi';
  required: boolean;
  options?: string[];
};

/** 服务项目菜单: what residents can order, owned by a level (county, town or village). */
export const serviceItems = pgTable(
  'service_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    name: text('name').notNull(),
    category: text('category').notNull(),
    description: text('description').notNull().default(''),
    fields: jsonb('fields')
      .$type<ItemField[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    providerTeamIds: jsonb('provider_team_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('service_items_path_idx').on(t.regionPath.op('text_pattern_ops'))],
);

/** 户: a household, the unit residents are often registered and served by. */
export const households = pgTable(
  'households',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    headName: text('head_name').notNull(),
    address: text('address').notNull().default(''),
    memberCount: integer('member_count').notNull().default(1),
    phoneHash: text('phone_hash'),
    phoneEnc: text('phone_enc'),
    phoneMasked: text('phone_masked'),
    note: text('note').notNull().default(''),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('households_path_idx').on(t.regionPath.op('text_pattern_ops')),
    // the scoped list's first pages: county, then the list's order (platform/lists.ts)
    index('households_list_idx').on(t.countyCode, t.createdAt.desc().nullsFirst()),
  ],
);

export const householdMembers = pgTable(
  'household_members',
  {
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [uniqueIndex('household_members_user_uq').on(t.userId)],
);

export const orderStates = [
  'submitted',
  'rejected',
  'dispatched',
  'accepted',
  'in_service',
  'completed',
  'rated',
  'closed',
  'cancelled',
] as const;

export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    serviceItemId: uuid('service_item_id')
      .notNull()
      .references(() => serviceItems.id),
    residentUserId: uuid('resident_user_id').references(() => users.id),
    householdId: uuid('household_id').references(() => households.id),
    contactName: text('contact_name').notNull(),
    description: text('description').notNull(),
    address: text('address').notNull().default(''),
    answers: jsonb('answers')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    proxyUserId: uuid('proxy_user_id'),
    state: text('state', { enum: orderStates }).notNull(),
    targetType: text('target_type', { enum: ['team', 'volunteer', 'pool'] }),
    targetId: uuid('target_id'),
    acceptedUserId: uuid('accepted_user_id'),
    acceptedVolunteerId: uuid('accepted_volunteer_id').references(() => volunteers.id),
    acceptedTeamId: uuid('accepted_team_id').references(() => teams.id),
    summary: text('summary'),
    hours: numeric('hours', { precision: 6, scale: 1 }),
    volunteerIds: jsonb('volunteer_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    photoIds: jsonb('photo_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    score: integer('score'),
    comment: text('comment'),
    autoRated: boolean('auto_rated').notNull().default(false),
    escalationLevel: integer('escalation_level').notNull().default(0),
    overdue: boolean('overdue').notNull().default(false),
    stepStartedAt: ts('step_started_at').notNull(),
    submittedAt: ts('submitted_at').notNull(),
    dispatchedAt: ts('dispatched_at'),
    acceptedAt: ts('accepted_at'),
    completedAt: ts('completed_at'),
    ratedAt: ts('rated_at'),
    closedAt: ts('closed_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('orders_path_idx').on(t.regionPath.op('text_pattern_ops'), t.state),
    index('orders_state_step_idx').on(t.state, t.stepStartedAt),
    index('orders_resident_idx').on(t.residentUserId),
    index('orders_target_idx').on(t.targetType, t.targetId),
    index('orders_accepted_idx').on(t.acceptedUserId),
    // the scoped list's first pages: county, then the list's order (platform/lists.ts)
    index('orders_board_idx').on(t.countyCode, t.overdue.desc().nullsFirst(), t.createdAt.desc().nullsFirst()),
    check('orders_score_ck', sql`${t.score} is null or (${t.score} between 1 and 5)`),
  ],
);

export const orderEvents = pgTable(
  'order_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    action: text('action').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorName: text('actor_name').notNull(),
    at: ts('at').notNull(),
    note: text('note').notNull().default(''),
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (t) => [index('order_events_order_idx').on(t.orderId, t.at)],
);

/** A rating of 不满意 or worse opens a follow-up that staff must close with a result. */
export const followUps = pgTable(
  'follow_ups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    countyCode: text('county_code').notNull(),
    /** The order's place (the household's village for a 代点单): a 本级 grant is matched by it. */
    regionCode: text('region_code').notNull(),
    regionPath: text('region_path').notNull(),
    reason: text('reason').notNull(),
    /** open → closed (orders/transitions.ts followUpMachine); closed_at says when. */
    state: text('state', { enum: ['open', 'closed'] })
      .notNull()
      .default('open'),
    openedAt: ts('opened_at').notNull(),
    closedAt: ts('closed_at'),
    result: text('result'),
    closedBy: uuid('closed_by'),
  },
  (t) => [index('follow_ups_open_idx').on(t.countyCode, t.closedAt)],
);

/** In-app inbox: one row per recipient. */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    entity: text('entity'),
    entityId: text('entity_id'),
    readAt: ts('read_at'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.createdAt)],
);

/** Messages for external channels (SMS, WeChat), delivered apart from business state, with retries. */
export const outbox = pgTable(
  'outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    channel: text('channel', { enum: ['sms', 'wechat'] }).notNull(),
    recipient: text('recipient').notNull(),
    template: text('template').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull(),
    sentAt: ts('sent_at'),
  },
  (t) => [index('outbox_due_idx').on(t.status, t.nextAttemptAt)],
);

export const deliveryLog = pgTable(
  'delivery_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    outboxId: uuid('outbox_id')
      .notNull()
      .references(() => outbox.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    at: ts('at').notNull(),
    ok: boolean('ok').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
  },
  (t) => [index('delivery_log_outbox_idx').on(t.outboxId)],
);

export const smsCodes = pgTable(
  'sms_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    phoneHash: text('phone_hash').notNull(),
    codeHash: text('code_hash').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('sms_codes_phone_idx').on(t.phoneHash, t.createdAt)],
);
