import { and, asc, eq, ilike, isNull, or, sql, type SQL } from 'drizzle-orm';
import { createRequire } from 'node:module';
import type { pinyin as PinyinFn } from 'pinyin-pro';
import type { Db, DbOrTx } from '../../db/client.js';
import { reserveNumbers } from '../../platform/counters.js';
import { consents, regions, teamMembers, teams, users, volunteers } from '../../db/schema/index.js';
import { AppError, duplicate, forbidden, notFound, type ErrorDetail } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { clearAuthCache } from '../../platform/auth.js';
import { escapeLike, inScope, regionInScope, type Scope } from '../../platform/scope.js';
import {
  keysetPage,
  type Built,
  type ListAnswer,
  type ListDef,
  type Lists,
  type SortKey,
} from '../../platform/lists.js';
import { maskIdNumber, maskPhone, type Crypto } from '../../platform/crypto.js';
import { ageOn, parseIdNumber } from '../../platform/idcard.js';
import { requireRegion } from '../regions/service.js';
import { grantVolunteerRole } from '../accounts/service.js';

import { PHONE_RE } from '../../platform/validation.js';
import { actionsFor, assertAllowed, runTransition } from '../../platform/transitions.js';
import { stateOf, storedState, volunteerMachine, type VolunteerParty } from './transitions.js';

export const standingCategories = {
  theory: '理论政策宣讲',
  culture: '文化文艺服务',
  education: '助学支教',
  health: '医疗健身',
  science: '科学普及',
  law: '法律服务',
  environment: '卫生环保',
  poverty: '扶贫帮困',
} as const;
export const politicalStatuses = ['中共党员', '中共预备党员', '共青团员', '民主党派', '群众'] as const;

/** The consent texts people agree to; a new version means asking again. */
export const consentPurposes = {
  registration: {
    version: '2026.1',
    text: '同意平台为志愿服务登记、时长记录与证明出具处理本人姓名、身份证号、手机号等个人信息',
  },
  public_boards: { version: '2026.1', text: '同意在光荣榜、心愿墙等公开页面展示本人姓名与照片' },
} as const;
export type ConsentPurpose = keyof typeof consentPurposes;

/**
 * The scope as a WHERE fragment. A subtree is also said with the county column (the first step of every region path
 * is its county), because county_code leads the search indexes: with `region_path LIKE` alone PostgreSQL can only
 * scan those indexes whole, or read every volunteer of the county through the path index and filter.
 */
export const volunteerScope = (scope: Scope): SQL => {
  if (scope.all || !scope.subtrees.length)
    return inScope(scope, { path: volunteers.regionPath, regionCode: volunteers.regionCode, owner: volunteers.userId });
  const parts: SQL[] = scope.subtrees.map((p) => {
    const county = p.split('/').filter(Boolean)[0] ?? '';
    return p === `/${county}/`
      ? sql`${volunteers.countyCode} = ${county}`
      : sql`(${volunteers.countyCode} = ${county} and ${volunteers.regionPath} like ${escapeLike(p) + '%'})`;
  });
  if (scope.regions.length || scope.self)
    parts.push(
      inScope(
        { ...scope, subtrees: [] },
        { path: volunteers.regionPath, regionCode: volunteers.regionCode, owner: volunteers.userId },
      ),
    );
  return parts.length === 1 ? parts[0] : sql`(${sql.join(parts, sql` or `)})`;
};

// the pinyin dictionary is ~40 MB in memory: loaded when the first name is converted, not at start
const requireCjs = createRequire(import.meta.url);
let pinyinFn: typeof PinyinFn | undefined;
const pinyin: typeof PinyinFn = ((...args: Parameters<typeof PinyinFn>) =>
  (pinyinFn ??= (requireCjs('pinyin-pro') as { pinyin: typeof PinyinFn }).pinyin)(...args)) as typeof PinyinFn;

export function nameKeys(name: string) {
  const syllables = pinyin(name, {
    toneType: 'none',
    type: 'array',
    surname: 'head',
    nonZh: 'consecutive',
    v: true,
  }) as string[];
  const clean = syllables.map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, ''));
  return { namePinyin: clean.join(''), nameInitials: clean.map((s) => s[0] ?? '').join('') };
}

export type VolunteerInput = {
  name: string;
  idNumber: string;
  phone?: string | null;
  regionCode: string;
  skills?: string[];
  categories?: string[];
  availability?: string;
  serviceArea?: string;
  politicalStatus?: string;
  education?: string;
  occupation?: string;
  guardianName?: string | null;
  guardianPhone?: string | null;
  guardianRelation?: string | null;
  guardianConsent?: boolean;
  consentToRegistration?: boolean;
};

/** Field-level checks shared by the form, the API and the Excel import. Returns the problems, never throws. */
export function checkVolunteer(input: VolunteerInput, now: Date, knownCategories: ReadonlySet<string>) {
  const problems: ErrorDetail[] = [];
  const id = parseIdNumber(input.idNumber ?? '', now);
  if (!input.name?.trim()) problems.push({ path: 'name', message: '姓名不能为空' });
  else if (!/^[\u4e00-\u9fa5·•A-Za-z ]{2,30}$/.test(input.name.trim()))
    problems.push({ path: 'name', message: '姓名应为 2–30 个汉字或字母' });
  if (!id.ok) problems.push({ path: 'idNumber', message: id.reason });
  if (input.phone && !PHONE_RE.test(input.phone))
    problems.push({ path: 'phone', message: '手机号应为 11 位中国大陆手机号' });
  for (const [i, c] of (input.categories ?? []).entries())
    if (!knownCategories.has(c)) problems.push({ path: `categories.${i}`, message: `未知的服务类别：${c}` });
  if (input.politicalStatus && !(politicalStatuses as readonly string[]).includes(input.politicalStatus))
    problems.push({ path: 'politicalStatus', message: `政治面貌应为 ${politicalStatuses.join('、')} 之一` });
  let age: number | null = null;
  if (id.ok) {
    age = ageOn(id.info.birthDate, now);
    if (age < 18) {
      if (!input.guardianName?.trim()) problems.push({ path: 'guardianName', message: '未满 18 周岁需登记监护人姓名' });
      if (!input.guardianPhone || !PHONE_RE.test(input.guardianPhone))
        problems.push({ path: 'guardianPhone', message: '未满 18 周岁需登记监护人手机号' });
    }
    if (age < 14 && input.guardianConsent !== true)
      problems.push({ path: 'guardianConsent', message: '未满 14 周岁需监护人同意' });
  }
  return { problems, id: id.ok ? id : null, age };
}

export async function knownCategories(db: DbOrTx, countyCode: string): Promise<Set<string>> {
  const custom = await db.execute(sql`select code from team_categories where county_code = ${countyCode}`);
  return new Set([...Object.keys(standingCategories), ...(custom.rows as { code: string }[]).map((r) => r.code)]);
}

/** Reserves n volunteer numbers for a county: ZY + county code + 6-digit sequence. */
export async function nextVolunteerNumbers(tx: DbOrTx, countyCode: string, n: number): Promise<string[]> {
  const first = await reserveNumbers(tx, countyCode, 'volunteer_no', n);
  return Array.from({ length: n }, (_, i) => `ZY${countyCode}${String(first + i).padStart(6, '0')}`);
}

/** The encrypted, hashed and masked columns for a person's ID number and phone. */
export function protectedColumns(
  crypto: Crypto,
  idNumber: string,
  phone?: string | null,
  guardianPhone?: string | null,
) {
  return {
    idHash: crypto.lookupHash('id', idNumber),
    idEnc: crypto.encrypt(idNumber),
    idMasked: maskIdNumber(idNumber),
    phoneHash: phone ? crypto.lookupHash('phone', phone) : null,
    phoneEnc: phone ? crypto.encrypt(phone) : null,
    phoneMasked: phone ? maskPhone(phone) : null,
    guardianPhoneEnc: guardianPhone ? crypto.encrypt(guardianPhone) : null,
    guardianPhoneMasked: guardianPhone ? maskPhone(guardianPhone) : null,
  };
}

type RegisterOpts = { source: 'self' | 'staff'; userId?: string | null; verified: boolean; countyCode?: string };

export async function registerVolunteer(
  db: Db,
  crypto: Crypto,
  actor: Actor,
  /** Staff registration: the staff's scope; self-registration: systemScope (the county is checked instead). */
  scope: Scope,
  now: Date,
  input: VolunteerInput,
  opts: RegisterOpts,
) {
  const region = await requireRegion(db, input.regionCode);
  if (!regionInScope(scope, region.path)) throw notFound('区划');
  if (opts.countyCode && region.countyCode !== opts.countyCode)
    throw new AppError('VALIDATION_FAILED', '只能登记本县的村（社区）', [{ path: 'regionCode', message: '不在本县' }]);
  const { problems, id, age } = checkVolunteer(input, now, await knownCategories(db, region.countyCode));
  if (opts.source === 'self' && input.consentToRegistration !== true)
    problems.push({ path: 'consentToRegistration', message: '请阅读并同意个人信息处理说明' });
  if (problems.length || !id) throw new AppError('VALIDATION_FAILED', `${problems[0].message}`, problems);
  const idNumber = id.value;
  const p = protectedColumns(crypto, idNumber, input.phone, input.guardianPhone);
  return db
    .transaction(async (tx) => {
      const [exists] = await tx
        .select({ id: volunteers.id })
        .from(volunteers)
        .where(and(eq(volunteers.countyCode, region.countyCode), eq(volunteers.idHash, p.idHash)));
      if (exists) throw duplicate('该身份证号已登记为志愿者', 'idNumber');
      if (opts.userId) {
        const [mine] = await tx
          .select({ id: volunteers.id })
          .from(volunteers)
          .where(eq(volunteers.userId, opts.userId));
        if (mine)
          throw new AppError('DUPLICATE', '您已经注册过志愿者', [{ path: '(account)', message: '您已经注册过志愿者' }]);
      }
      const [no] = await nextVolunteerNumbers(tx, region.countyCode, 1);
      const [row] = await tx
        .insert(volunteers)
        .values({
          countyCode: region.countyCode,
          regionCode: region.code,
          regionPath: region.path,
          userId: opts.userId ?? null,
          volunteerNo: no,
          name: input.name.trim(),
          ...nameKeys(input.name.trim()),
          gender: id.info.gender,
          birthDate: id.info.birthDate,
          ...p,
          verified: opts.verified,
          verifiedAt: opts.verified ? now : null,
          skills: input.skills ?? [],
          categories: input.categories ?? [],
          availability: input.availability ?? '',
          serviceArea: input.serviceArea ?? '',
          politicalStatus: input.politicalStatus ?? '',
          education: input.education ?? '',
          occupation: input.occupation ?? '',
          guardianName: age !== null && age < 18 ? (input.guardianName?.trim() ?? null) : null,
          guardianRelation: age !== null && age < 18 ? (input.guardianRelation ?? null) : null,
          source: opts.source,
          createdBy: actor.userId,
        })
        .returning();
      const minor = age !== null && age < 14;
      await recordConsent(
        tx,
        row.countyCode,
        row.id,
        'registration',
        minor ? 'guardian' : opts.source === 'self' ? 'self' : 'staff_on_paper',
        now,
        minor ? row.guardianName : null,
      );
      if (opts.userId) {
        await grantVolunteerRole(tx, opts.userId, region.code);
      }
      await writeAudit(
        tx,
        { ...actor, countyCode: row.countyCode },
        {
          action: 'volunteer.create',
          entity: 'volunteer',
          entityId: row.id,
          after: present(row),
          detail: { source: opts.source },
        },
      );
      return { ...row, regionName: region.name };
    })
    .finally(clearAuthCache);
}

/** A consent of any subject (a volunteer, an honour's nominee …): the consents table is kept by this module. */
export async function grantConsent(
  tx: DbOrTx,
  c: {
    countyCode: string;
    subjectType: string;
    subjectId: string;
    purpose: string;
    version: string;
    grantedBy: 'self' | 'guardian' | 'staff_on_paper';
    at: Date;
  },
) {
  await tx.insert(consents).values(c);
}

/** Withdraws a subject's live consents for a purpose: the rows are marked revoked, never deleted. */
export async function revokeConsents(
  tx: DbOrTx,
  c: { subjectType: string; subjectId: string; purpose: string; at: Date },
) {
  await tx
    .update(consents)
    .set({ revokedAt: c.at })
    .where(
      and(
        eq(consents.subjectType, c.subjectType),
        eq(consents.subjectId, c.subjectId),
        eq(consents.purpose, c.purpose),
        isNull(consents.revokedAt),
      ),
    );
}

export async function recordConsent(
  tx: DbOrTx,
  countyCode: string,
  volunteerId: string,
  purpose: ConsentPurpose,
  grantedBy: 'self' | 'guardian' | 'staff_on_paper',
  at: Date,
  guardianName?: string | null,
) {
  await tx.insert(consents).values({
    countyCode,
    subjectType: 'volunteer',
    subjectId: volunteerId,
    purpose,
    version: consentPurposes[purpose].version,
    grantedBy,
    guardianName: guardianName ?? null,
    at,
  });
}

type Row = typeof volunteers.$inferSelect;
/** The columns a volunteer is presented from: what a list reads (not the ciphers, hashes and search keys). */
const presentedColumns = {
  id: volunteers.id,
  volunteerNo: volunteers.volunteerNo,
  name: volunteers.name,
  gender: volunteers.gender,
  birthDate: volunteers.birthDate,
  idType: volunteers.idType,
  idMasked: volunteers.idMasked,
  phoneMasked: volunteers.phoneMasked,
  regionCode: volunteers.regionCode,
  verified: volunteers.verified,
  verifiedAt: volunteers.verifiedAt,
  skills: volunteers.skills,
  categories: volunteers.categories,
  availability: volunteers.availability,
  serviceArea: volunteers.serviceArea,
  politicalStatus: volunteers.politicalStatus,
  education: volunteers.education,
  occupation: volunteers.occupation,
  guardianName: volunteers.guardianName,
  guardianPhoneMasked: volunteers.guardianPhoneMasked,
  guardianRelation: volunteers.guardianRelation,
  source: volunteers.source,
  userId: volunteers.userId,
  createdAt: volunteers.createdAt,
};
type Presented = Pick<Row, keyof typeof presentedColumns>;
export function present(v: Presented, regionName?: string | null) {
  return {
    id: v.id,
    volunteerNo: v.volunteerNo,
    name: v.name,
    gender: v.gender,
    birthDate: v.birthDate,
    idType: v.idType,
    idNumberMasked: v.idMasked,
    phoneMasked: v.phoneMasked,
    regionCode: v.regionCode,
    regionName: regionName ?? null,
    verified: v.verified,
    verifiedAt: v.verifiedAt,
    skills: v.skills,
    categories: v.categories,
    availability: v.availability,
    serviceArea: v.serviceArea,
    politicalStatus: v.politicalStatus,
    education: v.education,
    occupation: v.occupation,
    guardianName: v.guardianName,
    guardianPhoneMasked: v.guardianPhoneMasked,
    guardianRelation: v.guardianRelation,
    source: v.source,
    userId: v.userId,
    createdAt: v.createdAt,
  };
}

export type VolunteerFilter = {
  q?: string;
  regionCode?: string;
  verified?: boolean;
  category?: string;
  teamId?: string;
  page: number;
  pageSize: number;
  after?: string;
};

/**
 * q matches a name (prefix or part), pinyin (zhangsanfeng / zhang), initials (zsf), the volunteer number, a phone or an
 * ID number.
 */
export function searchCondition(crypto: Crypto, q: string): SQL {
  const s = q.trim();
  const lower = s.toLowerCase();
  const parts: SQL[] = [];
  if (/^zy\d+$/i.test(s)) parts.push(eq(volunteers.volunteerNo, s.toUpperCase()));
  if (PHONE_RE.test(s)) parts.push(eq(volunteers.phoneHash, crypto.lookupHash('phone', s)));
  const id = parseIdNumber(s);
  if (id.ok) parts.push(eq(volunteers.idHash, crypto.lookupHash('id', id.value)));
  const chars = [...new Set(s.match(/[\u4e00-\u9fa5]/g) ?? [])];
  // the characters through the GIN index volunteers_name_chars_idx (the expression must stay exactly this), LIKE for
  // their order
  if (chars.length)
    parts.push(
      sql`(string_to_array(${volunteers.name}, null) @> array[${sql.join(
        chars.map((c) => sql`${c}`),
        sql`, `,
      )}]::text[] and ${ilike(volunteers.name, `%${escapeLike(s)}%`)})`,
    );
  if (/^[a-z]+$/i.test(s)) {
    parts.push(sql`${volunteers.namePinyin} like ${escapeLike(lower) + '%'}`);
    parts.push(sql`${volunteers.nameInitials} like ${escapeLike(lower) + '%'}`);
  }
  return parts.length ? or(...parts)! : sql`false`;
}

/** Built from volunteers and region names, and team members when filtered by team (platform/lists.ts). */
export const volunteersList: ListDef<VolunteerFilter> = {
  name: 'volunteers',
  groups: (f) => ({ county: f.teamId ? ['volunteers', 'team_members'] : ['volunteers'], global: ['regions'] }),
};

export async function listVolunteers(
  lists: Lists,
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  crypto: Crypto,
  f: VolunteerFilter,
): Promise<ListAnswer> {
  return lists.page(volunteersList, { scope, countyCode, filter: f }, (knownTotal) =>
    buildVolunteersPage(db, scope, crypto, f, knownTotal),
  );
}

/** Newest first; the id only breaks ties of volunteer numbers across counties. */
const volunteerKeys: SortKey[] = [
  { column: volunteers.createdAt, desc: true, type: 'timestamp' },
  { column: volunteers.volunteerNo, type: 'text' },
  { column: volunteers.id, type: 'uuid' },
];

async function buildVolunteersPage(
  db: DbOrTx,
  scope: Scope,
  crypto: Crypto,
  f: VolunteerFilter,
  knownTotal: number | undefined,
): Promise<Built> {
  const conds: SQL[] = [volunteerScope(scope)];
  if (f.q?.trim()) conds.push(searchCondition(crypto, f.q));
  if (f.regionCode) conds.push(sql`${volunteers.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
  if (f.verified !== undefined) conds.push(eq(volunteers.verified, f.verified));
  if (f.category) conds.push(sql`${volunteers.categories} @> ${JSON.stringify([f.category])}::jsonb`);
  if (f.teamId)
    conds.push(
      sql`exists (select 1 from team_members m
        where m.volunteer_id = "volunteers"."id" and m.team_id = ${f.teamId} and m.status = 'active')`,
    );
  const { rows, total, nextCursor } = await keysetPage(db, {
    from: volunteers,
    rows: (cursor) =>
      db
        .select({ v: presentedColumns, regionName: regions.name, cursor })
        .from(volunteers)
        .innerJoin(regions, eq(regions.code, volunteers.regionCode)),
    where: and(...conds),
    keys: volunteerKeys,
    filter: f,
    knownTotal,
  });
  return { items: rows.map((r) => present(r.v, r.regionName)), total, nextCursor };
}

/** Who reads a volunteer: their scope, and whether they may verify (volunteer:verify). */
export type VolunteerViewer = { scope: Scope; userId: string | null; canVerify: boolean };

/**
 * The scoped loader of a volunteer: one query that finds the volunteer only in the caller's scope (out of sight = not
 * found), with who the caller is to them (the machine's parties) and what the guard looks at.
 */
export async function findVolunteer(db: DbOrTx, c: VolunteerViewer, id: string) {
  const [row] = await db
    .select({ v: volunteers, regionName: regions.name })
    .from(volunteers)
    .innerJoin(regions, eq(regions.code, volunteers.regionCode))
    .where(and(eq(volunteers.id, id), volunteerScope(c.scope)));
  if (!row) throw notFound('志愿者');
  const parties = new Set<VolunteerParty>(c.canVerify ? ['verifier'] : []);
  return {
    ...row,
    state: stateOf(row.v.verified),
    parties,
    ctx: { self: row.v.userId !== null && row.v.userId === c.userId },
  };
}

export async function getVolunteer(db: DbOrTx, c: VolunteerViewer, id: string) {
  const { v, regionName, state, parties, ctx } = await findVolunteer(db, c, id);
  const memberships = await db
    .select({
      teamId: teams.id,
      name: teams.name,
      level: teams.level,
      category: teams.category,
      status: teamMembers.status,
      isLeader: sql<boolean>`${teams.leaderVolunteerId} = ${v.id}`,
      categoryName: sql<string>`coalesce((select c.name from team_categories c
        where c.county_code = "teams"."county_code" and c.code = "teams"."category"), ${teams.category})`,
    })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(eq(teamMembers.volunteerId, v.id))
    .orderBy(asc(teams.name));
  const consentRows = await db
    .select()
    .from(consents)
    .where(and(eq(consents.subjectType, 'volunteer'), eq(consents.subjectId, v.id)))
    .orderBy(asc(consents.at));
  return {
    ...present(v, regionName),
    teams: memberships.map((m) => ({
      ...m,
      levelName: ({ corps: '总队', brigade: '支队', squad: '分队' } as const)[m.level],
      categoryName: (standingCategories as Record<string, string>)[m.category] ?? m.categoryName,
    })),
    consents: consentRows.map((c) => ({
      purpose: c.purpose,
      purposeText: consentPurposes[c.purpose as ConsentPurpose]?.text ?? c.purpose,
      version: c.version,
      grantedBy: c.grantedBy,
      guardianName: c.guardianName,
      at: c.at,
      revokedAt: c.revokedAt,
    })),
    actions: actionsFor(volunteerMachine, state, parties, ctx),
  };
}

export type VolunteerPatch = Partial<
  Pick<
    VolunteerInput,
    | 'name'
    | 'phone'
    | 'regionCode'
    | 'skills'
    | 'categories'
    | 'availability'
    | 'serviceArea'
    | 'politicalStatus'
    | 'education'
    | 'occupation'
    | 'guardianName'
    | 'guardianPhone'
    | 'guardianRelation'
  >
>;

export async function updateVolunteer(
  db: Db,
  crypto: Crypto,
  actor: Actor,
  scope: Scope,
  now: Date,
  id: string,
  patch: VolunteerPatch,
) {
  const { v: before } = await findVolunteer(db, { scope, userId: actor.userId, canVerify: false }, id);
  const set: Partial<typeof volunteers.$inferInsert> = { updatedAt: now };
  const problems: ErrorDetail[] = [];
  const cats = await knownCategories(db, before.countyCode);
  if (patch.name !== undefined) {
    if (!/^[\u4e00-\u9fa5·•A-Za-z ]{2,30}$/.test(patch.name.trim()))
      problems.push({ path: 'name', message: '姓名应为 2–30 个汉字或字母' });
    else Object.assign(set, { name: patch.name.trim(), ...nameKeys(patch.name.trim()) });
  }
  if (patch.phone !== undefined) {
    if (patch.phone && !PHONE_RE.test(patch.phone))
      problems.push({ path: 'phone', message: '手机号应为 11 位中国大陆手机号' });
    else
      Object.assign(
        set,
        patch.phone
          ? {
              phoneHash: crypto.lookupHash('phone', patch.phone),
              phoneEnc: crypto.encrypt(patch.phone),
              phoneMasked: maskPhone(patch.phone),
            }
          : { phoneHash: null, phoneEnc: null, phoneMasked: null },
      );
  }
  if (patch.guardianPhone !== undefined) {
    if (patch.guardianPhone && !PHONE_RE.test(patch.guardianPhone))
      problems.push({ path: 'guardianPhone', message: '监护人手机号应为 11 位中国大陆手机号' });
    else
      Object.assign(set, {
        guardianPhoneEnc: patch.guardianPhone ? crypto.encrypt(patch.guardianPhone) : null,
        guardianPhoneMasked: patch.guardianPhone ? maskPhone(patch.guardianPhone) : null,
      });
  }
  for (const [i, c] of (patch.categories ?? []).entries())
    if (!cats.has(c)) problems.push({ path: `categories.${i}`, message: `未知的服务类别：${c}` });
  if (patch.politicalStatus && !(politicalStatuses as readonly string[]).includes(patch.politicalStatus))
    problems.push({ path: 'politicalStatus', message: `政治面貌应为 ${politicalStatuses.join('、')} 之一` });
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems[0].message, problems);
  for (const k of [
    'skills',
    'categories',
    'availability',
    'serviceArea',
    'politicalStatus',
    'education',
    'occupation',
    'guardianName',
    'guardianRelation',
  ] as const) {
    if (patch[k] !== undefined) Object.assign(set, { [k]: patch[k] });
  }
  if (patch.regionCode !== undefined) {
    const r = await requireRegion(db, patch.regionCode);
    if (!regionInScope(scope, r.path)) throw notFound('区划');
    // volunteer numbers, the ID-number index and volunteerScope are per county: a volunteer stays in their county
    if (r.countyCode !== before.countyCode)
      throw new AppError('VALIDATION_FAILED', '只能改到本县的村（社区）', [
        { path: 'regionCode', message: '不在本县' },
      ]);
    Object.assign(set, { regionCode: r.code, regionPath: r.path });
  }
  return db
    .transaction(async (tx) => {
      const [after] = await tx.update(volunteers).set(set).where(eq(volunteers.id, id)).returning();
      await writeAudit(
        tx,
        { ...actor, countyCode: before.countyCode },
        {
          action: 'volunteer.update',
          entity: 'volunteer',
          entityId: id,
          before: present(before),
          after: present(after),
        },
      );
      return after;
    })
    .finally(clearAuthCache);
}

/** 实名核验: the machine's `verify` (a verified volunteer answers 409; one of two concurrent verifications wins). */
export async function verifyVolunteer(db: Db, actor: Actor, c: VolunteerViewer, now: Date, id: string) {
  const { v, state, parties, ctx } = await findVolunteer(db, c, id);
  assertAllowed(volunteerMachine, 'verify', state, parties, ctx);
  await db
    .transaction((tx) =>
      runTransition(tx, {
        machine: volunteerMachine,
        table: volunteers,
        stateKey: 'verified',
        stored: storedState,
        record: { id, countyCode: v.countyCode, state },
        action: 'verify',
        actor,
        now,
        set: { verifiedAt: now, updatedAt: now },
        lost: '该志愿者已经实名核验',
        tell: (_tx, row) => ({
          userIds: [row.userId],
          title: '实名核验已通过',
          body: `${row.name}，您的志愿者信息已通过实名核验（编号 ${row.volunteerNo}）`,
        }),
      }),
    )
    .finally(clearAuthCache);
}

/** Shows one full value to a permitted user, and leaves an audit event saying who saw what. */
export async function revealVolunteer(
  db: Db,
  crypto: Crypto,
  actor: Actor,
  scope: Scope,
  id: string,
  field: 'idNumber' | 'phone' | 'guardianPhone',
  reason: string,
) {
  const { v } = await findVolunteer(db, { scope, userId: actor.userId, canVerify: false }, id);
  const enc = field === 'idNumber' ? v.idEnc : field === 'phone' ? v.phoneEnc : v.guardianPhoneEnc;
  if (!enc) throw notFound('该字段');
  const value = crypto.decrypt(enc);
  await db.transaction(async (tx) => {
    await writeAudit(
      tx,
      { ...actor, countyCode: v.countyCode },
      { action: 'volunteer.reveal', entity: 'volunteer', entityId: id, detail: { field, reason } },
    );
  });
  return { field, value };
}

export async function myVolunteer(db: DbOrTx, userId: string) {
  const [v] = await db.select({ id: volunteers.id }).from(volunteers).where(eq(volunteers.userId, userId));
  return v?.id ?? null;
}

/** Self-registration needs the caller to be a real user of the county who is not yet a volunteer. */
export async function userCounty(db: DbOrTx, userId: string) {
  const [u] = await db
    .select({ countyCode: users.countyCode, regionCode: users.regionCode })
    .from(users)
    .where(eq(users.id, userId));
  if (!u) throw forbidden();
  return u;
}

/**
 * A granted star level (the stars module's sweep, in its transaction): the volunteer's level only rises. The
 * volunteers module owns the row; other modules raise the level through here.
 */
export async function raiseStarLevel(tx: DbOrTx, volunteerId: string, level: number, now: Date) {
  const [v] = await tx
    .update(volunteers)
    .set({ starLevel: sql`greatest(${volunteers.starLevel}, ${level})`, updatedAt: now })
    .where(eq(volunteers.id, volunteerId))
    .returning({ userId: volunteers.userId, starLevel: volunteers.starLevel });
  return v ?? null;
}
