import type { FastifyInstance, FastifyRequest } from 'fastify';
import { inArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { files } from '../db/schema/index.js';
import { AppError, invalid } from './errors.js';

/**
 * Which records hold a file, and whether the caller may read them: the one rule for reading an uploaded file
 * (`GET /files/:id`). Every module whose records keep file ids (photos, evidence, attachments, images) declares a
 * holder in its route plugin; a file is readable exactly when one record holding it is readable by the caller —
 * through that module's own scoped loader, so visibility has one definition per aggregate — and a file no record
 * holds yet (just uploaded) only by its uploader. See docs/DECISIONS.md, "Files are read through the records
 * that hold them".
 */
export type FileHolder = {
  /** The holding records' kind, for logs and tests (`wish`, `order` …). */
  kind: string;
  /**
   * One SELECT giving `id` (text) of every record of this kind that holds the file, whoever asks (a jsonb
   * containment or an equality on the record's file column).
   */
  holding: (fileId: string) => SQL;
  /**
   * Whether the caller may read the record: the module's scoped loader (the same answer as its detail route,
   * permission included) or a public page showing this very file. Out of scope → false.
   */
  readable: (req: FastifyRequest, recordId: string, fileId: string) => Promise<boolean>;
};

export class FileHolders {
  private readonly holders = new Map<string, FileHolder>();

  define(h: FileHolder) {
    this.holders.set(h.kind, h);
  }

  get kinds() {
    return [...this.holders.keys()];
  }

  /** Every record that holds the file, in one query over all kinds. */
  async holdersOf(db: DbOrTx, fileId: string): Promise<{ kind: string; id: string }[]> {
    if (!this.holders.size) return [];
    const parts = [...this.holders.values()].map(
      (h) => sql`select ${h.kind}::text as kind, held.id::text as id from (${h.holding(fileId)}) held`,
    );
    const { rows } = await db.execute<{ kind: string; id: string }>(sql.join(parts, sql` union all `));
    return rows;
  }

  /** Whether the caller may read the file (its uploader, while no record holds it). */
  async canRead(db: DbOrTx, req: FastifyRequest, file: { id: string; ownerId: string | null }, userId: string) {
    const held = await this.holdersOf(db, file.id);
    if (!held.length) return file.ownerId === userId;
    for (const h of held) {
      if (await readableOrNot(() => this.holders.get(h.kind)!.readable(req, h.id, file.id))) return true;
    }
    return false;
  }
}

/**
 * The body fields of a route that attach uploaded files to a record (`photoIds`, `evidenceFileIds`,
 * `results.*.photoIds`: `*` walks an array): `config: { attachesFiles: [...] }`.
 */
export type AttachedFileFields = string[];

/** The file ids named at a body path (`a.*.b`), each with the field that names it (an array field: the field). */
function idsAt(value: unknown, path: string[], at: string[] = []): { id: string; path: string }[] {
  if (value == null) return [];
  if (!path.length) {
    if (typeof value === 'string') return [{ id: value, path: at.join('.') }];
    if (Array.isArray(value))
      return value.flatMap((v) => (typeof v === 'string' ? [{ id: v, path: at.join('.') }] : []));
    return [];
  }
  const [head, ...rest] = path;
  if (head === '*') return Array.isArray(value) ? value.flatMap((v, i) => idsAt(v, rest, [...at, String(i)])) : [];
  if (typeof value !== 'object') return [];
  return idsAt((value as Record<string, unknown>)[head], rest, [...at, head]);
}

/**
 * Attaching a file to a record makes it readable through that record, so a caller may attach only what they may
 * already read: a file of their county that they uploaded, or that a record readable by them holds (the rule of
 * `GET /files/:id`). Anything else answers 400 naming the field. An id of no file at all is left to the module's own
 * check (each answers it as it always has: 400 naming the field).
 */
async function checkAttachedFiles(holders: FileHolders, db: DbOrTx, req: FastifyRequest, fields: AttachedFileFields) {
  const named = fields.flatMap((f) => idsAt(req.body, f.split('.')));
  const ctx = req.authCtx;
  if (!named.length || !ctx) return; // a public route attaches nothing
  const found = await db
    .select({ id: files.id, ownerId: files.ownerId, countyCode: files.countyCode })
    .from(files)
    .where(inArray(files.id, [...new Set(named.map((n) => n.id))]));
  const refused = new Set<string>();
  for (const f of found) {
    const sameCounty = f.countyCode === null || f.countyCode === ctx.countyCode;
    const mine = f.ownerId === ctx.userId;
    if (!sameCounty || (!mine && !(await holders.canRead(db, req, f, ctx.userId)))) refused.add(f.id);
  }
  const bad = named.find((n) => refused.has(n.id));
  if (bad) throw invalid(bad.path, `文件不存在或无权使用（${bad.path}）：只能附上自己上传的或自己能查看的文件`);
}

/** A loader's "not found" or "forbidden" means no. */
async function readableOrNot(check: () => Promise<boolean>) {
  try {
    return await check();
  } catch (err) {
    if (err instanceof AppError && (err.status === 404 || err.status === 403)) return false;
    throw err;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    fileHolders: FileHolders;
  }
  interface FastifyContextConfig {
    /** Body fields that attach uploaded files: each must be the caller's upload or readable by them (400). */
    attachesFiles?: AttachedFileFields;
  }
}

/**
 * One registry per app (module plugins add to it; the files route reads it), and the one check of attached files
 * for every route that declares `attachesFiles` (after its body is validated, before its handler).
 */
export function registerFileHolders(app: FastifyInstance, db: () => DbOrTx) {
  const holders = new FileHolders();
  app.decorate('fileHolders', holders);
  app.addHook('preHandler', async (req) => {
    const fields = req.routeOptions.config?.attachesFiles;
    if (fields?.length) await checkAttachedFiles(holders, db(), req, fields);
  });
}

/** `column @> '["<id>"]'`: a jsonb array of file ids holds this one. */
export const holdsId = (column: unknown, fileId: string) => sql`${column} @> ${JSON.stringify([fileId])}::jsonb`;
