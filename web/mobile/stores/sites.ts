import { defineStore } from 'pinia';
import { ref } from 'vue';
import { errorMessage, sitesApi, type NearbySites } from '../api';

/** The nearby sites, fetched once and shared by 首页 and 附近的实践站; pull-to-refresh reloads. */
export const useSitesStore = defineStore('sites', () => {
  const nearby = ref<NearbySites | null>(null);
  const loading = ref(false);
  const error = ref('');

  async function loadNearby(force = false): Promise<void> {
    if (nearby.value && !force) return;
    loading.value = true;
    error.value = '';
    try {
      nearby.value = await sitesApi.nearby();
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }

  function reset(): void {
    nearby.value = null;
    error.value = '';
  }

  return { nearby, loading, error, loadNearby, reset };
});
