import { once } from 'node:events';
import { contentDisposition } from '../../platform/http.js';
import type { Writable } from 'node:stream';
import { and, asc, eq, inArray, sql, type AnyColumn } from 'drizzle-orm';
import type ExcelJS from 'exceljs';
import type { Db, DbOrTx } from '../../db/client.js';
import {
  activities,
  activitySignups,
  hoursEntries,
  orders,
  regions,
  serviceItems,
  sites,
  volunteers,
} from '../../db/schema/index.js';
import { notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { escapeLike, inScope, regionInScope, type Scope } from '../../platform/scope.js';
import { getRegion } from '../regions/service.js';
import { activityStateNames, activityTypeNames } from '../plans/service.js';
import { chinaDateTime, chinaDay, monthRange, type MonthRange } from '../plans/month.js';

/** exceljs is large; it loads on the first export, not at start. */
const excel = async () => (await import('exceljs')).default;

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const ledgerKinds = { activities: '活动台账', attendance: '签到台账', hours: '服务时长台账' } as const;
export type LedgerKind = keyof typeof ledgerKinds;

/**
 * Rows are read by keyset pages of this size, written and committed one by one: memory stays flat however long the
 * month.
 */
export const LEDGER_BATCH = 1000;

export type LedgerRegion = { code: string; path: string; countyCode: string; name: string; level: string };

/** The region of a ledger: in the caller's scope, or not found. A village is named with its town (新集镇某某村). */
export async function ledgerRegion(db: DbOrTx, scope: Scope, code: string): Promise<LedgerRegion> {
  const r = await getRegion(db, code);
  if (!r || !regionInScope(scope, r.path)) throw notFound('区划');
  let name = r.name;
  if (r.level === 'village' && r.parentCode) {
    const town = await getRegion(db, r.parentCode);
    if (town) name = `${town.name}${r.name}`;
  }
  return { code: r.code, path: r.path, countyCode: r.countyCode, name, level: r.level };
}

export const ledgerTitle = (kind: LedgerKind, region: LedgerRegion, m: MonthRange) =>
  `${region.name} ${m.label} ${ledgerKinds[kind]}`;

/** The ledger file's Chinese name with an ASCII fallback. */
export function ledgerDisposition(kind: LedgerKind, region: LedgerRegion, ym: string) {
  const name = `${region.name}${monthRange(ym).label}${ledgerKinds[kind]}.xlsx`;
  return contentDisposition(name, { ascii: `ledger-${kind}-${region.code}-${ym}.xlsx` });
}

export async function auditExport(db: Db, actor: Actor, kind: LedgerKind, region: LedgerRegion, ym: string) {
  await db.transaction(async (tx) => {
    await writeAudit(
      tx,
      { ...actor, countyCode: region.countyCode },
      {
        action: 'ledger.export',
        entity: 'ledger',
        entityId: `${kind}:${region.code}:${ym}`,
        detail: { kind, name: ledgerKinds[kind], regionCode: region.code, month: ym },
      },
    );
  });
}

type Col = { header: string; width: number };
const columns: Record<LedgerKind, Col[]> = {
  activities: [
    { header: '序号', width: 6 },
    { header: '活动名称', width: 30 },
    { header: '类型', width: 10 },
    { header: '主题', width: 18 },
    { header: '所属站点/区域', width: 26 },
    { header: '开始时间', width: 17 },
    { header: '结束时间', width: 17 },
    { header: '地点', width: 26 },
    { header: '招募人数', width: 9 },
    { header: '报名人数', width: 9 },
    { header: '签到人数', width: 9 },
    { header: '服务对象', width: 16 },
    { header: '受益人数', width: 9 },
    { header: '状态', width: 9 },
  ],
  attendance: [
    { header: '活动', width: 30 },
    { header: '日期', width: 11 },
    { header: '志愿者', width: 10 },
    { header: '志愿者编号', width: 20 },
    { header: '报名状态', width: 9 },
    { header: '签到时间', width: 17 },
    { header: '签退时间', width: 17 },
    { header: '签到方式', width: 9 },
    { header: '是否缺席', width: 9 },
    { header: '认定时长', width: 9 },
  ],
  hours: [
    { header: '志愿者', width: 10 },
    { header: '编号', width: 20 },
    { header: '日期', width: 11 },
    { header: '类型', width: 11 },
    { header: '时长', width: 8 },
    { header: '活动/订单', width: 30 },
    { header: '说明', width: 36 },
  ],
};

const signupStatusNames = { confirmed: '已确认', waitlisted: '候补', cancelled: '已取消' } as const;
const checkInMethodNames = { code: '签到码', qr: '扫码', sheet: '签到表' } as const;
export const hoursKindNames = {
  attendance: '活动签到',
  order: '点单服务',
  excess: '超时长审核',
  correction: '补录',
  reversal: '冲正',
} as const;

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** Waits while the reader is behind, so rows are produced no faster than the client takes them. */
async function backpressure(out: Writable) {
  if (out.destroyed) throw new Error('client went away');
  if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
  if (out.destroyed) throw new Error('client went away');
}

type Sheet = ReturnType<ExcelJS.stream.xlsx.WorkbookWriter['addWorksheet']>;

/** Reads pages after the last key until a short page, writing each row; waits for the reader between pages. */
async function keyset<R, K>(
  out: Writable,
  fetch: (after: K | null) => Promise<R[]>,
  key: (r: R) => K,
  write: (r: R) => void,
): Promise<number> {
  let after: K | null = null;
  let n = 0;
  for (;;) {
    const page = await fetch(after);
    for (const r of page) {
      write(r);
      n++;
    }
    if (page.length < LEDGER_BATCH) return n;
    after = key(page[page.length - 1]);
    await backpressure(out);
  }
}

/**
 * Streams a ledger as .xlsx: a title row naming the region and month, the Chinese column headers, then one row per
 * record read by keyset pages; each row is committed (flushed) as soon as it is written.
 */
export async function writeLedger(
  db: DbOrTx,
  scope: Scope,
  kind: LedgerKind,
  region: LedgerRegion,
  ym: string,
  out: Writable,
) {
  const ExcelJS = await excel();
  const m = monthRange(ym);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = '文明实践云';
  const ws = wb.addWorksheet(ledgerKinds[kind], { views: [{ state: 'frozen', ySplit: 2 }] });
  const cols = columns[kind];
  ws.columns = cols.map((c, i) => ({ key: `c${i}`, width: c.width }));
  const title = ws.getRow(1);
  title.getCell(1).value = ledgerTitle(kind, region, m);
  title.getCell(1).font = { bold: true, size: 14 };
  title.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
  title.height = 26;
  ws.mergeCells(1, 1, 1, cols.length);
  title.commit();
  const head = ws.getRow(2);
  cols.forEach((c, i) => {
    head.getCell(i + 1).value = c.header;
  });
  head.font = { bold: true };
  head.commit();
  const rows = await writers[kind](db, scope, region, m, ws, out);
  if (rows === 0) {
    const empty = ws.getRow(3);
    empty.getCell(1).value = '本月无记录';
    empty.commit();
  }
  ws.commit();
  await wb.commit();
  return rows;
}

type Writer = (
  db: DbOrTx,
  scope: Scope,
  region: LedgerRegion,
  m: MonthRange,
  ws: Sheet,
  out: Writable,
) => Promise<number>;

const inRegion = (path: AnyColumn, region: LedgerRegion) => sql`${path} like ${escapeLike(region.path) + '%'}`;

/**
 * 活动台账: the activities that began in the month (drafts are not activities yet, nor is a record (补录) while the
 * level above has not confirmed it); a recorded one is marked 补录 in its state column.
 */
const writeActivities: Writer = async (db, scope, region, m, ws, out) => {
  const where = and(
    inRegion(activities.regionPath, region),
    inScope(scope, { path: activities.regionPath, regionCode: activities.regionCode }),
    sql`${activities.startAt} >= ${ts(m.from)} and ${activities.startAt} < ${ts(m.to)}`,
    sql`${activities.state} not in ('draft', 'pending_confirmation', 'returned')`,
  );
  let n = 0;
  return keyset(
    out,
    (after: { startAt: Date; id: string } | null) =>
      db
        .select({
          id: activities.id,
          title: activities.title,
          type: activities.type,
          theme: activities.theme,
          siteName: sites.name,
          regionName: regions.name,
          startAt: activities.startAt,
          endAt: activities.endAt,
          address: activities.address,
          quota: activities.quota,
          signedUp: sql<number>`(select count(*)::int from activity_signups s
            where s.activity_id = ${activities.id} and s.status = 'confirmed')`,
          checkedIn: sql<number>`(select count(*)::int from activity_signups s
            where s.activity_id = ${activities.id} and s.status <> 'cancelled' and s.check_in_at is not null)`,
          beneficiaries: activities.beneficiaries,
          beneficiaryCount: activities.beneficiaryCount,
          state: activities.state,
          recorded: sql<boolean>`${activities.recordedAt} is not null`,
        })
        .from(activities)
        .innerJoin(regions, eq(regions.code, activities.regionCode))
        .leftJoin(sites, eq(sites.id, activities.siteId))
        .where(
          and(
            where,
            after
              ? sql`(${activities.startAt}, ${activities.id}) > (${ts(after.startAt)}, ${after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(activities.startAt), asc(activities.id))
        .limit(LEDGER_BATCH),
    (a) => ({ startAt: a.startAt, id: a.id }),
    (a) => {
      ws.addRow([
        ++n,
        a.title,
        activityTypeNames[a.type],
        a.theme,
        a.siteName ?? a.regionName,
        chinaDateTime(a.startAt),
        chinaDateTime(a.endAt),
        a.address,
        a.quota,
        a.signedUp,
        a.checkedIn,
        a.beneficiaries,
        a.beneficiaryCount,
        a.recorded ? `${activityStateNames[a.state]}（补录）` : activityStateNames[a.state],
      ]).commit();
    },
  );
};

/**
 * 签到台账: every live sign-up of the month's activities, with its attendance and the hours credited for it. Activities
 * are paged first (few per month), then their sign-ups, so each query sorts only the sign-ups of a few activities.
 */
const ACTIVITY_GROUP = 50;
const writeAttendance: Writer = async (db, scope, region, m, ws, out) => {
  const where = and(
    inRegion(activities.regionPath, region),
    inScope(scope, { path: activities.regionPath, regionCode: activities.regionCode }),
    sql`${activities.startAt} >= ${ts(m.from)} and ${activities.startAt} < ${ts(m.to)}`,
    sql`${activities.state} not in ('draft', 'cancelled', 'pending_confirmation', 'returned')`,
  );
  let total = 0;
  let afterActivity: { startAt: Date; id: string } | null = null;
  for (;;) {
    const group: { id: string; startAt: Date }[] = await db
      .select({ id: activities.id, startAt: activities.startAt })
      .from(activities)
      .where(
        and(
          where,
          afterActivity
            ? sql`(${activities.startAt}, ${activities.id}) > (${ts(afterActivity.startAt)}, ${afterActivity.id}::uuid)`
            : undefined,
        ),
      )
      .orderBy(asc(activities.startAt), asc(activities.id))
      .limit(ACTIVITY_GROUP);
    if (!group.length) return total;
    const ids = group.map((a) => a.id);
    total += await keyset(
      out,
      (after: { startAt: Date; id: string; seq: number } | null) =>
        db
          .select({
            activityId: activities.id,
            startAt: activities.startAt,
            seq: activitySignups.seq,
            title: activities.title,
            name: volunteers.name,
            no: volunteers.volunteerNo,
            status: activitySignups.status,
            checkInAt: activitySignups.checkInAt,
            checkOutAt: activitySignups.checkOutAt,
            method: activitySignups.checkInMethod,
            noShow: activitySignups.noShow,
            // credited hours of this attendance, net of any reversal
            hours: sql<number>`(select coalesce(sum(h.hours), 0)::float8 from hours_entries h
              where h.signup_id = ${activitySignups.id}
        or h.reverses_id in (select h2.id from hours_entries h2 where h2.signup_id = ${activitySignups.id}))`,
          })
          .from(activitySignups)
          .innerJoin(activities, eq(activities.id, activitySignups.activityId))
          .innerJoin(volunteers, eq(volunteers.id, activitySignups.volunteerId))
          .where(
            and(
              inArray(activitySignups.activityId, ids),
              sql`${activitySignups.status} <> 'cancelled'`,
              after
                ? sql`(${activities.startAt}, ${activities.id}, ${activitySignups.seq})
                  > (${ts(after.startAt)}, ${after.id}::uuid, ${after.seq}::bigint)`
                : undefined,
            ),
          )
          .orderBy(asc(activities.startAt), asc(activities.id), asc(activitySignups.seq))
          .limit(LEDGER_BATCH),
      (s) => ({ startAt: s.startAt, id: s.activityId, seq: s.seq }),
      (s) => {
        ws.addRow([
          s.title,
          chinaDay(s.startAt),
          s.name,
          s.no,
          signupStatusNames[s.status],
          chinaDateTime(s.checkInAt),
          chinaDateTime(s.checkOutAt),
          s.method ? checkInMethodNames[s.method] : '',
          s.noShow ? '是' : '否',
          Number(s.hours),
        ]).commit();
      },
    );
    if (group.length < ACTIVITY_GROUP) return total;
    afterActivity = group[group.length - 1];
    await backpressure(out);
  }
};

/**
 * 服务时长台账: the ledger rows of the month (by service date), reversals included as negative hours. Read day by day
 * and by the exact region paths of the subtree, so every query is an index probe on (region_path, service_date) and
 * sorts one day's rows only, whatever the size of the table.
 */
const writeHours: Writer = async (db, scope, region, m, ws, out) => {
  const paths = (
    await db
      .select({ path: regions.path })
      .from(regions)
      .where(sql`${regions.path} like ${escapeLike(region.path) + '%'}`)
  ).map((r) => r.path);
  const scoped = inScope(scope, {
    path: hoursEntries.regionPath,
    regionCode: sql`substring(${hoursEntries.regionPath} from '([^/]+)/$')`,
  });
  let total = 0;
  for (let d = 1; d <= m.days; d++) {
    const day = `${m.firstDay.slice(0, 8)}${String(d).padStart(2, '0')}`;
    total += await keyset(
      out,
      (after: number | null) =>
        db
          .select({
            seq: hoursEntries.seq,
            name: volunteers.name,
            no: volunteers.volunteerNo,
            date: hoursEntries.serviceDate,
            kind: hoursEntries.kind,
            hours: hoursEntries.hours,
            activityTitle: activities.title,
            itemName: serviceItems.name,
            description: hoursEntries.description,
          })
          .from(hoursEntries)
          .innerJoin(volunteers, eq(volunteers.id, hoursEntries.volunteerId))
          .leftJoin(activities, eq(activities.id, hoursEntries.activityId))
          .leftJoin(orders, eq(orders.id, hoursEntries.orderId))
          .leftJoin(serviceItems, eq(serviceItems.id, orders.serviceItemId))
          .where(
            and(
              inArray(hoursEntries.regionPath, paths),
              eq(hoursEntries.serviceDate, day),
              scoped,
              after !== null ? sql`${hoursEntries.seq} > ${after}` : undefined,
            ),
          )
          .orderBy(asc(hoursEntries.seq))
          .limit(LEDGER_BATCH),
      (h) => h.seq,
      (h) => {
        ws.addRow([
          h.name,
          h.no,
          h.date,
          hoursKindNames[h.kind],
          Number(h.hours),
          h.activityTitle ?? (h.itemName ? `订单：${h.itemName}` : ''),
          h.description,
        ]).commit();
      },
    );
    await backpressure(out);
  }
  return total;
};

const writers: Record<LedgerKind, Writer> = {
  activities: writeActivities,
  attendance: writeAttendance,
  hours: writeHours,
};
