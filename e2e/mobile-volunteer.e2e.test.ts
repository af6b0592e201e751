/**
 * The mobile H5 end to end: a resident registers as a volunteer with a real-name ID number, sees the volunteer
 * number and that in-person verification is pending, then applies to join a team and sees the request pending.
 * The e2e vitest config starts the server and sets E2E_BASE_URL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumPath, useBrowser } from './browser.js';

const e2e = useBrowser();

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** A valid GB 11643 number for an adult born 1960–1999, different on every run so no other test can clash with it. */
function randomIdNumber(): string {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const rnd = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));
  const first17 = `411523${rnd(1960, 1999)}${pad(rnd(1, 12), 2)}${pad(rnd(1, 28), 2)}${pad(rnd(0, 999), 3)}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return first17 + CHECK[sum % 11];
}

let page: Page;

beforeAll(async () => {
  if (!chromiumPath()) return;
  const context = await e2e.browser.newContext({
    viewport: { width: 375, height: 667 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  page = await context.newPage();
}, 60_000);

describe.skipIf(!chromiumPath())('mobile H5: volunteer registration and teams', () => {
  it('a resident registers as a volunteer, gets a number, and asks to join a team', async () => {
    await page.goto(`${e2e.baseUrl}/m/login`);
    await page.getByTestId('login-phone').locator('input').fill('13800000007');
    await page.getByTestId('login-password').locator('input').fill('Demo@2026');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/m\/$/);

    // 首页 offers registration to a resident who is not a volunteer yet.
    await page.getByTestId('home-register').click();
    await page.waitForURL(/\/m\/volunteer\/register$/);

    // Step 1: 实名信息. A wrong check character is caught while typing …
    const id = randomIdNumber();
    const wrong = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
    const idInput = page.getByTestId('reg-id').locator('input');
    await idInput.fill(wrong);
    await expect.poll(() => page.getByTestId('reg-id').innerText()).toContain('校验位不正确');

    // … and the right number shows the sex and birth date it carries.
    await idInput.fill(id);
    await page.getByTestId('reg-id-info').waitFor();
    const birth = `${Number(id.slice(6, 10))}年${Number(id.slice(10, 12))}月${Number(id.slice(12, 14))}日`;
    expect(await page.getByTestId('reg-birth').innerText()).toBe(birth);
    expect(await page.getByTestId('reg-gender').innerText()).toBe(Number(id[16]) % 2 === 1 ? '男' : '女');
    // An adult: no guardian section.
    expect(await page.getByTestId('reg-guardian').count()).toBe(0);

    await page.getByTestId('reg-name').locator('input').fill('赵大娘');
    await page.getByTestId('reg-phone').locator('input').fill('13900000007');
    // 所属村（社区） starts at the resident's own village.
    await expect
      .poll(() => page.getByTestId('reg-region').locator('input').inputValue(), { timeout: 10_000 })
      .toContain('红旗社区');
    await page.getByTestId('reg-next').click();

    // Step 2: 服务意向 and the consent, which is required.
    await page.getByTestId('reg-step2').waitFor();
    await page.getByTestId('reg-categories').locator('button').first().click();
    await page.getByTestId('reg-availability').locator('button').first().click();
    await page.getByTestId('reg-submit').click();
    await expect.poll(() => page.getByTestId('reg-consent').innerText()).toContain('请阅读并勾选同意');
    await page.getByTestId('reg-consent-check').click();
    await page.getByTestId('reg-submit').click();

    // Registered: the volunteer number, and 实名核验 still to be done in person.
    await page.getByTestId('reg-done').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('reg-volunteer-no').innerText()).toMatch(/^ZY\d{12}$/);
    expect(await page.getByTestId('reg-verify-pending').innerText()).toContain('核验');

    // Join a team: the request waits for the leader or staff.
    await page.getByTestId('reg-join-team').click();
    await page.waitForURL(/\/m\/teams/);
    const team = page.getByTestId('team-joinable').first();
    await team.waitFor({ timeout: 15_000 });
    const teamName = (await team.locator('h3').innerText()).trim();
    await team.getByTestId('team-join').click();
    await page.getByTestId('join-note').locator('textarea').fill('想为乡亲们出份力');
    await page.getByRole('button', { name: '提交申请' }).click();

    const mine = page.getByTestId('team-mine').filter({ hasText: teamName });
    await mine.waitFor({ timeout: 15_000 });
    expect(await mine.getAttribute('data-status')).toBe('pending');
    expect(await mine.getByTestId('team-pending').innerText()).toContain('待审核');

    // The profile shows the number, the masked ID and the pending membership.
    await page.goto(`${e2e.baseUrl}/m/volunteer`);
    await page.getByTestId('profile-no').waitFor();
    expect(await page.getByTestId('profile-unverified').count()).toBe(1);
    expect(await page.getByTestId('profile-id').innerText()).toContain('********');
    expect(await page.getByTestId('profile-teams').innerText()).toContain(teamName);
  }, 90_000);
});
