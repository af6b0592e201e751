import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth, can, pageQuery } from '../../platform/http.js';
import { pageOf } from '../../platform/responses.js';
import { idParam } from '../../platform/validation.js';
import { countyOf } from '../accounts/service.js';
import { myVolunteer } from '../volunteers/service.js';
import type { HoursCaller } from '../hours/service.js';
import {
  certificatePdf,
  getCertificate,
  issueCertificate,
  listCertificates,
  findCertificate,
  myCertificates,
  revokeCertificate,
  verifyCertificate,
} from './service.js';
import { Certificate, CertificateCheck, CertificateDetail, CertificateIssued, CertificatePdf } from './schema.js';

const date = (what: string) =>
  z
    .string({ error: `请填写${what}` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${what}格式应为 YYYY-MM-DD`)
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
    }, `${what}不存在`);
const period = { from: date('起始日期'), to: date('截止日期') };

export const certificateRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    const now = () => deps.clock.now();
    const caller = async (req: FastifyRequest): Promise<HoursCaller> => {
      const a = auth(req);
      return {
        actor: actor(req),
        userId: a.userId,
        countyCode: countyOf(a, deps),
        scope: a.scope,
        permissions: a.permissions,
        volunteerId: await myVolunteer(db, a.userId),
      };
    };
    const viewer = (req: FastifyRequest) => ({
      userId: auth(req).userId,
      scope: auth(req).scope,
      canIssue: can(req, 'certificate:issue'),
    });

    app.post(
      '/certificates',
      {
        config: { permission: 'certificate:issue' },
        schema: {
          tags: ['证明'],
          summary: '为管辖范围内的志愿者开具志愿服务证明（所选时段内须有已认定时长）',
          body: z.object({ volunteerId: z.uuid('志愿者 ID 格式不正确'), ...period }),
          response: { 201: CertificateIssued },
        },
      },
      async (req, reply) => {
        const row = await issueCertificate(db, await caller(req), now(), req.body, false);
        return reply.status(201).send({
          id: row.id,
          number: row.number,
          verifyCode: row.verifyCode,
          hours: Number(row.hours),
          pdfUrl: `/api/v1/certificates/${row.id}/pdf`,
        });
      },
    );

    app.post(
      '/me/certificates',
      {
        schema: {
          tags: ['证明'],
          summary: '志愿者为自己开具志愿服务证明',
          body: z.object(period),
          response: { 201: CertificateIssued },
        },
      },
      async (req, reply) => {
        const row = await issueCertificate(db, await caller(req), now(), req.body, true);
        return reply.status(201).send({
          id: row.id,
          number: row.number,
          verifyCode: row.verifyCode,
          hours: Number(row.hours),
          pdfUrl: `/api/v1/certificates/${row.id}/pdf`,
        });
      },
    );

    app.get(
      '/certificates',
      {
        config: { permission: 'certificate:issue' },
        schema: {
          tags: ['证明'],
          summary: '志愿服务证明列表（按数据权限；q 匹配证明编号、姓名、志愿者编号）',
          querystring: z.object({
            ...pageQuery,
            volunteerId: z.uuid('志愿者 ID 格式不正确').optional(),
            q: z.string().max(40).optional(),
          }),
          response: { 200: pageOf(Certificate) },
        },
      },
      async (req) => listCertificates(db, auth(req).scope, req.query),
    );

    app.get(
      '/me/certificates',
      {
        schema: {
          tags: ['证明'],
          summary: '我的志愿服务证明',
          querystring: z.object(pageQuery),
          response: { 200: pageOf(Certificate) },
        },
      },
      async (req) => myCertificates(db, auth(req).userId, req.query),
    );

    app.get(
      '/certificates/:id',
      {
        schema: {
          tags: ['证明'],
          summary: '志愿服务证明详情（含开具时的快照）',
          params: idParam,
          response: { 200: CertificateDetail },
        },
      },
      async (req) => getCertificate(db, viewer(req), req.params.id),
    );

    app.get(
      '/certificates/:id/pdf',
      {
        schema: {
          tags: ['证明'],
          summary: '下载志愿服务证明 PDF（A4，含电子印章与验证二维码）',
          params: idParam,
          querystring: z.object({ download: z.enum(['0', '1']).optional() }),
          response: { 200: CertificatePdf },
        },
      },
      async (req, reply) => {
        const { cert } = await findCertificate(db, viewer(req), req.params.id);
        const pdf = await certificatePdf(db, deps.files, cert, `${req.protocol}://${req.host}`);
        const name = encodeURIComponent(`志愿服务证明-${cert.number}.pdf`);
        return reply
          .header('content-type', 'application/pdf')
          .header('cache-control', 'private, no-store')
          .header(
            'content-disposition',
            `${req.query.download === '1' ? 'attachment' : 'inline'}; filename="${cert.number}.pdf"; ` +
              `filename*=UTF-8''${name}`,
          )
          .send(pdf);
      },
    );

    app.post(
      '/certificates/:id/revoke',
      {
        config: { permission: 'certificate:issue' },
        schema: {
          tags: ['证明'],
          summary: '作废志愿服务证明（须填写原因；作废后扫码验证显示无效）',
          params: idParam,
          body: z.object({
            reason: z.string({ error: '请填写作废原因' }).trim().min(2, '请填写作废原因（至少 2 个字）').max(500),
          }),
          response: { 200: CertificateDetail },
        },
      },
      async (req) => {
        await revokeCertificate(db, await caller(req), now(), req.params.id, req.body.reason);
        return getCertificate(db, viewer(req), req.params.id);
      },
    );

    app.get(
      '/public/certificates/:verifyCode',
      {
        config: { auth: false },
        schema: {
          tags: ['证明'],
          summary: '扫码验证志愿服务证明（无需登录；姓名部分隐去；作废的证明 valid 为 false）',
          security: [],
          params: z.object({ verifyCode: z.string().min(1).max(64) }),
          response: { 200: CertificateCheck },
        },
      },
      async (req) => verifyCertificate(db, req.params.verifyCode),
    );
  };
