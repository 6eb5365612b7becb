// Training speed of the cmb-inpaint network on each TF.js backend: the demo config's model, batch and
// loss, run through the real training path (trainNet → core-train fit) on 6 simulated skies.
// Each backend runs in its own child process (fresh TF.js engine); ms/step is the median of the timed
// steps after one warm-up step. Prints a Markdown table with ratios to plain wasm.
//   pnpm bench                      # onnx (core-train fast kernels), wasm, cpu
//   BENCH_STEPS=10 pnpm bench       # more timed steps
//   BENCH_BACKENDS=onnx,wasm pnpm bench
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const STEPS = Number(process.env.BENCH_STEPS ?? 5);
const CPU_STEPS = Number(process.env.BENCH_CPU_STEPS ?? 1);

interface Row {
  backend: string;
  msPerStep: number | null;
  note: string;
}

async function child(backend: string): Promise<void> {
  const { selectBackend } = await import('@lossworks/core-train');
  const { readConfig } = await import('../src/config/load.js');
  const { simulateDataSet } = await import('../src/data/simulate.js');
  const { trainNet } = await import('../src/fit.js');
  const { buildNet } = await import('../src/model/skyreconnet.js');
  const { faceGeometry } = await import('../src/model/faces.js');
  await selectBackend({ force: backend as 'onnx' | 'wasm' | 'cpu' });
  const loaded = await readConfig(fileURLToPath(new URL('../configs/demo.json', import.meta.url)));
  const config = { ...loaded.config, data: { ...loaded.config.data, train: 6, val: 0, test: 1 } };
  const data = await simulateDataSet({ ...loaded, config });
  const net = buildNet({ nside: config.nside, ...config.model }, 0);
  const steps = backend === 'cpu' ? CPU_STEPS : STEPS;
  const times: number[] = [];
  let last = 0;
  await trainNet(net, { skies: data.splits.train, mask: data.mask, geo: faceGeometry(config.nside, config.model.pad), scale: data.manifest.skyRms }, null, {
    ...config.train,
    steps: steps + 1,
    stepsPerEpoch: steps + 1,
    callbacks: [
      {
        onTrainBegin() {
          last = performance.now();
        },
        onBatchEnd() {
          const now = performance.now();
          times.push(now - last);
          last = now;
        },
      },
    ],
  });
  const timed = times.slice(1).sort((a, b) => a - b);
  const median = timed[Math.floor(timed.length / 2)]!;
  process.stdout.write(JSON.stringify({ backend, msPerStep: median, batch: config.train.batchSize, params: net.parameterCount, steps: timed.length }));
}

if (process.env.BENCH_CHILD) {
  await child(process.env.BENCH_CHILD);
} else {
  const backends = (process.env.BENCH_BACKENDS ?? 'onnx,wasm,cpu').split(',');
  const rows: Row[] = [];
  let batch = 0;
  for (const b of backends) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', self], {
      env: { ...process.env, BENCH_CHILD: b },
      encoding: 'utf8',
      timeout: b === 'cpu' ? 900_000 : 600_000,
    });
    if (r.status === 0) {
      const j = JSON.parse(r.stdout) as { msPerStep: number; batch: number; steps: number };
      batch = j.batch;
      rows.push({ backend: b, msPerStep: j.msPerStep, note: `median of ${j.steps} steps` });
    } else {
      rows.push({ backend: b, msPerStep: null, note: r.error ? String(r.error.message) : (r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`) });
    }
  }
  const ref = rows.find((r) => r.backend === 'wasm')?.msPerStep ?? null;
  console.log(`cmb-inpaint training step (demo model, batch ${batch} faces, loss α(1 − SSIM) + (1 − α)·MSE, Adam)\n`);
  console.log('| backend | ms / step | faces / s | speed vs wasm | note |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const ms = r.msPerStep;
    console.log(`| ${r.backend} | ${ms === null ? '–' : ms.toFixed(0)} | ${ms === null ? '–' : ((1000 * batch) / ms).toFixed(1)} | ${ms !== null && ref !== null ? `${(ref / ms).toFixed(2)}×` : '–'} | ${r.note} |`);
  }
}
