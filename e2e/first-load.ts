/**
 * How much JavaScript a first visit downloads (issue #13: the admin's first load under 250 KB gzip). Builds
 * nothing: a headless Chromium opens the app signed out (the login page), signs in as a demo user and waits for the
 * home page to settle (the admin dashboard's charts included); every script it fetched is counted once, by the gzip
 * size of its file in dist/web (level 9, as the web build writes file.gz — the browser itself may get brotli).
 * Used by the browser test (e2e/web-delivery.e2e.test.ts) and by the bench (bench/run.ts, foundation).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from './server.js';

/** The budget for the admin: login page plus home page after sign-in. */
export const ADMIN_FIRST_LOAD_BUDGET_KB = 250;

type Script = { file: string; rawBytes: number; gzipBytes: number };
export type FirstLoad = {
  /** Scripts the pages need, in the order fetched, with their raw and gzip sizes in bytes. */
  scripts: Script[];
  gzipKb: number;
  rawKb: number;
  /**
   * Fetched after the page is up, when its first chart is drawn (admin/components/LazyEChart.ts): the chart library.
   * Not part of the budget; reported beside it.
   */
  charts: { scripts: Script[]; gzipKb: number; rawKb: number };
};

type ManifestChunk = { file: string; imports?: string[]; isEntry?: boolean; isDynamicEntry?: boolean; src?: string };
const CHART_ENTRY = 'admin/components/EChart.vue';

const DEMO_PASSWORD = 'Demo@2026';
const webRoot = path.join(repoRoot, 'dist/web');

const kb = (n: number) => Math.round((n / 1024) * 10) / 10;

function sized(files: string[]) {
  const scripts = files.map((file) => {
    const data = fs.readFileSync(path.join(webRoot, file));
    return { file, rawBytes: data.length, gzipBytes: zlib.gzipSync(data, { level: 9 }).length };
  });
  return {
    scripts,
    gzipKb: kb(scripts.reduce((s, x) => s + x.gzipBytes, 0)),
    rawKb: kb(scripts.reduce((s, x) => s + x.rawBytes, 0)),
  };
}

/**
 * Splits the fetched files by the build manifest: what the entry and the route components loaded need (their static
 * imports), and what only the lazily loaded chart component brought.
 */
function sizes(files: string[]): FirstLoad {
  const manifest = JSON.parse(fs.readFileSync(path.join(webRoot, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const needed = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || needed.has(chunk.file)) return;
    needed.add(chunk.file);
    for (const i of chunk.imports ?? []) visit(i);
  };
  for (const [key, chunk] of Object.entries(manifest))
    if ((chunk.isEntry || chunk.isDynamicEntry) && key !== CHART_ENTRY && files.includes(chunk.file)) visit(key);
  return {
    ...sized(files.filter((f) => needed.has(f))),
    charts: sized(files.filter((f) => !needed.has(f))),
  };
}

/** Records the same-origin .js files the page fetches from now on. */
function recordScripts(page: Page, baseUrl: string): string[] {
  const seen: string[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.origin !== new URL(baseUrl).origin || !url.pathname.endsWith('.js')) return;
    const file = url.pathname.replace(/^\//, '');
    if (!seen.includes(file)) seen.push(file);
  });
  return seen;
}

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
}

/** /admin/ signed out, then signed in as the county admin (13800000001) until the dashboard's charts are drawn. */
export async function adminFirstLoad(browser: Browser, baseUrl: string): Promise<FirstLoad> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  try {
    const page = await context.newPage();
    const files = recordScripts(page, baseUrl);
    await page.goto(`${baseUrl}/admin/`);
    await page.waitForURL(/\/admin\/login/);
    await settle(page);
    await page.getByPlaceholder('请输入手机号').fill('13800000001');
    await page.getByPlaceholder('请输入密码').fill(DEMO_PASSWORD);
    await page.locator('button.submit').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
    await page.locator('.el-menu').first().waitFor();
    await page.locator('canvas').first().waitFor();
    await settle(page);
    return sizes(files);
  } finally {
    await context.close();
  }
}

/**
 * /m/ signed out (the home page as a visitor sees it: the columns, the news), then 登录 and signed in as the demo
 * resident (13800000007) until the home page settles.
 */
export async function mobileFirstLoad(browser: Browser, baseUrl: string): Promise<FirstLoad> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'zh-CN', isMobile: true });
  try {
    const page = await context.newPage();
    const files = recordScripts(page, baseUrl);
    await page.goto(`${baseUrl}/m/`);
    await page.getByTestId('home-news').waitFor();
    await settle(page);
    await page.getByTestId('home-login').click();
    await page.waitForURL(/\/m\/login/);
    await page.getByTestId('login-phone').locator('input').fill('13800000007');
    await page.getByTestId('login-password').locator('input').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/m/login'));
    await settle(page);
    return sizes(files);
  } finally {
    await context.close();
  }
}

/**
 * Slow 4G as Lighthouse's DevTools throttling applies it (150 ms RTT and 1.6 Mbps down, adjusted for throttling in
 * the browser: 562.5 ms latency, 1,474.56 kbit/s down, 675 kbit/s up).
 */
export const SLOW_4G = { latency: 562.5, downloadThroughput: (1474.56 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 };

/** The H5's budget for a first visit (issue #14): first contentful paint on slow 4G, and its JavaScript (gzip). */
export const MOBILE_FCP_BUDGET_MS = 2500;
export const MOBILE_FIRST_LOAD_BUDGET_KB = 200;

/**
 * First contentful paint of /m/ for a first visit (nothing cached) with the network throttled to slow 4G (Chrome
 * DevTools Protocol `Network.emulateNetworkConditions`), read from the page's paint timing.
 */
export async function mobileFirstPaint(browser: Browser, baseUrl: string): Promise<{ fcpMs: number; landed: string }> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'zh-CN', isMobile: true });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW_4G });
    await page.goto(`${baseUrl}/m/`, { waitUntil: 'load', timeout: 120_000 });
    const fcpMs = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const seen = performance.getEntriesByName('first-contentful-paint')[0];
          if (seen) return resolve(seen.startTime);
          new PerformanceObserver((list) => {
            const e = list.getEntriesByName('first-contentful-paint')[0];
            if (e) resolve(e.startTime);
          }).observe({ type: 'paint', buffered: true });
        }),
    );
    return { fcpMs: Math.round(fcpMs), landed: new URL(page.url()).pathname };
  } finally {
    await context.close();
  }
}
