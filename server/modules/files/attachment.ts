import { AppError } from '../../platform/errors.js';
import { IMAGE_MAX_BYTES, sniffImage } from '../../platform/files.js';

/** An attachment (an article's 附件) is at most as large as an image upload. */
export const ATTACHMENT_MAX_BYTES = IMAGE_MAX_BYTES;
export const ATTACHMENT_TYPES_TEXT = 'PDF、Word（doc/docx）、Excel（xls/xlsx）、JPG 或 PNG';

const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const kinds = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/**
 * Recognises an attachment by its first bytes; the name's extension only tells apart the formats that share a
 * container (doc and xls are both OLE2 files, docx and xlsx both ZIP archives whose entries are named in the clear),
 * so a renamed file of another kind is refused.
 */
export function sniffAttachment(buf: Buffer, filename: string): { mime: string; ext: string } | null {
  const image = sniffImage(buf);
  if (image) return image.ext === 'webp' ? null : image;
  const ext = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  if (buf.subarray(0, 5).toString('latin1') === '%PDF-') return { mime: kinds.pdf, ext: 'pdf' };
  if (buf.subarray(0, 8).equals(OLE2) && (ext === 'doc' || ext === 'xls')) return { mime: kinds[ext], ext };
  if (buf.subarray(0, 4).equals(ZIP)) {
    if (ext === 'docx' && buf.includes('word/')) return { mime: kinds.docx, ext };
    if (ext === 'xlsx' && buf.includes('xl/')) return { mime: kinds.xlsx, ext };
  }
  return null;
}

export function checkAttachment(buf: Buffer, filename: string) {
  if (buf.length === 0)
    throw new AppError('VALIDATION_FAILED', '上传的文件是空的', [{ path: 'file', message: '文件为空' }]);
  const kind = sniffAttachment(buf, filename);
  if (!kind)
    throw new AppError('VALIDATION_FAILED', `附件只能是 ${ATTACHMENT_TYPES_TEXT}`, [
      { path: 'file', message: '文件类型不支持，或文件内容与扩展名不符' },
    ]);
  return kind;
}
