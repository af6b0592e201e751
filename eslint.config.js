// ESLint flat config: @eslint/js and typescript-eslint recommended (syntax only, no type-aware rules, so
// `npm run lint` stays fast), eslint-plugin-vue for the web apps' single-file components.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

// The `globals` package is not a dependency; plain JS files (scripts/*.mjs, this file) only need Node's.
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'Blob',
    'URL',
    'URLSearchParams',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
    'queueMicrotask',
    'structuredClone',
    'fetch',
    'AbortController',
    'AbortSignal',
    'TextEncoder',
    'TextDecoder',
    'performance',
    'globalThis',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.tmp/**', 'data/**', 'server/db/migrations/**', 'bench/results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'].map((c) => ({ ...c, files: c.files ?? ['web/**/*.vue'] })),
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ['web/**/*.vue'],
    languageOptions: {
      parser: vueParser,
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.vue'],
        ecmaVersion: 'latest',
        sourceType: 'module',
      },
    },
  },
  {
    files: ['**/*.ts', '**/*.vue'],
    rules: {
      // TypeScript itself reports undefined names (and knows DOM and Node types); no-undef would only
      // produce false positives on type-only globals. typescript-eslint recommends turning it off.
      'no-undef': 'off',
    },
  },
  {
    rules: {
      // `_`-prefixed arguments and variables are deliberately unused (fastify hooks, destructuring rests).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    rules: {
      // Lines of at most 120 characters (Prettier's printWidth; Prettier does not break strings or comments). Test
      // titles stay whole, so that a failing test's name can be searched for.
      'max-len': [
        'error',
        {
          code: 120,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
          ignorePattern: String.raw`^\s*(it|test|describe)(\.\w+)*\(`,
        },
      ],
    },
  },
  {
    files: ['web/**/*.vue'],
    rules: {
      // Formatting rules from flat/recommended fight with hand-formatted templates and carry no bug signal;
      // formatting is not what this lint is for.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/first-attribute-linebreak': 'off',
      'vue/attribute-hyphenation': 'off',
      'vue/v-on-event-hyphenation': 'off',
    },
  },
);
