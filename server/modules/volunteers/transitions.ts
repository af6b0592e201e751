import { defineMachine } from '../../platform/transitions.js';

/** A volunteer's real-name verification: registered (the ID number passed its checksum) → verified in person. */
export type VolunteerState = 'registered' | 'verified';
/** Who the caller is to one volunteer: `verifier` (volunteer:verify, the volunteer's place in scope). */
export type VolunteerParty = 'verifier';
/** What the guard looks at: whether the volunteer is the caller. */
export type VolunteerContext = { self: boolean };

/**
 * 实名核验 as data. The state is kept in the `verified` column (`stored` of runTransition), which every list, filter
 * and statistic reads; the machine only names it.
 */
export const volunteerMachine = defineMachine<VolunteerState, VolunteerParty, VolunteerContext>()({
  entity: 'volunteer',
  noun: '志愿者',
  states: { registered: '未实名核验', verified: '已实名核验' },
  transitions: {
    verify: {
      from: ['registered'],
      to: 'verified',
      who: ['verifier'],
      label: '实名核验',
      guard: (c) => (c.self ? { forbidden: '不能核验本人的志愿者信息，请由其他工作人员核验' } : null),
    },
  },
});

export type VolunteerAction = keyof typeof volunteerMachine.transitions;
/** The `verified` column's value of each state. */
export const storedState = { registered: false, verified: true } as const;
export const stateOf = (verified: boolean): VolunteerState => (verified ? 'verified' : 'registered');
