import { and, asc, desc, eq, ilike, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { files, honorKinds, honors, households, regions, roleAssignments, volunteers } from '../../db/schema/index.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { systemActor, writeAudit, type Actor } from '../../platform/audit.js';
import {
  actionsFor,
  addEvent,
  assertAllowed,
  runTransition,
  timelineOf,
  type Notice,
  type RunTransition,
} from '../../platform/transitions.js';
import { escapeLike, inScope, regionInScope, type Scope } from '../../platform/scope.js';
import type { Permission } from '../../platform/permissions.js';
import { notify } from '../../platform/notify.js';
import { getSetting } from '../settings/service.js';
import { grantConsent, revokeConsents } from '../volunteers/service.js';
import {
  honorMachine,
  honorStates,
  noConsent,
  type HonorAction,
  type HonorContext,
  type HonorParty,
  type HonorState,
} from './transitions.js';
import { maskName } from '../stars/service.js';
import { chinaMinute as chinaTime } from '../../platform/clock.js';
import { offsetPage } from '../../platform/lists.js';
import { userNameSql } from '../accounts/sql.js';

export type HonorKind = (typeof honorKinds)[number];
export const honorKindLabels: Record<HonorKind, string> = {
  good_person: '身边好人',
  moral_model: '道德模范',
  good_deed: '善行义举',
  beautiful_family: '最美家庭',
  civilized_family: '文明家庭',
  safe_family: '平安家庭',
};
export { honorStates, type HonorState };
export const honorStateLabels: Readonly<Record<HonorState, string>> = honorMachine.states;
/** The consent recorded for a name and photo on the public honour board. */
export const HONOR_CONSENT = { purpose: 'public_board', version: 'honor-board-v1' } as const;

export type HonorCaller = {
  actor: Actor;
  userId: string;
  name: string;
  countyCode: string;
  scope: Scope;
  permissions: ReadonlySet<Permission>;
};

/** Staff see the honours of their regions; residents and volunteers (仅本人) see what they nominated. */
const honorScope = (scope: Scope) =>
  inScope(scope, { path: honors.regionPath, regionCode: honors.regionCode, owner: honors.nominatedBy });
const isStaff = (scope: Scope) => scope.all || scope.subtrees.length > 0 || scope.regions.length > 0;

export const chinaYear = (d: Date) => new Date(d.getTime() + 8 * 3600_000).getUTCFullYear();
const fileUrl = (id: string | null) => (id ? `/api/v1/files/${id}` : null);
export const publicPhotoUrl = (id: string) => `/api/v1/public/honors/${id}/photo`;

/** 新集镇 + 张湾村 → 新集镇张湾村: a village is named with its town, a town or the county by itself. */
const parentName = sql<
  string | null
>`(select p.name from regions p where p.code = ${regions.parentCode} and p.level = 'town')`;

const columns = {
  id: honors.id,
  countyCode: honors.countyCode,
  kind: honors.kind,
  nomineeName: honors.nomineeName,
  story: honors.story,
  regionCode: honors.regionCode,
  regionName: regions.name,
  townName: parentName,
  photoFileId: honors.photoFileId,
  consent: honors.consent,
  householdId: honors.householdId,
  volunteerId: honors.volunteerId,
  year: honors.year,
  state: honors.state,
  noticeStartAt: honors.noticeStartAt,
  noticeEndAt: honors.noticeEndAt,
  reviewComment: honors.reviewComment,
  revokeReason: honors.revokeReason,
  nominatedBy: honors.nominatedBy,
  nominatorName: userNameSql(honors.nominatedBy),
  publishedAt: honors.publishedAt,
  revokedAt: honors.revokedAt,
  createdAt: honors.createdAt,
  updatedAt: honors.updatedAt,
  objections: sql<number>`(select count(*)::int from workflow_events e
    where e.entity = 'honor' and e.entity_id = ${honors.id} and e.action = 'object')`,
};
type Row = {
  kind: HonorKind;
  state: HonorState;
  photoFileId: string | null;
  regionName: string;
  townName: string | null;
  noticeEndAt: Date | null;
  consent: boolean;
};
const fullRegion = (r: { regionName: string; townName: string | null }) => `${r.townName ?? ''}${r.regionName}`;

function present<T extends Row>(r: T, now: Date) {
  const noticeEnded = r.state === 'notice' && !!r.noticeEndAt && r.noticeEndAt <= now;
  return {
    ...r,
    kindName: honorKindLabels[r.kind],
    stateName: honorStateLabels[r.state],
    regionFullName: fullRegion(r),
    photoUrl: fileUrl(r.photoFileId),
    noticeEnded,
    awaitingConsent: noticeEnded && !r.consent,
  };
}

export type ListFilter = {
  kind?: HonorKind;
  state?: HonorState;
  regionCode?: string;
  year?: number;
  q?: string;
  page: number;
  pageSize: number;
};

export async function listHonors(db: DbOrTx, scope: Scope, now: Date, f: ListFilter) {
  const conds: SQL[] = [honorScope(scope)];
  if (f.kind) conds.push(eq(honors.kind, f.kind));
  if (f.state) conds.push(eq(honors.state, f.state));
  if (f.year) conds.push(eq(honors.year, f.year));
  if (f.q) conds.push(ilike(honors.nomineeName, `%${escapeLike(f.q)}%`));
  if (f.regionCode) {
    const [r] = await db.select({ path: regions.path }).from(regions).where(eq(regions.code, f.regionCode));
    if (!r) throw invalid('regionCode', '区划代码不存在');
    conds.push(sql`${honors.regionPath} like ${escapeLike(r.path) + '%'}`);
  }
  const where = and(...conds);
  const { rows, total } = await offsetPage(db, {
    from: honors,
    rows: () => db.select(columns).from(honors).innerJoin(regions, eq(regions.code, honors.regionCode)),
    where,
    order: [desc(honors.createdAt), desc(honors.id)],
    filter: f,
  });
  return { items: rows.map((r) => present(r, now)), total, page: f.page, pageSize: f.pageSize };
}

/**
 * The scoped loader of an honour: one query that finds it only if the caller may see it — staff with its region in
 * scope, the nominator (仅本人) — or, for an objection (`notice`), anyone of the county while it is under notice (the
 * notice is public). Out of sight = not found. Says who the caller is to it (parties) and what the guards look at.
 */
export async function findHonor(db: DbOrTx, c: HonorCaller, id: string, now: Date, opts: { notice?: boolean } = {}) {
  const regionSees = inScope(c.scope, { path: honors.regionPath, regionCode: honors.regionCode });
  const onNotice = opts.notice ? and(eq(honors.countyCode, c.countyCode), eq(honors.state, 'notice')) : sql`false`;
  const [row] = await db
    .select({ ...columns, regionPath: honors.regionPath, regionSees: sql<boolean>`${regionSees}` })
    .from(honors)
    .innerJoin(regions, eq(regions.code, honors.regionCode))
    .where(and(eq(honors.id, id), or(honorScope(c.scope), onNotice)));
  if (!row) throw notFound('荣誉推荐');
  const { regionPath, regionSees: sees, ...h } = row;
  const parties = new Set<HonorParty>();
  if (sees && c.permissions.has('honor:review')) parties.add('reviewer');
  if (h.countyCode === c.countyCode) parties.add('public');
  const ctx: HonorContext = { now, noticeEndAt: h.noticeEndAt, consent: h.consent, nomineeName: h.nomineeName };
  return { h, regionPath, parties, ctx };
}
type Found = Awaited<ReturnType<typeof findHonor>>;

const allowed = (f: Found, action: HonorAction) => assertAllowed(honorMachine, action, f.h.state, f.parties, f.ctx);
/** Recording or withdrawing the nominee's consent is not a state change: possible while the honour is live. */
const consentActions = (h: { state: HonorState; consent: boolean }): ('withdrawConsent' | 'recordConsent')[] =>
  h.state === 'rejected' || h.state === 'revoked' ? [] : [h.consent ? 'withdrawConsent' : 'recordConsent'];
/** The actions the caller may take on the honour now: what the detail answers and the web shows as buttons. */
const actionsOf = (f: Found) => [...actionsFor(honorMachine, f.h.state, f.parties, f.ctx), ...consentActions(f.h)];

export async function getHonor(db: DbOrTx, c: HonorCaller, now: Date, id: string) {
  const f = await findHonor(db, c, id, now);
  const events = await timelineOf(db, honorMachine, id);
  return {
    ...present(f.h, now),
    actions: actionsOf(f),
    events: events.map(({ data: _data, ...e }) => e),
  };
}

/** Those who review honours of a place: the institute of its town and the county center. */
async function reviewers(db: DbOrTx, regionPath: string) {
  const [county, town] = regionPath.split('/').filter(Boolean);
  const rows = await db
    .select({ userId: roleAssignments.userId, role: roleAssignments.roleCode, region: roleAssignments.regionCode })
    .from(roleAssignments)
    .where(
      and(
        inArray(roleAssignments.regionCode, [county, town].filter(Boolean) as string[]),
        inArray(roleAssignments.roleCode, ['county_admin', 'institute_admin']),
      ),
    );
  return rows.filter((r) => (r.role === 'county_admin' ? r.region === county : r.region === town)).map((r) => r.userId);
}

export type NominationInput = {
  kind: HonorKind;
  nomineeName: string;
  story: string;
  regionCode: string;
  consent: boolean;
  consentBy?: 'self' | 'staff_on_paper';
  photoFileId?: string | null;
  year?: number;
  householdId?: string | null;
  volunteerId?: string | null;
};

/**
 * The consent for the public board, kept in `consents` (the volunteers module's table) beside the flag on the honour.
 */
const recordConsent = (
  tx: DbOrTx,
  countyCode: string,
  honorId: string,
  grantedBy: 'self' | 'staff_on_paper',
  at: Date,
) => grantConsent(tx, { countyCode, subjectType: 'honor', subjectId: honorId, ...HONOR_CONSENT, grantedBy, at });
/** Staff register paper consent forms; anyone else records the nominee's own consent. */
function grantedByOf(c: HonorCaller, asked: 'self' | 'staff_on_paper' | undefined, field: string) {
  if (asked === 'staff_on_paper' && !isStaff(c.scope)) throw invalid(field, '只有工作人员可以登记纸质同意书');
  return asked ?? (isStaff(c.scope) ? ('staff_on_paper' as const) : ('self' as const));
}

/**
 * 推荐: staff for a region in their scope, residents and volunteers for any region of their county. The photo must
 * be an uploaded image of the county; a linked household or volunteer must be of the county too.
 */
export async function nominate(db: Db, c: HonorCaller, now: Date, b: NominationInput) {
  const [region] = await db.select().from(regions).where(eq(regions.code, b.regionCode));
  if (!region || region.countyCode !== c.countyCode) throw invalid('regionCode', '区划代码不存在或不属于本县');
  if (isStaff(c.scope) && !regionInScope(c.scope, region.path)) throw notFound('区划');
  const thisYear = chinaYear(now);
  const year = b.year ?? thisYear;
  if (year > thisYear) throw invalid('year', `评选年度不能晚于 ${thisYear} 年`);
  if (b.photoFileId) {
    const [f] = await db
      .select({ countyCode: files.countyCode, mime: files.mime })
      .from(files)
      .where(eq(files.id, b.photoFileId));
    if (!f || (f.countyCode && f.countyCode !== c.countyCode)) throw invalid('photoFileId', '照片不存在，请先上传照片');
    if (!f.mime.startsWith('image/')) throw invalid('photoFileId', '照片应为图片文件（JPEG/PNG/WebP）');
  }
  if (b.householdId) {
    const [h] = await db
      .select({ id: households.id })
      .from(households)
      .where(and(eq(households.id, b.householdId), eq(households.countyCode, c.countyCode)));
    if (!h) throw invalid('householdId', '户不存在或不属于本县');
  }
  if (b.volunteerId) {
    const [v] = await db
      .select({ id: volunteers.id })
      .from(volunteers)
      .where(and(eq(volunteers.id, b.volunteerId), eq(volunteers.countyCode, c.countyCode)));
    if (!v) throw invalid('volunteerId', '志愿者不存在或不属于本县');
  }
  const grantedBy = grantedByOf(c, b.consentBy, 'consentBy');
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(honors)
      .values({
        countyCode: c.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        kind: b.kind,
        nomineeName: b.nomineeName,
        story: b.story,
        photoFileId: b.photoFileId ?? null,
        consent: b.consent,
        householdId: b.householdId ?? null,
        volunteerId: b.volunteerId ?? null,
        year,
        state: 'nominated',
        nominatedBy: c.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (b.consent) await recordConsent(tx, c.countyCode, row.id, grantedBy, now);
    await addEvent(tx, {
      entity: 'honor',
      entityId: row.id,
      action: 'nominate',
      from: null,
      to: 'nominated',
      actor: c.actor,
      note: b.consent ? '已同意公开姓名和照片' : '未同意公开姓名和照片',
      at: now,
    });
    await notify(tx, {
      countyCode: c.countyCode,
      userIds: (await reviewers(tx, region.path)).filter((u) => u !== c.userId),
      kind: 'honor.nominated',
      title: `新的${honorKindLabels[b.kind]}推荐`,
      body: `${c.name}推荐${region.name}的${b.nomineeName}为${year}年度${honorKindLabels[b.kind]}，请审核`,
      entity: 'honor',
      entityId: row.id,
      now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: c.countyCode },
      {
        action: 'honor.nominate',
        entity: 'honor',
        entityId: row.id,
        after: row,
        detail: b.consent ? { consent: grantedBy } : undefined,
      },
    );
    return row;
  });
}

const label = (h: Pick<Honor, 'year' | 'kind' | 'nomineeName'>) =>
  `${h.year}年度${honorKindLabels[h.kind]}「${h.nomineeName}」`;
type Honor = typeof honors.$inferSelect;

/** One transition of the machine, run by the platform helper in one transaction. */
function step(
  db: Db,
  actor: Actor,
  now: Date,
  record: { id: string; countyCode: string; state: HonorState },
  action: HonorAction,
  t: Pick<RunTransition<typeof honors, HonorState, HonorParty, HonorAction, HonorContext>, 'set' | 'where' | 'note'> & {
    tell: (tx: DbOrTx) => Promise<Notice> | Notice;
  },
) {
  return db.transaction((tx) =>
    runTransition(tx, {
      machine: honorMachine,
      table: honors,
      record,
      action,
      actor,
      now,
      set: { ...t.set, updatedAt: now },
      where: t.where,
      note: t.note,
      lost: '该荣誉推荐已被他人处理，请刷新后重试',
      tell: (tx) => t.tell(tx),
    }),
  );
}

/** 审核通过: the public notice runs `honors.noticeDays` days from now. */
export async function approveHonor(db: Db, c: HonorCaller, now: Date, id: string, comment?: string) {
  const f = await findHonor(db, c, id, now);
  allowed(f, 'approve');
  const { h } = f;
  const days = await getSetting<number>(db, h.countyCode, 'honors.noticeDays');
  const end = new Date(now.getTime() + days * 86400_000);
  return step(db, c.actor, now, f.h, 'approve', {
    note: comment?.trim() || `公示 ${days} 天，至 ${chinaTime(end)}`,
    set: { noticeStartAt: now, noticeEndAt: end, reviewComment: comment?.trim() || h.reviewComment },
    tell: () => ({
      userIds: [h.nominatedBy],
      title: '荣誉推荐已通过审核',
      body: `您推荐的${label(h)}已通过审核，公示至 ${chinaTime(end)}，公示期满无异议后上榜`,
    }),
  });
}

export async function rejectHonor(db: Db, c: HonorCaller, now: Date, id: string, reason: string) {
  const f = await findHonor(db, c, id, now);
  allowed(f, 'reject');
  const { h } = f;
  return step(db, c.actor, now, f.h, 'reject', {
    note: reason,
    set: { reviewComment: reason, noticeStartAt: null, noticeEndAt: null },
    tell: () => ({
      userIds: [h.nominatedBy],
      title: '荣誉推荐未通过',
      body: `您推荐的${label(h)}未通过审核：${reason}`,
    }),
  });
}

/**
 * 异议: anyone signed in to the county, during the notice; the nomination goes back to review with the objection on its
 * timeline.
 */
export async function objectToHonor(db: Db, c: HonorCaller, now: Date, id: string, reason: string) {
  const f = await findHonor(db, c, id, now, { notice: true });
  allowed(f, 'object');
  const { h } = f;
  return step(db, c.actor, now, f.h, 'object', {
    note: reason,
    set: { noticeStartAt: null, noticeEndAt: null },
    tell: async (tx) => ({
      userIds: [...(await reviewers(tx, f.regionPath)), h.nominatedBy],
      title: '荣誉公示收到异议',
      body: `${label(h)}公示收到异议：${reason}。已退回待审核`,
    }),
  });
}

/** 发布上榜: only after the notice has ended, and only with the nominee's consent to a public name and photo. */
export async function publishHonor(db: Db, c: HonorCaller, now: Date, id: string) {
  const f = await findHonor(db, c, id, now);
  try {
    allowed(f, 'publish');
  } catch (e) {
    if (e instanceof AppError && e.message === noConsent(f.h.nomineeName))
      throw new AppError(e.code, e.message, [{ path: 'consent', message: '未取得本人同意' }]);
    throw e;
  }
  const { h } = f;
  return step(db, c.actor, now, f.h, 'publish', {
    set: { publishedAt: now },
    where: and(eq(honors.consent, true), lte(honors.noticeEndAt, now)),
    tell: () => ({
      userIds: [h.nominatedBy],
      title: '荣誉已上榜',
      body: `您推荐的${label(h)}公示期满，已发布到荣誉榜`,
    }),
  });
}

/** 撤销: a published honour leaves the board at once; the reason stays on the timeline. */
export async function revokeHonor(db: Db, c: HonorCaller, now: Date, id: string, reason: string) {
  const f = await findHonor(db, c, id, now);
  allowed(f, 'revoke');
  const { h } = f;
  return step(db, c.actor, now, f.h, 'revoke', {
    note: reason,
    set: { revokeReason: reason, revokedAt: now },
    tell: () => ({ userIds: [h.nominatedBy], title: '荣誉已撤销', body: `${label(h)}已撤销：${reason}` }),
  });
}

/**
 * Records (or withdraws) the nominee's consent to a public name and photo. Withdrawing takes a published honour off
 * the board at once (the board shows consented entries only); the consents row is revoked, never deleted.
 */
export async function setConsent(
  db: Db,
  c: HonorCaller,
  now: Date,
  id: string,
  b: { consent: boolean; grantedBy?: 'self' | 'staff_on_paper'; note?: string },
) {
  const { h } = await findHonor(db, c, id, now);
  if (!consentActions(h).length)
    throw new AppError('INVALID_TRANSITION', `该推荐${honorStateLabels[h.state]}，不能变更公开同意`);
  if (h.consent === b.consent)
    throw new AppError('INVALID_TRANSITION', b.consent ? '已登记本人同意，无需重复登记' : '本人尚未同意公开，无需撤回');
  const grantedBy = grantedByOf(c, b.grantedBy, 'grantedBy');
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(honors)
      .set({ consent: b.consent, updatedAt: now })
      .where(and(eq(honors.id, h.id), eq(honors.consent, h.consent)))
      .returning();
    if (!row) throw new AppError('INVALID_TRANSITION', '该荣誉推荐已被他人处理，请刷新后重试');
    if (b.consent) await recordConsent(tx, h.countyCode, h.id, grantedBy, now);
    else await revokeConsents(tx, { subjectType: 'honor', subjectId: h.id, purpose: HONOR_CONSENT.purpose, at: now });
    const action = b.consent ? 'consent' : 'consent_withdrawn';
    const note =
      b.note?.trim() ||
      (b.consent ? (grantedBy === 'self' ? '本人同意' : '工作人员登记纸质同意书') : '本人撤回同意，姓名和照片不再公开');
    await addEvent(tx, {
      entity: 'honor',
      entityId: h.id,
      action,
      from: h.state,
      to: h.state,
      actor: c.actor,
      note,
      at: now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: h.countyCode },
      {
        action: `honor.${action}`,
        entity: 'honor',
        entityId: h.id,
        before: { consent: h.consent },
        after: { consent: b.consent },
        detail: b.consent ? { grantedBy } : undefined,
      },
    );
    return row;
  });
}

/**
 * The sweep: consented honours whose notice ended without objection are published; those without consent wait for it.
 */
export async function publishDueHonors(db: Db, now: Date) {
  const due = await db
    .select({
      id: honors.id,
      countyCode: honors.countyCode,
      state: honors.state,
      year: honors.year,
      kind: honors.kind,
      nomineeName: honors.nomineeName,
      nominatedBy: honors.nominatedBy,
    })
    .from(honors)
    .where(and(eq(honors.state, 'notice'), eq(honors.consent, true), lte(honors.noticeEndAt, now)))
    .orderBy(asc(honors.noticeEndAt))
    .limit(500);
  const actor = systemActor('荣誉公示');
  let published = 0;
  for (const h of due) {
    const done = await step(db, actor, now, h, 'auto_publish', {
      set: { publishedAt: now },
      where: and(eq(honors.consent, true), lte(honors.noticeEndAt, now)),
      tell: () => ({
        userIds: [h.nominatedBy],
        kind: 'honor.auto_publish',
        title: '荣誉已上榜',
        body: `您推荐的${label(h)}公示期满无异议，已发布到荣誉榜`,
      }),
    }).then(
      () => true,
      (e) => {
        if (e instanceof AppError && e.code === 'INVALID_TRANSITION') return false; // someone else moved it meanwhile
        throw e;
      },
    );
    if (done) published++;
  }
  return { published };
}

/** The board: published honours whose nominee consented; nothing about anyone else is ever returned. */
export async function publicBoard(
  db: DbOrTx,
  countyCode: string,
  f: { kind?: HonorKind; year?: number; regionCode?: string; page: number; pageSize: number },
) {
  const conds: SQL[] = [eq(honors.countyCode, countyCode), eq(honors.state, 'published'), eq(honors.consent, true)];
  if (f.kind) conds.push(eq(honors.kind, f.kind));
  if (f.year) conds.push(eq(honors.year, f.year));
  if (f.regionCode) {
    const [r] = await db.select({ path: regions.path }).from(regions).where(eq(regions.code, f.regionCode));
    if (!r) throw invalid('regionCode', '区划代码不存在');
    conds.push(sql`${honors.regionPath} like ${escapeLike(r.path) + '%'}`);
  }
  const where = and(...conds);
  const { rows, total } = await offsetPage(db, {
    from: honors,
    rows: () =>
      db
        .select({
          id: honors.id,
          kind: honors.kind,
          name: honors.nomineeName,
          story: honors.story,
          photoFileId: honors.photoFileId,
          regionName: regions.name,
          townName: parentName,
          year: honors.year,
          publishedAt: honors.publishedAt,
        })
        .from(honors)
        .innerJoin(regions, eq(regions.code, honors.regionCode)),
    where,
    order: [desc(honors.year), desc(honors.publishedAt), asc(honors.id)],
    filter: f,
  });
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      kindName: honorKindLabels[r.kind],
      name: r.name,
      story: r.story,
      photoUrl: r.photoFileId ? publicPhotoUrl(r.id) : null,
      regionName: fullRegion(r),
      year: r.year,
      publishedAt: r.publishedAt,
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** 王建国 → 王*国; a family keeps its suffix: 王建国家庭 → 王*国家庭. */
export function maskHonorName(name: string) {
  const m = /^(.+?)(家庭|一家|家)$/.exec(name.trim());
  return m && [...m[1]].length >= 2 ? `${maskName(m[1])}${m[2]}` : maskName(name);
}
/** The story of an unconsented nominee names them neither in full nor by the family head's name. */
function maskInStory(story: string, name: string) {
  const base = /^(.+?)(家庭|一家|家)$/.exec(name.trim())?.[1];
  let out = story.split(name).join(maskHonorName(name));
  if (base && [...base].length >= 2) out = out.split(base).join(maskName(base));
  return out;
}

/**
 * Honours under notice, for anyone to object to: without consent the name is masked (in the story too) and no photo is
 * shown.
 */
export async function publicHonorNotices(
  db: DbOrTx,
  countyCode: string,
  f: { kind?: HonorKind; page: number; pageSize: number },
) {
  const conds: SQL[] = [eq(honors.countyCode, countyCode), eq(honors.state, 'notice')];
  if (f.kind) conds.push(eq(honors.kind, f.kind));
  const where = and(...conds);
  const { rows, total } = await offsetPage(db, {
    from: honors,
    rows: () =>
      db
        .select({
          id: honors.id,
          kind: honors.kind,
          name: honors.nomineeName,
          story: honors.story,
          consent: honors.consent,
          regionName: regions.name,
          townName: parentName,
          year: honors.year,
          noticeStartAt: honors.noticeStartAt,
          noticeEndAt: honors.noticeEndAt,
        })
        .from(honors)
        .innerJoin(regions, eq(regions.code, honors.regionCode)),
    where,
    order: [desc(honors.noticeStartAt), asc(honors.id)],
    filter: f,
  });
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      kindName: honorKindLabels[r.kind],
      name: r.consent ? r.name : maskHonorName(r.name),
      story: r.consent ? r.story : maskInStory(r.story, r.name),
      regionName: fullRegion(r),
      year: r.year,
      noticeStartAt: r.noticeStartAt,
      noticeEndAt: r.noticeEndAt,
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** The photo of a published, consented honour: the only honour data a stranger can fetch as a file. */
export async function publicPhoto(db: DbOrTx, id: string) {
  const [row] = await db
    .select({ storageKey: files.storageKey, mime: files.mime })
    .from(honors)
    .innerJoin(files, eq(files.id, honors.photoFileId))
    .where(and(eq(honors.id, id), eq(honors.state, 'published'), eq(honors.consent, true)));
  if (!row || !row.mime.startsWith('image/')) throw new AppError('NOT_FOUND', '照片不存在或未公开');
  return row;
}
