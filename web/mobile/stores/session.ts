import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { ApiError, authApi, type Me } from '../api';

/** Who is signed in. `me` is null until loaded; `checked` says whether we asked the server yet. */
export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null);
  const checked = ref(false);
  let pending: Promise<Me | null> | null = null;

  const loggedIn = computed(() => me.value !== null);

  /** Loads /me once; a 401 means "not signed in", other errors propagate. */
  function ensure(): Promise<Me | null> {
    if (checked.value) return Promise.resolve(me.value);
    pending ??= authApi
      .me()
      .then((user) => {
        me.value = user;
        return user;
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) {
          me.value = null;
          return null;
        }
        throw e;
      })
      .finally(() => {
        pending = null;
      })
      .then((user) => {
        checked.value = true;
        return user;
      });
    return pending;
  }

  async function login(phone: string, password: string): Promise<void> {
    await authApi.login(phone, password);
    checked.value = false;
    me.value = await authApi.me();
    checked.value = true;
  }

  /** Ends the session on the server; the local session is cleared even if that call fails. */
  async function logout(): Promise<void> {
    try {
      await authApi.logout();
    } finally {
      clear();
    }
  }

  /** Asks the server again, e.g. after registering as a volunteer changed `volunteerId` and the roles. */
  async function refresh(): Promise<Me | null> {
    checked.value = false;
    return ensure();
  }

  function clear(): void {
    me.value = null;
    checked.value = true;
  }

  return { me, checked, loggedIn, ensure, refresh, login, logout, clear };
});
