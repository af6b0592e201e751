import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { activities, activitySignups, files, volunteers } from '../../db/schema/index.js';
import { appendHours } from './ledger.js';
import { verifyAudit } from '../../platform/audit.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const ADMIN = PHONES.xinjiAdmin;
const V = PHONES.volunteer;
const api = (phone: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as object } : {}) });

async function volunteerOf(phone: string) {
  const id = (await api(phone, 'GET', '/me')).json().volunteerId as string;
  const [v] = await t.deps.database.db.select().from(volunteers).where(eq(volunteers.id, id));
  return v;
}

/** An ended 4-hour activity in the volunteer's village, optionally with their sign-up. */
async function makeActivity(v: typeof volunteers.$inferSelect, signedUp = true) {
  const db = t.deps.database.db;
  const now = t.clock.now();
  const startAt = new Date(now.getTime() - 3 * 86400_000);
  const [a] = await db
    .insert(activities)
    .values({
      countyCode: v.countyCode,
      regionCode: v.regionCode,
      regionPath: v.regionPath,
      title: '测试：关爱留守儿童',
      type: 'volunteer_service',
      startAt,
      endAt: new Date(startAt.getTime() + 4 * 3600_000),
      quota: 10,
      address: '村文化广场',
      state: 'ended',
      code: '246810',
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  let signupId: string | null = null;
  if (signedUp) {
    const [s] = await db
      .insert(activitySignups)
      .values({
        activityId: a.id,
        volunteerId: v.id,
        userId: v.userId,
        status: 'confirmed',
        signedUpAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    signupId = s.id;
  }
  return { ...a, signupId };
}

async function makeFile(owner: string | null) {
  const [f] = await t.deps.database.db
    .insert(files)
    .values({
      countyCode: '411523',
      ownerId: owner,
      purpose: 'image',
      mime: 'image/jpeg',
      size: 10,
      sha256: 'x',
      storageKey: 'test/x.jpg',
      originalName: '签到表.jpg',
    })
    .returning();
  return f.id;
}

const countRows = async (sql: string, params: unknown[] = []) =>
  (await t.deps.database.query(sql, params)).rows[0].n as number;

describe('hours: corrections (补录)', () => {
  it('needs sign-in, evidence that exists, and hours within the activity length', async () => {
    const v = await volunteerOf(V);
    const a = await makeActivity(v);
    await appendHours(t.deps.database.db, {
      countyCode: v.countyCode,
      regionPath: a.regionPath,
      volunteerId: v.id,
      kind: 'attendance',
      hours: 3,
      serviceDate: '2026-05-29',
      description: '签到',
      activityId: a.id,
      signupId: a.signupId,
      createdBy: null,
      createdAt: t.clock.now(),
    });
    const file = await makeFile(v.userId);
    expect(
      (
        await api(null, 'POST', '/hours/requests', {
          activityId: a.id,
          hours: 1,
          reason: '漏签',
          evidenceFileIds: [file],
        })
      ).statusCode,
    ).toBe(401);
    const before = await countRows('select count(*)::int as n from hours_requests');

    const noEvidence = await api(V, 'POST', '/hours/requests', { activityId: a.id, hours: 1, reason: '忘记签退' });
    expect(noEvidence.statusCode).toBe(400);
    expect(noEvidence.json().error.details[0].path).toBe('evidenceFileIds');
    const empty = await api(V, 'POST', '/hours/requests', {
      activityId: a.id,
      hours: 1,
      reason: '忘记签退',
      evidenceFileIds: [],
    });
    expect(empty.json().error.details[0].path).toBe('evidenceFileIds');
    const unknown = await api(V, 'POST', '/hours/requests', {
      activityId: a.id,
      hours: 1,
      reason: '忘记签退',
      evidenceFileIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe('evidenceFileIds');

    const tooMuch = await api(V, 'POST', '/hours/requests', {
      activityId: a.id,
      hours: 1.5,
      reason: '忘记签退',
      evidenceFileIds: [file],
    });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json().error.details[0].path).toBe('hours');
    expect(tooMuch.json().error.message).toContain('最多还可补录 1 小时');
    for (const hours of [0, -1, 'x', 1.234]) {
      const bad = await api(V, 'POST', '/hours/requests', {
        activityId: a.id,
        hours,
        reason: '忘记签退',
        evidenceFileIds: [file],
      });
      expect(bad.statusCode, String(hours)).toBe(400);
      expect(bad.json().error.details[0].path).toBe('hours');
    }
    expect(await countRows('select count(*)::int as n from hours_requests')).toBe(before);

    const ok = await api(V, 'POST', '/hours/requests', {
      activityId: a.id,
      hours: 1,
      reason: '忘记签退',
      evidenceFileIds: [file],
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({
      status: 'pending',
      kind: 'correction',
      hours: 1,
      activityTitle: '测试：关爱留守儿童',
      evidenceFileIds: [file],
    });
    // pending hours count too: nothing left of the 4 h
    const again = await api(V, 'POST', '/hours/requests', {
      activityId: a.id,
      hours: 0.5,
      reason: '再次补录',
      evidenceFileIds: [file],
    });
    expect(again.json().error.details[0].path).toBe('hours');
  });

  it('a volunteer only for activities they signed up to; staff for volunteers in scope', async () => {
    const v = await volunteerOf(V);
    const a = await makeActivity(v, false);
    const file = await makeFile(v.userId);
    const notMine = await api(V, 'POST', '/hours/requests', {
      activityId: a.id,
      hours: 1,
      reason: '补录',
      evidenceFileIds: [file],
    });
    expect(notMine.statusCode).toBe(400);
    expect(notMine.json().error.details[0].path).toBe('activityId');
    const other = await volunteerOf(PHONES.volunteer2);
    expect(
      (
        await api(V, 'POST', '/hours/requests', {
          activityId: a.id,
          hours: 1,
          reason: '补录',
          evidenceFileIds: [file],
          volunteerId: other.id,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await api(PHONES.shawoAdmin, 'POST', '/hours/requests', {
          activityId: a.id,
          hours: 1,
          reason: '补录',
          evidenceFileIds: [file],
          volunteerId: v.id,
        })
      ).statusCode,
    ).toBe(400);
    // staff attach their own photo of the paper sheet: the volunteer's unattached upload is not theirs to attach
    const adminFile = await makeFile((await api(ADMIN, 'GET', '/me')).json().id as string);
    const borrowed = await api(ADMIN, 'POST', '/hours/requests', {
      activityId: a.id,
      hours: 2,
      reason: '纸质签到表补录',
      evidenceFileIds: [file],
      volunteerId: v.id,
    });
    expect(borrowed.statusCode).toBe(400);
    expect(borrowed.json().error.details[0].path).toBe('evidenceFileIds');
    const staff = await api(ADMIN, 'POST', '/hours/requests', {
      activityId: a.id,
      hours: 2,
      reason: '纸质签到表补录',
      evidenceFileIds: [adminFile],
      volunteerId: v.id,
    });
    expect(staff.statusCode, staff.body).toBe(201);
    expect(staff.json()).toMatchObject({ volunteerId: v.id, status: 'pending' });
  });

  it('approval (possibly of fewer hours) appends exactly one ledger row and notifies; rejection needs an answer', async () => {
    const v = await volunteerOf(V);
    const a = await makeActivity(v);
    const file = await makeFile(v.userId);
    const req = (
      await api(V, 'POST', '/hours/requests', {
        activityId: a.id,
        hours: 3,
        reason: '签到设备故障',
        evidenceFileIds: [file],
      })
    ).json();
    expect((await api(V, 'POST', `/hours/requests/${req.id}/approve`, {})).statusCode).toBe(403);
    expect((await api(PHONES.shawoAdmin, 'POST', `/hours/requests/${req.id}/approve`, {})).statusCode).toBe(404);
    const listed = (await api(ADMIN, 'GET', '/hours/requests?status=pending&pageSize=200')).json();
    expect(listed.items.map((r: { id: string }) => r.id)).toContain(req.id);
    expect(
      (await api(PHONES.shawoAdmin, 'GET', '/hours/requests?status=pending&pageSize=200'))
        .json()
        .items.map((r: { id: string }) => r.id),
    ).not.toContain(req.id);
    expect(
      (await api(ADMIN, 'POST', `/hours/requests/${req.id}/approve`, { hours: 5 })).json().error.details[0].path,
    ).toBe('hours');

    const rows = () =>
      countRows('select count(*)::int as n from hours_entries where volunteer_id = $1 and activity_id = $2', [
        v.id,
        a.id,
      ]);
    expect(await rows()).toBe(0);
    const approved = await api(ADMIN, 'POST', `/hours/requests/${req.id}/approve`, {
      hours: 2.5,
      answer: '按签到表核定 2.5 小时',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'approved',
      hours: 3,
      approvedHours: 2.5,
      answer: '按签到表核定 2.5 小时',
    });
    expect(await rows()).toBe(1);
    const [entry] = (
      await t.deps.database.query(
        'select kind, hours::float8 as h, evidence_file_ids as ev, request_id from hours_entries ' +
          'where volunteer_id = $1 and activity_id = $2',
        [v.id, a.id],
      )
    ).rows as { kind: string; h: number; ev: string[]; request_id: string }[];
    expect(entry).toMatchObject({ kind: 'correction', h: 2.5, ev: [file], request_id: req.id });
    expect((await api(ADMIN, 'POST', `/hours/requests/${req.id}/approve`, {})).statusCode).toBe(409);
    expect(await rows()).toBe(1);
    const inbox = (await api(V, 'GET', '/notifications?pageSize=50')).json().items;
    expect(
      inbox.some((n: { kind: string; body: string }) => n.kind === 'hours.request.approved' && n.body.includes('2.5')),
    ).toBe(true);

    const req2 = (
      await api(V, 'POST', '/hours/requests', {
        activityId: a.id,
        hours: 1,
        reason: '还有 1 小时',
        evidenceFileIds: [file],
      })
    ).json();
    const noAnswer = await api(ADMIN, 'POST', `/hours/requests/${req2.id}/reject`, {});
    expect(noAnswer.statusCode).toBe(400);
    expect(noAnswer.json().error.details[0].path).toBe('answer');
    const rejected = await api(ADMIN, 'POST', `/hours/requests/${req2.id}/reject`, { answer: '签到表上没有这段时间' });
    expect(rejected.json()).toMatchObject({ status: 'rejected', answer: '签到表上没有这段时间' });
    expect(await rows()).toBe(1);
    const mine = (await api(V, 'GET', '/me/hours/requests')).json().items;
    expect(mine.find((r: { id: string }) => r.id === req2.id)).toMatchObject({
      status: 'rejected',
      answer: '签到表上没有这段时间',
    });
    const inbox2 = (await api(V, 'GET', '/notifications?pageSize=50')).json().items;
    expect(
      inbox2.some(
        (n: { kind: string; body: string }) =>
          n.kind === 'hours.request.rejected' && n.body.includes('签到表上没有这段时间'),
      ),
    ).toBe(true);
  });
});

describe('hours: the ledger', () => {
  it('a reversal appends a negative row once; a reversal cannot be reversed; totals follow', async () => {
    const v = await volunteerOf(V);
    const a = await makeActivity(v);
    const e = await appendHours(t.deps.database.db, {
      countyCode: v.countyCode,
      regionPath: a.regionPath,
      volunteerId: v.id,
      kind: 'attendance',
      hours: 2,
      serviceDate: '2026-05-29',
      description: '签到',
      activityId: a.id,
      signupId: a.signupId,
      createdBy: null,
      createdAt: t.clock.now(),
    });
    const before = (await api(V, 'GET', '/me/hours')).json();
    expect(before).toMatchObject({
      total: expect.any(Number),
      thisYear: expect.any(Number),
      starLevel: expect.any(Number),
    });
    expect(before.items.length).toBeGreaterThan(0);
    expect((await api(V, 'POST', `/hours/entries/${e.id}/reverse`, { reason: '重复签到' })).statusCode).toBe(403);
    expect((await api(ADMIN, 'POST', `/hours/entries/${e.id}/reverse`, {})).json().error.details[0].path).toBe(
      'reason',
    );
    const rev = await api(ADMIN, 'POST', `/hours/entries/${e.id}/reverse`, { reason: '重复签到' });
    expect(rev.statusCode, rev.body).toBe(201);
    expect(rev.json()).toMatchObject({ kind: 'reversal', hours: -2, reversesId: e.id });
    expect((await api(ADMIN, 'POST', `/hours/entries/${e.id}/reverse`, { reason: '再次' })).statusCode).toBe(409);
    expect(
      (await api(ADMIN, 'POST', `/hours/entries/${rev.json().id}/reverse`, { reason: '冲正冲正' })).statusCode,
    ).toBe(409);
    const after = (await api(V, 'GET', '/me/hours')).json();
    expect(after.total).toBeCloseTo(before.total - 2, 2);
    const listed = (await api(ADMIN, 'GET', `/hours/entries?activityId=${a.id}`)).json();
    expect(listed.items.map((x: { kind: string }) => x.kind).sort()).toEqual(['attendance', 'reversal']);
    expect(listed.items.find((x: { id: string }) => x.id === e.id)).toMatchObject({
      reversed: true,
      volunteerName: v.name,
      activityTitle: '测试：关爱留守儿童',
    });
  });

  it('rows can never be updated or deleted', async () => {
    const [row] = (await t.deps.database.query('select id from hours_entries limit 1')).rows as { id: string }[];
    await expect(
      t.deps.database.query('update hours_entries set hours = 99 where id = $1', [row.id]),
    ).rejects.toThrow();
    await expect(t.deps.database.query('delete from hours_entries where id = $1', [row.id])).rejects.toThrow();
  });

  it('staff see entries in their scope only; 401 and 403 for the others', async () => {
    const v = await volunteerOf(V);
    expect((await api(null, 'GET', '/hours/entries')).statusCode).toBe(401);
    expect((await api(null, 'GET', '/me/hours')).statusCode).toBe(401);
    expect((await api(V, 'GET', '/hours/entries')).statusCode).toBe(403);
    expect((await api(V, 'GET', '/hours/requests')).statusCode).toBe(403);
    expect((await api(PHONES.resident, 'GET', '/me/hours')).statusCode).toBe(404);
    const a = await makeActivity(v);
    await appendHours(t.deps.database.db, {
      countyCode: v.countyCode,
      regionPath: a.regionPath,
      volunteerId: v.id,
      kind: 'attendance',
      hours: 2,
      serviceDate: '2026-05-29',
      description: '签到',
      activityId: a.id,
      signupId: a.signupId,
      createdBy: null,
      createdAt: t.clock.now(),
    });
    expect((await api(ADMIN, 'GET', `/hours/entries?volunteerId=${v.id}&activityId=${a.id}`)).json().total).toBe(1);
    expect((await api(PHONES.countyAdmin, 'GET', `/hours/entries?activityId=${a.id}`)).json().total).toBe(1);
    expect((await api(PHONES.shawoAdmin, 'GET', `/hours/entries?activityId=${a.id}`)).json().total).toBe(0);
    const shawo = (await api(PHONES.shawoAdmin, 'GET', '/hours/entries?pageSize=200')).json().items as { id: string }[];
    expect(shawo.length).toBeGreaterThan(0);
    expect((await api(ADMIN, 'GET', '/hours/entries?from=2026-13-01')).statusCode).toBe(400);
    const vh = await api(ADMIN, 'GET', `/volunteers/${v.id}/hours`);
    expect(vh.json()).toMatchObject({ totalHours: expect.any(Number), starLevel: expect.any(Number) });
    expect((await api(PHONES.shawoAdmin, 'GET', `/volunteers/${v.id}/hours`)).statusCode).toBe(404);
    expect((await api(V, 'GET', `/volunteers/${v.id}/hours`)).statusCode).toBe(200);
  });

  it('a completed service order credits its hours to the volunteer who served, once', async () => {
    const v = await volunteerOf(V);
    const item = (await api(PHONES.resident, 'GET', '/service-items'))
      .json()
      .items.find((i: { fields: unknown[] }) => i.fields.length === 0);
    const o = (
      await api(PHONES.resident, 'POST', '/orders', { serviceItemId: item.id, description: '帮忙打扫院子' })
    ).json();
    await api(ADMIN, 'POST', `/orders/${o.id}/dispatch`, { target: { type: 'volunteer', id: v.id } });
    await api(V, 'POST', `/orders/${o.id}/accept`, {});
    t.clock.advance(3 * 3600_000); // served for three hours: all 2.5 claimed are credited
    const done = await api(V, 'POST', `/orders/${o.id}/complete`, { summary: '已打扫', hours: 2.5 });
    expect(done.json().state).toBe('completed');
    const entries = async () =>
      (
        await t.deps.database.query(
          `select volunteer_id, kind, hours::float8 as h, service_date::text as d, description, created_by
            from hours_entries where order_id = $1 order by seq`,
          [o.id],
        )
      ).rows;
    // the service date is China's
    const today = new Date(t.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(await entries()).toEqual([
      {
        volunteer_id: v.id,
        kind: 'order',
        h: 2.5,
        d: today,
        description: `点单服务：${item.name}`,
        created_by: v.userId,
      },
    ]);

    // reopened and completed again, now by two volunteers: the first is not credited twice, the second is credited
    const other = await volunteerOf(PHONES.volunteer2);
    expect((await api(PHONES.resident, 'POST', `/orders/${o.id}/reopen`, { reason: '还没扫完' })).statusCode).toBe(200);
    await api(ADMIN, 'POST', `/orders/${o.id}/dispatch`, { target: { type: 'volunteer', id: v.id } });
    await api(V, 'POST', `/orders/${o.id}/accept`, {});
    t.clock.advance(3600_000);
    const again = await api(V, 'POST', `/orders/${o.id}/complete`, {
      summary: '两人一起扫完',
      hours: 1,
      volunteerIds: [other.id, v.id],
    });
    expect(again.statusCode).toBe(200);
    expect((await entries()).map((e) => [e.volunteer_id, e.h])).toEqual([
      [v.id, 2.5],
      [other.id, 1],
    ]);

    // a completion that fails (an unknown volunteer) credits nothing and leaves the order as it was
    const third = (
      await api(PHONES.resident, 'POST', '/orders', { serviceItemId: item.id, description: '再帮忙一次' })
    ).json();
    await api(ADMIN, 'POST', `/orders/${third.id}/dispatch`, { target: { type: 'volunteer', id: v.id } });
    await api(V, 'POST', `/orders/${third.id}/accept`, {});
    const bad = await api(V, 'POST', `/orders/${third.id}/complete`, {
      summary: 'x',
      hours: 1,
      volunteerIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(bad.statusCode).toBe(400);
    expect(
      (await t.deps.database.query('select count(*)::int as n from hours_entries where order_id = $1', [third.id]))
        .rows[0].n,
    ).toBe(0);
    expect((await api(V, 'GET', `/orders/${third.id}`)).json().state).toBe('accepted');
    expect(await verifyAudit(t.deps.database.db)).toMatchObject({ ok: true });
  });
});

describe('the hours request machine', () => {
  /** A fresh pending correction of the volunteer for a fresh ended activity. */
  async function fresh(hours = 1) {
    const v = await volunteerOf(V);
    const a = await makeActivity(v);
    const file = await makeFile(v.userId);
    const r = await api(V, 'POST', '/hours/requests', {
      activityId: a.id,
      hours,
      reason: '签到设备故障',
      evidenceFileIds: [file],
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().actions).toEqual([]);
    return r.json().id as string;
  }
  const body = { approve: {}, reject: { answer: '签到表上没有这段时间' } };
  const act = (phone: string, id: string, action: keyof typeof body) =>
    api(phone, 'POST', `/hours/requests/${id}/${action}`, body[action]);

  it('the detail lists exactly what the reviewer can do; each listed action works on a fresh request, then nothing is left', async () => {
    const id = await fresh();
    const detail = await api(ADMIN, 'GET', `/hours/requests/${id}`);
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json().actions).toEqual(['approve', 'reject']);
    const listed = (await api(ADMIN, 'GET', '/hours/requests?status=pending&pageSize=200')).json().items;
    expect(listed.find((r: { id: string }) => r.id === id)?.actions).toEqual(['approve', 'reject']);
    for (const a of ['approve', 'reject'] as const) {
      const one = await fresh();
      const r = await act(ADMIN, one, a);
      expect(r.statusCode, `${a}: ${r.body}`).toBe(200);
      expect(r.json().actions).toEqual([]);
      for (const again of ['approve', 'reject'] as const) expect((await act(ADMIN, one, again)).statusCode).toBe(409);
    }
    // the volunteer's own list answers no actions: nobody decides on their own hours
    const mine = (await api(V, 'GET', '/me/hours/requests')).json().items;
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) expect(r.actions).toEqual([]);
  });

  it('refuses the wrong party: out of scope is not found', async () => {
    const id = await fresh();
    expect((await api(PHONES.shawoAdmin, 'GET', `/hours/requests/${id}`)).statusCode).toBe(404);
    expect((await act(PHONES.shawoAdmin, id, 'reject')).statusCode).toBe(404);
    expect((await act(V, id, 'approve')).statusCode).toBe(403);
  });

  it('two reviewers deciding at once: one wins, the other gets 409, one ledger row', async () => {
    const id = await fresh();
    const results = await Promise.all([act(ADMIN, id, 'approve'), act(PHONES.countyAdmin, id, 'approve')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await countRows('select count(*)::int as n from hours_entries where request_id = $1', [id])).toBe(1);
    const events = await countRows(
      `select count(*)::int as n from workflow_events where entity = 'hours_request' and entity_id = $1`,
      [id],
    );
    expect(events).toBe(2); // created, approved
  });
});
