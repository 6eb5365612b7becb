// Preview of the embedded synthetic data: a PNG grid (image | image with the mask outline in green) per
// kind and difficulty, written to runs/preview/ (git-ignored). Not a test: look at it after changing the
// generator.   pnpm --filter @lossworks/medsam-distill run preview:synthetic [-- --seed 3 --difficulty 0.6]
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { syntheticPair, type SyntheticKind } from '../src/data/synthetic/index.js';

const { values } = parseArgs({
  options: { seed: { type: 'string', default: '0' }, difficulty: { type: 'string', default: '0.6' }, count: { type: 'string', default: '8' }, width: { type: 'string', default: '256' } },
});
const seed = Number(values.seed);
const difficulty = Number(values.difficulty);
const count = Number(values.count);
const width = Number(values.width);
const out = join(import.meta.dirname, '..', 'runs', 'preview');
await mkdir(out, { recursive: true });

for (const kind of ['synthetic-us', 'synthetic-endo'] as SyntheticKind[]) {
  const pairs = Array.from({ length: count }, (_, i) => syntheticPair(i, { kind, seed, difficulty, width }));
  const { width: w, height: h } = pairs[0]!.image;
  const cols = 4;
  const rows = Math.ceil(count / cols) * 2; // image row, then overlay row
  const gap = 4;
  const W = cols * (w + gap);
  const H = rows * (h + gap);
  const canvas = new Uint8Array(W * H * 3);
  pairs.forEach((p, k) => {
    const col = k % cols;
    const row = Math.floor(k / cols) * 2;
    for (const [r, overlay] of [
      [row, false],
      [row + 1, true],
    ] as const) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          const o = ((r * (h + gap) + y) * W + col * (w + gap) + x) * 3;
          const edge = overlay && p.mask[i] && (x === 0 || y === 0 || x === w - 1 || y === h - 1 || !p.mask[i - 1] || !p.mask[i + 1] || !p.mask[i - w] || !p.mask[i + w]);
          for (let c = 0; c < 3; c++) canvas[o + c] = edge ? [0, 255, 0][c]! : p.image.data[3 * i + c]!;
        }
      }
    }
  });
  const file = join(out, `${kind}-seed${seed}-d${difficulty}.png`);
  await sharp(canvas, { raw: { width: W, height: H, channels: 3 } }).png().toFile(file);
  const labels = pairs.map((p) => `${p.label}:${(p.mask.reduce((s, v) => s + v, 0) / p.mask.length).toFixed(3)}`).join(' ');
  console.log(`${file}  (${w}×${h}; label:mask fraction ${labels})`);
}
