import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { decodeSafetensors, encodeSafetensors, type RawTensor } from '../checkpoint/safetensors.js';
import { writeFileAtomic } from '../checkpoint/atomic.js';

/** Where teacher outputs are cached (`DistillSpec.cache`). */
export interface TeacherCacheOptions {
  /** Folder for one safetensors file per sample, under a sub-folder per teacher hash. Default: none (memory only). */
  dir?: string;
  /** Also keep outputs in memory. Default: true without `dir`, false with it. */
  memory?: boolean;
}

/**
 * Teacher outputs by sample id, under a namespace that hashes the teacher and the tapped outputs: a new
 * teacher (other weights, other ONNX bytes) never sees another's outputs. On disk each sample is one
 * small safetensors file (`<dir>/<namespace>/<sha256(id)>.safetensors`, the id in its metadata), written
 * atomically, so an interrupted run leaves only complete entries.
 */
export class TeacherCache {
  private readonly memory = new Map<string, RawTensor[]>();
  private readonly keepInMemory: boolean;
  /** Reads served from the cache (memory or disk). */
  hits = 0;

  constructor(
    readonly namespace: string,
    private readonly options: TeacherCacheOptions = {},
  ) {
    this.keepInMemory = options.memory ?? options.dir === undefined;
  }

  private file(id: string): string {
    return join(this.options.dir!, this.namespace, `${createHash('sha256').update(id).digest('hex').slice(0, 40)}.safetensors`);
  }

  /** The cached outputs of sample `id` (one per tap), or undefined. A damaged or foreign file counts as a miss. */
  async get(id: string, taps: number): Promise<RawTensor[] | undefined> {
    const m = this.memory.get(id);
    if (m) {
      this.hits++;
      return m;
    }
    if (this.options.dir === undefined) return undefined;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.file(id));
    } catch {
      return undefined;
    }
    try {
      const f = decodeSafetensors(bytes, this.file(id));
      if (f.metadata.id !== id) return undefined;
      const out = Array.from({ length: taps }, (_, i) => f.tensors[`t${i}`]);
      if (out.some((t) => t === undefined)) return undefined;
      if (this.keepInMemory) this.memory.set(id, out as RawTensor[]);
      this.hits++;
      return out as RawTensor[];
    } catch {
      return undefined; // a damaged entry is recomputed and rewritten
    }
  }

  /** Stores sample `id`'s outputs. */
  async put(id: string, outputs: RawTensor[]): Promise<void> {
    if (this.keepInMemory) this.memory.set(id, outputs);
    if (this.options.dir === undefined) return;
    const tensors = Object.fromEntries(outputs.map((t, i) => [`t${i}`, t]));
    await writeFileAtomic(this.file(id), encodeSafetensors(tensors, { id, namespace: this.namespace }));
  }
}
