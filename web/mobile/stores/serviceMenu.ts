import { defineStore } from 'pinia';
import { ref } from 'vue';
import { serviceItemsApi, type ServiceMenu } from '../api/orders';

/** The service menu of the signed-in resident's village, shared by the 点单 tab and the order form. */
export const useServiceMenuStore = defineStore('serviceMenu', () => {
  const menu = ref<ServiceMenu | null>(null);
  let pending: Promise<ServiceMenu> | null = null;

  function load(force = false): Promise<ServiceMenu> {
    if (menu.value && !force) return Promise.resolve(menu.value);
    pending ??= serviceItemsApi
      .menu()
      .then((m) => {
        menu.value = m;
        return m;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  }

  function reset(): void {
    menu.value = null;
  }

  return { menu, load, reset };
});
