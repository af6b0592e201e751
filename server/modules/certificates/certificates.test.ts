import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import QRCode from 'qrcode';
import { files } from '../../db/schema/index.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const V = PHONES.volunteer;
const ADMIN = PHONES.xinjiAdmin;
const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as object } : {}) });

const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
// CI installs poppler-utils (.ci/run); there the text checks never skip
if (!hasPdftotext && process.env.CI)
  throw new Error('pdftotext (poppler-utils) is required under CI to check the certificate text');
function pdfText(buf: Buffer) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-'));
  fs.writeFileSync(path.join(dir, 'c.pdf'), buf);
  try {
    return execFileSync('pdftotext', ['-enc', 'UTF-8', path.join(dir, 'c.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('certificates', () => {
  it('staff issue a certificate for a volunteer in scope; the PDF is small, Chinese and extractable', async () => {
    const me = (await api(V, 'GET', '/me')).json();
    const name = me.name as string;
    const res = await api(ADMIN, 'POST', '/certificates', {
      volunteerId: me.volunteerId,
      from: '2025-06-01',
      to: '2026-05-31',
    });
    expect(res.statusCode, res.body).toBe(201);
    const cert = res.json();
    expect(cert.number).toMatch(/^ZYZM-411523-2026-\d{6}$/);
    expect(cert.verifyCode).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(cert.hours).toBeGreaterThan(0);

    const pdf = await api(ADMIN, 'GET', `/certificates/${cert.id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    expect(pdf.rawPayload.subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(pdf.rawPayload.length).toBeLessThan(1024 * 1024);
    if (process.env.CERT_PDF_OUT) fs.writeFileSync(process.env.CERT_PDF_OUT, pdf.rawPayload);
    if (hasPdftotext) {
      const text = pdfText(pdf.rawPayload);
      expect(text).toContain('志愿服务证明');
      expect(text).toContain(name);
      expect(text).toContain(cert.number);
      expect(text).toContain('扫码验证');
      expect(text).toContain('新县新时代文明实践中心');
      expect(text).toContain('居民身份证');
    }
    // the volunteer downloads their own; others cannot
    expect((await api(V, 'GET', `/certificates/${cert.id}/pdf`)).statusCode).toBe(200);
    expect((await api(PHONES.volunteer2, 'GET', `/certificates/${cert.id}/pdf`)).statusCode).toBe(404);
    expect((await api(PHONES.shawoAdmin, 'GET', `/certificates/${cert.id}/pdf`)).statusCode).toBe(404);
    expect((await api(null, 'GET', `/certificates/${cert.id}/pdf`)).statusCode).toBe(401);

    const detail = (await api(V, 'GET', `/certificates/${cert.id}`)).json();
    expect(detail.snapshot).toMatchObject({
      name,
      idTypeName: '居民身份证',
      issuer: { name: '新县新时代文明实践中心' },
    });
    expect(detail.snapshot.idMasked).toContain('*');
    expect(detail.snapshot.content.length).toBeGreaterThan(0);
    expect(detail.snapshot.content.length).toBeLessThanOrEqual(30);
    expect((await api(V, 'GET', '/me/certificates')).json().items.map((c: { id: string }) => c.id)).toContain(cert.id);
    expect((await api(ADMIN, 'GET', `/certificates?q=${cert.number}`)).json().items).toHaveLength(1);
  });

  it('public verification: valid, then invalid once revoked; unknown codes are 404', async () => {
    const me = (await api(V, 'GET', '/me')).json();
    const cert = (
      await api(ADMIN, 'POST', '/certificates', { volunteerId: me.volunteerId, from: '2025-01-01', to: '2026-06-01' })
    ).json();
    const ok = await api(null, 'GET', `/public/certificates/${cert.verifyCode}`);
    expect(ok.statusCode).toBe(200);
    const name = me.name as string;
    expect(ok.json()).toMatchObject({
      valid: true,
      number: cert.number,
      issuer: '新县新时代文明实践中心',
      periodFrom: '2025-01-01',
      periodTo: '2026-06-01',
      revokedAt: null,
      hours: cert.hours,
    });
    expect(ok.json().name).toBe(
      `${name[0]}${'*'.repeat(Math.max(1, name.length - 2))}${name.length > 2 ? name.at(-1) : ''}`,
    );
    expect(ok.json().name).not.toBe(name);

    expect((await api(V, 'POST', `/certificates/${cert.id}/revoke`, { reason: '信息有误' })).statusCode).toBe(403);
    expect(
      (await api(PHONES.shawoAdmin, 'POST', `/certificates/${cert.id}/revoke`, { reason: '信息有误' })).statusCode,
    ).toBe(404);
    expect((await api(ADMIN, 'POST', `/certificates/${cert.id}/revoke`, {})).json().error.details[0].path).toBe(
      'reason',
    );
    const revoked = await api(ADMIN, 'POST', `/certificates/${cert.id}/revoke`, { reason: '信息有误，重新开具' });
    expect(revoked.json()).toMatchObject({ valid: false, revokeReason: '信息有误，重新开具' });
    expect((await api(ADMIN, 'POST', `/certificates/${cert.id}/revoke`, { reason: '再次作废' })).statusCode).toBe(409);
    const bad = (await api(null, 'GET', `/public/certificates/${cert.verifyCode}`)).json();
    expect(bad).toMatchObject({ valid: false, number: cert.number });
    expect(bad.revokedAt).toBeTruthy();
    expect((await api(null, 'GET', '/public/certificates/no-such-code-123')).statusCode).toBe(404);
    const pdf = await api(V, 'GET', `/certificates/${cert.id}/pdf`);
    if (hasPdftotext) expect(pdfText(pdf.rawPayload)).toContain('已作废');
  });

  it('a volunteer issues their own; bad periods, no hours, out of scope and no sign-in are refused', async () => {
    const self = await api(V, 'POST', '/me/certificates', { from: '2026-01-01', to: '2026-05-31' });
    expect(self.statusCode, self.body).toBe(201);
    const n1 = Number(self.json().number.slice(-6));
    const self2 = (await api(V, 'POST', '/me/certificates', { from: '2026-01-01', to: '2026-05-31' })).json();
    expect(Number(self2.number.slice(-6))).toBe(n1 + 1);
    expect((await api(null, 'POST', '/me/certificates', { from: '2026-01-01', to: '2026-05-31' })).statusCode).toBe(
      401,
    );
    const reversed = await api(V, 'POST', '/me/certificates', { from: '2026-05-31', to: '2026-01-01' });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.details[0].path).toBe('to');
    expect(
      (await api(V, 'POST', '/me/certificates', { from: '2026-02-30', to: '2026-05-31' })).json().error.details[0].path,
    ).toBe('from');
    expect(
      (await api(V, 'POST', '/me/certificates', { from: '2026-01-01', to: '2030-01-01' })).json().error.details[0].path,
    ).toBe('to');
    const none = await api(V, 'POST', '/me/certificates', { from: '2010-01-01', to: '2010-12-31' });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.message).toContain('没有已认定的服务时长');
    expect(
      (await api(PHONES.resident, 'POST', '/me/certificates', { from: '2026-01-01', to: '2026-05-31' })).statusCode,
    ).toBe(404);

    const me = (await api(V, 'GET', '/me')).json();
    expect(
      (await api(V, 'POST', '/certificates', { volunteerId: me.volunteerId, from: '2026-01-01', to: '2026-05-31' }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await api(PHONES.shawoAdmin, 'POST', '/certificates', {
          volunteerId: me.volunteerId,
          from: '2026-01-01',
          to: '2026-05-31',
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await api(ADMIN, 'POST', '/certificates', { volunteerId: 'x', from: '2026-01-01', to: '2026-05-31' })).json()
        .error.details[0].path,
    ).toBe('volunteerId');
    expect(
      (await api(PHONES.shawoAdmin, 'GET', '/certificates?pageSize=200')).json().items.map((c: { id: string }) => c.id),
    ).not.toContain(self.json().id);
    expect((await api(V, 'GET', '/certificates')).statusCode).toBe(403);
  });

  it('uses the uploaded seal image when the setting names one', async () => {
    const png = await QRCode.toBuffer('印章', {
      type: 'png',
      width: 120,
      color: { dark: '#d0021bff', light: '#00000000' },
    });
    await t.deps.files.put('test/seal.png', png);
    const [f] = await t.deps.database.db
      .insert(files)
      .values({
        countyCode: '411523',
        ownerId: null,
        purpose: 'image',
        mime: 'image/png',
        size: png.length,
        sha256: 'x',
        storageKey: 'test/seal.png',
        originalName: 'seal.png',
      })
      .returning();
    expect(
      (
        await api(PHONES.countyAdmin, 'PUT', '/settings', {
          'certificates.sealFileId': f.id,
          'certificates.personInCharge': '刘文明',
        })
      ).statusCode,
    ).toBe(200);
    const cert = (await api(V, 'POST', '/me/certificates', { from: '2026-01-01', to: '2026-05-31' })).json();
    const pdf = await api(V, 'GET', `/certificates/${cert.id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.toString('latin1')).toContain('/Subtype /Image');
    if (hasPdftotext) expect(pdfText(pdf.rawPayload)).toContain('刘文明');
  });
});

describe('the certificate machine', () => {
  async function fresh() {
    const me = (await api(V, 'GET', '/me')).json();
    const r = await api(ADMIN, 'POST', '/certificates', {
      volunteerId: me.volunteerId,
      from: '2025-01-01',
      to: '2026-06-01',
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().id as string;
  }
  const revoke = (phone: string, id: string) =>
    api(phone, 'POST', `/certificates/${id}/revoke`, { reason: '信息有误，重新开具' });

  it('the issuer may revoke a valid certificate, once; the holder may not; the actions say so', async () => {
    const id = await fresh();
    const staff = await api(ADMIN, 'GET', `/certificates/${id}`);
    expect(staff.json()).toMatchObject({ state: 'valid', actions: ['revoke'] });
    const holder = await api(V, 'GET', `/certificates/${id}`);
    expect(holder.statusCode, holder.body).toBe(200);
    expect(holder.json().actions).toEqual([]);
    const mine = (await api(V, 'GET', '/me/certificates')).json().items;
    expect(mine.find((c: { id: string }) => c.id === id)?.actions).toEqual([]);
    const listed = (await api(ADMIN, 'GET', '/certificates?pageSize=100')).json().items;
    expect(listed.find((c: { id: string }) => c.id === id)?.actions).toEqual(['revoke']);

    const done = await revoke(ADMIN, id);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ state: 'revoked', valid: false, actions: [] });
    expect((await revoke(ADMIN, id)).statusCode).toBe(409);
    expect((await api(PHONES.shawoAdmin, 'GET', `/certificates/${id}`)).statusCode).toBe(404);
  });

  it('two revocations at once: one wins, the other gets 409', async () => {
    const id = await fresh();
    const results = await Promise.all([revoke(ADMIN, id), revoke(PHONES.countyAdmin, id)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const audit = await t.deps.database.query(
      `select action from audit_events where entity = 'certificate' and entity_id = $1 order by seq`,
      [id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['certificate.issue', 'certificate.revoke']);
  });
});
