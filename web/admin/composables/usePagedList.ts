import { ElMessage } from 'element-plus';
import {
  usePagedList as useCommonPagedList,
  type FilterShape,
  type Filters,
  type ListAnswer,
  type PagedListOptions,
  type PageRequest,
} from '../../common/usePagedList';

export type { Filters, PageRequest } from '../../common/usePagedList';

/**
 * A paged table: the shared list (web/common/usePagedList.ts: filters ↔ address, page and page size, keyset cursor,
 * loading, error, empty, refresh) with a failed load shown as a message. With `filters`, the fetcher receives them
 * with `page`, `pageSize` (and `after`); pass them on whole: `usePagedList((q) => wishApi.list(q), { filters: {
 * state: '' }, url: true })`. Pair it with `<ListPager>` under the table.
 */
export function usePagedList<R extends ListAnswer<unknown>, F extends FilterShape<F> = Filters>(
  fetcher: (request: F & PageRequest) => Promise<R>,
  options: PagedListOptions<F> = {},
) {
  return useCommonPagedList<R, F>(fetcher, { onError: (message) => ElMessage.error(message), ...options });
}
