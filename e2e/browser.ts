/**
 * A headless Debian chromium for end-to-end checks and screenshots (playwright-core ships no browser).
 * Install with `apt-get install -y chromium fonts-noto-cjk`; set CHROMIUM_PATH to use another binary.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** The chromium binary to drive, or null when none is installed (tests should then skip, not fail). */
export function chromiumPath(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

const noChromium = () =>
  new Error('未找到 chromium：请先执行 apt-get install -y chromium fonts-noto-cjk，或设置 CHROMIUM_PATH');

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw noChromium();
  return chromium.launch({
    executablePath,
    ...options,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}

/** What an e2e test file drives: the server global-setup started, and one browser for all its tests. */
export type E2e = {
  /** the server's address without a trailing slash (E2E_BASE_URL, or the one global-setup started) */
  readonly baseUrl: string;
  /** the file's browser, launched before its tests (using it without chromium installed throws why) */
  readonly browser: Browser;
};

/**
 * One browser for the tests of a file: launched before them when chromium is installed (a file that skips without
 * it checks `chromiumPath()`), closed after them. Call it at the file's top level, before the file's own hooks: they
 * run after the launch and before the close.
 */
export function useBrowser(): E2e {
  const baseUrl = (process.env.E2E_BASE_URL ?? inject('e2eBaseUrl') ?? 'http://localhost:3000').replace(/\/$/, '');
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (chromiumPath()) browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return {
    baseUrl,
    get browser() {
      if (!browser) throw noChromium();
      return browser;
    },
  };
}
