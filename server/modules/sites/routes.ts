import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listsOf } from '../../platform/lists.js';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import type { AuthContext } from '../../platform/auth.js';
import { townPath, type Scope } from '../../platform/scope.js';
import { actor, auth, can, pageQuery } from '../../platform/http.js';
import { idParam, regionCodeSchema } from '../../platform/validation.js';
import { listOf, noContent, pageOf, sendJsonText } from '../../platform/responses.js';
import { countyOf } from '../accounts/service.js';
import {
  coverage,
  createSite,
  createStandard,
  deleteSite,
  getSite,
  inspectSite,
  listInspections,
  listSitesJson,
  listStandards,
  nearbySites,
  siteKinds,
  updateSite,
  updateStandard,
} from './service.js';
import { facilitySuggestions } from './standards.js';
import { Coverage, Inspection, NearbySites, Site, SiteDetail, Standard } from './schema.js';
import { sql } from 'drizzle-orm';
import { holdsId } from '../../platform/file-holders.js';
import { inspections, sites } from '../../db/schema/index.js';

const regionCode = regionCodeSchema;
const kind = z.enum(siteKinds, { error: `阵地类型应为 ${siteKinds.join('/')} 之一` });
const photoIds = z.array(z.uuid('图片 ID 格式不正确')).max(20, '最多 20 张图片');
const phoneOrTel = z
  .string()
  .trim()
  .regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{3,4}-\d{7,8})$/, '请输入手机号或带区号的座机号');

const siteBody = z.object({
  kind,
  name: z.string().trim().min(1, '名称不能为空').max(80, '名称不能超过 80 个字'),
  regionCode,
  address: z.string().trim().max(200, '地址不能超过 200 个字').default(''),
  lat: z.number().min(-90).max(90).nullish(),
  lng: z.number().min(-180).max(180).nullish(),
  capacity: z.number().int('容纳人数应为整数').min(0, '容纳人数不能为负').max(100000).nullish(),
  openingHours: z.string().trim().max(100).optional(),
  facilities: z.array(z.string().trim().min(1).max(30)).max(30).optional(),
  contacts: z
    .array(
      z.object({
        name: z.string().trim().min(1, '联系人姓名不能为空').max(40),
        phone: phoneOrTel,
        role: z.string().max(40).optional(),
      }),
    )
    .max(10)
    .optional(),
  description: z.string().max(2000).optional(),
  standardId: z.uuid('标准 ID 格式不正确').nullish(),
  isDemo: z.boolean().optional(),
  photoIds: photoIds.optional(),
});

const standardBody = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,39}$/, '编码为 2–40 位小写字母、数字或下划线，以字母开头'),
  name: z.string().trim().min(1, '名称不能为空').max(40),
  items: z
    .array(
      z.object({
        code: z
          .string()
          .trim()
          .regex(/^[a-z][a-z0-9_]{0,39}$/, '检查项编码为小写字母、数字或下划线'),
        name: z.string().trim().min(1, '检查项名称不能为空').max(40),
        description: z.string().max(200).optional(),
      }),
    )
    .min(1, '至少一个检查项')
    .max(50),
  kinds: z.array(kind).min(1, '至少适用一种阵地'),
  passScore: z.number().min(0).max(100).default(100),
  isDefault: z.boolean().optional(),
});

/**
 * A site's page is public information: anyone may open those of the town(s) they live or work in, besides their
 * data scope. Lists stay strictly scoped, so each admin's list shows what they manage.
 */
function siteReadScope(a: AuthContext): Scope {
  const towns = a.grants
    .map((g) => g.path)
    .filter((p): p is string => !!p && p.split('/').filter(Boolean).length >= 2)
    .map(townPath);
  return { ...a.scope, subtrees: [...a.scope.subtrees, ...towns] };
}

export const siteRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    // built list pages, checked against cache_versions on every request (platform/lists.ts); one per app instance
    const lists = listsOf(deps);

    // site photos and inspection photos: readable with the site (a resident's own town included, as its detail)
    app.fileHolders.define({
      kind: 'site',
      holding: (fileId) =>
        sql`select ${sites.id} as id from ${sites} where ${holdsId(sites.photoIds, fileId)}
            union select ${inspections.siteId} from ${inspections}
            where ${inspections.results} @> ${JSON.stringify([{ photoIds: [fileId] }])}::jsonb`,
      readable: async (req, id) =>
        can(req, 'site:read') && !!(await getSite(db, siteReadScope(auth(req)), countyOf(auth(req), deps), now(), id)),
    });

    app.get(
      '/sites',
      {
        config: { permission: 'site:read' },
        schema: {
          tags: ['阵地'],
          summary: '阵地列表（按数据权限分页）',
          querystring: z.object({
            ...pageQuery,
            kind: kind.optional(),
            regionCode: regionCode.optional(),
            q: z.string().max(40).optional(),
            compliance: z.enum(['compliant', 'noncompliant', 'uninspected']).optional(),
          }),
          response: { 200: pageOf(Site) },
        },
      },
      async (req, reply) => {
        // JSON text built by the database: sent as is, not parsed and serialised again
        const a = auth(req);
        return sendJsonText(
          reply,
          await listSitesJson(deps.database, lists, a.scope, countyOf(a, deps), now(), req.query),
        );
      },
    );

    app.get(
      '/sites/nearby',
      {
        config: { permission: 'site:read' },
        schema: { tags: ['阵地'], summary: '附近的实践站：本村、本镇的阵地', response: { 200: NearbySites } },
      },
      async (req) => {
        const a = auth(req);
        return nearbySites(
          db,
          countyOf(a, deps),
          now(),
          a.regionCode ?? a.grants.find((g) => g.regionCode)?.regionCode ?? null,
        );
      },
    );

    app.get(
      '/sites/facilities',
      {
        config: { permission: 'site:read' },
        schema: { tags: ['阵地'], summary: '常见设施（填写建议）', response: { 200: listOf(z.string()) } },
      },
      async () => ({ items: facilitySuggestions }),
    );

    app.post(
      '/sites',
      {
        config: { permission: 'site:create', attachesFiles: ['photoIds'] },
        schema: { tags: ['阵地'], summary: '新增阵地', body: siteBody, response: { 201: SiteDetail } },
      },
      async (req, reply) => {
        const id = await createSite(db, auth(req).scope, actor(req), req.body);
        return reply.status(201).send(await getSite(db, auth(req).scope, countyOf(auth(req), deps), now(), id));
      },
    );

    app.get(
      '/sites/:id',
      {
        config: { permission: 'site:read' },
        schema: { tags: ['阵地'], summary: '阵地详情', params: idParam, response: { 200: SiteDetail } },
      },
      async (req) => getSite(db, siteReadScope(auth(req)), countyOf(auth(req), deps), now(), req.params.id),
    );

    app.patch(
      '/sites/:id',
      {
        config: { permission: 'site:update', attachesFiles: ['photoIds'] },
        schema: {
          tags: ['阵地'],
          summary: '修改阵地',
          params: idParam,
          body: siteBody.partial(),
          response: { 200: SiteDetail },
        },
      },
      async (req) => {
        await updateSite(db, auth(req).scope, actor(req), req.params.id, req.body);
        return getSite(db, auth(req).scope, countyOf(auth(req), deps), now(), req.params.id);
      },
    );

    app.delete(
      '/sites/:id',
      {
        config: { permission: 'site:delete' },
        schema: { tags: ['阵地'], summary: '删除阵地', params: idParam, response: { 204: noContent } },
      },
      async (req, reply) => {
        await deleteSite(db, auth(req).scope, actor(req), req.params.id);
        return reply.status(204).send();
      },
    );

    app.get(
      '/sites/:id/inspections',
      {
        config: { permission: 'site:read' },
        schema: { tags: ['阵地'], summary: '检查记录', params: idParam, response: { 200: listOf(Inspection) } },
      },
      async (req) => listInspections(db, siteReadScope(auth(req)), countyOf(auth(req), deps), now(), req.params.id),
    );

    app.post(
      '/sites/:id/inspections',
      {
        config: { permission: 'site:inspect', attachesFiles: ['results.*.photoIds'] },
        schema: {
          tags: ['阵地'],
          summary: '按标准检查阵地（逐项结果与照片）',
          params: idParam,
          body: z.object({
            standardId: z.uuid('标准 ID 格式不正确').optional(),
            inspectedAt: z.coerce.date({ error: '检查时间格式不正确' }).optional(),
            results: z
              .array(
                z.object({
                  itemCode: z.string().min(1).max(40),
                  passed: z.boolean({ error: '请填写是否达标' }),
                  note: z.string().max(500).optional(),
                  photoIds: photoIds.optional(),
                }),
              )
              .min(1, '至少一个检查项结果')
              .max(50),
            note: z.string().max(2000).optional(),
          }),
          response: { 201: Inspection },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await inspectSite(db, auth(req).scope, actor(req), now(), req.params.id, req.body)),
    );

    app.get(
      '/standards',
      {
        config: { permission: 'site:read' },
        schema: { tags: ['阵地'], summary: '建设标准（检查清单）', response: { 200: listOf(Standard) } },
      },
      async (req) => ({ items: await listStandards(db, countyOf(auth(req), deps)) }),
    );

    app.post(
      '/standards',
      {
        config: { permission: 'standard:manage' },
        schema: { tags: ['阵地'], summary: '新增建设标准', body: standardBody, response: { 201: Standard } },
      },
      async (req, reply) =>
        reply.status(201).send(await createStandard(db, actor(req), countyOf(auth(req), deps), req.body)),
    );

    app.put(
      '/standards/:id',
      {
        config: { permission: 'standard:manage' },
        schema: {
          tags: ['阵地'],
          summary: '修改建设标准',
          params: idParam,
          body: standardBody,
          response: { 200: Standard },
        },
      },
      async (req) => updateStandard(db, actor(req), countyOf(auth(req), deps), req.params.id, req.body),
    );

    app.get(
      '/stats/coverage',
      {
        config: { permission: 'stats:read' },
        schema: {
          tags: ['统计'],
          summary: '实践站覆盖率与达标率',
          querystring: z.object({ regionCode: regionCode.optional() }),
          response: { 200: Coverage },
        },
      },
      async (req) => coverage(db, auth(req).scope, countyOf(auth(req), deps), now(), req.query.regionCode),
    );
  };
