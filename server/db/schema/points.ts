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
import { regionColumns, regions, users } from './core.js';
import { volunteers } from './volunteers.js';
import { activities } from './activities.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const pointCategories = ['basic', 'reward', 'deduction'] as const;
export const pointGroups = ['ideology', 'security', 'customs', 'environment', 'neighbourhood', 'service'] as const;

/** 积分规则: one item of a county's catalogue (基础 / 奖励 / 扣分 in an indicator group), points + or −. */
export const pointRules = pgTable(
  'point_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    name: text('name').notNull(),
    category: text('category', { enum: pointCategories }).notNull(),
    group: text('group', { enum: pointGroups }).notNull(),
    points: integer('points').notNull(),
    evidenceRequired: boolean('evidence_required').notNull().default(false),
    description: text('description').notNull().default(''),
    active: boolean('active').notNull().default(true),
    sort: integer('sort').notNull().default(0),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('point_rules_county_idx').on(t.countyCode, t.category, t.sort),
    check('point_rules_points_ck', sql`${t.points} <> 0 and (${t.category} = 'deduction') = (${t.points} < 0)`),
  ],
);

/**
 * A points account: a household's civility points, a volunteer's service points, or one of a county's system
 * accounts (the counter-accounts of double entry: issuance, deduction, shop_held, redeemed, expiry, adjustment).
 * `balance` is a projection kept in the same transaction as the movements; `points-verify` recomputes it.
 */
export const pointAccounts = pgTable(
  'point_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    type: text('type', { enum: ['household', 'volunteer', 'system'] }).notNull(),
    ownerId: uuid('owner_id'),
    systemCode: text('system_code'),
    regionCode: text('region_code').references(() => regions.code),
    regionPath: text('region_path').notNull(),
    name: text('name').notNull(),
    balance: bigint('balance', { mode: 'number' }).notNull().default(0),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('point_accounts_owner_uq')
      .on(t.type, t.ownerId)
      .where(sql`${t.ownerId} is not null`),
    uniqueIndex('point_accounts_system_uq')
      .on(t.countyCode, t.systemCode)
      .where(sql`${t.systemCode} is not null`),
    index('point_accounts_path_idx').on(t.regionPath.op('text_pattern_ops'), t.type),
    // the scoped list's first pages: county, then the list's order (platform/lists.ts)
    index('point_accounts_list_idx').on(t.countyCode, t.balance.desc().nullsFirst(), t.id),
    check(
      'point_accounts_kind_ck',
      sql`(${t.type} = 'system') = (${t.systemCode} is not null) and (${t.type} = 'system') = (${t.ownerId} is null)`,
    ),
    // owners' balances never go below zero; system accounts carry the other side and may
    check('point_accounts_balance_ck', sql`${t.type} = 'system' or ${t.balance} >= 0`),
  ],
);

/** A journal entry: one business event (a posted claim, an award, a redemption …) with its movements. */
export const pointTransactions = pgTable(
  'point_transactions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    countyCode: text('county_code').notNull(),
    kind: text('kind', {
      enum: ['claim', 'award', 'service', 'adjustment', 'redemption', 'handout', 'refund', 'reversal', 'expiry'],
    }).notNull(),
    idempotencyKey: text('idempotency_key'),
    ruleId: uuid('rule_id').references(() => pointRules.id),
    reversesId: uuid('reverses_id'),
    memo: text('memo').notNull(),
    createdBy: uuid('created_by'),
    approvedBy: uuid('approved_by'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('point_transactions_idem_uq')
      .on(t.countyCode, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    uniqueIndex('point_transactions_reverses_uq')
      .on(t.reversesId)
      .where(sql`${t.reversesId} is not null`),
    index('point_transactions_county_idx').on(t.countyCode, t.createdAt),
  ],
);

/**
 * 积分流水: append-only (a trigger refuses UPDATE and DELETE). Every movement moves a positive amount from a
 * debit account to a credit account, so each movement — and every transaction — sums to zero by construction.
 */
export const pointMovements = pgTable(
  'point_movements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    transactionId: uuid('transaction_id')
      .notNull()
      .references(() => pointTransactions.id),
    debitAccountId: uuid('debit_account_id')
      .notNull()
      .references(() => pointAccounts.id),
    creditAccountId: uuid('credit_account_id')
      .notNull()
      .references(() => pointAccounts.id),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('point_movements_debit_idx').on(t.debitAccountId, t.seq),
    index('point_movements_credit_idx').on(t.creditAccountId, t.seq),
    index('point_movements_tx_idx').on(t.transactionId),
    check('point_movements_amount_ck', sql`${t.amount} > 0`),
    check('point_movements_sides_ck', sql`${t.debitAccountId} <> ${t.creditAccountId}`),
  ],
);

export const pointClaimStates = ['submitted', 'notice', 'posted', 'rejected', 'withdrawn'] as const;

/** 申报 → 评议 → 公示 → 入账: a claim for one rule on one account. An objection during the notice sends it back. */
export const pointClaims = pgTable(
  'point_claims',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    regionPath: text('region_path').notNull(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => pointAccounts.id),
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => pointRules.id),
    points: integer('points').notNull(),
    note: text('note').notNull().default(''),
    evidenceFileIds: jsonb('evidence_file_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    state: text('state', { enum: pointClaimStates }).notNull(),
    noticeStartAt: ts('notice_start_at'),
    noticeEndAt: ts('notice_end_at'),
    reviewComment: text('review_comment'),
    transactionId: uuid('transaction_id').references(() => pointTransactions.id),
    submittedBy: uuid('submitted_by'),
    reviewedBy: uuid('reviewed_by'),
    postedAt: ts('posted_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('point_claims_path_idx').on(t.regionPath.op('text_pattern_ops'), t.state),
    index('point_claims_account_idx').on(t.accountId),
    index('point_claims_notice_idx').on(t.countyCode, t.state, t.noticeEndAt),
    // the scoped list's first pages: county, then the list's order (platform/lists.ts)
    index('point_claims_list_idx').on(t.countyCode, t.updatedAt.desc().nullsFirst(), t.id),
  ],
);

/** A manual adjustment: requested by one person, approved by another (never the same), then posted. */
export const pointAdjustments = pgTable(
  'point_adjustments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    regionPath: text('region_path').notNull(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => pointAccounts.id),
    amount: integer('amount').notNull(),
    reason: text('reason').notNull(),
    state: text('state', { enum: ['pending', 'approved', 'rejected'] }).notNull(),
    requestedBy: uuid('requested_by').notNull(),
    decidedBy: uuid('decided_by'),
    decidedAt: ts('decided_at'),
    comment: text('comment'),
    transactionId: uuid('transaction_id').references(() => pointTransactions.id),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('point_adjustments_path_idx').on(t.regionPath.op('text_pattern_ops'), t.state),
    check('point_adjustments_amount_ck', sql`${t.amount} <> 0`),
    check('point_adjustments_two_people_ck', sql`${t.decidedBy} is null or ${t.decidedBy} <> ${t.requestedBy}`),
  ],
);

/** Privileges at points thresholds (priority for job referral, skill training, honour nominations …). */
export const pointPrivileges = pgTable(
  'point_privileges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    name: text('name').notNull(),
    threshold: integer('threshold').notNull(),
    description: text('description').notNull().default(''),
    active: boolean('active').notNull().default(true),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('point_privileges_county_idx').on(t.countyCode, t.threshold),
    check('point_privileges_threshold_ck', sql`${t.threshold} > 0`),
  ],
);

/** 积分超市 goods: priced in points, stock never below zero, with the source of the funds that bought them. */
export const shopGoods = pgTable(
  'shop_goods',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    points: integer('points').notNull(),
    stock: integer('stock').notNull(),
    fundingSource: text('funding_source').notNull().default(''),
    imageFileId: uuid('image_file_id'),
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('shop_goods_path_idx').on(t.regionPath.op('text_pattern_ops'), t.active),
    check('shop_goods_points_ck', sql`${t.points} > 0`),
    check('shop_goods_stock_ck', sql`${t.stock} >= 0`),
  ],
);

/**
 * A redemption holds stock and points at once (reserved), then is handed out with the pickup code or cancelled
 * (refund).
 */
export const shopRedemptions = pgTable(
  'shop_redemptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    regionPath: text('region_path').notNull(),
    goodsId: uuid('goods_id')
      .notNull()
      .references(() => shopGoods.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => pointAccounts.id),
    quantity: integer('quantity').notNull(),
    points: integer('points').notNull(),
    state: text('state', { enum: ['reserved', 'handed_out', 'cancelled'] }).notNull(),
    pickupCode: text('pickup_code').notNull(),
    /** wrong pickup codes in a row; at 5 the handout is locked for 15 minutes (then 5 more tries) */
    codeFailures: integer('code_failures').notNull().default(0),
    codeLockedUntil: ts('code_locked_until'),
    holdTransactionId: uuid('hold_transaction_id').references(() => pointTransactions.id),
    settleTransactionId: uuid('settle_transaction_id').references(() => pointTransactions.id),
    requestedBy: uuid('requested_by'),
    handedOutBy: uuid('handed_out_by'),
    handedOutAt: ts('handed_out_at'),
    cancelledAt: ts('cancelled_at'),
    cancelReason: text('cancel_reason'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('shop_redemptions_path_idx').on(t.regionPath.op('text_pattern_ops'), t.state),
    index('shop_redemptions_account_idx').on(t.accountId, t.createdAt),
    check('shop_redemptions_quantity_ck', sql`${t.quantity} > 0 and ${t.points} > 0`),
  ],
);

export const wishStates = [
  'submitted',
  'verified',
  'published',
  'claimed',
  'fulfilled',
  'confirmed',
  'rejected',
  'withdrawn',
  'expired',
] as const;

/** 微心愿: collected → verified → published on the wall → claimed → fulfilled (photo) → confirmed. */
export const wishes = pgTable(
  'wishes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    value: numeric('value', { precision: 10, scale: 2 }).notNull(),
    beneficiaryName: text('beneficiary_name').notNull(),
    beneficiaryPhoneEnc: text('beneficiary_phone_enc'),
    beneficiaryPhoneMasked: text('beneficiary_phone_masked'),
    consentToPublish: boolean('consent_to_publish').notNull().default(false),
    source: text('source', { enum: ['resident', 'staff', 'grid'] }).notNull(),
    claimMode: text('claim_mode', { enum: ['single', 'multi'] })
      .notNull()
      .default('single'),
    claimedValue: numeric('claimed_value', { precision: 10, scale: 2 }).notNull().default('0'),
    state: text('state', { enum: wishStates }).notNull(),
    overCap: boolean('over_cap').notNull().default(false),
    approvedOverCapBy: uuid('approved_over_cap_by'),
    rejectReason: text('reject_reason'),
    photoIds: jsonb('photo_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    deadline: ts('deadline'),
    submittedBy: uuid('submitted_by'),
    publishedAt: ts('published_at'),
    fulfilledAt: ts('fulfilled_at'),
    confirmedAt: ts('confirmed_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('wishes_path_idx').on(t.regionPath.op('text_pattern_ops'), t.state),
    index('wishes_state_idx').on(t.countyCode, t.state, t.publishedAt),
    // the scoped list's first pages: county, then the list's order (platform/lists.ts)
    index('wishes_list_idx').on(t.countyCode, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    check('wishes_value_ck', sql`${t.value} > 0`),
  ],
);

/** Who took on a wish: one claimant (one-to-one) or several sharing its value (many-to-one). */
export const wishClaims = pgTable(
  'wish_claims',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    wishId: uuid('wish_id')
      .notNull()
      .references(() => wishes.id, { onDelete: 'cascade' }),
    claimantType: text('claimant_type', { enum: ['volunteer', 'team', 'unit', 'person'] }).notNull(),
    claimantName: text('claimant_name').notNull(),
    userId: uuid('user_id').references(() => users.id),
    volunteerId: uuid('volunteer_id').references(() => volunteers.id),
    amount: numeric('amount', { precision: 10, scale: 2 }).notNull(),
    state: text('state', { enum: ['active', 'fulfilled', 'withdrawn'] }).notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('wish_claims_wish_idx').on(t.wishId),
    uniqueIndex('wish_claims_live_uq')
      .on(t.wishId, t.userId)
      .where(sql`${t.state} <> 'withdrawn' and ${t.userId} is not null`),
    check('wish_claims_amount_ck', sql`${t.amount} > 0`),
  ],
);

export const honorKinds = [
  'good_person',
  'moral_model',
  'good_deed',
  'beautiful_family',
  'civilized_family',
  'safe_family',
] as const;

/** 身边好人、道德模范、善行义举、最美家庭 …: nomination → review → notice with objections → board → revocable. */
export const honors = pgTable(
  'honors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    kind: text('kind', { enum: honorKinds }).notNull(),
    nomineeName: text('nominee_name').notNull(),
    story: text('story').notNull(),
    photoFileId: uuid('photo_file_id'),
    consent: boolean('consent').notNull().default(false),
    householdId: uuid('household_id'),
    volunteerId: uuid('volunteer_id').references(() => volunteers.id),
    year: integer('year').notNull(),
    state: text('state', { enum: ['nominated', 'notice', 'published', 'rejected', 'revoked'] }).notNull(),
    noticeStartAt: ts('notice_start_at'),
    noticeEndAt: ts('notice_end_at'),
    reviewComment: text('review_comment'),
    revokeReason: text('revoke_reason'),
    nominatedBy: uuid('nominated_by'),
    publishedAt: ts('published_at'),
    revokedAt: ts('revoked_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('honors_path_idx').on(t.regionPath.op('text_pattern_ops'), t.state),
    index('honors_board_idx').on(t.countyCode, t.kind, t.state, t.publishedAt),
  ],
);

/** One timeline for the workflows of this module (claims, adjustments, redemptions, wishes, honours). */
export const workflowEvents = pgTable(
  'workflow_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    entity: text('entity', {
      enum: [
        'point_claim',
        'point_adjustment',
        'shop_redemption',
        'wish',
        'honor',
        'activity',
        'activity_signup',
        'activity_participant',
        'hours_request',
        'star_application',
        'submission',
        'certificate',
        'volunteer',
        'follow_up',
        'article',
        'survey',
      ],
    }).notNull(),
    entityId: uuid('entity_id').notNull(),
    action: text('action').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorName: text('actor_name').notNull(),
    note: text('note').notNull().default(''),
    data: jsonb('data').$type<Record<string, unknown>>(),
    at: ts('at').notNull(),
  },
  (t) => [index('workflow_events_entity_idx').on(t.entity, t.entityId, t.seq)],
);

/** Batch awards for everyone who attended an activity remember the activity, so a repeat is a no-op. */
export const pointAwardActivities = pgTable(
  'point_award_activities',
  {
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id),
    transactionId: uuid('transaction_id')
      .notNull()
      .references(() => pointTransactions.id),
  },
  (t) => [uniqueIndex('point_award_activities_uq').on(t.activityId)],
);
