import type { FormRules } from 'element-plus';
import { ref } from 'vue';
import { api } from '../../../common/api';
import {
  orderApi,
  pickApi,
  type FieldType,
  type HouseholdInput,
  type ItemField,
  type OrderMeta,
  type OrderQuery,
  type OrderState,
  type ServiceItemInput,
} from '../../api/orders';
import { msg } from '../../locales/zh-CN';

export const ORDER_STATES: OrderState[] = [
  'submitted',
  'dispatched',
  'accepted',
  'in_service',
  'completed',
  'rated',
  'closed',
  'rejected',
  'cancelled',
];

/** Element Plus tag types per state, so a board reads at a glance. */
export const stateTagType: Record<OrderState, 'primary' | 'success' | 'warning' | 'info' | 'danger'> = {
  submitted: 'warning',
  dispatched: 'primary',
  accepted: 'primary',
  in_service: 'primary',
  completed: 'success',
  rated: 'success',
  closed: 'info',
  rejected: 'danger',
  cancelled: 'info',
};

let metaPromise: Promise<OrderMeta> | null = null;
/** GET /orders/meta once per page load: Chinese names of states, scores and actions. */
export function loadOrderMeta(): Promise<OrderMeta> {
  metaPromise ??= orderApi.meta().catch((e: unknown) => {
    metaPromise = null;
    throw e;
  });
  return metaPromise;
}

export function useCategories() {
  const categories = ref<{ code: string; name: string }[]>([]);
  void pickApi.categories().then((r) => (categories.value = r.items));
  return categories;
}

/** The number of orders matching a filter, by asking for a page of one. */
export async function countOrders(query: OrderQuery = {}): Promise<number> {
  const res = await orderApi.list({ ...query, page: 1, pageSize: 1 });
  return res.total;
}

/** Counts per state (plus overdue) for the summary chips and the dashboard. */
export async function stateCounts(
  base: OrderQuery = {},
): Promise<{ byState: Record<OrderState, number>; overdue: number; total: number }> {
  const [states, overdue, total] = await Promise.all([
    Promise.all(ORDER_STATES.map((state) => countOrders({ ...base, state }))),
    countOrders({ ...base, state: undefined, overdue: true }),
    countOrders({ ...base, state: undefined }),
  ]);
  const byState = Object.fromEntries(ORDER_STATES.map((s, i) => [s, states[i]])) as Record<OrderState, number>;
  return { byState, overdue, total };
}

/** Share of rated orders (rated, or closed after rating) scored 4 or 5. */
export async function satisfaction(): Promise<{ rated: number; satisfied: number }> {
  let rated = 0;
  let satisfied = 0;
  for (const state of ['rated', 'closed'] as const) {
    for (let page = 1; page <= 25; page++) {
      const res = await api.page<{ score: number | null }>('/orders', { state, page, pageSize: 200 });
      for (const o of res.items) {
        if (o.score === null || o.score === undefined) continue;
        rated++;
        if (o.score >= 4) satisfied++;
      }
      if (res.items.length === 0 || page * 200 >= res.total) break;
    }
  }
  return { rated, satisfied };
}

// ---------- service items ----------

export const FIELD_TYPES: FieldType[] = ['text', 'number', 'date', 'single', 'multi'];
export const isChoice = (t: FieldType): boolean => t === 'single' || t === 'multi';

export interface FieldRow extends ItemField {
  /** A stable key for v-for while rows move. */
  uid: number;
  options: string[];
}

let uid = 0;
export function fieldRow(f?: Partial<ItemField>): FieldRow {
  uid++;
  return {
    uid,
    key: f?.key ?? `field${uid}`,
    label: f?.label ?? '',
    type: f?.type ?? 'text',
    required: f?.required ?? false,
    options: [...(f?.options ?? [])],
  };
}

export function toFields(rows: FieldRow[]): ItemField[] {
  return rows.map((r) => ({
    key: r.key.trim(),
    label: r.label.trim(),
    type: r.type,
    required: r.required,
    ...(isChoice(r.type) ? { options: r.options } : {}),
  }));
}

/** The first problem of the designed fields, in words, or null. Mirrors the server's checks. */
export function fieldProblem(rows: FieldRow[]): string | null {
  const f = msg.serviceItem.form;
  const seen = new Set<string>();
  for (const [i, r] of rows.entries()) {
    if (!/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/.test(r.key.trim())) return f.fieldKeyInvalid(i + 1);
    if (!r.label.trim()) return f.fieldLabelRequired(i + 1);
    if (seen.has(r.key.trim())) return f.fieldKeyDuplicate(r.key.trim());
    seen.add(r.key.trim());
    if (isChoice(r.type) && r.options.length === 0) return f.fieldOptionsRequired(r.label);
  }
  return null;
}

export interface ServiceItemForm extends Omit<ServiceItemInput, 'fields' | 'description'> {
  description: string;
}

export function emptyItemForm(): ServiceItemForm {
  return { name: '', category: '', description: '', regionCode: '', providerTeamIds: [], active: true };
}

export const itemRules: FormRules = {
  name: [{ required: true, min: 2, max: 60, message: msg.serviceItem.form.nameRequired, trigger: 'blur' }],
  category: [{ required: true, message: msg.serviceItem.form.categoryRequired, trigger: 'change' }],
  regionCode: [{ required: true, message: msg.serviceItem.form.regionRequired, trigger: 'change' }],
};

/** An empty answer per field type, for the order forms. */
export function emptyAnswers(fields: ItemField[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.key, f.type === 'multi' ? [] : f.type === 'number' ? undefined : '']));
}

/** Answers without the blanks, as the API expects them. */
export function cleanAnswers(answers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(answers).filter(
      ([, v]) => !(v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)),
    ),
  );
}

export function answerText(value: unknown): string {
  if (value === undefined || value === null || value === '') return msg.common.none;
  if (Array.isArray(value)) return value.length ? value.join('、') : msg.common.none;
  if (typeof value === 'boolean') return value ? msg.common.yes : msg.common.no;
  return String(value);
}

// ---------- households ----------

export function emptyHousehold(): HouseholdInput {
  return { headName: '', phone: '', regionCode: '', address: '', memberCount: 1, note: '' };
}

const p = msg.proxy.form;
export const householdRules: FormRules = {
  headName: [{ required: true, message: p.headNameRequired, trigger: 'blur' }],
  phone: [{ pattern: /^1[3-9]\d{9}$/, message: p.phoneInvalid, trigger: 'blur' }],
  regionCode: [{ required: true, message: p.regionRequired, trigger: 'change' }],
  address: [{ required: true, message: p.addressRequired, trigger: 'blur' }],
};
