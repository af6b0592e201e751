import type { starApplications } from '../../db/schema/index.js';
import { defineMachine } from '../../platform/transitions.js';

export type StarState = (typeof starApplications.$inferSelect)['state'];

/**
 * Who the caller is to one star application:
 * - `reviewer`: staff with star:review whose scope holds the volunteer's region;
 * - `applicant`: the volunteer who applied;
 * - `public`: anyone signed in to the county while the application is on the public notice board (may object);
 * - `system`: the sweep that grants an application whose notice has ended.
 */
export type StarParty = 'reviewer' | 'applicant' | 'public' | 'system';

/** What the guards look at, read with the application. */
export type StarContext = {
  /** The caller is the volunteer who applied. */
  own: boolean;
};

/**
 * 星级认定: applied → (审核通过) notice → (公示期满, the sweep) granted; rejected from review or during the notice; an
 * objection during the notice sends it back to review. Nobody reviews or objects to their own application.
 */
export const starMachine = defineMachine<StarState, StarParty, StarContext>()({
  entity: 'star_application',
  audit: 'star',
  noun: '申请',
  states: {
    applied: '待审核',
    notice: '公示中',
    granted: '已授予',
    rejected: '未通过',
    withdrawn: '已撤回',
  },
  transitions: {
    approve: {
      from: ['applied'],
      to: 'notice',
      who: ['reviewer'],
      label: '审核通过',
      guard: (c) => (c.own ? { forbidden: '不能审核自己的星级申请' } : null),
    },
    reject: {
      from: ['applied', 'notice'],
      to: 'rejected',
      who: ['reviewer'],
      label: '驳回',
      guard: (c) => (c.own ? { forbidden: '不能审核自己的星级申请' } : null),
    },
    object: {
      from: ['notice'],
      to: 'applied',
      who: ['public', 'reviewer'],
      label: '提出异议',
      guard: (c) => (c.own ? { forbidden: '不能对自己的申请提出异议' } : null),
    },
    grant: { from: ['notice'], to: 'granted', who: ['system'], label: '授予' },
  },
  events: { apply: '申请' },
});

export type StarAction = keyof typeof starMachine.transitions;
export const starStateLabels = starMachine.states;
