import messages from './locales/zh-CN';
import type { RoleAssignment } from './api';

export function siteKindLabel(kind: string): string {
  return messages.siteKind[kind] ?? messages.siteKindFull.station;
}

export function siteKindFullLabel(kind: string): string {
  return messages.siteKindFull[kind] ?? messages.siteKindFull.station;
}

export function roleLabel(role: RoleAssignment): string {
  return role.roleName || messages.role[role.role] || messages.roleFallback;
}

export function complianceLabel(status: string | null | undefined): string {
  return (status && messages.compliance[status]) || messages.complianceFallback;
}

/** 'good' for a passing inspection, 'bad' for a failing one, 'none' when not inspected. */
export function complianceTone(status: string | null | undefined): 'good' | 'bad' | 'none' {
  if (status === 'compliant') return 'good';
  if (status === 'noncompliant') return 'bad';
  return 'none';
}

/** 2026年11月22日, in Beijing time. */
export { formatDate } from '../common/format';

/** A number the phone can dial; masked numbers (138****0007) are shown but not linked. */
export function dialable(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const compact = phone.replace(/[\s-]/g, '');
  return /^\+?\d{3,}$/.test(compact) ? compact : null;
}

export function greetingFor(name: string, now = new Date()): string {
  const hour = Number(
    new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', hour: 'numeric', hourCycle: 'h23' }).format(now),
  );
  if (hour < 11) return messages.home.greetingMorning(name);
  if (hour < 13) return messages.home.greetingNoon(name);
  if (hour < 18) return messages.home.greetingAfternoon(name);
  return messages.home.greetingEvening(name);
}

/** 男 / 女 */
export function genderLabel(gender: string | null | undefined): string {
  return (gender && messages.gender[gender]) || '—';
}

/** A calendar date (YYYY-MM-DD, e.g. a birth date) as 1949年12月31日, with no time-zone shift. */
export function birthDateLabel(date: string | null | undefined): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date ?? '');
  return match ? `${Number(match[1])}年${Number(match[2])}月${Number(match[3])}日` : '—';
}

/** 总队 / 支队 / 分队 */
export function teamLevelLabel(level: string | null | undefined): string {
  return (level && messages.teamLevel[level]) || '';
}
