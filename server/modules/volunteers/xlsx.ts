/**
 * A small streaming reader for the first worksheet of an .xlsx workbook, written for the volunteer import.
 *
 * Why not exceljs: its whole-workbook reader keeps every cell of every row as objects (+400 MB for 50,000 rows),
 * and its streaming reader decodes each 16 KB chunk of XML on its own, so a Chinese character that straddles two
 * chunks becomes U+FFFD (exceljs issues #2063, #2084). Here the zip entries are inflated as streams, the bytes
 * are decoded by a StringDecoder (which keeps the incomplete bytes of a character for the next chunk) and rows
 * are cut out of the text only when their closing tag has arrived.
 *
 * What it reads: the first sheet of xl/workbook.xml (through its relationship), the shared strings, and per
 * cell the shared-string, inline-string, formula-string, boolean and number forms; cells are addressed by their
 * `r` reference (or in order where it is missing). Styles (dates) and formulas are not evaluated.
 */
import zlib from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';

export class NotAWorkbook extends Error {}
export class WorkbookTooLarge extends Error {}

type Entry = { name: string; method: number; compressedSize: number; size: number; crc: number; dataStart: number };

/**
 * Uncompressed size limits: what the zip's directory says is checked first, what inflating produces while streaming.
 */
const MAX_SHEET_BYTES = 1024 * 1024 * 1024;
const MAX_SHARED_STRINGS_BYTES = 128 * 1024 * 1024;
const MAX_SMALL_PART_BYTES = 4 * 1024 * 1024;
const CHUNK = 64 * 1024;

function readZipDirectory(buf: Buffer): Map<string, Entry> {
  if (buf.length < 22) throw new NotAWorkbook('too short for a zip');
  // End of central directory: 22 bytes + a comment of at most 65,535 bytes, at the end of the file
  const min = Math.max(0, buf.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new NotAWorkbook('no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) throw new NotAWorkbook('zip64 is not supported');
  const entries = new Map<string, Entry>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new NotAWorkbook('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw new NotAWorkbook('bad local header');
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (dataStart + compressedSize > buf.length) throw new NotAWorkbook('truncated entry');
    if (method !== 0 && method !== 8) throw new NotAWorkbook(`compression method ${method}`);
    entries.set(name.replace(/\\/g, '/').replace(/^\//, ''), { name, method, compressedSize, size, crc, dataStart });
  }
  return entries;
}

/** The entry's bytes, inflated chunk by chunk (at most one chunk ahead of the reader). */
async function* entryBytes(buf: Buffer, e: Entry, limit: number, chunkSize = CHUNK): AsyncGenerator<Buffer> {
  if (e.size > limit) throw new WorkbookTooLarge(e.name);
  const raw = buf.subarray(e.dataStart, e.dataStart + e.compressedSize);
  if (e.method === 0) {
    for (let i = 0; i < raw.length; i += chunkSize) yield raw.subarray(i, i + chunkSize);
    return;
  }
  const inflate = zlib.createInflateRaw({ chunkSize: Math.max(chunkSize, 64) });
  inflate.end(raw);
  let total = 0;
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) throw new WorkbookTooLarge(e.name);
      for (let i = 0; i < chunk.length; i += chunkSize) yield chunk.subarray(i, i + chunkSize);
    }
  } catch (err) {
    if (err instanceof WorkbookTooLarge) throw err;
    throw new NotAWorkbook(`inflate ${e.name}: ${(err as Error).message}`);
  } finally {
    inflate.destroy();
  }
}

/** The entry as text, decoded chunk by chunk: a character split between two chunks is completed, never replaced. */
async function* entryText(buf: Buffer, e: Entry, limit: number, chunkSize = CHUNK): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let first = true;
  for await (const chunk of entryBytes(buf, e, limit, chunkSize)) {
    let s = decoder.write(chunk);
    if (first && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    first = false;
    if (s) yield s;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

async function smallText(buf: Buffer, e: Entry): Promise<string> {
  let s = '';
  for await (const t of entryText(buf, e, MAX_SMALL_PART_BYTES)) s += t;
  return s;
}

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g;
const ESCAPED = /_x([0-9A-Fa-f]{4})_/g;
/** XML entities and the OOXML `_xHHHH_` escapes (e.g. _x000D_ for a carriage return). */
export function unescapeXml(s: string): string {
  if (s.includes('&')) {
    s = s.replace(ENTITY, (_, v: string) => {
      if (v[0] === '#')
        return String.fromCodePoint(v[1] === 'x' || v[1] === 'X' ? parseInt(v.slice(2), 16) : parseInt(v.slice(1), 10));
      return v === 'amp' ? '&' : v === 'lt' ? '<' : v === 'gt' ? '>' : v === 'quot' ? '"' : "'";
    });
  }
  if (s.includes('_x')) s = s.replace(ESCAPED, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return s;
}

const T_ELEMENT = /<t(?:\s[^>]*)?(?:\/>|>([\s\S]*?)<\/t>)/g;
/** The text of a rich-text or plain string (<si>, <is>): every <t>, phonetic runs (<rPh>) left out. */
function richText(xml: string): string {
  if (xml.includes('<rPh')) xml = xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '');
  let out = '';
  T_ELEMENT.lastIndex = 0;
  for (let m = T_ELEMENT.exec(xml); m; m = T_ELEMENT.exec(xml)) if (m[1]) out += m[1];
  return unescapeXml(out);
}

const NAME_END = new Set([0x20, 0x3e, 0x2f, 0x0a, 0x0d, 0x09]);

/**
 * Cuts complete `<tag …>…</tag>` (or `<tag …/>`, inner null) elements out of streamed text, a chunk's worth at a
 * time. An element still open at the end of a chunk is kept (the text is cut to start with it) and the search
 * for its end resumes where it stopped, so a huge element costs linear time.
 */
async function* elements(
  chunks: AsyncIterable<string>,
  tag: string,
): AsyncGenerator<[open: string, inner: string | null][]> {
  const openTag = `<${tag}`;
  const closeTag = `</${tag}>`;
  let text = '';
  // the element at text[0] waits for the end of its start tag, or for its close tag
  let state: 'open' | 'close' | null = null;
  let gtAt = 0;
  let resume = 0;
  for await (const chunk of chunks) {
    text = text ? text + chunk : chunk;
    const found: [string, string | null][] = [];
    let pos = 0;
    for (;;) {
      let start = 0;
      if (!state) {
        start = text.indexOf(openTag, pos);
        if (start < 0) {
          pos = Math.max(pos, text.length - openTag.length);
          break;
        }
        const next = text.charCodeAt(start + openTag.length);
        if (Number.isNaN(next)) {
          pos = start;
          break;
        }
        // <row but not <rowBreaks, <si but not <sig…: the name must end here
        if (!NAME_END.has(next)) {
          pos = start + openTag.length;
          continue;
        }
      }
      let gt = gtAt;
      if (state !== 'close') {
        gt = text.indexOf('>', state === 'open' ? resume : start);
        if (gt < 0) {
          state = 'open';
          resume = text.length;
          pos = start;
          break;
        }
        if (text.charCodeAt(gt - 1) === 0x2f) {
          found.push([text.slice(start, gt + 1), null]);
          pos = gt + 1;
          state = null;
          continue;
        }
      }
      const end = text.indexOf(closeTag, state === 'close' ? resume : gt);
      if (end < 0) {
        state = 'close';
        gtAt = gt;
        resume = Math.max(gt, text.length - closeTag.length);
        pos = start;
        break;
      }
      found.push([text.slice(start, gt + 1), text.slice(gt + 1, end)]);
      pos = end + closeTag.length;
      state = null;
    }
    if (pos > 0) {
      text = text.slice(pos); // when an element is pending, pos is its start
      if (state) {
        resume -= pos;
        gtAt -= pos;
      }
    }
    if (found.length) yield found;
  }
}

const attr = (tag: string, name: string): string | null => {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return m ? (m[1] ?? m[2]) : null;
};

/** "AB12" → 28 (1-based column number). */
function columnOf(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
  }
  return n;
}

const CELL = /<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g;
const R_ATTR = /\sr\s*=\s*["']([A-Za-z]+)/;
const T_ATTR = /\st\s*=\s*["']([a-zA-Z]+)/;
const V_ELEMENT = /<v(?:\s[^>]*)?>([\s\S]*?)<\/v>/;

/** One sheet row: its 1-based number and its cell texts by 1-based column (index 0 unused), untrimmed. */
export type SheetRow = { number: number; cells: string[] };

function parseRow(open: string, inner: string | null, shared: readonly string[], prevNumber: number): SheetRow {
  const r = attr(open, 'r');
  const number = (r && Number(r)) || prevNumber + 1;
  const cells: string[] = [];
  if (!inner) return { number, cells };
  let col = 0;
  CELL.lastIndex = 0;
  for (let m = CELL.exec(inner); m; m = CELL.exec(inner)) {
    const attrs = m[1];
    const body = m[2];
    const ref = R_ATTR.exec(attrs);
    col = ref ? columnOf(ref[1]) : col + 1;
    if (!body) continue;
    const type = T_ATTR.exec(attrs)?.[1] ?? 'n';
    let value: string;
    if (type === 'inlineStr') value = richText(body);
    else {
      const v = V_ELEMENT.exec(body)?.[1];
      if (v === undefined) continue;
      if (type === 's') value = shared[Number(v)] ?? '';
      else if (type === 'b') value = v === '1' ? 'true' : 'false';
      else if (type === 'n') value = /[eE]/.test(v) && Number.isFinite(Number(v)) ? String(Number(v)) : v;
      else value = unescapeXml(v);
    }
    cells[col] = value;
  }
  for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = '';
  return { number, cells };
}

const resolvePart = (base: string, target: string) => {
  if (target.startsWith('/')) return target.slice(1);
  const parts = `${base}${target}`.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
};

export type Workbook = {
  /** `<row>` elements of the sheet (rows with no cell left out by most writers, so close to the number of rows). */
  rowElements: number;
  /** The rows of the first sheet in order, `batch` at a time (the reader stays at most one zip chunk ahead). */
  rows(batch: number): AsyncGenerator<SheetRow[]>;
};

/**
 * Opens the workbook: reads the zip directory, the workbook part and its relationships, all shared strings, and
 * inflates the first sheet once to check its CRC and count its rows — so a damaged file is refused before any
 * row is imported. Throws NotAWorkbook or WorkbookTooLarge.
 */
export async function openWorkbook(buf: Buffer, opts: { chunkSize?: number } = {}): Promise<Workbook> {
  const chunkSize = opts.chunkSize ?? CHUNK;
  const entries = readZipDirectory(buf);
  const workbook = entries.get('xl/workbook.xml');
  if (!workbook) throw new NotAWorkbook('no xl/workbook.xml');
  const wbXml = await smallText(buf, workbook);
  const rels = entries.get('xl/_rels/workbook.xml.rels');
  const relXml = rels ? await smallText(buf, rels) : '';
  const relationships = [...relXml.matchAll(/<Relationship\b[^>]*>/g)].map((m) => ({
    id: attr(m[0], 'Id'),
    type: attr(m[0], 'Type') ?? '',
    target: attr(m[0], 'Target') ?? '',
  }));
  const firstSheet = /<sheet\b[^>]*>/.exec(wbXml)?.[0];
  const sheetRel = firstSheet ? /\s[\w]+:id\s*=\s*["']([^"']*)["']/.exec(firstSheet)?.[1] : undefined;
  const sheetTarget = relationships.find((r) => r.id === sheetRel)?.target;
  const sheetName = sheetTarget ? resolvePart('xl/', sheetTarget) : 'xl/worksheets/sheet1.xml';
  const sheet = entries.get(sheetName);
  if (!sheet) throw new NotAWorkbook(`no worksheet ${sheetName}`);
  const ssTarget = relationships.find((r) => r.type.endsWith('/sharedStrings'))?.target;
  const ssEntry = entries.get(ssTarget ? resolvePart('xl/', ssTarget) : 'xl/sharedStrings.xml');

  const shared: string[] = [];
  if (ssEntry) {
    for await (const found of elements(entryText(buf, ssEntry, MAX_SHARED_STRINGS_BYTES, chunkSize), 'si'))
      for (const [, inner] of found) shared.push(inner ? richText(inner) : '');
  }

  // first pass over the sheet's bytes: CRC (a damaged file stops here) and the number of <row elements
  let crc = 0;
  let rowElements = 0;
  let tail = Buffer.alloc(0);
  const marker = Buffer.from('<row');
  for await (const chunk of entryBytes(buf, sheet, MAX_SHEET_BYTES, chunkSize)) {
    crc = zlib.crc32(chunk, crc);
    const b = tail.length ? Buffer.concat([tail, chunk]) : chunk;
    for (let i = b.indexOf(marker); i >= 0 && i + 4 < b.length; i = b.indexOf(marker, i + 4)) {
      const c = b[i + 4];
      if (c === 0x20 || c === 0x3e || c === 0x2f || c === 0x0a || c === 0x0d || c === 0x09) rowElements++;
    }
    tail = Buffer.from(b.subarray(Math.max(0, b.length - 4)));
  }
  if (crc >>> 0 !== sheet.crc >>> 0) throw new NotAWorkbook('CRC mismatch');

  return {
    rowElements,
    async *rows(batch: number) {
      let out: SheetRow[] = [];
      let prev = 0;
      for await (const found of elements(entryText(buf, sheet, MAX_SHEET_BYTES, chunkSize), 'row')) {
        for (const [open, inner] of found) {
          const row = parseRow(open, inner, shared, prev);
          prev = row.number;
          out.push(row);
          if (out.length >= batch) {
            yield out;
            out = [];
          }
        }
      }
      if (out.length) yield out;
    },
  };
}
