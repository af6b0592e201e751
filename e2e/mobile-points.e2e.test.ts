/**
 * Points on the mobile H5 (issue #6): the resident 赵大娘 redeems goods in the 积分超市 for her household's points,
 * gets a 6-digit pickup code, and her balance drops by the price; the station admin hands it out with the code
 * through the API. The honour board and the wish wall open without sign-in.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumPath, useBrowser } from './browser.js';

const e2e = useBrowser();
const mobile = {
  viewport: { width: 375, height: 667 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};

async function token(phone: string) {
  const res = await fetch(`${e2e.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: 'Demo@2026' }),
  });
  return ((await res.json()) as { token: string }).token;
}
async function api<T>(t: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${e2e.baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${t}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

describe.skipIf(!chromiumPath())('mobile H5 积分', () => {
  it('a resident redeems goods for points, gets a pickup code, and staff hand it out with the code', async () => {
    const page: Page = await (await e2e.browser.newContext(mobile)).newPage();
    await page.goto(`${e2e.baseUrl}/m/login?redirect=/shop`);
    await page.getByTestId('login-phone').locator('input').fill('13800000007');
    await page.getByTestId('login-password').locator('input').fill('Demo@2026');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/m\/shop$/);
    const balance = Number(await page.getByTestId('shop-balance-household').innerText());
    expect(balance).toBeGreaterThan(0);

    // the first goods in stock that the household can afford
    await page.getByTestId('goods-card').first().waitFor({ timeout: 15_000 });
    const cards = page.getByTestId('goods-card');
    let chosen = -1;
    for (let i = 0; i < (await cards.count()); i++) {
      const price = Number((await cards.nth(i).locator('.price b').innerText()).trim());
      if (price <= balance && (await cards.nth(i).getByTestId('goods-redeem').isEnabled())) {
        chosen = i;
        break;
      }
    }
    expect(chosen, '没有余额够兑换且有库存的商品').not.toBe(-1);
    await cards.nth(chosen).getByTestId('goods-redeem').click();
    await page.getByTestId('redeem-sheet').waitFor();
    const total = Number(await page.getByTestId('redeem-total').innerText());
    await page.getByTestId('redeem-confirm').click();
    await page.locator('.van-dialog__confirm').click();
    const code = (await page.getByTestId('pickup-code').innerText({ timeout: 15_000 })).replace(/\s/g, '');
    expect(code).toMatch(/^\d{6}$/);

    const resident = await token('13800000007');
    const points = await api<{ household: { account: { balance: number } } }>(resident, 'GET', '/me/points');
    expect(points.body.household.account.balance).toBe(balance - total);
    const mine = await api<{ items: { id: string; state: string; pickupCode?: string }[] }>(
      resident,
      'GET',
      '/me/redemptions',
    );
    const r = mine.body.items.find((x) => x.pickupCode === code)!;
    expect(r.state).toBe('reserved');

    const staff = await token('13800000001');
    expect(
      (
        await api(staff, 'POST', `/shop/redemptions/${r.id}/handout`, {
          pickupCode: code === '000000' ? '111111' : '000000',
        })
      ).status,
    ).toBe(400);
    const done = await api<{ state: string }>(staff, 'POST', `/shop/redemptions/${r.id}/handout`, { pickupCode: code });
    expect(done.status).toBe(200);
    expect(done.body.state).toBe('handed_out');
  }, 120_000);

  it('a volunteer takes back a claim in 我的心愿 and the wish is open again', async () => {
    const resident = await token('13800000007');
    const station = await token('13800000004');
    const volunteer = await token('13800000005');
    const me = await api<{ regionCode: string }>(resident, 'GET', '/me');
    const title = `想要一个暖水袋（${Date.now() % 100000}）`;
    const w = await api<{ id: string }>(resident, 'POST', '/wishes', {
      title,
      description: '冬天手脚冰凉',
      value: 30,
      regionCode: me.body.regionCode,
      beneficiaryName: '赵大娘',
      consentToPublish: true,
    });
    expect(w.status).toBe(201);
    expect((await api(station, 'POST', `/wishes/${w.body.id}/verify`, {})).status).toBe(200);
    expect((await api(station, 'POST', `/wishes/${w.body.id}/publish`, {})).status).toBe(200);
    expect((await api(volunteer, 'POST', `/wishes/${w.body.id}/claim`, {})).status).toBe(201);

    const page: Page = await (await e2e.browser.newContext(mobile)).newPage();
    await page.goto(`${e2e.baseUrl}/m/login?redirect=${encodeURIComponent('/wishes/mine?tab=claimed')}`);
    await page.getByTestId('login-phone').locator('input').fill('13800000005');
    await page.getByTestId('login-password').locator('input').fill('Demo@2026');
    await page.getByTestId('login-submit').click();
    const card = page.getByTestId('my-wish').filter({ hasText: title });
    await card.waitFor({ timeout: 15_000 });
    await card.getByTestId('wish-unclaim').click();
    await page.locator('.van-dialog__confirm').click();
    await card.waitFor({ state: 'detached', timeout: 15_000 });
    const after = await api<{ state: string; claimedValue: number; events: { action: string }[] }>(
      resident,
      'GET',
      `/wishes/${w.body.id}`,
    );
    expect(after.body).toMatchObject({ state: 'published', claimedValue: 0 });
    expect(after.body.events.at(-1)?.action).toBe('unclaim');
  }, 90_000);

  it('积分公示: objecting needs sign-in; a signed-in resident objects and the claim leaves the notice list', async () => {
    const page = await (await e2e.browser.newContext(mobile)).newPage();
    await page.goto(`${e2e.baseUrl}/m/points/notices`);
    await page.getByTestId('points-notice').first().waitFor({ timeout: 15_000 });
    await page.getByTestId('notice-object').first().click();
    await page.waitForURL(/\/m\/login\?redirect=/);
    await page.getByTestId('login-phone').locator('input').fill('13800000008');
    await page.getByTestId('login-password').locator('input').fill('Demo@2026');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/m\/points\/notices$/);
    await page.getByTestId('points-notice').first().waitFor();
    const before = await page.getByTestId('points-notice').count();
    await page.getByTestId('notice-object').first().click();
    await page.getByTestId('objection-reason').locator('textarea').fill('此事不属实，当天他不在村里');
    await page.getByTestId('objection-submit').click();
    await expect.poll(() => page.getByTestId('points-notice').count(), { timeout: 15_000 }).toBe(before - 1);
  }, 90_000);

  it('the honour board and the wish wall open without sign-in', async () => {
    const page = await (await e2e.browser.newContext(mobile)).newPage();
    await page.goto(`${e2e.baseUrl}/m/honors`);
    await page.getByTestId('honor-card').first().waitFor({ timeout: 15_000 });
    expect(page.url()).toMatch(/\/m\/honors$/);
    expect(await page.getByTestId('honor-card').count()).toBeGreaterThan(0);
    await page.goto(`${e2e.baseUrl}/m/wishes`);
    await page.getByTestId('wish-card').first().waitFor({ timeout: 15_000 });
    expect(page.url()).toMatch(/\/m\/wishes$/);
    expect(await page.locator('body').innerText()).not.toMatch(/1[3-9]\d{9}/);
  }, 90_000);

  it('许个心愿 shows each field’s problem beside it, clears it when the field changes, and keeps what was typed', async () => {
    const page: Page = await (await e2e.browser.newContext(mobile)).newPage();
    await page.goto(`${e2e.baseUrl}/m/login?redirect=/wishes/new`);
    await page.getByTestId('login-phone').locator('input').fill('13800000007');
    await page.getByTestId('login-password').locator('input').fill('Demo@2026');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/m\/wishes\/new$/);

    // the page's own rules: nothing typed → the title's message under the title
    await page.getByTestId('wish-submit').click();
    const titleError = page.getByTestId('wish-title').locator('.van-field__error-message');
    await expect.poll(() => titleError.innerText()).toBe('请写下心愿（至少 2 个字）');
    await page.getByTestId('wish-title').locator('input, textarea').first().fill('一床冬天的棉被');
    await expect.poll(() => titleError.count()).toBe(0);

    // the server's refusal of one field shows beside that field; the form keeps what was typed
    await page.getByTestId('wish-desc').locator('textarea, input').first().fill('老人独居，家里被子太薄');
    await page.getByTestId('wish-value').locator('input').fill('120');
    await page.route('**/api/v1/wishes', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      await route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'VALIDATION_FAILED',
            message: '请求参数有误：value',
            details: [{ path: 'value', message: '超过本县微心愿的价值上限' }],
          },
        }),
      });
    });
    await page.getByTestId('wish-submit').click();
    const valueError = page.getByTestId('wish-value').locator('.van-field__error-message');
    await expect.poll(() => valueError.innerText()).toBe('超过本县微心愿的价值上限');
    expect(await page.getByTestId('wish-value').locator('input').inputValue()).toBe('120');
    expect(page.url()).toMatch(/\/m\/wishes\/new$/);
    await page.screenshot({ path: '.tmp/screenshots/mobile-wish-field-error.png' });
    await page.unroute('**/api/v1/wishes');
    await page.context().close();
  }, 90_000);
});
