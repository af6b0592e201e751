import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, can, pageQuery } from '../../platform/http.js';
import { idParam, regionCodeSchema } from '../../platform/validation.js';
import { AppError } from '../../platform/errors.js';
import { countyOf } from '../accounts/service.js';
import { teamAccess } from '../../platform/scope.js';
import { noContent } from '../../platform/responses.js';
import {
  MembershipStatus,
  MyTeams,
  TeamCategory,
  TeamCategoryList,
  TeamDetail,
  TeamMemberList,
  TeamPage,
  TeamTree,
} from './schema.js';
import {
  addCategory,
  addMember,
  categoryList,
  createTeam,
  decideMember,
  getTeam,
  listMembers,
  listTeams,
  removeMember,
  teamsForVolunteer,
  teamTree,
  updateTeam,
} from './service.js';

const regionCode = regionCodeSchema;
const memberParam = z.object({ id: z.uuid('ID 格式不正确'), volunteerId: z.uuid('志愿者 ID 格式不正确') });
const level = z.enum(['corps', 'brigade', 'squad'], {
  error: '队伍层级应为 corps（总队）、brigade（支队）或 squad（分队）',
});
const teamBody = z.object({
  name: z.string().trim().min(2, '队名至少 2 个字').max(60),
  level,
  category: z.string().trim().min(1, '请选择服务类别').max(40),
  regionCode,
  parentId: z.uuid('上级队伍 ID 格式不正确').nullish(),
  siteId: z.uuid('阵地 ID 格式不正确').nullish(),
  leaderVolunteerId: z.uuid('队长 ID 格式不正确').nullish(),
  isBrand: z.boolean().optional(),
  description: z.string().max(2000).optional(),
});

export const teamRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    const caller = (req: FastifyRequest) => {
      const a = auth(req);
      return {
        actor: actor(req),
        scope: a.scope,
        volunteerId: teamAccess(a.scope).volunteerId,
        canManage: can(req, 'team:manage'),
      };
    };

    app.get(
      '/team-categories',
      {
        schema: {
          response: { 200: TeamCategoryList },
          tags: ['队伍'],
          summary: '服务类别（8 个常设类别 + 本县自定义）',
        },
      },
      async (req) => ({ items: await categoryList(db, countyOf(auth(req), deps)) }),
    );

    app.post(
      '/team-categories',
      {
        config: { permission: 'team:manage' },
        schema: {
          response: { 201: TeamCategory },
          tags: ['队伍'],
          summary: '新增自定义服务类别',
          body: z.object({
            code: z
              .string()
              .trim()
              .regex(/^[a-z][a-z0-9_]{1,39}$/, '编码为 2–40 位小写字母、数字或下划线'),
            name: z.string().trim().min(2).max(20),
          }),
        },
      },
      async (req, reply) =>
        reply.status(201).send(await addCategory(db, actor(req), countyOf(auth(req), deps), req.body)),
    );

    app.get(
      '/teams',
      {
        schema: {
          response: { 200: TeamPage },
          tags: ['队伍'],
          summary: '志愿服务队列表；inactive=true 列出连续 N 天（设置 teams.inactiveDays）无活动、无接单的队伍',
          querystring: z.object({
            ...pageQuery,
            q: z.string().max(40).optional(),
            level: level.optional(),
            category: z.string().max(40).optional(),
            regionCode: regionCode.optional(),
            parentId: z.uuid().optional(),
            inactive: z
              .enum(['true', 'false'])
              .transform((v) => v === 'true')
              .optional(),
            isBrand: z
              .enum(['true', 'false'])
              .transform((v) => v === 'true')
              .optional(),
          }),
        },
      },
      async (req) => listTeams(db, auth(req).scope, countyOf(auth(req), deps), now(), req.query),
    );

    app.get(
      '/teams/tree',
      { schema: { response: { 200: TeamTree }, tags: ['队伍'], summary: '队伍树（总队 → 支队 → 分队）' } },
      async (req) => teamTree(db, auth(req).scope, countyOf(auth(req), deps), now()),
    );

    app.get(
      '/teams/mine',
      { schema: { response: { 200: MyTeams }, tags: ['队伍'], summary: '我的队伍与可加入的队伍（志愿者）' } },
      async (req) => {
        const vid = teamAccess(auth(req).scope).volunteerId;
        if (!vid) throw new AppError('NOT_FOUND', '您还没有注册志愿者，请先注册');
        return teamsForVolunteer(db, vid);
      },
    );

    app.post(
      '/teams',
      {
        config: { permission: 'team:manage' },
        schema: { response: { 201: TeamDetail }, tags: ['队伍'], summary: '新建志愿服务队', body: teamBody },
      },
      async (req, reply) => {
        const id = await createTeam(db, actor(req), auth(req).scope, req.body, now());
        return reply.status(201).send(await getTeam(db, auth(req).scope, countyOf(auth(req), deps), now(), id));
      },
    );

    app.get(
      '/teams/:id',
      { schema: { response: { 200: TeamDetail }, tags: ['队伍'], summary: '队伍详情', params: idParam } },
      async (req) => getTeam(db, auth(req).scope, countyOf(auth(req), deps), now(), req.params.id),
    );

    app.patch(
      '/teams/:id',
      {
        config: { permission: 'team:manage' },
        schema: {
          response: { 200: TeamDetail },
          tags: ['队伍'],
          summary: '修改队伍',
          params: idParam,
          body: teamBody.partial(),
        },
      },
      async (req) => {
        await updateTeam(db, actor(req), auth(req).scope, req.params.id, req.body);
        return getTeam(db, auth(req).scope, countyOf(auth(req), deps), now(), req.params.id);
      },
    );

    app.get(
      '/teams/:id/members',
      {
        schema: {
          response: { 200: TeamMemberList },
          tags: ['队伍'],
          summary: '队员与入队申请',
          params: idParam,
          querystring: z.object({ status: z.enum(['active', 'pending']).optional() }),
        },
      },
      async (req) => {
        await getTeam(db, auth(req).scope, countyOf(auth(req), deps), now(), req.params.id);
        return listMembers(db, req.params.id, req.query.status);
      },
    );

    app.post(
      '/teams/:id/members',
      {
        schema: {
          response: { 201: MembershipStatus },
          tags: ['队伍'],
          summary: '添加队员（管理员、队长）或申请入队（志愿者本人）',
          params: idParam,
          body: z.object({ volunteerId: z.uuid('志愿者 ID 格式不正确'), note: z.string().max(200).optional() }),
        },
      },
      async (req, reply) =>
        reply.status(201).send(await addMember(db, caller(req), req.params.id, req.body.volunteerId, req.body.note)),
    );

    app.post(
      '/teams/:id/join',
      {
        schema: {
          response: { 201: MembershipStatus },
          tags: ['队伍'],
          summary: '申请加入队伍（志愿者本人）',
          params: idParam,
          body: z.object({ note: z.string().max(200).optional() }).nullish(),
        },
      },
      async (req, reply) => {
        const c = caller(req);
        if (!c.volunteerId) throw new AppError('NOT_FOUND', '您还没有注册志愿者，请先注册');
        return reply
          .status(201)
          .send(await addMember(db, { ...c, canManage: false }, req.params.id, c.volunteerId, req.body?.note));
      },
    );

    app.post(
      '/teams/:id/members/:volunteerId/approve',
      { schema: { response: { 200: MembershipStatus }, tags: ['队伍'], summary: '同意入队申请', params: memberParam } },
      async (req) => decideMember(db, caller(req), req.params.id, req.params.volunteerId, true),
    );

    app.post(
      '/teams/:id/members/:volunteerId/reject',
      {
        schema: {
          response: { 200: MembershipStatus },
          tags: ['队伍'],
          summary: '拒绝入队申请',
          params: memberParam,
          body: z.object({ reason: z.string().max(200).optional() }).nullish(),
        },
      },
      async (req) => decideMember(db, caller(req), req.params.id, req.params.volunteerId, false, req.body?.reason),
    );

    app.delete(
      '/teams/:id/members/:volunteerId',
      { schema: { response: { 204: noContent }, tags: ['队伍'], summary: '移出队员或本人退出', params: memberParam } },
      async (req, reply) => {
        await removeMember(db, caller(req), req.params.id, req.params.volunteerId);
        return reply.status(204).send();
      },
    );
  };
