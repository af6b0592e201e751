import type { SubmissionState } from '../../api/activities';
import { msg } from '../../locales/zh-CN';
import { addMonths, monthOf as chinaMonth } from '../../../common/time';

export const submissionStateTag: Record<SubmissionState, 'warning' | 'success' | 'danger'> = {
  submitted: 'warning',
  accepted: 'success',
  returned: 'danger',
};

/** YYYY-MM of this China month (offset 0) or an earlier one. */
export function monthOf(offset = 0, from: Date = new Date()): string {
  return addMonths(chinaMonth(from), offset);
}

export const monthLabel = (m: string): string => `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月`;

/** The headline figures shown in a table row, with short names. */
const COMPACT = ['activities', 'participants', 'participations', 'hours', 'beneficiaries'];

/**
 * The figures of a report as label / value pairs. `labels` are the server's (`figureLabels`); `compact` keeps the
 * headline ones under short names for a table cell.
 */
export function figureRows(
  figures: Record<string, number> | null | undefined,
  labels: Record<string, string> = {},
  compact = false,
): { key: string; label: string; value: number }[] {
  const short = msg.submission.figures;
  const keys = Object.keys(figures ?? {});
  const order = compact
    ? COMPACT.filter((k) => keys.includes(k))
    : [...Object.keys(labels).filter((k) => keys.includes(k)), ...keys.filter((k) => !(k in labels))];
  return order.map((k) => ({
    key: k,
    label: (compact ? short[k] : labels[k]) ?? short[k] ?? k,
    value: Number(figures?.[k] ?? 0),
  }));
}
