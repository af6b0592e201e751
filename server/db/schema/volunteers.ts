import { sql } from 'drizzle-orm';
import {
  pgTable,
  text,
  uuid,
  timestamp,
  integer,
  boolean,
  jsonb,
  date,
  index,
  uniqueIndex,
  primaryKey,
} from 'drizzle-orm/pg-core';
import { regionColumns, sites, users } from './core.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Per-county counters (volunteer numbers …), incremented with UPDATE … RETURNING. */
export const counters = pgTable(
  'counters',
  {
    countyCode: text('county_code').notNull(),
    name: text('name').notNull(),
    value: integer('value').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.countyCode, t.name] })],
);

export const volunteers = pgTable(
  'volunteers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    userId: uuid('user_id').references(() => users.id),
    volunteerNo: text('volunteer_no').notNull(),
    name: text('name').notNull(),
    namePinyin: text('name_pinyin').notNull(),
    nameInitials: text('name_initials').notNull(),
    gender: text('gender', { enum: ['male', 'female'] }).notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    idType: text('id_type').notNull().default('resident_id'),
    idHash: text('id_hash').notNull(),
    idEnc: text('id_enc').notNull(),
    idMasked: text('id_masked').notNull(),
    phoneHash: text('phone_hash'),
    phoneEnc: text('phone_enc'),
    phoneMasked: text('phone_masked'),
    verified: boolean('verified').notNull().default(false),
    verifiedAt: ts('verified_at'),
    /** Granted star level (0–5), set when a star application completes its public notice. */
    starLevel: integer('star_level').notNull().default(0),
    skills: jsonb('skills')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    categories: jsonb('categories')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    availability: text('availability').notNull().default(''),
    serviceArea: text('service_area').notNull().default(''),
    politicalStatus: text('political_status').notNull().default(''),
    education: text('education').notNull().default(''),
    occupation: text('occupation').notNull().default(''),
    guardianName: text('guardian_name'),
    guardianPhoneEnc: text('guardian_phone_enc'),
    guardianPhoneMasked: text('guardian_phone_masked'),
    guardianRelation: text('guardian_relation'),
    source: text('source', { enum: ['self', 'staff', 'import'] }).notNull(),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('volunteers_id_hash_uq').on(t.countyCode, t.idHash),
    uniqueIndex('volunteers_no_uq').on(t.countyCode, t.volunteerNo),
    uniqueIndex('volunteers_user_uq').on(t.userId),
    index('volunteers_path_idx').on(t.regionPath.op('text_pattern_ops')),
    index('volunteers_pinyin_idx').on(t.countyCode, t.namePinyin.op('text_pattern_ops')),
    index('volunteers_initials_idx').on(t.countyCode, t.nameInitials.op('text_pattern_ops')),
    index('volunteers_name_idx').on(t.countyCode, t.name.op('text_pattern_ops')),
    index('volunteers_phone_idx').on(t.phoneHash),
    // the scoped list's first pages: county, then the list's order (platform/lists.ts)
    index('volunteers_list_idx').on(t.countyCode, t.createdAt.desc().nullsFirst(), t.volunteerNo),
  ],
);

/** Consent to one use of a person's data, with the version of the text they agreed to. */
export const consents = pgTable(
  'consents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: uuid('subject_id').notNull(),
    purpose: text('purpose').notNull(),
    version: text('version').notNull(),
    grantedBy: text('granted_by', { enum: ['self', 'guardian', 'staff_on_paper'] }).notNull(),
    guardianName: text('guardian_name'),
    at: ts('at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('consents_subject_idx').on(t.subjectType, t.subjectId)],
);

export const teamCategories = pgTable(
  'team_categories',
  {
    countyCode: text('county_code').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.countyCode, t.code] })],
);

export const teams = pgTable(
  'teams',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    siteId: uuid('site_id').references(() => sites.id, { onDelete: 'set null' }),
    parentId: uuid('parent_id'),
    level: text('level', { enum: ['corps', 'brigade', 'squad'] }).notNull(),
    category: text('category').notNull(),
    name: text('name').notNull(),
    leaderVolunteerId: uuid('leader_volunteer_id').references(() => volunteers.id),
    isBrand: boolean('is_brand').notNull().default(false),
    description: text('description').notNull().default(''),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('teams_path_idx').on(t.regionPath),
    index('teams_parent_idx').on(t.parentId),
    // the session's team access reads the teams a volunteer leads (platform/auth.ts)
    index('teams_leader_idx').on(t.leaderVolunteerId),
    uniqueIndex('teams_name_uq').on(t.countyCode, t.name),
  ],
);

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    volunteerId: uuid('volunteer_id')
      .notNull()
      .references(() => volunteers.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['pending', 'active', 'rejected', 'left'] }).notNull(),
    note: text('note').notNull().default(''),
    requestedAt: ts('requested_at').notNull().defaultNow(),
    decidedAt: ts('decided_at'),
    decidedBy: uuid('decided_by'),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.volunteerId] }), index('team_members_volunteer_idx').on(t.volunteerId)],
);
