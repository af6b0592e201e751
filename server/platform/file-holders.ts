import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { AppError } from './errors.js';

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
}

/** One registry per app (module plugins add to it; the files route reads it). */
export function registerFileHolders(app: FastifyInstance) {
  app.decorate('fileHolders', new FileHolders());
}

/** `column @> '["<id>"]'`: a jsonb array of file ids holds this one. */
export const holdsId = (column: unknown, fileId: string) => sql`${column} @> ${JSON.stringify([fileId])}::jsonb`;
