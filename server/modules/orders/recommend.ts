import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { orders, serviceItems, sites, teams, volunteers } from '../../db/schema/index.js';
import { standingCategories } from '../volunteers/service.js';
import { countyPath, townPath } from '../../platform/scope.js';

type Candidate = {
  type: 'team' | 'volunteer';
  id: string;
  name: string;
  score: number;
  reasons: string[];
  regionPath: string;
};

const km = (a: { lat: number; lng: number }, b: { lat: number; lng: number }) => {
  const r = Math.PI / 180;
  const x = (b.lng - a.lng) * r * Math.cos(((a.lat + b.lat) / 2) * r);
  const y = (b.lat - a.lat) * r;
  return Math.sqrt(x * x + y * y) * 6371;
};

/** Distance by coordinates when both ends have them, otherwise by the region tree. */
function distance(
  orderPath: string,
  candPath: string,
  orderPos: { lat: number; lng: number } | null,
  candPos: { lat: number; lng: number } | null,
): { points: number; reason: string } {
  if (orderPos && candPos) {
    const d = km(orderPos, candPos);
    return { points: Math.max(0, 25 - d * 1.5), reason: `距离约 ${d.toFixed(1)} 公里` };
  }
  const a = orderPath.split('/').filter(Boolean);
  const b = candPath.split('/').filter(Boolean);
  let common = 0;
  while (common < Math.min(a.length, b.length) && a[common] === b[common]) common++;
  if (common >= 3 || (common === b.length && b.length === a.length)) return { points: 25, reason: '同村（社区）' };
  if (common >= 2) return { points: 15, reason: b.length === 2 ? '本镇的队伍' : '同一乡镇' };
  return { points: 5, reason: b.length === 1 ? '县级队伍' : '同县其他乡镇' };
}

/**
 * Ranks teams and volunteers for an order: category and skill match, distance, current open load, past ratings
 * and availability — each candidate with its reasons in Chinese.
 */
export async function recommend(db: DbOrTx, orderId: string, limit = 10) {
  const [o] = await db
    .select({
      id: orders.id,
      countyCode: orders.countyCode,
      regionPath: orders.regionPath,
      regionCode: orders.regionCode,
      itemName: serviceItems.name,
      category: serviceItems.category,
      providers: serviceItems.providerTeamIds,
      description: orders.description,
    })
    .from(orders)
    .innerJoin(serviceItems, eq(serviceItems.id, orders.serviceItemId))
    .where(eq(orders.id, orderId));
  const [station] = await db
    .select({ lat: sites.lat, lng: sites.lng })
    .from(sites)
    .where(and(eq(sites.regionCode, o.regionCode), sql`${sites.lat} is not null`))
    .limit(1);
  const orderPos = station?.lat != null && station.lng != null ? { lat: station.lat, lng: station.lng } : null;
  const catName = (standingCategories as Record<string, string>)[o.category] ?? o.category;
  const town = townPath(o.regionPath);
  const county = countyPath(o.regionPath);
  const text = `${o.itemName}${o.description}`;

  const loadSql = (col: string) =>
    sql.raw(`(select count(*)::int from orders x where x.${col} and x.state in ('accepted','in_service'))`);
  const teamRows = await db
    .select({
      id: teams.id,
      name: teams.name,
      category: teams.category,
      regionPath: teams.regionPath,
      leader: teams.leaderVolunteerId,
      lat: sites.lat,
      lng: sites.lng,
      load: sql<number>`${loadSql('accepted_team_id = "teams"."id"')}`,
      avg: sql<number | null>`(select avg(x.score)::float from orders x
        where x.accepted_team_id = "teams"."id"
        and x.score is not null and not x.auto_rated)`,
      rated: sql<number>`(select count(*)::int from orders x
        where x.accepted_team_id = "teams"."id" and x.score is not null and not x.auto_rated)`,
      members: sql<number>`(select count(*)::int from team_members m
        where m.team_id = "teams"."id" and m.status = 'active')`,
    })
    .from(teams)
    .leftJoin(sites, eq(sites.id, teams.siteId))
    .where(
      and(
        eq(teams.countyCode, o.countyCode),
        sql`(${teams.regionPath} like ${town + '%'} or ${teams.regionPath} = ${county})`,
      ),
    );

  const volRows = await db
    .select({
      id: volunteers.id,
      name: volunteers.name,
      categories: volunteers.categories,
      skills: volunteers.skills,
      regionPath: volunteers.regionPath,
      availability: volunteers.availability,
      load: sql<number>`${loadSql('accepted_volunteer_id = "volunteers"."id"')}`,
      avg: sql<number | null>`(select avg(x.score)::float from orders x
        where x.accepted_volunteer_id = "volunteers"."id"
        and x.score is not null and not x.auto_rated)`,
      rated: sql<number>`(select count(*)::int from orders x
        where x.accepted_volunteer_id = "volunteers"."id" and x.score is not null and not x.auto_rated)`,
    })
    .from(volunteers)
    .where(
      and(
        eq(volunteers.countyCode, o.countyCode),
        eq(volunteers.verified, true),
        sql`${volunteers.userId} is not null`,
        sql`${volunteers.regionPath} like ${town + '%'}`,
      ),
    );

  const out: Candidate[] = [];
  for (const t of teamRows) {
    if (!t.leader) continue;
    const reasons: string[] = [];
    let score = 0;
    if (o.providers.includes(t.id)) {
      score += 45;
      reasons.push('菜单指定的服务队伍');
    }
    if (t.category === o.category) {
      score += 35;
      reasons.push(`服务类别一致（${catName}）`);
    }
    const d = distance(
      o.regionPath,
      t.regionPath,
      orderPos,
      t.lat != null && t.lng != null ? { lat: t.lat, lng: t.lng } : null,
    );
    score += d.points;
    reasons.push(d.reason);
    score -= t.load * 6;
    reasons.push(t.load ? `正在服务 ${t.load} 单` : '当前没有在办订单');
    if (t.rated) {
      score += (t.avg! - 3) * 6;
      reasons.push(`历史评价 ${t.avg!.toFixed(1)} 分（${t.rated} 次）`);
    }
    if (t.members >= 10) {
      score += 4;
      reasons.push(`队员 ${t.members} 人`);
    }
    out.push({ type: 'team', id: t.id, name: t.name, score, reasons, regionPath: t.regionPath });
  }
  for (const v of volRows) {
    const reasons: string[] = [];
    let score = 0;
    if (v.categories.includes(o.category)) {
      score += 30;
      reasons.push(`擅长${catName}`);
    }
    const skill = v.skills.find((k) => text.includes(k));
    if (skill) {
      score += 12;
      reasons.push(`技能匹配：${skill}`);
    }
    const d = distance(o.regionPath, v.regionPath, null, null);
    score += d.points;
    reasons.push(d.reason);
    score -= v.load * 8;
    reasons.push(v.load ? `正在服务 ${v.load} 单` : '当前没有在办订单');
    if (v.rated) {
      score += (v.avg! - 3) * 6;
      reasons.push(`历史评价 ${v.avg!.toFixed(1)} 分（${v.rated} 次）`);
    }
    if (v.availability) {
      score += 3;
      reasons.push(`可服务时间：${v.availability}`);
    }
    out.push({ type: 'volunteer', id: v.id, name: v.name, score, reasons, regionPath: v.regionPath });
  }
  out.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name, 'zh'));
  return {
    items: out.slice(0, limit).map(({ regionPath: _p, ...c }) => ({ ...c, score: Math.round(c.score * 10) / 10 })),
  };
}
