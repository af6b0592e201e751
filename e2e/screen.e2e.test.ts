/**
 * The big screen (issue #12): an administrator makes a display link in 统计 → 大屏展示链接; the link opens /screen/
 * without signing in, shows the year's totals and draws its charts, drills down from the county into a town and back;
 * once the link is revoked the screen says so instead of showing data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumPath, useBrowser } from './browser.js';

const e2e = useBrowser();
const contextOptions = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
/** The screen's first answer computes a year of figures: under load that takes seconds, not expect.poll's 1 s. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000 });

let admin: Page;
beforeAll(async () => {
  if (!chromiumPath()) return;
  admin = await (await e2e.browser.newContext({ viewport: { width: 1440, height: 900 }, ...contextOptions })).newPage();
  admin.setDefaultTimeout(15_000);
  await admin.goto(`${e2e.baseUrl}/admin/login`);
  await admin.getByPlaceholder('请输入手机号').fill('13800000001');
  await admin.getByPlaceholder('请输入密码').fill('Demo@2026');
  await admin.locator('button.submit').click();
  await admin.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
}, 60_000);

/** The little of a canvas element the check uses (the tests' TypeScript has no DOM library). */
type Canvas = {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
};

/** How many pixels of a chart's canvas are drawn (not transparent). */
function drawnPixels(page: Page, selector: string): Promise<number> {
  return page
    .locator(`${selector} canvas`)
    .first()
    .evaluate((node) => {
      const c = node as unknown as Canvas;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    });
}

describe.skipIf(!chromiumPath())('big screen', () => {
  it('shows a display link’s region, drills down into a town and stops when the link is revoked', async () => {
    // 统计 → 大屏展示链接: create one; the full address is shown once
    await admin.goto(`${e2e.baseUrl}/admin/display-links`);
    await admin.getByRole('button', { name: '新建展示链接' }).click();
    await admin.getByPlaceholder('如：县中心一楼大厅').fill('浏览器测试大厅');
    await admin.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    const created = admin.getByRole('dialog', { name: '展示链接已生成' });
    await created.waitFor();
    const url = await created.locator('input').inputValue();
    expect(url).toMatch(new RegExp(`^${e2e.baseUrl}/screen/\\?token=.{20,}`));
    await created.getByRole('button', { name: '我已保存' }).click();
    await poll(() => admin.locator('.el-table__body tr', { hasText: '浏览器测试大厅' }).count()).toBe(1);

    // the television: no session, only the link
    const screen = await (
      await e2e.browser.newContext({ viewport: { width: 1920, height: 1080 }, ...contextOptions })
    ).newPage();
    screen.setDefaultTimeout(15_000);
    await screen.goto(url);
    await poll(() => screen.locator('.screen-title').innerText()).toBe('新县新时代文明实践大屏');
    await poll(() => screen.locator('.figure').count()).toBe(12);
    const figures = await screen.locator('.figure').allInnerTexts();
    expect(figures.join(' ')).toContain('注册志愿者');
    expect(figures.join(' ')).toContain('服务时长');
    const volunteers = figures.find((f) => f.includes('注册志愿者'))!;
    expect(Number(volunteers.replace(/[^\d]/g, ''))).toBeGreaterThan(0);
    await poll(() => screen.locator('.header').innerText()).toContain('数据截至');
    await poll(() => screen.locator('.trend-chart canvas').count()).toBe(3);
    for (const chart of ['.trend-chart', '.ranking-chart', '.funnel-chart'])
      await poll(() => drawnPixels(screen, chart)).toBeGreaterThan(1000);
    expect(await screen.locator('.feed-item').count()).toBeGreaterThan(0);
    // no codes on screen: every state has its Chinese name
    expect(await screen.locator('.feed-state').allInnerTexts()).not.toContainEqual(expect.stringMatching(/[a-z_]/));
    await screen.screenshot({ path: '.tmp/screenshots/screen-county.png' });

    // the best town is the top bar: click it to drill down
    const box = (await screen.locator('.ranking-chart').boundingBox())!;
    await screen.mouse.click(box.x + 170, box.y + 8 + 12);
    await screen.waitForURL(/regionCode=\d{9}$/);
    const town = new URL(screen.url()).searchParams.get('regionCode');
    expect(new URL(screen.url()).searchParams.get('token')).toBeTruthy();
    await poll(() => screen.locator('.screen-title').innerText()).not.toBe('新县新时代文明实践大屏');
    await poll(() => screen.locator('.crumbs').innerText()).toContain('新县');
    await poll(() => screen.locator('.figure').count()).toBe(12);
    await poll(() => drawnPixels(screen, '.ranking-chart')).toBeGreaterThan(1000);
    await screen.screenshot({ path: '.tmp/screenshots/screen-town.png' });
    // a reload stays in the town
    await screen.reload();
    await poll(() => screen.locator('.crumbs').innerText()).toContain('新县');
    expect(new URL(screen.url()).searchParams.get('regionCode')).toBe(town);
    // and 返回上级 goes back up
    await screen.getByRole('button', { name: /返回上级/ }).click();
    await poll(() => screen.locator('.screen-title').innerText()).toBe('新县新时代文明实践大屏');

    // revoke it in the admin; the screen then says the link no longer works
    const row = admin.locator('.el-table__body tr', { hasText: '浏览器测试大厅' });
    await row.getByRole('button', { name: '作废' }).click();
    await admin.locator('.el-message-box').getByRole('button', { name: '确定' }).click();
    await poll(() => row.innerText()).toContain('已作废');
    await screen.reload();
    await poll(() => screen.locator('.state-title').innerText()).toBe('展示链接不可用');
    await poll(() => screen.locator('.figure').count()).toBe(0);
    await screen.screenshot({ path: '.tmp/screenshots/screen-revoked.png' });
    await screen.context().close();
  });

  it('asks a visitor without a session or a link to sign in', async () => {
    const page = await (
      await e2e.browser.newContext({ viewport: { width: 1920, height: 1080 }, ...contextOptions })
    ).newPage();
    await page.goto(`${e2e.baseUrl}/screen/`);
    await poll(() => page.locator('.state-title').innerText()).toBe('请先登录');
    const link = page.getByRole('link', { name: '前往管理后台登录' });
    expect(await link.getAttribute('href')).toBe('/admin/login?redirect=%2Fscreen%2F');
    // signing in there brings the visitor back to the screen, which now shows the county
    await link.click();
    await page.getByPlaceholder('请输入手机号').fill('13800000001');
    await page.getByPlaceholder('请输入密码').fill('Demo@2026');
    await page.locator('button.submit').click();
    await page.waitForURL((url) => url.pathname === '/screen/');
    await poll(() => page.locator('.figure').count()).toBeGreaterThan(0);
    await page.context().close();
  });
});
