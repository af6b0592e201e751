import { computed, onMounted, ref, type Ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { showToast } from 'vant';
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
 * signed-in user's county, or the one picked when there are several), and lets a signed-in user object to one item — anyone else is sent to the login page first.
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
