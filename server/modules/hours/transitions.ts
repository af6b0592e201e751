import type { hoursRequests } from '../../db/schema/index.js';
import { defineMachine } from '../../platform/transitions.js';

export type RequestStatus = (typeof hoursRequests.$inferSelect)['status'];

/**
 * Who the caller is to one hours request (a correction, or hours above the daily cap):
 * - `reviewer`: staff with hours:review whose scope holds the request's region (the activity's);
 * - `requester`: the volunteer the hours are for, or the staff member who asked on their behalf.
 */
export type RequestParty = 'reviewer' | 'requester';

/** What the guards look at, read with the request. */
export type RequestContext = {
  /** The hours are the caller's own. */
  own: boolean;
};

const notOwn = (c: RequestContext) => (c.own ? { forbidden: '不能审核自己的时长申请' } : null);

/** 时长申请: pending → approved (a ledger row is appended) or rejected. Nobody decides on their own hours. */
export const requestMachine = defineMachine<RequestStatus, RequestParty, RequestContext>()({
  entity: 'hours_request',
  audit: 'hours.request',
  noun: '时长申请',
  states: { pending: '待审核', approved: '已通过', rejected: '已驳回' },
  transitions: {
    approve: { from: ['pending'], to: 'approved', who: ['reviewer'], label: '审核通过', guard: notOwn },
    reject: { from: ['pending'], to: 'rejected', who: ['reviewer'], label: '驳回', guard: notOwn },
  },
  events: { create: '提交申请' },
});

export type RequestAction = keyof typeof requestMachine.transitions;
export const requestStatusLabels = requestMachine.states;
