/// <reference lib="dom" />
// (the page functions below run in Chromium: page.evaluate)
/**
 * Accessible to everyone (issue #13 item 8; GB/T 37668, WCAG 2.1 AA): axe-core runs on every admin route (from
 * web/admin/router.ts), every H5 route (web/mobile/router.ts) and the big screen, signed in as the demo user each
 * app is for, and no critical or serious violation may remain. Then 长辈模式 on the main H5 pages: every visible
 * text ≥ 18 px and every tap target ≥ 44 × 44 px. One browser; one signed-in context per user, reused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { useBrowser } from './browser.js';
import { repoRoot } from './server.js';

const e2e = useBrowser();
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'Demo@2026';
const COUNTY_ADMIN = '13800000001';
const SYSADMIN = '13800000009';
const VOLUNTEER = '13800000005';
const SHOTS = path.join(repoRoot, '.tmp/screenshots/a11y');

type Violation = { id: string; impact: string; help: string; nodes: { target: string[]; html: string }[] };

const found: string[] = [];

/** The route paths of an app's router file, in order (the router is read as text: it imports Vue components). */
function routePaths(file: string): string[] {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(/path: '([^']*)'/g)].map((m) => m[1]);
}

async function api<T>(token: string | null, url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${e2e.baseUrl}/api/v1${url}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
const tokenOf = async (phone: string) =>
  (
    await api<{ token: string }>(null, '/auth/login', {
      method: 'POST',
      body: JSON.stringify({ phone, password: PASSWORD }),
    })
  ).token;
const firstId = async (token: string, url: string) =>
  (await api<{ items: { id: string }[] }>(token, url)).items[0]?.id ?? 'none';

async function signedIn(app: 'admin' | 'm', phone: string, mobile: boolean): Promise<BrowserContext> {
  const context = await e2e.browser.newContext(
    mobile
      ? { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, locale: 'zh-CN', bypassCSP: true }
      : { viewport: { width: 1440, height: 900 }, locale: 'zh-CN', bypassCSP: true },
  );
  const res = await context.request.post(`${e2e.baseUrl}/api/v1/auth/login`, { data: { phone, password: PASSWORD } });
  expect(res.status(), `login ${phone}`).toBe(200);
  void app;
  return context;
}

/** Opens the page, lets it settle and runs axe with the WCAG 2.1 A/AA rules; records critical and serious ones. */
async function audit(page: Page, url: string, label: string): Promise<void> {
  await page.goto(`${e2e.baseUrl}${url}`);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(150); // transitions of drawers and skeletons
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Violation[] }> } }
    ).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, html: n.html.slice(0, 160) })),
    }));
  });
  for (const v of violations.filter((x) => x.impact === 'critical' || x.impact === 'serious'))
    found.push(
      `${label} ${url}: [${v.impact}] ${v.id} — ${v.help}\n` +
        v.nodes.map((n) => `    ${n.target.join(' ')}  ${n.html}`).join('\n'),
    );
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
}, 60_000);

describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  it('every admin route has no critical or serious violation', async () => {
    const token = await tokenOf(COUNTY_ADMIN);
    const ids: Record<string, string> = {
      'sites/:id': await firstId(token, '/sites?page=1&pageSize=1'),
      'volunteers/:id': await firstId(token, '/volunteers?page=1&pageSize=1'),
      'teams/:id': await firstId(token, '/teams?page=1&pageSize=1'),
      'orders/:id': await firstId(token, '/orders?page=1&pageSize=1'),
      'activities/:id': await firstId(token, '/activities?page=1&pageSize=1'),
    };
    const paths = routePaths('web/admin/router.ts')
      .filter((p) => !p.startsWith(':pathMatch') && p !== '/')
      .map((p) => {
        if (p === 'point-accounts/:type/:id') return null;
        if (p.includes(':')) return ids[p] && ids[p] !== 'none' ? p.replace(/:id$/, ids[p]) : null;
        return p.replace(/^\//, '');
      })
      .filter((p): p is string => p !== null);
    expect(paths.length).toBeGreaterThan(40);
    const county = await (await signedIn('admin', COUNTY_ADMIN, false)).newPage();
    const sys = await (await signedIn('admin', SYSADMIN, false)).newPage();
    const anon = await (
      await e2e.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', bypassCSP: true })
    ).newPage();
    await audit(anon, '/admin/login', 'admin signed out');
    for (const p of paths) {
      if (p === 'login') continue;
      await audit(county, `/admin/${p}`, 'admin');
      // pages the county admin may not open (系统) are audited as the system administrator
      if (new URL(county.url()).pathname === '/admin/403' && p !== '403') await audit(sys, `/admin/${p}`, 'sysadmin');
    }
    await county.goto(`${e2e.baseUrl}/admin/`);
    await county.waitForLoadState('networkidle');
    await county.screenshot({ path: path.join(SHOTS, 'admin-home.png') });
    await county.goto(`${e2e.baseUrl}/admin/volunteers`);
    await county.waitForLoadState('networkidle');
    await county.screenshot({ path: path.join(SHOTS, 'admin-volunteers.png') });
    expect(found, found.join('\n')).toEqual([]);
  }, 900_000);

  it('every H5 route and the big screen have no critical or serious violation', async () => {
    found.length = 0;
    const token = await tokenOf(VOLUNTEER);
    const county = await tokenOf(COUNTY_ADMIN);
    const ids: Record<string, string> = {
      '/order/item/:itemId': await firstId(token, '/service-items'),
      '/orders/:id': await firstId(county, '/orders?page=1&pageSize=1'),
      '/activities/:id': await firstId(county, '/activities?page=1&pageSize=1'),
      '/activities/:id/checkin': await firstId(county, '/activities?page=1&pageSize=1'),
      '/sites/:id': await firstId(county, '/sites?page=1&pageSize=1'),
      '/verify/:code': 'ABCDEFGH',
      '/articles/:id': await firstId(county, '/public/articles?page=1&pageSize=1'),
      '/surveys/:id': await firstId(token, '/me/surveys'),
      '/grid/visit/:householdId': await firstId(token, '/me/grid-households'),
    };
    const paths = routePaths('web/mobile/router.ts')
      .filter((p) => !p.startsWith('/:pathMatch'))
      .map((p) => (p.includes(':') ? p.replace(/:(id|itemId|code|householdId)/, ids[p] ?? 'none') : p));
    expect(paths.length).toBeGreaterThan(30);
    const volunteer = await (await signedIn('m', VOLUNTEER, true)).newPage();
    const anon = await (
      await e2e.browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, bypassCSP: true })
    ).newPage();
    await audit(anon, '/m/login', 'H5 signed out');
    await audit(anon, '/m/register', 'H5 signed out');
    for (const p of paths) if (p !== '/login' && p !== '/register') await audit(volunteer, `/m${p}`, 'H5');
    await volunteer.goto(`${e2e.baseUrl}/m/`);
    await volunteer.waitForLoadState('networkidle');
    await volunteer.screenshot({ path: path.join(SHOTS, 'h5-home.png') });

    // the big screen, through a display link made by the county admin
    const regions = await api<{ items: { code: string; level: string }[] }>(null, '/regions');
    const link = await api<{ token: string }>(county, '/stats/display-links', {
      method: 'POST',
      body: JSON.stringify({ regionCode: regions.items.find((r) => r.level === 'county')!.code, label: '无障碍检查' }),
    });
    const screen = await (
      await e2e.browser.newContext({ viewport: { width: 1920, height: 1080 }, bypassCSP: true })
    ).newPage();
    await audit(screen, `/screen/?token=${encodeURIComponent(link.token)}`, 'screen');
    expect(found, found.join('\n')).toEqual([]);
  }, 900_000);
});

describe('长辈模式 (elder mode)', () => {
  it('shows every text at 18 px or more and every tap target at 44 × 44 px or more on the main H5 pages', async () => {
    const context = await signedIn('m', VOLUNTEER, true);
    await context.addInitScript(() => localStorage.setItem('wm_m_elder_mode', '1'));
    const page = await context.newPage();
    const problems: string[] = [];
    for (const p of ['/', '/order', '/activity', '/points', '/mine', '/articles']) {
      await page.goto(`${e2e.baseUrl}/m${p}`);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(150);
      expect(await page.evaluate(() => document.documentElement.classList.contains('elder-mode'))).toBe(true);
      if (p === '/') {
        // a simple home: the four most used actions as large buttons, instead of the cards and the grid of eight
        expect(await page.getByTestId('home-elder-actions').locator('button').allInnerTexts()).toEqual([
          '我要点单',
          '志愿活动',
          '实践站',
          '文明积分',
        ]);
        expect(await page.getByTestId('home-nearby').count()).toBe(0);
        // the larger greeting sits below the 退出长辈模式 button, not under it
        const greeting = (await page.getByTestId('home-greeting').boundingBox())!;
        const modeButton = (await page.getByTestId('home-elder').boundingBox())!;
        expect(greeting.y).toBeGreaterThanOrEqual(modeButton.y + modeButton.height);
      }
      // the home's rule for its hero does not leak onto the page itself (every page starts at the top)
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).paddingTop)).toBe('0px');
      const bad = await page.evaluate(() => {
        const out: string[] = [];
        const visible = (el: Element) => {
          const r = el.getBoundingClientRect();
          const s = getComputedStyle(el);
          return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && s.opacity !== '0';
        };
        const name = (el: Element) =>
          `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 2).join('.')} ` +
          `“${(el.textContent ?? '').trim().slice(0, 12)}”`;
        // text: every element with a non-blank text node of its own
        for (const el of document.querySelectorAll('body *')) {
          const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
          if (!own || !visible(el)) continue;
          const size = parseFloat(getComputedStyle(el).fontSize);
          if (size < 18) out.push(`text ${size}px: ${name(el)}`);
        }
        // tap targets: links, buttons and the elements Vant makes clickable
        const targets = document.querySelectorAll(
          'a[href], button, [role="button"], [role="tab"], input:not([type="hidden"]), ' +
            '.van-cell--clickable, .van-tabbar-item, .van-grid-item__content',
        );
        for (const el of targets) {
          if (!visible(el)) continue;
          const r = el.getBoundingClientRect();
          if (r.width < 44 - 0.5 || r.height < 44 - 0.5)
            out.push(`target ${Math.round(r.width)}×${Math.round(r.height)}: ${name(el)}`);
        }
        return out;
      });
      problems.push(...bad.map((b) => `${p}: ${b}`));
      await page.screenshot({ path: path.join(SHOTS, `h5-elder${p === '/' ? '-home' : p.replace('/', '-')}.png`) });
    }
    await context.close();
    expect(problems, problems.join('\n')).toEqual([]);
  }, 120_000);
});
