/**
 * 点单 on the mobile H5: a resident picks an item without extra fields from the 点单 tab, describes the need,
 * submits, lands on the order page, and finds the order in 我的点单 as 待派单. The e2e vitest config starts the
 * server and sets E2E_BASE_URL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, useBrowser } from './browser.js';

const e2e = useBrowser();

let page: Page;

beforeAll(async () => {
  if (!chromiumPath()) return;
  const context = await e2e.browser.newContext({
    viewport: { width: 375, height: 667 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  page = await context.newPage();
}, 60_000);

describe.skipIf(!chromiumPath())('mobile H5 点单', () => {
  it('a resident orders an item without extra fields and sees it in 我的点单 as 待派单', async () => {
    await page.goto(`${e2e.baseUrl}/m/login?redirect=/order`);
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
    await page.goto(`${e2e.baseUrl}/m/order`);
    await page.getByTestId('menu-my-orders').click();
    await page.waitForURL(/\/m\/orders\/mine/);
    const card = page.getByTestId('order-card').filter({ hasText: description });
    await card.waitFor({ timeout: 15_000 });
    expect(await card.getByTestId('order-state').innerText()).toBe('待派单');
    expect(await card.innerText()).toContain('广场舞教学');
  }, 90_000);
});

/** A signed-in API caller (cookie session + CSRF header), as the apps are. */
async function apiAs(phone: string): Promise<{ ctx: BrowserContext; post: Post; get: Get }> {
  const ctx = await e2e.browser.newContext();
  const login = await ctx.request.post(`${e2e.baseUrl}/api/v1/auth/login`, { data: { phone, password: 'Demo@2026' } });
  expect(login.status()).toBe(200);
  const csrf = (await ctx.cookies()).find((c) => c.name === 'wm_csrf')?.value ?? '';
  const r: APIRequestContext = ctx.request;
  return {
    ctx,
    post: async (path, data = {}) => {
      const res = await r.post(`${e2e.baseUrl}/api/v1${path}`, { headers: { 'X-CSRF-Token': csrf }, data });
      expect(res.status(), await res.text()).toBeLessThan(300);
      return res.json();
    },
    get: async (path) => (await r.get(`${e2e.baseUrl}/api/v1${path}`)).json(),
  };
}
type Post = (path: string, data?: Record<string, unknown>) => Promise<Record<string, unknown>>;
type Get = (path: string) => Promise<Record<string, unknown>>;

/** A phone-sized page signed in to the H5. */
async function mobileAs(phone: string): Promise<Page> {
  const ctx = await e2e.browser.newContext({
    viewport: { width: 375, height: 667 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const p = await ctx.newPage();
  p.setDefaultTimeout(15_000);
  await p.goto(`${e2e.baseUrl}/m/login?redirect=/mine`);
  await p.getByTestId('login-phone').locator('input').fill(phone);
  await p.getByTestId('login-password').locator('input').fill('Demo@2026');
  await p.getByTestId('login-submit').click();
  await p.waitForURL(/\/m\/mine$/);
  return p;
}

describe.skipIf(!chromiumPath())('mobile H5: reaching each other', () => {
  it('the volunteer who accepted reveals and dials the resident; the resident sees who is coming, then 去评价', async () => {
    const resident = await apiAs('13800000007');
    const admin = await apiAs('13800000002');
    const volunteer = await apiAs('13800000005');
    const menu = (await resident.get('/service-items')) as { items: { id: string; name: string }[] };
    const item = menu.items.find((i) => i.name === '广场舞教学')!;
    const description = `想学广场舞，请志愿者上门（e2e ${Date.now()}）`;
    const order = await resident.post('/orders', { serviceItemId: item.id, description });
    const vid = (await volunteer.get('/me')).volunteerId as string;
    await admin.post(`/orders/${order.id}/dispatch`, { target: { type: 'volunteer', id: vid } });
    await volunteer.post(`/orders/${order.id}/accept`);

    // the volunteer: the masked number, one tap shows it, then 拨打 is a tel: link
    const v = await mobileAs('13800000005');
    await v.goto(`${e2e.baseUrl}/m/orders/${order.id}`);
    await expect.poll(() => v.getByTestId('contact-phone-value').innerText()).toBe('138****0007');
    expect(await v.getByTestId('call-phone').count()).toBe(0);
    await v.getByTestId('reveal-phone').click();
    await expect.poll(() => v.getByTestId('contact-phone-value').innerText()).toBe('13800000007');
    expect(await v.getByTestId('call-phone').getAttribute('href')).toBe('tel:13800000007');
    expect(await v.getByTestId('call-phone').innerText()).toContain('拨打');
    await v.screenshot({ path: '.tmp/screenshots/mobile-order-contact-volunteer.png', fullPage: true });

    // the resident: the volunteer's name and masked number
    const r = await mobileAs('13800000007');
    await r.goto(`${e2e.baseUrl}/m/orders/${order.id}`);
    const acceptor = r.getByTestId('detail-acceptor');
    await expect.poll(() => acceptor.innerText()).toContain('李志愿');
    expect(await acceptor.innerText()).toContain('138****0005');
    expect(await r.getByTestId('contact-phone').count()).toBe(0);
    await r.screenshot({ path: '.tmp/screenshots/mobile-order-contact-resident.png', fullPage: true });

    // completed: 已完成 says it waits for a rating, unlike 已关闭; the list carries 去评价, which opens the rating
    await volunteer.post(`/orders/${order.id}/complete`, { summary: '教了两支新舞' });
    await r.goto(`${e2e.baseUrl}/m/orders/${order.id}`);
    await expect.poll(() => r.getByTestId('state-hint').innerText()).toBe('服务已完成，等待评价');
    expect(await r.getByTestId('contact-phone').count()).toBe(0);
    await r.goto(`${e2e.baseUrl}/m/orders/mine?tab=rate`);
    const card = r.locator('.order-wrap').filter({ hasText: description });
    await card.waitFor();
    expect(await card.getByTestId('order-state').innerText()).toBe('已完成');
    await r.screenshot({ path: '.tmp/screenshots/mobile-orders-to-rate.png' });
    await card.getByTestId('order-rate').click();
    await r.waitForURL(/\/m\/orders\/[0-9a-f-]{36}\?rate=1$/);
    await r.getByTestId('rate-stars').waitFor();
    for (const c of [resident, admin, volunteer]) await c.ctx.close();
  }, 120_000);
});
