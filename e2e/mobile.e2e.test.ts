/**
 * The mobile H5 end to end: a resident signs in on a phone-sized screen and finds the practice
 * stations near them. The e2e vitest config starts the server and sets E2E_BASE_URL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
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

async function login(phone: string, password: string, startPath = '/m/login'): Promise<void> {
  await page.goto(`${e2e.baseUrl}${startPath}`);
  await page.getByTestId('login-phone').locator('input').fill(phone);
  await page.getByTestId('login-password').locator('input').fill(password);
  await page.getByTestId('login-submit').click();
}

describe.skipIf(!chromiumPath())('mobile H5', () => {
  it('a visitor not signed in reads the home and the news; 登录 is offered, ordering asks for it', async () => {
    await page.goto(`${e2e.baseUrl}/m/`);
    await page.getByTestId('home-news').waitFor();
    expect(new URL(page.url()).pathname).toBe('/m/');
    expect(await page.getByTestId('home-greeting').innerText()).toBe('您好，欢迎来到文明实践云');
    await page.getByTestId('home-login').waitFor();
    await page.getByRole('button', { name: '我要点单' }).or(page.getByText('我要点单').first()).first().click();
    await page.waitForURL(/\/m\/login\?redirect=/);
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/order');
  }, 30_000);

  it('a signed-out visitor to 附近的实践站 is asked to log in first', async () => {
    await page.goto(`${e2e.baseUrl}/m/sites/nearby`);
    await page.waitForURL(/\/m\/login\?redirect=/);
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/sites/nearby');
  }, 30_000);

  it('a wrong password shows the server’s Chinese message', async () => {
    // An unregistered number, so the demo accounts never edge towards the lockout.
    await login('13899999999', 'wrong-password-1');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/[\u4e00-\u9fa5]/);
  }, 30_000);

  it('a resident logs in and sees the stations of their village and town with address and opening hours', async () => {
    // Opening the page signed out leads to the login page, and login returns to the page that asked.
    await login('13800000007', 'Demo@2026', '/m/sites/nearby');
    await page.waitForURL(/\/m\/sites\/nearby$/);

    const card = page.getByTestId('site-card').first();
    await card.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('site-card').count()).toBeGreaterThan(0);

    const address = (await card.getByTestId('site-address').innerText()).trim();
    const hours = (await card.getByTestId('site-hours').innerText()).trim();
    expect(address.length).toBeGreaterThan(0);
    expect(hours).toContain('开放时间');
    expect(hours.replace('开放时间', '').trim().length).toBeGreaterThan(0);

    // The first group is the resident's own village.
    await page.getByTestId('group-village').waitFor();

    await card.click();
    await page.waitForURL(/\/m\/sites\/[^/]+$/);
    await page.getByTestId('site-name').waitFor();
  }, 60_000);
});
