import { describe, expect, it } from 'vitest';
import { activityOverdueLabels, shownActivityState } from '../../../web/common/labels.js';

/** What the apps show for an activity's state (web/common/labels.ts): the server's state, or 已结束/待结束 once over. */
describe('the state an activity shows', () => {
  const now = Date.parse('2026-06-01T10:00:00Z');
  const past = '2026-06-01T09:00:00Z';
  const ahead = '2026-06-01T12:00:00Z';

  it('an open activity past its end shows 已结束 to people and 待结束 to staff, whatever its open state', () => {
    for (const state of ['published', 'full', 'in_progress']) {
      expect(shownActivityState({ state, endAt: past }, false, now)).toBe('已结束');
      expect(shownActivityState({ state, endAt: past }, true, now)).toBe('待结束');
    }
    expect(activityOverdueLabels).toEqual({ public: '已结束', staff: '待结束' });
  });

  it('before its end, or once closed, it shows its own state', () => {
    expect(shownActivityState({ state: 'published', endAt: ahead }, false, now)).toBe('招募中');
    expect(shownActivityState({ state: 'in_progress', endAt: ahead }, true, now)).toBe('进行中');
    expect(shownActivityState({ state: 'ended', endAt: past }, true, now)).toBe('已结束');
    expect(shownActivityState({ state: 'cancelled', endAt: past }, false, now)).toBe('已取消');
    expect(shownActivityState({ state: 'archived', endAt: past }, true, now)).toBe('已归档');
  });
});
