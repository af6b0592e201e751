import { PassThrough, Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { actor, auth } from '../../platform/http.js';
import { regionCodeSchema } from '../../platform/validation.js';
import { monthSchema } from '../plans/month.js';
import { defaultRegion, requireRegionParam } from '../plans/service.js';
import {
  auditExport,
  ledgerDisposition,
  ledgerKinds,
  ledgerRegion,
  writeLedger,
  XLSX_MIME,
  type LedgerKind,
} from './service.js';

const summaries: Record<LedgerKind, string> = {
  activities: '导出活动台账（.xlsx，逐行流式输出）：当月开展的活动、报名与签到人数、服务对象',
  attendance: '导出签到台账（.xlsx，逐行流式输出）：当月活动的报名、签到签退、缺席与认定时长',
  hours: '导出服务时长台账（.xlsx，逐行流式输出）：当月按服务日期的时长记录（含冲正）',
};

/** A ledger is an Excel workbook, streamed. */
const LedgerFile = {
  description: '台账（Excel 工作簿，文件名见 Content-Disposition）',
  content: {
    [XLSX_MIME]: {
      schema: z.custom<Readable>((v) => v instanceof Readable).meta({ type: 'string', format: 'binary' }),
    },
  },
};

export const ledgerRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    const db = deps.database.db;
    for (const kind of Object.keys(ledgerKinds) as LedgerKind[]) {
      app.get(
        `/ledgers/${kind}`,
        {
          config: { permission: 'ledger:export' },
          schema: {
            tags: ['台账与报送'],
            summary: summaries[kind],
            querystring: z.object({ regionCode: regionCodeSchema.optional(), month: monthSchema }),
            response: { 200: LedgerFile },
          },
        },
        async (req, reply) => {
          const a = auth(req);
          const region = await ledgerRegion(db, a.scope, requireRegionParam(req.query.regionCode ?? defaultRegion(a)));
          await auditExport(db, actor(req), kind, region, req.query.month);
          const stream = new PassThrough();
          writeLedger(db, a.scope, kind, region, req.query.month, stream).catch((e) => {
            req.log.error({ err: e }, '台账导出失败');
            stream.destroy(e);
          });
          return reply
            .header('content-type', XLSX_MIME)
            .header('content-disposition', ledgerDisposition(kind, region, req.query.month))
            .header('cache-control', 'no-store')
            .send(stream);
        },
      );
    }
  };
