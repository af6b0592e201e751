import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { actionsFor, assertAllowed, defineMachine, eventName, machineMeta } from './transitions.js';

type S = 'draft' | 'open' | 'closed';
type P = 'owner' | 'staff';
const m = defineMachine<S, P, { late: boolean; locked: boolean }>()({
  entity: 'wish',
  noun: '事项',
  states: { draft: '草稿', open: '进行中', closed: '已关闭' },
  transitions: {
    open: { from: ['draft'], to: 'open', who: ['owner'], label: '开启', guard: (c) => (c.late ? '已过期限' : null) },
    close: {
      from: ['open'],
      to: 'closed',
      who: ['owner', 'staff'],
      label: '关闭',
      guard: (c) => (c.locked ? { forbidden: '仅县级可关闭' } : null),
    },
  },
  events: { note: '备注' },
});
const ctx = { late: false, locked: false };
const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected an error');
};

describe('state machines as data', () => {
  it('offers the actions allowed by state, party and guard, in the declared order', () => {
    expect(actionsFor(m, 'draft', new Set<P>(['owner']), ctx)).toEqual(['open']);
    expect(actionsFor(m, 'draft', new Set<P>(['staff']), ctx)).toEqual([]);
    expect(actionsFor(m, 'draft', new Set<P>(['owner']), { ...ctx, late: true })).toEqual([]);
    expect(actionsFor(m, 'open', new Set<P>(['staff']), ctx)).toEqual(['close']);
    expect(actionsFor(m, 'open', new Set<P>(['staff']), { ...ctx, locked: true })).toEqual([]);
    expect(actionsFor(m, 'closed', new Set<P>(['owner', 'staff']), ctx)).toEqual([]);
  });

  it('refuses with 403 to a non-party, 409 naming the state, the guard’s reason or 403 from a guard', () => {
    const notParty = err(() => assertAllowed(m, 'open', 'draft', new Set<P>(['staff']), ctx));
    expect([notParty.status, notParty.message]).toEqual([403, '您不能开启该事项']);
    const wrongState = err(() => assertAllowed(m, 'open', 'closed', new Set<P>(['owner']), ctx));
    expect([wrongState.status, wrongState.code, wrongState.message]).toEqual([
      409,
      'INVALID_TRANSITION',
      '该事项已关闭，不能开启',
    ]);
    const late = err(() => assertAllowed(m, 'open', 'draft', new Set<P>(['owner']), { ...ctx, late: true }));
    expect([late.status, late.message]).toEqual([409, '已过期限']);
    const locked = err(() => assertAllowed(m, 'close', 'open', new Set<P>(['staff']), { ...ctx, locked: true }));
    expect([locked.status, locked.message]).toEqual([403, '仅县级可关闭']);
    expect(assertAllowed(m, 'close', 'open', new Set<P>(['staff']), ctx).to).toBe('closed');
  });

  it('names events and describes itself for the web', () => {
    expect([eventName(m, 'open'), eventName(m, 'note'), eventName(m, 'other')]).toEqual(['开启', '备注', 'other']);
    expect(machineMeta(m)).toEqual({
      states: [
        { value: 'draft', label: '草稿' },
        { value: 'open', label: '进行中' },
        { value: 'closed', label: '已关闭' },
      ],
      actions: [
        { value: 'open', label: '开启' },
        { value: 'close', label: '关闭' },
      ],
    });
  });
});
