import { auditCheckpointPath } from '../config.js';
import type { Deps } from './context.js';
import { writeAuditCheckpoint } from './audit.js';
import { deleteOldJobs } from './jobs.js';
import { deliverDue, webhookSender } from './notify.js';
import { deleteOldIdempotencyKeys } from './idempotency.js';

/** The recurring jobs of the platform itself; modules define theirs in their route plugins. */
export function definePlatformJobs(deps: Deps) {
  const db = deps.database.db;
  // SMS/WeChat delivery of the notification outbox (its own leases and backoff per message: platform/notify.ts)
  deps.jobs.define({
    kind: 'notify.deliver',
    every: 20_000,
    maxAttempts: 3,
    run: (ctx) => deliverDue(db, deps.crypto, webhookSender, ctx.now()),
  });
  // a signed checkpoint of every audit chain's head, outside the database (also written at a clean shutdown)
  deps.jobs.define({
    kind: 'audit.checkpoint',
    every: 5 * 60_000,
    maxAttempts: 3,
    run: (ctx) => writeAuditCheckpoint(db, auditCheckpointPath(deps.config), ctx.now()),
  });
  deps.jobs.define({
    kind: 'jobs.cleanup',
    every: 6 * 3600_000,
    maxAttempts: 3,
    run: (ctx) => deleteOldJobs(db, ctx.now()),
  });
  // the answers kept for repeated writes (platform/idempotency.ts) are forgotten after a day
  deps.jobs.define({
    kind: 'idempotency.cleanup',
    every: 3600_000,
    maxAttempts: 3,
    run: (ctx) => deleteOldIdempotencyKeys(db, ctx.now()),
  });
}
