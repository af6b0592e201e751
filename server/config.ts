import path from 'node:path';
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  WENMING_DEMO: z.enum(['0', '1']).default('1'),
  WENMING_DEMO_COUNTY: z
    .string()
    .regex(/^\d{6}$/)
    .default('411523'),
  WENMING_SECRET_KEY: z.string().optional(),
  AUDIT_CHECKPOINT_PATH: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  TRUST_PROXY: z.enum(['0', '1']).default('0'),
  AUTH_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
  WENMING_LIST_CACHE: z.enum(['0', '1']).default('1'),
  WENMING_RESPONSE_CHECK: z.enum(['strict', 'off']).default('off'),
  PGLITE_SHARED_BUFFERS: z
    .string()
    .regex(/^\d+(kB|MB|GB)$/, '形如 16MB')
    .default('16MB'),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  poolSize: number;
  demo: boolean;
  demoCounty: string;
  secretKey?: string;
  /** The append-only file of signed audit checkpoints, when set; auditCheckpointPath() gives the default. */
  auditCheckpointPath?: string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  sessionIdleMinutes: number;
  trustProxy: boolean;
  /** Login, sign-up and SMS-code requests per minute from one IP. */
  authRateLimit: number;
  /** PostgreSQL shared_buffers of the embedded database. */
  pgliteSharedBuffers: string;
  /**
   * Keep built list answers in memory, checked against the database's versions on every request (platform/lists.ts).
   */
  listCache: boolean;
  /** Check every answer against its route's response schema ('strict': tests and development) or not ('off'). */
  responseCheck: 'strict' | 'off';
};

/** Reads every setting from the environment once; a bad value stops the start with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`配置错误（环境变量）：\n${lines}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL || undefined,
    poolSize: e.DATABASE_POOL_SIZE,
    demo: e.WENMING_DEMO === '1',
    demoCounty: e.WENMING_DEMO_COUNTY,
    secretKey: e.WENMING_SECRET_KEY,
    auditCheckpointPath: e.AUDIT_CHECKPOINT_PATH ? path.resolve(e.AUDIT_CHECKPOINT_PATH) : undefined,
    logLevel: e.LOG_LEVEL,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    trustProxy: e.TRUST_PROXY === '1',
    authRateLimit: e.AUTH_RATE_LIMIT,
    pgliteSharedBuffers: e.PGLITE_SHARED_BUFFERS,
    listCache: e.WENMING_LIST_CACHE === '1',
    responseCheck: e.WENMING_RESPONSE_CHECK,
  };
}

/** Where the signed audit checkpoints go: AUDIT_CHECKPOINT_PATH, or DATA_DIR/audit-checkpoints.jsonl. */
export const auditCheckpointPath = (config: Pick<Config, 'auditCheckpointPath' | 'dataDir'>) =>
  config.auditCheckpointPath ?? path.join(config.dataDir, 'audit-checkpoints.jsonl');
