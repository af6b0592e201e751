import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { cjkFont } from '../../platform/pdf.js';
import type { CertificateSnapshot } from '../../db/schema/index.js';
import { chinaDate as chinaDay } from '../../platform/clock.js';

export const idTypeLabels: Record<string, string> = {
  resident_id: '居民身份证',
  passport: '护照',
  hk_macao_pass: '港澳居民来往内地通行证',
  taiwan_pass: '台湾居民来往大陆通行证',
};
export const idTypeLabel = (t: string) => idTypeLabels[t] ?? t;

export type CertificateForPdf = {
  number: string;
  periodFrom: string;
  periodTo: string;
  hours: number;
  issuedAt: Date;
  revokedAt: Date | null;
  snapshot: CertificateSnapshot;
  verifyUrl: string;
  seal?: Buffer | null;
};

const RED = '#c8161d';
const DARK_RED = '#8c1c13';
const INK = '#222222';
const GRAY = '#6b6b6b';
const LINE = '#b9a7a3';
const LABEL_BG = '#f7efed';

/** 2026-06-01 → 2026年6月1日 */
export const cnDate = (d: string) => {
  const [y, m, day] = d.split('-').map(Number);
  return `${y}年${m}月${day}日`;
};
const fmtHours = (h: number) => (Math.round(h * 100) / 100).toString();

/**
 * 志愿服务证明 as an A4 PDF in the CJK font of platform/pdf.ts.
 * Bold text is the regular face filled and stroked: a second embedded face would cost ~40 % more time and size.
 */
export async function renderCertificatePdf(c: CertificateForPdf): Promise<Buffer> {
  const f = cjkFont();
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    bufferPages: true,
    info: {
      Title: `志愿服务证明 ${c.number}`,
      Author: c.snapshot.issuer.name,
      Subject: '志愿服务证明',
      Creator: '文明实践云',
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont('r', f as unknown as Buffer);
  const bold = (size: number, color: string) => {
    doc.lineWidth(size * 0.045).strokeColor(color);
    return { fill: true, stroke: true };
  };

  const W = doc.page.width;
  const H = doc.page.height;
  const M = 56;
  const CW = W - 2 * M;
  const bottom = H - 62;
  const s = c.snapshot;
  let y = 0;

  const frame = () => {
    doc
      .save()
      .lineWidth(2.2)
      .strokeColor(DARK_RED)
      .rect(24, 24, W - 48, H - 48)
      .stroke();
    doc
      .lineWidth(0.7)
      .rect(30, 30, W - 60, H - 60)
      .stroke()
      .restore();
    if (c.revokedAt) {
      doc
        .save()
        .rotate(-35, { origin: [W / 2, H / 2] })
        .fillOpacity(0.14)
        .fillColor(RED)
        .font('r')
        .fontSize(96)
        .text('已作废', 0, H / 2 - 60, { width: W, align: 'center', lineBreak: false })
        .restore();
    }
  };
  const newPage = () => {
    doc.addPage({ size: 'A4', margin: 0 });
    frame();
    y = 56;
  };
  const ensure = (h: number) => {
    if (y + h > bottom) newPage();
  };

  const heading = (text: string) => {
    ensure(40);
    doc
      .save()
      .rect(M, y + 2, 4, 14)
      .fill(RED)
      .restore();
    doc
      .font('r')
      .fontSize(12.5)
      .fillColor(INK)
      .text(text, M + 11, y, { lineBreak: false, ...bold(12.5, INK) });
    y += 24;
  };

  /** A row of cells: [text, width, label?]; text that does not fit shrinks to one line. */
  const cells = (
    row: { text: string; w: number; label?: boolean; align?: 'left' | 'center' | 'right' }[],
    h: number,
    size = 10,
  ) => {
    let x = M;
    for (const cell of row) {
      if (cell.label) doc.save().rect(x, y, cell.w, h).fill(LABEL_BG).restore();
      doc.save().lineWidth(0.6).strokeColor(LINE).rect(x, y, cell.w, h).stroke().restore();
      let fs = size;
      doc.font('r');
      while (fs > 6.5 && doc.fontSize(fs).widthOfString(cell.text) > cell.w - 10) fs -= 0.5;
      doc
        .fontSize(fs)
        .fillColor(cell.label ? DARK_RED : INK)
        .text(cell.text, x + 5, y + (h - fs * 1.2) / 2 + 0.5, {
          width: cell.w - 10,
          align: cell.align ?? (cell.label ? 'center' : 'left'),
          lineBreak: false,
          ellipsis: true,
          ...(cell.label ? bold(fs, DARK_RED) : {}),
        });
      x += cell.w;
    }
    y += h;
  };

  frame();
  y = 54;
  // ---- title, number, and the QR code in the top right corner ----
  const qrSize = 64;
  const qx = W - M - qrSize;
  drawQr(doc, c.verifyUrl, qx, 40, qrSize);
  doc
    .font('r')
    .fontSize(8.5)
    .fillColor(INK)
    .text('扫码验证', qx, 40 + qrSize + 1, { width: qrSize, align: 'center', lineBreak: false, ...bold(8.5, INK) });
  doc
    .font('r')
    .fontSize(30)
    .fillColor(DARK_RED)
    .text('志愿服务证明', M, y, {
      width: CW,
      align: 'center',
      characterSpacing: 10,
      lineBreak: false,
      ...bold(30, DARK_RED),
    });
  y += 48;
  doc
    .save()
    .lineWidth(1.2)
    .strokeColor(RED)
    .moveTo(W / 2 - 90, y)
    .lineTo(W / 2 + 90, y)
    .stroke()
    .restore();
  y += 10;
  doc.font('r').fontSize(10).fillColor(GRAY).text(`证明编号：${c.number}`, M, y, { lineBreak: false });
  if (c.revokedAt)
    doc.fillColor(RED).text(`本证明已作废（${cnDate(chinaDay(c.revokedAt))}）`, M, y, {
      width: CW - qrSize - 10,
      align: 'right',
      lineBreak: false,
      ...bold(10, RED),
    });
  y += 22;

  // ---- 1. the volunteer ----
  heading('一、志愿者信息');
  const L = 82;
  const V = (CW - 2 * L) / 2;
  cells(
    [
      { text: '姓    名', w: L, label: true },
      { text: s.name, w: V },
      { text: '证件类型', w: L, label: true },
      { text: idTypeLabel(s.idType), w: V },
    ],
    23,
  );
  cells(
    [
      { text: '证件号码', w: L, label: true },
      { text: s.idMasked, w: V },
      { text: '志愿者编号', w: L, label: true },
      { text: s.volunteerNo, w: V },
    ],
    23,
  );
  y += 14;

  // ---- 2. hours and content ----
  heading('二、服务时长与服务内容');
  const intro =
    `兹证明 ${s.name} 同志于 ${cnDate(c.periodFrom)} 至 ${cnDate(c.periodTo)} 期间参加新时代文明实践志愿服务，经核实，` +
    `累计服务时长 ${fmtHours(c.hours)} 小时。具体如下：`;
  doc.font('r').fontSize(10.5).fillColor(INK);
  const introH = doc.heightOfString(intro, { width: CW, lineGap: 3 });
  ensure(introH + 30);
  doc.text(intro, M, y, { width: CW, lineGap: 3 });
  y += introH + 6;
  const cols = [36, CW - 36 - 96 - 82, 96, 82];
  const header = () =>
    cells(
      [
        { text: '序号', w: cols[0], label: true },
        { text: '服务项目', w: cols[1], label: true },
        { text: '服务日期', w: cols[2], label: true },
        { text: '时长（小时）', w: cols[3], label: true },
      ],
      19,
      9.5,
    );
  ensure(40);
  header();
  s.content.forEach((row, i) => {
    if (y + 16 > bottom) {
      newPage();
      header();
    }
    cells(
      [
        { text: String(i + 1), w: cols[0], align: 'center' },
        { text: row.title, w: cols[1] },
        { text: row.date, w: cols[2], align: 'center' },
        { text: fmtHours(row.hours), w: cols[3], align: 'center' },
      ],
      16,
      9,
    );
  });
  if (y + 19 > bottom) {
    newPage();
    header();
  }
  cells(
    [
      { text: '合计', w: cols[0] + cols[1] + cols[2], label: true },
      { text: fmtHours(c.hours), w: cols[3], align: 'center' },
    ],
    19,
    9.5,
  );
  y += 14;

  // ---- 3. the issuer, with the signature and the seal beside it ----
  const dash = (v: string) => v?.trim() || '—';
  ensure(24 + 4 * 22 + 10);
  heading('三、出具单位');
  const SW = 178;
  const TW = CW - SW - 12;
  const LW = 64;
  const TV = (TW - 2 * LW) / 2;
  const tableTop = y;
  const row = (cellsIn: { text: string; w: number; label?: boolean }[]) => cells(cellsIn, 22);
  row([
    { text: '出具单位', w: LW, label: true },
    { text: s.issuer.name, w: TW - LW },
  ]);
  row([
    { text: '负 责 人', w: LW, label: true },
    { text: dash(s.issuer.personInCharge), w: TV },
    { text: '经 办 人', w: LW, label: true },
    { text: dash(s.issuer.handler), w: TV },
  ]);
  row([
    { text: '联系电话', w: LW, label: true },
    { text: dash(s.issuer.contact), w: TW - LW },
  ]);
  row([
    { text: '出具日期', w: LW, label: true },
    { text: cnDate(chinaDay(c.issuedAt)), w: TW - LW },
  ]);
  // ---- 4. signature: issuer and date under the seal ----
  const sx = W - M - SW;
  let sigSize = 12;
  doc.font('r');
  while (sigSize > 8 && doc.fontSize(sigSize).widthOfString(s.issuer.name) > SW) sigSize -= 0.5;
  doc
    .fontSize(sigSize)
    .fillColor(INK)
    .text(s.issuer.name, sx, tableTop + 20, { width: SW, align: 'right', lineBreak: false });
  doc
    .fontSize(12)
    .text(cnDate(chinaDay(c.issuedAt)), sx, tableTop + 48, { width: SW, align: 'right', lineBreak: false });
  const sealCx = W - M - 62;
  const sealCy = tableTop + 38;
  const sealR = 48;
  if (c.seal) {
    try {
      doc
        .save()
        .opacity(0.9)
        .image(c.seal, sealCx - sealR - 4, sealCy - sealR - 4, {
          fit: [2 * sealR + 8, 2 * sealR + 8],
          align: 'center',
          valign: 'center',
        })
        .restore();
    } catch {
      drawSeal(doc, sealCx, sealCy, sealR, s.issuer.name);
    }
  } else {
    drawSeal(doc, sealCx, sealCy, sealR, s.issuer.name);
  }
  y = Math.max(y, sealCy + sealR) + 8;

  // footers: the verification address, the number and page numbers on every page
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    doc
      .font('r')
      .fontSize(7.5)
      .fillColor(GRAY)
      .text(`扫描二维码或访问 ${c.verifyUrl} 核验真伪`, M, H - 50, { width: CW, align: 'left', lineBreak: false })
      .text(`${c.number}${range.count > 1 ? `  第 ${i + 1} 页 / 共 ${range.count} 页` : ''}`, M, H - 50, {
        width: CW,
        align: 'right',
        lineBreak: false,
      });
  }
  doc.end();
  await finished;
  return Buffer.concat(chunks);
}

/** The QR code as vector squares (one filled path): sharp at any zoom and cheaper than an embedded image. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number) {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 2;
  const cell = size / (n + 2 * quiet);
  doc.save().rect(x, y, size, size).fill('#ffffff');
  for (let r = 0; r < n; r++) {
    let c = 0;
    while (c < n) {
      if (!qr.modules.get(r, c)) {
        c++;
        continue;
      }
      let end = c;
      while (end + 1 < n && qr.modules.get(r, end + 1)) end++;
      doc.rect(x + (quiet + c) * cell, y + (quiet + r) * cell, (end - c + 1) * cell + 0.05, cell + 0.05);
      c = end + 1;
    }
  }
  doc.fill('#000000').restore();
}

/**
 * A round red seal drawn with vectors: double ring, a five-pointed star, the issuer's name around the arc, 志愿服务专用章
 * below.
 */
export function drawSeal(doc: PDFKit.PDFDocument, cx: number, cy: number, r: number, issuer: string) {
  doc.save().fillOpacity(0.85).strokeOpacity(0.85).fillColor(RED).strokeColor(RED);
  doc.lineWidth(3.2).circle(cx, cy, r).stroke();
  doc
    .lineWidth(0.8)
    .circle(cx, cy, r - 5)
    .stroke();
  // the star
  const sr = r * 0.3;
  const pts: number[][] = [];
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const rr = i % 2 === 0 ? sr : sr * 0.382;
    pts.push([cx + rr * Math.cos(a), cy + rr * Math.sin(a)]);
  }
  doc.polygon(...pts).fill();
  // the name along the upper arc, each character upright towards the centre
  const chars = [...issuer];
  const span = Math.min(210, 24 * chars.length);
  const fontSize = Math.max(7, Math.min(13, (((r - 12) * ((span * Math.PI) / 180)) / chars.length) * 0.92));
  const tr = r - 8 - fontSize / 2 - 1;
  doc
    .font('r')
    .fontSize(fontSize)
    .lineWidth(fontSize * 0.05);
  chars.forEach((ch, i) => {
    const deg = chars.length === 1 ? 0 : -span / 2 + (span * i) / (chars.length - 1);
    const a = (deg * Math.PI) / 180;
    const px = cx + tr * Math.sin(a);
    const py = cy - tr * Math.cos(a);
    const w = doc.widthOfString(ch);
    doc
      .save()
      .rotate(deg, { origin: [px, py] })
      .text(ch, px - w / 2, py - fontSize * 0.62, { lineBreak: false, fill: true, stroke: true })
      .restore();
  });
  doc
    .font('r')
    .fontSize(Math.max(7, r * 0.16))
    .lineWidth(0.3);
  const label = '志愿服务专用章';
  const lw = doc.widthOfString(label);
  doc.text(label, cx - lw / 2, cy + r * 0.36, { lineBreak: false, fill: true, stroke: true });
  doc.restore();
}
