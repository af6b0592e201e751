import type { ItemField, OrderState } from './api/orders';

export type StateTone = 'primary' | 'success' | 'warning' | 'default' | 'danger';

/**
 * The tag colour of an order state: waiting in orange (已完成 waits for a rating, so it is orange too), moving in red,
 * rated in green, closed and ended in grey.
 */
export function stateTone(state: OrderState): StateTone {
  switch (state) {
    case 'submitted':
    case 'dispatched':
    case 'completed':
      return 'warning';
    case 'accepted':
    case 'in_service':
      return 'primary';
    case 'rated':
      return 'success';
    case 'rejected':
      return 'danger';
    default:
      return 'default';
  }
}

/** An answer to an extra field as text: lists joined with 、, dates and numbers as given, nothing as —. */
export function answerText(field: ItemField | undefined, value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map(String).join('、') : '—';
  if (field?.type === 'date' && typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (m) return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
  }
  return String(value);
}

/** The answers of an order, labelled by the item's fields first, then any the item no longer knows. */
export function answerRows(
  fields: ItemField[],
  answers: Record<string, unknown>,
): { key: string; label: string; value: string }[] {
  const rows = fields
    .filter((f) => f.key in answers)
    .map((f) => ({ key: f.key, label: f.label, value: answerText(f, answers[f.key]) }));
  for (const [k, v] of Object.entries(answers)) {
    if (!fields.some((f) => f.key === k)) rows.push({ key: k, label: k, value: answerText(undefined, v) });
  }
  return rows;
}
