/**
 * How the web apps reach a phone or a clerk's browser (issue #13 item 7), against the real server over plain HTTP:
 * no upgrade to https (the H5 was blank on a LAN address), pre-compressed and cached assets, and the admin's
 * first-load JavaScript within its budget (e2e/first-load.ts).
 */
import { describe, expect, it } from 'vitest';
import { useBrowser } from './browser.js';
import { ADMIN_FIRST_LOAD_BUDGET_KB, adminFirstLoad, mobileFirstLoad } from './first-load.js';

const e2e = useBrowser();

describe('web delivery over plain HTTP', () => {
  it('the H5 page has no upgrade-insecure-requests, and its scripts come brotli-compressed and immutable', async () => {
    const page = await fetch(`${e2e.baseUrl}/m/`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const script = html.match(/src="(\/assets\/mobile-[\w-]+\.js)"/)?.[1];
    expect(script, html).toBeTruthy();
    const asset = await fetch(`${e2e.baseUrl}${script}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-encoding')).toBe('br');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toMatch(/import|export/); // fetch decodes br: the content is the script
  });

  it(`the admin's first load (login, then the dashboard) stays under ${ADMIN_FIRST_LOAD_BUDGET_KB} KB of JS gzip (the chart library loads after)`, async () => {
    const admin = await adminFirstLoad(e2e.browser, e2e.baseUrl);
    const mobile = await mobileFirstLoad(e2e.browser, e2e.baseUrl);
    console.log(
      `[first load] admin ${admin.gzipKb} KB gzip (${admin.rawKb} KB raw, ${admin.scripts.length} files), ` +
        `then its charts ${admin.charts.gzipKb} KB gzip (${admin.charts.scripts.length} files); ` +
        `H5 ${mobile.gzipKb} KB gzip (${mobile.rawKb} KB raw, ${mobile.scripts.length} files)`,
    );
    const list = admin.scripts.map((s) => `${s.file} ${(s.gzipBytes / 1024).toFixed(1)} KB`).join('\n');
    expect(admin.scripts.length).toBeGreaterThan(1);
    expect(admin.charts.scripts.length).toBeGreaterThan(0); // the dashboard drew its charts
    expect(admin.gzipKb, list).toBeLessThanOrEqual(ADMIN_FIRST_LOAD_BUDGET_KB);
    expect(mobile.scripts.length).toBeGreaterThan(1);
  }, 90_000);
});
