import type { DbOrTx } from '../../db/client.js';
import { files } from '../../db/schema/index.js';
import type { FileStore } from '../../platform/files.js';
import { newStorageKey } from '../../platform/files.js';
import { sha256Hex } from '../../platform/crypto.js';

/**
 * What a stored file is for: an uploaded image or attachment (a document held by records later, as an article's 附件)
 * or a report the server wrote.
 */
export type FilePurpose = 'image' | 'attachment' | 'import-errors';

export type StoreInput = {
  countyCode: string;
  ownerId: string | null;
  purpose: FilePurpose;
  mime: string;
  ext: string;
  originalName: string;
  body: Buffer;
  now: Date;
};

/**
 * Stores a file's bytes and records it: the one way any module keeps a file (uploads, reports written for a user).
 * Its reader is the files module (`GET /files/:id`, through the records that hold it, or its owner while unattached).
 */
export async function storeFile(db: DbOrTx, store: FileStore, f: StoreInput) {
  const key = newStorageKey(f.ext, f.now);
  await store.put(key, f.body);
  const [row] = await db
    .insert(files)
    .values({
      countyCode: f.countyCode,
      ownerId: f.ownerId,
      purpose: f.purpose,
      mime: f.mime,
      size: f.body.length,
      sha256: sha256Hex(f.body),
      storageKey: key,
      originalName: f.originalName.slice(0, 200),
      createdAt: f.now,
    })
    .returning();
  return row;
}

export const fileUrl = (id: string) => `/api/v1/files/${id}`;
