import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { displayLinks, regions } from '../../db/schema/index.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { chinaDate } from '../../platform/clock.js';
import { randomToken, sha256Hex } from '../../platform/crypto.js';
import { invalid, notFound } from '../../platform/errors.js';
import { escapeLike, type Scope } from '../../platform/scope.js';
import { maskName } from '../stars/service.js';
import type { ListCache } from '../../platform/lists.js';
import { foldDeltas, lowerLevel, monthlySeries, overview, statsRegion } from './service.js';

/**
 * 大屏 (/screen/): one answer with everything the big screen shows for a region — this year's totals, the last 12
 * months, the lower regions ranked, the service loop funnel and a feed of recent activities and orders (names
 * masked). Read by a signed-in staff member for their regions, or through a display link for the link's region.
 */
const RANK_KEYS = ['activities.total', 'volunteers.registered', 'hours.total', 'orders.completed', 'coverage.rate'];

export async function screenData(
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  now: Date,
  regionCode?: string,
  cache?: ListCache,
) {
  const region = await statsRegion(db, scope, countyCode, regionCode);
  const to = chinaDate(now);
  const from = `${to.slice(0, 4)}-01-01`;
  const by = lowerLevel(region);
  const year = await overview(db, scope, countyCode, now, { regionCode: region.code, from, to, by }, cache);
  const start = new Date(`${to.slice(0, 7)}-01T00:00:00Z`);
  start.setUTCMonth(start.getUTCMonth() - 11);
  const series = await monthlySeries(db, scope, countyCode, now, {
    regionCode: region.code,
    from: start.toISOString().slice(0, 10),
    to,
  });
  await foldDeltas(db);
  const { rows: f } = await db.execute(sql`
    select key, coalesce(sum(value), 0)::float8 as v from stat_rollups
    where region_code = ${region.code} and grain = 'd' and period between ${from}::date and ${to}::date
      and key in ('orders.submitted', 'funnel.dispatched', 'funnel.accepted', 'funnel.completed', 'funnel.rated')
    group by key`);
  const fv = (k: string) => Number((f as { key: string; v: number }[]).find((r) => r.key === k)?.v ?? 0);
  const like = escapeLike(region.path) + '%';
  const { rows: feed } = await db.execute(sql`
    (select 'activity' as kind, a.id::text as id, a.title as title, r.name as region, a.state as state,
       coalesce(a.ended_at, a.published_at, a.created_at) as at, '' as person
     from activities a join regions r on r.code = a.region_code
     where a.region_path like ${like} and a.state in ('published', 'full', 'in_progress', 'ended', 'archived')
     order by coalesce(a.ended_at, a.published_at, a.created_at) desc limit 10)
    union all
    (select 'order', o.id::text, coalesce(i.name, ''), r.name, o.state, o.updated_at, o.contact_name
     from orders o join regions r on r.code = o.region_code left join service_items i on i.id = o.service_item_id
     where o.region_path like ${like}
     order by o.updated_at desc limit 10)
    order by at desc limit 16`);
  return {
    region: { code: region.code, name: region.name, level: region.level, parentCode: region.parentCode },
    asOf: year.asOf,
    from,
    to,
    figures: year.figures,
    series: series.months,
    seriesKeys: series.keys,
    ranking: (year.regions ?? [])
      .filter((r) => !r.own)
      .map((r) => ({
        code: r.code,
        name: r.name,
        values: Object.fromEntries(RANK_KEYS.map((k) => [k, r.figures.find((x) => x.key === k)!.value])),
      })),
    funnel: [
      { key: 'submitted', label: '群众点单', value: fv('orders.submitted') },
      { key: 'dispatched', label: '派单', value: fv('funnel.dispatched') },
      { key: 'accepted', label: '接单', value: fv('funnel.accepted') },
      { key: 'completed', label: '完成', value: fv('funnel.completed') },
      { key: 'rated', label: '评价', value: fv('funnel.rated') },
    ],
    feed: (
      feed as {
        kind: 'activity' | 'order';
        id: string;
        title: string;
        region: string;
        state: string;
        at: string;
        person: string;
      }[]
    ).map((x) => ({
      kind: x.kind,
      id: x.id,
      title: x.title,
      region: x.region,
      state: x.state,
      at: new Date(x.at),
      person: x.person ? maskName(x.person) : '',
    })),
  };
}

// ---------- display links ----------

export async function createDisplayLink(
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  actor: Actor,
  now: Date,
  input: { regionCode?: string; label: string; expiresAt?: Date },
) {
  const region = await statsRegion(db, scope, countyCode, input.regionCode);
  if (input.expiresAt && input.expiresAt <= now) throw invalid('expiresAt', '过期时间应晚于现在');
  const token = randomToken(24);
  const [link] = await db
    .insert(displayLinks)
    .values({
      countyCode: region.countyCode,
      regionCode: region.code,
      label: input.label,
      tokenHash: sha256Hex(token),
      createdBy: actor.userId!,
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
    })
    .returning();
  await writeAudit(db, actor, {
    action: 'display_link.create',
    entity: 'display_link',
    entityId: link.id,
    detail: { regionCode: region.code, label: input.label },
  });
  return { ...(await linkView(db, link)), token };
}

export async function listDisplayLinks(db: DbOrTx, scope: Scope, countyCode: string) {
  const rows = await db
    .select()
    .from(displayLinks)
    .where(eq(displayLinks.countyCode, countyCode))
    .orderBy(desc(displayLinks.createdAt));
  const out = [];
  for (const l of rows) {
    const [r] = await db.select().from(regions).where(eq(regions.code, l.regionCode));
    if (r && (scope.all || scope.subtrees.some((p) => r.path.startsWith(p)))) out.push(await linkView(db, l));
  }
  return { items: out };
}

export async function revokeDisplayLink(
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  actor: Actor,
  now: Date,
  id: string,
) {
  const [l] = await db.select().from(displayLinks).where(eq(displayLinks.id, id));
  if (!l || l.countyCode !== countyCode) throw notFound('展示链接');
  await statsRegion(db, scope, countyCode, l.regionCode);
  await db
    .update(displayLinks)
    .set({ revokedAt: now, revokedBy: actor.userId })
    .where(and(eq(displayLinks.id, id), isNull(displayLinks.revokedAt)));
  await writeAudit(db, actor, { action: 'display_link.revoke', entity: 'display_link', entityId: id });
}

async function linkView(db: DbOrTx, l: typeof displayLinks.$inferSelect) {
  const [r] = await db.select({ name: regions.name }).from(regions).where(eq(regions.code, l.regionCode));
  return {
    id: l.id,
    regionCode: l.regionCode,
    regionName: r?.name ?? '',
    label: l.label,
    createdAt: l.createdAt,
    expiresAt: l.expiresAt,
    revokedAt: l.revokedAt,
    lastUsedAt: l.lastUsedAt,
  };
}

/** The scope a display link reads with: its region's subtree, nothing else; unknown, revoked or expired → 404. */
export async function displayLinkScope(db: DbOrTx, token: string, now: Date) {
  const [l] = await db
    .select()
    .from(displayLinks)
    .where(eq(displayLinks.tokenHash, sha256Hex(token)));
  if (!l || l.revokedAt || (l.expiresAt && l.expiresAt <= now)) throw notFound('展示链接');
  const [r] = await db.select().from(regions).where(eq(regions.code, l.regionCode));
  if (!r) throw notFound('展示链接');
  if (!l.lastUsedAt || now.getTime() - l.lastUsedAt.getTime() > 60_000)
    await db.update(displayLinks).set({ lastUsedAt: now }).where(eq(displayLinks.id, l.id));
  const scope: Scope = { userId: l.createdBy, all: false, subtrees: [r.path], regions: [], self: false };
  return { scope, countyCode: l.countyCode, regionCode: l.regionCode };
}
