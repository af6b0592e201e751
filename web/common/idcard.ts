/**
 * Resident identity card numbers (GB 11643-1999) in the browser: 6-digit region, 8-digit birth date, 3-digit
 * sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check character. The server checks the same
 * way; this only lets a form show the derived sex and birth date while the number is typed.
 */
import { isoDay, yearsSince } from './time';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export type Gender = 'male' | 'female';

export interface IdCardInfo {
  /** The number upper-cased and trimmed. */
  value: string;
  /** YYYY-MM-DD */
  birthDate: string;
  gender: Gender;
}

export type IdCardResult = { ok: true; info: IdCardInfo } | { ok: false; reason: string };

/** The check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

/** The derived birth date and sex, or a Chinese reason why the number is not valid. */
export function parseIdNumber(raw: string, today: Date = new Date()): IdCardResult {
  const value = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(value))
    return { ok: false, reason: '身份证号应为 18 位，前 17 位为数字，最后一位为数字或 X' };
  const y = Number(value.slice(6, 10));
  const m = Number(value.slice(10, 12));
  const d = Number(value.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < 1850) {
    return { ok: false, reason: '身份证号中的出生日期无效' };
  }
  if (birthDay(y, m, d) > isoDay(today)) return { ok: false, reason: '身份证号中的出生日期晚于今天' };
  if (idCheckChar(value.slice(0, 17)) !== value[17]) return { ok: false, reason: '身份证号校验位不正确，请核对' };
  return {
    ok: true,
    info: {
      value,
      birthDate: `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`,
      gender: Number(value[16]) % 2 === 1 ? 'male' : 'female',
    },
  };
}

/** Whole years between a birth date (YYYY-MM-DD) and a day in China (today by default). */
export function ageOn(birthDate: string | null | undefined, on: Date = new Date()): number | null {
  if (!birthDate || !/^\d{4}-\d{2}-\d{2}/.test(birthDate)) return null;
  return yearsSince(birthDate.slice(0, 10), on);
}

const birthDay = (y: number, m: number, d: number): string =>
  `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
