import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { regionsApi } from '../api';
import type { RegionNode as Region } from '../api/orders';
import { countyOf } from '../pointsLabels';
import { useSessionStore } from './session';

const KEY = 'wm.county';

/**
 * Which county the public pages show. One deployment may hold several counties (the roots of GET /regions): the county
 * a link names (`?county=`, on any page, for this visit) comes first; then a signed-in user sees their own county
 * until they pick another; anyone else the county they picked last time, or the first. With one county there is
 * nothing to pick and the pages need not name it.
 */
export const useCountyStore = defineStore('county', () => {
  const session = useSessionStore();
  const counties = ref<Region[]>([]);
  const picked = ref<string | null>(localStorage.getItem(KEY));
  const linked = ref<string | null>(null);
  let pending: Promise<void> | null = null;

  const several = computed(() => counties.value.length > 1);
  const known = (code: string | null | undefined) => !!code && counties.value.some((c) => c.code === code);
  const current = computed<string | undefined>(() => {
    if (!several.value) return counties.value[0]?.code;
    if (known(linked.value)) return linked.value ?? undefined;
    if (known(picked.value)) return picked.value ?? undefined;
    const mine = countyOf(session.me?.regionCode);
    return known(mine) ? mine : counties.value[0]?.code;
  });
  const currentName = computed(() => counties.value.find((c) => c.code === current.value)?.name ?? '');

  /** Loads the counties once. */
  function ensure(): Promise<void> {
    if (counties.value.length) return Promise.resolve();
    pending ??= regionsApi
      .children()
      .then((r) => {
        counties.value = r.items;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  }

  function pick(code: string): void {
    picked.value = code;
    linked.value = null;
    localStorage.setItem(KEY, code);
  }

  /** A link's `?county=`: shown for this visit (not remembered), ahead of the user's own county and last pick. */
  function follow(code: string): void {
    linked.value = code;
  }

  return { counties, several, current, currentName, ensure, pick, follow };
});
