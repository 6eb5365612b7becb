// Shared vitest config. Each package: `export default lossworksVitest(import.meta.dirname)`.
// Results also go to <package>/.test-results.json, which scripts/test-all.mjs sums into the
// `N passed, N failed` line CI reads (vitest's own summary is not read by CI).
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const setup = fileURLToPath(new URL('./setup.js', import.meta.url));

/** @param {string} root @param {import('vitest/config').UserConfig['test']} [extra] */
export function lossworksVitest(root, extra = {}) {
  return defineConfig({
    test: {
      root,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
      setupFiles: [setup],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
      reporters: ['default', 'json'],
      outputFile: { json: '.test-results.json' },
      ...extra,
    },
  });
}
