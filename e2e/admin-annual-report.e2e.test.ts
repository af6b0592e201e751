/**
 * 年度报告 (issue #12 item 6, web): a county clerk opens last year's report with the region and year in the address,
 * sees its seven sections with the figures it used, writes 下步打算 (kept after a reload, the page warns before
 * leaving unsaved text) and downloads the Word file under the server's name.
 */
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumPath, useBrowser } from './browser.js';

const e2e = useBrowser();
const lastYear = Number(new Date().toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 4)) - 1;
const SECTIONS = [
  '一、阵地建设',
  '二、队伍建设',
  '三、活动开展',
  '四、宣传工作',
  '五、积分激励',
  '六、存在问题',
  '七、下步打算',
];

let page: Page;
beforeAll(async () => {
  if (!chromiumPath()) return;
  page = await (
    await e2e.browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    })
  ).newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${e2e.baseUrl}/admin/login`);
  await page.getByPlaceholder('请输入手机号').fill('13800000001');
  await page.getByPlaceholder('请输入密码').fill('Demo@2026');
  await page.locator('button.submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
}, 60_000);

describe.skipIf(!chromiumPath())('admin annual report', () => {
  it('shows the seven sections, keeps 下步打算 and downloads the Word file', async () => {
    await page.goto(`${e2e.baseUrl}/admin/annual-report?year=${lastYear}`);
    const paper = page.locator('[data-test=report-paper]');
    await paper.waitFor();
    // the default region (the clerk's county) joins the year in the address
    await page.waitForURL(/regionCode=\d+/);
    expect(new URL(page.url()).searchParams.get('year')).toBe(String(lastYear));
    await expect.poll(() => paper.locator('.doc-title').innerText()).toContain(`${lastYear}年度新时代文明实践工作报告`);
    await expect(paper.locator('.doc-heading > span:first-child').allInnerTexts()).resolves.toEqual(SECTIONS);
    await expect(paper.innerText()).resolves.toContain('根据平台数据自动查找写成');

    // the figures it used, with their definitions, as on 统计分析
    await page.locator('.figures-card .el-collapse-item__header').click();
    const figures = page.locator('[data-test=report-figures]');
    await figures.locator('.el-table__body tr').first().waitFor();
    expect(await figures.innerText()).toContain('开展活动');
    expect(await figures.innerText()).not.toMatch(/activities\.|volunteers\./);

    // 下步打算: marked to write until written; saved, it stays after a reload
    const state = page.locator('[data-test=plans-state]');
    const input = page.locator('textarea[data-test=plans-input]');
    const text = `（一）巩固实践站达标建设成果。\n（二）激活未开展服务的队伍，e2e ${Date.now()}。`;
    await input.fill(text);
    await page.locator('[data-test=plans-unsaved]').waitFor();

    // leaving with unsaved text asks first; staying keeps it
    await page.locator('.el-menu-item', { hasText: '统计分析' }).click();
    const box = page.locator('.el-message-box');
    await box.waitFor();
    expect(await box.innerText()).toContain('未保存的修改');
    await box.getByRole('button', { name: '留下继续编辑' }).click();
    expect(new URL(page.url()).pathname).toBe('/admin/annual-report');
    await expect(input.inputValue()).resolves.toBe(text);

    await page.locator('[data-test=plans-save]').click();
    await state.filter({ hasText: '已填写' }).waitFor();
    await page.locator('[data-test=plans-unsaved]').waitFor({ state: 'detached' });
    await page.screenshot({ path: '.tmp/screenshots/admin-annual-report.png' });

    await page.reload();
    await paper.waitFor();
    await state.filter({ hasText: '已填写' }).waitFor();
    await expect.poll(() => input.inputValue()).toBe(text);

    // the Word file, named by the server (Content-Disposition), is a zip
    const download = page.waitForEvent('download');
    await page.locator('[data-test=download-docx]').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`新县${lastYear}年度新时代文明实践工作报告.docx`);
    const saved = await file.path();
    expect(fs.readFileSync(saved).subarray(0, 2).toString()).toBe('PK');
  });
});
