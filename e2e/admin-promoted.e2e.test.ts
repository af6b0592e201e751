/**
 * 需求排查 → 年度计划 in the admin web: 沙窝镇's admin opens the demo survey whose culture answers became an entry of
 * the town's activity plan, follows the answer's link to the plan, sees the entry in its month marked as coming from
 * the survey (its name, how many answers), and follows the entry's link back to the survey's summary.
 */
import { describe, expect, it } from 'vitest';
import { useBrowser } from './browser.js';
import { adminPage } from './session.js';

const e2e = useBrowser();

type Page<T> = { items: T[]; total: number };

describe('admin 需求排查 转为活动计划', () => {
  it('a promoted plan entry shows in its month with the survey, and links both ways', async () => {
    const page = await adminPage(e2e.browser, e2e.baseUrl, '13800000003');
    const get = async <T>(path: string) => (await (await page.request.get(`${e2e.baseUrl}/api/v1${path}`)).json()) as T;
    const surveys = await get<Page<{ id: string; title: string }>>('/surveys?pageSize=50');
    let found: { survey: { id: string; title: string }; planId: string; month: string; count: number } | null = null;
    for (const s of surveys.items) {
      const r = await get<Page<{ promotedPlanId: string | null; promotedPlanMonth: string | null }>>(
        `/surveys/${s.id}/responses?promoted=true&pageSize=100`,
      );
      const planned = r.items.filter((x) => x.promotedPlanId);
      if (planned.length)
        found = { survey: s, planId: planned[0].promotedPlanId!, month: planned[0].promotedPlanMonth!, count: 0 };
      if (found) {
        found.count = planned.filter((x) => x.promotedPlanId === found!.planId).length;
        break;
      }
    }
    expect(found).not.toBeNull();
    const { survey, planId, month, count } = found!;

    await page.goto(`${e2e.baseUrl}/admin/surveys?open=${survey.id}`);
    const drawer = page.locator('[data-test="survey-detail"]');
    await drawer.locator('#tab-responses').click();
    const link = drawer.locator('[data-test="survey-plan-link"]').first();
    await expect.poll(() => link.innerText()).toBe(`活动计划 ${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`);
    await link.click();

    await page.waitForURL((url) => url.pathname.endsWith('/admin/plans') && url.searchParams.get('open') === planId);
    const monthRow = page.locator('[data-test="plan-month"].focused');
    await expect.poll(() => monthRow.innerText()).toContain(`${Number(month.slice(5, 7))} 月`);
    const source = monthRow.locator('[data-test="plan-entry-source"]');
    await expect.poll(() => source.innerText()).toContain(`来自需求排查“${survey.title}”，${count} 条意见`);
    await expect.poll(() => monthRow.locator('[data-test="plan-entry"]').innerText()).toContain('文艺演出进村');

    await source.locator('[data-test="plan-entry-survey"]').click();
    await page.waitForURL(
      (url) => url.pathname.endsWith('/admin/surveys') && url.searchParams.get('tab') === 'summary',
    );
    await expect.poll(() => page.locator('[data-test="survey-summary"]').isVisible()).toBe(true);
  });
});
