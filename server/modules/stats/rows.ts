import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { invalid } from '../../platform/errors.js';
import { escapeLike, type Scope } from '../../platform/scope.js';
import { getSetting } from '../settings/service.js';
import { validFromOf } from '../sites/service.js';
import { maskName } from '../stars/service.js';
import { figureByKey } from './definitions.js';
import { articleColumnLabels } from '../articles/service.js';
import { EPOCH } from './periods.js';
import type { ListCache } from '../../platform/lists.js';
import { foldDeltas, overview, servedTeams, statsPeriod, statsRegion, type PeriodQuery } from './service.js';

/**
 * The rows behind a figure (drill-down): the records the figure counts, selected by the same contribution functions
 * the rollups are kept with, so that their number (or the sum of their `value`) equals the figure. Read from the raw
 * tables, a page at a time: this is the one statistics read that does.
 */
export type StatsRow = {
  id: string;
  title: string;
  detail: string;
  region: string;
  date: string | null;
  value: number;
};

type Source = {
  /** The rows: id, title, detail, region_path, day, value — filtered by region and days. */
  rows: (p: { like: string; from: string; to: string; countyCode: string }) => SQL;
  title: string;
  detail: string;
  date: string;
  /** A count (each row is one) or a sum of `value`. */
  measure: 'count' | 'sum';
};

const contrib = (table: string, key: string, cols: SQL, like: string, from: string, to: string, extra = sql``) =>
  sql`select ${cols}, c.region_path, c.day, c.value from ${sql.raw(table)} x, ${sql.raw(`stat_contrib_${table}`)}(x) c
      where x.region_path like ${like} and c.key = ${key} and c.day between ${from}::date and ${to}::date ${extra}`;

const volunteerCols = sql`x.id::text as id, x.name as title, x.volunteer_no as detail`;
const orderCols = sql`x.id::text as id, coalesce((select i.name from service_items i
    where i.id = x.service_item_id), '')
  as title, x.state as detail, x.contact_name as person`;
const orderScoreCols = sql`x.id::text as id, coalesce((select i.name from service_items i
    where i.id = x.service_item_id),
  '') as title, coalesce(x.score::text || ' 星', '') as detail, x.contact_name as person`;

/** An article's column by its Chinese name (the drill-down shows no codes). */
const columnName = sql.raw(
  `case x.column ${Object.entries(articleColumnLabels)
    .map(([k, v]) => `when '${k}' then '${v}'`)
    .join(' ')} else x.column end`,
);

function source(key: string, from: string, to: string): Source {
  const period = { from, to };
  const toDate = { from: EPOCH, to };
  const byKey = (
    table: string,
    rollupKey: string,
    cols: SQL,
    span: { from: string; to: string },
    s: Omit<Source, 'rows'>,
  ) => ({
    ...s,
    rows: ({ like }: { like: string }) => contrib(table, rollupKey, cols, like, span.from, span.to),
  });
  const activityCols = sql`x.id::text as id, x.title, x.type as detail`;
  switch (key) {
    case 'volunteers.registered':
      return byKey('volunteers', key, volunteerCols, toDate, {
        title: '姓名',
        detail: '志愿者编号',
        date: '注册日期',
        measure: 'count',
      });
    case 'volunteers.newlyRegistered':
      return byKey('volunteers', 'volunteers.registered', volunteerCols, period, {
        title: '姓名',
        detail: '志愿者编号',
        date: '注册日期',
        measure: 'count',
      });
    case 'volunteers.verified':
      return byKey('volunteers', key, volunteerCols, toDate, {
        title: '姓名',
        detail: '志愿者编号',
        date: '核验日期',
        measure: 'count',
      });
    case 'teams.total':
      return byKey('teams', key, sql`x.id::text as id, x.name as title, x.level as detail`, toDate, {
        title: '队伍',
        detail: '层级',
        date: '组建日期',
        measure: 'count',
      });
    case 'hours.total':
      return {
        title: '志愿者',
        detail: '说明',
        date: '服务日期',
        measure: 'sum',
        rows: ({ like }) =>
          contrib(
            'hours_entries',
            'hours.total',
            sql`x.id::text as id, (select v.name from volunteers v where v.id = x.volunteer_id)
              as title, x.description as detail`,
            like,
            from,
            to,
          ),
      };
    case 'activities.participants':
      return {
        title: '活动',
        detail: '类型',
        date: '活动日期',
        measure: 'sum',
        rows: ({ like }) => sql`
          select a.id::text as id, a.title, a.type as detail, c.region_path, c.day, sum(c.value) as value
          from activities a, lateral (
            select * from stat_contrib_activities(a) where key = 'activities.participants'
            union all
            select n.* from activity_signups s, stat_contrib_signup(s, a) n where s.activity_id = a.id
            union all
            select n.* from activity_participants p, stat_contrib_participant(p, a) n where p.activity_id = a.id
          ) c
          where a.region_path like ${like} and c.day between ${from}::date and ${to}::date
          group by a.id, a.title, a.type, c.region_path, c.day`,
      };
    case 'activities.beneficiaries':
      return byKey('activities', key, activityCols, period, {
        title: '活动',
        detail: '类型',
        date: '活动日期',
        measure: 'sum',
      });
    case 'orders.submitted':
    case 'orders.dispatchRate':
      return byKey('orders', 'orders.submitted', orderCols, period, {
        title: '服务项目',
        detail: '状态',
        date: '点单日期',
        measure: 'count',
      });
    case 'orders.completed':
      return byKey('orders', key, orderCols, period, {
        title: '服务项目',
        detail: '状态',
        date: '完成日期',
        measure: 'count',
      });
    case 'orders.satisfaction':
      // the 评分 column shows the score, not the order's state
      return byKey('orders', 'orders.rated', orderScoreCols, period, {
        title: '服务项目',
        detail: '评分',
        date: '评价日期',
        measure: 'count',
      });
    case 'wishes.collected':
    case 'wishes.fulfilled':
      return byKey('wishes', key, sql`x.id::text as id, x.title, x.state as detail`, period, {
        title: '心愿',
        detail: '状态',
        date: key === 'wishes.collected' ? '登记日期' : '实现日期',
        measure: 'count',
      });
    case 'honors.published':
      return byKey('honors', key, sql`x.id::text as id, x.nominee_name as title, x.kind as detail`, period, {
        title: '对象',
        detail: '类别',
        date: '发布日期',
        measure: 'count',
      });
    case 'articles.published':
      return byKey('articles', key, sql`x.id::text as id, x.title, ${columnName} as detail`, period, {
        title: '文章',
        detail: '栏目',
        date: '发布日期',
        measure: 'count',
      });
    case 'publicity.posters':
    case 'publicity.leaflets':
    case 'publicity.broadcasts':
    case 'publicity.banners':
      return byKey('publicity_items', key, sql`x.id::text as id, x.title, x.quantity::text as detail`, period, {
        title: '宣传内容',
        detail: '数量',
        date: '日期',
        measure: 'sum',
      });
    case 'points.redeemed':
      return byKey(
        'shop_redemptions',
        key,
        sql`x.id::text as id, (select g.name from shop_goods g where g.id = x.goods_id) as title,
          x.quantity::text || ' 件' as detail`,
        period,
        { title: '商品', detail: '数量', date: '领取日期', measure: 'sum' },
      );
    case 'points.issued':
      return {
        title: '积分账户',
        detail: '事由',
        date: '记账日期',
        measure: 'sum',
        rows: ({ countyCode, like }) => sql`
          select x.id::text as id, acc.name as title, t.memo as detail, c.region_path, c.day, c.value
          from point_movements x
          join point_transactions t on t.id = x.transaction_id and t.county_code = ${countyCode}
          cross join lateral stat_contrib_point_movements(x) c
          join point_accounts acc on acc.region_path = c.region_path
            and acc.id in (x.credit_account_id, x.debit_account_id) and acc.type in ('household', 'volunteer')
          where c.region_path like ${like} and c.day between ${from}::date and ${to}::date`,
      };
  }
  if (key.startsWith('activities.')) {
    return byKey('activities', key, activityCols, period, {
      title: '活动',
      detail: '类型',
      date: '活动日期',
      measure: 'count',
    });
  }
  throw invalid('key', '未知的统计指标');
}

/** The page of rows behind a figure; `total` rows, `sum` of their values, and the figure itself to compare. */
export async function statsRows(
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  now: Date,
  q: PeriodQuery & { key: string; page: number; pageSize: number },
  cache?: ListCache,
) {
  const def = figureByKey.get(q.key);
  if (!def) throw invalid('key', '未知的统计指标，可选值见 GET /api/v1/stats/definitions');
  const region = await statsRegion(db, scope, countyCode, q.regionCode);
  const { from, to } = statsPeriod(q, now);
  await foldDeltas(db);
  const like = escapeLike(region.path) + '%';
  const figure = (
    await overview(db, scope, countyCode, now, { regionCode: region.code, from, to }, cache)
  ).figures.find((f) => f.key === q.key)!;
  let rowsSql: SQL;
  let meta: Omit<Source, 'rows'>;
  const special = await specialRows(db, q.key, region.countyCode, like, from, to);
  if (special) ({ rowsSql, meta } = special);
  else {
    const s = source(q.key, from, to);
    rowsSql = s.rows({ like, from, to, countyCode: region.countyCode });
    meta = s;
  }
  const offset = (q.page - 1) * q.pageSize;
  const { rows } = await db.execute(sql`
    with r as (${rowsSql})
    select r.id, r.title, r.detail, coalesce(g.name, '') as region, r.day::text as date, r.value::float8 as value,
      count(*) over ()::int as total, sum(r.value) over ()::float8 as sum
    from r left join regions g on g.code =
      split_part(r.region_path, '/',
      array_length(string_to_array(trim(both '/' from r.region_path), '/'), 1) + 1)
    order by r.day desc nulls last, r.id
    limit ${q.pageSize} offset ${offset}`);
  const list = rows as (StatsRow & { total: number; sum: number })[];
  let total = list[0]?.total;
  let sum = list[0]?.sum;
  if (total === undefined) {
    const { rows: c } = await db.execute(
      sql`with r as (${rowsSql}) select count(*)::int as total, coalesce(sum(value), 0)::float8 as sum from r`,
    );
    ({ total, sum } = c[0] as { total: number; sum: number });
  }
  return {
    key: def.key,
    label: def.label,
    unit: def.unit,
    definition: figure.definition,
    value: figure.value,
    measure: meta.measure,
    columns: { title: meta.title, detail: meta.detail, date: meta.date },
    regionCode: region.code,
    regionName: region.name,
    from,
    to,
    total,
    sum: Math.round(Number(sum) * 100) / 100,
    page: q.page,
    pageSize: q.pageSize,
    items: list.map((r) => ({
      id: r.id,
      title: maskPerson(q.key, r.title),
      detail: r.detail ?? '',
      region: r.region,
      date: r.date,
      value: Number(r.value),
    })),
  };
}

// people's names are masked in statistics (as on public boards); records keep theirs
const maskPerson = (key: string, title: string | null) =>
  title && (key.startsWith('volunteers.') || key === 'hours.total' || key === 'honors.published')
    ? maskName(title)
    : (title ?? '');

/** The figures not read from a contribution function: subjects over a threshold, sites, teams that never served. */
async function specialRows(
  db: DbOrTx,
  key: string,
  countyCode: string,
  like: string,
  from: string,
  to: string,
): Promise<{ rowsSql: SQL; meta: Omit<Source, 'rows'> } | null> {
  const end = `${to}T23:59:59.999+08:00`;
  switch (key) {
    case 'volunteers.active': {
      const t = await getSetting<number>(db, countyCode, 'stats.activeVolunteerHours');
      return {
        meta: { title: '志愿者', detail: '志愿者编号', date: '最近服务日期', measure: 'count' },
        rowsSql: sql`
          select v.id::text as id, v.name as title, v.volunteer_no as detail, v.region_path, h.day, h.hours as value
          from (select volunteer_id, max(service_date) as day, sum(hours) as hours from hours_entries
                where county_code = ${countyCode} and service_date between ${from}::date and ${to}::date
                group by volunteer_id having sum(hours) > ${t}) h
          join volunteers v on v.id = h.volunteer_id and v.region_path like ${like}`,
      };
    }
    case 'teams.active':
      return {
        meta: { title: '队伍', detail: '层级', date: '最近服务日期', measure: 'count' },
        rowsSql: sql`
          select t.id::text as id, t.name as title, t.level as detail, t.region_path, s.day, s.n as value
          from (select subject, max(day) as day, sum(value) as n from (
                  select c.* from activities a, stat_contrib_activities(a) c
                  where a.county_code = ${countyCode} and a.team_id is not null and c.key = 'team.served'
                  union all
                  select c.* from orders o, stat_contrib_orders(o) c
                  where o.county_code = ${countyCode} and o.accepted_team_id is not null and c.key = 'team.served'
                ) c where c.day between ${from}::date and ${to}::date group by subject having sum(value) > 0) s
          join teams t on t.id = s.subject where t.region_path like ${like}`,
      };
    case 'teams.neverServed':
      return {
        meta: { title: '队伍', detail: '层级', date: '组建日期', measure: 'count' },
        rowsSql: sql`
          ${servedTeams(countyCode, to)}
          select t.id::text as id, t.name as title, t.level as detail, t.region_path,
            stat_day(t.created_at) as day, 1 as value
          from teams t where t.county_code = ${countyCode} and t.region_path like ${like}
            and t.created_at <= ${end}::timestamptz and t.id not in (select id from served)`,
      };
    case 'sites.institutes':
    case 'sites.stations':
    case 'sites.compliantStations':
    case 'coverage.rate': {
      const validFrom = (await validFromOf(db, countyCode, new Date(end))).toISOString();
      const ok = sql`coalesce((select i.compliant from inspections i where i.site_id = s.id
        and i.inspected_at <= ${end}::timestamptz and i.inspected_at >= ${validFrom}::timestamptz
        order by i.inspected_at desc limit 1), false)`;
      if (key === 'coverage.rate')
        return {
          meta: { title: '村（社区）', detail: '是否建有达标实践站', date: '—', measure: 'count' },
          rowsSql: sql`
            select v.code as id, v.name as title,
              case when exists (select 1 from sites s where s.region_code = v.code and s.kind = 'station'
                and s.created_at <= ${end}::timestamptz and ${ok}) then '已覆盖' else '未覆盖' end as detail,
              v.path as region_path, null::date as day, 1 as value
            from regions v where v.level = 'village' and v.path like ${like}`,
        };
      const kind = key === 'sites.institutes' ? 'institute' : 'station';
      return {
        meta: { title: '阵地', detail: '最近检查', date: '建立日期', measure: 'count' },
        rowsSql: sql`
          select s.id::text as id, s.name as title, case when ${ok} then '达标' else '未达标或未检查' end as detail,
            s.region_path, stat_day(s.created_at) as day, 1 as value
          from sites s where s.county_code = ${countyCode} and s.region_path like ${like} and s.kind = ${kind}
            and s.created_at <= ${end}::timestamptz ${key === 'sites.compliantStations' ? sql`and ${ok}` : sql``}`,
      };
    }
  }
  return null;
}
