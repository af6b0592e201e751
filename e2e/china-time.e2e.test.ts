/**
 * China time whatever the browser's zone (issue #11, web): with Chromium in America/Los_Angeles (16 hours behind
 * China, so most of the day on the previous calendar day), the activity calendar puts an activity on its China day at
 * its China time, the detail pages show the China times, and the edit form shows them in its picker and saves them
 * back unchanged.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { chromiumPath, useBrowser } from './browser.js';

const e2e = useBrowser();
const ZONE = 'America/Los_Angeles';

async function login(phone: string): Promise<string> {
  const res = await fetch(`${e2e.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: 'Demo@2026' }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${e2e.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** A China calendar day `n` days from now, as YYYY-MM-DD (computed without the test machine's zone). */
function chinaDay(n: number): string {
  return new Date(Date.now() + 8 * 3600_000 + n * 86400_000).toISOString().slice(0, 10);
}

async function signedIn(phone: string, mobile = false): Promise<BrowserContext> {
  const context = await e2e.browser.newContext(
    mobile
      ? { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: ZONE }
      : { viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: ZONE },
  );
  const page = await context.newPage();
  // the browser really is in Los Angeles
  expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(ZONE);
  if (mobile) {
    await page.goto(`${e2e.baseUrl}/m/login`);
    await page.getByTestId('login-phone').locator('input').fill(phone);
    await page.getByTestId('login-password').locator('input').fill('Demo@2026');
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/m/login'));
  } else {
    await page.goto(`${e2e.baseUrl}/admin/login`);
    await page.getByPlaceholder('请输入手机号').fill(phone);
    await page.getByPlaceholder('请输入密码').fill('Demo@2026');
    await page.locator('button.submit').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
  }
  await page.close();
  return context;
}

describe.skipIf(!chromiumPath())('China time in a browser in Los Angeles', () => {
  it('shows the calendar, the detail and the edit form at China times', async () => {
    // 09:30–11:30 in China is 17:30–19:30 of the day before in Los Angeles
    const day = chinaDay(26); // past the demo's upcoming activities (a cell shows three)
    const startAt = `${day}T09:30:00+08:00`;
    const endAt = `${day}T11:30:00+08:00`;
    const admin = await login('13800000001');
    const me = await api<{ regionCode: string }>(await login('13800000005'), 'GET', '/me');
    const title = `e2e 时区 ${Date.now()}`;
    const act = await api<{ id: string }>(admin, 'POST', '/activities', {
      title,
      type: 'volunteer_service',
      regionCode: me.regionCode,
      startAt,
      endAt,
      quota: 5,
      address: '村委会门口',
    });
    await api(admin, 'POST', `/activities/${act.id}/publish`, {});

    const adminContext = await signedIn('13800000001');
    const page = await adminContext.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${e2e.baseUrl}/admin/activity-calendar`);
    const calendar = page.locator('[data-test="activity-calendar"]');
    const [y, m, d] = day.split('-').map(Number);
    // the calendar opens on China's month (and goes to the next one when the day is in it)
    const monthTitle = page.locator('.cal-title');
    await expect.poll(() => monthTitle.innerText()).toMatch(/^\d{4}年\d{1,2}月$/);
    if ((await monthTitle.innerText()) !== `${y}年${m}月`) await page.getByRole('button', { name: '下个月' }).click();
    await expect.poll(() => monthTitle.innerText()).toBe(`${y}年${m}月`);
    const act1 = calendar.locator('.act', { hasText: title });
    await expect.poll(() => act1.count()).toBe(1);
    expect(await act1.locator('.act-time').innerText()).toBe('09:30');
    const cellDay = await act1.evaluate((el) => el.closest('.cell')?.querySelector('.day-num')?.textContent?.trim());
    expect(cellDay).toBe(String(d));
    await page.screenshot({ path: '.tmp/screenshots/china-time-calendar.png', fullPage: true });

    // the detail says the China day and time; the edit form shows them and saves them back unchanged
    await page.goto(`${e2e.baseUrl}/admin/activities/${act.id}`);
    await expect.poll(() => page.locator('.page').first().innerText()).toContain(`${y}年${m}月${d}日 09:30–11:30`);
    await page.getByRole('button', { name: '编辑' }).click();
    const start = page.locator('.el-drawer .el-date-editor input').first();
    await expect.poll(() => start.inputValue()).toBe(`${y}年${m}月${d}日 09:30`);
    await page.locator('[data-test="activity-save"]').click();
    await expect.poll(() => page.locator('.el-drawer').isVisible()).toBe(false);
    const saved = await api<{ startAt: string; endAt: string }>(admin, 'GET', `/activities/${act.id}`);
    expect(new Date(saved.startAt).toISOString()).toBe(new Date(startAt).toISOString());
    expect(new Date(saved.endAt).toISOString()).toBe(new Date(endAt).toISOString());
    await adminContext.close();

    // the H5 shows the same China times
    const mobileContext = await signedIn('13800000005', true);
    const h5 = await mobileContext.newPage();
    await h5.goto(`${e2e.baseUrl}/m/activities/${act.id}`);
    await expect.poll(() => h5.getByTestId('detail-title').innerText()).toContain(title);
    const time = h5.locator('.info', { hasText: '时间' });
    await expect.poll(() => time.innerText()).toContain(`${m}月${d}日`);
    expect(await time.innerText()).toContain('09:30–11:30');
    // the list that loads on scroll (the shared paged list), for a look
    await h5.goto(`${e2e.baseUrl}/m/activity`);
    await h5.locator('.activity-card').first().waitFor();
    await h5.screenshot({ path: '.tmp/screenshots/mobile-activity-list.png' });
    await mobileContext.close();
  }, 150_000);
});
