/**
 * Built answers of the scoped sites list, kept in memory and checked against the database on every request.
 *
 * The list is the busiest read of the admin pages and changes rarely (a site is added, edited or inspected a few
 * times a day in a county). Building a page costs PostgreSQL ~10× a `select 1` (the window count, 20 region and
 * inspection lookups, the JSON text) and the server the same again (a 12 KB row read, decoded and encoded back to
 * UTF-8); checking that a built page is still current costs one primary-key read of `cache_versions`, whose 'sites'
 * row is bumped at the commit of every transaction that writes sites, inspections or regions (migration 0007,
 * deferred constraint triggers). So an answer served from here is never older than the database: a write through
 * another app server, the CLI or psql invalidates it just as well, and there is no time-to-live to wait out.
 *
 * An entry is stored under the version read in the same snapshot as its data, so a write that commits while a page
 * is being built leaves the entry one version behind (rebuilt on the next request), never ahead. Compliance
 * depends on the clock as well: an inspection older than the validity period makes its site 'uninspected'; each entry
 * remembers the oldest still-valid inspection of its page and is not used once the validity window has moved past
 * it. Lists filtered by compliance (whose membership moves with the clock) are not kept.
 */
export type ListCacheStats = { entries: number; bytes: number; hits: number; misses: number };

type Entry = { version: string; body: Buffer; validUntilFrom: number | null };

export class ListCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly maxEntries = 2000,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  /**
   * The answer stored under `key` if it was built at `version` and its compliance statuses still hold for a validity
   * window starting at `validFromMs`.
   */
  get(key: string, version: string, validFromMs: number): Buffer | undefined {
    const e = this.entries.get(key);
    if (!e || e.version !== version || (e.validUntilFrom !== null && validFromMs > e.validUntilFrom)) {
      this.misses++;
      return undefined;
    }
    // least recently used first: move the hit to the end
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e.body;
  }

  /** `validUntilFrom`: the latest start of the validity window for which every status in `body` still holds. */
  set(key: string, version: string, body: Buffer, validUntilFrom: number | null) {
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.body.length;
      this.entries.delete(key);
    }
    if (body.length > this.maxBytes / 8) return; // one huge page (pageSize 200 of long texts) is not worth a slot
    this.entries.set(key, { version, body, validUntilFrom });
    this.bytes += body.length;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.body.length;
    }
  }

  clear() {
    this.entries.clear();
    this.bytes = 0;
  }

  stats(): ListCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses };
  }
}
