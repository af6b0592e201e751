/**
 * The one create/edit form of both apps (admin drawers and dialogs, mobile form pages): open with the defaults or a
 * record, submit through the API, show a 400's field errors beside their form items (the API names each field in
 * `error.details[].path`, API.md), close and let the list refresh on success, keep everything typed on failure.
 * What a UI library adds (its messages, its form validation) comes in through `ui`; see
 * web/admin/composables/useFormDrawer.ts and web/mobile/composables.ts.
 */
import { computed, ref, type Ref } from 'vue';
import { isApiError } from './api';

export interface FormDrawerUi {
  /** The form's own rules (an el-form's or van-form's validate); false keeps the form open. */
  validate?: () => Promise<boolean>;
  /** The client rules failed. */
  invalid?: () => void;
  /** The server refused: its Chinese message. */
  failed?: (message: string) => void;
  /** Saved: created or updated. */
  saved?: (created: boolean) => void;
}

export interface FormDrawerOptions<F, R> {
  /** A new record's form, with its defaults. */
  empty: () => F;
  /** An existing record's form (edit), read from the API. */
  load?: (id: string) => Promise<F>;
  /** Sends the form: create when `id` is null, else update. */
  submit: (form: F, id: string | null) => Promise<R>;
  /** After a save: close happens first; refresh the list here. */
  onSaved?: (result: R, created: boolean) => void;
  /** Called when the form closes (a drawer's `update:modelValue` false). */
  onClose?: () => void;
  /**
   * Where a server field error shows when the form item is named differently: `{ startAt: 'range' }`. A nested path
   * (`contacts.0.phone`) is kept as it is, for rows that look their errors up themselves, and shows on its first
   * part too (`contacts`: the item around the rows), or where `fields` sends that part (`{ shifts: 'shiftList' }`).
   */
  fields?: Record<string, string>;
  /**
   * A check beyond the form's rules, run with them before sending (the rows of a table inside the form, a rule
   * that spans fields): false keeps the form open, with the check's own message wherever it put it.
   */
  check?: (form: F) => boolean | Promise<boolean>;
  /** Where a 409 DUPLICATE that names no field shows (the phone of a new user, the name of a rule …). */
  duplicateField?: string;
  /** The text for a 409 DUPLICATE when the form can say better what already exists (本年度已有该单位的计划). */
  duplicateMessage?: string;
  ui?: FormDrawerUi;
}

export function useFormDrawer<F, R = unknown>(options: FormDrawerOptions<F, R>) {
  const visible = ref(false);
  const form = ref(options.empty()) as Ref<F>;
  const id = ref<string | null>(null);
  const errors = ref<Record<string, string>>({});
  /** The server's message when it refused the form without naming a field. */
  const formError = ref('');
  const loading = ref(false);
  const saving = ref(false);
  const editing = computed(() => id.value !== null);
  let openSeq = 0;

  /** Opens empty (with `preset` over the defaults) or, with an id, on that record read through `load`. */
  async function open(recordId: string | null = null, preset?: Partial<F>): Promise<void> {
    const mine = ++openSeq;
    id.value = recordId;
    errors.value = {};
    formError.value = '';
    form.value = { ...options.empty(), ...(preset ?? {}) } as F;
    visible.value = true;
    if (!recordId || !options.load) return;
    loading.value = true;
    try {
      const loaded = await options.load(recordId);
      if (mine === openSeq) form.value = loaded;
    } catch (e) {
      if (mine !== openSeq) return;
      formError.value = isApiError(e) ? e.message : String(e);
      options.ui?.failed?.(formError.value);
    } finally {
      if (mine === openSeq) loading.value = false;
    }
  }

  function close(): void {
    visible.value = false;
    options.onClose?.();
  }

  /** The server's field errors keyed by the form's item names. */
  function mapErrors(byPath: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [path, message] of Object.entries(byPath)) {
      out[path] = message;
      const head = path.split('.')[0] ?? path;
      if (head !== path && !(head in out)) out[head] = message;
      const target = options.fields?.[path] ?? options.fields?.[head];
      if (target && !(target in out)) out[target] = message;
    }
    return out;
  }

  /** Validates, sends; on success closes and calls `onSaved`, on a refusal shows it and keeps the form as typed. */
  async function submit(): Promise<R | undefined> {
    errors.value = {};
    formError.value = '';
    // both run, so that every problem shows at once
    const valid = options.ui?.validate ? await options.ui.validate() : true;
    const checked = options.check ? await options.check(form.value) : true;
    if (!valid || !checked) {
      options.ui?.invalid?.();
      return undefined;
    }
    saving.value = true;
    const created = id.value === null;
    let result: R;
    try {
      result = await options.submit(form.value, id.value);
    } catch (e) {
      if (!isApiError(e) || e.status === 0 || e.status >= 500) throw e;
      errors.value = mapErrors(e.fieldErrors());
      const duplicate = e.code === 'DUPLICATE';
      const message = duplicate && options.duplicateMessage ? options.duplicateMessage : e.message;
      const dup = options.duplicateField;
      if (duplicate && dup && Object.keys(errors.value).length === 0) errors.value[dup] = message;
      formError.value = message;
      options.ui?.failed?.(message);
      return undefined;
    } finally {
      saving.value = false;
    }
    options.ui?.saved?.(created);
    close();
    options.onSaved?.(result, created);
    return result;
  }

  return { visible, form, id, editing, errors, formError, loading, saving, open, close, submit };
}
