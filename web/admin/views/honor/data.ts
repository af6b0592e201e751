import { honorKindLabels, optionsOf } from '../../../common/labels';
import type { HonorKind, HonorState } from '../../api/wishes';
import type { TagType } from '../points/data';

export const HONOR_STATES: HonorState[] = ['nominated', 'notice', 'published', 'rejected', 'revoked'];
export const honorStateTag: Record<HonorState, TagType> = {
  nominated: 'warning',
  notice: 'primary',
  published: 'success',
  rejected: 'danger',
  revoked: 'info',
};
export const kindOptions = optionsOf(honorKindLabels) as { value: HonorKind; label: string }[];
export const kindName = (k: string): string => honorKindLabels[k] ?? k;
