/**
 * Volunteers in the admin web end to end: the county admin registers a volunteer through the 登记志愿者 drawer
 * (the derived sex and birth date appear while the ID number is typed), finds them by the initials of their name,
 * then imports a small workbook built from the downloaded template (two new people, the same person again, one bad
 * ID number) and sees 新增 2、合并 1、失败 1 with a link to the error report.
 * The e2e vitest config starts the server and sets E2E_BASE_URL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { useBrowser } from './browser.js';

const e2e = useBrowser();

let page: Page;
let tmpDir: string;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** A valid GB 11643 number for a region, a birth day (YYYYMMDD) and a sequence. */
function idNumber(region: string, birth: string, seq: number): string {
  const first17 = `${region}${birth}${String(seq % 1000).padStart(3, '0')}`;
  const sum = [...first17].reduce((acc, ch, i) => acc + Number(ch) * WEIGHTS[i], 0);
  return first17 + '10X98765432'[sum % 11];
}
const rnd = (n: number) => Math.floor(Math.random() * n);

// Given-name characters with one reading each, so the initials are certain.
const GIVEN: [string, string][] = [
  ['明', 'm'],
  ['华', 'h'],
  ['强', 'q'],
  ['丽', 'l'],
  ['军', 'j'],
  ['芳', 'f'],
  ['伟', 'w'],
  ['霞', 'x'],
];
const [g1, i1] = GIVEN[rnd(GIVEN.length)];
const [g2, i2] = GIVEN[rnd(GIVEN.length)];
const name = `欧${g1}${g2}`;
const initials = `o${i1}${i2}`;
const registeredId = idNumber('411523', `19${70 + rnd(25)}0${1 + rnd(9)}1${rnd(9)}`, rnd(1000));

beforeAll(async () => {
  const context = await e2e.browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wm-e2e-vol-'));
}, 60_000);

afterAll(async () => {
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

async function expandNode(popper: Locator, label: string): Promise<void> {
  const row = popper
    .locator('.el-tree-node__content')
    .filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) })
    .first();
  await row.waitFor();
  await row.locator('.el-tree-node__expand-icon').click();
}

describe('admin volunteers', () => {
  it('signs in and opens 志愿者 under the 队伍 menu group', async () => {
    await page.goto(`${e2e.baseUrl}/admin/login`);
    await page.getByPlaceholder('请输入手机号').fill('13800000001');
    await page.getByPlaceholder('请输入密码').fill('Demo@2026');
    await page.locator('button.submit').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));

    const menu = page.locator('.el-menu');
    await menu.getByText('队伍', { exact: true }).waitFor();
    await menu.getByText('志愿者', { exact: true }).click();
    await page.waitForURL(/\/admin\/volunteers$/);
    await expect.poll(() => page.title()).toBe('志愿者 - 文明实践云');
    await page.locator('.el-table__body tr').first().waitFor();
    expect(await menu.getByText('志愿服务队', { exact: true }).count()).toBe(1);
  }, 60_000);

  it('registers a volunteer through the drawer and finds them by the initials of their name', async () => {
    await page.getByRole('button', { name: '登记志愿者' }).first().click();
    const drawer = page.locator('.el-drawer').filter({ hasText: '登记志愿者' });
    await drawer.waitFor();

    await drawer.getByPlaceholder('与身份证一致').fill(name);
    await drawer.getByPlaceholder('18 位居民身份证号').fill(registeredId);
    // sex and birth date appear as soon as the number is complete and valid
    const [year, month, day] = [registeredId.slice(6, 10), registeredId.slice(10, 12), registeredId.slice(12, 14)];
    const birth = `${Number(year)}年${Number(month)}月${Number(day)}日`;
    await drawer.locator('.derived').filter({ hasText: birth }).waitFor();
    expect(await drawer.locator('.derived').innerText()).toContain(Number(registeredId[16]) % 2 === 1 ? '男' : '女');
    await drawer
      .getByPlaceholder('11 位手机号')
      .first()
      .fill(`139${String(rnd(1e8)).padStart(8, '0')}`);

    // 所属村（社区）: 新县 → 新集镇 → its first village
    const regionItem = drawer.locator('.el-form-item').filter({ hasText: '所属村（社区）' });
    await regionItem.locator('.el-select__wrapper').click();
    const popper = page
      .locator('.el-tree-select__popper:visible, .el-select__popper:visible')
      .filter({ has: page.locator('.el-tree') })
      .last();
    await expandNode(popper, '新县');
    await expandNode(popper, '新集镇');
    const town = popper
      .locator('.el-tree-node')
      .filter({ has: page.locator(':scope > .el-tree-node__content', { hasText: /^\s*新集镇\s*$/ }) })
      .first();
    const village = town.locator('.el-tree-node__children .el-tree-node__content').first();
    await village.waitFor();
    const villageName = (await village.innerText()).trim();
    await village.click();
    await expect.poll(async () => (await regionItem.innerText()).includes(villageName)).toBe(true);
    await page.keyboard.press('Escape').catch(() => {});

    await drawer.getByRole('button', { name: '保存' }).click();
    await page.locator('.el-message--success').filter({ hasText: '已创建' }).waitFor();
    await drawer.waitFor({ state: 'hidden' });

    await page.getByPlaceholder('姓名、拼音、首字母、编号、手机号').fill(initials);
    await page.getByRole('button', { name: '查询' }).click();
    const row = page.locator('.el-table__body tr').filter({ hasText: name }).first();
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain(villageName);
    expect(text).toContain(`${registeredId.slice(0, 6)}********${registeredId.slice(14)}`);
    expect(text).toContain('已核验');
    expect(text).toContain('工作人员登记');

    // the same ID number again: the drawer says so beside the field
    await page.getByRole('button', { name: '登记志愿者' }).first().click();
    await drawer.waitFor();
    await drawer.getByPlaceholder('与身份证一致').fill('欧重复');
    await drawer.getByPlaceholder('18 位居民身份证号').fill(registeredId);
    await regionItem.locator('.el-select__wrapper').click();
    await expandNode(popper, '新县');
    await expandNode(popper, '新集镇');
    await village.click();
    await page.keyboard.press('Escape').catch(() => {});
    await drawer.getByRole('button', { name: '保存' }).click();
    await drawer
      .locator('.el-form-item')
      .filter({ hasText: '身份证号' })
      .locator('.el-form-item__error')
      .filter({ hasText: '该身份证号已登记为志愿者' })
      .waitFor();
    await drawer.getByRole('button', { name: '取消' }).click();
    await drawer.waitFor({ state: 'hidden' });
  }, 90_000);

  it('imports a workbook from the template and shows 新增、合并、失败 with an error report', async () => {
    await page.getByRole('button', { name: '批量导入' }).click();
    const dialog = page.locator('.el-dialog').filter({ hasText: '批量导入志愿者' });
    await dialog.waitFor();

    const download = page.waitForEvent('download');
    await dialog.getByRole('button', { name: '下载导入模板' }).click();
    const template = path.join(tmpDir, 'template.xlsx');
    await (await download).saveAs(template);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(template);
    const ws = wb.getWorksheet('志愿者')!;
    const village = String(ws.getCell(2, 4).value); // the template's example row names a village of the county
    ws.spliceRows(2, 1);
    const goodA = idNumber('411523', '19850312', rnd(1000));
    const goodB = idNumber('411523', '19920704', rnd(1000));
    const bad = idNumber('411523', '19880808', rnd(1000));
    const badChecksum = bad.slice(0, 17) + (bad[17] === '1' ? '2' : '1');
    ws.addRow(['端到端甲', goodA, '', village, '卫生环保']);
    ws.addRow(['端到端乙', goodB, '', village, '理论政策宣讲、科学普及']);
    ws.addRow([name, registeredId, '', village, '法律服务']);
    ws.addRow(['端到端丙', badChecksum, '', village]);
    const file = path.join(tmpDir, 'import.xlsx');
    await wb.xlsx.writeFile(file);

    await dialog.locator('input[type=file]').setInputFiles(file);
    await dialog.getByRole('button', { name: '开始导入' }).click();
    await dialog.getByText('导入完成').waitFor({ timeout: 30_000 });
    expect(await dialog.innerText()).toContain('新增 2、合并 1、失败 1');
    const report = dialog.locator('a').filter({ hasText: '下载错误报告' });
    await report.waitFor();
    const href = await report.getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/files\//);
    const res = await page.request.get(`${e2e.baseUrl}${href}`);
    expect(res.ok()).toBe(true);

    // a file that is not a workbook is refused before any job starts, with the server's reason
    await dialog.getByRole('button', { name: '继续导入' }).click();
    const notXlsx = path.join(tmpDir, 'not-a-workbook.xlsx');
    fs.writeFileSync(notXlsx, 'not a workbook');
    await dialog.locator('input[type=file]').setInputFiles(notXlsx);
    await dialog.getByRole('button', { name: '开始导入' }).click();
    await dialog.locator('.el-alert--error').filter({ hasText: 'Excel 工作簿' }).waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();

    // the merged person is still one volunteer, now with the imported category
    const list = await page.request.get(`${e2e.baseUrl}/api/v1/volunteers?page=1&pageSize=20&q=${registeredId}`);
    const body = (await list.json()) as { items: { name: string; source: string }[]; total: number };
    expect(body.total).toBe(1);
    expect(body.items[0].name).toBe(name);
  }, 90_000);
});
