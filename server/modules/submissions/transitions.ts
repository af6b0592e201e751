import type { submissions } from '../../db/schema/index.js';
import { defineMachine } from '../../platform/transitions.js';

export type SubmissionState = (typeof submissions.$inferSelect)['state'];

/**
 * Who the caller is to one monthly submission:
 * - `reviewer`: staff with submission:review whose scope holds it (whether their level receives it is the guard's);
 * - `submitter`: an admin of the station (village) or institute (town) that reported it.
 */
export type SubmissionParty = 'reviewer' | 'submitter';

/** What the guards look at, read with the submission. */
export type SubmissionContext = {
  /** The caller's level receives it: a town's institute its stations', the county center its institutes'. */
  received: boolean;
  level: 'station' | 'institute';
};

const receives = (c: SubmissionContext) =>
  c.received
    ? null
    : { forbidden: c.level === 'station' ? '实践站的报送由所在乡镇实践所审核' : '实践所的报送由县文明实践中心审核' };

/** 月度报送: submitted → accepted, or returned → (corrected, figures recomputed) submitted again. */
export const submissionMachine = defineMachine<SubmissionState, SubmissionParty, SubmissionContext>()({
  entity: 'submission',
  noun: '报送',
  states: { submitted: '待审核', accepted: '已通过', returned: '已退回' },
  transitions: {
    accept: { from: ['submitted'], to: 'accepted', who: ['reviewer'], label: '通过', guard: receives },
    return: { from: ['submitted'], to: 'returned', who: ['reviewer'], label: '退回', guard: receives },
    resubmit: { from: ['returned'], to: 'submitted', who: ['submitter'], label: '重新报送' },
  },
  events: { submit: '报送' },
});

export type SubmissionAction = keyof typeof submissionMachine.transitions;
