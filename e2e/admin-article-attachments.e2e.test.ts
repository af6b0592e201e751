/**
 * 文章附件 in the admin web: a station admin writes an article, uploads two attachments in the editor (a PDF and an
 * Excel sheet), removes one, is told a file of another kind is refused, saves, and finds the kept one as a download
 * link in the article's detail; the link gives the file back.
 */
import { describe, expect, it } from 'vitest';
import { useBrowser } from './browser.js';
import { adminPage } from './session.js';

const e2e = useBrowser();

const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n');
// the start of an xlsx: a ZIP archive whose entries are named in the clear
const xlsx = Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(26), Buffer.from('xl/workbook.xml')]);

describe('admin 文章附件', () => {
  it('uploads, lists and removes attachments in the editor; the saved article shows them as downloads', async () => {
    const page = await adminPage(e2e.browser, e2e.baseUrl, '13800000004');
    const title = `e2e 附件 ${Date.now()}`;
    await page.goto(`${e2e.baseUrl}/admin/articles`);
    await page.locator('[data-test="article-create"]').click();
    const drawer = page.locator('.el-drawer').filter({ has: page.locator('[data-test="article-save"]') });
    await drawer.getByLabel('标题').fill(title);
    await drawer.locator('[data-test="article-body"]').click();
    await page.keyboard.type('附件里是本次活动的方案和报名表。');

    const input = drawer.locator('[data-test="attachment-input"]');
    await input.setInputFiles([
      { name: '活动方案.pdf', mimeType: 'application/pdf', buffer: pdf },
      { name: '报名表.xlsx', mimeType: 'application/octet-stream', buffer: xlsx },
    ]);
    const items = drawer.locator('[data-test="attachment-item"]');
    await expect.poll(() => items.count()).toBe(2);
    await expect.poll(() => items.first().innerText()).toContain('活动方案.pdf');
    // a program renamed to .pdf: the server reads the bytes and refuses it
    await input.setInputFiles({ name: '程序.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ not a pdf') });
    await page.locator('.el-message--error').filter({ hasText: '附件只能是' }).waitFor();
    expect(await items.count()).toBe(2);
    await items.filter({ hasText: '报名表.xlsx' }).locator('[data-test="attachment-remove"]').click();
    await expect.poll(() => items.count()).toBe(1);

    await drawer.locator('[data-test="article-save"]').click();
    const files = page.locator('[data-test="article-attachments"] a');
    await expect.poll(() => files.count()).toBe(1);
    expect(await files.innerText()).toBe('活动方案.pdf');
    const href = await files.getAttribute('href');
    const res = await page.request.get(`${e2e.baseUrl}${href}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    expect((await res.body()).equals(pdf)).toBe(true);
    await page.context().close();
  }, 90_000);
});
