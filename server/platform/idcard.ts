/**
 * Resident identity card numbers (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence (odd for
 * men, even for women), and an ISO 7064 MOD 11-2 check character.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export type IdInfo = { birthDate: string; gender: 'male' | 'female' };

export function checkChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

/** Returns the derived birth date and sex, or a Chinese reason why the number is not valid. */
export function parseIdNumber(
  raw: string,
  today = new Date(),
): { ok: true; value: string; info: IdInfo } | { ok: false; reason: string } {
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
  if (date.getTime() > today.getTime()) return { ok: false, reason: '身份证号中的出生日期晚于今天' };
  if (checkChar(value.slice(0, 17)) !== value[17]) return { ok: false, reason: '身份证号校验位不正确，请核对' };
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  return { ok: true, value, info: { birthDate, gender: Number(value[16]) % 2 === 1 ? 'male' : 'female' } };
}

/** Whole years between a birth date (YYYY-MM-DD) and a day. */
export function ageOn(birthDate: string, on: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number);
  let age = on.getUTCFullYear() - y;
  if (on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d)) age--;
  return age;
}
