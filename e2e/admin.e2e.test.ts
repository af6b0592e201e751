/**
 * The admin web end to end: the county admin signs in through the login form, sees the Chinese menu, opens
 * 阵地管理, registers a new 点 in a village of 新集镇 through the drawer form, and finds it in the list.
 * The e2e vitest config starts the server and sets E2E_BASE_URL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { useBrowser } from './browser.js';

const e2e = useBrowser();

let page: Page;

beforeAll(async () => {
  const context = await e2e.browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
}, 60_000);

/** Opens a tree node of the region picker's dropdown by clicking its expand arrow. */
async function expandNode(popper: Locator, name: string): Promise<void> {
  const row = popper
    .locator('.el-tree-node__content')
    .filter({ hasText: new RegExp(`^\\s*${name}\\s*$`) })
    .first();
  await row.waitFor();
  await row.locator('.el-tree-node__expand-icon').click();
}

describe('admin web', () => {
  it('the county admin logs in through the form and sees the Chinese title and menu', async () => {
    await page.goto(`${e2e.baseUrl}/admin/`);
    await page.waitForURL(/\/admin\/login/);
    expect(await page.title()).toContain('文明实践云');

    await page.getByPlaceholder('请输入手机号').fill('13800000001');
    await page.getByPlaceholder('请输入密码').fill('Demo@2026');
    await page.locator('button.submit').click();

    await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
    const menu = page.locator('.el-menu');
    await menu.getByText('阵地管理').waitFor();
    await expect.poll(() => page.title()).toBe('工作台 - 文明实践云');
    for (const item of ['工作台', '阵地管理', '覆盖率统计']) {
      expect(await menu.getByText(item, { exact: true }).count()).toBeGreaterThan(0);
    }
  }, 60_000);

  it('creates a 点 in a village of 新集镇 through the drawer and finds it in the list', async () => {
    await page.locator('.el-menu').getByText('阵地管理', { exact: true }).click();
    await page.waitForURL(/\/admin\/sites$/);
    await expect.poll(() => page.title()).toBe('阵地管理 - 文明实践云');
    await page.locator('.el-table__body tr').first().waitFor();

    await page.getByRole('button', { name: '新增阵地' }).first().click();
    const drawer = page.locator('.el-drawer').filter({ hasText: '新增阵地' });
    await drawer.waitFor();

    const name = `端到端测试服务点${Date.now().toString().slice(-6)}`;
    await drawer
      .locator('.el-radio-button')
      .filter({ hasText: /^\s*点\s*$/ })
      .click();
    await drawer.getByPlaceholder('如：新集镇新时代文明实践所').fill(name);

    // The region picker is a lazy tree: 新县 → 新集镇 → its first village.
    const regionItem = drawer.locator('.el-form-item').filter({ hasText: '所属区划' });
    await regionItem.locator('.el-select__wrapper').click();
    const popper = page
      .locator('.el-tree-select__popper:visible, .el-select__popper:visible')
      .filter({ has: page.locator('.el-tree') })
      .last();
    await expandNode(popper, '新县');
    await expandNode(popper, '新集镇');
    const townNode = popper
      .locator('.el-tree-node')
      .filter({ has: page.locator(':scope > .el-tree-node__content', { hasText: /^\s*新集镇\s*$/ }) })
      .first();
    const village = townNode.locator('.el-tree-node__children .el-tree-node__content').first();
    await village.waitFor();
    const villageName = (await village.innerText()).trim();
    expect(villageName.length).toBeGreaterThan(0);
    await village.click();
    await expect.poll(async () => (await regionItem.innerText()).includes(villageName)).toBe(true);
    await page.keyboard.press('Escape').catch(() => {});

    await drawer.getByPlaceholder('如：新集镇解放路 12 号').fill(`新集镇${villageName}村委会旁`);
    await drawer.getByRole('button', { name: '保存' }).click();
    await page.locator('.el-message--success').filter({ hasText: '已创建' }).waitFor();
    await drawer.waitFor({ state: 'hidden' });

    // Narrow the list to the new name and find its row with kind and region.
    await page.getByPlaceholder('名称或地址').fill(name);
    await page.getByRole('button', { name: '查询' }).click();
    const row = page.locator('.el-table__body tr').filter({ hasText: name });
    await row.first().waitFor();
    const text = await row.first().innerText();
    expect(text).toContain('点');
    expect(text).toContain(villageName);

    // And the server agrees (the page's session cookie authenticates the request).
    const res = await page.request.get(`${e2e.baseUrl}/api/v1/sites?page=1&pageSize=20&q=${encodeURIComponent(name)}`);
    expect(res.ok()).toBe(true);
    const body = (await res.json()) as { items: { name: string; kind: string }[] };
    expect(body.items.some((s) => s.name === name && s.kind === 'point')).toBe(true);
  }, 90_000);
});
