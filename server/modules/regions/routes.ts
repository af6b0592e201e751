import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { listOf } from '../../platform/responses.js';
import { listChildren, regionWithAncestors } from './service.js';
import { Region, RegionDetail } from './schema.js';

export const regionRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/regions',
      {
        config: { auth: false },
        schema: {
          tags: ['区划'],
          summary: '下级行政区划（不带 parent 返回县级根节点；公开数据，注册时也要用）',
          security: [],
          querystring: z.object({
            parent: z
              .string()
              .regex(/^\d{6,12}$/, '区划代码应为 6–12 位数字')
              .optional(),
          }),
          response: { 200: listOf(Region) },
        },
      },
      async (req) => ({ items: await listChildren(deps.database.db, req.query.parent ?? null) }),
    );

    app.get(
      '/regions/:code',
      {
        config: { auth: false },
        schema: {
          tags: ['区划'],
          summary: '区划详情及其上级',
          security: [],
          params: z.object({ code: z.string().regex(/^\d{6,12}$/, '区划代码应为 6–12 位数字') }),
          response: { 200: RegionDetail },
        },
      },
      async (req) => regionWithAncestors(deps.database.db, req.params.code),
    );
  };
