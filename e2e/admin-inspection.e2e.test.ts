/**
 * The admin web end to end, second part: an institute admin inspects a station against its checklist with a
 * photo as evidence and sees the score; the auditor finds the inspection in the audit log and verifies the
 * hash chain; no page shows Element Plus's English defaults.
 * The e2e vitest config starts the server and sets E2E_BASE_URL.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from './browser.js';
import { adminPage } from './session.js';

const e2e = useBrowser();

const signIn = (phone: string): Promise<Page> => adminPage(e2e.browser, e2e.baseUrl, phone);

/** A small valid PNG (red and yellow halves), made here so the test needs no fixture file. */
function samplePng(): Buffer {
  const w = 32;
  const h = 24;
  const row = Buffer.concat([
    Buffer.from([0]),
    Buffer.from(Array.from({ length: w }, (_, x) => (x < w / 2 ? [200, 22, 29] : [250, 220, 120])).flat()),
  ]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer): number => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('admin web: inspections and audit', () => {
  it('an institute admin inspects a station with photo evidence and sees the score', async () => {
    const page = await signIn('13800000002');
    await page.goto(`${e2e.baseUrl}/admin/sites`);
    await page.getByRole('button', { name: '查询' }).waitFor();
    const station = page.locator('.el-table__body tr').filter({ hasText: '新时代文明实践站' }).first();
    await station.locator('.el-link').first().click();
    await page.waitForURL(/\/admin\/sites\/[^/]+$/);
    await expect.poll(() => page.title()).toBe('阵地详情 - 文明实践云');

    await page.getByRole('button', { name: '新增检查' }).first().click();
    const dialog = page.locator('.el-dialog').filter({ hasText: '提交检查结果' });
    await dialog.locator('.el-table__body tr').first().waitFor();
    const items = await dialog.locator('.el-table__body tr').count();
    expect(items).toBeGreaterThan(1);

    // The second item fails with a note; the first gets a photo.
    await dialog.locator('.el-table__body tr').nth(1).locator('.el-switch').click();
    await dialog.locator('.el-table__body tr').nth(1).locator('textarea').fill('活动场所被临时占用，限期腾退');
    await dialog
      .locator('.el-table__body tr')
      .first()
      .locator('input[type=file]')
      .setInputFiles({ name: 'sign.png', mimeType: 'image/png', buffer: samplePng() });
    await dialog.locator('.el-table__body tr').first().locator('.el-image img').waitFor();
    await expect.poll(() => dialog.innerText()).toContain(`当前 ${items - 1} / ${items} 项达标`);

    await dialog.getByRole('button', { name: '提交检查结果' }).click();
    await page.locator('.el-message--success').filter({ hasText: '检查已保存' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });

    const latest = page
      .locator('.el-table__body tr')
      .filter({ hasText: `${items - 1} / ${items} 项达标` })
      .first();
    await latest.waitFor();
    expect(await latest.innerText()).toContain('未达标');
    await page.context().close();
  }, 90_000);

  it('the auditor sees the inspection in Chinese and the hash chain verifies', async () => {
    const page = await signIn('13800000010');
    await page.waitForURL(/\/admin\/audit$/);
    await page.locator('.el-table__body tr').filter({ hasText: '阵地检查' }).first().waitFor();
    await page.getByRole('button', { name: '校验哈希链' }).click();
    await page.locator('.el-alert--success').filter({ hasText: '校验通过' }).waitFor();
    await page.context().close();
  }, 60_000);

  it('list pages speak Chinese, including Element Plus parts', async () => {
    const page = await signIn('13800000001');
    for (const path of ['/', '/sites', '/standards', '/regions', '/coverage', '/users', '/roles', '/settings']) {
      await page.goto(`${e2e.baseUrl}/admin${path}`);
      await page.waitForLoadState('networkidle');
      const text = await page.locator('body').innerText();
      for (const english of ['No Data', 'Go to', 'Total ', 'Select', 'Cancel'])
        expect(text, `${path} shows "${english}"`).not.toContain(english);
    }
    await page.context().close();
  }, 90_000);
});
