/**
 * 补录活动 in the admin web: the station admin of 新集镇's first village opens 补录活动 from the activity list, fills
 * in an activity held yesterday with one volunteer from the paper sign-in sheet, saves it, sees the hours credited in
 * the summary, and finds the activity in the list marked 补录 (ended, counted like any held activity).
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from './browser.js';
import { adminPage } from './session.js';

const e2e = useBrowser();

const signIn = (phone: string): Promise<Page> => adminPage(e2e.browser, e2e.baseUrl, phone);

/** 2026年3月5日 09:00 as the date pickers show and read it (Asia/Shanghai, the browser's zone here). */
function pickerText(d: Date): string {
  const p = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  const v = (t: string) => p.find((x) => x.type === t)!.value;
  return `${v('year')}年${v('month')}月${v('day')}日 ${v('hour')}:${v('minute')}`;
}

describe('admin 补录活动', () => {
  it('a station admin records a held activity with one attendee and sees it in the list marked 补录', async () => {
    const page = await signIn('13800000004');
    const vols = (await (await page.request.get(`${e2e.baseUrl}/api/v1/volunteers?pageSize=1`)).json()) as {
      items: { id: string; name: string; volunteerNo: string }[];
    };
    expect(vols.items.length).toBe(1);
    const volunteer = vols.items[0];
    const title = `e2e 补录 重阳敬老 ${Date.now()}`;
    // yesterday 09:00–11:30 in China
    const start = new Date(Math.floor((Date.now() + 8 * 3600_000) / 86400_000) * 86400_000 - 86400_000 + 3600_000);
    const end = new Date(start.getTime() + 2.5 * 3600_000);

    await page.goto(`${e2e.baseUrl}/admin/activities`);
    await page.locator('[data-test="record-open"]').click();
    await page.waitForURL((url) => url.pathname.endsWith('/admin/activities/record'));
    const form = page.locator('[data-test="record-form"]');
    await form.getByPlaceholder('如：“学雷锋”志愿服务进社区').fill(title);
    await form.locator('.el-radio-button', { hasText: '志愿服务' }).click();
    const range = form.locator('[data-test="record-range"]');
    await range.getByPlaceholder('开始时间').fill(pickerText(start));
    await range.getByPlaceholder('结束时间').fill(pickerText(end));
    await range.getByPlaceholder('结束时间').press('Enter');
    await form.getByPlaceholder('活动举办的详细地点').fill('村党群服务中心');
    await form.getByPlaceholder('活动做了什么、服务了谁、效果如何').fill('为村里老人理发、量血压');

    await page.locator('[data-test="record-add-row"]').click();
    const row = page.locator('[data-test="record-attendance"] .el-table__body tr').first();
    await row.locator('.el-select').click();
    await row.locator('.el-select input').fill(volunteer.volunteerNo);
    await page
      .locator('.volunteer-select-popper .el-select-dropdown__item', { hasText: volunteer.name })
      .first()
      .click();
    await page.locator('[data-test="record-save"]').click();

    const result = page.locator('[data-test="record-result"]');
    await expect.poll(() => result.isVisible()).toBe(true);
    const settled = result.locator('[data-test="record-settlement"] .el-table__body tr').first();
    await expect.poll(() => settled.innerText()).toContain(volunteer.name);
    await expect.poll(() => settled.innerText()).toContain('2.5 小时');

    await page.goto(`${e2e.baseUrl}/admin/activities`);
    await page.getByPlaceholder('活动名称、主题或地点').fill(title);
    await page.getByRole('button', { name: '查询' }).click();
    const listed = page.locator('[data-test="activity-table"] .el-table__body tr', { hasText: title });
    await expect.poll(() => listed.count()).toBe(1);
    await expect.poll(() => listed.locator('[data-test="recorded-tag"]').innerText()).toBe('补录');
    await expect.poll(() => listed.innerText()).toContain('已结束');
  }, 90_000);
});
