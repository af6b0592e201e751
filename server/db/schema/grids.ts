import { sql } from 'drizzle-orm';
import { pgTable, text, uuid, timestamp, boolean, jsonb, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { regionColumns, users } from './core.js';
import { volunteers } from './volunteers.js';
import { households, type ItemField } from './orders.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** 网格 (一中心一张网十联户): a grid in a village, led by a link volunteer (联户长) who serves its households. */
export const grids = pgTable(
  'grids',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    name: text('name').notNull(),
    leaderVolunteerId: uuid('leader_volunteer_id')
      .notNull()
      .references(() => volunteers.id),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('grids_path_idx').on(t.regionPath.op('text_pattern_ops')),
    index('grids_leader_idx').on(t.leaderVolunteerId),
    uniqueIndex('grids_name_uq').on(t.regionCode, t.name),
  ],
);

/** 联户: a household served by a grid; a household is in one grid at a time (the unique household). */
export const gridLinks = pgTable(
  'grid_links',
  {
    householdId: uuid('household_id')
      .primaryKey()
      .references(() => households.id, { onDelete: 'cascade' }),
    gridId: uuid('grid_id')
      .notNull()
      .references(() => grids.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('grid_links_grid_idx').on(t.gridId)],
);

/** 结亲 (1+N): a cadre (a staff user) paired with households; a household has one cadre at a time. */
export const pairings = pgTable(
  'pairings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    cadreUserId: uuid('cadre_user_id')
      .notNull()
      .references(() => users.id),
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('pairings_household_uq').on(t.householdId),
    index('pairings_cadre_idx').on(t.cadreUserId),
    index('pairings_path_idx').on(t.regionPath.op('text_pattern_ops')),
  ],
);

/** 走访: a recorded home visit; a need found in it may have raised a wish or an order (linked here). */
export const visits = pgTable(
  'visits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    visitorUserId: uuid('visitor_user_id')
      .notNull()
      .references(() => users.id),
    visitorName: text('visitor_name').notNull(),
    /** how the visitor stood to the household: station staff, the link volunteer, the paired cadre */
    visitorRole: text('visitor_role', { enum: ['staff', 'link', 'cadre'] }).notNull(),
    note: text('note').notNull(),
    photoIds: jsonb('photo_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    visitedAt: ts('visited_at').notNull(),
    raisedKind: text('raised_kind', { enum: ['wish', 'order'] }),
    raisedId: uuid('raised_id'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('visits_path_idx').on(t.regionPath.op('text_pattern_ops'), t.visitedAt),
    index('visits_household_idx').on(t.householdId, t.visitedAt),
    index('visits_visitor_idx').on(t.visitorUserId),
  ],
);

export const surveyStates = ['draft', 'open', 'closed'] as const;
export const responseSources = ['h5', 'mass_meeting', 'yard_meeting', 'door_to_door'] as const;

/** 群众需求大排查: a needs survey campaign with a form (the service menu's field types). */
export const surveys = pgTable(
  'surveys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    questions: jsonb('questions').$type<ItemField[]>().notNull(),
    allowMultiple: boolean('allow_multiple').notNull().default(false),
    opensAt: ts('opens_at'),
    closesAt: ts('closes_at'),
    state: text('state', { enum: surveyStates }).notNull(),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('surveys_path_idx').on(t.regionPath.op('text_pattern_ops'), t.state)],
);

/**
 * One answer to a survey: by a resident in the H5 (respondentUserId), or entered by staff after a mass meeting
 * (respondentName, maybe a household). `once` copies the survey's "one per person" at insert time, so the partial
 * unique index keeps a person to one answer exactly, under concurrency too.
 */
export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    ...regionColumns(),
    source: text('source', { enum: responseSources }).notNull(),
    respondentUserId: uuid('respondent_user_id').references(() => users.id),
    respondentName: text('respondent_name').notNull(),
    householdId: uuid('household_id').references(() => households.id),
    category: text('category').notNull(),
    answers: jsonb('answers').$type<Record<string, unknown>>().notNull(),
    once: boolean('once').notNull(),
    enteredBy: uuid('entered_by'),
    /** the service item this answer was promoted into */
    promotedItemId: uuid('promoted_item_id'),
    /** or the activity plan (and its month, YYYY-MM) this answer was promoted into as an entry */
    promotedPlanId: uuid('promoted_plan_id'),
    promotedPlanMonth: text('promoted_plan_month'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('survey_responses_once_uq')
      .on(t.surveyId, t.respondentUserId)
      .where(sql`${t.once} and ${t.respondentUserId} is not null`),
    index('survey_responses_survey_idx').on(t.surveyId, t.createdAt),
  ],
);
