import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { authApi, type Me } from '../api';

/** The roles of people served and of volunteers: what they do is in the H5 (/m/), not in the admin. */
export const SELF_SERVICE_ROLES = ['resident', 'volunteer'] as const;

export const useAuthStore = defineStore('auth', () => {
  const me = ref<Me | null>(null);
  const loaded = ref(false);

  const permissions = computed(() => new Set(me.value?.permissions ?? []));
  const isLoggedIn = computed(() => me.value !== null);
  const roleNames = computed(() =>
    (me.value?.roles ?? []).map((r) => [r.roleName ?? r.role, r.regionName].filter(Boolean).join(' · ')),
  );

  /** Residents and volunteers work in the H5; the admin is for staff (any other role, or none assigned yet). */
  const isStaff = computed(() => {
    const roles = me.value?.roles ?? [];
    return roles.length === 0 || roles.some((r) => !(SELF_SERVICE_ROLES as readonly string[]).includes(r.role));
  });
  const mustChangePassword = computed(() => me.value?.mustChangePassword === true);

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

  async function changePassword(oldPassword: string, newPassword: string): Promise<void> {
    await authApi.changePassword(oldPassword, newPassword);
    if (me.value) me.value = { ...me.value, mustChangePassword: false };
  }

  /** The server said the password must be changed first (a session that began before the flag was set). */
  function requirePasswordChange(): void {
    if (me.value) me.value = { ...me.value, mustChangePassword: true };
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

  return {
    me,
    loaded,
    permissions,
    isLoggedIn,
    isStaff,
    mustChangePassword,
    roleNames,
    can,
    ensureLoaded,
    login,
    changePassword,
    requirePasswordChange,
    logout,
    clear,
  };
});
