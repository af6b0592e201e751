import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { listOf } from '../../platform/responses.js';
import { actor, auth } from '../../platform/http.js';
import { countyOf } from '../accounts/service.js';
import { listChildren, regionWithAncestors, setPopulation } from './service.js';
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

    app.put(
      '/regions/:code/population',
      {
        config: { permission: 'setting:update' },
        schema: {
          tags: ['区划'],
          summary: '登记区划的常住人口（考核“每千人活跃志愿者”的分母；null 表示未登记，按登记家庭成员数计算）',
          params: z.object({ code: z.string().regex(/^\d{6,12}$/, '区划代码应为 6–12 位数字') }),
          body: z.object({
            population: z
              .number({ error: '常住人口应为整数' })
              .int('常住人口应为整数')
              .min(0, '常住人口不能小于 0')
              .max(100_000_000, '常住人口不正确')
              .nullable(),
          }),
          response: { 200: RegionDetail },
        },
      },
      async (req) =>
        setPopulation(
          deps.database.db,
          auth(req).scope,
          countyOf(auth(req), deps),
          actor(req),
          req.params.code,
          req.body.population,
        ),
    );
  };
