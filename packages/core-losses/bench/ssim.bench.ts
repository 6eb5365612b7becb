// `pnpm bench` in packages/core-losses: SSIM and MS-SSIM loss, forward + backward on 16x256x256x1
// (NCHW 16x1x256x256) images, on the TF.js cpu and wasm backends, beside the same computation in PyTorch
// CPU (bench/ssim_torch.py, spawned with /usr/bin/python3 on the very same inputs) measured in the
// same run. Prints a Markdown table of medians with ratios to PyTorch.
//   BENCH_REPEATS=5 (timed runs per row, after one warm-up), BENCH_BATCH=16, BENCH_SIDE=256.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { msSsimLoss, ssimLoss } from '../src/index.js';

const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const batch = Number(process.env.BENCH_BATCH ?? 16);
const side = Number(process.env.BENCH_SIDE ?? 256);
const shape: [number, number, number, number] = [batch, side, side, 1];
const here = path.dirname(fileURLToPath(import.meta.url));

interface Timing {
  /** Median wall-clock ms. */
  median: number;
  times: number[];
  /** Median process CPU ms (user + system, all threads): steadier than wall-clock on a shared machine. */
  cpuMedian: number;
  value: number;
}
type Workload = 'ssim' | 'ms_ssim';
const LOSSES: Record<Workload, (t: tf.Tensor, p: tf.Tensor) => tf.Tensor> = {
  ssim: (t, p) => ssimLoss(t, p),
  ms_ssim: (t, p) => msSsimLoss(t, p),
};

/** Deterministic inputs: uniform yTrue in [0, 1], yPred = clip(yTrue + 0.1·u), u uniform in [−1, 1]. */
function inputs(): { yTrue: Float32Array; yPred: Float32Array } {
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const size = shape.reduce((a, b) => a * b, 1);
  const yTrue = new Float32Array(size);
  const yPred = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    yTrue[i] = rand();
    yPred[i] = Math.min(1, Math.max(0, yTrue[i]! + 0.1 * (2 * rand() - 1)));
  }
  return { yTrue, yPred };
}

/** The wasm backend, found the way the test setup finds it (through @lossworks/vitest-config). */
async function loadWasm(): Promise<string | null> {
  try {
    const setup = createRequire(import.meta.url).resolve('@lossworks/vitest-config/setup');
    await import(pathToFileURL(createRequire(setup).resolve('@tensorflow/tfjs-backend-wasm')).href);
    return null;
  } catch (err) {
    return (err as Error).message.split('\n')[0] ?? 'unknown error';
  }
}

async function timeTfjs(backend: string, work: Workload, yTrue: Float32Array, yPred: Float32Array): Promise<Timing> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend '${backend}' failed to initialise`);
  await tf.ready();
  const t = tf.tensor(yTrue, shape);
  const p = tf.tensor(yPred, shape);
  const step = tf.valueAndGrad((x: tf.Tensor) => LOSSES[work](t, x) as tf.Scalar);
  const times: number[] = [];
  const cpu: number[] = [];
  let value = Number.NaN;
  try {
    for (let i = 0; i <= repeats; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const { value: v, grad } = step(p);
      await grad.data(); // the gradient is complete
      const dt = performance.now() - t0;
      const dc = process.cpuUsage(c0);
      value = (await v.data())[0]!;
      tf.dispose([v, grad]);
      if (i > 0) {
        // run 0 warms up (kernel setup, first allocations)
        times.push(dt);
        cpu.push((dc.user + dc.system) / 1000);
      }
    }
  } finally {
    tf.dispose([t, p]);
  }
  return { median: median(times), times, cpuMedian: median(cpu), value };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeTorch(yTrue: Float32Array, yPred: Float32Array): { result?: Record<Workload, Timing> & { torch: string; threads: number }; skipped?: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ssim-bench-'));
  try {
    const tPath = path.join(dir, 'true.f32');
    const pPath = path.join(dir, 'pred.f32');
    writeFileSync(tPath, Buffer.from(yTrue.buffer));
    writeFileSync(pPath, Buffer.from(yPred.buffer));
    const r = spawnSync('/usr/bin/python3', [path.join(here, 'ssim_torch.py'), '--true', tPath, '--pred', pPath, '--shape', shape.join(','), '--repeats', String(repeats)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (r.error) return { skipped: `/usr/bin/python3 could not be started (${r.error.message})` };
    const last = r.stdout.trim().split('\n').pop() ?? '';
    let parsed: { error?: string } & Record<string, unknown> = {};
    try {
      parsed = JSON.parse(last) as typeof parsed;
    } catch {
      return { skipped: `bench/ssim_torch.py exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').pop()}` };
    }
    if (parsed.error) return { skipped: parsed.error };
    return { result: parsed as unknown as Record<Workload, Timing> & { torch: string; threads: number } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? '–' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || Number.isNaN(a) ? '–' : `${(a / b).toFixed(1)}×`);

async function main(): Promise<void> {
  const { yTrue, yPred } = inputs();
  const wasmError = await loadWasm();
  const backends = wasmError ? ['cpu'] : ['cpu', 'wasm'];
  const rows: Record<Workload, Record<string, Timing>> = { ssim: {}, ms_ssim: {} };
  for (const backend of backends) {
    for (const work of ['ssim', 'ms_ssim'] as const) {
      process.stderr.write(`timing ${work} on TF.js ${backend} (${repeats} runs after a warm-up) ...\n`);
      rows[work][backend] = await timeTfjs(backend, work, yTrue, yPred);
    }
  }
  process.stderr.write(`timing PyTorch CPU (bench/ssim_torch.py) ...\n`);
  const torch = timeTorch(yTrue, yPred);

  const name: Record<Workload, string> = { ssim: 'SSIM loss', ms_ssim: 'MS-SSIM loss' };
  const lines = [
    `### SSIM / MS-SSIM loss, forward + backward, ${shape[0]}x1x${shape[1]}x${shape[2]} (NHWC [${shape}]): median ms of ${repeats} runs after a warm-up`,
    '',
    `| computation | clock | PyTorch CPU | ${backends.map((b) => `TF.js ${b}`).join(' | ')} | ${backends.map((b) => `${b} / torch`).join(' | ')} | loss (torch / ${backends.join(' / ')}) |`,
    `|---|---|---|${backends.map(() => '---|').join('')}${backends.map(() => '---|').join('')}---|`,
  ];
  for (const work of ['ssim', 'ms_ssim'] as const) {
    const tt = torch.result?.[work];
    const values = [tt?.value, ...backends.map((b) => rows[work][b]?.value)].map((v) => (v === undefined ? '–' : v.toFixed(6))).join(' / ');
    for (const [clock, key] of [['wall', 'median'], ['CPU', 'cpuMedian']] as const) {
      const cells = backends.map((b) => fmt(rows[work][b]?.[key]));
      const ratios = backends.map((b) => ratio(rows[work][b]?.[key], tt?.[key]));
      lines.push(`| ${name[work]} | ${clock} | ${fmt(tt?.[key])} | ${cells.join(' | ')} | ${ratios.join(' | ')} | ${clock === 'wall' ? values : ''} |`);
    }
  }
  lines.push('');
  lines.push('wall = elapsed time; CPU = process user + system time (all threads), steadier when other work shares the machine.');
  if (torch.result) lines.push(`PyTorch ${torch.result.torch}, ${torch.result.threads} threads; ratio = TF.js median ÷ PyTorch median (lower is better for TF.js).`);
  else lines.push(`PyTorch CPU skipped: ${torch.skipped}. Install it with \`apt-get install -y python3-torch\` (Debian's /usr/bin/python3).`);
  if (wasmError) lines.push(`TF.js wasm skipped: ${wasmError}.`);
  lines.push(`Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}); timings on a shared machine are noisy, ratios measured side by side are what count.`);
  lines.push('Reproduce: `pnpm --filter @lossworks/core-losses bench` (or `cd packages/core-losses && pnpm bench`; BENCH_REPEATS / BENCH_BATCH / BENCH_SIDE to change the run).');
  console.log(lines.join('\n'));
}

await main();
