/**
 * Issue #3 (volunteers): a 50,000-row template import over HTTP and pinyin search over the county's volunteers.
 *
 * Called by bench/run.ts with a running server (demo county 411523 seeded). In order:
 *   1. downloads the import template as the county admin (13800000001) and reads its headers and region sheet;
 *      lists the county's villages through GET /api/v1/regions?parent=<town>;
 *   2. generates ROWS people (Chinese names, valid and unique GB 11643 ID numbers of county 411523, adults,
 *      unique phones, real village codes) into a copy of the template (.xlsx, written by exceljs);
 *   3. POSTs it to /api/v1/volunteers/import (sync form) and measures the wall time of the request and the
 *      server's RSS (VmRSS sampled every 100 ms; growth = max − before);
 *   4. baseline (PostgreSQL only): the same rows, precomputed, inserted into a scratch table created
 *      `LIKE volunteers INCLUDING ALL` with one multi-row INSERT per 1,000 rows from this process via pg;
 *   5. 200 sequential GET /api/v1/volunteers?q=… as the county admin (initials, pinyin prefixes, Chinese name
 *      parts, mixed), p50/p99.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { pinyin } from 'pinyin-pro';
import { api, latency, loadAverage, log, login, mb, procStatus, rng, sampleRss, type Latency } from './lib.js';

export const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 50_000);
export const SEARCH_REQUESTS = Number(process.env.BENCH_SEARCH_REQUESTS ?? 200);
const COUNTY = '411523';
const COUNTY_ADMIN = '13800000001';
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DIRECT_BATCH = 1000;

export type SearchKind = 'initials' | 'pinyin' | 'chinese';
export type VolunteersResult = {
  engine: 'pglite' | 'postgres';
  rows: number;
  fileBytes: number;
  generateMs: number;
  villages: number;
  import: {
    wallMs: number;
    rowsPerSec: number;
    status: number;
    answer: {
      total?: number;
      imported?: number;
      merged?: number;
      failed?: number;
      errorReportUrl?: string | null;
      error?: string;
    };
    rssBeforeMb: number;
    rssPeakMb: number;
    rssAfterMb: number;
    rssGrowthMb: number;
    rssSamples: number;
  };
  direct: { wallMs: number; rowsPerSec: number; batches: number; table: string } | null;
  ratio: number | null;
  search: {
    requests: number;
    countyVolunteers: number;
    all: Latency;
    byKind: Record<SearchKind, Latency & { queries: string[]; meanTotal: number }>;
    non2xx: number;
  };
  loadAverageAfter: number[];
};

// --- people ------------------------------------------------------------------------------------------------

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文红玉梅志永春海波宁辉鹏飞云凤琴斌林燕彬俊峰丰德福顺安';
const SKILLS = ['宣讲', '医护', '法律咨询', '摄影', '书法', '驾驶', '电工', '厨艺', '舞蹈', '支教', '心理疏导', '农技'];
const CATEGORIES = [
  '理论政策宣讲',
  '文化文艺服务',
  '助学支教',
  '医疗健身',
  '科学普及',
  '法律服务',
  '卫生环保',
  '扶贫帮困',
];
const POLITICAL = ['中共党员', '共青团员', '群众', '群众', '群众'];
const EDUCATION = ['初中', '高中', '中专', '大专', '本科'];
const OCCUPATION = ['农民', '教师', '医生', '个体户', '退休', '公务员', '学生', '工人'];
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function idCheckChar(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * W[i];
  return CHECK[s % 11];
}

type Person = {
  name: string;
  idNumber: string;
  phone: string;
  regionCode: string;
  categories: string;
  skills: string;
  politicalStatus: string;
  education: string;
  occupation: string;
  availability: string;
  serviceArea: string;
  verified: string;
};

/** ROWS people; ID numbers: 411523 + birth date (1960-01-01 + i mod 14,600 days) + sequence 600+ + check char. */
function people(n: number, villages: string[]): Person[] {
  const rand = rng(20261125);
  const pick = <T>(a: readonly T[] | string): T => a[Math.floor(rand() * a.length)] as T;
  const base = Date.UTC(1960, 0, 1);
  const out: Person[] = [];
  for (let i = 0; i < n; i++) {
    const day = new Date(base + (i % 14_600) * 86_400_000);
    const seq = String(600 + Math.floor(i / 14_600)).padStart(3, '0');
    const first17 = `${COUNTY}${day.toISOString().slice(0, 10).replaceAll('-', '')}${seq}`;
    const given = rand() < 0.7 ? pick<string>(GIVEN) + pick<string>(GIVEN) : pick<string>(GIVEN);
    const cats = rand() < 0.3 ? `${pick<string>(CATEGORIES)}、${pick<string>(CATEGORIES)}` : pick<string>(CATEGORIES);
    out.push({
      name: pick<string>(SURNAMES) + given,
      idNumber: first17 + idCheckChar(first17),
      phone: `139${String(10_000_000 + i).padStart(8, '0')}`,
      regionCode: villages[i % villages.length],
      categories: cats === '' ? '' : [...new Set(cats.split('、'))].join('、'),
      skills: rand() < 0.5 ? pick<string>(SKILLS) : '',
      politicalStatus: pick<string>(POLITICAL),
      education: pick<string>(EDUCATION),
      occupation: pick<string>(OCCUPATION),
      availability: rand() < 0.5 ? '周末' : '工作日晚上',
      serviceArea: '本村',
      verified: rand() < 0.5 ? '是' : '',
    });
  }
  return out;
}

/** A copy of the downloaded template with the example row replaced by the people. */
async function workbook(template: Buffer, rows: Person[]): Promise<{ buf: Buffer; headers: string[] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as unknown as ArrayBuffer);
  const ws = wb.getWorksheet('志愿者') ?? wb.worksheets[0];
  const headers = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map((v) => String(v ?? ''));
  const keyOf: Record<string, keyof Person | undefined> = {
    姓名: 'name',
    身份证号: 'idNumber',
    手机号: 'phone',
    '所属村（社区）区划代码': 'regionCode',
    服务类别: 'categories',
    专业技能: 'skills',
    政治面貌: 'politicalStatus',
    学历: 'education',
    职业: 'occupation',
    可服务时间: 'availability',
    服务区域: 'serviceArea',
    已实名核验: 'verified',
  };
  const keys = headers.map((h) => keyOf[h.replace(/\*$/, '')]);
  for (const k of ['name', 'idNumber', 'regionCode'] as const)
    if (!keys.includes(k)) throw new Error(`template has no column for ${k}: ${headers.join(', ')}`);
  ws.spliceRows(2, Math.max(0, ws.rowCount - 1));
  for (const p of rows) ws.addRow(keys.map((k) => (k ? p[k] : null)));
  return { buf: Buffer.from(await wb.xlsx.writeBuffer()), headers };
}

/** POST multipart by hand on node:http (no client timeout: a long import must not be cut off by fetch's 300 s). */
function postFile(
  baseUrl: string,
  path: string,
  token: string,
  buf: Buffer,
  filename: string,
): Promise<{ status: number; body: string }> {
  const boundary = `----bench${crypto.randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
      `filename="${filename}"\r\nContent-Type: ${XLSX_MIME}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, buf, tail]);
  const u = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      u,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': body.length,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const nameKeys = (name: string) => {
  const s = (
    pinyin(name, { toneType: 'none', type: 'array', surname: 'head', nonZh: 'consecutive', v: true }) as string[]
  ).map((x) => x.toLowerCase().replace(/[^a-z0-9]/g, ''));
  return { full: s.join(''), initials: s.map((x) => x[0] ?? '').join('') };
};

/**
 * The baseline: the same rows, every column precomputed, 1,000-row multi-row INSERTs into a scratch copy of volunteers.
 */
async function directInsert(
  databaseUrl: string,
  rows: Person[],
  regionPaths: Map<string, string>,
): Promise<NonNullable<VolunteersResult['direct']>> {
  const table = 'bench_volunteers_direct';
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`drop table if exists ${table}`);
    await client.query(`create table ${table} (like volunteers including all)`);
    const cols = [
      'county_code',
      'region_code',
      'region_path',
      'volunteer_no',
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
      'verified_at',
      'skills',
      'categories',
      'availability',
      'service_area',
      'political_status',
      'education',
      'occupation',
      'source',
    ];
    const now = new Date();
    const hex = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
    // precomputed before the clock starts: pinyin keys, placeholder hash/ciphertext strings of the real lengths
    const values = rows.map((p, i) => {
      const k = nameKeys(p.name);
      const id = p.idNumber;
      return [
        COUNTY,
        p.regionCode,
        regionPaths.get(p.regionCode) ?? `/${COUNTY}/`,
        `ZYB${String(i + 1).padStart(8, '0')}`,
        p.name,
        k.full,
        k.initials,
        Number(id[16]) % 2 === 1 ? 'male' : 'female',
        `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
        hex(`id:${id}`),
        `v1:${hex(id).slice(0, 24)}:${hex(`c${id}`)}`,
        `${id.slice(0, 6)}********${id.slice(14)}`,
        hex(`phone:${p.phone}`),
        `v1:${hex(p.phone).slice(0, 24)}:${hex(`c${p.phone}`).slice(0, 44)}`,
        `${p.phone.slice(0, 3)}****${p.phone.slice(7)}`,
        p.verified === '是',
        p.verified === '是' ? now : null,
        JSON.stringify(p.skills ? [p.skills] : []),
        JSON.stringify(p.categories ? p.categories.split('、') : []),
        p.availability,
        p.serviceArea,
        p.politicalStatus,
        p.education,
        p.occupation,
        'import',
      ];
    });
    const batches: { text: string; values: unknown[] }[] = [];
    for (let i = 0; i < values.length; i += DIRECT_BATCH) {
      const chunk = values.slice(i, i + DIRECT_BATCH);
      const tuples = chunk.map((_, r) => `(${cols.map((_, c) => `$${r * cols.length + c + 1}`).join(',')})`).join(',');
      batches.push({ text: `insert into ${table} (${cols.join(',')}) values ${tuples}`, values: chunk.flat() });
    }
    const t = performance.now();
    for (const b of batches) await client.query(b);
    const wallMs = performance.now() - t;
    const {
      rows: [{ n }],
    } = await client.query(`select count(*)::int as n from ${table}`);
    if (n !== rows.length) throw new Error(`direct insert: ${n} rows in ${table}, expected ${rows.length}`);
    await client.query(`drop table ${table}`);
    return {
      wallMs: Math.round(wallMs),
      rowsPerSec: Math.round((rows.length * 1000) / wallMs),
      batches: batches.length,
      table,
    };
  } finally {
    await client.end();
  }
}

async function search(baseUrl: string, token: string, rows: Person[]): Promise<VolunteersResult['search']> {
  const rand = rng(7);
  const names = rows.map((p) => p.name);
  const initials = [
    'zsf',
    ...Array.from({ length: 9 }, () => nameKeys(names[Math.floor(rand() * names.length)]).initials),
  ];
  const prefixes = ['zhang', 'wang', 'li', 'chen', 'liu', 'huang', 'zhao', 'zhou', 'xu', 'sun'];
  const chinese = ['张', '建国', '秀英', '王伟', '李', '桂华', '明', '志强', '陈', '春梅'];
  const kinds: [SearchKind, string[]][] = [
    ['initials', initials],
    ['pinyin', prefixes],
    ['chinese', chinese],
  ];
  const samples: Record<SearchKind, number[]> = { initials: [], pinyin: [], chinese: [] };
  const totals: Record<SearchKind, number[]> = { initials: [], pinyin: [], chinese: [] };
  const all: number[] = [];
  let non2xx = 0;
  const get = async (q: string) => {
    const t = performance.now();
    const res = await fetch(`${baseUrl}/api/v1/volunteers?q=${encodeURIComponent(q)}&page=1&pageSize=20`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { total?: number };
    return { ms: performance.now() - t, ok: res.ok, total: body.total ?? 0 };
  };
  for (const [, qs] of kinds) for (const q of qs.slice(0, 3)) await get(q); // warm-up: plans, caches
  for (let i = 0; i < SEARCH_REQUESTS; i++) {
    const [kind, qs] = kinds[i % kinds.length];
    const q = qs[Math.floor(i / kinds.length) % qs.length];
    const r = await get(q);
    if (!r.ok) non2xx++;
    samples[kind].push(r.ms);
    totals[kind].push(r.total);
    all.push(r.ms);
  }
  const county = await api<{ total: number }>(baseUrl, token, 'GET', '/api/v1/volunteers?page=1&pageSize=1');
  const byKind = Object.fromEntries(
    kinds.map(([k, qs]) => [
      k,
      {
        ...latency(samples[k]),
        queries: qs,
        meanTotal: Math.round(totals[k].reduce((a, b) => a + b, 0) / Math.max(1, totals[k].length)),
      },
    ]),
  ) as VolunteersResult['search']['byKind'];
  return { requests: SEARCH_REQUESTS, countyVolunteers: county.total, all: latency(all), byKind, non2xx };
}

export async function benchVolunteers(opts: {
  engine: 'pglite' | 'postgres';
  baseUrl: string;
  pid: number;
  databaseUrl?: string;
}): Promise<VolunteersResult> {
  const { baseUrl, pid } = opts;
  const token = await login(baseUrl, COUNTY_ADMIN);

  log(`  issue #3: template, villages of ${COUNTY} …`);
  const tres = await fetch(`${baseUrl}/api/v1/volunteers/import/template`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!tres.ok) throw new Error(`GET template: HTTP ${tres.status}`);
  const template = Buffer.from(await tres.arrayBuffer());
  const towns = (await api<{ items: { code: string }[] }>(baseUrl, token, 'GET', `/api/v1/regions?parent=${COUNTY}`))
    .items;
  const villages: string[] = [];
  for (const t of towns)
    villages.push(
      ...(
        await api<{ items: { code: string; level: string }[] }>(
          baseUrl,
          token,
          'GET',
          `/api/v1/regions?parent=${t.code}`,
        )
      ).items
        .filter((v) => v.level === 'village')
        .map((v) => v.code),
    );
  if (!villages.length) throw new Error('no villages in the county');

  log(`  generating ${IMPORT_ROWS} rows into the template …`);
  const g = performance.now();
  const rows = people(IMPORT_ROWS, villages);
  const { buf } = await workbook(template, rows);
  const generateMs = Math.round(performance.now() - g);
  log(`    ${(buf.length / 1024 / 1024).toFixed(1)} MB in ${(generateMs / 1000).toFixed(1)} s`);

  log(`  POST /api/v1/volunteers/import (${IMPORT_ROWS} rows, sync) …`);
  await new Promise((r) => setTimeout(r, 1000));
  const before = procStatus(pid).rssKb;
  const sampler = sampleRss(pid, 100);
  const t = performance.now();
  const res = await postFile(baseUrl, '/api/v1/volunteers/import', token, buf, 'volunteers-50k.xlsx');
  const wallMs = performance.now() - t;
  const rss = sampler.stop();
  let answer: VolunteersResult['import']['answer'];
  try {
    answer = JSON.parse(res.body);
  } catch {
    answer = { error: res.body.slice(0, 300) };
  }
  if (res.status !== 200) answer = { error: `HTTP ${res.status}: ${res.body.slice(0, 300)}` };
  const peak = Math.max(...rss);
  const imp: VolunteersResult['import'] = {
    wallMs: Math.round(wallMs),
    rowsPerSec: Math.round((IMPORT_ROWS * 1000) / wallMs),
    status: res.status,
    answer,
    rssBeforeMb: mb(before),
    rssPeakMb: mb(peak),
    rssAfterMb: mb(rss[rss.length - 1]),
    rssGrowthMb: mb(peak - before),
    rssSamples: rss.length,
  };
  log(
    `    HTTP ${res.status} in ${(wallMs / 1000).toFixed(1)} s ` +
      `= ${imp.rowsPerSec} rows/s; ${JSON.stringify(answer)}; RSS ${imp.rssBeforeMb} → peak ${imp.rssPeakMb} MB ` +
      `(+${imp.rssGrowthMb})`,
  );

  let direct: VolunteersResult['direct'] = null;
  if (opts.databaseUrl) {
    log(
      `  baseline: ${IMPORT_ROWS} rows by multi-row INSERT (${DIRECT_BATCH}/batch) into a scratch copy of volunteers …`,
    );
    const c = new pg.Client({ connectionString: opts.databaseUrl });
    await c.connect();
    const paths = new Map(
      (await c.query(`select code, path from regions where county_code = $1`, [COUNTY])).rows.map(
        (r: { code: string; path: string }) => [r.code, r.path],
      ),
    );
    await c.end();
    direct = await directInsert(opts.databaseUrl, rows, paths);
    log(`    ${(direct.wallMs / 1000).toFixed(2)} s = ${direct.rowsPerSec} rows/s`);
  }

  log(`  GET /api/v1/volunteers?q=… × ${SEARCH_REQUESTS}, sequential, as the county admin …`);
  const s = await search(baseUrl, token, rows);
  log(
    `    ${s.countyVolunteers} volunteers in the county; p50 ${s.all.p50} ms, ` +
      `p99 ${s.all.p99} ms (initials p50 ${s.byKind.initials.p50}, pinyin p50 ${s.byKind.pinyin.p50}, ` +
      `chinese p50 ${s.byKind.chinese.p50})`,
  );
  return {
    engine: opts.engine,
    rows: IMPORT_ROWS,
    fileBytes: buf.length,
    generateMs,
    villages: villages.length,
    import: imp,
    direct,
    ratio: direct ? Math.round((imp.rowsPerSec / direct.rowsPerSec) * 1000) / 1000 : null,
    search: s,
    loadAverageAfter: loadAverage(),
  };
}
