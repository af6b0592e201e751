import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { createTestApp, type TestApp } from '../test/harness.js';
import { PHONES } from '../test/constants.js';
import { listsOf } from './lists.js';
import { JobRunner } from './jobs.js';

/**
 * The seven hot lists (and the mechanism behind them, platform/lists.ts): kept pages answer exactly what an app
 * without the cache answers, on the same database; writes through the API and straight into the database show at
 * once; scopes never share a page; totals follow inserts and deletes.
 */

type Item = Record<string, unknown> & { id: string };
type Page = { items: Item[]; total: number; page: number; pageSize: number; nextCursor?: string | null };

type ListCase = {
  name: string;
  path: string;
  table: string;
  /** a text column shown in the list, and its key in the items */
  text: { column: string; key: string };
  /** overrides that make a copy of a row unique and put it first in the list's order */
  copy: (now: Date) => Record<string, unknown>;
};

const later = (now: Date, days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

const LISTS: ListCase[] = [
  {
    name: 'volunteers',
    path: '/api/v1/volunteers',
    table: 'volunteers',
    text: { column: 'name', key: 'name' },
    copy: (now) => ({
      volunteer_no: `ZT${Date.now()}`,
      id_hash: randomUUID(),
      user_id: null,
      created_at: later(now, 30),
    }),
  },
  {
    name: 'orders board',
    path: '/api/v1/orders',
    table: 'orders',
    text: { column: 'contact_name', key: 'contactName' },
    copy: (now) => ({ overdue: true, created_at: later(now, 30) }),
  },
  {
    name: 'activities',
    path: '/api/v1/activities',
    table: 'activities',
    text: { column: 'title', key: 'title' },
    copy: (now) => ({ start_at: later(now, 400), end_at: later(now, 401) }),
  },
  {
    name: 'households',
    path: '/api/v1/households',
    table: 'households',
    text: { column: 'head_name', key: 'headName' },
    copy: (now) => ({ created_at: later(now, 30) }),
  },
  {
    name: 'points accounts',
    path: '/api/v1/points/accounts',
    table: 'point_accounts',
    text: { column: 'name', key: 'name' },
    copy: () => ({ owner_id: randomUUID(), balance: 999_999 }),
  },
  {
    name: 'wishes',
    path: '/api/v1/wishes',
    table: 'wishes',
    text: { column: 'title', key: 'title' },
    copy: (now) => ({ created_at: later(now, 30) }),
  },
  {
    name: 'point claims',
    path: '/api/v1/points/claims',
    table: 'point_claims',
    text: { column: 'note', key: 'note' },
    copy: (now) => ({ updated_at: later(now, 30) }),
  },
];

const XINJI_PATH = '/411523/411523100/';
const SHAWO_PATH = '/411523/411523101/';

describe('every hot list through the list mechanism', () => {
  let t: TestApp;
  let off: FastifyInstance;
  beforeAll(async () => {
    t = await createTestApp();
    // a second app on the same database with the cache off: every request builds its page
    off = await buildApp(
      {
        ...t.deps,
        config: { ...t.deps.config, listCache: false },
        jobs: new JobRunner(t.deps.database.db, t.deps.clock),
      },
      { logger: false, serveWeb: false },
    );
    await off.ready();
  });
  afterAll(async () => {
    await off?.close();
    await t?.close();
  });

  const get = async (app: 'on' | 'off', phone: string, url: string) => {
    const headers = { authorization: `Bearer ${await t.token(phone)}` };
    const res =
      app === 'on'
        ? await t.app.inject({ method: 'GET', url, headers })
        : await off.inject({ method: 'GET', url, headers });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    return res.body;
  };
  const page = async (phone: string, url: string) => JSON.parse(await get('on', phone, url)) as Page;
  const stats = () => listsOf(t.deps).cache!.stats();
  const db = () => t.deps.database;
  const pathsOf = async (table: string, ids: string[]) =>
    (await db().query(`select region_path from ${table} where id = any($1::uuid[])`, [ids])).rows.map(
      (r) => r.region_path as string,
    );

  describe.each(LISTS)('$name', (l) => {
    const first = `${l.path}?page=1&pageSize=20`;

    it('answers the same bytes with the cache as without, and keeps the page', async () => {
      const a = await get('on', PHONES.xinjiAdmin, first);
      const hits = stats().hits;
      const b = await get('on', PHONES.xinjiAdmin, first);
      expect(b).toBe(a);
      expect(stats().hits).toBe(hits + 1);
      expect(await get('off', PHONES.xinjiAdmin, first)).toBe(a);
      const second = `${l.path}?page=2&pageSize=5`;
      expect(await get('on', PHONES.xinjiAdmin, second)).toBe(await get('off', PHONES.xinjiAdmin, second));
      const p = JSON.parse(a) as Page;
      expect(p.items.length).toBeGreaterThan(0);
      expect(p).toMatchObject({ page: 1, pageSize: 20 });
    });

    it("never hands one scope another's page: a town sees only its own rows", async () => {
      const xinji = await page(PHONES.xinjiAdmin, `${l.path}?page=1&pageSize=200`);
      const shawo = await page(PHONES.shawoAdmin, `${l.path}?page=1&pageSize=200`);
      const county = await page(PHONES.countyAdmin, `${l.path}?page=1&pageSize=200`);
      // both towns have rows of every list in the demo data, so each check below has rows to look at
      const xinjiPaths = await pathsOf(
        l.table,
        xinji.items.map((i) => i.id),
      );
      const shawoPaths = await pathsOf(
        l.table,
        shawo.items.map((i) => i.id),
      );
      expect(xinjiPaths.length).toBeGreaterThan(0);
      expect(shawoPaths.length).toBeGreaterThan(0);
      expect(xinjiPaths.filter((p) => !p.startsWith(XINJI_PATH))).toEqual([]);
      expect(shawoPaths.filter((p) => !p.startsWith(SHAWO_PATH))).toEqual([]);
      expect(county.total).toBeGreaterThan(xinji.total);
      const ids = new Set(shawo.items.map((i) => i.id));
      expect(xinji.items.some((i) => ids.has(i.id))).toBe(false);
    });

    it('shows a write straight into the database at once, and not a rolled-back one', async () => {
      const before = await page(PHONES.xinjiAdmin, first);
      const target = before.items.find((i) => typeof i[l.text.key] === 'string') ?? before.items[0];
      const marked = `${(target[l.text.key] as string | null) ?? ''}（外部修改）`;
      await db().query(`update ${l.table} set ${l.text.column} = $2 where id = $1`, [target.id, marked]);
      const after = await page(PHONES.xinjiAdmin, first);
      expect(after.items.find((i) => i.id === target.id)?.[l.text.key]).toBe(marked);
      expect(await get('off', PHONES.xinjiAdmin, first)).toBe(JSON.stringify(after));

      const kept = await get('on', PHONES.xinjiAdmin, first);
      await db()
        .query(
          `do $$ begin update ${l.table} set ${l.text.column} = 'x' ` +
            `where id = '${target.id}'; raise exception 'undo'; end $$`,
        )
        .catch(() => undefined);
      expect(await get('on', PHONES.xinjiAdmin, first)).toBe(kept);
    });

    it('keyset pages continue right after the cursor, as offset pages do; a bad cursor is a 400', async () => {
      const p1 = await page(PHONES.xinjiAdmin, `${l.path}?page=1&pageSize=5`);
      expect(p1.total).toBeGreaterThan(10);
      const url2 = `${l.path}?page=2&pageSize=5&after=${p1.nextCursor}`;
      const k2 = await page(PHONES.xinjiAdmin, url2);
      expect(k2.items).toEqual((await page(PHONES.xinjiAdmin, `${l.path}?page=2&pageSize=5`)).items);
      expect(k2.total).toBe(p1.total);
      const k3 = await page(PHONES.xinjiAdmin, `${l.path}?page=3&pageSize=5&after=${k2.nextCursor}`);
      expect(k3.items).toEqual((await page(PHONES.xinjiAdmin, `${l.path}?page=3&pageSize=5`)).items);
      expect(await get('off', PHONES.xinjiAdmin, url2)).toBe(JSON.stringify(k2));
      const all = await page(PHONES.xinjiAdmin, `${l.path}?page=1&pageSize=200`);
      // a full page answers a cursor, a short one none
      expect(all.nextCursor).toEqual(all.total >= 200 ? expect.any(String) : null);
      for (const after of [
        'abc',
        Buffer.from('["x"]').toString('base64url'),
        Buffer.from('[1,2]').toString('base64url'),
      ]) {
        const bad = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `${l.path}?after=${after}` });
        expect(bad.statusCode).toBe(400);
        expect(bad.json().error.details[0].path).toBe('after');
      }
    });

    it('counts inserted and deleted rows in the total, in the right scope only', async () => {
      const before = await page(PHONES.xinjiAdmin, first);
      const shawoBefore = await page(PHONES.shawoAdmin, first);
      // a copy of a 新集镇 row, made unique and first in the list's order
      const id = randomUUID();
      await db().query(
        `insert into ${l.table} select (jsonb_populate_record(null::${l.table}, to_jsonb(s) || $2::jsonb)).* ` +
          `from ${l.table} s where s.id = $1`,
        [before.items[0].id, JSON.stringify({ id, ...l.copy(t.clock.now()) })],
      );
      const added = await page(PHONES.xinjiAdmin, first);
      expect(added.total).toBe(before.total + 1);
      expect(added.items[0].id).toBe(id);
      expect(await get('off', PHONES.xinjiAdmin, first)).toBe(JSON.stringify(added));
      const shawo = await page(PHONES.shawoAdmin, first);
      expect(shawo.total).toBe(shawoBefore.total);
      expect(shawo.items.some((i) => i.id === id)).toBe(false);

      await db().query(`delete from ${l.table} where id = $1`, [id]);
      const removed = await page(PHONES.xinjiAdmin, first);
      expect(removed.total).toBe(before.total);
      expect(removed.items.some((i) => i.id === id)).toBe(false);
      // pages past the first reuse the total counted at the same versions
      const deep = await page(PHONES.xinjiAdmin, `${l.path}?page=3&pageSize=2`);
      expect(deep.total).toBe(before.total);
    });
  });

  describe('writes through the API show at once', () => {
    const xinji = (url: string) => page(PHONES.xinjiAdmin, url);
    const as = (phone: string) => t.as(phone);

    it('volunteers: an edit', async () => {
      const before = await xinji('/api/v1/volunteers?page=1&pageSize=20');
      const v = before.items[0];
      const res = await as(PHONES.xinjiAdmin)({
        method: 'PATCH',
        url: `/api/v1/volunteers/${v.id}`,
        payload: { occupation: '缓存测试职业' },
      });
      expect(res.statusCode, res.body).toBe(200);
      const after = await xinji('/api/v1/volunteers?page=1&pageSize=20');
      expect(after.items.find((i) => i.id === v.id)?.occupation).toBe('缓存测试职业');
    });

    it('households: a new household counts at once', async () => {
      const before = await xinji('/api/v1/households?page=1&pageSize=20');
      const res = await as(PHONES.xinjiAdmin)({
        method: 'POST',
        url: '/api/v1/households',
        payload: { headName: '缓存测试户主', regionCode: '411523100' },
      });
      expect(res.statusCode, res.body).toBe(201);
      const after = await xinji('/api/v1/households?page=1&pageSize=20');
      expect(after.total).toBe(before.total + 1);
      expect(after.items[0].headName).toBe('缓存测试户主');
    });

    it('orders board: a new order counts at once, its rejection shows', async () => {
      const board = '/api/v1/orders?page=1&pageSize=20';
      const before = await xinji(board);
      const menu = (await as(PHONES.resident)({ method: 'GET', url: '/api/v1/service-items' })).json() as {
        items: { id: string; fields?: unknown[] }[];
      };
      const item = menu.items.find((i) => !i.fields?.length) ?? menu.items[0];
      const created = await as(PHONES.resident)({
        method: 'POST',
        url: '/api/v1/orders',
        payload: { serviceItemId: item.id, description: '缓存测试：想请人讲讲防诈骗' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json().id as string;
      const added = await xinji(board);
      expect(added.total).toBe(before.total + 1);
      expect(added.items.find((i) => i.id === id)?.state).toBe('submitted');
      const res = await as(PHONES.xinjiAdmin)({
        method: 'POST',
        url: `/api/v1/orders/${id}/reject`,
        payload: { reason: '缓存测试：不在服务范围' },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect((await xinji(board)).items.find((i) => i.id === id)?.state).toBe('rejected');
    });

    it('activities: a new draft is listed first', async () => {
      const before = await xinji('/api/v1/activities?page=1&pageSize=20');
      const start = later(t.clock.now(), 500);
      const res = await as(PHONES.xinjiAdmin)({
        method: 'POST',
        url: '/api/v1/activities',
        payload: {
          title: '缓存测试活动',
          type: 'lecture',
          regionCode: '411523100',
          startAt: start,
          endAt: later(t.clock.now(), 500.1),
          quota: 10,
          address: '新集镇文明实践所',
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      const after = await xinji('/api/v1/activities?page=1&pageSize=20');
      expect(after.total).toBe(before.total + 1);
      expect(after.items[0].title).toBe('缓存测试活动');
    });

    it('wishes, point claims and points accounts: a submitted wish, a claim, an award', async () => {
      const wishesBefore = await xinji('/api/v1/wishes?page=1&pageSize=20');
      const w = await as(PHONES.xinjiAdmin)({
        method: 'POST',
        url: '/api/v1/wishes',
        payload: {
          title: '缓存测试心愿',
          description: '一套课外书',
          value: 80,
          regionCode: '411523100',
          beneficiaryName: '张小明',
          consentToPublish: true,
        },
      });
      expect(w.statusCode, w.body).toBe(201);
      const wishesAfter = await xinji('/api/v1/wishes?page=1&pageSize=20');
      expect(wishesAfter.total).toBe(wishesBefore.total + 1);
      expect(wishesAfter.items[0].title).toBe('缓存测试心愿');

      const accounts = await xinji('/api/v1/points/accounts?page=1&pageSize=20&type=household');
      const acc = accounts.items[accounts.items.length - 1];
      const rules = (await as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/point-rules' })).json() as {
        items: { id: string; points: number }[];
      };
      const rule = rules.items.find((r) => r.points > 0)!;
      const claimsBefore = await xinji('/api/v1/points/claims?page=1&pageSize=20');
      const claim = await as(PHONES.xinjiAdmin)({
        method: 'POST',
        url: '/api/v1/points/claims',
        payload: { accountType: 'household', accountId: acc.ownerId, ruleId: rule.id, note: '缓存测试申报' },
      });
      expect(claim.statusCode, claim.body).toBe(201);
      const claimsAfter = await xinji('/api/v1/points/claims?page=1&pageSize=20');
      expect(claimsAfter.total).toBe(claimsBefore.total + 1);
      expect(claimsAfter.items[0].note).toBe('缓存测试申报');

      const award = await as(PHONES.xinjiAdmin)({
        method: 'POST',
        url: '/api/v1/points/awards',
        payload: {
          ruleId: rule.id,
          accountType: 'household',
          accountIds: [acc.ownerId],
          idempotencyKey: `cache-test-${randomUUID()}`,
        },
      });
      expect(award.statusCode, award.body).toBe(200);
      const accountsAfter = await xinji('/api/v1/points/accounts?page=1&pageSize=20&type=household');
      expect(JSON.stringify(accountsAfter)).toBe(
        await get('off', PHONES.xinjiAdmin, '/api/v1/points/accounts?page=1&pageSize=20&type=household'),
      );
      const balance = (x: Page) => x.items.find((i) => i.id === acc.id)?.balance;
      expect(balance(accountsAfter)).toBe((acc.balance as number) + rule.points);
    });
  });

  it("activities: kept per account; linking a volunteer record to the caller shows the caller's own sign-ups", async () => {
    const url = '/api/v1/activities?page=1&pageSize=50';
    const before = await page(PHONES.xinjiAdmin, url);
    expect(before.items.length).toBeGreaterThan(0);
    expect(before.items.every((i) => i.mySignup === null)).toBe(true);
    const ids = before.items.map((i) => i.id);
    const {
      rows: [s],
    } = await db().query(
      'select s.activity_id, s.volunteer_id from activity_signups s ' +
        `where s.activity_id = any($1::uuid[]) and s.status <> 'cancelled' limit 1`,
      [ids],
    );
    expect(s).toBeDefined();
    const me = (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/me' })).json() as { id: string };
    await db().query('update volunteers set user_id = null where user_id = $1', [me.id]);
    await db().query('update volunteers set user_id = $2 where id = $1', [s.volunteer_id, me.id]);
    const after = await page(PHONES.xinjiAdmin, url);
    const signedUp = after.items.find((i) => i.id === s.activity_id);
    expect(signedUp).toBeDefined();
    expect(signedUp!.mySignup).toBeTruthy();
    expect(await get('off', PHONES.xinjiAdmin, url)).toBe(JSON.stringify(after));
    // another account of the same scope does not get this page
    const station = await page(PHONES.stationAdmin, url);
    expect(station.items.length).toBeGreaterThan(0);
    expect(station.items.every((i) => i.mySignup === null)).toBe(true);
  });

  it("a write to one list's tables leaves the pages of the others in place", async () => {
    await page(PHONES.xinjiAdmin, '/api/v1/volunteers?page=1&pageSize=20');
    const h = (await page(PHONES.xinjiAdmin, '/api/v1/households?page=1&pageSize=20')).items[0];
    await db().query(`update households set note = note || '。' where id = $1`, [h.id]);
    const hits = stats().hits;
    await page(PHONES.xinjiAdmin, '/api/v1/volunteers?page=1&pageSize=20');
    expect(stats().hits).toBe(hits + 1);
  });
});
