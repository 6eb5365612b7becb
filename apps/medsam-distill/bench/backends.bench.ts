// Training speed of the medsam-distill models per TF.js backend: core-train's fast kernels ('onnx',
// what selectBackend() picks here) vs 'wasm' (and 'cpu' with --cpu), at the sizes of configs/real.json.
// One fit() per model and backend: `warmup` untimed steps, then the median of `steps` timed steps
// (batch 8, Dice + BCE + IoU head, jittered boxes on synthetic images). Prints a Markdown table with
// each backend's time as a multiple of the fast kernels' in the same run.
//   pnpm --filter @lossworks/medsam-distill bench [-- --steps 5 --cpu]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs';
import { parseConfig } from '@lossworks/cli-kit';
import { fit, selectBackend, withSeed, type BackendName } from '@lossworks/core-train';
import { configSchema } from '../src/config/schema.js';
import { syntheticSamples } from '../src/data/index.js';
import { buildSam, type EncoderKind } from '../src/model/sam.js';
import { promptStream } from '../src/train/data.js';
import { maskLossTerms } from '../src/train/losses.js';

const { values } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options: { steps: { type: 'string', default: '5' }, warmup: { type: 'string', default: '1' }, cpu: { type: 'boolean', default: false } } });
const steps = Number(values.steps);
const warmup = Number(values.warmup);
const config = parseConfig(JSON.parse(readFileSync(new URL('../configs/real.json', import.meta.url), 'utf8')), configSchema);
const S = config.model.imageSize;
const samples = [
  ...(await syntheticSamples(8, { kind: 'synthetic-us', seed: 3, size: S })),
  ...(await syntheticSamples(8, { kind: 'synthetic-endo', seed: 3, size: S })),
];
const backends: BackendName[] = ['onnx', 'wasm', ...(values.cpu ? (['cpu'] as const) : [])];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const rows: Array<{ model: EncoderKind; backend: BackendName; ms: number }> = [];
for (const backend of backends) {
  await selectBackend({ force: backend });
  for (const model of ['teacher', 'student'] as EncoderKind[]) {
    const sam = withSeed(0, () => buildSam(config.model, model));
    const times: number[] = [];
    let last = performance.now();
    await fit(sam.model, promptStream(samples, { batchSize: 8, jitter: 4 }), {
      loss: maskLossTerms({ dice: 1, bce: 1, iou: 0.1 }),
      optimizer: { name: 'adam', lr: 1e-3 },
      epochs: warmup + steps,
      maxSteps: warmup + steps,
      callbacks: [
        {
          onBatchEnd: (step) => {
            const now = performance.now();
            if (step > warmup) times.push(now - last);
            last = now;
          },
        },
      ],
    });
    sam.model.dispose();
    rows.push({ model, backend, ms: median(times) });
    console.error(`${model} on ${backend}: ${median(times).toFixed(0)} ms/step`);
  }
}

console.log(`\nmedsam-distill training step (batch 8, ${S}×${S}, configs/real.json sizes; median of ${steps} steps after ${warmup} warm-up)\n`);
console.log('| model | backend | ms / step | × fast kernels |');
console.log('|---|---|---:|---:|');
for (const r of rows) {
  const ref = rows.find((x) => x.model === r.model && x.backend === 'onnx')!.ms;
  console.log(`| ${r.model} | ${r.backend} | ${r.ms.toFixed(0)} | ${(r.ms / ref).toFixed(2)} |`);
}
