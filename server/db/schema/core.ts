import { sql } from 'drizzle-orm';
import {
  pgTable,
  text,
  uuid,
  timestamp,
  integer,
  boolean,
  jsonb,
  bigint,
  numeric,
  doublePrecision,
  primaryKey,
  smallint,
  index,
  uniqueIndex,
  check,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();

/** Administrative regions: county → town → village, with a materialized path for subtree queries. */
export const regions = pgTable(
  'regions',
  {
    code: text('code').primaryKey(),
    countyCode: text('county_code').notNull(),
    name: text('name').notNull(),
    level: text('level', { enum: ['county', 'town', 'village'] }).notNull(),
    parentCode: text('parent_code'),
    path: text('path').notNull(),
    /** Residents (常住人口), entered by county staff; null when unknown (assessment then sums household members). */
    population: integer('population'),
  },
  (t) => [index('regions_parent_idx').on(t.parentCode), index('regions_path_idx').on(t.path.op('text_pattern_ops'))],
);

/**
 * The place of a region-scoped row: its county (for per-county lists and rollups), its region and that region's path
 * (copied at insert, for subtree scope filters by `like '/…/%'`).
 */
export const regionColumns = () => ({
  countyCode: text('county_code').notNull(),
  regionCode: text('region_code')
    .notNull()
    .references(() => regions.code),
  regionPath: text('region_path').notNull(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code'),
    name: text('name').notNull(),
    phoneHash: text('phone_hash').notNull(),
    phoneEnc: text('phone_enc').notNull(),
    phoneMasked: text('phone_masked').notNull(),
    passwordHash: text('password_hash').notNull(),
    regionCode: text('region_code').references(() => regions.code),
    active: boolean('active').notNull().default(true),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: ts('locked_until'),
    totpSecret: text('totp_secret'),
    /**
     * Set when staff chose the password (a new account, a reset, `cli create-admin`): the owner sets their own
     * first.
     */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_phone_hash_uq').on(t.phoneHash)],
);

export const roles = pgTable('roles', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  permissions: jsonb('permissions').$type<string[]>().notNull(),
  duty: text('duty'),
  builtin: boolean('builtin').notNull().default(true),
});

export const roleAssignments = pgTable(
  'role_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roleCode: text('role_code')
      .notNull()
      .references(() => roles.code),
    regionCode: text('region_code').references(() => regions.code),
    scope: text('scope', { enum: ['all', 'own', 'subtree', 'self'] }).notNull(),
    teamId: uuid('team_id'),
    createdAt: createdAt(),
  },
  (t) => [index('role_assignments_user_idx').on(t.userId)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    endedAt: ts('ended_at'),
  },
  (t) => [uniqueIndex('sessions_token_uq').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
);

/** Hash-chained audit trail: one chain per county (and one for system-wide events). */
export const auditEvents = pgTable(
  'audit_events',
  {
    chain: text('chain').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    at: ts('at').notNull(),
    actorId: uuid('actor_id'),
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    ip: text('ip'),
    requestId: text('request_id'),
    beforeDigest: text('before_digest'),
    afterDigest: text('after_digest'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.chain, t.seq] }), index('audit_events_at_idx').on(t.at)],
);

export const auditHeads = pgTable('audit_heads', {
  chain: text('chain').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull().default(0),
  hash: text('hash').notNull(),
  /** Hashes made with the audit key; false for chains written before it, until they are re-chained at start. */
  keyed: boolean('keyed').notNull().default(true),
});

export const files = pgTable('files', {
  id: uuid('id').primaryKey().defaultRandom(),
  countyCode: text('county_code'),
  ownerId: uuid('owner_id'),
  purpose: text('purpose').notNull(),
  mime: text('mime').notNull(),
  size: integer('size').notNull(),
  sha256: text('sha256').notNull(),
  storageKey: text('storage_key').notNull(),
  originalName: text('original_name').notNull(),
  createdAt: createdAt(),
});

export const settings = pgTable(
  'settings',
  {
    countyCode: text('county_code').notNull(),
    key: text('key').notNull(),
    value: jsonb('value').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [primaryKey({ columns: [t.countyCode, t.key] })],
);

/** A checklist template (五有 / 六有 …) that sites are inspected against. */
export const standards = pgTable(
  'standards',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    items: jsonb('items').$type<{ code: string; name: string; description?: string }[]>().notNull(),
    kinds: jsonb('kinds').$type<('center' | 'institute' | 'station' | 'point' | 'base' | 'post')[]>().notNull(),
    passScore: integer('pass_score').notNull().default(100),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('standards_county_code_uq').on(t.countyCode, t.code)],
);

export const sites = pgTable(
  'sites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    kind: text('kind', { enum: ['center', 'institute', 'station', 'point', 'base', 'post'] }).notNull(),
    name: text('name').notNull(),
    isDemo: boolean('is_demo').notNull().default(false),
    address: text('address').notNull().default(''),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    capacity: integer('capacity'),
    openingHours: text('opening_hours').notNull().default(''),
    facilities: jsonb('facilities')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    contacts: jsonb('contacts')
      .$type<{ name: string; phone: string; role?: string }[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    photoIds: jsonb('photo_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    description: text('description').notNull().default(''),
    standardId: uuid('standard_id').references(() => standards.id),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('sites_path_idx').on(t.regionPath.op('text_pattern_ops'), t.kind),
    index('sites_region_idx').on(t.regionCode),
    index('sites_created_idx').on(t.countyCode, t.createdAt),
  ],
);

export const inspections = pgTable(
  'inspections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    standardId: uuid('standard_id')
      .notNull()
      .references(() => standards.id),
    inspectedAt: ts('inspected_at').notNull(),
    inspectorId: uuid('inspector_id'),
    inspectorName: text('inspector_name').notNull(),
    results: jsonb('results')
      .$type<{ itemCode: string; passed: boolean; note?: string; photoIds?: string[] }[]>()
      .notNull(),
    passedCount: integer('passed_count').notNull(),
    totalCount: integer('total_count').notNull(),
    score: numeric('score', { precision: 5, scale: 1 }).notNull(),
    compliant: boolean('compliant').notNull(),
    note: text('note').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [
    index('inspections_site_idx').on(t.siteId, t.inspectedAt),
    check('inspections_counts_ck', sql`${t.passedCount} >= 0 and ${t.passedCount} <= ${t.totalCount}`),
  ],
);

/**
 * Version counters of cached read models (one row per name, e.g. 'sites': the scoped sites list). Triggers bump a
 * row once per transaction that changes what the model is built from, at commit time (deferred constraint
 * triggers), so a reader that sees the version in its snapshot sees exactly the data of that version. An app
 * server keeps built answers in memory and checks the version on every request (platform/lists.ts).
 */
export const cacheVersions = pgTable(
  'cache_versions',
  {
    name: text('name').notNull(),
    /**
     * A name's counter is split over shards (the bumping backend's pid mod 16) so that concurrent writers of one
     * county do not queue on one row until their commits are flushed; a name's version is the sum of its shards.
     */
    shard: smallint('shard').notNull().default(0),
    version: bigint('version', { mode: 'number' }).notNull().default(1),
    /** the transaction that bumped it last (pg_current_xact_id as text): a transaction bumps at most once */
    bumpedBy: text('bumped_by'),
  },
  (t) => [primaryKey({ columns: [t.name, t.shard] })],
);

/**
 * Idempotency keys of writes (platform/idempotency.ts): a client that did not hear the answer to a write sends it
 * again with the same `Idempotency-Key` and gets the first answer back instead of a second write. Kept per account
 * for a day (the `idempotency.cleanup` job).
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id').notNull(),
    key: text('key').notNull(),
    /** what the key was first used for: `METHOD path`, and a hash of the body */
    request: text('request').notNull(),
    bodyHash: text('body_hash').notNull(),
    /** the answer, once there is one (null while the first request runs) */
    status: integer('status'),
    contentType: text('content_type'),
    body: text('body'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);
