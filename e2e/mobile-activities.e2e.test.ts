/**
 * Activities on the mobile H5 (issue #5): the county admin publishes an activity through the API; the volunteer
 * 李志愿 opens it in the H5, signs up (confirm dialog), opens the QR check-in link and checks in; the activity
 * page then says 已签到. A resident (赵大娘, no volunteer record) joins an activity open to residents (报名参加), waits
 * behind another resident, is promoted and checks in by QR; 我的活动 lists it. A certificate issued for the volunteer
 * verifies on the public page without sign-in.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumPath, useBrowser } from './browser.js';

const e2e = useBrowser();

let context: BrowserContext;
let page: Page;

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

async function login(phone: string) {
  const res = await fetch(`${e2e.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: 'Demo@2026' }),
  });
  return ((await res.json()) as { token: string }).token;
}

const mobile = {
  viewport: { width: 375, height: 667 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};

beforeAll(async () => {
  if (!chromiumPath()) return;
  context = await e2e.browser.newContext(mobile);
  page = await context.newPage();
}, 60_000);

describe.skipIf(!chromiumPath())('mobile H5 活动', () => {
  it('a volunteer signs up in the H5 and checks in through the QR link', async () => {
    const admin = await login('13800000001');
    const me = await api<{ regionCode: string }>(await login('13800000005'), 'GET', '/me');
    const start = new Date(Date.now() + 20 * 60_000);
    const title = `e2e 人居环境整治 ${Date.now()}`;
    const act = await api<{ id: string }>(admin, 'POST', '/activities', {
      title,
      type: 'volunteer_service',
      regionCode: me.regionCode,
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + 2 * 3600_000).toISOString(),
      quota: 5,
      address: '村委会门口',
    });
    await api(admin, 'POST', `/activities/${act.id}/publish`, {});
    const { code } = await api<{ code: string }>(admin, 'GET', `/activities/${act.id}`);
    expect(code).toMatch(/^\d{6}$/);

    await page.goto(`${e2e.baseUrl}/m/login?redirect=/activities/${act.id}`);
    await page.getByTestId('login-phone').locator('input').fill('13800000005');
    await page.getByTestId('login-password').locator('input').fill('Demo@2026');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(new RegExp(`/m/activities/${act.id}$`));
    expect(await page.getByTestId('detail-title').innerText()).toContain(title);
    expect(await page.getByTestId('detail-state').innerText()).toBe('招募中');

    await page.getByTestId('signup').click();
    await page.locator('.van-dialog__confirm').click();
    await expect.poll(() => page.getByTestId('my-status').innerText(), { timeout: 15_000 }).toContain('您已报名');
    await expect.poll(() => page.getByTestId('detail-seats').innerText()).toContain('已报名 1 人');

    // the QR code on the projector opens this page; one tap checks in
    await page.goto(`${e2e.baseUrl}/m/activities/${act.id}/checkin?code=${code}`);
    await page.getByTestId('checkin-submit').click();
    await page.goto(`${e2e.baseUrl}/m/activities/${act.id}`);
    await expect.poll(() => page.getByTestId('my-status').innerText(), { timeout: 15_000 }).toContain('已签到');

    // and the organiser's list shows the check-in
    const signups = await api<{ items: { volunteerName: string; checkInAt: string | null }[] }>(
      admin,
      'GET',
      `/activities/${act.id}/signups`,
    );
    expect(signups.items).toHaveLength(1);
    expect(signups.items[0].volunteerName).toBe('李志愿');
    expect(signups.items[0].checkInAt).not.toBeNull();
  }, 120_000);

  it('a resident joins an activity open to residents, waits, is promoted, checks in by QR; 我的活动 lists it', async () => {
    const admin = await login('13800000001');
    const resident = await login('13800000007');
    const other = await login('13800000008');
    const me = await api<{ regionCode: string }>(resident, 'GET', '/me');
    const start = new Date(Date.now() + 20 * 60_000);
    const title = `e2e 理论宣讲进村 ${Date.now()}`;
    const act = await api<{ id: string }>(admin, 'POST', '/activities', {
      title,
      type: 'lecture',
      regionCode: me.regionCode,
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + 2 * 3600_000).toISOString(),
      quota: 5,
      participantQuota: 1,
      address: '村文化广场',
    });
    await api(admin, 'POST', `/activities/${act.id}/publish`, {});
    const { code } = await api<{ code: string }>(admin, 'GET', `/activities/${act.id}`);

    const rp = await (await e2e.browser.newContext(mobile)).newPage();
    await rp.goto(`${e2e.baseUrl}/m/login?redirect=/activities/${act.id}`);
    await rp.getByTestId('login-phone').locator('input').fill('13800000007');
    await rp.getByTestId('login-password').locator('input').fill('Demo@2026');
    await rp.getByTestId('login-submit').click();
    await rp.waitForURL(new RegExp(`/m/activities/${act.id}$`));
    // no volunteer record needed: 报名参加
    await expect.poll(() => rp.getByTestId('join').innerText(), { timeout: 15_000 }).toBe('报名参加');
    expect(await rp.getByTestId('open-to-residents').innerText()).toContain('无需注册志愿者');
    await rp.locator('.van-toast').waitFor({ state: 'hidden' });
    await rp.screenshot({ path: '.tmp/screenshots/mobile-resident-join.png' });
    await rp.getByTestId('join').click();
    await rp.locator('.van-dialog__confirm').click();
    await expect.poll(() => rp.getByTestId('my-place').innerText(), { timeout: 15_000 }).toContain('您已报名参加');
    await expect.poll(() => rp.getByTestId('detail-resident-seats').innerText()).toContain('已报名 1 人 / 共 1 人');

    // the only place is taken: the other resident waits; when she withdraws (取消报名) he takes it
    expect((await api<{ status: string }>(other, 'POST', `/activities/${act.id}/participants`, {})).status).toBe(
      'waitlisted',
    );
    await rp.getByTestId('cancel-join').click();
    await rp.locator('.van-dialog__confirm').click();
    await expect.poll(() => rp.getByTestId('join').innerText(), { timeout: 15_000 }).toBe('名额已满，报名候补');
    await rp.getByTestId('join').click();
    await rp.locator('.van-dialog__confirm').click();
    await expect
      .poll(() => rp.locator('.van-dialog__message').innerText(), { timeout: 15_000 })
      .toContain('已进入候补，您是第 1 位');
    await rp.locator('.van-dialog__confirm').click();
    await expect.poll(() => rp.getByTestId('my-place').innerText(), { timeout: 15_000 }).toContain('候补中');
    expect(await rp.getByTestId('place-status').innerText()).toContain('候补');
    await rp.locator('.van-dialog').waitFor({ state: 'hidden' });
    await rp.locator('.van-toast').waitFor({ state: 'hidden' });
    await rp.screenshot({ path: '.tmp/screenshots/mobile-resident-waitlisted.png' });

    // he withdraws: she is promoted, and checks in with the QR link
    await api(other, 'DELETE', `/activities/${act.id}/participants/me`);
    await rp.goto(`${e2e.baseUrl}/m/activities/${act.id}/checkin?code=${code}`);
    await rp.getByTestId('checkin-submit').click();
    await expect.poll(() => rp.getByTestId('check-result').innerText(), { timeout: 15_000 }).toContain('签到成功');
    await rp.goto(`${e2e.baseUrl}/m/activities/${act.id}`);
    await expect.poll(() => rp.getByTestId('my-place').innerText(), { timeout: 15_000 }).toContain('已签到');
    await rp.screenshot({ path: '.tmp/screenshots/mobile-resident-checked-in.png' });

    await rp.goto(`${e2e.baseUrl}/m/activities/mine`);
    // one row: the withdrawn place is not listed, the place held now is
    await expect.poll(() => rp.getByText(title).count(), { timeout: 15_000 }).toBe(1);
    expect(await rp.getByTestId('row-kind-place').first().innerText()).toBe('报名参加');
    await rp.screenshot({ path: '.tmp/screenshots/mobile-resident-my-activities.png' });

    // the organiser's roster counts her attendance, her name masked
    const roster = await api<{ items: { name: string; checkInAt: string | null }[]; counts: { attended: number } }>(
      admin,
      'GET',
      `/activities/${act.id}/participants?status=confirmed`,
    );
    expect(roster.counts.attended).toBe(1);
    expect(roster.items.map((p) => p.name)).toEqual(['赵*娘']);
    await rp.context().close();
  }, 180_000);

  it('a certificate verifies on the public page without sign-in', async () => {
    const admin = await login('13800000001');
    const me = await api<{ volunteerId: string; name: string }>(await login('13800000005'), 'GET', '/me');
    const year = new Date().getFullYear();
    const cert = await api<{ number: string; verifyCode: string }>(admin, 'POST', '/certificates', {
      volunteerId: me.volunteerId,
      from: `${year - 1}-01-01`,
      to: new Date().toISOString().slice(0, 10),
    });
    const anonymous = await e2e.browser.newContext(mobile);
    const p = await anonymous.newPage();
    await p.goto(`${e2e.baseUrl}/m/verify/${cert.verifyCode}`);
    await expect.poll(() => p.getByTestId('verify-result').innerText(), { timeout: 15_000 }).toContain('证明有效');
    expect(await p.getByTestId('verify-number').innerText()).toBe(cert.number);
    expect(await p.getByTestId('verify-name').innerText()).toMatch(/^李\*/);
    await p.goto(`${e2e.baseUrl}/m/verify/not-a-real-code-123`);
    await p.getByTestId('verify-missing').waitFor({ timeout: 15_000 });
    await anonymous.close();
  }, 90_000);
});
