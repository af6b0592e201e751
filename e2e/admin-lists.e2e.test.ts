/**
 * The admin's one paged list and one form drawer (issue #11, web): a list's filters and page live in the address,
 * so a reload or a shared link shows the same rows; a 400 from the server puts each field's message under its form
 * item and keeps everything typed, the drawer open.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumPath, useBrowser } from './browser.js';

const e2e = useBrowser();

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
  page.setDefaultTimeout(15_000);
  await page.goto(`${e2e.baseUrl}/admin/login`);
  await page.getByPlaceholder('请输入手机号').fill('13800000001');
  await page.getByPlaceholder('请输入密码').fill('Demo@2026');
  await page.locator('button.submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
}, 60_000);

describe.skipIf(!chromiumPath())('admin lists and forms', () => {
  it('keeps a list’s filter and page in the address', async () => {
    const total = (
      (await (await page.request.get(`${e2e.baseUrl}/api/v1/volunteers?page=1&pageSize=10&verified=true`)).json()) as {
        total: number;
      }
    ).total;
    expect(total).toBeGreaterThan(10);

    // a link with a filter and a page opens on them
    const seen: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/volunteers?')) seen.push(r.url());
    });
    await page.goto(`${e2e.baseUrl}/admin/volunteers?verified=true&page=2&pageSize=10`);
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
    await page.goto(`${e2e.baseUrl}/admin/sites`);
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

  it('a list in a tab keeps its own keys in the address, beside the other list of the page', async () => {
    const seen: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (r.url().includes('/api/v1/hours/')) seen.push(r.url());
    };
    page.on('request', onRequest);
    await page.goto(`${e2e.baseUrl}/admin/hours?tab=ledger&ledger.kind=reversal&requests.status=approved`);
    await expect.poll(() => seen.some((u) => u.includes('/hours/entries?')), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => seen.some((u) => u.includes('/hours/requests?')), { timeout: 15_000 }).toBe(true);
    const entries = new URL(seen.find((u) => u.includes('/hours/entries?'))!);
    const requests = new URL(seen.find((u) => u.includes('/hours/requests?'))!);
    expect(entries.searchParams.get('kind')).toBe('reversal');
    expect(requests.searchParams.get('status')).toBe('approved');
    // neither list takes the other's key
    expect(entries.searchParams.get('status')).toBeNull();
    expect(requests.searchParams.get('kind')).toBeNull();
    page.off('request', onRequest);

    // a filter changed in one tab goes into the address under that list's name; the other's stays
    await page.getByRole('tab', { name: '时长审核' }).click();
    await page.locator('[data-test="hours-requests"]').waitFor();
    await page.locator('.el-radio-button:visible', { hasText: '待审核' }).first().click();
    await expect.poll(() => new URL(page.url()).searchParams.get('requests.status'), { timeout: 15_000 }).toBeNull();
    expect(new URL(page.url()).searchParams.get('ledger.kind')).toBe('reversal');
    expect(new URL(page.url()).searchParams.get('tab')).toBe('ledger');
  }, 90_000);

  it('a form puts a row’s server error on the rows and a DUPLICATE on the field it names', async () => {
    // the service-item designer: a field row the server refuses (`fields.0.key`) shows under the rows
    await page.goto(`${e2e.baseUrl}/admin/service-items`);
    await page.getByRole('button', { name: '新增服务项目' }).first().click();
    const drawer = page.locator('.el-drawer').filter({ hasText: '新增服务项目' });
    await drawer.waitFor();
    await drawer.getByPlaceholder('如：独居老人代购').fill('代购测试');
    await drawer.locator('.el-form-item').filter({ hasText: '服务类别' }).locator('.el-select').click();
    await page.locator('.el-select-dropdown__item:visible').first().click();
    await drawer.getByRole('button', { name: '添加字段' }).click();
    await drawer.getByPlaceholder('如 上门时间').fill('上门时间');
    await drawer.getByPlaceholder('如 visitDate').fill('visitDate');
    await page.route('**/api/v1/service-items', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      await route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'VALIDATION_FAILED',
            message: '请求参数有误：fields.0.key',
            details: [{ path: 'fields.0.key', message: '字段标识只能用英文字母和数字' }],
          },
        }),
      });
    });
    await drawer.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => drawer.locator('.field-error').innerText()).toContain('字段标识只能用英文字母和数字');
    expect(await drawer.getByPlaceholder('如 visitDate').inputValue()).toBe('visitDate');
    await page.screenshot({ path: '.tmp/screenshots/admin-service-item-row-error.png' });
    await page.unroute('**/api/v1/service-items');
    await drawer.getByRole('button', { name: '取消' }).click();

    // a point rule whose name exists: 409 DUPLICATE without a field, shown under 规则名称
    await page.goto(`${e2e.baseUrl}/admin/point-rules`);
    await page.getByRole('button', { name: '新增规则' }).click();
    const ruleDrawer = page.locator('.el-drawer').filter({ hasText: '新增积分规则' });
    await ruleDrawer.waitFor();
    await ruleDrawer.getByPlaceholder('如：参加村组会议').fill('参加村组会议');
    await page.route('**/api/v1/point-rules', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      await route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'DUPLICATE', message: '已有同名的积分规则', details: [] } }),
      });
    });
    await ruleDrawer.locator('[data-test="rule-save"]').click();
    const nameItem = ruleDrawer.locator('.el-form-item').filter({ hasText: '规则名称' }).first();
    await expect.poll(() => nameItem.locator('.el-form-item__error').innerText()).toBe('已有同名的积分规则');
    expect(await ruleDrawer.getByPlaceholder('如：参加村组会议').inputValue()).toBe('参加村组会议');
    await page.screenshot({ path: '.tmp/screenshots/admin-rule-duplicate.png' });
    await page.unroute('**/api/v1/point-rules');
  }, 90_000);
});
