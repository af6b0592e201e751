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
  date,
  doublePrecision,
  index,
  uniqueIndex,
  check,
} from 'drizzle-orm/pg-core';
import { regionColumns, sites, users } from './core.js';
import { volunteers, teams } from './volunteers.js';
import { orders } from './orders.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * An entry planned in a month (e.g. an activity drawn from a needs survey's answers; `source` then names the survey and
 * how many of its answers the entry came from).
 */
export type PlanEntry = {
  title: string;
  type: (typeof activityTypes)[number];
  note: string;
  source?: { surveyId: string; surveyTitle: string; responseCount: number };
};
export type MonthTheme = { month: number; theme: string; focus: string; entries?: PlanEntry[] };

/** 年有计划、月有主题: one yearly plan per institute or station (by region), with a theme per month. */
export const activityPlans = pgTable(
  'activity_plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    siteId: uuid('site_id').references(() => sites.id),
    year: integer('year').notNull(),
    title: text('title').notNull(),
    goals: text('goals').notNull().default(''),
    months: jsonb('months')
      .$type<MonthTheme[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('activity_plans_region_year_uq').on(t.regionCode, t.year),
    index('activity_plans_path_idx').on(t.regionPath.op('text_pattern_ops'), t.year),
  ],
);

export const activityStates = [
  'draft',
  'published',
  'full',
  'in_progress',
  'ended',
  'archived',
  'cancelled',
  // an activity recorded after it was held (补录) waiting for the level above, or returned by it
  'pending_confirmation',
  'returned',
] as const;
export const activityTypes = ['lecture', 'culture_sports', 'volunteer_service', 'training', 'theme'] as const;

/** 周有活动: one activity (one session, 场次) with its recruiting state and attendance code. */
export const activities = pgTable(
  'activities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    siteId: uuid('site_id').references(() => sites.id),
    teamId: uuid('team_id').references(() => teams.id),
    planId: uuid('plan_id').references(() => activityPlans.id),
    title: text('title').notNull(),
    type: text('type', { enum: activityTypes }).notNull(),
    theme: text('theme').notNull().default(''),
    description: text('description').notNull().default(''),
    startAt: ts('start_at').notNull(),
    endAt: ts('end_at').notNull(),
    /** Seats for the whole activity; positions × time slots (activity_shifts) may subdivide them. */
    quota: integer('quota').notNull(),
    confirmedCount: integer('confirmed_count').notNull().default(0),
    waitlistCount: integer('waitlist_count').notNull().default(0),
    address: text('address').notNull(),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    /** Check-in allowed only within this many metres of lat/lng; null = anywhere. */
    checkinRadiusM: integer('checkin_radius_m'),
    beneficiaries: text('beneficiaries').notNull().default(''),
    beneficiaryCount: integer('beneficiary_count').notNull().default(0),
    risky: boolean('risky').notNull().default(false),
    insurance: text('insurance'),
    state: text('state', { enum: activityStates }).notNull(),
    cancelReason: text('cancel_reason'),
    /** The 6-digit attendance code shown to organisers (check-in and check-out). */
    code: text('code').notNull(),
    coverFileId: uuid('cover_file_id'),
    photoIds: jsonb('photo_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    summary: text('summary').notNull().default(''),
    /** 补录: photos of the paper sign-in sheet (签到表照片); `photoIds` holds the other photos. */
    sheetPhotoIds: jsonb('sheet_photo_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** People who took part without a volunteer record (residents at a lecture, a show …). */
    participantCount: integer('participant_count').notNull().default(0),
    /**
     * Places for residents who take part (报名参加, activity_participants) apart from the volunteers' seats; null or 0 =
     * not open to residents. The counts are kept in the transactions that move a place, as the volunteers' are.
     */
    participantQuota: integer('participant_quota'),
    participantConfirmedCount: integer('participant_confirmed_count').notNull().default(0),
    participantWaitlistCount: integer('participant_waitlist_count').notNull().default(0),
    /** Set when the activity was held first and entered afterwards (补录): who entered it and when. */
    recordedBy: uuid('recorded_by'),
    recordedAt: ts('recorded_at'),
    /** A record confirmed by the level above (when the county requires it), or the reason it was returned. */
    confirmedBy: uuid('confirmed_by'),
    confirmedAt: ts('confirmed_at'),
    returnReason: text('return_reason'),
    createdBy: uuid('created_by'),
    publishedAt: ts('published_at'),
    endedAt: ts('ended_at'),
    archivedAt: ts('archived_at'),
    cancelledAt: ts('cancelled_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('activities_path_idx').on(t.regionPath.op('text_pattern_ops'), t.startAt),
    index('activities_state_idx').on(t.countyCode, t.state, t.startAt),
    index('activities_team_idx').on(t.teamId, t.startAt),
    index('activities_plan_idx').on(t.planId),
    // the scoped list's first pages: county, then the list's order (platform/lists.ts)
    index('activities_list_idx').on(t.countyCode, t.startAt.desc().nullsFirst(), t.id),
    check(
      'activities_quota_ck',
      sql`${t.quota} > 0 and ${t.confirmedCount} >= 0 and ${t.confirmedCount} <= ${t.quota}`,
    ),
    check('activities_time_ck', sql`${t.endAt} > ${t.startAt}`),
    check(
      'activities_participant_quota_ck',
      sql`${t.participantConfirmedCount} >= 0 and ${t.participantWaitlistCount} >= 0
        and ${t.participantConfirmedCount} <= coalesce(${t.participantQuota}, 0)`,
    ),
  ],
);

/** Optional positions × time slots of an activity, each with its own seats. */
export const activityShifts = pgTable(
  'activity_shifts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    position: text('position').notNull(),
    startAt: ts('start_at').notNull(),
    endAt: ts('end_at').notNull(),
    quota: integer('quota').notNull(),
    confirmedCount: integer('confirmed_count').notNull().default(0),
    sort: integer('sort').notNull().default(0),
  },
  (t) => [
    index('activity_shifts_activity_idx').on(t.activityId),
    check(
      'activity_shifts_quota_ck',
      sql`${t.quota} > 0 and ${t.confirmedCount} >= 0 and ${t.confirmedCount} <= ${t.quota}`,
    ),
  ],
);

export const signupStatuses = ['confirmed', 'waitlisted', 'cancelled'] as const;

/**
 * A volunteer's place on an activity. `waitSeq` (an identity) orders the FIFO waitlist; check-in and check-out
 * are recorded on the row (by code, QR or a staff-entered sign-in sheet); `noShow` is set when the activity ends.
 */
export const activitySignups = pgTable(
  'activity_signups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    shiftId: uuid('shift_id').references(() => activityShifts.id),
    volunteerId: uuid('volunteer_id')
      .notNull()
      .references(() => volunteers.id),
    userId: uuid('user_id').references(() => users.id),
    status: text('status', { enum: signupStatuses }).notNull(),
    source: text('source', { enum: ['self', 'staff', 'sheet'] })
      .notNull()
      .default('self'),
    signedUpAt: ts('signed_up_at').notNull(),
    promotedAt: ts('promoted_at'),
    cancelledAt: ts('cancelled_at'),
    checkInAt: ts('check_in_at'),
    checkOutAt: ts('check_out_at'),
    checkInMethod: text('check_in_method', { enum: ['code', 'qr', 'sheet'] }),
    checkInLat: doublePrecision('check_in_lat'),
    checkInLng: doublePrecision('check_in_lng'),
    noShow: boolean('no_show').notNull().default(false),
    /** Set once the attendance has been turned into hours (credited, pending approval, or nothing below 60 %). */
    hoursSettledAt: ts('hours_settled_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('activity_signups_live_uq')
      .on(t.activityId, t.volunteerId)
      .where(sql`${t.status} <> 'cancelled'`),
    index('activity_signups_wait_idx').on(t.activityId, t.status, t.seq),
    index('activity_signups_volunteer_idx').on(t.volunteerId, t.createdAt),
    index('activity_signups_user_idx').on(t.userId),
  ],
);

export const participantStatuses = ['confirmed', 'waitlisted', 'cancelled'] as const;

/**
 * A resident's place at an activity open to residents (报名参加): no volunteer record, no hours. `seq` (an identity)
 * orders the FIFO waitlist as for sign-ups; attendance is the resident's check-in (code or QR) or a staff roster mark.
 */
export const activityParticipants = pgTable(
  'activity_participants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    status: text('status', { enum: participantStatuses }).notNull(),
    signedUpAt: ts('signed_up_at').notNull(),
    promotedAt: ts('promoted_at'),
    cancelledAt: ts('cancelled_at'),
    checkInAt: ts('check_in_at'),
    checkInMethod: text('check_in_method', { enum: ['code', 'qr', 'roster'] }),
    /** The staff member who marked the attendance on the roster (null for the resident's own check-in). */
    checkedInBy: uuid('checked_in_by'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('activity_participants_live_uq')
      .on(t.activityId, t.userId)
      .where(sql`${t.status} <> 'cancelled'`),
    index('activity_participants_wait_idx').on(t.activityId, t.status, t.seq),
    index('activity_participants_user_idx').on(t.userId, t.createdAt),
  ],
);

/**
 * 服务时长台账: append-only (a trigger refuses UPDATE and DELETE). Every credit is a row; a correction (补录) or an
 * approved excess is a new row; a mistake is undone by a `reversal` row with negative hours.
 */
export const hoursEntries = pgTable(
  'hours_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    countyCode: text('county_code').notNull(),
    regionPath: text('region_path').notNull(),
    volunteerId: uuid('volunteer_id')
      .notNull()
      .references(() => volunteers.id),
    kind: text('kind', { enum: ['attendance', 'order', 'excess', 'correction', 'reversal'] }).notNull(),
    hours: numeric('hours', { precision: 7, scale: 2 }).notNull(),
    serviceDate: date('service_date', { mode: 'string' }).notNull(),
    activityId: uuid('activity_id').references(() => activities.id),
    signupId: uuid('signup_id').references(() => activitySignups.id),
    orderId: uuid('order_id').references(() => orders.id),
    requestId: uuid('request_id'),
    reversesId: uuid('reverses_id'),
    description: text('description').notNull(),
    evidenceFileIds: jsonb('evidence_file_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('hours_entries_volunteer_idx').on(t.volunteerId, t.serviceDate),
    index('hours_entries_path_idx').on(t.regionPath.op('text_pattern_ops'), t.serviceDate),
    index('hours_entries_activity_idx').on(t.activityId),
    uniqueIndex('hours_entries_signup_uq')
      .on(t.signupId, t.kind)
      .where(sql`${t.kind} = 'attendance'`),
    uniqueIndex('hours_entries_order_uq')
      .on(t.orderId, t.volunteerId)
      .where(sql`${t.kind} = 'order'`),
    check(
      'hours_entries_sign_ck',
      sql`(${t.kind} = 'reversal' and ${t.hours} < 0) or (${t.kind} <> 'reversal' and ${t.hours} > 0)`,
    ),
  ],
);

/**
 * Hours that need a decision: the part of a day beyond the daily cap (`excess`) and a volunteer's or staff's
 * correction (`correction`, 补录, with evidence). Approval appends a ledger row; the request keeps the answer.
 */
export const hoursRequests = pgTable(
  'hours_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    regionPath: text('region_path').notNull(),
    volunteerId: uuid('volunteer_id')
      .notNull()
      .references(() => volunteers.id),
    kind: text('kind', { enum: ['excess', 'correction'] }).notNull(),
    activityId: uuid('activity_id').references(() => activities.id),
    signupId: uuid('signup_id').references(() => activitySignups.id),
    /** hours claimed on a service order beyond the time between its acceptance and completion */
    orderId: uuid('order_id').references(() => orders.id),
    hours: numeric('hours', { precision: 7, scale: 2 }).notNull(),
    serviceDate: date('service_date', { mode: 'string' }).notNull(),
    reason: text('reason').notNull(),
    evidenceFileIds: jsonb('evidence_file_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    status: text('status', { enum: ['pending', 'approved', 'rejected'] }).notNull(),
    answer: text('answer'),
    requestedBy: uuid('requested_by'),
    decidedBy: uuid('decided_by'),
    decidedAt: ts('decided_at'),
    entryId: uuid('entry_id'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('hours_requests_path_idx').on(t.regionPath.op('text_pattern_ops'), t.status),
    index('hours_requests_volunteer_idx').on(t.volunteerId, t.createdAt),
    check('hours_requests_hours_ck', sql`${t.hours} > 0`),
    uniqueIndex('hours_requests_order_uq')
      .on(t.orderId, t.volunteerId)
      .where(sql`${t.orderId} is not null`),
  ],
);

/** 星级认定: apply → review → public notice for N working days → granted (or rejected / objected). */
export const starApplications = pgTable(
  'star_applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    regionPath: text('region_path').notNull(),
    volunteerId: uuid('volunteer_id')
      .notNull()
      .references(() => volunteers.id),
    level: integer('level').notNull(),
    hoursAtApply: numeric('hours_at_apply', { precision: 8, scale: 2 }).notNull(),
    state: text('state', { enum: ['applied', 'notice', 'granted', 'rejected', 'withdrawn'] }).notNull(),
    comment: text('comment'),
    objection: text('objection'),
    reviewedBy: uuid('reviewed_by'),
    reviewedAt: ts('reviewed_at'),
    noticeStart: date('notice_start', { mode: 'string' }),
    noticeEnd: date('notice_end', { mode: 'string' }),
    grantedAt: ts('granted_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('star_applications_path_idx').on(t.regionPath.op('text_pattern_ops'), t.state),
    uniqueIndex('star_applications_live_uq')
      .on(t.volunteerId, t.level)
      .where(sql`${t.state} in ('applied', 'notice', 'granted')`),
    check('star_applications_level_ck', sql`${t.level} between 1 and 5`),
  ],
);

export type CertificateSnapshot = {
  name: string;
  idType: string;
  idMasked: string;
  volunteerNo: string;
  issuer: { name: string; personInCharge: string; handler: string; contact: string };
  content: { title: string; date: string; hours: number }[];
};

/** 志愿服务证明: a snapshot of the volunteer, hours and issuer at issue time, verifiable by its code. */
export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code').notNull(),
    regionPath: text('region_path').notNull(),
    volunteerId: uuid('volunteer_id')
      .notNull()
      .references(() => volunteers.id),
    number: text('number').notNull(),
    verifyCode: text('verify_code').notNull(),
    periodFrom: date('period_from', { mode: 'string' }).notNull(),
    periodTo: date('period_to', { mode: 'string' }).notNull(),
    hours: numeric('hours', { precision: 8, scale: 2 }).notNull(),
    snapshot: jsonb('snapshot').$type<CertificateSnapshot>().notNull(),
    issuedBy: uuid('issued_by'),
    issuedAt: ts('issued_at').notNull(),
    /** valid → revoked (certificates/transitions.ts); `revoked_at` says when. */
    state: text('state', { enum: ['valid', 'revoked'] })
      .notNull()
      .default('valid'),
    revokedAt: ts('revoked_at'),
    revokeReason: text('revoke_reason'),
  },
  (t) => [
    uniqueIndex('certificates_number_uq').on(t.number),
    uniqueIndex('certificates_verify_uq').on(t.verifyCode),
    index('certificates_volunteer_idx').on(t.volunteerId),
    index('certificates_path_idx').on(t.regionPath.op('text_pattern_ops'), t.issuedAt),
  ],
);

/** 月度报送: a station reports to its institute, an institute to the center; accepted or returned with a comment. */
export const submissions = pgTable(
  'submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...regionColumns(),
    level: text('level', { enum: ['station', 'institute'] }).notNull(),
    month: text('month').notNull(),
    state: text('state', { enum: ['submitted', 'accepted', 'returned'] }).notNull(),
    summary: text('summary').notNull().default(''),
    figures: jsonb('figures')
      .$type<Record<string, number>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    attachmentIds: jsonb('attachment_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    comment: text('comment'),
    submittedBy: uuid('submitted_by'),
    submittedAt: ts('submitted_at').notNull(),
    reviewedBy: uuid('reviewed_by'),
    reviewedAt: ts('reviewed_at'),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('submissions_region_month_uq').on(t.regionCode, t.month),
    index('submissions_path_idx').on(t.regionPath.op('text_pattern_ops'), t.month),
  ],
);

export const submissionEvents = pgTable(
  'submission_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => submissions.id, { onDelete: 'cascade' }),
    action: text('action', { enum: ['submit', 'accept', 'return', 'resubmit'] }).notNull(),
    actorUserId: uuid('actor_user_id'),
    actorName: text('actor_name').notNull(),
    comment: text('comment').notNull().default(''),
    at: ts('at').notNull(),
  },
  (t) => [index('submission_events_submission_idx').on(t.submissionId, t.at)],
);
