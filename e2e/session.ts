/** Signing in from the browser tests: one way for every test file. */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

export const DEMO_PASSWORD = 'Demo@2026';

/** The desk a clerk works at: 1440 × 900, Chinese, China time. */
export const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1440, height: 900 },
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};

/** A new admin page signed in through the login form as a user would (`phone`, the demo password). */
export async function adminPage(
  browser: Browser,
  baseUrl: string,
  phone: string,
  options: BrowserContextOptions = DESKTOP,
): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${baseUrl}/admin/login`);
  await page.getByPlaceholder('请输入手机号').fill(phone);
  await page.getByPlaceholder('请输入密码').fill(DEMO_PASSWORD);
  await page.locator('button.submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
  return page;
}

/** A browser context holding `phone`'s session cookie (signed in through the API, no page opened). */
export async function signedInContext(
  browser: Browser,
  baseUrl: string,
  phone: string,
  options: BrowserContextOptions = DESKTOP,
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  const res = await context.request.post(`${baseUrl}/api/v1/auth/login`, {
    data: { phone, password: DEMO_PASSWORD },
  });
  if (res.status() !== 200) throw new Error(`登录失败 ${phone}：${res.status()} ${await res.text()}`);
  return context;
}
