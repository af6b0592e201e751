/**
 * Repairs what Vant renders without an accessible name or with nested controls (WCAG 2.1 1.3.1 / 4.1.2, GB/T 37668;
 * checked by e2e/a11y.e2e.test.ts):
 * - a picker field (`<van-field is-link readonly>`) is a `role="button"` cell holding a focusable input: the cell
 *   stops being a second control, and Enter or Space on the input opens the picker as a tap does;
 * - an uploader's file input is named after its field's label;
 * - the number keyboard's delete key is named 删除, and its empty key leaves the tab order.
 */
import messages from './locales/zh-CN';

function text(el: Element | null | undefined): string {
  return (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function repair(root: ParentNode): void {
  for (const cell of root.querySelectorAll('.van-field.van-cell--clickable[role="button"]')) {
    const input = cell.querySelector<HTMLInputElement>('input, textarea');
    if (!input) continue;
    cell.removeAttribute('role');
    cell.removeAttribute('tabindex');
    input.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      (cell as HTMLElement).click();
    });
  }
  for (const input of root.querySelectorAll('input.van-uploader__input:not([aria-label])')) {
    const label = text(input.closest('.van-field, .van-cell')?.querySelector('.van-field__label, .van-cell__title'));
    input.setAttribute('aria-label', label || messages.app.uploadPhoto);
  }
  for (const key of root.querySelectorAll('.van-key[role="button"]:not([aria-label])')) {
    if (text(key)) continue;
    if (key.classList.contains('van-key--delete')) key.setAttribute('aria-label', messages.app.keyDelete);
    else {
      key.removeAttribute('role');
      key.removeAttribute('tabindex');
    }
  }
}

/** Watches the page for new Vant parts (route changes, popups) and repairs them once per frame. */
export function installA11yRepairs(): void {
  let pending = false;
  const run = () => {
    pending = false;
    repair(document);
  };
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(run);
  }).observe(document.body, { childList: true, subtree: true });
  run();
}
