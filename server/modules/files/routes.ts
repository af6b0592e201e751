import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import type { Deps } from '../../platform/context.js';
import { contentDisposition, actor, auth } from '../../platform/http.js';
import { notFound } from '../../platform/errors.js';
import { checkImage, IMAGE_MAX_BYTES, readUpload } from '../../platform/files.js';
import { files } from '../../db/schema/index.js';
import { writeAudit } from '../../platform/audit.js';
import { countyOf } from '../accounts/service.js';
import { FileContent, UploadedFile } from './schema.js';
import { ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES_TEXT, checkAttachment } from './attachment.js';
import { fileUrl, storeFile, type FilePurpose } from './service.js';

export const fileRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    /** Keeps an upload (its kind already checked) with its audit event: the one way both upload routes store. */
    const keep = (
      req: FastifyRequest,
      purpose: FilePurpose,
      kind: { mime: string; ext: string },
      buf: Buffer,
      name: string,
    ) => {
      const a = auth(req);
      return deps.database.db.transaction(async (tx) => {
        const f = await storeFile(tx, deps.files, {
          countyCode: countyOf(a, deps),
          ownerId: a.userId,
          purpose,
          mime: kind.mime,
          ext: kind.ext,
          originalName: name,
          body: buf,
          now: deps.clock.now(),
        });
        await writeAudit(tx, actor(req), {
          action: 'file.upload',
          entity: 'file',
          entityId: f.id,
          detail: { mime: f.mime, size: f.size, sha256: f.sha256 },
        });
        return { id: f.id, url: fileUrl(f.id), mime: f.mime, size: f.size, name: f.originalName };
      });
    };

    app.post(
      '/files',
      {
        config: { permission: 'file:upload' },
        schema: {
          tags: ['文件'],
          summary: '上传图片（JPEG/PNG/WebP，5 MB 以内，multipart 字段 file）',
          response: { 201: UploadedFile },
        },
      },
      async (req, reply) => {
        const { buf, filename } = await readUpload(req, {
          maxBytes: IMAGE_MAX_BYTES,
          notMultipart: '请以 multipart/form-data 上传，文件字段名为 file',
          tooLarge: '图片不能超过 5 MB',
        });
        return reply.status(201).send(await keep(req, 'image', checkImage(buf), buf, filename));
      },
    );

    app.post(
      '/files/attachments',
      {
        config: { permission: 'file:upload' },
        schema: {
          tags: ['文件'],
          summary: `上传附件（${ATTACHMENT_TYPES_TEXT}，5 MB 以内，multipart 字段 file），如文章的附件`,
          response: { 201: UploadedFile },
        },
      },
      async (req, reply) => {
        const { buf, filename } = await readUpload(req, {
          maxBytes: ATTACHMENT_MAX_BYTES,
          notMultipart: '请以 multipart/form-data 上传，文件字段名为 file',
          tooLarge: '附件不能超过 5 MB',
        });
        const kind = checkAttachment(buf, filename);
        return reply.status(201).send(await keep(req, 'attachment', kind, buf, filename));
      },
    );

    app.get(
      '/files/:id',
      {
        config: { account: true },
        schema: {
          tags: ['文件'],
          summary: '读取上传的文件',
          params: z.object({ id: z.uuid('ID 格式不正确') }),
          response: { 200: FileContent },
        },
      },
      async (req, reply) => {
        const db = deps.database.db;
        const [f] = await db.select().from(files).where(eq(files.id, req.params.id));
        // readable exactly when a record holding it is readable by the caller (its uploader's until one holds it)
        if (!f || !(await app.fileHolders.canRead(db, req, f, auth(req).userId))) throw notFound('文件');
        const data = await deps.files.get(f.storageKey);
        if (!f.mime.startsWith('image/')) reply.header('content-disposition', contentDisposition(f.originalName));
        return reply
          .header('content-type', f.mime)
          .header('cache-control', 'private, max-age=86400')
          .header('x-content-type-options', 'nosniff')
          .send(data);
      },
    );
  };
