// Compiles the server to dist/server/*.mjs with esbuild (npm packages stay external, loaded from node_modules), so
// `npm start` runs plain JavaScript instead of compiling TypeScript at run time through tsx: less memory (~50 MB of
// RSS) and a faster start. Tests, `tsx watch` and the CLI keep running the TypeScript sources.
//
//   node scripts/build-server.mjs            build when dist/server is missing or older than server/ (or this script)
//   node scripts/build-server.mjs --force    build anyway (also WENMING_REBUILD=1)
//
// Entries: dist/server/main.mjs (server/main.ts) and dist/server/seed-worker.mjs (server/seed/worker.ts, which the
// server forks to seed the demo county). Every `import.meta.url` in a bundled source file is replaced by the URL of
// that source file (computed from the bundle's own location at run time), so paths built from it — the migrations
// folder, the PGlite worker, package.json, dist/web, createRequire for fonts and data packages — resolve exactly as
// they do under tsx. The bundle must therefore stay at dist/server/ of the same tree as server/.
// `process.env.WENMING_BUNDLED` is replaced by "1" in the bundle (server/main.ts uses it to fork the compiled seed
// worker instead of the TypeScript one).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'dist/server');
const entries = { main: 'server/main.ts', 'seed-worker': 'server/seed/worker.ts' };
const stamp = path.join(outdir, 'main.mjs');

function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.(ts|mjs|js|json)$/.test(e.name)) t = Math.max(t, fs.statSync(p).mtimeMs);
  }
  return t;
}

export function isStale() {
  if (!Object.keys(entries).every((n) => fs.existsSync(path.join(outdir, `${n}.mjs`)))) return true;
  const sources = Math.max(
    newest(path.join(root, 'server')),
    fs.statSync(import.meta.filename).mtimeMs,
    fs.statSync(path.join(root, 'tsconfig.json')).mtimeMs,
  );
  return fs.statSync(stamp).mtimeMs < sources;
}

/** esbuild comes with tsx (a runtime dependency) and vite; resolve it through tsx when it is not hoisted. */
async function loadEsbuild() {
  try {
    return await import('esbuild');
  } catch {
    const req = createRequire(createRequire(path.join(root, 'package.json')).resolve('tsx/package.json'));
    return req('esbuild');
  }
}

const sourceUrls = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mts)$/ }, async (args) => {
      let text = await fs.promises.readFile(args.path, 'utf8');
      if (/import\.meta\.(dirname|filename)\b/.test(text)) {
        return {
          errors: [
            {
              text:
                `${path.relative(root, args.path)}: use import.meta.url (import.meta.dirname/filename are not ` +
                'rewritten for the bundle)',
            },
          ],
        };
      }
      if (text.includes('import.meta.url')) {
        const rel = path.relative(outdir, args.path).split(path.sep).join('/');
        text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
      }
      return { contents: text, loader: 'ts' };
    });
  },
};

export async function buildServer() {
  const esbuild = await loadEsbuild();
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.entries(entries).map(([out, src]) => ({ in: src, out })),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: false,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    sourcemap: 'linked',
    legalComments: 'none',
    minifySyntax: true,
    define: { 'process.env.WENMING_BUNDLED': '"1"' },
    plugins: [sourceUrls],
    logLevel: 'warning',
    write: false,
  });
  // written next to the target and renamed: a server starting while another build runs never reads half a file
  fs.mkdirSync(outdir, { recursive: true });
  for (const f of result.outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, f.contents);
    fs.renameSync(tmp, f.path);
  }
  // dated to the start of the build: a source saved while it ran makes the next check rebuild
  const t = new Date(started);
  for (const f of result.outputFiles) fs.utimesSync(f.path, t, t);
  return Date.now() - started;
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const force = process.argv.includes('--force') || process.env.WENMING_REBUILD === '1';
  if (force || isStale()) {
    const ms = await buildServer();
    console.log(`服务端已编译到 dist/server（${ms} ms）`);
  }
}
