/**
 * The H5 columns choose their county and place: a guest follows a link naming the county (?county=); a signed-in
 * resident sees their own county and may narrow the list to their town (本镇) or village (本村), 全县 by default.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { useBrowser } from './browser.js';
import { signedInContext } from './session.js';

const e2e = useBrowser();
const PHONE: BrowserContextOptions = {
  viewport: { width: 375, height: 740 },
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};

/** The query of every public article list the page asks for, in order. */
function listRequests(page: Page): URLSearchParams[] {
  const seen: URLSearchParams[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname === '/api/v1/public/articles') seen.push(url.searchParams);
  });
  return seen;
}
const titles = (page: Page) => page.getByTestId('article-card').locator('strong').allInnerTexts();

describe('H5 columns: county from the link or the account, 本村/本镇/全县', () => {
  it('a guest reads the county the link names, with no place switch', async () => {
    const page = await (await e2e.browser.newContext(PHONE)).newPage();
    const asked = listRequests(page);
    await page.goto(`${e2e.baseUrl}/m/articles?county=411523`);
    await page.getByTestId('article-card').first().waitFor();
    expect(asked.at(-1)?.get('county')).toBe('411523');
    expect(asked.at(-1)?.get('regionCode')).toBeNull();
    expect(await page.getByTestId('article-reach').count()).toBe(0);
    // the home's news follows the link too
    await page.goto(`${e2e.baseUrl}/m/?county=411523`);
    await page.getByTestId('home-news').waitFor();
    await expect.poll(() => asked.at(-1)?.get('county')).toBe('411523');
    await page.context().close();
  }, 60_000);

  it('a resident sees their county, 全县 first, and narrows to their town and village', async () => {
    const context = await signedInContext(e2e.browser, e2e.baseUrl, '13800000007', PHONE);
    const me = (await (await context.request.get(`${e2e.baseUrl}/api/v1/me`)).json()) as {
      regionCode: string;
      regionName: string;
    };
    const page = await context.newPage();
    const asked = listRequests(page);
    await page.goto(`${e2e.baseUrl}/m/articles`);
    const reach = page.getByTestId('article-reach');
    await reach.waitFor();
    const labels = await reach.getByRole('tab').allInnerTexts();
    expect(labels).toEqual(me.regionCode.length >= 12 ? ['全县', '本镇', '本村'] : ['全县', '本镇']);
    expect(await reach.locator('[aria-selected="true"]').innerText()).toBe('全县');
    await page.getByTestId('article-card').first().waitFor();
    expect(asked.at(-1)?.get('county')).toBe(me.regionCode.slice(0, 6));
    expect(asked.at(-1)?.get('regionCode')).toBeNull();

    const expectList = async (regionCode: string) => {
      const api = (await (
        await context.request.get(
          `${e2e.baseUrl}/api/v1/public/articles?county=${regionCode.slice(0, 6)}&regionCode=${regionCode}&pageSize=10`,
        )
      ).json()) as { items: { title: string }[] };
      await expect.poll(() => asked.at(-1)?.get('regionCode')).toBe(regionCode);
      if (api.items.length) await expect.poll(() => titles(page)).toEqual(api.items.map((a) => a.title));
      else await page.getByText('这里还没有发布文章').waitFor();
    };
    await reach.getByRole('tab', { name: '本镇' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('reach')).toBe('town');
    await expectList(me.regionCode.slice(0, 9));
    if (me.regionCode.length >= 12) {
      await reach.getByRole('tab', { name: '本村' }).click();
      await expectList(me.regionCode);
      expect(await page.getByTestId('article-reach-hint').innerText()).toContain(me.regionName);
    }
    // back to 全县: the whole county again
    await reach.getByRole('tab', { name: '全县' }).click();
    await expect.poll(() => asked.at(-1)?.get('regionCode') ?? null).toBeNull();
    await context.close();
  }, 60_000);
});
