import { and, getTableName, count, desc, eq, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx } from '../../db/client.js';
import {
  households,
  regions,
  surveyResponses,
  surveys,
  type ItemField,
  type PlanEntry,
} from '../../db/schema/index.js';
import { AppError, duplicate, forbidden, invalid, notFound } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { escapeLike, inScope, regionInScope, type Scope } from '../../platform/scope.js';
import { offsetPage, type ListAnswer, type ListDef, type Lists } from '../../platform/lists.js';
import type { Permission } from '../../platform/permissions.js';
import { actionsFor, addEvent, assertAllowed, runTransition, timelineOf } from '../../platform/transitions.js';
import { requireRegion } from '../regions/service.js';
import { checkAnswers, createItem, type ItemInput } from '../orders/service.js';
import { standingCategories } from '../volunteers/service.js';
import { addPlanEntry } from '../plans/service.js';
import {
  sourceLabels,
  surveyMachine,
  surveyStateLabels,
  type SurveyAction,
  type SurveyContext,
  type SurveyParty,
  type SurveyState,
} from './transitions.js';

/**
 * A column named with its table (`"households"."id"`), for correlated subqueries in select lists: drizzle leaves a
 * single-table query's columns unqualified there, and a bare `"id"` would bind to the subquery's own table.
 */
const outer = (c: AnyPgColumn) => sql.raw(`"${getTableName(c.table)}"."${c.name}"`);

/**
 * 群众需求大排查: a survey campaign over a region with a form of the service menu's field types; answers come from
 * residents in the H5 (one each unless the campaign allows more: a partial unique index keeps it exact) and from staff
 * after mass meetings (群众会, 院坝会); every answer is tagged with a service category; a cluster of answers is
 * promoted into a service item through the orders module's menu function, the answers keeping the item's id.
 */

export { surveyStateLabels, sourceLabels };

export type SurveyCaller = {
  actor: Actor;
  userId: string;
  countyCode: string;
  scope: Scope;
  permissions: ReadonlySet<Permission>;
  /** the caller's own village (a resident answers the surveys over it), with its path */
  region: { code: string; path: string } | null;
};

export async function surveyCaller(db: DbOrTx, base: Omit<SurveyCaller, 'region'> & { regionCode: string | null }) {
  const { regionCode, ...rest } = base;
  const [r] = regionCode
    ? await db.select({ code: regions.code, path: regions.path }).from(regions).where(eq(regions.code, regionCode))
    : [];
  return { ...rest, region: r ?? null } satisfies SurveyCaller;
}

type Survey = typeof surveys.$inferSelect;
const surveyScope = (s: Scope) => inScope(s, { path: surveys.regionPath, regionCode: surveys.regionCode });
const manages = (c: SurveyCaller) => c.permissions.has('survey:manage');
const isUniqueViolation = (e: unknown) =>
  (e as { code?: string })?.code === '23505' || (e as { cause?: { code?: string } })?.cause?.code === '23505';

/** The service categories of a county, code → name: the 8 standing ones and the county's own. */
export async function categoryNames(db: DbOrTx, countyCode: string): Promise<Record<string, string>> {
  const custom = await db.execute<{ code: string; name: string }>(
    sql`select code, name from team_categories where county_code = ${countyCode}`,
  );
  return { ...standingCategories, ...Object.fromEntries(custom.rows.map((r) => [r.code, r.name])) };
}

function checkQuestions(questions: ItemField[]) {
  const keys = new Set<string>();
  questions.forEach((q, i) => {
    if (keys.has(q.key)) throw invalid(`questions.${i}.key`, `题目编码 ${q.key} 重复`);
    keys.add(q.key);
    if ((q.type === 'single' || q.type === 'multi') && !q.options?.length)
      throw invalid(`questions.${i}.options`, `“${q.label}”是选择题，至少需要一个选项`);
  });
}

// ---------- create, edit ----------

export type NewSurvey = {
  title: string;
  description?: string;
  regionCode: string;
  questions: ItemField[];
  allowMultiple?: boolean;
  opensAt?: Date | null;
  closesAt?: Date | null;
};

function checkWindow(opensAt: Date | null | undefined, closesAt: Date | null | undefined) {
  if (opensAt && closesAt && closesAt.getTime() <= opensAt.getTime())
    throw invalid('closesAt', '截止时间应晚于开始时间');
}

export async function createSurvey(db: Db, c: SurveyCaller, now: Date, input: NewSurvey) {
  const region = await requireRegion(db, input.regionCode);
  if (region.countyCode !== c.countyCode || !regionInScope(c.scope, region.path))
    throw invalid('regionCode', '该区划不在您的管理范围内');
  checkQuestions(input.questions);
  checkWindow(input.opensAt, input.closesAt);
  return db.transaction(async (tx) => {
    const [s] = await tx
      .insert(surveys)
      .values({
        countyCode: region.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        title: input.title,
        description: input.description ?? '',
        questions: input.questions,
        allowMultiple: input.allowMultiple ?? false,
        opensAt: input.opensAt ?? null,
        closesAt: input.closesAt ?? null,
        state: 'draft',
        createdBy: c.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await addEvent(tx, {
      entity: 'survey',
      entityId: s.id,
      action: 'create',
      from: null,
      to: 'draft',
      actor: c.actor,
      at: now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: s.countyCode },
      { action: 'survey.create', entity: 'survey', entityId: s.id, after: s },
    );
    return s;
  });
}

/** Edits the form and the window; the questions only while it is a draft (answers refer to them). */
export async function updateSurvey(db: Db, c: SurveyCaller, now: Date, id: string, patch: Partial<NewSurvey>) {
  const f = await findSurvey(db, c, id, now);
  if (!f.parties.has('manager')) throw forbidden('您不能修改该需求排查');
  if (patch.questions && f.s.state !== 'draft')
    throw new AppError('INVALID_TRANSITION', '问卷已开始收集，不能再修改题目');
  if (patch.questions) checkQuestions(patch.questions);
  const opensAt = patch.opensAt === undefined ? f.s.opensAt : patch.opensAt;
  const closesAt = patch.closesAt === undefined ? f.s.closesAt : patch.closesAt;
  checkWindow(opensAt, closesAt);
  return db.transaction(async (tx) => {
    const [s] = await tx
      .update(surveys)
      .set({
        ...(patch.title ? { title: patch.title } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.questions ? { questions: patch.questions } : {}),
        ...(patch.allowMultiple !== undefined && f.s.state === 'draft' ? { allowMultiple: patch.allowMultiple } : {}),
        opensAt,
        closesAt,
        updatedAt: now,
      })
      .where(and(eq(surveys.id, id), eq(surveys.state, f.s.state)))
      .returning();
    if (!s) throw new AppError('INVALID_TRANSITION', '该需求排查的状态已变化，请刷新后重试');
    await writeAudit(
      tx,
      { ...c.actor, countyCode: s.countyCode },
      { action: 'survey.update', entity: 'survey', entityId: s.id, before: f.s, after: s },
    );
    return s;
  });
}

// ---------- one survey, as the caller may see it ----------

/** Open, and over the resident's own village: a survey they may answer. */
const coversMe = (c: SurveyCaller): SQL =>
  c.region ? and(eq(surveys.state, 'open'), sql`${c.region.path} like ${surveys.regionPath} || '%'`)! : sql`false`;

/** A survey over the caller's whole area (a town's survey for a station): its staff collect answers for it. */
const coversScope = (s: Scope): SQL => {
  const parts = s.subtrees.map((p) => sql`${p} like ${surveys.regionPath} || '%'`);
  return parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`false`;
};

/**
 * The scoped loader of a survey: its managers (survey:manage, region in scope), staff of a place it covers
 * (collectors: they enter answers of their place), or, while it is open, anyone whose village lies under its region.
 * Out of sight = not found.
 */
export async function findSurvey(db: DbOrTx, c: SurveyCaller, id: string, now: Date) {
  const managerSees = manages(c) ? surveyScope(c.scope) : sql`false`;
  const collects = manages(c) ? coversScope(c.scope) : sql`false`;
  const [r] = await db
    .select({
      s: surveys,
      manager: sql<boolean>`${managerSees}`,
      collector: sql<boolean>`${collects}`,
      regionName: regions.name,
    })
    .from(surveys)
    .innerJoin(regions, eq(regions.code, surveys.regionCode))
    .where(and(eq(surveys.id, id), eq(surveys.countyCode, c.countyCode), or(managerSees, collects, coversMe(c))));
  if (!r) throw notFound('需求排查');
  const parties = new Set<SurveyParty>(r.manager ? ['manager'] : []);
  if (r.manager || r.collector) parties.add('collector');
  const ctx: SurveyContext = { now, closesAt: r.s.closesAt, questions: r.s.questions.length };
  return { s: r.s, regionName: r.regionName, parties, ctx };
}

/** Why an open survey takes no answer now (before it opens, after it closes), or null. */
function windowClosed(s: Survey, now: Date) {
  if (s.opensAt && s.opensAt.getTime() > now.getTime()) return '问卷尚未开始收集';
  if (s.closesAt && s.closesAt.getTime() <= now.getTime()) return '问卷已截止';
  return null;
}

const present = (s: Survey, regionName: string) => ({
  id: s.id,
  title: s.title,
  description: s.description,
  regionCode: s.regionCode,
  regionName,
  questions: s.questions,
  allowMultiple: s.allowMultiple,
  opensAt: s.opensAt,
  closesAt: s.closesAt,
  state: s.state,
  stateName: surveyStateLabels[s.state],
  createdAt: s.createdAt,
});

export async function getSurvey(db: DbOrTx, c: SurveyCaller, id: string, now: Date) {
  const f = await findSurvey(db, c, id, now);
  const [[counts], events, categories] = await Promise.all([
    db
      .select({
        responses: sql<number>`count(*)::int`,
        mine: sql<number>`(count(*) filter (where ${surveyResponses.respondentUserId} = ${c.userId}))::int`,
      })
      .from(surveyResponses)
      .where(eq(surveyResponses.surveyId, id)),
    f.parties.has('manager') ? timelineOf(db, surveyMachine, id) : Promise.resolve([]),
    categoryNames(db, f.s.countyCode),
  ]);
  const closed = windowClosed(f.s, now);
  const canAnswer = f.s.state === 'open' && !closed && !!c.region && (f.s.allowMultiple || counts.mine === 0);
  return {
    ...present(f.s, f.regionName),
    responses: f.parties.has('manager') ? counts.responses : null,
    answeredByMe: counts.mine,
    canAnswer,
    canEnter: f.parties.has('collector') && f.s.state === 'open',
    actions: actionsFor(surveyMachine, f.s.state, f.parties, f.ctx),
    categories: Object.entries(categories).map(([value, label]) => ({ value, label })),
    events: events.map((e) => ({
      action: e.action,
      actorName: e.actorName,
      note: e.note,
      at: e.at,
      actionName: e.actionName,
      toStateName: e.toStateName,
    })),
  };
}

export type SurveyFilter = { state?: SurveyState; regionCode?: string; q?: string; page: number; pageSize: number };

/** Built from surveys and their responses (both bump `surveys`) and the region names. */
export const surveysList: ListDef<SurveyFilter> = {
  name: 'surveys',
  groups: { county: ['surveys'], global: ['regions'] },
};

export async function listSurveys(lists: Lists, db: DbOrTx, c: SurveyCaller, f: SurveyFilter): Promise<ListAnswer> {
  return lists.page(surveysList, { scope: c.scope, countyCode: c.countyCode, filter: f }, async (knownTotal) => {
    const conds: SQL[] = [eq(surveys.countyCode, c.countyCode), or(surveyScope(c.scope), coversScope(c.scope))!];
    if (f.state) conds.push(eq(surveys.state, f.state));
    if (f.regionCode) conds.push(sql`${surveys.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
    if (f.q) conds.push(ilike(surveys.title, `%${escapeLike(f.q)}%`));
    const { rows, total } = await offsetPage(db, {
      from: surveys,
      rows: () =>
        db
          .select({
            s: surveys,
            regionName: regions.name,
            responses: sql<number>`(select count(*)::int from survey_responses r
            where r.survey_id = ${outer(surveys.id)})`,
          })
          .from(surveys)
          .innerJoin(regions, eq(regions.code, surveys.regionCode)),
      where: and(...conds),
      order: [desc(surveys.createdAt), desc(surveys.id)],
      filter: f,
      knownTotal,
    });
    return { items: rows.map((r) => ({ ...present(r.s, r.regionName), responses: r.responses })), total };
  });
}

/** The open surveys over the caller's village (the H5), with how often the caller answered each. */
export async function openSurveysForMe(db: DbOrTx, c: SurveyCaller, now: Date) {
  if (!c.region) return { items: [] };
  const rows = await db
    .select({
      s: surveys,
      regionName: regions.name,
      mine: sql<number>`(select count(*)::int from survey_responses r
        where r.survey_id = ${outer(surveys.id)} and r.respondent_user_id = ${c.userId})`,
    })
    .from(surveys)
    .innerJoin(regions, eq(regions.code, surveys.regionCode))
    .where(and(eq(surveys.countyCode, c.countyCode), coversMe(c)))
    .orderBy(desc(surveys.createdAt))
    .limit(50);
  return {
    items: rows
      .filter((r) => !windowClosed(r.s, now))
      .map((r) => ({
        ...present(r.s, r.regionName),
        answeredByMe: r.mine,
        canAnswer: r.s.allowMultiple || r.mine === 0,
      })),
  };
}

// ---------- transitions ----------

export async function transitionSurvey(db: Db, c: SurveyCaller, now: Date, id: string, action: SurveyAction) {
  const f = await findSurvey(db, c, id, now);
  assertAllowed(surveyMachine, action, f.s.state, f.parties, f.ctx);
  return db.transaction((tx) =>
    runTransition(tx, {
      machine: surveyMachine,
      table: surveys,
      record: { id: f.s.id, countyCode: f.s.countyCode, state: f.s.state },
      action,
      actor: c.actor,
      now,
      set: { updatedAt: now },
    }),
  );
}

// ---------- responses ----------

export type NewResponse = {
  category: string;
  answers: Record<string, unknown>;
  /** staff entry: who answered, at which meeting, of which household or village */
  respondentName?: string;
  source?: 'mass_meeting' | 'yard_meeting' | 'door_to_door';
  householdId?: string | null;
  regionCode?: string | null;
};

export async function respond(db: Db, c: SurveyCaller, now: Date, id: string, input: NewResponse) {
  const f = await findSurvey(db, c, id, now);
  const s = f.s;
  const staffEntry = input.respondentName !== undefined;
  if (staffEntry && !f.parties.has('collector')) throw forbidden('只有组织该排查的工作人员可以代录群众意见');
  if (s.state !== 'open') throw new AppError('INVALID_TRANSITION', `该需求排查${surveyStateLabels[s.state]}，不能填写`);
  const closed = windowClosed(s, now);
  if (closed) throw new AppError('INVALID_TRANSITION', closed);
  const categories = await categoryNames(db, s.countyCode);
  if (!(input.category in categories)) throw invalid('category', `未知的服务类别：${input.category}`);
  const problems = checkAnswers(s.questions, input.answers);
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems[0].message, problems);
  let place: { code: string; path: string };
  let householdId: string | null = null;
  if (staffEntry) {
    if (!input.source) throw invalid('source', '请选择意见来源（群众会、院坝会或入户走访）');
    if (input.householdId) {
      const [h] = await db
        .select({ id: households.id, code: households.regionCode, path: households.regionPath })
        .from(households)
        .where(and(eq(households.id, input.householdId), eq(households.countyCode, s.countyCode)));
      if (!h || !h.path.startsWith(s.regionPath) || !regionInScope(c.scope, h.path))
        throw invalid('householdId', '户不存在或不在该排查的范围内');
      place = h;
      householdId = h.id;
    } else if (input.regionCode) {
      const r = await requireRegion(db, input.regionCode);
      if (!r.path.startsWith(s.regionPath) || !regionInScope(c.scope, r.path))
        throw invalid('regionCode', '该区划不在该排查的范围内');
      place = r;
    } else place = { code: s.regionCode, path: s.regionPath };
  } else {
    if (!c.region) throw invalid('regionCode', '您的账号没有所属村（社区），请先完善资料');
    place = c.region;
  }
  try {
    return await db.transaction(async (tx) => {
      const [r] = await tx
        .insert(surveyResponses)
        .values({
          surveyId: s.id,
          countyCode: s.countyCode,
          regionCode: place.code,
          regionPath: place.path,
          source: staffEntry ? input.source! : 'h5',
          respondentUserId: staffEntry ? null : c.userId,
          respondentName: staffEntry ? input.respondentName! : c.actor.name,
          householdId,
          category: input.category,
          answers: input.answers,
          once: !staffEntry && !s.allowMultiple,
          enteredBy: staffEntry ? c.userId : null,
          createdAt: now,
        })
        .returning();
      await writeAudit(
        tx,
        { ...c.actor, countyCode: s.countyCode },
        { action: 'survey.respond', entity: 'survey_response', entityId: r.id, after: r },
      );
      return r;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicate('您已填写过该问卷，每人只能填写一次', 'id');
    throw e;
  }
}

export type ResponseFilter = {
  category?: string;
  regionCode?: string;
  promoted?: boolean;
  page: number;
  pageSize: number;
};

export async function listResponses(db: DbOrTx, c: SurveyCaller, id: string, now: Date, f: ResponseFilter) {
  const found = await findSurvey(db, c, id, now);
  if (!found.parties.has('manager')) throw forbidden('只有组织该排查的工作人员可以查看全部意见');
  const conds: SQL[] = [eq(surveyResponses.surveyId, id)];
  if (f.category) conds.push(eq(surveyResponses.category, f.category));
  if (f.regionCode) conds.push(sql`${surveyResponses.regionPath} like ${'%/' + escapeLike(f.regionCode) + '/%'}`);
  if (f.promoted !== undefined)
    conds.push(
      f.promoted
        ? sql`(${surveyResponses.promotedItemId} is not null or ${surveyResponses.promotedPlanId} is not null)`
        : and(isNull(surveyResponses.promotedItemId), isNull(surveyResponses.promotedPlanId))!,
    );
  const where = and(...conds);
  const [{ rows, total }, names] = await Promise.all([
    offsetPage(db, {
      from: surveyResponses,
      rows: () =>
        db
          .select({
            r: surveyResponses,
            regionName: regions.name,
            promotedItemName: sql<
              string | null
            >`(select i.name from service_items i where i.id = ${outer(surveyResponses.promotedItemId)})`,
            promotedPlanTitle: sql<
              string | null
            >`(select p.title from activity_plans p where p.id = ${outer(surveyResponses.promotedPlanId)})`,
          })
          .from(surveyResponses)
          .innerJoin(regions, eq(regions.code, surveyResponses.regionCode)),
      where,
      order: [desc(surveyResponses.createdAt), desc(surveyResponses.id)],
      filter: f,
    }),
    categoryNames(db, found.s.countyCode),
  ]);
  return {
    items: rows.map(({ r, regionName, promotedItemName, promotedPlanTitle }) => ({
      id: r.id,
      regionCode: r.regionCode,
      regionName,
      source: r.source,
      sourceName: sourceLabels[r.source],
      respondentName: r.respondentName,
      householdId: r.householdId,
      category: r.category,
      categoryName: names[r.category] ?? r.category,
      answers: r.answers,
      promotedItemId: r.promotedItemId,
      promotedItemName,
      promotedPlanId: r.promotedPlanId,
      promotedPlanTitle,
      promotedPlanMonth: r.promotedPlanMonth,
      createdAt: r.createdAt,
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/**
 * Counts of a survey's answers by service category, by region (one row per region a level below the survey's; a
 * village survey: itself) and by source, and the options chosen in each choice question.
 */
export async function surveySummary(db: DbOrTx, c: SurveyCaller, id: string, now: Date) {
  const f = await findSurvey(db, c, id, now);
  if (!f.parties.has('manager')) throw forbidden('只有组织该排查的工作人员可以查看汇总');
  const s = f.s;
  const [region] = await db.select({ level: regions.level }).from(regions).where(eq(regions.code, s.regionCode));
  const depth = region.level === 'county' ? 3 : 4;
  const of = eq(surveyResponses.surveyId, id);
  const [byCategory, byRegion, bySource, [{ total }], names] = await Promise.all([
    db
      .select({ category: surveyResponses.category, count: sql<number>`count(*)::int` })
      .from(surveyResponses)
      .where(of)
      .groupBy(surveyResponses.category)
      .orderBy(desc(sql`count(*)`), surveyResponses.category),
    db.execute<{ code: string; name: string; count: number }>(sql`
      select x.code, coalesce(g.name, x.code) as name, x.count from (
        select split_part(region_path, '/', ${sql.raw(String(depth))}) as code, count(*)::int as count
        from survey_responses where survey_id = ${id} group by 1) x
      left join regions g on g.code = x.code order by x.count desc, x.code`),
    db
      .select({ source: surveyResponses.source, count: sql<number>`count(*)::int` })
      .from(surveyResponses)
      .where(of)
      .groupBy(surveyResponses.source),
    db.select({ total: count() }).from(surveyResponses).where(of),
    categoryNames(db, s.countyCode),
  ]);
  const questions = [];
  for (const q of s.questions) {
    if (q.type !== 'single' && q.type !== 'multi') continue;
    const rows = await db.execute<{ option: string; count: number }>(
      q.type === 'single'
        ? sql`select answers->>${q.key} as option, count(*)::int as count from survey_responses
            where survey_id = ${id} and answers->>${q.key} is not null group by 1`
        : sql`select o as option, count(*)::int as count from survey_responses,
            jsonb_array_elements_text(case when jsonb_typeof(answers->${q.key}) = 'array' then answers->${q.key}
              else '[]'::jsonb end) o
            where survey_id = ${id} group by 1`,
    );
    questions.push({
      key: q.key,
      label: q.label,
      type: q.type,
      options: (q.options ?? []).map((o) => ({ option: o, count: rows.rows.find((r) => r.option === o)?.count ?? 0 })),
    });
  }
  return {
    id: s.id,
    title: s.title,
    total,
    byCategory: byCategory.map((r) => ({ ...r, categoryName: names[r.category] ?? r.category })),
    byRegion: byRegion.rows.map((r) => ({ regionCode: r.code, regionName: r.name, count: Number(r.count) })),
    bySource: bySource.map((r) => ({ ...r, sourceName: sourceLabels[r.source] })),
    questions,
  };
}

// ---------- promote ----------

/**
 * A cluster of answers becomes a service item of the menu (through the orders module's `createItem`, inside this
 * transaction); the answers keep the item's id, and an answer is promoted once (409 for one already promoted).
 */
export async function promote(
  db: Db,
  c: SurveyCaller,
  now: Date,
  id: string,
  input: {
    responseIds: string[];
    serviceItem?: Omit<ItemInput, 'regionCode'> & { regionCode?: string };
    activityPlan?: { title: string; month: string; type: PlanEntry['type']; note?: string; regionCode?: string };
  },
) {
  const f = await findSurvey(db, c, id, now);
  if (!f.parties.has('manager')) throw forbidden('只有组织该排查的工作人员可以转化需求');
  if (!input.serviceItem === !input.activityPlan)
    throw invalid('serviceItem', '请选择转为服务项目（serviceItem）或转为活动计划（activityPlan）之一');
  const ids = [...new Set(input.responseIds)];
  const found = await db
    .select({ id: surveyResponses.id, item: surveyResponses.promotedItemId, plan: surveyResponses.promotedPlanId })
    .from(surveyResponses)
    .where(and(eq(surveyResponses.surveyId, id), inArray(surveyResponses.id, ids)));
  const missing = ids.find((x) => !found.some((r) => r.id === x));
  if (missing) throw invalid('responseIds', `意见 ${missing} 不属于该需求排查`);
  if (found.some((r) => r.item || r.plan)) throw duplicate('所选意见中有已转化过的，请刷新后重新选择', 'responseIds');
  const prefixed = (prefix: string) => (e: unknown) => {
    if (e instanceof AppError && e.details.length)
      throw new AppError(
        e.code,
        e.message,
        e.details.map((d) => ({ ...d, path: `${prefix}.${d.path}` })),
      );
    throw e;
  };
  return db.transaction(async (tx) => {
    let target:
      { serviceItemId: string; serviceItemName: string } | { planId: string; planTitle: string; month: string };
    let note: string;
    if (input.serviceItem) {
      const item = await createItem(
        tx as unknown as Db,
        c.actor,
        c.scope,
        { ...input.serviceItem, regionCode: input.serviceItem.regionCode ?? f.s.regionCode },
        now,
      ).catch(prefixed('serviceItem'));
      target = { serviceItemId: item.id, serviceItemName: item.name };
      note = `${ids.length} 条意见转为服务项目“${item.name}”`;
    } else {
      const p = input.activityPlan!;
      const regionCode = p.regionCode ?? f.s.regionCode;
      const [region] = await tx.select({ level: regions.level }).from(regions).where(eq(regions.code, regionCode));
      if (region?.level === 'county')
        throw invalid('activityPlan.regionCode', '县级需求排查转为活动计划时，请选择乡镇或村（社区）');
      const plan = await addPlanEntry(tx, c.actor, c.scope, now, {
        regionCode,
        month: p.month,
        entry: {
          title: p.title,
          type: p.type,
          note: p.note ?? '',
          source: { surveyId: id, surveyTitle: f.s.title, responseCount: ids.length },
        },
      }).catch(prefixed('activityPlan'));
      target = plan;
      note = `${ids.length} 条意见转为活动计划 ${p.month} 的“${p.title}”`;
    }
    const updated = await tx
      .update(surveyResponses)
      .set(
        'serviceItemId' in target
          ? { promotedItemId: target.serviceItemId }
          : { promotedPlanId: target.planId, promotedPlanMonth: target.month },
      )
      .where(
        and(
          inArray(surveyResponses.id, ids),
          isNull(surveyResponses.promotedItemId),
          isNull(surveyResponses.promotedPlanId),
        ),
      )
      .returning({ id: surveyResponses.id });
    if (updated.length !== ids.length) throw duplicate('所选意见中有已转化过的，请刷新后重新选择', 'responseIds');
    const data = 'serviceItemId' in target ? { serviceItemId: target.serviceItemId } : { planId: target.planId };
    await addEvent(tx, {
      entity: 'survey',
      entityId: id,
      action: 'serviceItemId' in target ? 'promote' : 'promote_plan',
      from: f.s.state,
      to: f.s.state,
      actor: c.actor,
      note,
      data: { ...data, responseIds: ids },
      at: now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: f.s.countyCode },
      {
        action: 'survey.promote',
        entity: 'survey',
        entityId: id,
        detail: { ...data, responseIds: ids },
      },
    );
    return { ...target, responseIds: ids };
  });
}

export type { SurveyAction, SurveyState };
