import type { certificates } from '../../db/schema/index.js';
import { defineMachine } from '../../platform/transitions.js';

export type CertificateState = (typeof certificates.$inferSelect)['state'];

/**
 * Who the caller is to one certificate: `issuer` (staff with certificate:issue whose scope holds the volunteer's place)
 * or `holder` (its volunteer, who reads and downloads it).
 */
export type CertificateParty = 'issuer' | 'holder';

/** 志愿服务证明: issued valid; revoked with a reason (the row stays, verification answers `valid: false`). */
export const certificateMachine = defineMachine<CertificateState, CertificateParty>()({
  entity: 'certificate',
  noun: '证明',
  states: { valid: '有效', revoked: '已作废' },
  transitions: {
    revoke: { from: ['valid'], to: 'revoked', who: ['issuer'], label: '作废' },
  },
  events: { issue: '开具' },
});

export type CertificateAction = keyof typeof certificateMachine.transitions;
