import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { checkChar } from '../../platform/idcard.js';

// 实名核验 as a machine (volunteers/transitions.ts): refused from the wrong state (409) and to the wrong party
// (403 / 404), `actions` on the detail exactly what the caller can then do, and one of two simultaneous verifications.

let t: TestApp;
let village: string;
beforeAll(async () => {
  t = await createTestApp();
  // the station admin's village, in 新集镇: seen by the station (no volunteer:verify), the town and the county
  village = (await t.as(PHONES.stationAdmin)({ method: 'GET', url: '/api/v1/me' })).json().regionCode;
});
afterAll(async () => {
  await t?.close();
});

let seq = 100;
/** A new volunteer registered by the town's staff, not yet verified. */
async function registered(): Promise<string> {
  const body = `410101199001${String(10 + (seq % 18)).padStart(2, '0')}${String(seq++).padStart(3, '0')}`;
  const res = await t.as(PHONES.xinjiAdmin)({
    method: 'POST',
    url: '/api/v1/volunteers',
    payload: { name: '待核验', idNumber: body + checkChar(body), regionCode: village },
  });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json().verified).toBe(false);
  return res.json().id;
}
const detail = (phone: string, id: string) => t.as(phone)({ method: 'GET', url: `/api/v1/volunteers/${id}` });
const verify = (phone: string, id: string) => t.as(phone)({ method: 'POST', url: `/api/v1/volunteers/${id}/verify` });

describe('the volunteer verification machine', () => {
  it('lists 实名核验 to staff who may verify; verifying answers the verified detail with no actions; again is 409', async () => {
    const id = await registered();
    expect((await detail(PHONES.xinjiAdmin, id)).json()).toMatchObject({ verified: false, actions: ['verify'] });
    const res = await verify(PHONES.xinjiAdmin, id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id, verified: true, actions: [] });
    expect(res.json().verifiedAt).toEqual(expect.any(String));
    const again = await verify(PHONES.countyAdmin, id);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('INVALID_TRANSITION');
    expect((await detail(PHONES.countyAdmin, id)).json()).toMatchObject({ verified: true, actions: [] });
  });

  it('refuses the wrong party: 403 to staff who see the volunteer but may not verify, 404 to another town', async () => {
    const id = await registered();
    const station = await detail(PHONES.stationAdmin, id);
    expect(station.statusCode).toBe(200);
    expect(station.json().actions).toEqual([]);
    expect((await verify(PHONES.stationAdmin, id)).statusCode).toBe(403);
    expect((await detail(PHONES.shawoAdmin, id)).statusCode).toBe(404);
    expect((await verify(PHONES.shawoAdmin, id)).statusCode).toBe(404);
    expect((await detail(PHONES.xinjiAdmin, id)).json()).toMatchObject({ verified: false, actions: ['verify'] });
  });

  it('answers exactly the actions that succeed', async () => {
    for (const phone of [PHONES.countyAdmin, PHONES.xinjiAdmin, PHONES.stationAdmin]) {
      const id = await registered();
      const listed = (await detail(phone, id)).json().actions as string[];
      const res = await verify(phone, id);
      if (listed.includes('verify')) expect(res.statusCode, `verify listed to ${phone}`).toBe(200);
      else expect([403, 404, 409], `verify not listed to ${phone}`).toContain(res.statusCode);
    }
  });

  it('two simultaneous verifications: one wins, the other answers 409, and one audit event is written', async () => {
    const id = await registered();
    const results = await Promise.all([verify(PHONES.xinjiAdmin, id), verify(PHONES.countyAdmin, id)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const { rows } = await t.deps.database.query(
      `select action from audit_events where entity_id = $1 and action = 'volunteer.verify'`,
      [id],
    );
    expect(rows).toHaveLength(1);
  });
});
