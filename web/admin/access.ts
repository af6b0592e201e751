import type { App, Directive } from 'vue';
import { useAuthStore } from './stores/auth';

function apply(el: HTMLElement, code: string | string[]): void {
  // Hidden rather than removed, so Vue's later patches still find the element where they left it.
  el.style.display = useAuthStore().can(code) ? '' : 'none';
}

/**
 * `v-access="'site:create'"` (or an array: any of them) hides the element when the user lacks the permission.
 * The server still checks every call; this only keeps buttons that would fail out of sight.
 */
export const vAccess: Directive<HTMLElement, string | string[]> = {
  mounted: (el, binding) => apply(el, binding.value),
  updated: (el, binding) => apply(el, binding.value),
};

/** `can('site:update')` in scripts and templates. */
export function useAccess(): { can: (code: string | string[]) => boolean } {
  const auth = useAuthStore();
  return { can: (code) => auth.can(code) };
}

export function installAccess(app: App): void {
  app.directive('access', vAccess);
}

declare module 'vue' {
  interface ComponentCustomProperties {
    vAccess: typeof vAccess;
  }
}
