import { ElMessageBox } from 'element-plus';
import { formatDateTime } from '../../../common/format';
import type { FileRef } from '../../api';
import {
  fileUrl,
  type AccountType,
  type AdjustmentState,
  type ClaimState,
  type PointRule,
  type RuleCategory,
  type RuleGroup,
} from '../../api/points';
import { msg } from '../../locales/zh-CN';

export type TagType = 'primary' | 'success' | 'warning' | 'info' | 'danger';

export const CATEGORIES: RuleCategory[] = ['basic', 'reward', 'deduction'];
export const GROUPS: RuleGroup[] = ['ideology', 'security', 'customs', 'environment', 'neighbourhood', 'service'];
export const ACCOUNT_TYPES: AccountType[] = ['household', 'volunteer'];

export const categoryTag: Record<RuleCategory, TagType> = { basic: 'primary', reward: 'success', deduction: 'danger' };
export const claimStateTag: Record<ClaimState, TagType> = {
  submitted: 'warning',
  notice: 'primary',
  posted: 'success',
  rejected: 'danger',
  withdrawn: 'info',
};
export const adjustmentStateTag: Record<AdjustmentState, TagType> = {
  pending: 'warning',
  approved: 'success',
  rejected: 'danger',
};

const p = msg.points;
export const categoryName = (c: string | null | undefined): string => (c ? (p.categories[c] ?? c) : msg.common.none);
export const groupName = (g: string | null | undefined): string => (g ? (p.groups[g] ?? g) : msg.common.none);
export const accountTypeName = (t: string | null | undefined): string =>
  t ? (p.accountTypes[t] ?? t) : msg.common.none;
export const kindName = (k: string): string => p.kinds[k] ?? k;
export const actionName = (a: string): string => p.eventActions[a] ?? a;

/** +5 / −3 with a real minus sign, for amounts in tables. */
export const signed = (n: number): string => (n > 0 ? `+${n}` : n < 0 ? `−${Math.abs(n)}` : '0');
export const amountClass = (n: number): string => (n > 0 ? 'amount-plus' : n < 0 ? 'amount-minus' : '');

/** Evidence ids as thumbnails for PhotoUpload (readonly). */
export const evidenceRefs = (ids: string[] | null | undefined): FileRef[] =>
  (ids ?? []).map((id) => ({ id, url: fileUrl(id) }));

/** Rules as el-select option groups: 基础 · 思想政治, … (active rules only). */
export function ruleOptionGroups(rules: PointRule[]): { label: string; rules: PointRule[] }[] {
  const out: { label: string; rules: PointRule[] }[] = [];
  for (const c of CATEGORIES) {
    for (const g of GROUPS) {
      const rs = rules.filter((r) => r.category === c && r.group === g && r.active !== false);
      if (rs.length) out.push({ label: `${categoryName(c)} · ${groupName(g)}`, rules: rs });
    }
  }
  return out;
}

/** A fresh idempotency key for one open of a dialog. */
export function newIdempotencyKey(prefix: string): string {
  const rand =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `${prefix}-${rand}`;
}

/** ElMessageBox.confirm as a boolean (false when cancelled). */
export async function confirmed(text: string, title = msg.common.confirmTitle): Promise<boolean> {
  try {
    await ElMessageBox.confirm(text, title, {
      type: 'warning',
      confirmButtonText: msg.common.confirm,
      cancelButtonText: msg.common.cancel,
    });
    return true;
  } catch {
    return false;
  }
}

/** 11月30日 23:33 (the year left out, for narrow columns of near dates). */
export const shortDateTime = (v: string | null | undefined): string => formatDateTime(v).replace(/^\d{4}年/, '');
