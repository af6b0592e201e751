import zlib from 'node:zlib';
import PDFDocument from 'pdfkit';
import type { Deps } from '../platform/context.js';
import { storeFile, type FilePurpose } from '../modules/files/service.js';
import { cjkFont } from '../platform/pdf.js';

/**
 * The demo's files: photos (visits, publicity, wishes, article covers) and an article's attachment, made here rather
 * than uploaded, with the time they would have been uploaded at, and held by their records through the services.
 */

/** A small solid-colour PNG: the demo's 心愿实现照片. */
export function png(w: number, h: number, [r, g, b]: [number, number, number]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  const row = Buffer.alloc(1 + w * 3);
  for (let x = 0; x < w; x++) {
    row[1 + x * 3] = r;
    row[2 + x * 3] = g;
    row[3 + x * 3] = b;
  }
  const raw = Buffer.concat(
    Array.from({ length: h }, (_, y) => {
      const line = Buffer.from(row);
      // a lighter band across the middle, so the pictures are not flat
      if (y > h / 3 && y < (2 * h) / 3)
        for (let x = 0; x < w; x++)
          for (let k = 0; k < 3; k++) line[1 + x * 3 + k] = Math.min(255, line[1 + x * 3 + k] + 40);
      return line;
    }),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page A4 notice in Chinese: the demo's 附件. */
export async function noticePdf(title: string, lines: string[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 64, info: { Title: title, Creator: '文明实践云' } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont('r', cjkFont() as unknown as Buffer);
  doc.font('r').fontSize(20).text(title, { align: 'center' }).moveDown(1.2);
  for (const line of lines) doc.fontSize(12).text(line, { lineGap: 6, indent: 24 }).moveDown(0.4);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

type DemoFile = { countyCode: string; ownerId: string | null; at: number };

/** Stores a demo file uploaded at `at` by `ownerId`, as an upload stores it; its id, for a record to hold. */
export const demoFile = async (
  deps: Deps,
  f: DemoFile & { purpose: FilePurpose; mime: string; ext: string; name: string; body: Buffer },
) =>
  (
    await storeFile(deps.database.db, deps.files, {
      ...f,
      originalName: `${f.name}.${f.ext}`,
      now: new Date(f.at),
    })
  ).id;

/** A 320×240 photo of one colour (with a lighter band) named `name`.png. */
export const demoPhoto = (deps: Deps, f: DemoFile & { name: string; colour: [number, number, number] }) =>
  demoFile(deps, { ...f, purpose: 'image', mime: 'image/png', ext: 'png', body: png(320, 240, f.colour) });
