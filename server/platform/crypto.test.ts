import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Crypto, hashPassword, maskIdNumber, maskPhone, passwordProblem, verifyPassword } from './crypto.js';
import { scopeFromGrants } from './auth.js';
import { regionInScope } from './scope.js';

describe('personal data crypto', () => {
  const c = new Crypto(Buffer.alloc(32, 7));
  it('encrypts with a fresh IV each time and decrypts back', () => {
    const a = c.encrypt('13800000001');
    const b = c.encrypt('13800000001');
    expect(a).not.toBe(b);
    expect(a).not.toContain('13800000001');
    expect(c.decrypt(a)).toBe('13800000001');
  });
  it('detects a tampered ciphertext', () => {
    const a = c.encrypt('11010519491231002X');
    const buf = Buffer.from(a.slice(3), 'base64');
    buf[buf.length - 1] ^= 1;
    expect(() => c.decrypt(`v1.${buf.toString('base64')}`)).toThrow();
  });
  it('seals a file (an import upload) and opens it back; a changed byte does not open', () => {
    const file = Buffer.from('PK\u0003\u0004 姓名,身份证号 11010519491231002X');
    const sealed = c.sealBytes(file);
    expect(sealed.includes(Buffer.from('11010519491231002X'))).toBe(false);
    expect(c.openBytes(sealed).equals(file)).toBe(true);
    sealed[sealed.length - 1] ^= 1;
    expect(() => c.openBytes(sealed)).toThrow();
  });
  it('derives separate keys for audit tags and checkpoint signatures, none equal to the lookup key', () => {
    const text = '{"action":"site.create","seq":';
    const tags = [c.auditTag(text), c.checkpointSignature(text), c.lookupHash('x', text)];
    expect(new Set(tags).size).toBe(3);
    expect(c.auditTag(text)).toMatch(/^[0-9a-f]{64}$/);
    expect(new Crypto(Buffer.alloc(32, 8)).auditTag(text)).not.toBe(c.auditTag(text));
  });
  it('hashes for lookup with a key: same input, same hash; another key, another hash', () => {
    expect(c.lookupHash('phone', '13800000001')).toBe(c.lookupHash('phone', '13800000001'));
    expect(new Crypto(Buffer.alloc(32, 8)).lookupHash('phone', '13800000001')).not.toBe(
      c.lookupHash('phone', '13800000001'),
    );
  });
  it('creates DATA_DIR/secret.key once and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wm-key-'));
    const a = Crypto.load({ dataDir: dir });
    const b = Crypto.load({ dataDir: dir });
    expect(b.decrypt(a.encrypt('x'))).toBe('x');
    expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    fs.rmSync(dir, { recursive: true });
  });
  it('masks as the product shows them', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskIdNumber('110105194912311234')).toBe('110105********1234');
  });
});

describe('passwords', () => {
  it('hashes with scrypt and verifies only the right password', async () => {
    const h = await hashPassword('Demo@2026');
    expect(await verifyPassword('Demo@2026', h)).toBe(true);
    expect(await verifyPassword('demo@2026', h)).toBe(false);
  });
  it('needs length 8 and three character classes', () => {
    expect(passwordProblem('Ab1@')).toMatch(/8/);
    expect(passwordProblem('abcdefgh')).toMatch(/三类/);
    expect(passwordProblem('Abcdefg1')).toBeNull();
  });
});

describe('scope', () => {
  it('merges nested subtrees and keeps own-level regions', () => {
    const s = scopeFromGrants('u', [
      { role: 'a', scope: 'subtree', regionCode: '411523', path: '/411523/', teamId: null },
      { role: 'b', scope: 'subtree', regionCode: '411523100', path: '/411523/411523100/', teamId: null },
      { role: 'c', scope: 'own', regionCode: '411523101', path: '/411523/411523101/', teamId: null },
    ]);
    expect(s.subtrees).toEqual(['/411523/']);
    expect(s.regions).toEqual(['411523101']);
    expect(regionInScope(s, '/411523/411523101/411523101201/')).toBe(true);
  });
  it('本级 covers the region itself, not its children; no grant covers nothing', () => {
    const own = scopeFromGrants('u', [
      { role: 'c', scope: 'own', regionCode: '411523101', path: '/411523/411523101/', teamId: null },
    ]);
    expect(regionInScope(own, '/411523/411523101/')).toBe(true);
    expect(regionInScope(own, '/411523/411523101/411523101201/')).toBe(false);
    expect(regionInScope(scopeFromGrants('u', []), '/411523/')).toBe(false);
  });
});
