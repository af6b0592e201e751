import { z } from 'zod';

/** What the files routes answer (named components of the OpenAPI document; the web's types come from them). */

export const UploadedFile = z
  .object({
    id: z.uuid(),
    url: z.string().meta({ description: '读取地址：/api/v1/files/{id}' }),
    mime: z.string(),
    size: z.number().int().meta({ description: '字节数' }),
    name: z.string().meta({ description: '上传时的文件名' }),
  })
  .meta({ id: 'UploadedFile', description: '已上传的文件' });

/** The file's bytes: images as their own type, other files as an attachment. */
export const FileContent = {
  description: '文件内容（图片按原类型返回，其他文件作为附件下载）',
  content: {
    'application/octet-stream': {
      schema: z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ type: 'string', format: 'binary' }),
    },
  },
};
