/**
 * 走访记录 in the admin web: a station admin logs a visit with a photo (through the API, as the H5 does), opens it
 * from the visit list, sees the photo as a thumbnail in the detail and opens the full image with a click.
 */
import { describe, expect, it } from 'vitest';
import { useBrowser } from './browser.js';
import { adminPage } from './session.js';

const e2e = useBrowser();

describe('admin 走访详情', () => {
  it('shows the visit photos as thumbnails and opens the full image on click', async () => {
    const page = await adminPage(e2e.browser, e2e.baseUrl, '13800000004');
    const api = `${e2e.baseUrl}/api/v1`;
    const visits = (await (await page.request.get(`${api}/visits?pageSize=1`)).json()) as {
      items: { householdId: string; headName: string }[];
    };
    expect(visits.items.length).toBe(1);
    const csrf = (await page.context().cookies()).find((c) => c.name === 'wm_csrf')?.value ?? '';
    const headers = { 'x-csrf-token': csrf };
    // a small PNG drawn by the browser itself
    const png = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 40;
      c.height = 30;
      const g = c.getContext('2d')!;
      g.fillStyle = '#c8161d';
      g.fillRect(0, 0, 40, 30);
      return c.toDataURL('image/png').split(',')[1];
    });
    const upload = await page.request.post(`${api}/files`, {
      headers,
      multipart: { file: { name: '走访.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') } },
    });
    expect(upload.status()).toBe(201);
    const photo = (await upload.json()) as { id: string };
    const note = `e2e 走访 带照片 ${Date.now()}`;
    const created = await page.request.post(`${api}/visits`, {
      headers,
      data: { householdId: visits.items[0].householdId, note, photoIds: [photo.id] },
    });
    expect(created.status()).toBe(201);

    await page.goto(`${e2e.baseUrl}/admin/visits`);
    const row = page.locator('[data-test="visit-table"] .el-table__body tr').filter({ hasText: note }).first();
    await row.locator('[data-test="visit-thumbs"] img').waitFor();
    await row.locator('[data-test="visit-open"]').click();
    const detail = page.locator('[data-test="visit-detail"]');
    await expect.poll(() => detail.innerText()).toContain(note);
    const thumb = detail.locator('[data-test="visit-detail-photos"] img');
    await thumb.waitFor();
    expect(await thumb.getAttribute('src')).toContain(photo.id);
    await thumb.click();
    const full = page.locator('.el-image-viewer__wrapper img.el-image-viewer__img');
    await full.waitFor();
    expect(await full.getAttribute('src')).toContain(photo.id);
    expect(await full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(40);
    await page.context().close();
  }, 90_000);
});
