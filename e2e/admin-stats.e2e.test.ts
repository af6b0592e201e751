/**
 * 统计分析 (issue #12, web): the page shows the figures of the caller's region with the period in the address, and a
 * figure opens the rows behind it; as many rows as the figure says.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumPath, useBrowser } from './browser.js';

const e2e = useBrowser();
const digits = (text: string): number => Number(text.replace(/[^\d.]/g, ''));

let page: Page;
beforeAll(async () => {
  if (!chromiumPath()) return;
  page = await (
    await e2e.browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    })
  ).newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${e2e.baseUrl}/admin/login`);
  await page.getByPlaceholder('请输入手机号').fill('13800000001');
  await page.getByPlaceholder('请输入密码').fill('Demo@2026');
  await page.locator('button.submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
}, 60_000);

describe.skipIf(!chromiumPath())('admin statistics', () => {
  it('shows the figures and a drill-down whose row count equals the figure', async () => {
    await page.goto(`${e2e.baseUrl}/admin/stats`);
    const card = page.locator('[data-test="figure-activities.total"]');
    await card.waitFor();
    // the period and the region are in the address, so the link reproduces the view
    await page.waitForURL(/regionCode=\d+/);
    const url = new URL(page.url());
    expect(url.searchParams.get('from')).toMatch(/^\d{4}-01-01$/);
    expect(url.searchParams.get('to')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await expect.poll(() => page.locator('.heading').innerText()).toContain('数据截至');
    for (const group of ['阵地', '志愿者与队伍', '活动', '点单', '心愿·积分·荣誉·宣传'])
      await expect(page.locator('.group .toolbar-title', { hasText: group }).count()).resolves.toBe(1);
    // no raw figure keys on the page
    expect(await page.locator('.groups').innerText()).not.toMatch(/activities\.|volunteers\./);
    // the table by town, with the county's own level marked
    await page.locator('[data-test=region-table] .own-tag').waitFor();

    const figure = digits(await card.locator('.tile-value b').innerText());
    expect(figure).toBeGreaterThan(0);
    await card.locator('.tile-value').click();
    const drawer = page.locator('.figure-rows');
    await drawer.locator('.el-table__body tr').first().waitFor();
    expect(digits(await drawer.locator('[data-test=figure-value]').innerText())).toBe(figure);
    await expect.poll(() => drawer.locator('[data-test=rows-check]').innerText()).toContain('条数即为该指标');
    const total = digits(await drawer.locator('.el-pagination__total').innerText());
    expect(total).toBe(figure);
    // activity types by their names, not their codes
    expect(await drawer.locator('.el-table__body').innerText()).not.toMatch(/lecture|culture_sports|volunteer_service/);
    await page.screenshot({ path: '.tmp/screenshots/admin-stats-rows.png' });
  });
});
