import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CheckpointError } from '../errors.js';

/** The file operations {@link writeFileAtomic} uses; replaceable so tests can inject failures. */
export interface AtomicIo {
  /** Writes all of `data` to a new file at `path` and flushes it to disk. */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** Renames `from` to `to`, replacing `to` (atomic on POSIX file systems). */
  rename(from: string, to: string): Promise<void>;
}

/** Node's file system: write, fsync, close; then rename. */
export const nodeIo: AtomicIo = {
  async writeFile(path, data) {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  rename: (from, to) => rename(from, to),
};

const TMP_MARK = '.tmp-';

/**
 * Writes `data` to `path` so that readers only ever see the old file or the complete new one: the bytes
 * go to a temporary file in the same folder, are flushed, and the temporary file is renamed over `path`.
 * On any failure the temporary file is removed and a CheckpointError naming `path` is thrown.
 */
export async function writeFileAtomic(path: string, data: Uint8Array, io: AtomicIo = nodeIo): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `${basename(path)}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await io.writeFile(tmp, data);
    await io.rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new CheckpointError(`writeFileAtomic: could not write '${path}': ${(err as Error).message}`, { cause: err });
  }
}

/** Lists leftover temporary files of {@link writeFileAtomic} in `dir` (a crash between write and rename). */
export async function listTempFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.includes(TMP_MARK)).map((n) => join(dir, n));
}
