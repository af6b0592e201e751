/**
 * 点单 on the mobile H5: a resident picks an item without extra fields from the 点单 tab, describes the need,
 * submits, lands on the order page, and finds the order in 我的点单 as 待派单. The e2e vitest config starts the
 * server and sets E2E_BASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchBrowser } from './browser.js';

const baseUrl = (process.env.E2E_BASE_URL ?? 'http://localhost:3000').replace(/\/$/, '');

let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!chromiumPath()) return;
  browser = await launchBrowser();
  const context = await browser.newContext({
    viewport: { width: 375, height: 667 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  page = await context.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!chromiumPath())('mobile H5 点单', () => {
  it('a resident orders an item without extra fields and sees it in 我的点单 as 待派单', async () => {
    await page.goto(`${baseUrl}/m/login?redirect=/order`);
    await page.getByTestId('login-phone').locator('input').fill('13800000007');
    await page.getByTestId('login-password').locator('input').fill('Demo@2026');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/m\/order$/);

    // The menu groups items by category; 广场舞教学 (文化文艺服务) asks nothing beyond the description.
    await page.getByTestId('menu-categories').waitFor({ timeout: 15_000 });
    await page.locator('.van-sidebar-item', { hasText: '文化文艺' }).click();
    await page.getByTestId('menu-item').filter({ hasText: '广场舞教学' }).click();
    await page.waitForURL(/\/m\/order\/item\/[0-9a-f-]{36}$/);
    expect(await page.getByTestId('form-item-name').innerText()).toContain('广场舞教学');

    // The description is required: submitting empty says so beside the field.
    await page.getByTestId('form-submit').click();
    await expect.poll(() => page.getByTestId('form-description').innerText()).toContain('请简单描述您的需求');

    const description = `想学新的广场舞（e2e ${Date.now()}）`;
    await page.getByTestId('form-description').locator('textarea').fill(description);
    await page.getByTestId('form-address').locator('input').fill('红旗社区文化广场');
    await page.getByTestId('form-submit').click();

    await page.waitForURL(/\/m\/orders\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByTestId('detail-state').innerText()).toBe('待派单');
    expect(await page.getByTestId('action-cancel').count()).toBe(1);

    // 我的点单, from the 点单 tab's header.
    await page.goto(`${baseUrl}/m/order`);
    await page.getByTestId('menu-my-orders').click();
    await page.waitForURL(/\/m\/orders\/mine/);
    const card = page.getByTestId('order-card').filter({ hasText: description });
    await card.waitFor({ timeout: 15_000 });
    expect(await card.getByTestId('order-state').innerText()).toBe('待派单');
    expect(await card.innerText()).toContain('广场舞教学');
  }, 90_000);
});
