import { z } from 'zod';

/** Field rules shared by every module's request schemas and commands. */
export const PHONE_RE = /^1[3-9]\d{9}$/;
export const phoneSchema = z.string().trim().regex(PHONE_RE, '手机号应为 11 位中国大陆手机号');
export const regionCodeSchema = z.string().regex(/^\d{6,12}$/, '区划代码应为 6–12 位数字');
export const idParam = z.object({ id: z.uuid('ID 格式不正确') });

/** The first place in a parsed request part (body, query, params) where a string or a key holds a NUL character. */
export function findNul(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > 32 || Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...path, String(i)], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, key.replaceAll('\u0000', '\\u0000')];
    const found = findNul(v, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}
