/**
 * What checking answers against their response schemas costs, on one list answer: a page of users (20 and 100
 * items) as GET /api/v1/users writes them. Three ways of turning the page into the body:
 *   off      JSON.stringify — production (responseCheck 'off')
 *   zod      the type provider's serializer: zod encodes (validates, strips) the answer, then JSON.stringify
 *   strict   JSON.stringify, then the strict check of tests and development (parse back, zod, undeclared keys)
 * Measured as CPU time per answer (user + system), the median of 9 interleaved rounds, so that a busy machine
 * (other processes on the 2 cores) disturbs it less than wall time; and the whole request through app.inject.
 * Run: npx tsx bench/response-check.ts. Results: docs/DECISIONS.md ("Response schemas").
 */
import Fastify from 'fastify';
import { safeEncode } from 'zod';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { pageOf, registerResponses, unknownKeys } from '../server/platform/responses.js';
import { User } from '../server/modules/accounts/schema.js';

function page(n: number) {
  const items = Array.from({ length: n }, (_, i) => ({
    id: `0a6b${String(i).padStart(4, '0')}-1c2d-4e5f-8a9b-0c1d2e3f4a5b`,
    name: `张${'伟芳娜敏静丽强磊军洋'[i % 10]}${i}`,
    phoneMasked: '138****0001',
    regionCode: '411523100201',
    regionName: '新集镇第一村',
    active: true,
    createdAt: new Date(Date.UTC(2026, 0, 1 + (i % 28))),
    locked: false,
    roles: [
      {
        id: `1b7c${String(i).padStart(4, '0')}-1c2d-4e5f-8a9b-0c1d2e3f4a5b`,
        role: 'station_admin',
        roleName: '站管理员',
        regionCode: '411523100201',
        regionName: '新集镇第一村',
        scope: 'own' as const,
        scopeName: '本级',
        teamId: null,
      },
    ],
  }));
  return { items, total: 5000, page: 1, pageSize: n };
}

const schema = pageOf(User);
type Mode = 'off' | 'zod' | 'strict';
const serialize: Record<Mode, (body: unknown) => string> = {
  off: (body) => JSON.stringify(body),
  zod: (body) => JSON.stringify(safeEncode(schema, body as never).data),
  strict: (body) => {
    const text = JSON.stringify(body);
    const sent = JSON.parse(text);
    const r = schema.safeParse(sent);
    if (!r.success || unknownKeys(sent, r.data, '').length) throw new Error('schema mismatch');
    return text;
  },
};

async function appIn(mode: Mode, body: unknown) {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  registerResponses(app, mode === 'strict' ? 'strict' : 'off');
  if (mode === 'zod') app.setSerializerCompiler(serializerCompiler);
  app.get('/users', { schema: { response: { 200: schema } } }, async () => body as ReturnType<typeof page>);
  await app.ready();
  return app;
}

async function cpu(fn: () => unknown, calls: number) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / calls;
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const modes: Mode[] = ['off', 'zod', 'strict'];
console.log('| items | mode | characters | CPU µs to write the body | CPU µs per request (inject) |');
console.log('|---|---|---|---|---|');
for (const n of [20, 100]) {
  const body = page(n);
  const apps = Object.fromEntries(await Promise.all(modes.map(async (m) => [m, await appIn(m, body)] as const)));
  const ser: Record<Mode, number[]> = { off: [], zod: [], strict: [] };
  const req: Record<Mode, number[]> = { off: [], zod: [], strict: [] };
  for (const m of modes) for (let i = 0; i < 200; i++) await apps[m].inject('/users'); // warm up
  for (let round = 0; round < 9; round++)
    for (const m of modes) {
      ser[m].push(await cpu(() => serialize[m](body), 2000));
      req[m].push(await cpu(() => apps[m].inject('/users'), 300));
    }
  for (const m of modes)
    console.log(
      `| ${n} | ${m} | ${serialize[m](body).length} | ${median(ser[m]).toFixed(1)} | ${median(req[m]).toFixed(0)} |`,
    );
  await Promise.all(modes.map((m) => apps[m].close()));
}
