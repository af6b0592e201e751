/**
 * Element Plus on demand without installing the whole library into the app (issue #13: the admin's first load):
 * templates keep writing `<el-button>`; after @vitejs/plugin-vue has compiled a component, each
 * `resolveComponent("el-button")` becomes a named import of `ElButton` (and `resolveDirective("loading")` of
 * `vLoading`), so every route chunk carries only the components it uses and Rollup shares the rest. What
 * unplugin-vue-components does, in the few lines this project needs. The styles stay one sheet
 * (element-plus/dist/index.css, imported by main.ts).
 */
import type { Plugin } from 'vite';

const COMPONENT = /\b_?resolveComponent\("((?:el-|El)[A-Za-z-]+)"(?:,\s*true)?\)/g;
const DIRECTIVE = /\b_?resolveDirective\("loading"\)/g;

const pascal = (tag: string) =>
  tag.startsWith('El') ? tag : tag.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase());

export function elementPlusOnDemand(): Plugin {
  return {
    name: 'wenming-element-plus-on-demand',
    enforce: 'post',
    transform(code, id) {
      if (!/\.vue(\?|$)/.test(id) || !code.includes('resolve')) return null;
      const names = new Set<string>();
      let out = code.replace(COMPONENT, (_m, tag: string) => {
        const name = pascal(tag);
        names.add(name);
        return `__ep_${name}`;
      });
      out = out.replace(DIRECTIVE, () => {
        names.add('vLoading');
        return '__ep_vLoading';
      });
      if (!names.size) return null;
      const imports = [...names].map((n) => `${n} as __ep_${n}`).join(', ');
      return { code: `import { ${imports} } from 'element-plus';\n${out}`, map: null };
    },
  };
}
