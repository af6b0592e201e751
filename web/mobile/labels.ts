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
