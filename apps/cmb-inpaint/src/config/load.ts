import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { loadConfig, sharedDataDir } from '@lossworks/cli-kit';
import { DataError } from '@lossworks/core-train';
import { configSchema, type Config } from './schema.js';

/** A config with where it was read from (relative data paths resolve against `dir`). */
export interface LoadedConfig {
  config: Config;
  /** The config file as given. */
  file: string;
  /** Its folder. */
  dir: string;
}

/** Reads and validates a config file (ConfigError lists every problem). */
export async function readConfig(file: string): Promise<LoadedConfig> {
  const config = await loadConfig(file, configSchema);
  return { config, file, dir: dirname(resolve(file)) };
}

/**
 * A shared evaluation data set (../shared/data/<set>) that is not on this machine. Commands that need
 * it stop with this error, and the CLI reports "missing, skipped" on stderr with exit code 0 (STYLE §2).
 */
export class SharedDataMissing extends DataError {
  override name = 'SharedDataMissing';
  constructor(
    readonly set: string,
    readonly path: string,
  ) {
    super(`shared data set '${set}' not found (looked for ${path}; set LOSSWORKS_SHARED_DATA or place it at ../shared/data/${set})`, path);
  }
}

/**
 * Resolves a config data path: `shared:<set>/<file>` inside the shared data folder (SharedDataMissing
 * when the folder, the set or the file is absent), anything else relative to the config's folder.
 */
export function resolveDataPath(path: string, configDir: string, env: Record<string, string | undefined> = process.env): string {
  if (path.startsWith('shared:')) {
    const rel = path.slice('shared:'.length).replace(/^\/+/, '');
    const set = rel.split('/')[0] ?? rel;
    const root = sharedDataDir(configDir, env);
    const full = root ? join(root, rel) : join('../shared/data', rel);
    if (!root || !existsSync(full)) throw new SharedDataMissing(set, full);
    return full;
  }
  return isAbsolute(path) ? path : resolve(configDir, path);
}

/** Whether the config reads from the shared data folder (a real-data run). */
export function usesSharedData(config: Config): boolean {
  return [config.spectrum.file, config.mask.file?.path].some((p) => p?.startsWith('shared:'));
}

/** The run folder: `--out`, else runs/<name> beside the current directory. */
export function runDir(config: Config, out?: string): string {
  return resolve(out ?? join('runs', config.name));
}

/** Throws SharedDataMissing when a `shared:` path of the config is absent (real-data runs skip early). */
export function checkSharedData(loaded: LoadedConfig): void {
  const { config, dir } = loaded;
  for (const p of [config.spectrum.file, config.mask.file?.path]) if (p?.startsWith('shared:')) resolveDataPath(p, dir);
}
