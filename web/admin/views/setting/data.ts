import type { SettingDefinition, SettingValue } from '../../api';

/** What the form edits: numbers and booleans as themselves, lists as strings (as typed into tag inputs). */
export type DraftValue = number | boolean | string | string[] | null;

export function toDraft(def: SettingDefinition, value: SettingValue | undefined): DraftValue {
  const v = value === undefined ? (def.default ?? null) : value;
  switch (def.type) {
    case 'integerList':
    case 'stringList':
      return Array.isArray(v) ? v.map(String) : [];
    case 'objectList':
      return JSON.stringify(v ?? []);
    case 'boolean':
      return Boolean(v);
    case 'integer':
    case 'number':
      return typeof v === 'number' ? v : v === null || v === '' ? null : Number(v);
    default:
      return v === null ? '' : String(v);
  }
}

export function fromDraft(def: SettingDefinition, draft: DraftValue): SettingValue {
  switch (def.type) {
    case 'integerList':
      return (draft as string[]).map((s) => Number(s));
    case 'stringList':
      return [...(draft as string[])];
    case 'objectList':
      return JSON.parse(draft as string) as SettingValue;
    default:
      return draft as SettingValue;
  }
}

export function sameValue(a: SettingValue | undefined, b: SettingValue | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function displayValue(def: SettingDefinition, v: SettingValue | undefined, yes: string, no: string): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'boolean') return v ? yes : no;
  if (def.type === 'objectList' && Array.isArray(v)) return `${v.length} 项`;
  if (Array.isArray(v)) return v.join('、');
  if (def.type === 'enum') return def.options?.find((o) => o.value === v)?.label ?? String(v);
  return def.unit ? `${v} ${def.unit}` : String(v);
}
