import { reactive, ref, type Ref } from 'vue';
import { emptyPage, type PageQuery, type Paged } from '../../common/api';

/**
 * A paged table's state: `query` (page, pageSize) for el-pagination, the current `page` of rows, `loading`,
 * `load()` for the current page and `search()` to start again at page 1. `fetcher` reads the page's filters
 * itself; answers that arrive after a newer request are dropped.
 */
export function usePagedList<T>(fetcher: (page: Required<PageQuery>) => Promise<Paged<T>>, pageSize = 20) {
  const query = reactive({ page: 1, pageSize });
  const page = ref(emptyPage<T>(pageSize)) as Ref<Paged<T>>;
  const loading = ref(false);
  let seq = 0;

  async function load(): Promise<void> {
    const mine = ++seq;
    loading.value = true;
    try {
      const res = await fetcher({ page: query.page, pageSize: query.pageSize });
      if (mine === seq) page.value = res;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  function search(): Promise<void> {
    query.page = 1;
    return load();
  }

  return { query, page, loading, load, search };
}
