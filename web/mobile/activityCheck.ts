import { ref } from 'vue';
import { activitiesApi, type Activity, type CheckResult } from './api/activities';
import messages from './locales/zh-CN';

const m = messages.checkin;

/** Thrown when the phone gives no position for an activity that checks the radius. */
export class LocationError extends Error {}

function locate(): Promise<{ lat: number; lng: number }> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new LocationError(m.locationDenied));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lat: pos.coords.latitude, lng: pos.coords.longitude }),
      (err) => reject(new LocationError(err.code === err.TIMEOUT ? m.locationTimeout : m.locationDenied)),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  });
}

export type CheckMode = 'in' | 'out' | 'done';

/** The caller takes part as a resident (报名参加) and has no volunteer sign-up: they check in only, no hours. */
export const asResident = (a: Activity | null | undefined): boolean => !!a?.myParticipation && !a.mySignup;

/** Check in when not yet in, check out when in and not out; 'done' once both are recorded (a resident: once in). */
export function checkMode(a: Activity | null | undefined): CheckMode {
  if (asResident(a)) return a?.myParticipation?.checkInAt ? 'done' : 'in';
  const s = a?.mySignup;
  if (s?.checkOutAt) return 'done';
  if (s?.checkInAt) return 'out';
  return 'in';
}

/**
 * Checks in or out with the code, asking the phone for its position first when the activity has a radius.
 * `locating` is true while waiting for the position.
 */
export function useCheckAction() {
  const locating = ref(false);
  const busy = ref(false);

  async function run(
    activity: Activity,
    code: string,
    method: 'code' | 'qr' = 'code',
  ): Promise<{ mode: 'in' | 'out'; result: CheckResult }> {
    const mode = checkMode(activity) === 'out' ? 'out' : 'in';
    busy.value = true;
    try {
      let where: { lat?: number; lng?: number } = {};
      if (activity.checkinRadiusM) {
        locating.value = true;
        try {
          where = await locate();
        } finally {
          locating.value = false;
        }
      }
      const body = { code, method, ...where };
      const result = asResident(activity)
        ? await activitiesApi.checkInPlace(activity.id, body)
        : mode === 'in'
          ? await activitiesApi.checkIn(activity.id, body)
          : await activitiesApi.checkOut(activity.id, body);
      return { mode, result };
    } finally {
      busy.value = false;
    }
  }

  return { locating, busy, run };
}
