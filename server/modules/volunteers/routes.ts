import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { contentDisposition, actor, auth, can, pageQuery } from '../../platform/http.js';
import { idParam, phoneSchema, regionCodeSchema } from '../../platform/validation.js';
import { AppError } from '../../platform/errors.js';
import { readUpload } from '../../platform/files.js';
import { systemScope } from '../../platform/scope.js';
import { getJob } from '../../platform/jobs.js';
import { afterQuery, listsOf } from '../../platform/lists.js';
import { sendJsonText } from '../../platform/responses.js';
import { countyOf } from '../accounts/service.js';
import {
  ConsentTexts,
  Job,
  JobAccepted,
  Volunteer,
  VolunteerDetail,
  VolunteerImportResult,
  VolunteerPage,
  VolunteerReveal,
  XlsxContent,
} from './schema.js';
import {
  consentPurposes,
  getVolunteer,
  listVolunteers,
  myVolunteer,
  politicalStatuses,
  present,
  registerVolunteer,
  revealVolunteer,
  updateVolunteer,
  userCounty,
  verifyVolunteer,
} from './service.js';
import { buildTemplate, importJob, IMPORT_MAX_BYTES, startImport, vacuumJob, writeRoster, XLSX_MIME } from './excel.js';

const regionCode = regionCodeSchema;
const phone = phoneSchema;
const tags = z.array(z.string().trim().min(1).max(30)).max(30);
const profile = {
  skills: tags.optional(),
  categories: z.array(z.string().min(1).max(40)).max(20).optional(),
  availability: z.string().max(100).optional(),
  serviceArea: z.string().max(100).optional(),
  politicalStatus: z
    .enum(politicalStatuses, { error: `政治面貌应为 ${politicalStatuses.join('、')} 之一` })
    .or(z.literal(''))
    .optional(),
  education: z.string().max(20).optional(),
  occupation: z.string().max(40).optional(),
  guardianName: z.string().trim().max(30).nullish(),
  guardianPhone: phone.nullish(),
  guardianRelation: z.string().max(20).nullish(),
};
const registerBody = z.object({
  name: z.string().trim().min(1, '姓名不能为空').max(30),
  idNumber: z.string().trim().min(1, '身份证号不能为空').max(30),
  phone: phone.nullish(),
  regionCode,
  ...profile,
  guardianConsent: z.boolean().optional(),
  consentToRegistration: z.boolean().optional(),
  verified: z.boolean().optional(),
});

async function readXlsx(req: FastifyRequest) {
  const { buf } = await readUpload(req, {
    maxBytes: IMPORT_MAX_BYTES,
    notMultipart: '请以 multipart/form-data 上传 .xlsx 文件，字段名为 file',
    tooLarge: '导入文件不能超过 20 MB，请分批导入',
  });
  return buf;
}

export const volunteerRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    const importDeps = { db, crypto: deps.crypto, files: deps.files, jobs: deps.jobs };
    deps.jobs.define(importJob(importDeps));
    deps.jobs.define(vacuumJob(db));
    const lists = listsOf(deps);
    const viewer = (req: FastifyRequest) => {
      const a = auth(req);
      return { scope: a.scope, userId: a.userId, canVerify: can(req, 'volunteer:verify') };
    };

    app.get(
      '/volunteers',
      {
        config: { permission: 'volunteer:read' },
        schema: {
          tags: ['志愿者'],
          summary: '志愿者列表（q 匹配姓名、拼音、首字母、编号、手机号、身份证号）',
          querystring: z.object({
            ...pageQuery,
            q: z.string().max(40).optional(),
            regionCode: regionCode.optional(),
            verified: z
              .enum(['true', 'false'])
              .transform((v) => v === 'true')
              .optional(),
            category: z.string().max(40).optional(),
            teamId: z.uuid().optional(),
            ...afterQuery,
          }),
          response: { 200: VolunteerPage },
        },
      },
      async (req, reply) => {
        const a = auth(req);
        return sendJsonText(reply, await listVolunteers(lists, db, a.scope, countyOf(a, deps), deps.crypto, req.query));
      },
    );

    app.post(
      '/volunteers',
      {
        schema: {
          tags: ['志愿者'],
          summary: '登记志愿者：工作人员代为登记，或群众本人注册（实名：GB 11643 校验）',
          body: registerBody,
          response: { 201: Volunteer },
        },
      },
      async (req, reply) => {
        const a = auth(req);
        if (can(req, 'volunteer:create')) {
          const row = await registerVolunteer(db, deps.crypto, actor(req), a.scope, now(), req.body, {
            source: 'staff',
            verified: req.body.verified ?? false,
          });
          return reply.status(201).send(present(row, row.regionName));
        }
        const u = await userCounty(db, a.userId);
        const row = await registerVolunteer(db, deps.crypto, actor(req), systemScope, now(), req.body, {
          source: 'self',
          userId: a.userId,
          verified: false,
          countyCode: u.countyCode ?? countyOf(a),
        });
        return reply.status(201).send(present(row, row.regionName));
      },
    );

    app.get(
      '/volunteers/consent-texts',
      { schema: { tags: ['志愿者'], summary: '个人信息处理的同意文本及版本', response: { 200: ConsentTexts } } },
      async () => ({ items: Object.entries(consentPurposes).map(([purpose, c]) => ({ purpose, ...c })) }),
    );

    app.get(
      '/volunteers/me',
      { schema: { tags: ['志愿者'], summary: '本人的志愿者档案（未注册时 404）', response: { 200: VolunteerDetail } } },
      async (req) => {
        const a = auth(req);
        const id = await myVolunteer(db, a.userId);
        if (!id) throw new AppError('NOT_FOUND', '您还没有注册志愿者');
        const self = { userId: a.userId, all: false, subtrees: [], regions: [], self: true };
        return getVolunteer(db, { scope: self, userId: a.userId, canVerify: false }, id);
      },
    );

    app.get(
      '/volunteers/import/template',
      {
        config: { permission: 'volunteer:import' },
        schema: { tags: ['志愿者'], summary: '下载导入模板（.xlsx）', response: { 200: XlsxContent } },
      },
      async (req, reply) => {
        const buf = await buildTemplate(db, countyOf(auth(req), deps));
        return reply
          .header('content-type', XLSX_MIME)
          .header('content-disposition', contentDisposition('志愿者导入模板.xlsx'))
          .send(buf);
      },
    );

    app.post(
      '/volunteers/import',
      {
        config: { permission: 'volunteer:import' },
        schema: {
          tags: ['志愿者'],
          summary: '从模板批量导入（multipart 字段 file）；?async=1 立即返回任务编号，用 GET /jobs/:id 查询进度',
          querystring: z.object({ async: z.enum(['0', '1']).optional() }),
          response: { 200: VolunteerImportResult, 202: JobAccepted },
        },
      },
      async (req, reply) => {
        const buf = await readXlsx(req);
        const a = auth(req);
        const { jobId, result } = await startImport(importDeps, actor(req), a.scope, countyOf(a, deps), now(), buf, {
          wait: req.query.async !== '1',
        });
        // asked to wait, but the job did not finish here (the server is stopping, or an error it will retry): it goes
        // on
        return result ?? reply.status(202).send({ jobId, statusUrl: `/api/v1/jobs/${jobId}` });
      },
    );

    app.get(
      '/volunteers/export',
      {
        config: { permission: 'volunteer:export' },
        schema: {
          tags: ['志愿者'],
          summary: '导出花名册（.xlsx，身份证号与手机号脱敏）',
          querystring: z.object({ regionCode: regionCode.optional() }),
          response: { 200: XlsxContent },
        },
      },
      async (req, reply) => {
        const stream = new PassThrough();
        writeRoster(db, auth(req).scope, stream, req.query).catch((e) => {
          req.log.error({ err: e }, '花名册导出失败');
          stream.destroy(e);
        });
        return reply
          .header('content-type', XLSX_MIME)
          .header('content-disposition', contentDisposition('志愿者花名册.xlsx'))
          .send(stream);
      },
    );

    app.get(
      '/volunteers/:id',
      {
        config: { permission: 'volunteer:read' },
        schema: {
          tags: ['志愿者'],
          summary: '志愿者详情（脱敏）',
          params: idParam,
          response: { 200: VolunteerDetail },
        },
      },
      async (req) => getVolunteer(db, viewer(req), req.params.id),
    );

    app.patch(
      '/volunteers/:id',
      {
        config: { permission: 'volunteer:update' },
        schema: {
          tags: ['志愿者'],
          summary: '修改志愿者信息（身份证号不可修改）',
          params: idParam,
          body: z.object({
            name: z.string().trim().min(1).max(30).optional(),
            phone: phone.nullish(),
            regionCode: regionCode.optional(),
            ...profile,
          }),
          response: { 200: VolunteerDetail },
        },
      },
      async (req) => {
        await updateVolunteer(db, deps.crypto, actor(req), auth(req).scope, now(), req.params.id, req.body);
        return getVolunteer(db, viewer(req), req.params.id);
      },
    );

    app.post(
      '/volunteers/:id/verify',
      {
        config: { permission: 'volunteer:verify' },
        schema: {
          tags: ['志愿者'],
          summary: '实名核验通过（已核对身份证原件）；已核验的答 409',
          params: idParam,
          response: { 200: VolunteerDetail },
        },
      },
      async (req) => {
        await verifyVolunteer(db, actor(req), viewer(req), now(), req.params.id);
        return getVolunteer(db, viewer(req), req.params.id);
      },
    );

    app.post(
      '/volunteers/:id/reveal',
      {
        config: { permission: 'volunteer:reveal' },
        schema: {
          tags: ['志愿者'],
          summary: '查看完整身份证号或手机号（记入审计）',
          params: idParam,
          body: z.object({
            field: z.enum(['idNumber', 'phone', 'guardianPhone'], {
              error: '字段应为 idNumber、phone 或 guardianPhone',
            }),
            reason: z.string().trim().min(2, '请说明查看原因').max(200),
          }),
          response: { 200: VolunteerReveal },
        },
      },
      async (req) =>
        revealVolunteer(db, deps.crypto, actor(req), auth(req).scope, req.params.id, req.body.field, req.body.reason),
    );

    app.get(
      '/jobs/:id',
      {
        config: { account: true },
        schema: { tags: ['任务'], summary: '后台任务进度', params: idParam, response: { 200: Job } },
      },
      async (req) => getJob(db, req.params.id, auth(req).userId),
    );
  };
