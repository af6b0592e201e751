import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';

/** exceljs is large; it loads on the first import or export, not at start. */
const excel = async () => (await import('exceljs')).default;
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { consents, files, regions, volunteers } from '../../db/schema/index.js';
import { AppError, type ErrorDetail } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { regionInScope, type Scope } from '../../platform/scope.js';
import type { Crypto } from '../../platform/crypto.js';
import type { FileStore } from '../../platform/files.js';
import { newStorageKey } from '../../platform/files.js';
import { sha256Hex } from '../../platform/crypto.js';
import { createJob, failJob, finishJob, progress } from '../../platform/jobs.js';
import { checkVolunteer, consentPurposes, knownCategories, nameKeys, nextVolunteerNumbers, politicalStatuses, protectedColumns, standingCategories, volunteerScope, type VolunteerInput } from './service.js';

/** The columns of the import template (花名册模板); * marks the required ones. */
export const templateColumns = [
  { key: 'name', header: '姓名', required: true, width: 12, note: '2–30 个汉字' },
  { key: 'idNumber', header: '身份证号', required: true, width: 22, note: '18 位居民身份证号' },
  { key: 'phone', header: '手机号', required: false, width: 14, note: '11 位手机号' },
  { key: 'regionCode', header: '所属村（社区）区划代码', required: true, width: 22, note: '见“区划代码”工作表' },
  { key: 'categories', header: '服务类别', required: false, width: 20, note: `多个用顿号分隔：${Object.values(standingCategories).join('、')}` },
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
  ws.columns = templateColumns.map((c) => ({ header: c.required ? `${c.header}*` : c.header, key: c.key, width: c.width }));
  ws.getRow(1).font = { bold: true };
  templateColumns.forEach((c, i) => { if (c.note) ws.getCell(1, i + 1).note = c.note; });
  ws.addRow({ name: '张三丰', idNumber: '11010519491231002X', phone: '13800138000', regionCode: '', categories: '理论政策宣讲、卫生环保', skills: '宣讲', politicalStatus: '中共党员', verified: '是' });
  const rs = wb.addWorksheet('区划代码');
  rs.columns = [{ header: '区划代码', key: 'code', width: 16 }, { header: '乡镇（街道）', key: 'town', width: 16 }, { header: '村（社区）', key: 'name', width: 20 }];
  const rows = await db.execute(sql`select v.code, t.name as town, v.name from regions v join regions t on t.code = v.parent_code where v.county_code = ${countyCode} and v.level = 'village' order by v.code`);
  for (const r of rows.rows as { code: string; town: string; name: string }[]) rs.addRow(r);
  const example = (rows.rows[0] as { code: string } | undefined)?.code;
  if (example) ws.getCell(2, 4).value = example;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const cellText = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('').trim();
    if ('text' in v) return String(v.text).trim();
    if ('result' in v) return String(v.result ?? '').trim();
    if (v instanceof Date) return v.toISOString().slice(0, 10);
  }
  return String(v).trim();
};
const list = (s: string) => s.split(/[、,，;；\s]+/).map((x) => x.trim()).filter(Boolean);
const yes = (s: string) => ['是', 'y', 'yes', 'true', '1', '√'].includes(s.toLowerCase());

type Sheet = { number: number; values: ExcelJS.CellValue[] }[];

/**
 * Loads the first worksheet. Not the streaming reader: exceljs 4.4's stream decodes each 16 KB chunk on its own and
 * breaks a Chinese character that straddles two chunks (exceljs issues #2063, #2084). Files are capped at 20 MB.
 */
async function loadSheet(buf: Buffer): Promise<Sheet> {
  const ExcelJS = await excel();
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw new AppError('VALIDATION_FAILED', '文件不是有效的 Excel 工作簿（.xlsx），请下载模板填写后上传', [{ path: 'file', message: '不是 .xlsx 工作簿' }]);
  }
  const ws = wb.worksheets[0];
  const rows: Sheet = [];
  ws?.eachRow({ includeEmpty: false }, (row) => { rows.push({ number: row.number, values: (row.values as ExcelJS.CellValue[]) ?? [] }); });
  return rows;
}

export function checkWorkbookBytes(buf: Buffer) {
  if (buf.length === 0) throw new AppError('VALIDATION_FAILED', '上传的文件是空的', [{ path: 'file', message: '文件为空' }]);
  if (buf.length > IMPORT_MAX_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', '导入文件不能超过 20 MB，请分批导入', [{ path: 'file', message: '文件过大' }]);
  if (buf.subarray(0, 4).toString('latin1') !== 'PK\u0003\u0004') throw new AppError('VALIDATION_FAILED', '文件不是有效的 Excel 工作簿（.xlsx），请下载模板填写后上传', [{ path: 'file', message: '不是 .xlsx 工作簿' }]);
}

/** Reads the header row; a missing required column is a 400 naming it. Returns column index per key. */
export function readHeader(sheet: Sheet): { cols: Map<ColKey, number>; rows: number } {
  const header: ExcelJS.CellValue[] | null = sheet[0]?.values ?? null;
  if (!header) throw new AppError('VALIDATION_FAILED', '工作簿是空的，请使用模板', [{ path: 'file', message: '没有表头' }]);
  const names = header.map((h) => cellText(h).replace(/\*$/, ''));
  const cols = new Map<ColKey, number>();
  for (const c of templateColumns) {
    const idx = names.indexOf(c.header);
    if (idx >= 0) cols.set(c.key, idx);
  }
  const missing = templateColumns.filter((c) => c.required && !cols.has(c.key));
  if (missing.length) {
    throw new AppError('VALIDATION_FAILED', `模板缺少必填列：${missing.map((m) => m.header).join('、')}`, missing.map((m) => ({ path: `columns.${m.header}`, message: '缺少该列' })));
  }
  const rows = sheet.slice(1).filter((r) => templateColumns.some((c) => cols.has(c.key) && cellText(r.values[cols.get(c.key)!]) !== '')).length;
  return { cols, rows };
}

export type ImportResult = { jobId: string; total: number; imported: number; merged: number; failed: number; errorReportUrl: string | null };
type RowError = { row: number; column: string; reason: string };
const BATCH = 1000;

/**
 * Imports volunteers from a template workbook: each row validated; good rows saved in batches (an ID number
 * already registered is merged: empty fields filled, nothing duplicated); bad rows listed in an error report.
 */
export async function importVolunteers(deps: { db: Db; crypto: Crypto; files: FileStore }, actor: Actor, scope: Scope, countyCode: string, now: Date, buf: Buffer,
  onJob?: (jobId: string) => void): Promise<ImportResult> {
  const { db, crypto } = deps;
  checkWorkbookBytes(buf);
  const sheet = await loadSheet(buf);
  const { cols, rows: total } = readHeader(sheet);
  const job = await createJob(db, countyCode, 'volunteer.import', actor.userId, now);
  onJob?.(job.id);
  await progress(db, job.id, 0, total);
  await db.transaction((tx) => writeAudit(tx, { ...actor, countyCode }, { action: 'volunteer.import.start', entity: 'job', entityId: job.id, detail: { rows: total, bytes: buf.length, sha256: sha256Hex(buf) } }));
  try {
    const regionRows = await db.select({ code: regions.code, path: regions.path, level: regions.level }).from(regions).where(eq(regions.countyCode, countyCode));
    const regionMap = new Map(regionRows.map((r) => [r.code, r]));
    const cats = await knownCategories(db, countyCode);
    const catByName = new Map<string, string>([...Object.entries(standingCategories).map(([k, v]) => [v, k] as [string, string]), ...[...cats].map((c) => [c, c] as [string, string])]);
    const errors: RowError[] = [];
    let imported = 0;
    let merged = 0;
    let processed = 0;
    let batch: { row: number; input: VolunteerInput; verified: boolean }[] = [];
    const headerOf = (path: string) => templateColumns.find((c) => path === c.key || path.startsWith(`${c.key}.`))?.header ?? path;

    const flush = async () => {
      if (!batch.length) return;
      // the same person twice in one file: the first row wins, later rows fill its empty fields
      const byId = new Map<string, { row: number; input: VolunteerInput; verified: boolean; dupes: number }>();
      for (const b of batch) {
        const prev = byId.get(b.input.idNumber);
        if (!prev) { byId.set(b.input.idNumber, { ...b, dupes: 0 }); continue; }
        prev.dupes++;
        for (const [k, v] of Object.entries(b.input) as [keyof VolunteerInput, unknown][]) {
          const cur = prev.input[k];
          if ((cur === undefined || cur === null || cur === '' || (Array.isArray(cur) && !cur.length)) && v) (prev.input as Record<string, unknown>)[k] = v;
        }
      }
      const unique = [...byId.values()];
      const nos = await db.transaction(async (tx) => {
        const numbers = await nextVolunteerNumbers(tx, countyCode, unique.length);
        const values = unique.map((u, i) => {
          const id = u.input.idNumber;
          const region = regionMap.get(u.input.regionCode)!;
          const info = { birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, gender: Number(id[16]) % 2 === 1 ? 'male' as const : 'female' as const };
          return {
            countyCode, regionCode: region.code, regionPath: region.path, volunteerNo: numbers[i], name: u.input.name.trim(), ...nameKeys(u.input.name.trim()),
            gender: info.gender, birthDate: info.birthDate, ...protectedColumns(crypto, id, u.input.phone || null, u.input.guardianPhone || null),
            verified: u.verified, verifiedAt: u.verified ? now : null, skills: u.input.skills ?? [], categories: u.input.categories ?? [],
            availability: u.input.availability ?? '', serviceArea: u.input.serviceArea ?? '', politicalStatus: u.input.politicalStatus ?? '',
            education: u.input.education ?? '', occupation: u.input.occupation ?? '', guardianName: u.input.guardianName || null,
            guardianRelation: u.input.guardianRelation || null, source: 'import' as const, createdBy: actor.userId,
          };
        });
        const fill = (col: string) => sql.raw(`case when volunteers.${col} = '' then excluded.${col} else volunteers.${col} end`);
        const fillNull = (col: string) => sql.raw(`coalesce(volunteers.${col}, excluded.${col})`);
        const fillJson = (col: string) => sql.raw(`case when volunteers.${col} = '[]'::jsonb then excluded.${col} else volunteers.${col} end`);
        const res = await tx.insert(volunteers).values(values).onConflictDoUpdate({
          target: [volunteers.countyCode, volunteers.idHash],
          set: {
            phoneHash: fillNull('phone_hash'), phoneEnc: fillNull('phone_enc'), phoneMasked: fillNull('phone_masked'),
            guardianName: fillNull('guardian_name'), guardianPhoneEnc: fillNull('guardian_phone_enc'), guardianPhoneMasked: fillNull('guardian_phone_masked'), guardianRelation: fillNull('guardian_relation'),
            availability: fill('availability'), serviceArea: fill('service_area'), politicalStatus: fill('political_status'), education: fill('education'), occupation: fill('occupation'),
            skills: fillJson('skills'), categories: fillJson('categories'),
            verified: sql.raw('volunteers.verified or excluded.verified'), verifiedAt: sql.raw('coalesce(volunteers.verified_at, excluded.verified_at)'),
            updatedAt: now,
          },
        }).returning({ id: volunteers.id, inserted: sql<boolean>`(xmax = 0)` });
        const fresh = res.filter((r) => r.inserted);
        if (fresh.length) {
          await tx.insert(consents).values(fresh.map((r) => ({ countyCode, subjectType: 'volunteer', subjectId: r.id, purpose: 'registration', version: consentPurposes.registration.version, grantedBy: 'staff_on_paper' as const, at: now })));
        }
        return { inserted: fresh.length, merged: res.length - fresh.length + unique.reduce((a, u) => a + u.dupes, 0) };
      });
      imported += nos.inserted;
      merged += nos.merged;
      processed += batch.length;
      batch = [];
      await progress(db, job.id, processed, total);
    };

    for (const r of sheet.slice(1)) {
      const get = (k: ColKey) => { const i = cols.get(k); return i === undefined ? '' : cellText(r.values[i]); };
      if (templateColumns.every((c) => !cols.has(c.key) || get(c.key) === '')) continue;
      const catNames = list(get('categories'));
      const unknownCat = catNames.find((c) => !catByName.has(c));
      const input: VolunteerInput = {
        name: get('name'), idNumber: get('idNumber').toUpperCase(), phone: get('phone') || null, regionCode: get('regionCode'),
        categories: catNames.map((c) => catByName.get(c) ?? c), skills: list(get('skills')), politicalStatus: get('politicalStatus'),
        education: get('education'), occupation: get('occupation'), availability: get('availability'), serviceArea: get('serviceArea'),
        guardianName: get('guardianName') || null, guardianPhone: get('guardianPhone') || null, guardianRelation: get('guardianRelation') || null,
        guardianConsent: yes(get('guardianConsent')),
      };
      const { problems } = checkVolunteer(input, now, cats);
      const region = regionMap.get(input.regionCode);
      if (!region) problems.push({ path: 'regionCode', message: input.regionCode ? `区划代码 ${input.regionCode} 不是本县的村（社区）` : '所属区划代码不能为空' });
      else if (region.level !== 'village') problems.push({ path: 'regionCode', message: '请填写村（社区）一级的区划代码' });
      else if (!regionInScope(scope, region.path)) problems.push({ path: 'regionCode', message: '该村（社区）不在您的管理范围内' });
      if (unknownCat) problems.push({ path: 'categories', message: `未知的服务类别：${unknownCat}` });
      if (problems.length) {
        for (const p of dedupeProblems(problems)) errors.push({ row: r.number, column: headerOf(p.path), reason: p.message });
        processed++;
        continue;
      }
      batch.push({ row: r.number, input, verified: yes(get('verified')) });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    const failedRows = new Set(errors.map((e) => e.row)).size;
    let errorReportUrl: string | null = null;
    if (errors.length) errorReportUrl = await saveErrorReport(deps, actor, countyCode, now, errors);
    const result = { total, imported, merged, failed: failedRows, errorReportUrl };
    await finishJob(db, job.id, result, now);
    await db.transaction((tx) => writeAudit(tx, { ...actor, countyCode }, { action: 'volunteer.import', entity: 'job', entityId: job.id, detail: result }));
    return { jobId: job.id, ...result };
  } catch (e) {
    await failJob(db, job.id, e instanceof AppError ? e.message : '导入失败（服务器内部错误）', new Date());
    throw e;
  }
}

const dedupeProblems = (ps: ErrorDetail[]) => ps.filter((p, i) => ps.findIndex((q) => q.path === p.path) === i);

async function saveErrorReport(deps: { db: Db; files: FileStore }, actor: Actor, countyCode: string, now: Date, errors: RowError[]) {
  const ExcelJS = await excel();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('错误明细');
  ws.columns = [{ header: '行号', key: 'row', width: 8 }, { header: '列', key: 'column', width: 22 }, { header: '原因', key: 'reason', width: 60 }];
  ws.getRow(1).font = { bold: true };
  for (const e of errors) ws.addRow(e);
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  const key = newStorageKey('xlsx', now);
  await deps.files.put(key, buf);
  const [f] = await deps.db.insert(files).values({ countyCode, ownerId: actor.userId, purpose: 'import-errors', mime: XLSX_MIME, size: buf.length, sha256: sha256Hex(buf), storageKey: key, originalName: '志愿者导入错误报告.xlsx' }).returning();
  return `/api/v1/files/${f.id}`;
}

/** 花名册: the scoped roster as .xlsx, streamed in pages, every ID number and phone masked. */
export async function writeRoster(db: Db, scope: Scope, out: Writable, filter: { regionCode?: string }) {
  const ExcelJS = await excel();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet('志愿者花名册');
  ws.columns = [
    { header: '志愿者编号', key: 'no', width: 20 }, { header: '姓名', key: 'name', width: 10 }, { header: '性别', key: 'gender', width: 6 },
    { header: '出生日期', key: 'birth', width: 12 }, { header: '身份证号', key: 'id', width: 22 }, { header: '手机号', key: 'phone', width: 14 },
    { header: '所属村（社区）', key: 'region', width: 18 }, { header: '服务类别', key: 'cats', width: 24 }, { header: '专业技能', key: 'skills', width: 16 },
    { header: '政治面貌', key: 'political', width: 10 }, { header: '实名核验', key: 'verified', width: 10 }, { header: '登记时间', key: 'created', width: 12 },
  ];
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  const catName = (c: string) => (standingCategories as Record<string, string>)[c] ?? c;
  let lastNo = '';
  for (;;) {
    const conds = [volunteerScope(scope), sql`${volunteers.volunteerNo} > ${lastNo}`];
    if (filter.regionCode) conds.push(sql`${volunteers.regionPath} like ${'%/' + filter.regionCode.replace(/[\\%_]/g, '') + '/%'}`);
    const page = await db.select({ no: volunteers.volunteerNo, name: volunteers.name, gender: volunteers.gender, birth: volunteers.birthDate, id: volunteers.idMasked, phone: volunteers.phoneMasked,
      region: regions.name, cats: volunteers.categories, skills: volunteers.skills, political: volunteers.politicalStatus, verified: volunteers.verified, created: volunteers.createdAt })
      .from(volunteers).innerJoin(regions, eq(regions.code, volunteers.regionCode)).where(and(...conds)).orderBy(volunteers.volunteerNo).limit(2000);
    for (const v of page) {
      ws.addRow({ ...v, gender: v.gender === 'male' ? '男' : '女', phone: v.phone ?? '', cats: v.cats.map(catName).join('、'), skills: v.skills.join('、'), verified: v.verified ? '已核验' : '未核验', created: v.created.toISOString().slice(0, 10) }).commit();
    }
    if (page.length < 2000) break;
    lastNo = page[page.length - 1].no;
  }
  ws.commit();
  await wb.commit();
}
