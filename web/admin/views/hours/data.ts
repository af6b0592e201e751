import type { HoursKind, RequestStatus } from '../../api/activities';
import { fileUrl } from '../../api/activities';
import type { FileRef } from '../../api';

type TagType = 'primary' | 'success' | 'warning' | 'info' | 'danger';

export const HOURS_KINDS: HoursKind[] = ['attendance', 'order', 'excess', 'correction', 'reversal'];
export const kindTag: Record<string, TagType> = {
  attendance: 'primary',
  order: 'success',
  excess: 'warning',
  correction: 'warning',
  reversal: 'danger',
};
export const requestStatusTag: Record<RequestStatus, TagType> = {
  pending: 'warning',
  approved: 'success',
  rejected: 'danger',
};

/** Evidence ids as thumbnails for PhotoUpload (readonly). */
export const evidenceRefs = (ids: string[] | null | undefined): FileRef[] =>
  (ids ?? []).map((id) => ({ id, url: fileUrl(id) }));
