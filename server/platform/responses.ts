import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorCodes } from './errors.js';

/**
 * Response schemas: what every route answers, declared with zod next to the module (`<module>/schema.ts`), named
 * with `.meta({ id })` so that the OpenAPI document (and the web's generated types) carry them as components.
 *
 * How answers are checked and written (docs/DECISIONS.md, "Response schemas"):
 * - the body is always written with plain `JSON.stringify` (cached pages are sent as the Buffer they are);
 * - with `responseCheck: 'strict'` (tests, `npm run dev`, the browser tests) every JSON answer of a route that
 *   declares a schema for its status is parsed back and checked against it: a wrong type, a missing field or a
 *   field the schema does not declare answers 500 naming the field, so a schema cannot drift from the code;
 * - with `'off'` (production) nothing is checked on the hot path.
 */
export type ResponseCheck = 'strict' | 'off';

/** A timestamp: a Date in the code, an ISO 8601 string on the wire (what JSON.stringify writes for a Date). */
export const dateTime = z.codec(z.iso.datetime({ offset: true }), z.date(), {
  decode: (s) => new Date(s),
  encode: (d) => d.toISOString(),
});
/** A timestamp the code already holds as ISO 8601 text (JSON built by the database, presenters that format it). */
export const isoDateTime = z.iso.datetime({ offset: true });
/** A calendar date, `YYYY-MM-DD`. */
export const isoDate = z.iso.date();

export const ErrorDetail = z
  .object({ path: z.string(), message: z.string() })
  .meta({ id: 'ErrorDetail', description: '出错的字段（路径以点分隔，如 results.0.itemCode）及其中文说明' });

/** The one error envelope of API.md, for every 4xx and 5xx answer. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      details: z.array(ErrorDetail),
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: 'ErrorResponse', description: '错误：code 为错误码，message 为中文说明，details 指明出错的字段' });

/** 204: nothing in the body. */
export const noContent = z.undefined().meta({ description: '成功，无返回内容' });

/** A paged list: `{ items, total, page, pageSize }` (API.md). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  });

/** `{ items }`: a short list that is not paged. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** A file the API serves, as the answers refer to it. */
export const FileRef = z.object({ id: z.uuid(), url: z.string() }).meta({ id: 'FileRef' });

/**
 * Sends JSON text built elsewhere (by the database, or a cached page as a Buffer) as it is, without parsing it and
 * serialising it again. The route still declares its schema: strict mode checks these bytes against it too.
 */
export const sendJsonText = <R extends { type(contentType: string): R; send(payload?: unknown): R }>(
  reply: R,
  body: string | Buffer,
) => reply.type('application/json; charset=utf-8').send(body);

const errorResponses = { '4XX': ErrorResponse, '5XX': ErrorResponse };

type ResponseSchemas = Record<string, unknown>;

/**
 * Gives every route that declares its answers the error envelope for 4XX and 5XX as well, and, in strict mode,
 * checks what each route answers against its declared schema. Register before the modules' routes.
 */
export function registerResponses(app: FastifyInstance, mode: ResponseCheck) {
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onRoute', (route) => {
    const declared = route.schema?.response as ResponseSchemas | undefined;
    if (declared) route.schema!.response = { ...errorResponses, ...declared };
  });
  if (mode === 'strict') app.addHook('onSend', checkResponse);
}

async function checkResponse(req: FastifyRequest, reply: FastifyReply, payload: unknown) {
  const declared = req.routeOptions.schema?.response as ResponseSchemas | undefined;
  if (!declared) return payload;
  const status = reply.statusCode;
  const entry = declared[status] ?? declared[`${String(status)[0]}XX`] ?? declared.default;
  const where = `${req.method} ${req.routeOptions.url} ${status}`;
  if (!entry) {
    // a route that declares what it answers on success must declare every success status it uses
    const declaresSuccess = Object.keys(declared).some((k) => k.startsWith('2'));
    return declaresSuccess && status < 300
      ? violation(req, reply, where, [`状态码 ${status} 未在接口文档中声明`])
      : payload;
  }
  const schema = jsonSchemaOf(entry);
  if (!schema) return payload; // an answer in another media type (a file)
  const type = String(reply.getHeader('content-type') ?? '');
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
  if (text === null || (text !== '' && !type.includes('json'))) return payload; // streams and files
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    return violation(req, reply, where, ['响应不是合法的 JSON']);
  }
  const result = schema.safeParse(body);
  const problems = result.success
    ? unknownKeys(body, result.data, '').map((p) => `${p}：字段未在接口文档中声明`)
    : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}：${i.message}`);
  return problems.length ? violation(req, reply, where, problems) : payload;
}

/** The zod schema of a declared response: itself, or its JSON media type's when it lists media types. */
function jsonSchemaOf(entry: unknown): z.ZodType | null {
  if (entry instanceof z.ZodType) return entry;
  const content = (entry as { content?: Record<string, { schema?: unknown }> }).content;
  const schema = content?.['application/json']?.schema;
  return schema instanceof z.ZodType ? schema : null;
}

/** Paths of object keys in what was sent that the schema's output dropped (zod strips undeclared keys). */
export function unknownKeys(sent: unknown, parsed: unknown, at: string): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed))
    return sent.flatMap((v, i) => unknownKeys(v, parsed[i], at ? `${at}.${i}` : String(i)));
  if (!isPlainObject(sent) || !isPlainObject(parsed)) return [];
  return Object.keys(sent).flatMap((k) => {
    const path = at ? `${at}.${k}` : k;
    return k in parsed ? unknownKeys(sent[k], parsed[k], path) : [path];
  });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** A response that does not match its schema: 500, naming the route and the fields (strict mode only). */
function violation(req: FastifyRequest, reply: FastifyReply, where: string, problems: string[]) {
  req.log.error({ where, problems }, '应答与其声明的结构不符');
  reply.code(500).type('application/json; charset=utf-8');
  return JSON.stringify({
    error: {
      code: 'INTERNAL',
      message: `响应不符合接口文档（${where}）：${problems.slice(0, 5).join('；')}`,
      details: problems.slice(0, 20).map((p) => ({ path: p.split('：')[0], message: p })),
      requestId: req.id,
    },
  });
}

type Operation = { responses?: Record<string, { description?: string }> };
const responseDescriptions: Record<string, string> = {
  '200': '成功',
  '201': '已创建',
  '202': '已受理，在后台进行',
  '204': '成功，无返回内容',
  '4XX': '请求有误、未登录、无权限、记录不存在（或不在数据权限内）、与当前状态冲突或过于频繁，见 error.code',
  '5XX': '服务器内部错误（附请求编号）',
};

/**
 * The document's components: every named zod schema (`.meta({ id })`), as the type provider writes them (an input
 * variant `<Id>Input` beside each output one), less those no operation refers to.
 */
export const transformDocument: SwaggerTransformObject = (document) => {
  const doc = jsonSchemaTransformObject(document) as { components?: { schemas?: Record<string, unknown> } };
  const schemas = doc.components?.schemas;
  if (!schemas) return doc as ReturnType<SwaggerTransformObject>;
  const used = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
        const id = v.slice('#/components/schemas/'.length);
        if (!used.has(id)) {
          used.add(id);
          visit(schemas[id]);
        }
      } else visit(v);
    }
  };
  visit({ ...doc, components: { ...doc.components, schemas: {} } });
  doc.components!.schemas = Object.fromEntries(Object.entries(schemas).filter(([id]) => used.has(id)));
  for (const item of Object.values((doc as { paths?: Record<string, Record<string, Operation>> }).paths ?? {}))
    for (const op of Object.values(item))
      for (const [status, r] of Object.entries(op.responses ?? {}))
        if (r.description === 'Default Response' && responseDescriptions[status])
          r.description = responseDescriptions[status];
  return doc as ReturnType<SwaggerTransformObject>;
};
