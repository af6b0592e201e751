import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Personal data protection: AES-256-GCM for values at rest, HMAC-SHA256 for lookups, masks for display.
 * The 32-byte key comes from WENMING_SECRET_KEY (hex or base64) or DATA_DIR/secret.key, created on first use.
 */
export class Crypto {
  // key objects, imported once: a raw Buffer key is re-imported by every createCipheriv/createHmac call
  private encKey: crypto.KeyObject;
  private macKey: crypto.KeyObject;
  private auditKey: crypto.KeyObject;
  private checkpointKey: crypto.KeyObject;
  constructor(master: Buffer) {
    if (master.length !== 32) throw new Error('数据加密密钥必须是 32 字节');
    const sub = (label: string) => crypto.createSecretKey(crypto.createHmac('sha256', master).update(label).digest());
    this.encKey = sub('wenming:enc');
    this.macKey = sub('wenming:mac');
    this.auditKey = sub('wenming:audit');
    this.checkpointKey = sub('wenming:audit-checkpoint');
  }

  static load(opts: { secretKey?: string; dataDir: string }): Crypto {
    if (opts.secretKey) {
      const k = /^[0-9a-f]{64}$/i.test(opts.secretKey)
        ? Buffer.from(opts.secretKey, 'hex')
        : Buffer.from(opts.secretKey, 'base64');
      return new Crypto(k);
    }
    const file = path.join(opts.dataDir, 'secret.key');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(opts.dataDir, { recursive: true });
      fs.writeFileSync(file, crypto.randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    }
    return new Crypto(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex'));
  }

  encrypt(plain: string): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `v1.${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
  }

  decrypt(stored: string): string {
    const buf = Buffer.from(stored.slice(3), 'base64');
    const d = crypto.createDecipheriv('aes-256-gcm', this.encKey, buf.subarray(0, 12));
    d.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
  }

  /** AES-256-GCM of a file kept at rest for a while (an import's upload until its job ends): iv ‖ tag ‖ ciphertext. */
  sealBytes(plain: Buffer): Buffer {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }

  openBytes(sealed: Buffer): Buffer {
    const d = crypto.createDecipheriv('aes-256-gcm', this.encKey, sealed.subarray(0, 12));
    d.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([d.update(sealed.subarray(28)), d.final()]);
  }

  /** The keyed tag of an audit event's canonical text (platform/audit.ts): HMAC-SHA256, hex. */
  auditTag(text: string): string {
    return crypto.createHmac('sha256', this.auditKey).update(text).digest('hex');
  }

  /** The signature of an audit checkpoint line (platform/audit-checkpoint.ts): HMAC-SHA256, hex. */
  checkpointSignature(text: string): string {
    return crypto.createHmac('sha256', this.checkpointKey).update(text).digest('hex');
  }

  /** Keyed hash used to find a record by phone or ID number without storing the value in clear. */
  lookupHash(kind: string, value: string): string {
    return crypto.createHmac('sha256', this.macKey).update(`${kind}:${value}`).digest('hex');
  }
}

export const maskPhone = (p: string) => (p.length >= 7 ? `${p.slice(0, 3)}****${p.slice(-4)}` : '****');
export const maskIdNumber = (id: string) => (id.length >= 10 ? `${id.slice(0, 6)}********${id.slice(-4)}` : '****');

export const sha256Hex = (s: string | Buffer) => crypto.createHash('sha256').update(s).digest('hex');
export const randomToken = (bytes = 32) => crypto.randomBytes(bytes).toString('base64url');

/** Memory-hard password hashing with scrypt (N=2^15, r=8: 32 MiB per hash). */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await new Promise<Buffer>((resolve, reject) =>
    crypto.scrypt(password, salt, 32, SCRYPT, (e, k) => (e ? reject(e) : resolve(k))),
  );
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, saltB64, keyB64] = stored.split('$');
  if (alg !== 'scrypt') return false;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await new Promise<Buffer>((resolve, reject) =>
    crypto.scrypt(
      password,
      Buffer.from(saltB64, 'base64'),
      expected.length,
      { N: Number(n), r: Number(r), p: Number(p), maxmem: 128 * 1024 * 1024 },
      (e, k) => (e ? reject(e) : resolve(k)),
    ),
  );
  return crypto.timingSafeEqual(key, expected);
}

/** A hash that costs as much as a real one, for unknown phones, so timing does not reveal which phones exist. */
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = () => (dummyHash ??= hashPassword('not-a-real-password-Aa1'));

export function passwordProblem(pw: string): string | null {
  if (pw.length < 8) return '密码长度至少 8 位';
  if (pw.length > 128) return '密码长度不能超过 128 位';
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(pw)).length;
  if (classes < 3) return '密码需包含大写字母、小写字母、数字、符号中的至少三类';
  return null;
}
