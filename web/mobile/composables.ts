import { computed, onMounted, ref, watch, type Ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { showToast } from 'vant';
import { useFormDrawer, type FormDrawerOptions } from '../common/useFormDrawer';
import { errorMessage } from './api';
import { useSessionStore } from './stores/session';
import { useCountyStore } from './stores/county';

/** Back to where the user came from, or to 首页 when the page was opened directly. */
export function useBack(fallback = '/'): () => void {
  const router = useRouter();
  return () => {
    if (window.history.state?.back) router.back();
    else void router.replace(fallback);
  };
}

/**
 * A public list of things under notice (公示) with 我有异议: loads the list of the county shown (useCountyStore: the
 * signed-in user's county, or the one picked when there are several), and lets a signed-in user object to one item —
 * anyone else is sent to the login page first.
 * Used by the points notices and the honour notices.
 */
export function usePublicNotices<T extends { id: string }>(opts: {
  fetch: (county: string | undefined) => Promise<{ items: T[] }>;
  object: (id: string, reason: string) => Promise<unknown>;
  loginMessage: string;
}) {
  const route = useRoute();
  const router = useRouter();
  const session = useSessionStore();
  const county = useCountyStore();
  const items = ref<T[]>([]) as Ref<T[]>;
  const state = ref<'loading' | 'error' | 'ready'>('loading');
  const error = ref('');
  const objecting = ref<T | null>(null) as Ref<T | null>;
  const showObjection = computed({
    get: () => objecting.value !== null,
    set: (v: boolean) => {
      if (!v) objecting.value = null;
    },
  });

  async function load(): Promise<void> {
    state.value = 'loading';
    try {
      await session.ensure().catch(() => null);
      await county.ensure();
      items.value = (await opts.fetch(county.current)).items;
      state.value = 'ready';
    } catch (e) {
      error.value = errorMessage(e);
      state.value = 'error';
    }
  }
  onMounted(load);

  function startObjection(item: T): void {
    if (!session.loggedIn) {
      showToast(opts.loginMessage);
      void router.push({ name: 'login', query: { redirect: route.fullPath } });
      return;
    }
    objecting.value = item;
  }

  async function send(reason: string): Promise<void> {
    if (objecting.value) await opts.object(objecting.value.id, reason);
  }

  return { items, state, error, load, objecting, showObjection, startObjection, send };
}

/**
 * A form page of the H5 (sign-up, wish, claim, order, registration …): the shared form (web/common/useFormDrawer.ts)
 * with the page's own rules (`rules(form)` answers the Chinese message of each wrong field), each error beside its
 * field (`<van-field :error-message="errors.title">`) until that field is changed, and Vant toasts: `invalid` when
 * the rules fail, the server's message when it refuses, `saved` on success (then `onSaved`, e.g. to leave the page).
 */
/** Each field's Chinese message, or a falsy value when the field is right. */
export type PageRules = Record<string, string | false | null | undefined>;

export function useFormPage<F extends object, R = unknown>(
  options: Omit<FormDrawerOptions<F, R>, 'ui'> & {
    rules?: (form: F) => PageRules;
    invalid: string;
    saved?: string;
    /** How the page tells a refusal or a failure; a toast unless given (a one-button form may want a dialog). */
    failed?: (message: string) => void;
  },
) {
  const failed = options.failed ?? ((message: string) => showToast(message));
  const page: ReturnType<typeof useFormDrawer<F, R>> = useFormDrawer<F, R>({
    ...options,
    ui: {
      validate: (): Promise<boolean> => {
        const found: [string, string][] = Object.entries(options.rules?.(page.form.value) ?? {}).filter(
          (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
        );
        page.errors.value = Object.fromEntries(found);
        return Promise.resolve(found.length === 0);
      },
      invalid: () => showToast(options.invalid),
      failed,
      saved: () => {
        if (options.saved) showToast({ type: 'success', message: options.saved });
      },
    },
  });
  // A field's error goes as soon as the field is changed.
  watch(
    () => ({ ...page.form.value }) as Record<string, unknown>,
    (now, before) => {
      const changed = Object.keys(now).filter((k) => now[k] !== before[k] && page.errors.value[k]);
      if (changed.length)
        page.errors.value = Object.fromEntries(Object.entries(page.errors.value).filter(([k]) => !changed.includes(k)));
    },
  );

  /** Sends the form; a failure the form cannot show (the network, the server) is a toast. */
  async function submit(): Promise<R | undefined> {
    try {
      return await page.submit();
    } catch (e) {
      failed(errorMessage(e));
      return undefined;
    }
  }

  return { ...page, submit };
}
