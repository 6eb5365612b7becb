// Shared flat config for every package and app: `export { default } from '@lossworks/eslint-config'`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.fixtures.json', 'coverage/**', '.turbo/**'] },
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
    // Tests, scripts, examples, benchmarks and CLI entry points may print.
    files: ['**/*.test.ts', 'scripts/**', 'bench/**', 'examples/**', '**/main.ts', '**/bin/**'],
    rules: { 'no-console': 'off' },
  },
);
