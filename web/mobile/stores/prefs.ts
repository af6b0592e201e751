import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

const ELDER_KEY = 'wm_m_elder_mode';

function readElder(): boolean {
  try {
    return localStorage.getItem(ELDER_KEY) === '1';
  } catch {
    return false;
  }
}

/** Device preferences, kept in localStorage so they survive logout. */
export const usePrefsStore = defineStore('prefs', () => {
  const elderMode = ref(readElder());

  function applyClass(on: boolean): void {
    document.documentElement.classList.toggle('elder-mode', on);
  }

  watch(
    elderMode,
    (on) => {
      applyClass(on);
      try {
        localStorage.setItem(ELDER_KEY, on ? '1' : '0');
      } catch {
        // Private browsing may refuse storage; the mode still applies for this visit.
      }
    },
    { immediate: true },
  );

  return { elderMode };
});
