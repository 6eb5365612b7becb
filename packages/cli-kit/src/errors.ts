/** A config file that is missing, not JSON, or fails its schema; lists every problem. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${file}: invalid config:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
  }
}

/** Bad command-line usage that commander cannot see (e.g. two options that exclude each other). */
export class UsageError extends Error {
  override name = 'UsageError';
}

function inChain(err: object, name: string): boolean {
  for (let p = Object.getPrototypeOf(err); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if ((p as { constructor?: { name?: string } }).constructor?.name === name) return true;
  }
  return false;
}

/**
 * The exit code for an error that reached an app's main (STYLE §4): 2 config/usage, 3 data,
 * 4 any other deliberate library error (CoreError family), 1 a bug. Classes are matched by name so
 * that cli-kit needs no dependency on the packages that define them.
 */
export function exitCodeFor(err: unknown): number {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; exitCode?: unknown; name?: unknown };
    if (typeof e.code === 'string' && e.code.startsWith('commander.') && typeof e.exitCode === 'number') return e.exitCode;
    if (err instanceof ConfigError || err instanceof UsageError) return 2;
    if (inChain(err, 'DataError')) return 3;
    if (inChain(err, 'CoreError')) return 4;
  }
  return 1;
}
