import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';

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
  plugins: [vue(), appFallback(), localIconFont()],
  build: {
    outDir: fromRoot('./dist/web'),
    emptyOutDir: true,
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
