import type { SubmissionState } from '../../api/activities';
import { msg } from '../../locales/zh-CN';

export const submissionStateTag: Record<SubmissionState, 'warning' | 'success' | 'danger'> = {
  submitted: 'warning',
  accepted: 'success',
  returned: 'danger',
};

const pad = (n: number): string => String(n).padStart(2, '0');

/** YYYY-MM of this month (offset 0) or an earlier one. */
export function monthOf(offset = 0, from = new Date()): string {
  const d = new Date(from.getFullYear(), from.getMonth() + offset, 1);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
}

export const monthLabel = (m: string): string => `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月`;

/** The figures of a report as label / value pairs, known keys first. */
export function figureRows(figures: Record<string, number> | null | undefined): { key: string; label: string; value: number }[] {
  const labels = msg.submission.figures;
  const keys = Object.keys(figures ?? {});
  const known = Object.keys(labels).filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !(k in labels));
  return [...known, ...rest].map((k) => ({ key: k, label: labels[k] ?? k, value: Number(figures?.[k] ?? 0) }));
}
