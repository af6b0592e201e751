import { ref, type Ref } from 'vue';
import { siteApi } from '../../api';

export interface SiteOption {
  id: string;
  name: string;
  address?: string | null;
  lat?: number | null;
  lng?: number | null;
}

/** The part of an activity's form that a site fills in. */
interface PlaceFields {
  regionName: string;
  siteId: string;
  address: string;
}
interface Coordinates {
  lat: number | undefined;
  lng: number | undefined;
}

/**
 * The 阵地 picker of the activity forms (the drawer and the record page): the sites of the chosen 村/镇, emptied when
 * the region changes; a site fills in an empty address, and (`point`: a form with a check-in point) an empty point.
 */
export function useActivitySites<F extends PlaceFields & Partial<Coordinates>>(
  form: Ref<F>,
  options: { point?: boolean } = {},
) {
  const sites = ref<SiteOption[]>([]);
  const sitesLoading = ref(false);

  /** The region's sites; `keep` is the current site, shown under its name even if the list does not hold it. */
  async function loadSites(regionCode: string, keep?: { id: string; name: string } | null): Promise<void> {
    sites.value = keep ? [keep] : [];
    if (!regionCode) return;
    sitesLoading.value = true;
    try {
      const res = await siteApi.list({ regionCode, page: 1, pageSize: 100 });
      const list: SiteOption[] = res.items.map((s) => ({
        id: s.id,
        name: s.name,
        address: s.address,
        lat: s.lat,
        lng: s.lng,
      }));
      sites.value = keep && !list.some((s) => s.id === keep.id) ? [keep, ...list] : list;
    } finally {
      sitesLoading.value = false;
    }
  }

  function onRegionChange(region: { code: string; name: string } | undefined): void {
    form.value.regionName = region?.name ?? '';
    form.value.siteId = '';
    void loadSites(region?.code ?? '');
  }

  function onSiteChange(id: string): void {
    const s = sites.value.find((x) => x.id === id);
    if (!s) return;
    const f = form.value;
    if (s.address && !f.address) f.address = s.address;
    const empty = f.lat === undefined && f.lng === undefined;
    if (options.point && empty && typeof s.lat === 'number' && typeof s.lng === 'number') {
      f.lat = s.lat;
      f.lng = s.lng;
    }
  }

  return { sites, sitesLoading, loadSites, onRegionChange, onSiteChange };
}
