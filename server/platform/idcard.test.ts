import { describe, expect, it } from 'vitest';
import { ageOn, parseIdNumber } from './idcard.js';

describe('GB 11643 ID numbers', () => {
  it.each(['11010519491231002X', '440524188001010014', '370101190102039973'])('accepts the test vector %s', (id) => {
    expect(parseIdNumber(id).ok).toBe(true);
  });

  it('fails when any single digit is altered', () => {
    for (const id of ['11010519491231002X', '440524188001010014', '370101190102039973']) {
      for (let i = 0; i < 17; i++) {
        const changed = id.slice(0, i) + ((Number(id[i]) + 1) % 10) + id.slice(i + 1);
        expect(parseIdNumber(changed).ok, changed).toBe(false);
      }
    }
  });

  it('derives birth date and sex', () => {
    const r = parseIdNumber('11010519491231002x');
    expect(r).toMatchObject({
      ok: true,
      value: '11010519491231002X',
      info: { birthDate: '1949-12-31', gender: 'female' },
    });
    expect(parseIdNumber('440524188001010014')).toMatchObject({ info: { birthDate: '1880-01-01', gender: 'male' } });
  });

  it('explains what is wrong', () => {
    expect(parseIdNumber('1234')).toMatchObject({ ok: false, reason: expect.stringContaining('18 位') });
    expect(parseIdNumber('110105194902301234')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('出生日期'),
    });
  });

  it('computes age on a day', () => {
    expect(ageOn('2012-06-02', new Date('2026-06-01T00:00:00Z'))).toBe(13);
    expect(ageOn('2012-06-01', new Date('2026-06-01T00:00:00Z'))).toBe(14);
  });
});
