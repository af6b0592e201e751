import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/harness.js';
import { PHONES, TEST_NOW } from '../test/constants.js';

// The demo county is data a real county could have: every record was made by someone whose grants allow it on the
// record's region, so no list shows a user records of places they do not serve.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const rows = async (text: string, params: unknown[] = []) => (await t.deps.database.query(text, params)).rows as Json[];

/**
 * Rows of `table` whose `column` names a user, and how many of them that user could not have made: no grant of a
 * role with `permission` whose data scope (全部 / 本级 / 本级及以下) holds the row's region.
 */
async function outOfScope(table: string, column: string, permission: string, where = 'true') {
  const [r] = await rows(
    `select count(*)::int as n,
       count(*) filter (where not exists (
         select 1 from role_assignments ra
         join roles ro on ro.code = ra.role_code
         left join regions g on g.code = ra.region_code
         where ra.user_id = x.${column} and ro.permissions @> jsonb_build_array($1::text)
           and (ra.scope = 'all'
             or (ra.scope = 'subtree' and x.region_path like g.path || '%')
             or (ra.scope = 'own' and x.region_path = g.path))
       ))::int as bad
     from ${table} x where x.${column} is not null and x.county_code = '411523' and (${where})`,
    [permission],
  );
  return r as { n: number; bad: number };
}

describe('the seeded demo county obeys the scope rules', () => {
  it.each([
    ['point_claims', 'submitted_by', 'point:claim'],
    ['point_claims', 'reviewed_by', 'point:review'],
    ['activities', 'created_by', 'activity:manage'],
    ['orders', 'proxy_user_id', 'order:proxy'],
    ['households', 'created_by', 'household:manage'],
    ['articles', 'author_id', 'article:write'],
    ['articles', 'reviewer_id', 'article:review'],
    ['publicity_items', 'created_by', 'publicity:manage'],
  ])('every %s.%s holds %s on the record’s region', async (table, column, permission) => {
    const r = await outOfScope(table, column, permission);
    expect(r.n).toBeGreaterThan(0);
    expect(r.bad).toBe(0);
  });

  it('staff-collected wishes were submitted by staff of their village or town', async () => {
    const r = await outOfScope('wishes', 'submitted_by', 'wish:manage', "x.source = 'staff'");
    expect(r.n).toBeGreaterThan(0);
    expect(r.bad).toBe(0);
  });

  it('points claims of different towns were filed by different people', async () => {
    const [r] = await rows(
      `select count(distinct substr(region_path, 9, 9))::int as towns, count(distinct submitted_by)::int as filers
       from point_claims where county_code = '411523'`,
    );
    expect(r.towns).toBeGreaterThan(2);
    expect(r.filers).toBeGreaterThanOrEqual(r.towns);
  });

  it("the station admin's lists hold only their village", async () => {
    const station = t.as(PHONES.stationAdmin);
    const me = (await station({ method: 'GET', url: '/api/v1/me' })).json();
    const [village] = await rows('select path from regions where code = $1', [me.regionCode]);
    expect(village.path).toMatch(/^\/411523\/411523100\/\d{12}\/$/);

    const mine = await station({ method: 'GET', url: '/api/v1/me/point-claims?pageSize=200' });
    expect(mine.statusCode, mine.body).toBe(200);
    const ids = mine.json().items.map((c: Json) => c.id);
    expect(ids.length).toBeGreaterThan(0);
    const paths = await rows('select region_path from point_claims where id = any($1::uuid[])', [ids]);
    expect(paths.length).toBe(ids.length);
    for (const p of paths) expect(p.region_path.startsWith(village.path), p.region_path).toBe(true);

    for (const [url, table] of [
      ['/api/v1/points/claims?pageSize=200', 'point_claims'],
      ['/api/v1/wishes?pageSize=200', 'wishes'],
      ['/api/v1/activities?pageSize=200', 'activities'],
    ]) {
      const res = await station({ method: 'GET', url });
      expect(res.statusCode, `${url} ${res.body}`).toBe(200);
      const listed = res.json().items.map((x: Json) => x.id);
      expect(listed.length, url).toBeGreaterThan(0);
      const found = await rows(`select region_path from ${table} where id = any($1::uuid[])`, [listed]);
      expect(found.length).toBe(listed.length);
      for (const p of found) expect(p.region_path.startsWith(village.path), `${url} ${p.region_path}`).toBe(true);
    }
  });

  it('the demo accounts of API.md keep their roles and regions', async () => {
    const expected: [string, string, string][] = [
      [PHONES.countyAdmin, 'county_admin', '411523'],
      [PHONES.xinjiAdmin, 'institute_admin', '411523100'],
      [PHONES.shawoAdmin, 'institute_admin', '411523101'],
      [PHONES.stationAdmin, 'station_admin', '411523100'],
      [PHONES.volunteer, 'volunteer', '411523100'],
      [PHONES.resident, 'resident', '411523100'],
      [PHONES.shawoResident, 'resident', '411523101'],
    ];
    for (const [phone, role, prefix] of expected) {
      const me = (await t.as(phone)({ method: 'GET', url: '/api/v1/me' })).json();
      expect(me.roles[0].role, phone).toBe(role);
      expect(me.roles[0].regionCode.startsWith(prefix), phone).toBe(true);
    }
  });

  it('demo residents joined activities open to residents through the join service: a place, a waitlist, one still open', async () => {
    const get = async (phone: string, url: string) =>
      (await t.as(phone)({ method: 'GET', url: `/api/v1${url}` })).json() as Json;
    const mine = (await get(PHONES.resident, '/me/participations?when=upcoming&pageSize=50')).items as Json[];
    expect(mine.map((p) => p.status).sort()).toEqual(['confirmed', 'waitlisted']);
    // coherent times: joined before the activity starts
    for (const p of mine) expect(Date.parse(p.activity.startAt)).toBeGreaterThan(Date.parse(p.signedUpAt));
    const [counts] = await rows(
      `select count(*) filter (where participant_quota > 0)::int as open,
         sum(participant_confirmed_count)::int as confirmed, sum(participant_waitlist_count)::int as waiting
       from activities where county_code = '411523'`,
    );
    expect(counts).toEqual({ open: 3, confirmed: 3, waiting: 1 });
    // every place's join is in the audit log, as an API join writes it
    const [audited] = await rows(
      `select count(*)::int as n from audit_events where action = 'activity.participant.join'`,
    );
    expect(audited.n).toBe(4);
  });
});

describe("the demo county's times are coherent", () => {
  // what people and the system did (not what is planned: activities ahead, notice ends, deadlines)
  const happened = [
    ['orders', 'submitted_at'],
    ['order_events', 'at'],
    ['activities', 'created_at'],
    ['activities', 'published_at'],
    ['activity_signups', 'signed_up_at'],
    ['activity_signups', 'check_out_at'],
    ['hours_entries', 'created_at'],
    ['notifications', 'created_at'],
    ['point_movements', 'created_at'],
    ['point_transactions', 'created_at'],
    ['point_claims', 'created_at'],
    ['shop_redemptions', 'created_at'],
    ['shop_redemptions', 'handed_out_at'],
    ['wishes', 'created_at'],
    ['wishes', 'published_at'],
    ['wishes', 'fulfilled_at'],
    ['wish_claims', 'created_at'],
    ['honors', 'created_at'],
    ['honors', 'published_at'],
    ['workflow_events', 'at'],
    ['files', 'created_at'],
    ['articles', 'created_at'],
    ['articles', 'published_at'],
    ['publicity_items', 'created_at'],
    ['grids', 'created_at'],
    ['pairings', 'created_at'],
    ['visits', 'visited_at'],
    ['visits', 'created_at'],
    ['surveys', 'created_at'],
    ['survey_responses', 'created_at'],
  ] as const;

  it('nothing happened after the demo clock’s now', async () => {
    for (const [table, column] of happened) {
      const [r] = await rows(`select count(*)::int as n from ${table} where ${column} > $1::timestamptz`, [TEST_NOW]);
      expect(r.n, `${table}.${column}`).toBe(0);
    }
  });

  // evening activities (广场舞, 晚会) end by 22:00 and people check out after them; office work is done by day
  const evening = new Set(['activity_signups.check_out_at', 'hours_entries.created_at']);

  it('people worked by day: nothing is dated 21:00–07:59 China time (evening attendance until 22:59)', async () => {
    const bad: string[] = [];
    for (const [table, column] of happened) {
      // the system's own notices follow what people did
      if (table === 'notifications') continue;
      const [from, to] = evening.has(`${table}.${column}`) ? [7, 22] : [8, 20];
      const [r] = await rows(
        `select count(*)::int as n from ${table}
         where extract(hour from ${column} at time zone 'Asia/Shanghai') not between ${from} and ${to}`,
      );
      if (r.n) bad.push(`${table}.${column}=${r.n}`);
    }
    expect(bad).toEqual([]);
  });

  it('accounts with redemptions read newest first by date, balances chaining to the balance', async () => {
    const owners = await rows(
      `select distinct a.type, a.owner_id from shop_redemptions s join point_accounts a on a.id = s.account_id`,
    );
    expect(owners.length).toBeGreaterThan(3);
    const county = t.as(PHONES.countyAdmin);
    for (const o of owners) {
      const res = await county({ method: 'GET', url: `/api/v1/points/accounts/${o.type}/${o.owner_id}?pageSize=200` });
      expect(res.statusCode, res.body).toBe(200);
      const { account, entries } = res.json() as { account: Json; entries: Json[] };
      expect(entries.length).toBeGreaterThan(0);
      expect(entries[0].balanceAfter).toBe(account.balance);
      for (let i = 1; i < entries.length; i++) {
        expect(Date.parse(entries[i].at)).toBeLessThanOrEqual(Date.parse(entries[i - 1].at));
        expect(entries[i].balanceAfter).toBe(entries[i - 1].balanceAfter - entries[i - 1].amount);
      }
    }
  });
});
