import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { activities, activitySignups, hoursEntries } from '../../db/schema/index.js';

/**
 * Test helpers shared by the plans, ledgers and submissions tests: rows inserted directly, as the activities routes
 * would.
 */
export type Place = {
  county: string;
  town: string;
  townPath: string;
  village: string;
  villagePath: string;
  otherTown: string;
};

export async function demoPlaces(db: Db): Promise<Place> {
  const q = async (s: ReturnType<typeof sql>) => (await db.execute(s)).rows[0] as Record<string, string>;
  const st = await q(
    sql`select r.code, r.path, r.parent_code from users u join regions r on r.code = u.region_code
      where u.name = '王站长'`,
  );
  const town = await q(sql`select code, path, parent_code from regions where code = ${st.parent_code}`);
  const other = await q(
    sql`select r.code from users u join regions r on r.code = u.region_code where u.name = '周沙窝'`,
  );
  return {
    county: town.parent_code,
    town: town.code,
    townPath: town.path,
    village: st.code,
    villagePath: st.path,
    otherTown: other.code,
  };
}

export async function villageVolunteers(db: Db, path: string, n: number) {
  const rows = (
    await db.execute(
      sql`select id, volunteer_no, name from volunteers where region_path like ${path + '%'}
        order by volunteer_no limit ${n}`,
    )
  ).rows as { id: string; volunteer_no: string; name: string }[];
  return rows;
}

export async function insertActivity(
  db: Db,
  p: {
    regionCode: string;
    regionPath: string;
    county: string;
    title: string;
    startAt: string;
    endAt: string;
    type?: (typeof activities.$inferInsert)['type'];
    state?: (typeof activities.$inferInsert)['state'];
    planId?: string;
    quota?: number;
  },
) {
  const now = new Date(p.startAt);
  const [row] = await db
    .insert(activities)
    .values({
      countyCode: p.county,
      regionCode: p.regionCode,
      regionPath: p.regionPath,
      title: p.title,
      type: p.type ?? 'volunteer_service',
      theme: '测试主题',
      startAt: new Date(p.startAt),
      endAt: new Date(p.endAt),
      quota: p.quota ?? 20,
      address: '村委会广场',
      state: p.state ?? 'ended',
      code: '123456',
      beneficiaries: '留守老人',
      beneficiaryCount: 30,
      planId: p.planId ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row;
}

export async function insertAttendance(
  db: Db,
  a: { id: string; countyCode: string; regionPath: string; startAt: Date; endAt: Date },
  volunteerId: string,
  hours: number | null,
) {
  const [s] = await db
    .insert(activitySignups)
    .values({
      activityId: a.id,
      volunteerId,
      status: 'confirmed',
      source: 'self',
      signedUpAt: a.startAt,
      checkInAt: hours !== null ? a.startAt : null,
      checkOutAt: hours !== null ? a.endAt : null,
      checkInMethod: hours !== null ? 'code' : null,
      noShow: hours === null,
      createdAt: a.startAt,
      updatedAt: a.startAt,
    })
    .returning();
  await db.execute(sql`update activities set confirmed_count = confirmed_count + 1 where id = ${a.id}`);
  if (hours !== null) {
    await db.insert(hoursEntries).values({
      countyCode: a.countyCode,
      regionPath: a.regionPath,
      volunteerId,
      kind: 'attendance',
      hours: hours.toFixed(2),
      serviceDate: new Date(a.startAt.getTime() + 8 * 3600_000).toISOString().slice(0, 10),
      activityId: a.id,
      signupId: s.id,
      description: '活动签到签退',
      createdAt: a.endAt,
    });
  }
  return s;
}
