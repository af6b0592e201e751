import fs from 'node:fs';
import { dirname, join, relative } from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';
import { elementPlusOnDemand } from './scripts/vite-element-plus.js';

const webRoot = fileURLToPath(new URL('./web', import.meta.url));
const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * In production the server serves dist/web/admin/ at /admin/, dist/web/mobile/ at /m/ and dist/web/screen/ at /screen/.
 * The dev server mirrors that: deep links fall back to each app's index.html, and /m/ maps to web/mobile/.
 */
function appFallback(): Plugin {
  return {
    name: 'wenming-app-fallback',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const url = req.url ?? '';
        const [path, query = ''] = url.split('?');
        const isFile = /\.[a-z0-9]+$/i.test(path) || path.includes('/@') || path.includes('/node_modules/');
        if (path === '/m' || path.startsWith('/m/')) {
          const rest = path.slice(2);
          req.url = (isFile ? `/mobile${rest}` : '/mobile/index.html') + (query ? `?${query}` : '');
        } else if ((path === '/admin' || path.startsWith('/admin/')) && !isFile) {
          req.url = '/admin/index.html';
        } else if ((path === '/screen' || path.startsWith('/screen/')) && !isFile) {
          req.url = '/screen/index.html' + (query ? `?${query}` : '');
        }
        next();
      });
    },
    // Deep links such as /admin/sites/1 would resolve ./main.ts against the deep path; pin it to the app folder.
    transformIndexHtml: {
      order: 'pre',
      handler(html, ctx) {
        if (!ctx.server) return html;
        const dir = relative(webRoot, dirname(ctx.filename)).split('\\').join('/');
        return html.replace(/(src|href)="\.\//g, `$1="/${dir}/`);
      },
    },
  };
}

/**
 * Writes file.br and file.gz beside every text asset of the build (≥ 1 KB), once, at build time: the server sends
 * them as they are (@fastify/static preCompressed) instead of compressing on every request or not at all.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'wenming-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
          const full = join(dir, e.name);
          return e.isDirectory() ? walk(full) : [full];
        });
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json)$/.test(file) || file.includes('/.vite/')) continue;
        const data = fs.readFileSync(file);
        if (data.length < 1024) continue;
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
        fs.writeFileSync(
          `${file}.br`,
          zlib.brotliCompressSync(data, {
            params: {
              [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
              [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
            },
          }),
        );
      }
    },
  };
}

/**
 * Vant's icon font comes with Vant (node_modules/vant/es/icon/index.css carries the woff2 itself); its fallback source
 * points to at.alicdn.com. The fallback is dropped here, so no page fetches a font from an outside host (a closed
 * network, the content security policy) — every browser the H5 supports reads woff2.
 */
function localIconFont(): Plugin {
  return {
    name: 'wenming-local-icon-font',
    enforce: 'pre',
    transform(code, id) {
      if (!/vant[\\/]es[\\/]icon[\\/]index\.css/.test(id)) return null;
      return code.replace(/,\s*url\(["']?(?:https?:)?\/\/[^)]*\)\s*format\(["']?woff["']?\)/g, '');
    },
  };
}

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [vue(), elementPlusOnDemand(), localIconFont(), appFallback(), precompress()],
  build: {
    outDir: fromRoot('./dist/web'),
    emptyOutDir: true,
    // dist/web/.vite/manifest.json: which chunks each page loads (e2e/first-load.ts, the JS budget)
    manifest: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: {
        admin: fromRoot('./web/admin/index.html'),
        mobile: fromRoot('./web/mobile/index.html'),
        screen: fromRoot('./web/screen/index.html'),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
    },
  },
});
