import type { TagType } from '../points/data';

/** 状态 → tag colour of the article lists and the detail. */
export const stateTag: Record<string, TagType> = {
  draft: 'info',
  submitted: 'warning',
  approved: 'primary',
  rejected: 'danger',
  published: 'success',
  withdrawn: 'info',
};

/** A file id of ours in an image address (`/api/v1/files/<id>`), as the editor inserts them. */
export const fileUrl = (id: string): string => `/api/v1/files/${id}`;
