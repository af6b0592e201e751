import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('settings', () => {
  it('starts from the product defaults', async () => {
    const res = await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/settings' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      'orders.acceptHours': 48,
      'points.noticeDays': 5,
      'stars.thresholds': [100, 300, 600, 1000, 1500],
      'wishes.valueCap': 500,
      'teams.inactiveDays': 30,
    });
    const defs = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/settings/definitions' })).json().items;
    expect(defs.find((d: { key: string }) => d.key === 'orders.acceptHours')).toMatchObject({
      label: '接单时限',
      type: 'integer',
      unit: '小时',
      default: 48,
    });
    // enumerated values are chosen by name: the over-cap policy, the default standard among the county's own
    expect(defs.find((d: { key: string }) => d.key === 'wishes.overCapPolicy')).toMatchObject({
      type: 'enum',
      options: [
        { value: 'approval', label: '需中心审批' },
        { value: 'refuse', label: '直接退回' },
      ],
    });
    const standard = defs.find((d: { key: string }) => d.key === 'sites.defaultStandard');
    expect(standard.type).toBe('enum');
    expect(standard.options).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: 'six_haves', label: expect.stringContaining('六有') })]),
    );
    for (const d of defs as { description: string }[]) expect(d.description).not.toMatch(/[a-z]+_[a-z]+/);
  });

  it('the county admin changes a value; it is audited', async () => {
    const res = await t.as(PHONES.countyAdmin)({
      method: 'PUT',
      url: '/api/v1/settings',
      payload: { 'orders.acceptHours': 36, 'stars.thresholds': [50, 200, 500, 900, 1400] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()['orders.acceptHours']).toBe(36);
    expect(
      (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/settings' })).json()['orders.acceptHours'],
    ).toBe(36);
    const audit = (await t.as(PHONES.auditor)({ method: 'GET', url: '/api/v1/audit?action=setting.update' })).json();
    expect(audit.items[0].detail.changed['orders.acceptHours']).toEqual({ from: 48, to: 36 });
  });

  it('an enumerated setting takes only one of its choices: the default standard is one of the county’s', async () => {
    const put = (value: string) =>
      t.as(PHONES.countyAdmin)({ method: 'PUT', url: '/api/v1/settings', payload: { 'sites.defaultStandard': value } });
    const bad = await put('seven_haves');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      { path: 'sites.defaultStandard', message: expect.stringMatching(/^默认建设标准：请从 .*六有.* 中选择$/) },
    ]);
    const policy = await t.as(PHONES.countyAdmin)({
      method: 'PUT',
      url: '/api/v1/settings',
      payload: { 'wishes.overCapPolicy': 'maybe' },
    });
    expect(policy.statusCode).toBe(400);
    expect(policy.json().error.details[0].path).toBe('wishes.overCapPolicy');
    const defs = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/settings/definitions' })).json().items;
    const choices = defs.find((d: { key: string }) => d.key === 'sites.defaultStandard').options as { value: string }[];
    const other = choices.map((c) => c.value).find((v) => v !== 'six_haves')!;
    const ok = await put(other);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()['sites.defaultStandard']).toBe(other);
    expect((await put('six_haves')).statusCode).toBe(200);
  });

  it('rejects unknown keys and bad values, naming each, and changes nothing', async () => {
    const res = await t.as(PHONES.countyAdmin)({
      method: 'PUT',
      url: '/api/v1/settings',
      payload: { 'orders.acceptHours': 0, 'stars.thresholds': [5, 4, 3, 2, 1], 'no.such': 1, 'points.noticeDays': 7 },
    });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['orders.acceptHours', 'stars.thresholds', 'no.such']));
    expect(
      (await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/settings' })).json()['points.noticeDays'],
    ).toBe(5);
    const wrongType = await t.as(PHONES.countyAdmin)({
      method: 'PUT',
      url: '/api/v1/settings',
      payload: { 'orders.acceptHours': '36' },
    });
    expect(wrongType.statusCode).toBe(400);
    const notObject = await t.as(PHONES.countyAdmin)({ method: 'PUT', url: '/api/v1/settings', payload: [1, 2] });
    expect(notObject.statusCode).toBe(400);
  });

  it('only county admins and the sysadmin may change settings', async () => {
    expect(
      (await t.as(PHONES.xinjiAdmin)({ method: 'PUT', url: '/api/v1/settings', payload: { 'points.noticeDays': 6 } }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.as(PHONES.sysadmin)({ method: 'PUT', url: '/api/v1/settings', payload: { 'points.noticeDays': 6 } }))
        .statusCode,
    ).toBe(200);
    expect((await t.as(PHONES.resident)({ method: 'GET', url: '/api/v1/settings' })).statusCode).toBe(403);
  });
});
