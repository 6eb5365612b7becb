import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Where the shared real-data folder is: `$LOSSWORKS_SHARED_DATA`, else `../shared/data` beside the
 * workspace root found by walking up from `from` (default: cwd) to the folder holding
 * pnpm-workspace.yaml. Returns null when absent (real-data evals then say so and exit 0).
 */
export function sharedDataDir(from = process.cwd(), env: Record<string, string | undefined> = process.env): string | null {
  if (env.LOSSWORKS_SHARED_DATA) return existsSync(env.LOSSWORKS_SHARED_DATA) ? resolve(env.LOSSWORKS_SHARED_DATA) : null;
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) {
      const candidate = join(dir, '..', 'shared', 'data');
      return existsSync(candidate) ? resolve(candidate) : null;
    }
    if (dirname(dir) === dir) return null;
  }
}

/** A named set in the shared data folder, or null when the folder or the set is missing. */
export function sharedDataSet(name: string, from?: string, env?: Record<string, string | undefined>): string | null {
  const root = sharedDataDir(from, env);
  if (!root) return null;
  const dir = join(root, name);
  return existsSync(dir) ? dir : null;
}
