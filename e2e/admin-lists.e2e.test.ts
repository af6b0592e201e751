/**
 * The admin's one paged list and one form drawer (issue #11, web): a list's filters and page live in the address,
 * so a reload or a shared link shows the same rows; a 400 from the server puts each field's message under its form
 * item and keeps everything typed, the drawer open.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchBrowser } from './browser.js';

const baseUrl = (process.env.E2E_BASE_URL ?? inject('e2eBaseUrl') ?? 'http://localhost:3000').replace(/\/$/, '');

let browser: Browser;
let page: Page;
beforeAll(async () => {
  if (!chromiumPath()) return;
  browser = await launchBrowser();
  page = await (
    await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  ).newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${baseUrl}/admin/login`);
  await page.getByPlaceholder('请输入手机号').fill('13800000001');
  await page.getByPlaceholder('请输入密码').fill('Demo@2026');
  await page.locator('button.submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!chromiumPath())('admin lists and forms', () => {
  it('keeps a list’s filter and page in the address', async () => {
    const total = (
      (await (await page.request.get(`${baseUrl}/api/v1/volunteers?page=1&pageSize=10&verified=true`)).json()) as {
        total: number;
      }
    ).total;
    expect(total).toBeGreaterThan(10);

    // a link with a filter and a page opens on them
    const seen: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/volunteers?')) seen.push(r.url());
    });
    await page.goto(`${baseUrl}/admin/volunteers?verified=true&page=2&pageSize=10`);
    await page.locator('.el-table__body tr').first().waitFor();
    await expect.poll(() => page.locator('.el-pager li.is-active').innerText()).toBe('2');
    const first = new URL(seen.find((u) => u.includes('page=2'))!);
    expect(first.searchParams.get('verified')).toBe('true');
    expect(first.searchParams.get('pageSize')).toBe('10');

    // paging writes the address; a reload comes back to the same page
    await page.locator('.el-pager li', { hasText: /^3$/ }).click();
    await page.waitForURL(/page=3/);
    expect(new URL(page.url()).searchParams.get('verified')).toBe('true');
    await page.reload();
    await page.locator('.el-table__body tr').first().waitFor();
    await expect.poll(() => page.locator('.el-pager li.is-active').innerText()).toBe('3');
    await page.screenshot({ path: '.tmp/screenshots/admin-volunteers-filtered.png' });

    // 重置 clears the filter and goes back to page 1, and so does the address
    await page.getByRole('button', { name: '重置' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('page')).toBeNull();
    expect(new URL(page.url()).searchParams.get('verified')).toBeNull();
    await expect.poll(() => page.locator('.el-pager li.is-active').innerText()).toBe('1');
  }, 90_000);

  it('shows a 400’s field error under its form item and keeps what was typed', async () => {
    await page.goto(`${baseUrl}/admin/sites`);
    await page.locator('.el-table__body tr').first().waitFor();
    await page.locator('.el-table__body tr').first().getByRole('button', { name: '编辑' }).click();
    const drawer = page.locator('.el-drawer').filter({ hasText: '编辑阵地' });
    await drawer.waitFor();
    const nameInput = drawer.getByPlaceholder('如：新集镇新时代文明实践所');
    await expect.poll(() => nameInput.inputValue()).not.toBe('');
    const typed = `重名的阵地${Date.now().toString().slice(-5)}`;
    await nameInput.fill(typed);

    // the server refuses the name, as it answers a failed rule: 400 with the field's path
    await page.route('**/api/v1/sites/*', async (route) => {
      if (route.request().method() !== 'PATCH') return route.fallback();
      await route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'VALIDATION_FAILED',
            message: '请求参数有误：name',
            details: [{ path: 'name', message: '同一区划下已有同名阵地' }],
          },
        }),
      });
    });
    await drawer.getByRole('button', { name: '保存' }).click();
    const nameItem = drawer
      .locator('.el-form-item')
      .filter({ has: page.getByPlaceholder('如：新集镇新时代文明实践所') })
      .last();
    await expect.poll(() => nameItem.locator('.el-form-item__error').innerText()).toBe('同一区划下已有同名阵地');
    expect(await drawer.isVisible()).toBe(true);
    expect(await nameInput.inputValue()).toBe(typed);
    await page.screenshot({ path: '.tmp/screenshots/admin-form-field-error.png' });
    await page.unroute('**/api/v1/sites/*');
  }, 90_000);
});
