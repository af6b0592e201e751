import { z } from 'zod';
import { dateTime, isoDate } from '../../platform/responses.js';
import { certificateMachine } from './transitions.js';

/** What the certificate routes answer (named components of the OpenAPI document; the web's types come from them). */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];

export const CertificateState = z
  .enum(keys(certificateMachine.states))
  .meta({ id: 'CertificateState', description: '证明状态：有效 / 已作废' });
export const CertificateAction = z
  .enum(keys(certificateMachine.transitions))
  .meta({ id: 'CertificateAction', description: '证明的操作：作废' });

export const CertificateIssued = z
  .object({ id: z.uuid(), number: z.string(), verifyCode: z.string(), hours: z.number(), pdfUrl: z.string() })
  .meta({ id: 'CertificateIssued', description: '已开具的证明' });

export const Certificate = z
  .object({
    id: z.uuid(),
    number: z.string(),
    verifyCode: z.string(),
    volunteerId: z.uuid(),
    volunteerName: z.string(),
    volunteerNo: z.string(),
    periodFrom: isoDate,
    periodTo: isoDate,
    hours: z.number(),
    issuerName: z.string().nullable(),
    issuedAt: dateTime,
    state: CertificateState,
    revokedAt: dateTime.nullable(),
    revokeReason: z.string().nullable(),
    valid: z.boolean(),
    pdfUrl: z.string(),
    actions: z.array(CertificateAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
  })
  .meta({ id: 'Certificate', description: '志愿服务证明' });

export const CertificateDetail = Certificate.extend({
  snapshot: z.object({
    name: z.string(),
    idType: z.string(),
    idTypeName: z.string(),
    idMasked: z.string(),
    volunteerNo: z.string(),
    issuer: z.object({ name: z.string(), personInCharge: z.string(), handler: z.string(), contact: z.string() }),
    content: z.array(z.object({ title: z.string(), date: z.string(), hours: z.number() })),
  }),
}).meta({ id: 'CertificateDetail', description: '志愿服务证明详情（含开具时的快照）' });

export const CertificateCheck = z
  .object({
    valid: z.boolean(),
    number: z.string(),
    hours: z.number(),
    issuer: z.string(),
    issuedAt: dateTime,
    name: z.string().meta({ description: '姓名（部分隐去）' }),
    volunteerNo: z.string(),
    periodFrom: isoDate,
    periodTo: isoDate,
    revokedAt: dateTime.nullable(),
  })
  .meta({ id: 'CertificateCheck', description: '扫码验证结果' });

/** The PDF's bytes. */
export const CertificatePdf = {
  description: '志愿服务证明 PDF',
  content: {
    'application/pdf': {
      schema: z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ type: 'string', format: 'binary' }),
    },
  },
};
