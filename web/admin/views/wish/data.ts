import type { WishState } from '../../api/wishes';
import type { TagType } from '../points/data';

export const WISH_STATES: WishState[] = [
  'submitted',
  'verified',
  'published',
  'claimed',
  'fulfilled',
  'confirmed',
  'rejected',
  'withdrawn',
  'expired',
];

export const wishStateTag: Record<WishState, TagType> = {
  submitted: 'warning',
  verified: 'primary',
  published: 'primary',
  claimed: 'success',
  fulfilled: 'success',
  confirmed: 'success',
  rejected: 'danger',
  withdrawn: 'info',
  expired: 'info',
};

/** 120 / 120.5 → ¥120.00 */
export const yuan = (v: number | string | null | undefined): string =>
  v === null || v === undefined || v === ''
    ? '—'
    : `¥${Number(v).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
