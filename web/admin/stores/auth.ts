import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { authApi, type Me } from '../api';

export const useAuthStore = defineStore('auth', () => {
  const me = ref<Me | null>(null);
  const loaded = ref(false);

  const permissions = computed(() => new Set(me.value?.permissions ?? []));
  const isLoggedIn = computed(() => me.value !== null);
  const roleNames = computed(() =>
    (me.value?.roles ?? []).map((r) => [r.roleName ?? r.role, r.regionName].filter(Boolean).join(' · ')),
  );

  function can(code: string | string[] | undefined | null): boolean {
    if (!code) return true;
    const codes = Array.isArray(code) ? code : [code];
    return codes.some((c) => permissions.value.has(c));
  }

  /** Loads the current user once; answers false when there is no session. */
  async function ensureLoaded(): Promise<boolean> {
    if (loaded.value) return me.value !== null;
    try {
      me.value = await authApi.me();
    } catch {
      me.value = null;
    }
    loaded.value = true;
    return me.value !== null;
  }

  async function login(phone: string, password: string): Promise<void> {
    await authApi.login(phone, password);
    // /me carries the region and masked phone; the login answer is enough if it fails.
    me.value = await authApi.me();
    loaded.value = true;
  }

  async function logout(): Promise<void> {
    try {
      await authApi.logout();
    } finally {
      clear();
    }
  }

  function clear(): void {
    me.value = null;
    loaded.value = true;
  }

  return { me, loaded, permissions, isLoggedIn, roleNames, can, ensureLoaded, login, logout, clear };
});
