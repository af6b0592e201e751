import type { Writable } from 'node:stream';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { regions, volunteers } from '../../db/schema/index.js';
import { fileUrl, storeFile } from '../files/service.js';
import { ensureCounter, RESERVE_NUMBERS_SQL } from '../../platform/counters.js';
import { AppError, type ErrorDetail } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { regionInScope, type Scope } from '../../platform/scope.js';
import type { Crypto } from '../../platform/crypto.js';
import type { FileStore } from '../../platform/files.js';
import { newStorageKey } from '../../platform/files.js';
import { sha256Hex } from '../../platform/crypto.js';
import { JobInterrupted, type JobContext, type JobRow, type JobRunner } from '../../platform/jobs.js';
import type { Tx } from '../../db/client.js';
import {
  checkVolunteer,
  consentPurposes,
  knownCategories,
  nameKeys,
  politicalStatuses,
  protectedColumns,
  standingCategories,
  volunteerScope,
  type VolunteerInput,
} from './service.js';
import { NotAWorkbook, openWorkbook, WorkbookTooLarge, type SheetRow, type Workbook } from './xlsx.js';

/** exceljs is large; it loads on the first template, error report or export, not at start. */
const excel = async () => (await import('exceljs')).default;

/** The columns of the import template (花名册模板); * marks the required ones. */
export const templateColumns = [
  { key: 'name', header: '姓名', required: true, width: 12, note: '2–30 个汉字' },
  { key: 'idNumber', header: '身份证号', required: true, width: 22, note: '18 位居民身份证号' },
  { key: 'phone', header: '手机号', required: false, width: 14, note: '11 位手机号' },
  { key: 'regionCode', header: '所属村（社区）区划代码', required: true, width: 22, note: '见“区划代码”工作表' },
  {
    key: 'categories',
    header: '服务类别',
    required: false,
    width: 20,
    note: `多个用顿号分隔：${Object.values(standingCategories).join('、')}`,
  },
  { key: 'skills', header: '专业技能', required: false, width: 18, note: '多个用顿号分隔' },
  { key: 'politicalStatus', header: '政治面貌', required: false, width: 12, note: politicalStatuses.join('/') },
  { key: 'education', header: '学历', required: false, width: 10, note: '' },
  { key: 'occupation', header: '职业', required: false, width: 12, note: '' },
  { key: 'availability', header: '可服务时间', required: false, width: 14, note: '如：周末、工作日晚上' },
  { key: 'serviceArea', header: '服务区域', required: false, width: 14, note: '' },
  { key: 'guardianName', header: '监护人姓名', required: false, width: 12, note: '未满 18 周岁必填' },
  { key: 'guardianPhone', header: '监护人手机号', required: false, width: 14, note: '未满 18 周岁必填' },
  { key: 'guardianRelation', header: '与监护人关系', required: false, width: 12, note: '' },
  { key: 'guardianConsent', header: '监护人已同意', required: false, width: 12, note: '未满 14 周岁填“是”' },
  { key: 'verified', header: '已实名核验', required: false, width: 12, note: '已核对身份证原件填“是”' },
] as const;
type ColKey = (typeof templateColumns)[number]['key'];

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;

export async function buildTemplate(db: Db, countyCode: string): Promise<Buffer> {
  const ExcelJS = await excel();
  const wb = new ExcelJS.Workbook();
  wb.creator = '文明实践云';
  const ws = wb.addWorksheet('志愿者');
  ws.columns = templateColumns.map((c) => ({
    header: c.required ? `${c.header}*` : c.header,
    key: c.key,
    width: c.width,
  }));
  ws.getRow(1).font = { bold: true };
  templateColumns.forEach((c, i) => {
    if (c.note) ws.getCell(1, i + 1).note = c.note;
  });
  ws.addRow({
    name: '张三丰',
    idNumber: '11010519491231002X',
    phone: '13800138000',
    regionCode: '',
    categories: '理论政策宣讲、卫生环保',
    skills: '宣讲',
    politicalStatus: '中共党员',
    verified: '是',
  });
  const rs = wb.addWorksheet('区划代码');
  rs.columns = [
    { header: '区划代码', key: 'code', width: 16 },
    { header: '乡镇（街道）', key: 'town', width: 16 },
    { header: '村（社区）', key: 'name', width: 20 },
  ];
  const rows = await db.execute(
    sql`select v.code, t.name as town, v.name from regions v join regions t on t.code = v.parent_code
      where v.county_code = ${countyCode} and v.level = 'village' order by v.code`,
  );
  for (const r of rows.rows as { code: string; town: string; name: string }[]) rs.addRow(r);
  const example = (rows.rows[0] as { code: string } | undefined)?.code;
  if (example) ws.getCell(2, 4).value = example;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const list = (s: string) =>
  s
    .split(/[、,，;；\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
const yes = (s: string) => ['是', 'y', 'yes', 'true', '1', '√'].includes(s.toLowerCase());

export function checkWorkbookBytes(buf: Buffer) {
  if (buf.length === 0)
    throw new AppError('VALIDATION_FAILED', '上传的文件是空的', [{ path: 'file', message: '文件为空' }]);
  if (buf.length > IMPORT_MAX_BYTES)
    throw new AppError('PAYLOAD_TOO_LARGE', '导入文件不能超过 20 MB，请分批导入', [
      { path: 'file', message: '文件过大' },
    ]);
  if (buf.subarray(0, 4).toString('latin1') !== 'PK\u0003\u0004') throw notAWorkbook();
}
const notAWorkbook = () =>
  new AppError('VALIDATION_FAILED', '文件不是有效的 Excel 工作簿（.xlsx），请下载模板填写后上传', [
    { path: 'file', message: '不是 .xlsx 工作簿' },
  ]);

/** Opens the upload; a damaged or foreign file is a 400, a zip that inflates to an absurd size a 413. */
async function open(buf: Buffer): Promise<Workbook> {
  try {
    return await openWorkbook(buf);
  } catch (e) {
    if (e instanceof WorkbookTooLarge)
      throw new AppError('PAYLOAD_TOO_LARGE', '工作簿解压后过大，请分批导入', [
        { path: 'file', message: '解压后过大' },
      ]);
    if (e instanceof NotAWorkbook) throw notAWorkbook();
    throw e;
  }
}

/** Maps the header row to columns; a missing required column is a 400 naming it. */
export function readHeader(header: readonly string[]): Map<ColKey, number> {
  const names = header.map((h) => (h ?? '').trim().replace(/\*$/, ''));
  const cols = new Map<ColKey, number>();
  for (const c of templateColumns) {
    const idx = names.indexOf(c.header);
    if (idx >= 0) cols.set(c.key, idx);
  }
  const missing = templateColumns.filter((c) => c.required && !cols.has(c.key));
  if (missing.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      `模板缺少必填列：${missing.map((m) => m.header).join('、')}`,
      missing.map((m) => ({ path: `columns.${m.header}`, message: '缺少该列' })),
    );
  }
  return cols;
}

export type ImportResult = {
  jobId: string;
  total: number;
  imported: number;
  merged: number;
  failed: number;
  errorReportUrl: string | null;
};
type RowError = { row: number; column: string; reason: string };
/** Rows per INSERT statement: the statement's 30 parameters are arrays, so the size costs nothing to parse. */
const BATCH = 2000;

export const IMPORT_JOB = 'volunteer.import';
export const VACUUM_JOB = 'volunteers.vacuum';

/** What an import job needs to run (and to run again after a restart): all of it JSON in the job row. */
type ImportPayload = {
  /** The uploaded workbook, AES-GCM sealed, in the file store until the job ends. */
  upload: string;
  bytes: number;
  sha256: string;
  actor: Actor;
  scope: Scope;
  countyCode: string;
  /** The time of the request: rows are checked (ages …) and stamped as of then, however late the job runs. */
  now: string;
  /** Rows per batch statement (tests use small batches to stop an import between them). */
  batchSize?: number;
};

/** The columns a batch sends as arrays (one text[] each), in this order. */
const ARRAY_COLUMNS = [
  'region_code',
  'region_path',
  'name',
  'name_pinyin',
  'name_initials',
  'gender',
  'birth_date',
  'id_hash',
  'id_enc',
  'id_masked',
  'phone_hash',
  'phone_enc',
  'phone_masked',
  'verified',
  'skills',
  'categories',
  'availability',
  'service_area',
  'political_status',
  'education',
  'occupation',
  'guardian_name',
  'guardian_phone_enc',
  'guardian_phone_masked',
  'guardian_relation',
] as const;
const CAST: Partial<Record<(typeof ARRAY_COLUMNS)[number], string>> = {
  birth_date: '::date',
  verified: '::boolean',
  skills: '::jsonb',
  categories: '::jsonb',
};
const fillEmpty = (c: string) => `${c} = case when v.${c} = '' then excluded.${c} else v.${c} end`;
const fillNull = (c: string) => `${c} = coalesce(v.${c}, excluded.${c})`;
const fillJson = (c: string) => `${c} = case when v.${c} = '[]'::jsonb then excluded.${c} else v.${c} end`;

/**
 * One statement per batch, so one round trip and no transaction: insert the rows from arrays (`unnest`), merge a
 * known ID number (fill what is empty, never overwrite), record the registration consent of each new volunteer,
 * and record the batch as a step of the job with its counts — only while this claim holds the job's lease, so a
 * batch is saved once even when a job is resumed after a restart (the step's primary key refuses a second time).
 * $1 county, $2 created_by, $3 now, $4 consent version, $5 volunteer numbers, $6… the columns, then job id, lease,
 * step and the rows merged within the batch. Answers how many rows were new, how many the statement touched, and
 * whether the step was recorded (not: the lease was lost).
 */
const STEP_PARAM = ARRAY_COLUMNS.length + 6;
/** The columns a merge fills in only where the existing row has none (`fillNull`). */
const NULL_FILLED = [
  'phone_hash',
  'phone_enc',
  'phone_masked',
  'guardian_name',
  'guardian_phone_enc',
  'guardian_phone_masked',
  'guardian_relation',
];
const BATCH_SQL = `with lease as (
  select 1 from jobs where id = $${STEP_PARAM}::uuid and locked_by = $${STEP_PARAM + 1}::text and status = 'running'
), ins as (
  insert into volunteers as v (county_code, volunteer_no, ${ARRAY_COLUMNS.join(', ')}, verified_at, source, created_by)
  select $1::text, t.volunteer_no, ${ARRAY_COLUMNS.map((c) => `t.${c}${CAST[c] ?? ''}`).join(', ')},
    case when t.verified::boolean then $3::timestamptz end, 'import', $2::uuid
  from unnest($5::text[], ${ARRAY_COLUMNS.map((_, i) => `$${i + 6}::text[]`).join(', ')})
    as t(volunteer_no, ${ARRAY_COLUMNS.join(', ')})
  where exists (select 1 from lease)
  on conflict (county_code, id_hash) do update set
    ${NULL_FILLED.map(fillNull).join(', ')},
    ${['availability', 'service_area', 'political_status', 'education', 'occupation'].map(fillEmpty).join(', ')},
    ${['skills', 'categories'].map(fillJson).join(', ')},
    verified = v.verified or excluded.verified, verified_at = coalesce(v.verified_at, excluded.verified_at),
    updated_at = $3::timestamptz
  returning v.id, (v.xmax = 0) as fresh
), c as (
  insert into consents (county_code, subject_type, subject_id, purpose, version, granted_by, at)
  select $1::text, 'volunteer', id, 'registration', $4::text, 'staff_on_paper', $3::timestamptz from ins where fresh
), n as (
  select (count(*) filter (where fresh))::int as inserted, count(*)::int as touched from ins
), s as (
  insert into job_steps (job_id, step, result, at)
  select $${STEP_PARAM}::uuid, $${STEP_PARAM + 2}::int,
    jsonb_build_object('inserted', n.inserted, 'touched', n.touched, 'dupes', $${STEP_PARAM + 3}::int), $3::timestamptz
  from n where exists (select 1 from lease)
  returning 1
)
select n.inserted, n.touched, (select count(*)::int from s) as stepped from n`;
/**
 * Reserves $2 volunteer numbers of county $1 (its own statement, so concurrent batches do not wait on the counter row).
 */
const NUMBERS_SQL = RESERVE_NUMBERS_SQL('volunteer_no');
/** Batches in the database at once: two, so PostgreSQL can use a second core while this thread prepares the next. */
const IN_FLIGHT = 2;

/**
 * A PostgreSQL text[] literal; what node-postgres would build from the array, without two regular expressions per
 * element.
 */
function textArray(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += ',';
    out += v === null ? 'NULL' : /["\\]/.test(v) ? `"${v.replace(/[\\"]/g, '\\$&')}"` : `"${v}"`;
  }
  return out + '}';
}

type Accepted = {
  row: number;
  input: VolunteerInput;
  verified: boolean;
  dupes: number;
  values: (string | null)[] | null;
};

/** The workbook's header row (the first row with any text) and the rows after it in the first batch read. */
async function readTop(book: Workbook) {
  const batches = book.rows(500);
  let header: SheetRow | undefined;
  let pendingRows: SheetRow[] = [];
  try {
    while (!header) {
      const next = await batches.next();
      if (next.done) break;
      const i = next.value.findIndex((r) => r.cells.some((c) => c.trim() !== ''));
      if (i >= 0) {
        header = next.value[i];
        pendingRows = next.value.slice(i + 1);
      }
    }
  } catch (e) {
    throw e instanceof NotAWorkbook ? notAWorkbook() : e;
  }
  if (!header)
    throw new AppError('VALIDATION_FAILED', '工作簿是空的，请使用模板', [{ path: 'file', message: '没有表头' }]);
  return { cols: readHeader(header.cells), pendingRows, batches };
}

/** Uploads opened by a request that runs its job itself (`wait`), so the job does not read and open them again. */
const opened = new Map<string, { book: Workbook }>();

export type ImportDeps = { db: Db; crypto: Crypto; files: FileStore; jobs: JobRunner };

/**
 * Starts an import of a template workbook: the file is checked first (not a workbook, damaged, no header, a
 * missing column: 400; too large: 413, before any job exists), then kept AES-GCM sealed in the file store and
 * handed to a durable job (`volunteer.import`) with its start audited in the same transaction. `wait`: the job runs
 * in this request and its result is the answer (a job that could not finish here — stopped, or waiting to retry —
 * answers `pending` and goes on in the background); otherwise the job is queued for the runner and its id returned.
 */
export async function startImport(
  deps: ImportDeps,
  actor: Actor,
  scope: Scope,
  countyCode: string,
  now: Date,
  buf: Buffer,
  opts: { wait: boolean; batchSize?: number },
): Promise<{ jobId: string; result?: ImportResult }> {
  checkWorkbookBytes(buf);
  const book = await open(buf);
  await readTop(book);
  const estimate = Math.max(0, book.rowElements - 1);
  const sha256 = sha256Hex(buf);
  const upload = newStorageKey('xlsx.sealed', now);
  await deps.files.put(upload, deps.crypto.sealBytes(buf));
  if (opts.wait) opened.set(upload, { book });
  const payload: ImportPayload = {
    upload,
    bytes: buf.length,
    sha256,
    actor: { ...actor, countyCode },
    scope,
    countyCode,
    now: now.toISOString(),
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
  };
  const job = { kind: IMPORT_JOB, payload, countyCode, createdBy: actor.userId, total: estimate };
  const auditStart = (tx: Tx, row: JobRow) =>
    writeAudit(
      tx,
      { ...actor, countyCode },
      {
        action: 'volunteer.import.start',
        entity: 'job',
        entityId: row.id,
        detail: { rows: estimate, bytes: buf.length, sha256 },
      },
    );
  try {
    if (!opts.wait) {
      const row = await deps.db.transaction(async (tx) => {
        const r = (await deps.jobs.enqueue(tx, job))!;
        await auditStart(tx, r);
        return r;
      });
      deps.jobs.wake(); // committed now: the runner can see it
      return { jobId: row.id };
    }
    const settled = await deps.jobs.runNow({ ...job, beforeRun: auditStart });
    if (settled.job.status === 'succeeded')
      return {
        jobId: settled.job.id,
        result: { jobId: settled.job.id, ...(settled.job.result as Omit<ImportResult, 'jobId'>) },
      };
    if (settled.job.status === 'failed' && settled.error instanceof AppError) throw settled.error;
    return { jobId: settled.job.id };
  } catch (e) {
    opened.delete(upload);
    throw e;
  }
}

/** The handler of `volunteer.import` jobs and its cleanup, defined by the volunteers module. */
export function importJob(deps: ImportDeps) {
  return {
    kind: IMPORT_JOB,
    maxAttempts: 3,
    run: (ctx: JobContext) => runImport(deps, ctx),
    /** The import's result is audited once, in the transaction that marks the job done. */
    onSucceeded: async (tx: Tx, job: JobRow, result: Record<string, unknown>) => {
      const p = job.payload as ImportPayload;
      await writeAudit(tx, p.actor, { action: 'volunteer.import', entity: 'job', entityId: job.id, detail: result });
      if (Number(result.imported) >= 1000) await deps.jobs.enqueue(tx, { kind: VACUUM_JOB, uniqueKey: VACUUM_JOB });
    },
    /** The upload holds ID numbers in clear inside its cells: it goes when the job ends, either way. */
    onSettled: async (job: JobRow) => {
      const p = job.payload as ImportPayload;
      opened.delete(p.upload);
      await deps.files.remove(p.upload);
    },
  };
}

/**
 * After a bulk import: VACUUM (ANALYZE) the table, as a job of its own (one pending at a time). Fresh statistics keep
 * the planner on the search indexes, VACUUM moves the GIN index's pending entries into the index proper (until then
 * every name search reads them all) and marks the pages all-visible for index-only counts. PGlite has no autovacuum;
 * PostgreSQL's would do the same within a minute or so.
 */
export function vacuumJob(db: Db) {
  return {
    kind: VACUUM_JOB,
    maxAttempts: 2,
    run: async () => {
      await db.execute(sql`vacuum (analyze) volunteers`);
    },
  };
}

/**
 * Imports volunteers from a template workbook: each row validated; good rows saved in batches (an ID number
 * already registered is merged: empty fields filled, nothing duplicated); bad rows listed in an error report.
 *
 * The sheet is streamed (see ./xlsx.ts): memory stays at a few batches whatever the size of the file. While
 * batches are in the database, the next one is parsed, checked and encrypted, so the JavaScript work and the
 * database work overlap. Each batch is one statement (see BATCH_SQL) that also records it as a step of the job:
 * a job resumed after a restart reads the whole file again (checking rows is cheap and gives the same batches and the
 * same bad rows), skips the batches it finds recorded and adds their stored counts, so every row is saved once and
 * the result counts as if the import had never stopped. A batch that fails fails the attempt; the runner retries.
 */
async function runImport(deps: ImportDeps, ctx: JobContext): Promise<Omit<ImportResult, 'jobId'>> {
  const { db, crypto } = deps;
  const p = ctx.job.payload as ImportPayload;
  const jobId = ctx.job.id;
  const now = new Date(p.now);
  const { actor, scope, countyCode } = p;
  const batchSize = p.batchSize ?? BATCH;
  const book = opened.get(p.upload)?.book ?? (await open(crypto.openBytes(await deps.files.get(p.upload))));
  const { cols, pendingRows, batches } = await readTop(book);
  const estimate = Math.max(0, book.rowElements - 1);
  const doneSteps = new Map(
    (
      await db.execute<{ step: number; result: { inserted: number; touched: number; dupes: number } }>(
        sql`select step, result from job_steps where job_id = ${jobId}`,
      )
    ).rows.map((r) => [Number(r.step), r.result]),
  );
  const regionRows = await db
    .select({ code: regions.code, path: regions.path, level: regions.level })
    .from(regions)
    .where(eq(regions.countyCode, countyCode));
  const regionMap = new Map(regionRows.map((r) => [r.code, r]));
  const cats = await knownCategories(db, countyCode);
  const catByName = new Map<string, string>([
    ...Object.entries(standingCategories).map(([k, v]) => [v, k] as [string, string]),
    ...[...cats].map((c) => [c, c] as [string, string]),
  ]);
  await ensureCounter(db, countyCode, 'volunteer_no');
  const errors: RowError[] = [];
  let total = 0;
  let imported = 0;
  let merged = 0;
  const headerOf = (path: string) =>
    templateColumns.find((c) => path === c.key || path.startsWith(`${c.key}.`))?.header ?? path;
  const colIdx = templateColumns.filter((c) => cols.has(c.key)).map((c) => cols.get(c.key)!);

  /** The column values of an accepted row, in ARRAY_COLUMNS order: the CPU of the import (pinyin, AES-GCM, HMAC). */
  const valuesOf = (input: VolunteerInput, verified: boolean): (string | null)[] => {
    const id = input.idNumber;
    const region = regionMap.get(input.regionCode)!;
    const name = input.name.trim();
    const keys = nameKeys(name);
    const p = protectedColumns(crypto, id, input.phone || null, input.guardianPhone || null);
    return [
      region.code,
      region.path,
      name,
      keys.namePinyin,
      keys.nameInitials,
      Number(id[16]) % 2 === 1 ? 'male' : 'female',
      `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
      p.idHash,
      p.idEnc,
      p.idMasked,
      p.phoneHash,
      p.phoneEnc,
      p.phoneMasked,
      verified ? 't' : 'f',
      JSON.stringify(input.skills ?? []),
      JSON.stringify(input.categories ?? []),
      input.availability ?? '',
      input.serviceArea ?? '',
      input.politicalStatus ?? '',
      input.education ?? '',
      input.occupation ?? '',
      input.guardianName || null,
      p.guardianPhoneEnc,
      p.guardianPhoneMasked,
      input.guardianRelation || null,
    ];
  };

  // the pool (pg.Pool, or the PGlite worker pool) under drizzle: the statement is plain SQL with array parameters
  const client = (
    db as unknown as {
      $client: { query(q: { text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }> };
    }
  ).$client;
  let reported = 0;
  const report = async (seen: number) => {
    if (seen <= reported) return;
    reported = seen;
    await ctx.progress(seen, Math.max(estimate, seen));
  };
  const saveBatch = async (entries: Accepted[], seen: number, step: number) => {
    let dupes = 0;
    for (const e of entries) dupes += e.dupes;
    const done = doneSteps.get(step);
    if (done) {
      // saved before the job was interrupted: count it as it was counted then
      imported += done.inserted;
      merged += done.touched - done.inserted + done.dupes;
      return;
    }
    const {
      rows: [{ value }],
    } = await client.query({ text: NUMBERS_SQL, values: [countyCode, entries.length] });
    const first = Number(value) - entries.length + 1;
    const numbers = entries.map((_, i) => `ZY${countyCode}${String(first + i).padStart(6, '0')}`);
    const arrays: (string | null)[][] = ARRAY_COLUMNS.map(() => new Array<string | null>(entries.length));
    entries.forEach((e, r) => {
      const values = e.values ?? valuesOf(e.input, e.verified);
      for (let c = 0; c < values.length; c++) arrays[c][r] = values[c];
    });
    let res: { rows: Record<string, unknown>[] };
    try {
      res = await client.query({
        text: BATCH_SQL,
        values: [
          countyCode,
          actor.userId,
          now,
          consentPurposes.registration.version,
          textArray(numbers),
          ...arrays.map(textArray),
          jobId,
          ctx.lease,
          step,
          dupes,
        ],
      });
    } catch (e) {
      // the step is already recorded: another runner has this job (our lease ran out)
      if ((e as { code?: string }).code === '23505' && String((e as Error).message).includes('job_steps'))
        throw new JobInterrupted('任务已被其他进程接管');
      throw e;
    }
    const { inserted, touched, stepped } = res.rows[0] as { inserted: number; touched: number; stepped: number };
    if (!stepped) throw new JobInterrupted('任务已被其他进程接管');
    imported += inserted;
    merged += touched - inserted + dupes;
    await report(seen);
  };

  /**
   * Batches run concurrently (IN_FLIGHT). Two batches that hold the same ID number never do: the later waits, so
   * the earlier row of the file is saved first and the later one merges into it, exactly as one at a time.
   */
  const inflight: { done: Promise<void>; ids: Set<string> }[] = [];
  const settle = async (f: { done: Promise<void> }) => {
    await f.done;
    inflight.splice(inflight.indexOf(f as (typeof inflight)[number]), 1);
  };
  let steps = 0;
  const launch = async (entries: Accepted[], seen: number) => {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const step = steps++;
    const ids = new Set(entries.map((e) => e.input.idNumber));
    for (const f of [...inflight]) if ([...ids].some((id) => f.ids.has(id))) await settle(f);
    while (inflight.length >= IN_FLIGHT) await settle(inflight[0]);
    const done = saveBatch(entries, seen, step);
    done.catch(() => {}); // awaited through settle(); this only keeps it from being reported as unhandled meanwhile
    inflight.push({ done, ids });
  };
  const drain = async () => {
    while (inflight.length) await settle(inflight[0]);
  };
  let batch: Accepted[] = [];
  // the same person twice in one batch: the first row wins, later rows fill its empty fields
  let byId = new Map<string, Accepted>();
  const accept = (a: Accepted) => {
    const prev = byId.get(a.input.idNumber);
    if (!prev) {
      byId.set(a.input.idNumber, a);
      batch.push(a);
      return;
    }
    prev.dupes++;
    for (const [k, v] of Object.entries(a.input) as [keyof VolunteerInput, unknown][]) {
      const cur = prev.input[k];
      if ((cur === undefined || cur === null || cur === '' || (Array.isArray(cur) && !cur.length)) && v)
        (prev.input as Record<string, unknown>)[k] = v;
    }
    prev.verified ||= a.verified;
    prev.values = null; // recomputed when the batch is saved
  };

  const examine = (r: SheetRow) => {
    const cells = r.cells;
    if (colIdx.every((i) => !cells[i] || cells[i].trim() === '')) return;
    total++;
    const get = (k: ColKey) => {
      const i = cols.get(k);
      return i === undefined ? '' : (cells[i] ?? '').trim();
    };
    const catNames = list(get('categories'));
    const unknownCat = catNames.find((c) => !catByName.has(c));
    const input: VolunteerInput = {
      name: get('name'),
      idNumber: get('idNumber').toUpperCase(),
      phone: get('phone') || null,
      regionCode: get('regionCode'),
      categories: catNames.map((c) => catByName.get(c) ?? c),
      skills: list(get('skills')),
      politicalStatus: get('politicalStatus'),
      education: get('education'),
      occupation: get('occupation'),
      availability: get('availability'),
      serviceArea: get('serviceArea'),
      guardianName: get('guardianName') || null,
      guardianPhone: get('guardianPhone') || null,
      guardianRelation: get('guardianRelation') || null,
      guardianConsent: yes(get('guardianConsent')),
    };
    const { problems } = checkVolunteer(input, now, cats);
    const region = regionMap.get(input.regionCode);
    if (!region)
      problems.push({
        path: 'regionCode',
        message: input.regionCode ? `区划代码 ${input.regionCode} 不是本县的村（社区）` : '所属区划代码不能为空',
      });
    else if (region.level !== 'village')
      problems.push({ path: 'regionCode', message: '请填写村（社区）一级的区划代码' });
    else if (!regionInScope(scope, region.path))
      problems.push({ path: 'regionCode', message: '该村（社区）不在您的管理范围内' });
    if (unknownCat) problems.push({ path: 'categories', message: `未知的服务类别：${unknownCat}` });
    if (problems.length) {
      for (const p of dedupeProblems(problems))
        errors.push({ row: r.number, column: headerOf(p.path), reason: p.message });
      return;
    }
    const verified = yes(get('verified'));
    accept({
      row: r.number,
      input,
      verified,
      dupes: 0,
      values: byId.has(input.idNumber) ? null : valuesOf(input, verified),
    });
  };

  const rowsLeft = async function* () {
    yield pendingRows;
    yield* batches;
  };
  try {
    for await (const rows of rowsLeft()) {
      for (const r of rows) {
        examine(r);
        if (batch.length >= batchSize) {
          await launch(batch, total);
          batch = [];
          byId = new Map();
        }
      }
    }
    if (batch.length) await launch(batch, total);
    await drain();
  } catch (e) {
    await Promise.allSettled(inflight.map((f) => f.done));
    throw e instanceof NotAWorkbook ? notAWorkbook() : e;
  }
  const failedRows = new Set(errors.map((e) => e.row)).size;
  let errorReportUrl: string | null = null;
  if (errors.length) errorReportUrl = await saveErrorReport(deps, actor, countyCode, now, errors);
  await ctx.progress(total, total);
  return { total, imported, merged, failed: failedRows, errorReportUrl };
}

const dedupeProblems = (ps: ErrorDetail[]) => ps.filter((p, i) => ps.findIndex((q) => q.path === p.path) === i);

async function saveErrorReport(
  deps: { db: Db; files: FileStore },
  actor: Actor,
  countyCode: string,
  now: Date,
  errors: RowError[],
) {
  const ExcelJS = await excel();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('错误明细');
  ws.columns = [
    { header: '行号', key: 'row', width: 8 },
    { header: '列', key: 'column', width: 22 },
    { header: '原因', key: 'reason', width: 60 },
  ];
  ws.getRow(1).font = { bold: true };
  for (const e of errors) ws.addRow(e);
  const f = await storeFile(deps.db, deps.files, {
    countyCode,
    ownerId: actor.userId,
    purpose: 'import-errors',
    mime: XLSX_MIME,
    ext: 'xlsx',
    originalName: '志愿者导入错误报告.xlsx',
    body: Buffer.from(await wb.xlsx.writeBuffer()),
    now,
  });
  return fileUrl(f.id);
}

/** 花名册: the scoped roster as .xlsx, streamed in pages, every ID number and phone masked. */
export async function writeRoster(db: Db, scope: Scope, out: Writable, filter: { regionCode?: string }) {
  const ExcelJS = await excel();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet('志愿者花名册');
  ws.columns = [
    { header: '志愿者编号', key: 'no', width: 20 },
    { header: '姓名', key: 'name', width: 10 },
    { header: '性别', key: 'gender', width: 6 },
    { header: '出生日期', key: 'birth', width: 12 },
    { header: '身份证号', key: 'id', width: 22 },
    { header: '手机号', key: 'phone', width: 14 },
    { header: '所属村（社区）', key: 'region', width: 18 },
    { header: '服务类别', key: 'cats', width: 24 },
    { header: '专业技能', key: 'skills', width: 16 },
    { header: '政治面貌', key: 'political', width: 10 },
    { header: '实名核验', key: 'verified', width: 10 },
    { header: '登记时间', key: 'created', width: 12 },
  ];
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  const catName = (c: string) => (standingCategories as Record<string, string>)[c] ?? c;
  let lastNo = '';
  for (;;) {
    const conds = [volunteerScope(scope), sql`${volunteers.volunteerNo} > ${lastNo}`];
    if (filter.regionCode)
      conds.push(sql`${volunteers.regionPath} like ${'%/' + filter.regionCode.replace(/[\\%_]/g, '') + '/%'}`);
    const page = await db
      .select({
        no: volunteers.volunteerNo,
        name: volunteers.name,
        gender: volunteers.gender,
        birth: volunteers.birthDate,
        id: volunteers.idMasked,
        phone: volunteers.phoneMasked,
        region: regions.name,
        cats: volunteers.categories,
        skills: volunteers.skills,
        political: volunteers.politicalStatus,
        verified: volunteers.verified,
        created: volunteers.createdAt,
      })
      .from(volunteers)
      .innerJoin(regions, eq(regions.code, volunteers.regionCode))
      .where(and(...conds))
      .orderBy(volunteers.volunteerNo)
      .limit(2000);
    for (const v of page) {
      ws.addRow({
        ...v,
        gender: v.gender === 'male' ? '男' : '女',
        phone: v.phone ?? '',
        cats: v.cats.map(catName).join('、'),
        skills: v.skills.join('、'),
        verified: v.verified ? '已核验' : '未核验',
        created: v.created.toISOString().slice(0, 10),
      }).commit();
    }
    if (page.length < 2000) break;
    lastNo = page[page.length - 1].no;
  }
  ws.commit();
  await wb.commit();
}
