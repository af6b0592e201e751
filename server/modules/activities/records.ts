import { and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { activities, activitySignups, files, volunteers } from '../../db/schema/index.js';
import { AppError, notFound, type ErrorDetail } from '../../platform/errors.js';
import { writeAudit } from '../../platform/audit.js';
import { addEvent, assertAllowed, runTransition } from '../../platform/transitions.js';
import { notify } from '../../platform/notify.js';
import { regionInScope } from '../../platform/scope.js';
import { chinaMinute as fmt } from '../../platform/clock.js';
import { getSetting } from '../settings/service.js';
import type { Settlement } from '../hours/service.js';
import {
  canManage,
  checkInput,
  isAbove,
  newAttendanceCode,
  parentPathOf,
  settleSignup,
  sheetTimeProblems,
  standing,
  type ActivityCaller,
  type ActivityType,
} from './service.js';
import { activityMachine } from './transitions.js';

type Activity = typeof activities.$inferSelect;
type Signup = typeof activitySignups.$inferSelect;

/** One row of the paper sign-in sheet of an activity recorded afterwards. */
export type RecordAttendance = { volunteerId: string; checkInAt: Date; checkOutAt: Date };

/** 补录: an activity that was held and is entered afterwards, with its sign-in sheet. */
export type RecordInput = {
  title: string;
  type: ActivityType;
  regionCode: string;
  startAt: Date;
  endAt: Date;
  address: string;
  description: string;
  theme?: string;
  siteId?: string | null;
  teamId?: string | null;
  planId?: string | null;
  /** People who took part without a volunteer record (residents …). */
  participants?: number;
  /** 服务对象 in words; a number is taken as the count of beneficiaries (API.md's `beneficiaries?`). */
  beneficiaries?: string | number;
  beneficiaryCount?: number;
  photoIds?: string[];
  sheetPhotoIds?: string[];
  attendance?: RecordAttendance[];
};

/** What became of each attendee's hours; `hours` is null while the record waits for the level above. */
export type RecordSettlement = {
  needsConfirmation: boolean;
  credited: number;
  pending: number;
  items: {
    signupId: string;
    volunteerId: string;
    volunteerName: string;
    volunteerNo: string | null;
    checkInAt: Date | null;
    checkOutAt: Date | null;
    hours: Settlement | null;
  }[];
};

type VolunteerRow = { id: string; userId: string | null; name: string; volunteerNo: string | null; regionPath: string };

/**
 * Field checks of a record, all reported at once: the activity fields as for any activity (region in scope → else
 * 404, site/team/plan of the county, the end after the start), the end not in the future, every attendee a volunteer
 * in the caller's scope who appears once, with times inside the activity's attendance window, and photos that exist.
 */
async function checkRecord(db: DbOrTx, c: ActivityCaller, now: Date, input: RecordInput) {
  const rows = input.attendance ?? [];
  const problems: ErrorDetail[] = [];
  let region: Awaited<ReturnType<typeof checkInput>> | null = null;
  try {
    region = await checkInput(db, c.scope, { ...input, quota: Math.max(1, rows.length), beneficiaries: undefined });
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'VALIDATION_FAILED') throw e;
    problems.push(...e.details);
  }
  if (input.endAt.getTime() > now.getTime())
    problems.push({
      path: 'endAt',
      message: '补录的活动须已经结束：结束时间不能晚于当前时间，未举办的活动请用“发布活动”',
    });
  if (!input.description?.trim()) problems.push({ path: 'description', message: '请填写活动内容（做了什么）' });

  const ids = [...new Set(rows.map((r) => r.volunteerId))];
  const found: VolunteerRow[] = ids.length
    ? await db
        .select({
          id: volunteers.id,
          userId: volunteers.userId,
          name: volunteers.name,
          volunteerNo: volunteers.volunteerNo,
          regionPath: volunteers.regionPath,
        })
        .from(volunteers)
        .where(and(inArray(volunteers.id, ids), eq(volunteers.countyCode, c.countyCode)))
    : [];
  const byId = new Map(found.filter((v) => regionInScope(c.scope, v.regionPath)).map((v) => [v.id, v]));
  const firstRow = new Map<string, number>();
  const timesCheckable = input.endAt.getTime() > input.startAt.getTime();
  for (const [i, r] of rows.entries()) {
    const v = byId.get(r.volunteerId);
    if (!v)
      problems.push({
        path: `attendance.${i}.volunteerId`,
        message: `第 ${i + 1} 行：志愿者不存在或不在您的管理范围内`,
      });
    else if (firstRow.has(v.id))
      problems.push({
        path: `attendance.${i}.volunteerId`,
        message: `第 ${i + 1} 行：${v.name}已在第 ${firstRow.get(v.id)! + 1} 行录入，同一志愿者只能录入一次`,
      });
    else firstRow.set(v.id, i);
    if (timesCheckable)
      for (const p of sheetTimeProblems(input, r, now, `attendance.${i}.`))
        problems.push({ path: p.path, message: `第 ${i + 1} 行：${p.message}` });
  }
  for (const field of ['photoIds', 'sheetPhotoIds'] as const) {
    const list = input[field] ?? [];
    if (!list.length) continue;
    const ok = await db
      .select({ id: files.id })
      .from(files)
      .where(
        and(
          inArray(files.id, [...new Set(list)]),
          or(eq(files.countyCode, c.countyCode), isNull(files.countyCode)),
          sql`${files.mime} like 'image/%'`,
        ),
      );
    list.forEach((id, i) => {
      if (!ok.some((f) => f.id === id)) problems.push({ path: `${field}.${i}`, message: '照片不存在，请重新上传' });
    });
  }
  if (problems.length || !region) throw new AppError('VALIDATION_FAILED', problems[0].message, problems);
  return { region, volunteers: byId };
}

/** The activity's columns from a record. A record takes no recruiting: its seats are the people on the sheet. */
function recordColumns(input: RecordInput, people: number) {
  const countGiven = typeof input.beneficiaries === 'number' ? input.beneficiaries : undefined;
  return {
    title: input.title.trim(),
    type: input.type,
    theme: input.theme?.trim() ?? '',
    description: input.description.trim(),
    startAt: input.startAt,
    endAt: input.endAt,
    quota: Math.max(1, people),
    confirmedCount: people,
    waitlistCount: 0,
    address: input.address.trim(),
    siteId: input.siteId ?? null,
    teamId: input.teamId ?? null,
    planId: input.planId ?? null,
    beneficiaries: typeof input.beneficiaries === 'string' ? input.beneficiaries.trim() : '',
    beneficiaryCount: input.beneficiaryCount ?? countGiven ?? 0,
    participantCount: input.participants ?? 0,
    photoIds: [...new Set(input.photoIds ?? [])],
    sheetPhotoIds: [...new Set(input.sheetPhotoIds ?? [])],
  };
}

/**
 * Whether the record waits for the level above: the county requires it, the activity's region has a level above,
 * and the person recording does not already work at that level (an institute recording for one of its villages).
 */
async function needsConfirmation(db: DbOrTx, c: ActivityCaller, region: { countyCode: string; path: string }) {
  const parent = parentPathOf(region.path);
  if (!parent || regionInScope(c.scope, parent)) return false;
  return getSetting<boolean>(db, region.countyCode, 'activities.recordNeedsConfirmation');
}

/** The sheet's rows as sign-ups (source `sheet`, checked in and out), in the sheet's order. */
async function enterSheet(
  tx: DbOrTx,
  activityId: string,
  rows: RecordAttendance[],
  vols: Map<string, VolunteerRow>,
  now: Date,
): Promise<Signup[]> {
  if (!rows.length) return [];
  return tx
    .insert(activitySignups)
    .values(
      rows.map((r) => ({
        activityId,
        volunteerId: r.volunteerId,
        userId: vols.get(r.volunteerId)?.userId ?? null,
        status: 'confirmed' as const,
        source: 'sheet' as const,
        signedUpAt: now,
        checkInAt: r.checkInAt,
        checkOutAt: r.checkOutAt,
        checkInMethod: 'sheet' as const,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .returning();
}

/**
 * Settles every unsettled attendance of the activity through the hours module's settlement (60 % rule, daily cap,
 * the excess as a request for review), volunteers in id order so that two settlements never lock them crosswise.
 */
async function settleSheet(tx: DbOrTx, c: ActivityCaller, a: Activity, now: Date): Promise<RecordSettlement> {
  const rows = await tx
    .select({ s: activitySignups, name: volunteers.name, volunteerNo: volunteers.volunteerNo })
    .from(activitySignups)
    .innerJoin(volunteers, eq(volunteers.id, activitySignups.volunteerId))
    .where(
      and(
        eq(activitySignups.activityId, a.id),
        eq(activitySignups.status, 'confirmed'),
        isNull(activitySignups.hoursSettledAt),
      ),
    )
    .orderBy(asc(activitySignups.volunteerId));
  const items: RecordSettlement['items'] = [];
  for (const r of rows) {
    const hours = await settleSignup(tx, { signup: r.s, activity: a, shift: null, actor: c.actor, now });
    items.push({
      signupId: r.s.id,
      volunteerId: r.s.volunteerId,
      volunteerName: r.name,
      volunteerNo: r.volunteerNo,
      checkInAt: r.s.checkInAt,
      checkOutAt: r.s.checkOutAt,
      hours,
    });
  }
  return summary(false, await inSheetOrder(tx, a.id, items));
}

async function inSheetOrder<T extends { signupId: string }>(tx: DbOrTx, activityId: string, items: T[]) {
  const order = await tx
    .select({ id: activitySignups.id })
    .from(activitySignups)
    .where(eq(activitySignups.activityId, activityId))
    .orderBy(asc(activitySignups.seq));
  const pos = new Map(order.map((o, i) => [o.id, i]));
  return [...items].sort((x, y) => (pos.get(x.signupId) ?? 0) - (pos.get(y.signupId) ?? 0));
}

const round = (h: number) => Math.round(h * 100) / 100;
function summary(needs: boolean, items: RecordSettlement['items']): RecordSettlement {
  return {
    needsConfirmation: needs,
    credited: round(items.reduce((n, i) => n + (i.hours?.credited ?? 0), 0)),
    pending: round(items.reduce((n, i) => n + (i.hours?.pending ?? 0), 0)),
    items,
  };
}

function waiting(signups: Signup[], vols: Map<string, VolunteerRow>): RecordSettlement {
  return summary(
    true,
    signups.map((s) => ({
      signupId: s.id,
      volunteerId: s.volunteerId,
      volunteerName: vols.get(s.volunteerId)?.name ?? '',
      volunteerNo: vols.get(s.volunteerId)?.volunteerNo ?? null,
      checkInAt: s.checkInAt,
      checkOutAt: s.checkOutAt,
      hours: null,
    })),
  );
}

/** Staff of the region above who manage activities (an institute's admins for a village, the center's for a town). */
async function confirmersOf(tx: DbOrTx, regionPath: string): Promise<string[]> {
  const parent = parentPathOf(regionPath)?.split('/').filter(Boolean).at(-1);
  if (!parent) return [];
  const { rows } = await tx.execute(sql`select distinct ra.user_id from role_assignments ra
      join roles ro on ro.code = ra.role_code
      join users u on u.id = ra.user_id
    where ra.region_code = ${parent} and ro.permissions @> '["activity:manage"]'::jsonb and u.active`);
  return (rows as { user_id: string }[]).map((r) => r.user_id);
}

/** The notice to the staff above that a record waits for them. */
async function confirmationNotice(tx: DbOrTx, c: ActivityCaller, a: Activity, again: boolean) {
  return {
    userIds: (await confirmersOf(tx, a.regionPath)).filter((u) => u !== c.userId),
    kind: 'activity.record',
    title: again ? '补录活动已重新提交' : '补录活动待确认',
    body: `${c.actor.name}${again ? '修改后重新提交了' : '补录了'}活动“${a.title}”（${fmt(a.startAt)}，${a.address}），请核对签到表和照片后确认或退回。`,
  };
}

/**
 * 补录: enters an activity that was held and not entered, with its sign-in sheet, in one transaction. It is `ended`
 * at once and its attendance is settled into hours by the usual rules — unless the county requires the level above to
 * confirm records (`activities.recordNeedsConfirmation`): then it is `pending_confirmation`, counts nowhere and
 * credits nothing until confirmed, and the staff above are notified.
 */
export async function recordActivity(db: Db, c: ActivityCaller, now: Date, input: RecordInput) {
  const { region, volunteers: vols } = await checkRecord(db, c, now, input);
  const rows = input.attendance ?? [];
  const needs = await needsConfirmation(db, c, region);
  return db.transaction(async (tx) => {
    const [a] = await tx
      .insert(activities)
      .values({
        ...recordColumns(input, rows.length),
        countyCode: region.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        state: needs ? 'pending_confirmation' : 'ended',
        code: newAttendanceCode(),
        createdBy: c.userId,
        recordedBy: c.userId,
        recordedAt: now,
        endedAt: needs ? null : now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const signups = await enterSheet(tx, a.id, rows, vols, now);
    await addEvent(tx, {
      entity: 'activity',
      entityId: a.id,
      action: 'record',
      from: null,
      to: a.state,
      actor: c.actor,
      note: needs ? '待上级确认' : '',
      at: now,
    });
    const settlement = needs ? waiting(signups, vols) : await settleSheet(tx, c, a, now);
    if (needs)
      await notify(tx, {
        ...(await confirmationNotice(tx, c, a, false)),
        countyCode: a.countyCode,
        entity: 'activity',
        entityId: a.id,
        now,
      });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: a.countyCode },
      {
        action: 'activity.record',
        entity: 'activity',
        entityId: a.id,
        after: { ...a, code: undefined, attendance: signups.length },
        detail: { needsConfirmation: needs, credited: settlement.credited, pending: settlement.pending },
      },
    );
    return { id: a.id, settlement };
  });
}

/** A record for a command of the level above: found when the caller manages it or works at the level above it. */
async function loadRecord(tx: DbOrTx, c: ActivityCaller, id: string) {
  const [a] = await tx.select().from(activities).where(eq(activities.id, id)).for('update');
  if (!a || !a.recordedAt || !(canManage(c, a) || isAbove(c, a))) throw notFound('活动');
  return a;
}

/** Only the level above confirms or returns a record; the recorder and their colleagues are told who does. */
function requireAbove(parties: ReadonlySet<string>, a: Activity, c: ActivityCaller, what: '确认' | '退回') {
  if (parties.has('above')) return;
  throw new AppError(
    'FORBIDDEN',
    a.recordedBy === c.userId
      ? `不能${what}自己补录的活动，须由上级工作人员${what}`
      : `补录的活动由上级${what}：村（社区）的由乡镇实践所${what}，乡镇的由县文明实践中心${what}`,
  );
}

/**
 * The level above confirms a record: it becomes `ended` and counts, and its sheet is settled into hours now — before
 * the transition's event, notice and audit, so that the volunteers are locked before the audit lane, as everywhere.
 */
export async function confirmRecord(db: Db, c: ActivityCaller, now: Date, id: string, comment?: string) {
  return db.transaction(async (tx) => {
    const a = await loadRecord(tx, c, id);
    const { parties, ctx } = standing(c, a, now);
    requireAbove(parties, a, c, '确认');
    assertAllowed(activityMachine, 'confirm', a.state, parties, ctx);
    const settlement = await settleSheet(tx, c, a, now);
    const note = comment?.trim() ?? '';
    await runTransition(tx, {
      machine: activityMachine,
      table: activities,
      record: a,
      action: 'confirm',
      actor: c.actor,
      now,
      set: { confirmedBy: c.userId, confirmedAt: now, endedAt: now, returnReason: null, updatedAt: now },
      note,
      detail: { credited: settlement.credited, pending: settlement.pending, people: settlement.items.length },
      tell: () => ({
        userIds: [a.recordedBy],
        kind: 'activity.confirmed',
        title: '补录活动已确认',
        body:
          `您补录的活动“${a.title}”已由${c.actor.name}确认，计入活动统计；` +
          `签到表上 ${settlement.items.length} 人的服务时长已按规则认定（${settlement.credited} 小时` +
          (settlement.pending ? `，另有 ${settlement.pending} 小时待审核` : '') +
          `）。${note ? `意见：${note}` : ''}`,
      }),
    });
    return settlement;
  });
}

/** The level above returns a record with a reason: `returned`, the recorder is told why; nothing is credited. */
export async function returnRecord(db: Db, c: ActivityCaller, now: Date, id: string, reason: string) {
  const why = reason.trim();
  if (!why) throw new AppError('VALIDATION_FAILED', '请填写退回原因', [{ path: 'reason', message: '请填写退回原因' }]);
  return db.transaction(async (tx) => {
    const a = await loadRecord(tx, c, id);
    const { parties, ctx } = standing(c, a, now);
    requireAbove(parties, a, c, '退回');
    assertAllowed(activityMachine, 'return', a.state, parties, ctx);
    await runTransition(tx, {
      machine: activityMachine,
      table: activities,
      record: a,
      action: 'return',
      actor: c.actor,
      now,
      set: { returnReason: why, updatedAt: now },
      note: why,
      tell: () => ({
        userIds: [a.recordedBy],
        kind: 'activity.returned',
        title: '补录活动被退回',
        body: `您补录的活动“${a.title}”被${c.actor.name}退回：${why}。请修改后重新提交。`,
      }),
    });
  });
}

/**
 * After a return, staff who manage the record send it again with the same body as POST /activities/records: the
 * fields and the sign-in sheet are replaced (nothing was settled while it waited) and it goes back to the level above.
 */
export async function resubmitRecord(db: Db, c: ActivityCaller, now: Date, id: string, input: RecordInput) {
  const { region, volunteers: vols } = await checkRecord(db, c, now, input);
  const rows = input.attendance ?? [];
  return db.transaction(async (tx) => {
    const before = await loadRecord(tx, c, id);
    const { parties, ctx } = standing(c, before, now);
    assertAllowed(activityMachine, 'resubmit', before.state, parties, ctx);
    if (region.countyCode !== before.countyCode) throw notFound('区划');
    const removed = await tx
      .delete(activitySignups)
      .where(and(eq(activitySignups.activityId, id), isNull(activitySignups.hoursSettledAt)))
      .returning({ id: activitySignups.id });
    const signups = await enterSheet(tx, id, rows, vols, now);
    await runTransition(tx, {
      machine: activityMachine,
      table: activities,
      record: before,
      action: 'resubmit',
      actor: c.actor,
      now,
      set: { ...recordColumns(input, rows.length), regionCode: region.code, regionPath: region.path, updatedAt: now },
      detail: { attendanceBefore: removed.length, attendance: signups.length },
      tell: (t, row) => confirmationNotice(t, c, row, true),
    });
    return waiting(signups, vols);
  });
}
