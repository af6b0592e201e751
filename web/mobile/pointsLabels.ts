import type { Privilege } from './api/points';
import messages from './locales/zh-CN';

export type Tone = 'primary' | 'success' | 'warning' | 'default' | 'danger';

/** +5 / −3 with a real minus sign, for ledger rows and rule choices. */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${Math.abs(n)}` : '0';
}

/** Yuan with at most two decimals, no trailing zeros: 120, 35.5. */
export function yuan(v: number | string | null | undefined): string {
  const n = Number(v ?? 0);
  if (!Number.isFinite(n)) return '0';
  return String(Math.round(n * 100) / 100);
}

/** The first privilege not yet reached (lowest threshold), or null when all are reached. */
export function nextPrivilege(list: Privilege[], balance: number): Privilege | null {
  return (
    [...list].filter((p) => !p.reached && p.threshold > balance).sort((a, b) => a.threshold - b.threshold)[0] ?? null
  );
}

export function wishStateTone(state: string): Tone {
  switch (state) {
    case 'published':
      return 'primary';
    case 'claimed':
      return 'warning';
    case 'fulfilled':
    case 'confirmed':
      return 'success';
    case 'rejected':
      return 'danger';
    default:
      return 'default';
  }
}

export function redemptionTone(state: string): Tone {
  return state === 'reserved' ? 'warning' : state === 'handed_out' ? 'success' : 'default';
}

export const label = {
  accountType: (t: string) => messages.accountType[t] ?? t,
  accountShort: (t: string) => messages.accountTypeShort[t] ?? t,
  entryKind: (k: string) => messages.entryKind[k] ?? k,
  wishState: (s: string) => messages.wishState[s] ?? s,
  honorKind: (k: string) => messages.honorKind[k] ?? k,
  redemptionState: (s: string) => messages.redemptionState[s] ?? s,
  ruleGroup: (g: string) => messages.ruleGroup[g] ?? g,
};

/** The county code of a region code (its first six digits), for the public boards' `county=`. */
export function countyOf(regionCode: string | null | undefined): string | undefined {
  return regionCode && /^\d{6}/.test(regionCode) ? regionCode.slice(0, 6) : undefined;
}
