/**
 * The one paged list of both apps (admin tables with a pager, mobile lists that load on scroll). It owns:
 * - the filters, and with `url: true` their place in the address (`?state=submitted&page=2`), so a reload, a shared
 *   link or the back button shows the same page;
 * - `page`/`pageSize`, and the server's keyset cursor (`nextCursor` → `after`, docs/DECISIONS.md "Scoped lists")
 *   whenever the next page is the one after a page it has seen, so page 50 costs what page 1 does;
 * - `loading`, `error` (the server's Chinese message) and `empty` (loaded, no error, no rows);
 * - `refresh()` after an action (same page; back one page when an action emptied the last one).
 * Answers that arrive after a newer request are dropped.
 */
import { computed, reactive, ref, type Ref } from 'vue';
import { useRoute, useRouter, type LocationQuery } from 'vue-router';
import type { Paged } from './api';

export type FilterValue = string | number | boolean | null | undefined;
export type Filters = Record<string, FilterValue>;
/** Any object of filter values (an interface too). */
export type FilterShape<F> = { [K in keyof F]: FilterValue };

/** What the fetcher receives besides the filters. `after` is set only when the list answered a `nextCursor`. */
export interface PageRequest {
  page: number;
  pageSize: number;
  after?: string;
}

/** A page as the server answers it; `nextCursor` on the lists with keyset pages. */
export interface ListAnswer<T> {
  items: T[];
  total: number;
  page?: number;
  pageSize?: number;
  nextCursor?: string | null;
}

export interface PagedListOptions<F extends FilterShape<F>> {
  /** The filters and their defaults; a filter at its default stays out of the address. */
  filters?: F;
  pageSize?: number;
  /**
   * Keep filters, page and page size in the route's query (list pages; not tables inside a detail page). A text
   * names the list's keys on a page that shows several lists side by side or in tabs: `url: 'ledger'` keeps
   * `ledger.kind`, `ledger.page` …, leaving the other lists' keys alone.
   */
  url?: boolean | string;
  /** Rows of later pages are appended (`loadMore`, lists that load on scroll) instead of replacing the page. */
  append?: boolean;
  /** Called with the Chinese message when a page fails to load (the admin shows it as a message). */
  onError?: (message: string, error: unknown) => void;
}

const messageOf = (e: unknown): string => (e instanceof Error && e.message ? e.message : '加载失败，请稍后重试');

/** A filter's value read from the address, as the type of its default. */
function fromQuery(raw: LocationQuery[string] | undefined, fallback: FilterValue): FilterValue {
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined || text === null) return fallback;
  if (typeof fallback === 'number') return Number.isFinite(Number(text)) ? Number(text) : fallback;
  if (typeof fallback === 'boolean') return text === 'true' || text === '1';
  return text;
}

/** The row type of an answer. */
export type RowOf<R extends ListAnswer<unknown>> = R['items'][number];

export function usePagedList<R extends ListAnswer<unknown>, F extends FilterShape<F> = Filters>(
  fetcher: (request: F & PageRequest) => Promise<R>,
  options: PagedListOptions<F> = {},
) {
  type T = RowOf<R>;
  const defaults = { ...(options.filters ?? ({} as F)) };
  const defaultSize = options.pageSize ?? 20;
  const route = options.url ? useRoute() : null;
  const router = options.url ? useRouter() : null;
  const prefix = typeof options.url === 'string' && options.url ? `${options.url}.` : '';
  /** A key of this list as it is named in the address. */
  const urlKey = (key: string): string => prefix + key;
  const ownKeys = new Set([...Object.keys(defaults), 'page', 'pageSize'].map(urlKey));

  const filters = reactive({ ...defaults }) as F;
  const query = reactive({ page: 1, pageSize: defaultSize });
  if (route) {
    for (const key of Object.keys(defaults) as (keyof F & string)[]) {
      (filters as Filters)[key] = fromQuery(route.query[urlKey(key)], defaults[key] as FilterValue);
    }
    query.page = Math.max(1, Number(fromQuery(route.query[urlKey('page')], 1)) || 1);
    const size = Number(fromQuery(route.query[urlKey('pageSize')], defaultSize)) || defaultSize;
    query.pageSize = Math.min(200, Math.max(1, size));
  }

  const page = ref<Paged<T>>({ items: [], total: 0, page: query.page, pageSize: query.pageSize }) as Ref<Paged<T>>;
  /** The last answer whole, for what a list answers besides its rows (e.g. `inactiveDays`). */
  const answer = ref<R | null>(null) as Ref<R | null>;
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref('');
  const finished = ref(false);
  /** The cursor that starts page n (the `nextCursor` of page n − 1), per page size and filter. */
  let cursors = new Map<number, string>();
  let cursorKey = '';
  let seq = 0;

  const items = computed(() => page.value.items);
  const empty = computed(() => loaded.value && !loading.value && !error.value && page.value.items.length === 0);

  function filterKey(): string {
    return JSON.stringify([filters, query.pageSize]);
  }

  function writeUrl(): void {
    if (!route || !router) return;
    const next: Record<string, string> = {};
    for (const [k, v] of Object.entries(route.query)) {
      if (typeof v === 'string' && !ownKeys.has(k)) next[k] = v;
    }
    for (const [k, v] of Object.entries(filters as Filters)) {
      if (v !== undefined && v !== null && v !== '' && v !== (defaults as Filters)[k]) next[urlKey(k)] = String(v);
    }
    if (query.page > 1) next[urlKey('page')] = String(query.page);
    if (query.pageSize !== defaultSize) next[urlKey('pageSize')] = String(query.pageSize);
    const same =
      Object.keys(next).length === Object.keys(route.query).length &&
      Object.entries(next).every(([k, v]) => route.query[k] === v);
    if (!same) void router.replace({ query: next });
  }

  async function fetchPage(n: number, mine: number): Promise<R | null> {
    const key = filterKey();
    if (key !== cursorKey) {
      cursors = new Map();
      cursorKey = key;
    }
    const after = cursors.get(n);
    const request = { ...filters, page: n, pageSize: query.pageSize, ...(after ? { after } : {}) } as F & PageRequest;
    const res = await fetcher(request);
    if (mine !== seq) return null;
    if (res.nextCursor) cursors.set(n + 1, res.nextCursor);
    answer.value = res;
    return res;
  }

  /** Loads `query.page`, replacing the rows. */
  async function load(): Promise<void> {
    const mine = ++seq;
    loading.value = true;
    writeUrl();
    try {
      const res = await fetchPage(query.page, mine);
      if (!res) return;
      page.value = { items: res.items as T[], total: res.total, page: query.page, pageSize: query.pageSize };
      finished.value = query.page * query.pageSize >= res.total || res.items.length < query.pageSize;
      error.value = '';
      loaded.value = true;
      // an action removed the last row of the last page: show the page before
      if (!res.items.length && query.page > 1 && res.total > 0) {
        query.page = Math.max(1, Math.ceil(res.total / query.pageSize));
        await load();
      }
    } catch (e) {
      if (mine !== seq) return;
      error.value = messageOf(e);
      options.onError?.(error.value, e);
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  /** The next page appended to the rows (lists that load on scroll). */
  async function loadMore(): Promise<void> {
    if (finished.value || loading.value) return;
    if (!loaded.value) return load();
    const mine = ++seq;
    loading.value = true;
    try {
      const res = await fetchPage(query.page + 1, mine);
      if (!res) return;
      query.page += 1;
      const seen = new Set(page.value.items.map((x) => (x as { id?: unknown }).id ?? x));
      const fresh = (res.items as T[]).filter((x) => !seen.has((x as { id?: unknown }).id ?? x));
      page.value = { items: [...page.value.items, ...fresh], total: res.total, page: 1, pageSize: query.pageSize };
      finished.value = query.page * query.pageSize >= res.total || res.items.length < query.pageSize;
      error.value = '';
    } catch (e) {
      if (mine !== seq) return;
      error.value = messageOf(e);
      options.onError?.(error.value, e);
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  /** From page 1 with the current filters (a changed filter, a new search). */
  function search(): Promise<void> {
    query.page = 1;
    finished.value = false;
    return load();
  }

  /** The filters back to their defaults, from page 1. */
  function reset(): Promise<void> {
    Object.assign(filters, defaults);
    return search();
  }

  /** After an action: the same page again (all loaded pages again in append mode, from the first). */
  function refresh(): Promise<void> {
    if (options.append) return search();
    return load();
  }

  /** A new page size starts again at page 1. */
  function setPageSize(size: number): Promise<void> {
    query.pageSize = size;
    return search();
  }

  return {
    filters,
    query,
    page,
    answer,
    items,
    loading,
    loaded,
    error,
    empty,
    finished,
    load,
    loadMore,
    search,
    reset,
    refresh,
    setPageSize,
  };
}
