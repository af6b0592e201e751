import type ExcelJS from 'exceljs';
import type { Figure, Overview } from './service.js';

/**
 * The statistics tables as Excel workbooks: the overview (with its lower regions), the monthly series (月报) and the
 * rows behind a figure. Each sheet has a title row naming the region and period, Chinese headers, and the
 * definitions on a sheet of their own, so a workbook handed upward says what its numbers mean.
 */
const excel = async () => (await import('exceljs')).default;

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const title = (ws: ExcelJS.Worksheet, text: string, width: number) => {
  ws.addRow([text]);
  ws.mergeCells(1, 1, 1, Math.max(1, width));
  ws.getRow(1).font = { bold: true, size: 14 };
  ws.getRow(1).alignment = { horizontal: 'center' };
};
const header = (ws: ExcelJS.Worksheet, cells: string[]) => {
  const row = ws.addRow(cells);
  row.font = { bold: true };
  row.eachCell((c) => {
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFF3F8' } };
    c.border = { bottom: { style: 'thin' } };
  });
};
const withUnit = (f: Pick<Figure, 'label' | 'unit'>) => `${f.label}（${f.unit}）`;

function definitionsSheet(wb: ExcelJS.Workbook, figures: Pick<Figure, 'key' | 'label' | 'unit' | 'definition'>[]) {
  const ws = wb.addWorksheet('指标口径');
  ws.columns = [{ width: 24 }, { width: 8 }, { width: 90 }, { width: 28 }];
  header(ws, ['指标', '单位', '口径', '指标键']);
  for (const f of figures) ws.addRow([f.label, f.unit, f.definition, f.key]).alignment = { wrapText: true };
}

export async function overviewWorkbook(o: Overview): Promise<Buffer> {
  const ExcelJS = await excel();
  const wb = new ExcelJS.Workbook();
  wb.creator = '文明实践云';
  const period = `${o.from} 至 ${o.to}`;
  const ws = wb.addWorksheet('总览');
  ws.columns = [{ width: 28 }, { width: 14 }, { width: 8 }];
  title(ws, `${o.regionName}统计总览（${period}）`, 3);
  header(ws, ['指标', '数值', '单位']);
  for (const f of o.figures) ws.addRow([f.label, f.value, f.unit]);
  ws.addRow([]);
  ws.addRow([`数据截至 ${o.asOf.toISOString()}`]);
  if (o.regions?.length) {
    const by = wb.addWorksheet('分区域');
    by.columns = [{ width: 22 }, ...o.figures.map(() => ({ width: 14 }))];
    title(by, `${o.regionName}各下级区划统计（${period}）`, o.figures.length + 1);
    header(by, ['区划', ...o.figures.map(withUnit)]);
    for (const r of o.regions) by.addRow([r.name, ...r.figures.map((f) => f.value)]);
    by.addRow(['合计', ...o.figures.map((f) => f.value)]).font = { bold: true };
    by.views = [{ state: 'frozen', xSplit: 1, ySplit: 2 }];
  }
  definitionsSheet(wb, o.figures);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export type SeriesAnswer = {
  regionName: string;
  from: string;
  to: string;
  keys: { key: string; label: string; unit: string; definition: string }[];
  months: { month: string; values: Record<string, number> }[];
};

/** 月报: one row per month with every figure counted over a period, and the period's total. */
export async function seriesWorkbook(s: SeriesAnswer, total: Figure[]): Promise<Buffer> {
  const ExcelJS = await excel();
  const wb = new ExcelJS.Workbook();
  wb.creator = '文明实践云';
  const ws = wb.addWorksheet('月报');
  ws.columns = [{ width: 12 }, ...s.keys.map(() => ({ width: 14 }))];
  title(ws, `${s.regionName}新时代文明实践工作月报（${s.from} 至 ${s.to}）`, s.keys.length + 1);
  header(ws, ['月份', ...s.keys.map(withUnit)]);
  for (const m of s.months) ws.addRow([m.month, ...s.keys.map((k) => m.values[k.key] ?? 0)]);
  const totals = new Map(total.map((f) => [f.key, f.value]));
  ws.addRow(['合计', ...s.keys.map((k) => totals.get(k.key) ?? 0)]).font = { bold: true };
  ws.views = [{ state: 'frozen', xSplit: 1, ySplit: 2 }];
  definitionsSheet(wb, s.keys);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export type RowsAnswer = {
  label: string;
  unit: string;
  definition: string;
  value: number;
  measure: 'count' | 'sum';
  regionName: string;
  from: string;
  to: string;
  columns: { title: string; detail: string; date: string };
  total: number;
  sum: number;
  items: { title: string; detail: string; region: string; date: string | null; value: number }[];
};

export async function rowsWorkbook(r: RowsAnswer): Promise<Buffer> {
  const ExcelJS = await excel();
  const wb = new ExcelJS.Workbook();
  wb.creator = '文明实践云';
  const ws = wb.addWorksheet('明细');
  ws.columns = [{ width: 8 }, { width: 30 }, { width: 24 }, { width: 18 }, { width: 14 }, { width: 12 }];
  title(ws, `${r.regionName}“${r.label}”明细（${r.from} 至 ${r.to}）`, 6);
  header(ws, ['序号', r.columns.title, r.columns.detail, '区划', r.columns.date, `数值（${r.unit}）`]);
  r.items.forEach((i, n) => ws.addRow([n + 1, i.title, i.detail, i.region, i.date ?? '', i.value]));
  ws.addRow([]);
  ws.addRow([
    r.measure === 'count'
      ? `共 ${r.total} 条，等于指标值 ${r.value}`
      : `共 ${r.total} 条，数值合计 ${r.sum}，指标值 ${r.value}`,
  ]);
  ws.addRow([`口径：${r.definition}`]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
