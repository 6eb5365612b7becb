// Tiny models and runs for the tests (S = 32, 4 × 4 × 16 embeddings): fast on two busy cores.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, modelSchema, type Config, type ModelConfig } from '../src/config/schema.js';

/** A tiny model: 32 × 32 images, 4 × 4 × 16 embeddings, one-block ViT teacher, small CNN student. */
export const TINY_MODEL: ModelConfig = modelSchema.parse({
  imageSize: 32,
  embedDim: 16,
  gridSize: 4,
  teacher: { width: 32, depth: 2, heads: 2, mlpRatio: 2 },
  student: { widths: [4, 8, 16], blocks: 1, kernel: 3 },
  decoder: { depth: 1, heads: 2, mlpDim: 16, downsampleRate: 2, iouHidden: 8 },
});

/** A tiny run config (synthetic data, a few steps per stage) written to `<dir>/config.json`. */
export async function tinyRun(dir: string, overrides: Record<string, unknown> = {}): Promise<{ file: string; config: Config }> {
  const raw = {
    name: 'tiny',
    out: join(dir, 'run'),
    model: TINY_MODEL,
    data: { source: 'synthetic', synthetic: { perKind: 3, seed: 1 }, trainFraction: 0.5, augmentations: 1, boxJitter: 1 },
    teacher: { train: { steps: 2, batchSize: 2, lr: 0.001 } },
    distill: { steps: 2, batchSize: 2 },
    finetune: { steps: 2, batchSize: 2 },
    scratch: { batchSize: 2 },
    eval: { latencyRepeats: 2, warmup: 1, overlays: 1 },
    ...overrides,
  };
  const file = join(dir, 'config.json');
  await writeFile(file, JSON.stringify(raw));
  return { file, config: configSchema.parse(raw) };
}

/** A fresh temporary folder and its remover. */
export async function tempDir(prefix = 'medsam-test-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Where stage progress goes in tests (discarded). */
export const quietIo = {
  stdout: { write: () => true } as unknown as NodeJS.WritableStream,
  stderr: { write: () => true } as unknown as NodeJS.WritableStream,
};
