// Shared flat config for every package and app: `export { default } from '@lossworks/eslint-config'`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.fixtures.json', 'coverage/**', '.turbo/**', '.cache/**', 'runs/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
      eqeqeq: ['error', 'smart'],
      'prefer-const': 'error',
    },
  },
  {
    // Plain JS (scripts, bins): Node's globals.
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'URL', 'Buffer', 'setTimeout', 'clearTimeout', 'setImmediate', 'performance', 'TextEncoder', 'TextDecoder', 'structuredClone'].map((g) => [g, 'readonly']),
      ),
    },
  },
  {
    // Tests, scripts, examples, benchmarks and CLI entry points may print.
    files: ['**/*.test.ts', 'scripts/**', 'bench/**', 'examples/**', '**/main.ts', '**/bin/**'],
    rules: { 'no-console': 'off' },
  },
);
