import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { Permission } from '../../platform/permissions.js';
import { inScope, type Scope } from '../../platform/scope.js';
import { chinaDate } from '../../platform/clock.js';
import { validFromOf } from '../sites/service.js';
import { missing, type Caller } from '../submissions/service.js';

/**
 * 待办 on the admin home: what waits for the caller, counted in their scope, one item per kind they may act on
 * (a permission each), with the page that does it. Reads across modules on purpose (docs/DECISIONS.md).
 */
export type TodoItem = { key: string; label: string; count: number; hint: string; path: string };

// the region code of a row that has only its path: the last code of '/county/town/village/'
const lastCode = (path: SQL) => sql`(string_to_array(trim(both '/' from ${path}), '/'))[
  array_length(string_to_array(trim(both '/' from ${path}), '/'), 1)]`;

export async function todo(
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  now: Date,
  can: (p: Permission) => boolean,
  submissionCaller: () => Caller,
): Promise<{ items: TodoItem[] }> {
  const items: TodoItem[] = [];
  const count = async (from: SQL, where: SQL, path = sql`region_path`, code?: SQL) => {
    const { rows } = await db.execute(
      sql`select count(*)::int as n from ${from} where ${where} and ${inScope(scope, {
        path,
        regionCode: code ?? lastCode(path),
      })}`,
    );
    return (rows[0] as { n: number }).n;
  };
  const county = sql`county_code = ${countyCode}`;
  if (can('order:manage')) {
    items.push({
      key: 'orders.toDispatch',
      label: '待审核派单的点单',
      count: await count(sql`orders`, sql`${county} and state = 'submitted'`),
      hint: '群众点单后须在时限内审核并派单',
      path: '/orders?state=submitted',
    });
    items.push({
      key: 'orders.overdue',
      label: '超时未办结的点单',
      count: await count(
        sql`orders`,
        sql`${county} and overdue and state in ('submitted', 'dispatched', 'accepted', 'in_service')`,
      ),
      hint: '已超过审核、派单或接单时限',
      path: '/orders?overdue=1',
    });
  }
  if (can('point:review'))
    items.push({
      key: 'claims.toReview',
      label: '待评议的积分申报',
      count: await count(sql`point_claims`, sql`${county} and state = 'submitted'`),
      hint: '评议通过后进入公示',
      path: '/point-claims?state=submitted',
    });
  if (can('hours:review'))
    items.push({
      key: 'hours.toReview',
      label: '待审核的服务时长',
      count: await count(sql`hours_requests`, sql`${county} and status = 'pending'`),
      hint: '超出每日上限的时长和补录的时长',
      path: '/hours',
    });
  if (can('wish:manage'))
    items.push({
      key: 'wishes.toVerify',
      label: '待核实的微心愿',
      count: await count(sql`wishes`, sql`${county} and state = 'submitted'`, sql`region_path`, sql`region_code`),
      hint: '核实后才能上墙认领',
      path: '/wishes?state=submitted',
    });
  if (can('honor:review'))
    items.push({
      key: 'honors.toReview',
      label: '待审核的荣誉推荐',
      count: await count(sql`honors`, sql`${county} and state = 'nominated'`, sql`region_path`, sql`region_code`),
      hint: '审核通过后进入公示',
      path: '/honors?state=nominated',
    });
  if (can('star:review'))
    items.push({
      key: 'stars.toReview',
      label: '待审核的星级申请',
      count: await count(sql`star_applications`, sql`${county} and state = 'applied'`),
      hint: '审核通过后公示',
      path: '/stars',
    });
  if (can('submission:review')) {
    const today = chinaDate(now);
    const last = new Date(`${today.slice(0, 7)}-01T00:00:00Z`);
    last.setUTCMonth(last.getUTCMonth() - 1);
    const month = last.toISOString().slice(0, 7);
    const m = await missing(db, submissionCaller(), month);
    items.push({
      key: 'submissions.missing',
      label: `${Number(month.slice(5))}月未报送的下级`,
      count: m.items.length,
      hint: m.items.length
        ? `截止 ${m.items[0].dueDate}${m.items.some((x) => x.overdue) ? '，已逾期' : ''}`
        : '均已报送',
      path: `/submissions?month=${month}`,
    });
  }
  if (can('site:read')) {
    const validFrom = (await validFromOf(db, countyCode, now)).toISOString();
    items.push({
      key: 'stations.belowStandard',
      label: '未达标的实践站',
      count: await count(
        sql`sites s`,
        sql`s.county_code = ${countyCode} and s.kind = 'station' and not coalesce((select i.compliant from inspections i
          where i.site_id = s.id and i.inspected_at >= ${validFrom}::timestamptz
          order by i.inspected_at desc limit 1), false)`,
        sql`s.region_path`,
        sql`s.region_code`,
      ),
      hint: '未检查、检查已过有效期或最近一次检查未达标',
      path: '/coverage',
    });
  }
  return { items };
}
