/**
 * Activities in the admin web (issue #5): the 新集镇 institute admin opens a draft activity, publishes it from
 * the detail page (confirm dialog) and sees 招募中 and the 6-digit check-in code on the 签到 tab; a risky activity
 * without insurance cannot be published and the page says why.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from './browser.js';
import { adminPage } from './session.js';

const e2e = useBrowser();

const signIn = (phone: string): Promise<Page> => adminPage(e2e.browser, e2e.baseUrl, phone);

async function draft(page: Page, body: Record<string, unknown>): Promise<{ id: string; code: string }> {
  const csrf = (await page.context().cookies()).find((c) => c.name === 'wm_csrf')?.value ?? '';
  const me = (await (await page.request.get(`${e2e.baseUrl}/api/v1/me`)).json()) as { regionCode: string };
  const start = new Date(Date.now() + 5 * 86400_000);
  const res = await page.request.post(`${e2e.baseUrl}/api/v1/activities`, {
    headers: { 'X-CSRF-Token': csrf },
    data: {
      type: 'volunteer_service',
      regionCode: me.regionCode,
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + 3 * 3600_000).toISOString(),
      quota: 20,
      address: '镇文化站',
      ...body,
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const detail = (await (await page.request.get(`${e2e.baseUrl}/api/v1/activities/${id}`)).json()) as { code: string };
  return { id, code: detail.code };
}

describe('admin 活动管理', () => {
  it('publishes a draft from its detail page and shows the check-in code', async () => {
    const page = await signIn('13800000002');
    const title = `e2e 重阳敬老志愿服务 ${Date.now()}`;
    const { id, code } = await draft(page, { title });
    await page.goto(`${e2e.baseUrl}/admin/activities/${id}`);
    await expect.poll(() => page.locator('[data-test="activity-state"]').innerText()).toBe('草稿');
    await page.locator('[data-test="publish"]').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await expect.poll(() => page.locator('[data-test="activity-state"]').innerText()).toBe('招募中');
    await page.getByRole('tab', { name: '签到', exact: true }).click();
    await expect
      .poll(async () => (await page.locator('[data-test="checkin-code"]').innerText()).replace(/\s/g, ''))
      .toBe(code);
  }, 90_000);

  it('refuses to publish a risky activity without insurance and says why', async () => {
    const page = await signIn('13800000002');
    const { id } = await draft(page, { title: `e2e 河道清洁 ${Date.now()}`, risky: true });
    await page.goto(`${e2e.baseUrl}/admin/activities/${id}`);
    await expect.poll(() => page.locator('[data-test="activity-state"]').innerText()).toBe('草稿');
    await page.locator('[data-test="publish"]').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await expect.poll(() => page.locator('.el-message').last().innerText()).toContain('保险');
    await expect.poll(() => page.locator('[data-test="activity-state"]').innerText()).toBe('草稿');
  }, 90_000);

  it('shows the residents who joined, masked, with the counts, and marks one present on the roster', async () => {
    const page = await signIn('13800000002');
    const { id } = await draft(page, {
      title: `e2e 文艺汇演 ${Date.now()}`,
      type: 'culture_sports',
      participantQuota: 20,
    });
    const csrf = (await page.context().cookies()).find((c) => c.name === 'wm_csrf')?.value ?? '';
    const publish = await page.request.post(`${e2e.baseUrl}/api/v1/activities/${id}/publish`, {
      headers: { 'X-CSRF-Token': csrf },
    });
    expect(publish.status()).toBe(200);
    // 赵大娘 joins from her phone (through the API here)
    // (not page.request: that would sign this browser context in as her)
    const login = await fetch(`${e2e.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '13800000007', password: 'Demo@2026' }),
    });
    const { token } = (await login.json()) as { token: string };
    const joined = await fetch(`${e2e.baseUrl}/api/v1/activities/${id}/participants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(joined.status).toBe(201);

    await page.goto(`${e2e.baseUrl}/admin/activities/${id}`);
    await expect.poll(() => page.locator('[data-test="detail-residents"]').innerText()).toContain('已报名 1 / 20 人');
    await page.getByRole('tab', { name: /群众报名/ }).click();
    await expect.poll(() => page.locator('[data-test="participant-table"]').innerText()).toContain('赵*娘');
    expect(await page.locator('[data-test="participant-table"]').innerText()).not.toContain('赵大娘');
    await page.getByRole('button', { name: '登记到场' }).click();
    await expect.poll(() => page.locator('[data-test="participant-counts"]').innerText()).toContain('已到场 1 人');
    expect(await page.locator('[data-test="participant-table"] tbody tr').first().innerText()).toContain('已确认');
    await page.screenshot({ path: '.tmp/screenshots/admin-activity-participants.png' });
  }, 90_000);
});
