import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

/** Storage for uploaded files (photos, evidence, exports). Local disk under DATA_DIR/files. */
export interface FileStore {
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Deletes a stored file; a missing one is not an error. */
  remove(key: string): Promise<void>;
}

export class LocalFileStore implements FileStore {
  constructor(private root: string) {}
  private resolve(key: string) {
    const p = path.resolve(this.root, key);
    if (!p.startsWith(path.resolve(this.root) + path.sep)) throw new Error('非法的文件路径');
    return p;
  }
  async put(key: string, data: Buffer) {
    const p = this.resolve(key);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, data);
  }
  /** The bytes under `key`; bytes missing from the store (a database restored without its files) are a 404. */
  async get(key: string) {
    try {
      return await fs.readFile(this.resolve(key));
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'ENOENT') throw err;
      throw new AppError('NOT_FOUND', '文件内容已不在文件存储中（可能未随数据库一起恢复），请重新上传或联系系统管理员');
    }
  }
  async remove(key: string) {
    await fs.rm(this.resolve(key), { force: true });
  }
}

export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;

/** Recognises an image by its first bytes; the declared type and file name are not trusted. */
export function sniffImage(buf: Buffer): { mime: string; ext: string } | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff)
    return { mime: 'image/jpeg', ext: 'jpg' };
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return { mime: 'image/png', ext: 'png' };
  if (
    buf.length >= 12 &&
    buf.subarray(0, 4).toString('latin1') === 'RIFF' &&
    buf.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return { mime: 'image/webp', ext: 'webp' };
  return null;
}

export function checkImage(buf: Buffer, field = 'file') {
  if (buf.length === 0)
    throw new AppError('VALIDATION_FAILED', '上传的文件是空的', [{ path: field, message: '文件为空' }]);
  if (buf.length > IMAGE_MAX_BYTES)
    throw new AppError('PAYLOAD_TOO_LARGE', '图片不能超过 5 MB', [{ path: field, message: '图片不能超过 5 MB' }]);
  const kind = sniffImage(buf);
  if (!kind)
    throw new AppError('VALIDATION_FAILED', '只能上传 JPEG、PNG 或 WebP 图片', [
      { path: field, message: '文件类型不支持' },
    ]);
  return kind;
}

export const newStorageKey = (ext: string, now = new Date()) =>
  `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${crypto.randomUUID()}.${ext}`;

/**
 * Reads the one file of a multipart upload (field `file`) into memory: the one way both upload routes read a body.
 * A body that is not multipart, has no file, or whose file exceeds `maxBytes` is refused with the route's words; a
 * body the parser cannot read (cut off, a broken boundary or part header) is the client's fault: 400, not a 500.
 */
export async function readUpload(
  req: FastifyRequest,
  o: { maxBytes: number; notMultipart: string; tooLarge: string },
): Promise<{ buf: Buffer; filename: string }> {
  if (!req.isMultipart())
    throw new AppError('VALIDATION_FAILED', o.notMultipart, [{ path: 'file', message: '缺少文件' }]);
  try {
    const part = await req.file({ limits: { fileSize: o.maxBytes, files: 1 } });
    if (!part) throw new AppError('VALIDATION_FAILED', '没有收到文件', [{ path: 'file', message: '缺少文件' }]);
    if (part.fieldname !== 'file')
      throw new AppError('VALIDATION_FAILED', '文件字段名应为 file', [
        { path: part.fieldname, message: '字段名应为 file' },
      ]);
    const buf = await part.toBuffer();
    if (part.file.truncated)
      throw new AppError('PAYLOAD_TOO_LARGE', o.tooLarge, [{ path: 'file', message: o.tooLarge }]);
    return { buf, filename: part.filename };
  } catch (err) {
    // ours, or the multipart plugin's own limits (FST_…, mapped by the error handler), as they are; anything else is
    // the stream breaking on a body that ends early or does not parse (ERR_STREAM_PREMATURE_CLOSE, busboy's errors)
    const code = (err as { code?: unknown }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('PAYLOAD_TOO_LARGE', o.tooLarge, [{ path: 'file', message: o.tooLarge }]);
    if (err instanceof AppError || (typeof code === 'string' && code.startsWith('FST_'))) throw err;
    throw new AppError('VALIDATION_FAILED', '上传内容不完整或格式错误，请重新选择文件上传', [
      { path: 'file', message: '上传内容不完整或格式错误' },
    ]);
  }
}
