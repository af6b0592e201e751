/**
 * Everyday use (issue #13): a resident in the admin is sent to the H5; an account whose password staff chose sets its
 * own first, in both apps; and every admin and H5 route, opened as a demo user who may see it, shows no code-like
 * token (`shop_redemption`, `shop.redeem` …) in its visible text. Screenshots of every route go to
 * .tmp/screenshots/walk/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumPath, useBrowser } from './browser.js';
import { repoRoot } from './server.js';

const e2e = useBrowser();
const PASSWORD = 'Demo@2026';
const SHOTS = path.join(repoRoot, '.tmp/screenshots/walk');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const contexts = new Map<string, BrowserContext>();

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
}, 60_000);

async function newContext(mobile: boolean): Promise<BrowserContext> {
  return e2e.browser.newContext({
    viewport: mobile ? { width: 390, height: 844 } : { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
}

/** A browser context signed in as `phone` (the session cookie set by the login answer). */
async function signedIn(phone: string, mobile: boolean): Promise<BrowserContext> {
  const key = `${phone}:${mobile}`;
  const known = contexts.get(key);
  if (known) return known;
  const context = await newContext(mobile);
  const res = await context.request.post(`${e2e.baseUrl}/api/v1/auth/login`, { data: { phone, password: PASSWORD } });
  expect(res.status(), phone).toBe(200);
  contexts.set(key, context);
  return context;
}

const tokens = new Map<string, string>();
async function api(phone: string, method: string, url: string, body?: unknown): Promise<Json> {
  let token = tokens.get(phone);
  if (!token) {
    const r = await fetch(`${e2e.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone, password: PASSWORD }),
    });
    token = ((await r.json()) as Json).token as string;
    tokens.set(phone, token);
  }
  const r = await fetch(`${e2e.baseUrl}/api/v1${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return r.status === 204 ? {} : ((await r.json()) as Json);
}

/** Waits for the page's requests to settle (a page that keeps polling still gets its screenshot after 6 s). */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: 6000 }).catch(() => undefined);
  // Element Plus tables show a loading mask until their rows are in, Vant lists a loading line
  await page
    .waitForFunction(
      `![...document.querySelectorAll('.el-loading-mask, .van-loading')].some((e) => e.getClientRects().length)`,
      undefined,
      { timeout: 8000 },
    )
    .catch(() => undefined);
}

// ---------- a resident in the admin ----------

describe.skipIf(!chromiumPath())('the admin is for staff', () => {
  it('a resident who signs in to /admin/ is told it is for staff, sees no menu and is offered /m/', async () => {
    const context = await newContext(false);
    const page = await context.newPage();
    await page.goto(`${e2e.baseUrl}/admin/login`);
    await page.getByPlaceholder('请输入手机号').fill('13800000007');
    await page.getByPlaceholder('请输入密码').fill(PASSWORD);
    await page.locator('button.submit').click();
    await page.waitForURL(/\/admin\/staff-only/);
    await page.getByText('管理后台仅供工作人员使用').waitFor();
    expect(await page.locator('.el-menu').count()).toBe(0);
    // every admin address leads back here
    await page.goto(`${e2e.baseUrl}/admin/orders`);
    await page.waitForURL(/\/admin\/staff-only/);
    await page.screenshot({ path: path.join(SHOTS, 'admin-staff-only.png') });
    await page.getByRole('link', { name: '前往手机端' }).click();
    await page.waitForURL(/\/m\/$/);
    await page.getByTestId('home-greeting').waitFor();
    await context.close();
  });

  it('a volunteer is sent to the H5 too; a station admin is not', async () => {
    for (const [phone, staffOnly] of [
      ['13800000005', true],
      ['13800000004', false],
    ] as const) {
      const context = await signedIn(phone, false);
      const page = await context.newPage();
      await page.goto(`${e2e.baseUrl}/admin/`);
      await settle(page);
      expect(new URL(page.url()).pathname === '/admin/staff-only', phone).toBe(staffOnly);
      expect((await page.locator('.el-menu').count()) > 0, phone).toBe(!staffOnly);
      await page.close();
    }
  });
});

// ---------- a password chosen by staff ----------

describe.skipIf(!chromiumPath())('a password chosen by staff is changed at first sign-in', () => {
  async function newAccount(phone: string, role: string): Promise<void> {
    const village = (await api('13800000001', 'GET', '/regions?parent=411523100')).items[1].code as string;
    const res = await api('13800000001', 'POST', '/users', {
      name: role === 'resident' ? '新群众' : '新站长',
      phone,
      password: 'Staff@2026',
      regionCode: village,
      roles: [{ role, regionCode: village, scope: role === 'resident' ? 'self' : 'subtree' }],
    });
    expect(res.id, JSON.stringify(res)).toBeTruthy();
  }

  it('in the H5: the resident lands on 修改密码, cannot leave it, and is home once it is done', async () => {
    await newAccount('13700000031', 'resident');
    const context = await newContext(true);
    const page = await context.newPage();
    await page.goto(`${e2e.baseUrl}/m/login`);
    await page.getByTestId('login-phone').locator('input').fill('13700000031');
    await page.getByTestId('login-password').locator('input').fill('Staff@2026');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/m\/password/);
    await page.getByTestId('password-required').waitFor();
    await page.goto(`${e2e.baseUrl}/m/orders/mine`);
    await page.waitForURL(/\/m\/password/);
    await page.screenshot({ path: path.join(SHOTS, 'm-password-required.png') });
    await page.getByTestId('password-old').locator('input').fill('Staff@2026');
    await page.getByTestId('password-new').locator('input').fill('Mine@2026x');
    await page.getByTestId('password-confirm').locator('input').fill('Mine@2026x');
    await page.getByTestId('password-submit').click();
    await page.waitForURL(/\/m\/$/);
    await page.getByTestId('home-greeting').waitFor();
    await page.goto(`${e2e.baseUrl}/m/mine`);
    await page.getByTestId('mine-password').waitFor();
    await context.close();
  });

  it('in the admin: the new station admin sees no menu until the password is changed', async () => {
    await newAccount('13700000032', 'station_admin');
    const context = await newContext(false);
    const page = await context.newPage();
    await page.goto(`${e2e.baseUrl}/admin/login`);
    await page.getByPlaceholder('请输入手机号').fill('13700000032');
    await page.getByPlaceholder('请输入密码').fill('Staff@2026');
    await page.locator('button.submit').click();
    await page.waitForURL(/\/admin\/password/);
    await page.getByText('您的密码是管理员设置的').waitFor();
    expect(await page.locator('.el-menu-item').count()).toBe(0);
    await page.goto(`${e2e.baseUrl}/admin/sites`);
    await page.waitForURL(/\/admin\/password/);
    await page.screenshot({ path: path.join(SHOTS, 'admin-password-required.png') });
    await page.getByPlaceholder('请输入当前使用的密码').fill('Staff@2026');
    await page.getByPlaceholder('至少 8 位，含大写字母').fill('Mine@2026x');
    await page.getByPlaceholder('请再输入一次新密码').fill('Mine@2026x');
    await page.getByRole('button', { name: '确认修改' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/admin/password'));
    await page.locator('.el-menu').getByText('阵地管理').waitFor();
    await context.close();
  });
});

// ---------- every route, no raw codes ----------

/** The routes a router file declares, in order (`path: '…'`), without the catch-all. */
function routesOf(file: string): string[] {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(/path: '([^']*)'/g)].map((m) => m[1]).filter((p) => !p.includes('pathMatch'));
}

/**
 * Code-like tokens: snake_case words and dotted codes. Not counted: addresses and e-mails (removed before looking) and
 * file types named for people to pick a file (`.xlsx` on a download button).
 */
const FILE_TYPES = new Set(['xlsx', 'xls', 'docx', 'pdf', 'jpg', 'jpeg', 'png', 'webp', 'csv', 'zip']);
function codeLike(text: string): string[] {
  const clean = text.replace(/https?:\/\/\S+/g, ' ').replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, ' ');
  const found = [...clean.matchAll(/[a-z]+_[a-z]+|[A-Za-z]*\.[a-z]{2,}/g)].map((m) => m[0]);
  return [...new Set(found.filter((t) => !(t.startsWith('.') && FILE_TYPES.has(t.slice(1)))))];
}

/** Times as a program writes them (ISO 8601, a browser's toString) are never shown to people. */
function rawTimes(text: string): string[] {
  return [...text.matchAll(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|GMT[+-]\d{4}|\d{4}\/\d{1,2}\/\d{1,2}/g)].map((m) => m[0]);
}

/** How a table cell writes a date, by the first date in it (null: none). */
const DATE_FORMATS: [string, RegExp][] = [
  ['YYYY-MM-DD HH:mm', /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/],
  ['YYYY-MM-DD', /\d{4}-\d{2}-\d{2}/],
  ['YYYY年M月D日', /\d{4}年\d{1,2}月\d{1,2}日/],
  ['MM-DD HH:mm', /\d{2}-\d{2} \d{2}:\d{2}/],
];

/** The columns of the page's tables whose cells write dates in more than one way (one format per column). */
async function mixedDateColumns(page: Page): Promise<string[]> {
  const tables = await page.locator('.el-table').evaluateAll((els) =>
    els.map((table) => {
      const heads = [...table.querySelectorAll('.el-table__header th')].map((th) => th.textContent?.trim() ?? '');
      const rows = [...table.querySelectorAll('.el-table__body tr')].map((tr) =>
        [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText.split('\n')[0].trim()),
      );
      return { heads, rows };
    }),
  );
  const mixed: string[] = [];
  for (const { heads, rows } of tables)
    for (let col = 0; col < heads.length; col++) {
      const formats = new Set<string>();
      for (const row of rows) {
        const cell = row[col] ?? '';
        const format = DATE_FORMATS.find(([, re]) => re.test(cell));
        if (format) formats.add(format[0]);
      }
      if (formats.size > 1) mixed.push(`${heads[col]}: ${[...formats].join(' / ')}`);
    }
  return mixed;
}

/**
 * The images on screen that show nothing: an <img> without an address (e.g. a lazy-load directive nobody registered)
 * or one whose file failed to load. Images below the fold are not asked for yet and are not counted.
 */
async function brokenImages(page: Page): Promise<string[]> {
  await page
    .waitForFunction(`[...document.images].every((i) => i.complete || !i.getAttribute('src'))`, undefined, {
      timeout: 5000,
    })
    .catch(() => undefined);
  return page.evaluate(() =>
    [...document.images]
      .filter((i) => {
        const r = i.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.top < window.innerHeight && r.bottom > 0;
      })
      .filter((i) => !i.getAttribute('src') || (i.complete && i.naturalWidth === 0))
      .map((i) => i.getAttribute('src') || `${i.className || 'img'} without src`),
  );
}

const ids: Record<string, string> = {};

/** Fills a route's parameters with records of the demo county that the walking user can see. */
function fill(app: 'admin' | 'm', route: string): string {
  if (app === 'm')
    route = route
      .replace('orders/:id', `orders/${ids.myOrder}`)
      .replace('activities/:id', `activities/${ids.browse}`)
      .replace('articles/:id', `articles/${ids.article}`)
      .replace('surveys/:id', `surveys/${ids.survey}`)
      .replace(':householdId', ids.household);
  return route
    .replace(':type/:id', `${ids.accountType}/${ids.accountId}`)
    .replace(/(sites)\/:id/, `$1/${ids.site}`)
    .replace(/(volunteers)\/:id/, `$1/${ids.volunteer}`)
    .replace(/(teams)\/:id/, `$1/${ids.team}`)
    .replace(/(orders)\/:id/, `$1/${ids.order}`)
    .replace(/(activities)\/:id/, `$1/${ids.activity}`)
    .replace(':itemId', ids.item)
    .replace(':code', ids.verify ?? 'XXXXXXXX');
}

async function walk(app: 'admin' | 'm', route: string, who: string[]): Promise<void> {
  const target = `/${app}/${fill(app, route).replace(/^\//, '')}`;
  for (const phone of who) {
    const page = await (await signedIn(phone, app === 'm')).newPage();
    try {
      await page.goto(`${e2e.baseUrl}${target}`);
      await settle(page);
      const at = new URL(page.url()).pathname;
      if (at === '/admin/403' && phone !== who.at(-1)) continue; // someone else may see it
      await page.screenshot({ path: path.join(SHOTS, `${app}-${route.replace(/[/:]+/g, '_') || 'home'}.png`) });
      const text = await page.locator('body').innerText();
      expect(codeLike(text), `${target} as ${phone}`).toEqual([]);
      expect(rawTimes(text), `${target} as ${phone}`).toEqual([]);
      expect(await mixedDateColumns(page), `${target} as ${phone}`).toEqual([]);
      expect(await brokenImages(page), `${target} as ${phone}`).toEqual([]);
      return;
    } finally {
      await page.close();
    }
  }
}

describe.skipIf(!chromiumPath())('no raw codes on screen', () => {
  beforeAll(async () => {
    const first = async (phone: string, url: string) => ((await api(phone, 'GET', url)).items ?? [])[0] ?? {};
    ids.site = (await first('13800000001', '/sites?pageSize=1')).id;
    ids.volunteer = (await first('13800000001', '/volunteers?pageSize=1')).id;
    ids.team = (await first('13800000001', '/teams?pageSize=1')).id;
    ids.order = (await first('13800000001', '/orders?pageSize=1')).id;
    ids.activity = (await first('13800000001', '/activities?pageSize=1')).id;
    const account = await first('13800000001', '/points/accounts?pageSize=1');
    ids.accountType = account.type;
    ids.accountId = account.ownerId ?? account.id;
    ids.item = (await first('13800000007', '/service-items')).id;
    ids.myOrder = (await first('13800000007', '/orders/mine')).id;
    ids.browse = (await first('13800000005', '/activities/browse')).id;
    ids.article = (await first('13800000001', '/public/articles?pageSize=1')).id;
    ids.survey = (await first('13800000005', '/me/surveys')).id;
    ids.household = (await first('13800000005', '/me/grid-households')).id;
  }, 60_000);

  // the county admin sees most pages; the 三员 their own
  const staff = ['13800000001', '13800000009', '13800000011', '13800000010'];
  for (const route of routesOf('web/admin/router.ts').filter((r) => !['login', '/login', '403'].includes(r)))
    it(`admin /${route}`, () => walk('admin', route, route === '/staff-only' ? ['13800000007'] : staff));

  for (const route of routesOf('web/mobile/router.ts').filter((r) => !['/login', '/register'].includes(r)))
    it(`H5 ${route}`, () => walk('m', route, [route.startsWith('/orders/') ? '13800000007' : '13800000005']));
});

describe('the apps bring their own icons', () => {
  it('admin, H5 and screen each have a favicon, and no stylesheet loads a font or image from an outside host', async () => {
    for (const app of ['/admin/', '/m/', '/screen/']) {
      const html = await (await fetch(`${e2e.baseUrl}${app}`)).text();
      const icon = /<link rel="icon"[^>]*href="([^"]+)"/.exec(html)?.[1];
      expect(icon, app).toBeTruthy();
      if (icon!.startsWith('data:')) expect(decodeURIComponent(icon!), app).toContain('svg');
      else {
        const res = await fetch(new URL(icon!, `${e2e.baseUrl}${app}`));
        expect(res.status, `${app} ${icon}`).toBe(200);
        expect(await res.text()).toContain('<svg');
      }
      for (const [, href] of html.matchAll(/<link rel="stylesheet"[^>]*href="([^"]+)"/g)) {
        const css = await (await fetch(new URL(href, `${e2e.baseUrl}${app}`))).text();
        expect(css.match(/url\(\s*["']?(?:https?:)?\/\/[^)]*\)/g) ?? [], `${app} ${href}`).toEqual([]);
      }
    }
  });
});
