import { and, eq, ilike, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx } from '../../db/client.js';
import { files, publicityItems, regions } from '../../db/schema/index.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { writeAudit } from '../../platform/audit.js';
import { chinaDate } from '../../platform/clock.js';
import { escapeLike, inScope, regionInScope, type Scope } from '../../platform/scope.js';
import { keysetPage, type ListAnswer, type ListDef, type Lists, type SortKey } from '../../platform/lists.js';
import { userNameSql } from '../accounts/sql.js';
import { publicityKindLabels, publicityKindUnits, type PublicityKind } from './labels.js';
import type { ArticleCaller } from './service.js';

/** 线下宣传: counted items (posters, leaflets, broadcasts …) with photos, in a region of the recorder's scope. */

const publicityScope = (scope: Scope) =>
  inScope(scope, {
    path: publicityItems.regionPath,
    regionCode: publicityItems.regionCode,
    owner: publicityItems.createdBy,
  });

const town = alias(regions, 'town');
const columns = {
  id: publicityItems.id,
  kind: publicityItems.kind,
  title: publicityItems.title,
  quantity: publicityItems.quantity,
  day: publicityItems.day,
  note: publicityItems.note,
  regionCode: publicityItems.regionCode,
  villageName: regions.name,
  townName: sql<string | null>`case when ${regions.level} = 'village' then ${town.name} end`,
  photoIds: publicityItems.photoIds,
  creatorName: userNameSql(publicityItems.createdBy),
  createdAt: publicityItems.createdAt,
  updatedAt: publicityItems.updatedAt,
};
type Row = { kind: PublicityKind; villageName: string; townName: string | null };
const present = <T extends Row>({ villageName, townName, ...r }: T) => ({
  ...r,
  kindName: publicityKindLabels[r.kind],
  unit: publicityKindUnits[r.kind],
  regionName: `${townName ?? ''}${villageName}`,
});

export type PublicityFilter = {
  kind?: PublicityKind;
  regionCode?: string;
  q?: string;
  page: number;
  pageSize: number;
  after?: string;
};
const keys: SortKey[] = [
  { column: sql`${publicityItems.day}::text`, desc: true, type: 'text' },
  { column: publicityItems.id, desc: true, type: 'uuid' },
];
export const publicityList: ListDef<PublicityFilter> = {
  name: 'publicity',
  groups: { county: ['publicity'], global: ['regions', 'user_names'] },
};

export async function listPublicity(
  lists: Lists,
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  f: PublicityFilter,
): Promise<ListAnswer> {
  return lists.page(publicityList, { scope, countyCode, filter: f }, async (knownTotal) => {
    const conds: SQL[] = [publicityScope(scope)];
    if (f.kind) conds.push(eq(publicityItems.kind, f.kind));
    if (f.q) conds.push(ilike(publicityItems.title, `%${escapeLike(f.q)}%`));
    if (f.regionCode) {
      const [r] = await db.select({ path: regions.path }).from(regions).where(eq(regions.code, f.regionCode));
      if (!r) throw invalid('regionCode', '区划代码不存在');
      conds.push(sql`${publicityItems.regionPath} like ${escapeLike(r.path) + '%'}`);
    }
    const { rows, total, nextCursor } = await keysetPage(db, {
      from: publicityItems,
      rows: (cursor) =>
        db
          .select({ ...columns, cursor })
          .from(publicityItems)
          .innerJoin(regions, eq(regions.code, publicityItems.regionCode))
          .leftJoin(town, eq(town.code, regions.parentCode)),
      where: and(...conds),
      keys,
      filter: f,
      knownTotal,
    });
    return { items: rows.map(({ cursor: _c, ...r }) => present(r)), total, nextCursor };
  });
}

/** The scoped loader of a publicity item (out of scope = not found). */
export async function findPublicity(db: DbOrTx, scope: Scope, id: string) {
  const [row] = await db
    .select({ ...columns, countyCode: publicityItems.countyCode })
    .from(publicityItems)
    .innerJoin(regions, eq(regions.code, publicityItems.regionCode))
    .leftJoin(town, eq(town.code, regions.parentCode))
    .where(and(eq(publicityItems.id, id), publicityScope(scope)));
  if (!row) throw notFound('宣传记录');
  return row;
}
export const getPublicity = async (db: DbOrTx, scope: Scope, id: string) => {
  const { countyCode: _c, ...r } = await findPublicity(db, scope, id);
  return present(r);
};

export type PublicityInput = {
  kind: PublicityKind;
  title: string;
  quantity: number;
  day: string;
  regionCode: string;
  note?: string;
  photoIds?: string[];
};

async function placeOf(db: DbOrTx, c: ArticleCaller, code: string) {
  const [r] = await db.select().from(regions).where(eq(regions.code, code));
  if (!r || r.countyCode !== c.countyCode) throw invalid('regionCode', '区划代码不存在或不属于本县');
  if (!regionInScope(c.scope, r.path)) throw invalid('regionCode', '只能登记本单位管辖区域内的宣传');
  return r;
}
async function checkInput(db: DbOrTx, c: ArticleCaller, now: Date, b: Partial<PublicityInput>) {
  if (b.day && b.day > chinaDate(now)) throw invalid('day', '宣传日期不能晚于今天');
  if (b.photoIds?.length) {
    const rows = await db
      .select({ id: files.id, mime: files.mime, countyCode: files.countyCode })
      .from(files)
      .where(
        sql`${files.id} in (${sql.join(
          b.photoIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
      );
    const ok = new Set(
      rows
        .filter((r) => r.mime.startsWith('image/') && (!r.countyCode || r.countyCode === c.countyCode))
        .map((r) => r.id),
    );
    const bad = b.photoIds.findIndex((id) => !ok.has(id));
    if (bad >= 0) throw invalid(`photoIds.${bad}`, '照片不存在，请先上传照片（JPEG/PNG/WebP）');
  }
}

export async function createPublicity(db: Db, c: ArticleCaller, now: Date, b: PublicityInput) {
  const region = await placeOf(db, c, b.regionCode);
  await checkInput(db, c, now, b);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(publicityItems)
      .values({
        countyCode: c.countyCode,
        regionCode: region.code,
        regionPath: region.path,
        kind: b.kind,
        title: b.title,
        quantity: b.quantity,
        day: b.day,
        note: b.note ?? '',
        photoIds: b.photoIds ?? [],
        createdBy: c.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await writeAudit(
      tx,
      { ...c.actor, countyCode: c.countyCode },
      { action: 'publicity.create', entity: 'publicity_item', entityId: row.id, after: row },
    );
    return row;
  });
}

export async function updatePublicity(db: Db, c: ArticleCaller, now: Date, id: string, b: Partial<PublicityInput>) {
  const before = await findPublicity(db, c.scope, id);
  const region = b.regionCode ? await placeOf(db, c, b.regionCode) : null;
  await checkInput(db, c, now, b);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(publicityItems)
      .set({
        ...(b.kind ? { kind: b.kind } : {}),
        ...(b.title ? { title: b.title } : {}),
        ...(b.quantity ? { quantity: b.quantity } : {}),
        ...(b.day ? { day: b.day } : {}),
        ...(b.note !== undefined ? { note: b.note } : {}),
        ...(b.photoIds ? { photoIds: b.photoIds } : {}),
        ...(region ? { regionCode: region.code, regionPath: region.path } : {}),
        updatedAt: now,
      })
      .where(and(eq(publicityItems.id, id), eq(publicityItems.updatedAt, before.updatedAt)))
      .returning();
    if (!row) throw new AppError('INVALID_TRANSITION', '该宣传记录已被他人修改，请刷新后重试');
    await writeAudit(
      tx,
      { ...c.actor, countyCode: before.countyCode },
      { action: 'publicity.update', entity: 'publicity_item', entityId: id, before, after: row },
    );
    return row;
  });
}

export async function deletePublicity(db: Db, c: ArticleCaller, id: string) {
  const before = await findPublicity(db, c.scope, id);
  await db.transaction(async (tx) => {
    await tx.delete(publicityItems).where(eq(publicityItems.id, id));
    await writeAudit(
      tx,
      { ...c.actor, countyCode: before.countyCode },
      { action: 'publicity.delete', entity: 'publicity_item', entityId: id, before },
    );
  });
}
