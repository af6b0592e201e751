/**
 * Names the controls Element Plus renders without an accessible name (WCAG 2.1 4.1.2, GB/T 37668; checked by
 * e2e/a11y.e2e.test.ts): a select's inner input, a switch or a checkbox inside a form item or a table cell, and a
 * progress bar. The name is what a sighted user reads next to it: the form item's label, the table column's header,
 * the placeholder, or the text around a progress bar. An `aria-label` written in a template always wins.
 */
const CONTROLS =
  'input.el-select__input, input.el-switch__input, input.el-checkbox__original, input.el-radio__original';

function text(el: Element | null | undefined): string {
  return (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function columnHeader(el: Element): string {
  const cell = el.closest('td');
  const table = el.closest('.el-table');
  if (!cell || !table) return '';
  const index = [...cell.parentElement!.children].indexOf(cell);
  return text(table.querySelectorAll('.el-table__header th')[index]?.querySelector('.cell'));
}

function labelFor(el: Element): string {
  const item = el.closest('.el-form-item');
  const label = text(item?.querySelector('.el-form-item__label'));
  if (label) return label;
  const header = columnHeader(el);
  if (header) return header;
  return (
    (el as HTMLInputElement).placeholder || text(el.closest('.el-select')?.querySelector('.el-select__placeholder'))
  );
}

function unnamed(el: Element): boolean {
  if (el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby')) return false;
  return !((el as HTMLInputElement).labels?.length ?? 0);
}

function nameControls(root: ParentNode): void {
  for (const el of root.querySelectorAll(CONTROLS)) {
    if (!unnamed(el)) continue;
    const name = labelFor(el);
    if (name) el.setAttribute('aria-label', name);
  }
  for (const el of root.querySelectorAll('[role="progressbar"]:not([aria-label]):not([aria-labelledby])')) {
    const around = text(el.parentElement)
      .replace(/\d+(\.\d+)?%$/, '')
      .trim();
    el.setAttribute('aria-label', labelFor(el) || around.slice(0, 30) || '进度');
  }
}

/** Watches the page for new controls (route changes, dialogs, table pages) and names them once per frame. */
export function installControlNames(): void {
  let pending = false;
  const run = () => {
    pending = false;
    nameControls(document);
  };
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(run);
  }).observe(document.body, { childList: true, subtree: true });
  run();
}
