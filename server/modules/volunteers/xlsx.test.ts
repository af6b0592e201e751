import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { NotAWorkbook, openWorkbook, unescapeXml, type SheetRow } from './xlsx.js';

async function readAll(buf: Buffer, chunkSize?: number): Promise<SheetRow[]> {
  const book = await openWorkbook(buf, { chunkSize });
  const out: SheetRow[] = [];
  for await (const rows of book.rows(7)) out.push(...rows);
  return out;
}
const texts = (rows: SheetRow[]) => rows.map((r) => [r.number, ...r.cells.slice(1)]);

/** A zip of stored (uncompressed) entries, written by hand: the reader must not depend on how a writer compresses. */
function storedZip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, 'utf8');
    const nameBuf = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(files).length, 8);
  eocd.writeUInt16LE(Object.keys(files).length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

describe('xlsx reader', () => {
  it('reads what exceljs writes, the same at any chunk size (characters and elements split between chunks)', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('志愿者');
    ws.addRow(['姓名*', '身份证号*', '手机号', '备注']);
    ws.addRow(['张三丰', '11010519491231002X', 13800138000, '宣讲、书法 & <诗词> "引号" \\ 反斜杠']);
    ws.addRow(['𠮷野家', '440524188001010014', null, true]);
    ws.getRow(4).getCell(6).value = { richText: [{ text: '富' }, { text: '文本', font: { bold: true } }] };
    ws.addRow([]);
    ws.getRow(7).getCell(1).value = '第七行';
    ws.addRow(Array.from({ length: 30 }, (_, i) => `列${i + 1}`));
    wb.addWorksheet('第二张').addRow(['不读']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const expected = [
      [1, '姓名*', '身份证号*', '手机号', '备注'],
      [2, '张三丰', '11010519491231002X', '13800138000', '宣讲、书法 & <诗词> "引号" \\ 反斜杠'],
      [3, '𠮷野家', '440524188001010014', '', 'true'],
      [4, '', '', '', '', '', '富文本'],
      [7, '第七行'],
      [8, ...Array.from({ length: 30 }, (_, i) => `列${i + 1}`)],
    ];
    expect(texts(await readAll(buf))).toEqual(expected);
    for (const size of [1, 2, 3, 5, 7, 64, 100])
      expect(texts(await readAll(buf, size)), `chunk ${size}`).toEqual(expected);
    expect((await openWorkbook(buf)).rowElements).toBe(6);
  });

  it('reads inline strings, rows and cells without references, escapes, phonetic runs, and the first sheet by its relationship', async () => {
    const files = {
      '[Content_Types].xml': '<?xml version="1.0"?><Types/>',
      'xl/workbook.xml':
        '<workbook ' +
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="甲" ' +
        'sheetId="1" r:id="rId9"/><sheet name="乙" sheetId="2" r:id="rId1"/></sheets></workbook>',
      'xl/_rels/workbook.xml.rels':
        '<Relationships><Relationship Id="rId1" ' +
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" ' +
        'Target="worksheets/sheet1.xml"/><Relationship Id="rId9" ' +
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" ' +
        'Target="/xl/worksheets/other.xml"/><Relationship Id="rId3" ' +
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" ' +
        'Target="strings.xml"/></Relationships>',
      'xl/strings.xml':
        "<sst><si><t>共享</t></si><si><r><t xml:space='preserve'>拼 </t></r><r><t>接</t></r><rPh sb='0' " +
        "eb='1'><t>ピン</t></rPh></si><si><t/></si></sst>",
      'xl/worksheets/sheet1.xml':
        '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr">' +
        '<is><t>错的表</t></is></c></row></sheetData></worksheet>',
      'xl/worksheets/other.xml':
        '\ufeff<worksheet><dimension ref="A1:C3"/><sheetData>' +
        '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>' +
        '<row r="3" spans="1:3"><c r="B3" ' +
        't="inlineStr"><is><t>a&amp;b&lt;&#x4E2D;&#25991;_x000D_</t></is></c><c r="C3" ' +
        't="str"><f>A1</f><v>公式</v></c><c r="D3"><v>1.5E+3</v></c><c r="E3" s="2"/></row>' +
        '<row r="4"/></sheetData><rowBreaks count="1"><brk id="3"/></rowBreaks></worksheet>',
    };
    const rows = await readAll(storedZip(files), 3);
    expect(texts(rows)).toEqual([[1, '共享', '拼 接', ''], [3, '', 'a&b<中文\r', '公式', '1500'], [4]]);
  });

  it('refuses what is not a workbook, a damaged one, and one without its parts', async () => {
    await expect(
      openWorkbook(Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100)])),
    ).rejects.toBeInstanceOf(NotAWorkbook);
    await expect(openWorkbook(storedZip({ 'a.txt': 'x' }))).rejects.toBeInstanceOf(NotAWorkbook);
    await expect(openWorkbook(Buffer.from('PK\u0003\u0004short'))).rejects.toBeInstanceOf(NotAWorkbook);
    await expect(openWorkbook(storedZip({ 'a.txt': 'x' }).subarray(0, 40))).rejects.toBeInstanceOf(NotAWorkbook);
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('志愿者').addRow(['姓名', '身份证号']);
    const good = Buffer.from(await wb.xlsx.writeBuffer());
    const bad = Buffer.from(good);
    // flip a byte inside the sheet's compressed data: inflating fails or the CRC does not match
    const at = bad.indexOf('xl/worksheets/sheet1.xml') + 'xl/worksheets/sheet1.xml'.length + 5;
    bad[at] ^= 0xff;
    await expect(openWorkbook(bad)).rejects.toBeInstanceOf(NotAWorkbook);
  });

  it('unescapes entities and _xHHHH_', () => {
    expect(unescapeXml('&quot;&apos;&gt;&#33;_x0009__x005F_')).toBe('"\'>!\t_');
  });
});
