/**
 * The admin web end to end, the service loop: a resident (赵大娘) orders a service in her village; the 新集镇
 * institute admin finds it on the 订单看板, opens it, dispatches it to the first recommendation in the 派单
 * dialog and sees the order move to 待接单 with a 派单 entry in its timeline.
 * The e2e vitest config starts the server and sets E2E_BASE_URL.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { useBrowser } from './browser.js';
import { adminPage } from './session.js';

const e2e = useBrowser();

async function newContext(): Promise<BrowserContext> {
  return e2e.browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
}

const signIn = (phone: string): Promise<Page> => adminPage(e2e.browser, e2e.baseUrl, phone);

type MenuItem = {
  id: string;
  name: string;
  fields: { key: string; type: string; required: boolean; options?: string[] }[];
};

/** The resident places an order through the API, as the mobile app would; answers every required field. */
async function residentOrders(description: string): Promise<{ id: string; item: string }> {
  const ctx = await newContext();
  try {
    const login = await ctx.request.post(`${e2e.baseUrl}/api/v1/auth/login`, {
      data: { phone: '13800000007', password: 'Demo@2026' },
    });
    expect(login.status()).toBe(200);
    const csrf = (await ctx.cookies()).find((c) => c.name === 'wm_csrf')?.value ?? '';
    const menu = (await (await ctx.request.get(`${e2e.baseUrl}/api/v1/service-items`)).json()) as { items: MenuItem[] };
    expect(menu.items.length).toBeGreaterThan(0);
    const item = menu.items.find((i) => i.fields.every((f) => !f.required)) ?? menu.items[0];
    const answers = Object.fromEntries(
      item.fields
        .filter((f) => f.required)
        .map((f) => [
          f.key,
          f.type === 'number'
            ? 3
            : f.type === 'date'
              ? '2030-01-15'
              : f.type === 'single'
                ? f.options?.[0]
                : f.type === 'multi'
                  ? [f.options?.[0]]
                  : '测试',
        ]),
    );
    const res = await ctx.request.post(`${e2e.baseUrl}/api/v1/orders`, {
      headers: { 'X-CSRF-Token': csrf },
      data: { serviceItemId: item.id, description, answers },
    });
    expect(res.status(), await res.text()).toBe(201);
    const order = (await res.json()) as { id: string; state: string };
    expect(order.state).toBe('submitted');
    return { id: order.id, item: item.name };
  } finally {
    await ctx.close();
  }
}

describe('admin web: orders', () => {
  it('the 新集镇 admin dispatches a submitted order to the first recommendation and sees 派单 in the timeline', async () => {
    const description = `端到端测试需求 ${Date.now()}`;
    const placed = await residentOrders(description);

    const page = await signIn('13800000002');
    await page.getByRole('menuitem', { name: '订单看板' }).click();
    await page.waitForURL(/\/admin\/orders$/);
    await expect.poll(() => page.title()).toBe('订单看板 - 文明实践云');
    // the state chips carry the Chinese names from /orders/meta
    await page.locator('[data-test=state-chips] .chip', { hasText: '待派单' }).waitFor();

    await page.getByPlaceholder('联系人、需求或服务项目').fill(description);
    await page.getByRole('button', { name: '查询' }).click();
    const row = page.locator('.el-table__body tr').filter({ hasText: description }).first();
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('待派单');
    await row.locator('.el-link').first().click();
    await page.waitForURL(new RegExp(`/admin/orders/${placed.id}$`));
    await expect.poll(() => page.locator('[data-test=order-state]').textContent()).toBe('待派单');
    await page.locator('[data-test=order-timeline]').getByText('点单', { exact: true }).waitFor();

    await page.getByRole('button', { name: '派单' }).click();
    const dialog = page.locator('.el-dialog').filter({ hasText: '推荐派单对象' });
    const first = dialog.locator('.rec').first();
    await first.waitFor();
    const name = (await first.locator('.rec-name').textContent())?.trim() ?? '';
    expect(name).not.toBe('');
    // reasons are shown as tags
    expect(await first.locator('.el-tag').count()).toBeGreaterThan(1);
    await first.getByRole('button', { name: '派给TA' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await expect.poll(() => page.locator('[data-test=order-state]').textContent()).toBe('待接单');
    const timeline = page.locator('[data-test=order-timeline]');
    const entry = timeline
      .locator('.el-timeline-item')
      .filter({ has: page.locator('.tl-action', { hasText: /^派单$/ }) });
    await entry.waitFor();
    await expect.poll(() => entry.textContent()).toContain(name);
    // dispatch is done: the button is gone because the server no longer lists the action
    expect(await page.getByRole('button', { name: '派单' }).count()).toBe(0);
  });

  it('the admin recalls an accepted order with a reason: back to 待派单, 撤回 in the timeline, ready to dispatch again', async () => {
    const description = `端到端撤回 ${Date.now()}`;
    const placed = await residentOrders(description);
    const api = async (phone: string) => {
      const ctx = await newContext();
      await ctx.request.post(`${e2e.baseUrl}/api/v1/auth/login`, { data: { phone, password: 'Demo@2026' } });
      const csrf = (await ctx.cookies()).find((c) => c.name === 'wm_csrf')?.value ?? '';
      return {
        ctx,
        post: async (path: string, data: Record<string, unknown> = {}) => {
          const res = await ctx.request.post(`${e2e.baseUrl}/api/v1${path}`, {
            headers: { 'X-CSRF-Token': csrf },
            data,
          });
          expect(res.status(), await res.text()).toBe(200);
        },
        get: async (path: string) => (await ctx.request.get(`${e2e.baseUrl}/api/v1${path}`)).json(),
      };
    };
    const admin = await api('13800000002');
    const volunteer = await api('13800000005');
    const vid = (await volunteer.get('/me')).volunteerId as string;
    await admin.post(`/orders/${placed.id}/dispatch`, { target: { type: 'volunteer', id: vid } });
    await volunteer.post(`/orders/${placed.id}/accept`);

    const page = await signIn('13800000002');
    await page.goto(`${e2e.baseUrl}/admin/orders/${placed.id}`);
    await expect.poll(() => page.locator('[data-test=order-state]').textContent()).toBe('已接单');
    // 派单对象: 志愿者李志愿, the word 志愿者 once
    expect(((await page.locator('[data-test=order-target]').locator('..').textContent()) ?? '').trim()).toBe(
      '志愿者李志愿',
    );
    // the staff see the resident's masked number and may reveal it
    await expect.poll(() => page.locator('[data-test=contact-phone]').textContent()).toBe('138****0007');
    await page.locator('[data-test=reveal-phone]').click();
    await expect.poll(() => page.locator('[data-test=contact-phone]').textContent()).toBe('13800000007');

    await page.getByRole('button', { name: '撤回' }).click();
    const dialog = page.locator('.el-dialog').filter({ hasText: '撤回订单' });
    await dialog.waitFor();
    await dialog.locator('[data-test=recall-submit]').click();
    await dialog.getByText('请填写撤回原因').waitFor();
    await dialog.locator('textarea').fill('志愿者临时有事，改派他人');
    await page.screenshot({ path: '.tmp/screenshots/admin-order-recall-dialog.png' });
    await dialog.locator('[data-test=recall-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.locator('[data-test=order-state]').textContent()).toBe('待派单');
    const entry = page
      .locator('[data-test=order-timeline] .el-timeline-item')
      .filter({ has: page.locator('.tl-action', { hasText: /^撤回$/ }) });
    await expect.poll(() => entry.textContent()).toContain('志愿者临时有事，改派他人');
    // 改派: dispatch is offered again, recall no longer
    await page.getByRole('button', { name: '派单' }).waitFor();
    expect(await page.getByRole('button', { name: '撤回' }).count()).toBe(0);
    await page.screenshot({ path: '.tmp/screenshots/admin-order-recalled.png', fullPage: true });
    for (const c of [admin, volunteer]) await c.ctx.close();
  });
});
