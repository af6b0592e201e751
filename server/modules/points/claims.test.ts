import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { verifyPoints } from './ledger.js';
import { postDueClaims } from './claims.js';

let t: TestApp;
let rules: Json[];
let household: string;
beforeAll(async () => {
  t = await createTestApp();
  rules = (await api(PHONES.resident, 'GET', '/point-rules')).json().items;
  household = (await api(PHONES.resident, 'GET', '/me/points')).json().household.account.ownerId;
});
afterAll(async () => {
  await t?.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });
const STATION = PHONES.stationAdmin;
const REVIEW = PHONES.xinjiAdmin;
const DAY = 86400_000;
const rule = (name: string) => rules.find((r) => r.name.includes(name))!;
const balanceOf = async (hh: string) =>
  (await api(REVIEW, 'GET', `/points/accounts/household/${hh}`)).json().account.balance as number;
const ledgerCounts = async () => {
  const v = await verifyPoints(t.deps.database.db);
  return { transactions: v.transactions, movements: v.movements };
};
/** A household of the first village of 新集镇 (the station admin's) without a points account yet. */
async function freshHousehold() {
  const station = (await t.deps.database.query(`select region_path from households where id = $1`, [household])).rows[0]
    .region_path as string;
  const r = await t.deps.database.query(
    'select id from households h where region_path = $1 and not exists (select 1 from point_accounts a ' +
      `where a.type = 'household' and a.owner_id = h.id) limit 5`,
    [station],
  );
  if (r.rows.length) return (r.rows as { id: string }[])[0].id;
  const reg = (
    await t.deps.database.query(`select region_code, county_code from households where id = $1`, [household])
  ).rows[0] as { region_code: string; county_code: string };
  const ins = await t.deps.database.query(
    'insert into households (county_code, region_code, region_path, head_name, created_at) ' +
      `values ($1, $2, $3, '钱新户', now()) returning id`,
    [reg.county_code, reg.region_code, station],
  );
  return (ins.rows as { id: string }[])[0].id;
}
async function submit(phone: string, body: Json) {
  const res = await api(phone, 'POST', '/points/claims', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Json;
}

describe('points: claims 申报 → 评议 → 公示 → 入账', () => {
  it('walks a claim through review, an objection, the notice and posting; the balance goes up only then', async () => {
    const before = await balanceOf(household);
    const c = await submit(STATION, {
      accountType: 'household',
      accountId: household,
      ruleId: rule('邻里互助').id,
      note: '帮邻居抢收小麦',
    });
    expect(c).toMatchObject({
      state: 'submitted',
      stateName: '待评议',
      points: 5,
      accountType: 'household',
      ruleName: '邻里互助',
      note: '帮邻居抢收小麦',
    });
    expect(c.events.map((e: Json) => e.action)).toEqual(['submit']);
    // the station admin may claim but not review
    expect((await api(STATION, 'POST', `/points/claims/${c.id}/approve`, {})).statusCode).toBe(403);
    expect((await api(PHONES.shawoAdmin, 'POST', `/points/claims/${c.id}/approve`, {})).statusCode).toBe(404);
    // no objection before the notice: until it is on the public notice, another town's resident does not see it
    expect(
      (await api(PHONES.shawoResident, 'POST', `/points/claims/${c.id}/object`, { reason: '情况不属实' })).statusCode,
    ).toBe(404);
    expect((await api(STATION, 'POST', `/points/claims/${c.id}/object`, { reason: '情况不属实' })).statusCode).toBe(
      409,
    );

    const approved = await api(REVIEW, 'POST', `/points/claims/${c.id}/approve`, { comment: '村民代表评议通过' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'notice', stateName: '公示中', reviewComment: '村民代表评议通过' });
    expect(new Date(approved.json().noticeEndAt).getTime() - t.clock.now().getTime()).toBe(5 * DAY);

    // the public notice lists it with the name masked
    const pub = await api(null, 'GET', '/public/points-notices?county=411523&pageSize=200');
    expect(pub.statusCode).toBe(200);
    const listed = (pub.json().items as Json[]).find((x) => x.id === c.id)!;
    expect(listed).toMatchObject({ points: 5, ruleName: '邻里互助', canObject: true });
    expect(listed.accountName).toContain('*');
    expect(JSON.stringify(pub.json())).not.toMatch(/1[3-9]\d{9}/);
    expect((await api(null, 'GET', '/public/points-notices?county=41')).statusCode).toBe(400);

    // an objection from anyone of the county sends it back to review
    expect((await api(null, 'POST', `/points/claims/${c.id}/object`, { reason: '情况不属实' })).statusCode).toBe(401);
    expect((await api(PHONES.shawoResident, 'POST', `/points/claims/${c.id}/object`, {})).statusCode).toBe(400);
    const objected = await api(PHONES.shawoResident, 'POST', `/points/claims/${c.id}/object`, {
      reason: '那天他没有去帮忙',
    });
    expect(objected.statusCode, objected.body).toBe(200);
    expect(objected.json().state).toBe('submitted');
    const back = (await api(REVIEW, 'GET', `/points/claims/${c.id}`)).json();
    expect(back.state).toBe('submitted');
    expect(back.events.map((e: Json) => e.action)).toEqual(['submit', 'approve', 'object']);
    expect(back.events[2]).toMatchObject({ fromState: 'notice', toState: 'submitted', note: '那天他没有去帮忙' });

    // reviewed again; posting before the notice ends → 409, ledger untouched
    expect((await api(REVIEW, 'POST', `/points/claims/${c.id}/approve`, {})).statusCode).toBe(200);
    const counts = await ledgerCounts();
    const early = await api(REVIEW, 'POST', `/points/claims/${c.id}/post`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('INVALID_TRANSITION');
    expect(early.json().error.message).toContain('公示期未满');
    expect(await ledgerCounts()).toEqual(counts);
    expect(await balanceOf(household)).toBe(before);

    t.clock.advance(5 * DAY + 60_000);
    expect(
      (await api(PHONES.shawoResident, 'POST', `/points/claims/${c.id}/object`, { reason: '公示已过' })).statusCode,
    ).toBe(409);
    expect((await api(STATION, 'POST', `/points/claims/${c.id}/post`)).statusCode).toBe(403);
    const posted = await api(REVIEW, 'POST', `/points/claims/${c.id}/post`);
    expect(posted.statusCode, posted.body).toBe(200);
    expect(posted.json()).toMatchObject({ state: 'posted', points: 5, capped: false });
    expect(await balanceOf(household)).toBe(before + 5);
    expect((await api(REVIEW, 'POST', `/points/claims/${c.id}/post`)).statusCode).toBe(409);
    const final = (await api(PHONES.resident, 'GET', `/points/claims/${c.id}`)).json();
    expect(final.events.map((e: Json) => e.action)).toEqual(['submit', 'approve', 'object', 'approve', 'post']);
    const entries = (await api(PHONES.resident, 'GET', `/points/accounts/household/${household}`)).json()
      .entries as Json[];
    expect(entries[0]).toMatchObject({
      transactionId: posted.json().transactionId,
      kind: 'claim',
      amount: 5,
      balanceAfter: before + 5,
    });
  });

  it('a deduction larger than the balance takes it to zero and says so', async () => {
    const hh = await freshHousehold();
    const plus = await submit(STATION, { accountType: 'household', accountId: hh, ruleId: rule('庭院整洁').id });
    const minus = await submit(STATION, { accountType: 'household', accountId: hh, ruleId: rule('红白事').id });
    for (const id of [plus.id, minus.id])
      expect((await api(REVIEW, 'POST', `/points/claims/${id}/approve`, {})).statusCode).toBe(200);
    t.clock.advance(5 * DAY + 60_000);
    expect((await api(REVIEW, 'POST', `/points/claims/${plus.id}/post`)).json().points).toBe(5);
    const res = await api(REVIEW, 'POST', `/points/claims/${minus.id}/post`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'posted', points: -5, capped: true });
    expect(res.json().message).toContain('余额不足');
    expect(await balanceOf(hh)).toBe(0);
    // nothing left: posted without a movement
    const zero = await submit(STATION, { accountType: 'household', accountId: hh, ruleId: rule('寻衅滋事').id });
    await api(REVIEW, 'POST', `/points/claims/${zero.id}/approve`, {});
    t.clock.advance(5 * DAY + 60_000);
    const none = (await api(REVIEW, 'POST', `/points/claims/${zero.id}/post`)).json();
    expect(none).toMatchObject({ state: 'posted', points: 0, capped: true, transactionId: null });
    expect(await balanceOf(hh)).toBe(0);
  });

  it('the sweep posts claims whose notice ended without objection', async () => {
    const hh = await freshHousehold();
    const c = await submit(STATION, { accountType: 'household', accountId: hh, ruleId: rule('垃圾分类').id });
    await api(REVIEW, 'POST', `/points/claims/${c.id}/approve`, {});
    await postDueClaims(t.deps.database.db, t.clock.now());
    expect((await api(REVIEW, 'GET', `/points/claims/${c.id}`)).json().state).toBe('notice');
    t.clock.advance(5 * DAY + 1);
    const swept = await postDueClaims(t.deps.database.db, t.clock.now());
    expect(swept.posted).toBeGreaterThanOrEqual(1);
    expect(swept.failed).toBe(0);
    const after = (await api(REVIEW, 'GET', `/points/claims/${c.id}`)).json();
    expect(after.state).toBe('posted');
    expect(after.events.at(-1)).toMatchObject({ action: 'post', actorName: '积分公示到期自动入账' });
    expect(await balanceOf(hh)).toBe(3);
    expect((await postDueClaims(t.deps.database.db, t.clock.now())).posted).toBe(0);
  });

  it('residents claim for their own household, volunteers for themselves, positive rules only; submitters may withdraw', async () => {
    const own = await submit(PHONES.resident, {
      accountType: 'household',
      accountId: household,
      ruleId: rule('参加村集体活动').id,
      note: '参加了重阳节敬老活动',
    });
    expect(own.state).toBe('submitted');
    const ded = await api(PHONES.resident, 'POST', '/points/claims', {
      accountType: 'household',
      accountId: household,
      ruleId: rule('乱堆乱放').id,
    });
    expect(ded.statusCode).toBe(403);
    const other = await api(PHONES.resident, 'POST', '/points/claims', {
      accountType: 'household',
      accountId: await freshHousehold(),
      ruleId: rule('参加村集体活动').id,
    });
    expect(other.statusCode).toBe(404);
    expect(other.json().error.details[0].path).toBe('accountId');
    const volunteerId = (await api(PHONES.volunteer, 'GET', '/me/points')).json().volunteer.account.ownerId;
    const v = await submit(PHONES.volunteer, {
      accountType: 'volunteer',
      accountId: volunteerId,
      ruleId: rule('义务劳动').id,
    });
    expect(v.accountType).toBe('volunteer');
    expect(
      (
        await api(PHONES.volunteer2, 'POST', '/points/claims', {
          accountType: 'volunteer',
          accountId: volunteerId,
          ruleId: rule('义务劳动').id,
        })
      ).statusCode,
    ).toBe(404);
    const mine = (await api(PHONES.resident, 'GET', '/me/point-claims')).json().items as Json[];
    expect(mine.some((x) => x.id === own.id)).toBe(true);
    expect((await api(PHONES.volunteer, 'POST', `/points/claims/${own.id}/withdraw`)).statusCode).toBe(404);
    expect((await api(PHONES.stationAdmin, 'POST', `/points/claims/${own.id}/withdraw`)).statusCode).toBe(403);
    const w = await api(PHONES.resident, 'POST', `/points/claims/${own.id}/withdraw`);
    expect(w.statusCode, w.body).toBe(200);
    expect(w.json().state).toBe('withdrawn');
    expect((await api(REVIEW, 'POST', `/points/claims/${own.id}/approve`, {})).statusCode).toBe(409);
    // rejection needs a comment
    expect((await api(REVIEW, 'POST', `/points/claims/${v.id}/reject`, {})).statusCode).toBe(400);
    const rej = await api(REVIEW, 'POST', `/points/claims/${v.id}/reject`, { comment: '当天未参加劳动' });
    expect(rej.json()).toMatchObject({ state: 'rejected', reviewComment: '当天未参加劳动' });
  });

  it('bad input leaves the ledger untouched, with Chinese errors naming the field', async () => {
    const counts = await ledgerCounts();
    const claimsBefore = Number((await t.deps.database.query('select count(*) n from point_claims')).rows[0].n);
    const unknownRule = await api(STATION, 'POST', '/points/claims', {
      accountType: 'household',
      accountId: household,
      ruleId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknownRule.statusCode).toBe(400);
    expect(unknownRule.json().error.details[0].path).toBe('ruleId');
    expect(unknownRule.json().error.message).toMatch(/积分规则/);
    const unknownAccount = await api(STATION, 'POST', '/points/claims', {
      accountType: 'household',
      accountId: '00000000-0000-4000-8000-000000000000',
      ruleId: rule('邻里互助').id,
    });
    expect(unknownAccount.statusCode).toBe(404);
    expect(unknownAccount.json().error.details[0].path).toBe('accountId');
    const malformed = await api(STATION, 'POST', '/points/claims', {
      accountType: 'household',
      accountId: 'abc',
      ruleId: rule('邻里互助').id,
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details[0].path).toBe('accountId');
    const badType = await api(STATION, 'POST', '/points/claims', {
      accountType: 'family',
      accountId: household,
      ruleId: rule('邻里互助').id,
    });
    expect(badType.statusCode).toBe(400);
    const noEvidence = await api(STATION, 'POST', '/points/claims', {
      accountType: 'household',
      accountId: household,
      ruleId: rule('见义勇为').id,
    });
    expect(noEvidence.statusCode).toBe(400);
    expect(noEvidence.json().error.details[0].path).toBe('evidenceFileIds');
    const fakeEvidence = await api(STATION, 'POST', '/points/claims', {
      accountType: 'household',
      accountId: household,
      ruleId: rule('见义勇为').id,
      evidenceFileIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(fakeEvidence.statusCode).toBe(400);
    expect(fakeEvidence.json().error.details[0].path).toBe('evidenceFileIds');
    // out of scope: 沙窝镇's admin for a 新集镇 household
    expect(
      (
        await api(PHONES.shawoAdmin, 'POST', '/points/claims', {
          accountType: 'household',
          accountId: household,
          ruleId: rule('邻里互助').id,
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await api(null, 'POST', '/points/claims', {
          accountType: 'household',
          accountId: household,
          ruleId: rule('邻里互助').id,
        })
      ).statusCode,
    ).toBe(401);
    const broken = await t.as(STATION)({
      method: 'POST',
      url: '/api/v1/points/claims',
      headers: { 'content-type': 'application/json' },
      payload: '{"accountType":',
    });
    expect(broken.statusCode).toBe(400);
    expect(Number((await t.deps.database.query('select count(*) n from point_claims')).rows[0].n)).toBe(claimsBefore);
    expect(await ledgerCounts()).toEqual(counts);
  });

  it('lists claims in scope with filters; details only for staff in scope and the people concerned', async () => {
    expect((await api(PHONES.resident, 'GET', '/points/claims')).statusCode).toBe(403);
    // one claim under notice and one waiting for review, so the state filter has something to keep and to leave out
    const onNotice = await submit(STATION, {
      accountType: 'household',
      accountId: household,
      ruleId: rule('邻里互助').id,
      note: '帮五保户挑水',
    });
    const approved = await api(REVIEW, 'POST', `/points/claims/${onNotice.id}/approve`, {});
    expect(approved.json()).toMatchObject({ state: 'notice' });
    const waiting = await submit(STATION, {
      accountType: 'household',
      accountId: household,
      ruleId: rule('邻里互助').id,
      note: '帮邻居修屋顶',
    });
    const notice = (await api(REVIEW, 'GET', '/points/claims?state=notice&pageSize=200')).json();
    expect(notice.items.map((x: Json) => x.id)).toContain(onNotice.id);
    expect(notice.items.map((x: Json) => x.id)).not.toContain(waiting.id);
    expect((notice.items as Json[]).every((x) => x.state === 'notice')).toBe(true);
    const all = (await api(REVIEW, 'GET', '/points/claims?pageSize=200')).json().items as Json[];
    const shawo = (await api(PHONES.shawoAdmin, 'GET', '/points/claims?pageSize=200')).json().items as Json[];
    const xinji = all;
    expect(shawo.length).toBeGreaterThan(0);
    expect(xinji.length).toBeGreaterThan(0);
    expect(shawo.filter((x) => xinji.some((y) => y.id === x.id))).toEqual([]);
    expect((await api(REVIEW, 'GET', '/points/claims?state=done')).statusCode).toBe(400);
    const one = xinji[0];
    expect((await api(PHONES.shawoAdmin, 'GET', `/points/claims/${one.id}`)).statusCode).toBe(404);
    expect((await api(PHONES.shawoResident, 'GET', `/points/claims/${one.id}`)).statusCode).toBe(404);
    expect((await api(REVIEW, 'GET', '/points/claims/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await verifyPoints(t.deps.database.db)).problems).toEqual([]);
  });
});

describe('the claim machine: actions answered are the actions allowed', () => {
  const bodies: Record<string, Json | undefined> = {
    approve: {},
    reject: { comment: '材料不全' },
    object: { reason: '情况不属实' },
    withdraw: undefined,
    post: undefined,
  };
  const take = (phone: string, id: string, action: string) =>
    api(phone, 'POST', `/points/claims/${id}/${action}`, bodies[action]);
  const ok = async (res: Promise<{ statusCode: number; body: string }>) => {
    const r = await res;
    expect(r.statusCode, r.body).toBe(200);
  };
  /** Fresh claims of the station admin for the resident's household, brought into the given states (one clock move). */
  async function fresh(states: string[]) {
    const ids: string[] = [];
    for (const _ of states)
      ids.push(
        (await submit(STATION, { accountType: 'household', accountId: household, ruleId: rule('邻里互助').id })).id,
      );
    const each = async (which: string[], action: string, phone: string = REVIEW) => {
      for (const [i, id] of ids.entries()) if (which.includes(states[i])) await ok(take(phone, id, action));
    };
    await each(['rejected'], 'reject');
    await each(['withdrawn'], 'withdraw', STATION);
    if (states.some((s) => s === 'noticeEnded' || s === 'posted')) {
      await each(['noticeEnded', 'posted'], 'approve');
      t.clock.advance(8 * DAY);
    }
    await each(['notice'], 'approve');
    await each(['posted'], 'post');
    return ids;
  }

  it('in every state, each listed action succeeds on a fresh claim and each unlisted one is refused', async () => {
    const expected: Record<string, { reviewer: string[]; submitter: string[] }> = {
      submitted: { reviewer: ['approve', 'reject'], submitter: ['withdraw'] },
      notice: { reviewer: ['reject', 'object'], submitter: ['object'] },
      noticeEnded: { reviewer: ['reject', 'post'], submitter: [] },
      posted: { reviewer: [], submitter: [] },
      rejected: { reviewer: [], submitter: [] },
      withdrawn: { reviewer: [], submitter: [] },
    };
    const names = Object.keys(bodies);
    for (const [state, want] of Object.entries(expected)) {
      const [probe, ...ids] = await fresh(Array<string>(2 * names.length + 1).fill(state));
      const parties: ['reviewer' | 'submitter', string][] = [
        ['reviewer', REVIEW],
        ['submitter', STATION],
      ];
      for (const [who, phone] of parties) {
        const listed = (await api(phone, 'GET', `/points/claims/${probe}`)).json().actions as string[];
        expect(listed, `${state} ${who}`).toEqual(want[who]);
        for (const [i, action] of names.entries()) {
          const id = ids[who === 'reviewer' ? i : names.length + i];
          const res = await take(phone, id, action);
          if (listed.includes(action)) expect(res.statusCode, `${state} ${who} ${action}: ${res.body}`).toBe(200);
          else expect([403, 409], `${state} ${who} ${action}: ${res.body}`).toContain(res.statusCode);
        }
      }
    }
  }, 600_000);

  it('the wrong party: 403 for one who sees it but may not act, 404 for one who does not see it', async () => {
    const [id, onNotice] = await fresh(['submitted', 'notice']);
    expect((await take(PHONES.shawoAdmin, id, 'reject')).statusCode).toBe(404);
    expect((await api(PHONES.shawoResident, 'GET', `/points/claims/${id}`)).statusCode).toBe(404);
    expect((await take(PHONES.shawoResident, id, 'withdraw')).statusCode).toBe(404);
    // the reviewer sees it but did not submit it
    const refused = await take(REVIEW, id, 'withdraw');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toBe('您不能撤回该申报');
    // on the public notice anyone of the county may object
    const objected = await take(PHONES.shawoResident, onNotice, 'object');
    expect(objected.statusCode, objected.body).toBe(200);
    expect(objected.json().state).toBe('submitted');
    const again = await take(REVIEW, onNotice, 'post');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toBe('该申报待评议，不能入账');
  });

  it('two reviewers at once: one wins, the other gets 409', async () => {
    const [id] = await fresh(['submitted']);
    const results = await Promise.all([take(REVIEW, id, 'approve'), take(PHONES.countyAdmin, id, 'approve')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const events = (await api(REVIEW, 'GET', `/points/claims/${id}`)).json().events as Json[];
    expect(events.map((e) => e.action)).toEqual(['submit', 'approve']);
  });
});

describe('points: evidence attached to a claim', () => {
  const tinyPng = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f' +
      '5d0000000049454e44ae426082',
    'hex',
  );
  async function upload(phone: string) {
    const boundary = '----wm' + Math.random().toString(16).slice(2);
    const res = await t.as(phone)({
      method: 'POST',
      url: '/api/v1/files',
      payload: Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\nContent-Type: ` +
            `image/png\r\n\r\n`,
        ),
        tinyPng,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }
  const claimsWith = async (fileId: string) =>
    Number(
      (
        await t.deps.database.query(`select count(*) n from point_claims where evidence_file_ids @> $1::jsonb`, [
          JSON.stringify([fileId]),
        ])
      ).rows[0].n,
    );

  it("another town's upload cannot be attached (it would become readable through the claim); one's own can", async () => {
    const theirs = await upload(PHONES.shawoAdmin);
    const ownUpload = await upload(STATION);
    const body = (fileIds: string[]) => ({
      accountType: 'household',
      accountId: household,
      ruleId: rule('见义勇为').id,
      evidenceFileIds: fileIds,
    });
    const refused = await api(STATION, 'POST', '/points/claims', body([ownUpload, theirs]));
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error.details[0].path).toBe('evidenceFileIds');
    expect(await claimsWith(theirs)).toBe(0);
    expect(await claimsWith(ownUpload)).toBe(0);
    expect((await t.as(STATION)({ method: 'GET', url: `/api/v1/files/${theirs}` })).statusCode).toBe(404);
    // the same request with the caller's own file goes through, and the reviewer then reads the file with the claim
    const made = await submit(STATION, body([ownUpload]));
    expect(await claimsWith(ownUpload)).toBe(1);
    expect((await t.as(REVIEW)({ method: 'GET', url: `/api/v1/files/${ownUpload}` })).statusCode).toBe(200);
    expect(made.state).toBe('submitted');
  });
});
