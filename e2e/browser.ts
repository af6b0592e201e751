/**
 * A headless Debian chromium for end-to-end checks and screenshots (playwright-core ships no browser).
 * Install with `apt-get install -y chromium fonts-noto-cjk`; set CHROMIUM_PATH to use another binary.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** The chromium binary to drive, or null when none is installed (tests should then skip, not fail). */
export function chromiumPath(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    throw new Error('未找到 chromium：请先执行 apt-get install -y chromium fonts-noto-cjk，或设置 CHROMIUM_PATH');
  }
  return chromium.launch({
    executablePath,
    ...options,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}
