import type { SignupStatus } from '../../api/activities';

/** The statuses of a roster row, volunteers' sign-ups and residents' places alike, with their tag colours. */
export const rosterStatuses: SignupStatus[] = ['confirmed', 'waitlisted', 'cancelled'];
export const rosterStatusTag: Record<SignupStatus, 'success' | 'warning' | 'info'> = {
  confirmed: 'success',
  waitlisted: 'warning',
  cancelled: 'info',
};
