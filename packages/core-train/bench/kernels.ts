// `pnpm bench:kernels`: core-train's onnx backend against PyTorch CPU (when Debian's python3-torch is
// installed) on five training workloads, side by side, plus TF.js wasm and cpu for reference; prints
// a Markdown table of milliseconds and ratios to PyTorch and writes it to bench/results/kernels.md.
//
//   pnpm bench:kernels                        # everything (several minutes)
//   pnpm bench:kernels --only onnx --only torch   # backends: onnx | torch | wasm | cpu (several allowed)
//   pnpm bench:kernels --workloads convnet,lstm   # a subset of sgemm, convnet, lstm, transformer, poolnet
//   pnpm bench:kernels --cycles 20            # interleaved cycles per workload (default: per workload)
//   pnpm bench:kernels --gap 0                # idle ms before each configuration's turn (default 150, see below)
//   pnpm bench:kernels --block 1              # steps per turn, the first not counted (default 3, see below)
//   pnpm bench:kernels --out /tmp/k.md        # write the table elsewhere
//   pnpm bench:kernels --cpu-convnet          # time TF.js cpu's conv-net step at batch 16 (≈ 4 min) instead of extrapolating
//   pnpm bench:kernels --baseline /tmp/old/packages/core-train   # also interleave another checkout's onnx backend
//                                             # (copy this bench/ into it first), reported as "onnx before"
//
// How PyTorch and the onnx backend are compared: the machine this runs on is shared, and its load
// changes within seconds. Every configuration of both sides — PyTorch under its defaults,
// OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=<cores>; the onnx backend under ONNX Runtime's default
// threads and under 1 thread — runs as its own long-lived process holding the built workload, and the
// parent gives each a turn (the order rotating every cycle) of `--block` steps back to back, the
// first not counted, so that every configuration sees the same minutes. A side's time is the median step of its best configuration; the ratio column
// also gives the median and interquartile range of the per-cycle ratios (fastest onnx step of the
// cycle ÷ fastest PyTorch step of the cycle). TF.js wasm and cpu are far slower and run once, in one
// process each, with a time budget.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadNativeKernels } from '../src/kernels/native.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PKG = join(HERE, '..');
const WORKLOADS = ['sgemm', 'convnet', 'lstm', 'transformer', 'poolnet'] as const;
type Workload = (typeof WORKLOADS)[number];
type TfjsBackend = 'onnx' | 'wasm' | 'cpu';

const LABEL: Record<Workload, string> = {
  sgemm: 'SGEMM 1024² (ms; GFLOP/s)',
  convnet: 'dilated conv net train step (1→32→32→32→1, 64², batch 16)',
  lstm: '2×LSTM(64) train step (T 214, F 7, batch 64)',
  transformer: 'Transformer encoder block train step (d 256, 4 heads, 64 tokens, batch 32)',
  poolnet: 'max-pool conv classifier train step (3→32→pool→64→pool→10, 32², batch 32)',
};

/** Interleaved cycles per workload by default (one step of every configuration per cycle). */
const CYCLES: Record<Workload, number> = { sgemm: 30, convnet: 16, lstm: 6, transformer: 16, poolnet: 16 };

/** One measured step: wall-clock and process CPU milliseconds. */
interface Step {
  ms: number;
  cpu: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

// ---------------------------------------------------------------------------------------------------
// Children.

async function setup(backend: TfjsBackend, threads: number | undefined) {
  const tf = await import('@tensorflow/tfjs');
  const { selectBackend } = await import('../src/index.js');
  const W = await import('./kernels-workloads.js');
  await selectBackend({ force: backend, env: {}, ...(threads ? { threads } : {}) });
  tf.env().set('PROD', true);
  return W;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** `--serve <backend> <workload>`: one warm-up step, "ready", then one timed step per "step" line. */
async function serve(backend: TfjsBackend, workload: Workload, threads: number | undefined): Promise<void> {
  const W = await setup(backend, threads);
  const w = W.WORKLOADS[workload]();
  w.step();
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === 'quit') break;
    const c0 = cpuMs();
    const t0 = performance.now();
    w.step();
    const ms = performance.now() - t0;
    process.stdout.write(`${JSON.stringify({ ms, cpu: cpuMs() - c0 })}\n`);
  }
  w.dispose();
}

/** `--once <backend>`: every selected workload once in this process, within a time budget (wasm, cpu). */
async function once(backend: TfjsBackend, cpuConvnetFull: boolean, only: readonly Workload[]): Promise<void> {
  const W = await setup(backend, undefined);
  const out: Partial<Record<Workload, { ms: number; reps: number; note?: string }>> = {};
  const plan: Record<Workload, { make: () => { step: () => void; dispose: () => void }; reps: number; budgetMs: number; scale?: number; note?: string }> = {
    sgemm: { make: W.sgemm, reps: 20, budgetMs: 8000 },
    convnet:
      backend === 'cpu' && !cpuConvnetFull
        ? { make: () => W.convnet(1), reps: 1, budgetMs: 0, scale: 16, note: 'extrapolated: batch 1 × 16 (--cpu-convnet times batch 16)' }
        : { make: () => W.convnet(), reps: 10, budgetMs: 15000 },
    lstm: { make: () => W.lstm(), reps: 5, budgetMs: 20000 },
    transformer: { make: () => W.transformer(), reps: 10, budgetMs: 15000 },
    poolnet: { make: () => W.poolnet(), reps: 10, budgetMs: 15000 },
  };
  for (const name of only) {
    const p = plan[name];
    const w = p.make();
    const t0 = performance.now();
    w.step(); // warm-up
    const warm = performance.now() - t0;
    const times: number[] = [];
    if (warm * 2 > p.budgetMs && p.budgetMs > 0) times.push(warm); // a warm-up longer than the budget is the only sample
    const start = performance.now();
    while (times.length < p.reps && (times.length === 0 || performance.now() - start < p.budgetMs)) {
      const t = performance.now();
      w.step();
      times.push(performance.now() - t);
    }
    w.dispose();
    out[name] = { ms: median(times) * (p.scale ?? 1), reps: times.length, ...(p.note ? { note: p.note } : {}) };
    process.stderr.write(`  ${backend} ${name}: ${out[name]!.ms.toFixed(1)} ms (${times.length} runs)\n`);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** `--peak`: ONNX Runtime's own Gemm 1024² (no TF.js), best of 20, at 1 thread and one per core. */
async function onnxPeak(): Promise<void> {
  const { loadOrt, OrtRuntime } = await import('../src/kernels/ort.js');
  const { GraphBuilder } = await import('../src/kernels/graph-builder.js');
  const ort = await loadOrt((s) => import(s));
  const gflops: Record<string, number> = {};
  for (const threads of [...new Set([1, cpus().length])]) {
    const rt = new OrtRuntime(ort, { threads });
    const s = rt.session('peak', () => {
      const g = new GraphBuilder();
      g.output(g.op('Gemm', [g.input([1024, 1024]), g.input([1024, 1024])]), [1024, 1024]);
      return g.build('gemm');
    });
    const a = new Float32Array(1024 * 1024).fill(0.5);
    const c = new Float32Array(1024 * 1024);
    let best = Infinity;
    for (let i = 0; i < 22; i++) {
      const t = performance.now();
      rt.run(s, [{ data: a, dims: [1024, 1024] }, { data: a, dims: [1024, 1024] }], [{ data: c, dims: [1024, 1024] }]);
      if (i >= 2) best = Math.min(best, performance.now() - t);
    }
    gflops[String(threads)] = (2 * 1024 ** 3) / (best * 1e6);
    rt.clear();
  }
  process.stdout.write(`${JSON.stringify({ gflops })}\n`);
}

// ---------------------------------------------------------------------------------------------------
// Parent.

const TORCH_PYTHON = '/usr/bin/python3';
const TORCH_CONFIGS: Array<{ name: string; env: Record<string, string> }> = [
  { name: 'defaults', env: {} },
  { name: 'OPENBLAS_NUM_THREADS=1', env: { OPENBLAS_NUM_THREADS: '1' } },
  { name: `OMP_NUM_THREADS=${cpus().length}`, env: { OMP_NUM_THREADS: String(cpus().length) } },
];
const ONNX_CONFIGS: Array<{ name: string; threads?: number }> = [{ name: 'default threads' }, { name: '1 thread', threads: 1 }];

/** A long-lived child that runs one step per request. */
class Worker {
  readonly steps: Step[] = [];
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private failure: string | undefined;

  constructor(
    readonly side: 'torch' | 'onnx' | 'before',
    readonly config: string,
    command: string,
    args: string[],
    env: Record<string, string>,
    cwd = PKG,
  ) {
    this.proc = spawn(command, args, { cwd, env: { ...process.env, ...env } });
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.lines.push(line);
    });
    let err = '';
    this.proc.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    this.proc.on('exit', (code) => {
      this.failure = `exited with ${code}: ${err.trim().split('\n').at(-1) ?? ''}`;
      this.waiting?.('');
    });
  }

  private next(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.failure) return Promise.resolve('');
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Waits for "ready"; returns an error message if the child failed. */
  async ready(): Promise<string | undefined> {
    const l = await this.next();
    return l === 'ready' ? undefined : (this.failure ?? `unexpected output '${l}'`);
  }

  /** Runs one step; records its time unless `warmUp`. */
  async step(warmUp = false): Promise<void> {
    this.proc.stdin.write('step\n');
    const l = await this.next();
    if (!l) throw new Error(`${this.side} (${this.config}) ${this.failure ?? 'no answer'}`);
    if (!warmUp) this.steps.push(JSON.parse(l) as Step);
  }

  close(): void {
    this.proc.stdin.end('quit\n');
  }
}

interface Side {
  config: string;
  ms: number;
  cpu: number;
  n: number;
}

interface Comparison {
  torch?: Side;
  onnx?: Side;
  /** The baseline checkout's onnx backend (--baseline). */
  before?: Side;
  /** Per-cycle ratios (fastest onnx ÷ fastest PyTorch step of the cycle). */
  ratios: number[];
  /** Median step of every configuration. */
  configs: Array<{ side: string; config: string; ms: number; cpu: number }>;
  errors: string[];
}

function torchAvailable(): string | undefined {
  if (!existsSync(TORCH_PYTHON)) return `not run: ${TORCH_PYTHON} missing`;
  const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return "not run: Debian's python3-torch is not installed (apt-get install -y python3-torch)";
  return undefined;
}

function best(workers: Worker[]): Side | undefined {
  let out: Side | undefined;
  for (const w of workers) {
    if (w.steps.length === 0) continue;
    const ms = median(w.steps.map((s) => s.ms));
    if (!out || ms < out.ms) out = { config: w.config, ms, cpu: median(w.steps.map((s) => s.cpu)), n: w.steps.length };
  }
  return out;
}

/**
 * Idle milliseconds before each interleaved step. OpenBLAS's worker threads busy-wait for a while after
 * a call (and OpenMP's may too): without a pause they take a core from whichever process steps next
 * (measured: SGEMM under the onnx backend's default threads 9.8 ms alone, 18.9 ms right after PyTorch).
 */
const DEFAULT_GAP_MS = 150;

/**
 * Steps per turn: each configuration, when its turn comes, runs this many steps back to back and the
 * first is not counted. A training loop runs steps back to back; the first step after the other
 * processes' turns (and the idle gap) measures how fast sleeping threads wake, not throughput
 * (measured: the onnx backend's conv-net step 50 ms back to back and 76 ms after 150 ms idle, with
 * ONNX Runtime's and the native kernels' threads sleeping between calls; PyTorch's OpenMP threads
 * busy-wait between parallel regions and were not slowed).
 */
const DEFAULT_BLOCK = 3;

/**
 * The CPU's fp32 multiply-add peak, measured by core-train's native kernels (12 independent 16-lane
 * FMA chains per thread, best of 3), against PyTorch's SGEMM peak: what "SGEMM at 1.5x PyTorch" asks.
 */
function fmaPeakLine(threads: number[], mhz: number, torchPeak: Record<string, number> | undefined): string {
  const native = loadNativeKernels().kernels;
  if (!native) return `fp32 multiply-add peak: not measured (no native kernels). Nominal clock ${mhz} MHz.`;
  const sink = new Float32Array(Math.max(...threads));
  const peak = threads.map((t) => Math.max(...[0, 1, 2].map(() => native.fmaPeak(20_000_000, t, sink))));
  const cells = threads.map((t, i) => `${peak[i]!.toFixed(0)} GFLOP/s on ${t} thread${t > 1 ? 's' : ''}`).join(', ');
  const best = torchPeak ? Math.max(...Object.values(torchPeak)) : undefined;
  const ask = best ? ` PyTorch's SGEMM peak above is ${best.toFixed(0)} GFLOP/s (${((100 * best) / peak.at(-1)!).toFixed(0)} % of the machine's peak); 1.5x it would be ${(1.5 * best).toFixed(0)} GFLOP/s, ${((1.5 * best) / peak.at(-1)!).toFixed(2)}x what the cores can do.` : '';
  return `fp32 multiply-add peak of this CPU, measured (native kernels' fmaPeak: independent AVX-512 FMA chains): ${cells} (nominal clock ${mhz} MHz; the cores run faster).${ask}`;
}

async function compare(w: Workload, cycles: number, withTorch: boolean, withOnnx: boolean, baseline?: string, gapMs = DEFAULT_GAP_MS, block = DEFAULT_BLOCK): Promise<Comparison> {
  const workers: Worker[] = [];
  if (withTorch) {
    for (const c of TORCH_CONFIGS) workers.push(new Worker('torch', c.name, TORCH_PYTHON, [join(HERE, 'kernels_torch.py'), '--serve', w], c.env));
  }
  if (withOnnx) {
    for (const c of ONNX_CONFIGS) {
      const args = ['--import', 'tsx', join(HERE, 'kernels.ts'), '--serve', 'onnx', w, ...(c.threads ? ['--threads', String(c.threads)] : [])];
      workers.push(new Worker('onnx', c.name, process.execPath, args, {}));
      if (baseline) {
        const old = ['--import', 'tsx', join(baseline, 'bench', 'kernels.ts'), ...args.slice(3)];
        workers.push(new Worker('before', c.name, process.execPath, old, {}, baseline));
      }
    }
  }
  const errors: string[] = [];
  const live: Worker[] = [];
  for (const wk of workers) {
    const err = await wk.ready();
    if (err) errors.push(`${wk.side} (${wk.config}): ${err}`);
    else live.push(wk);
  }
  const ratios: number[] = [];
  for (let c = 0; c < cycles; c++) {
    const order = live.map((_, i) => live[(i + c) % live.length]!);
    const cycle: Record<string, number> = {};
    for (const wk of order) {
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      for (let b = 0; b < block; b++) {
        await wk.step(block > 1 && b === 0);
        if (block > 1 && b === 0) continue;
        cycle[wk.side] = Math.min(cycle[wk.side] ?? Infinity, wk.steps.at(-1)!.ms);
      }
    }
    if (cycle.torch && cycle.onnx) ratios.push(cycle.onnx / cycle.torch);
    process.stderr.write(`  ${w} cycle ${c + 1}/${cycles}: ${Object.entries(cycle).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}\n`);
  }
  for (const wk of workers) wk.close();
  const side = (s: 'torch' | 'onnx' | 'before') => best(live.filter((x) => x.side === s));
  const configs = live.map((x) => ({ side: x.side, config: x.config, ms: median(x.steps.map((s) => s.ms)), cpu: median(x.steps.map((s) => s.cpu)) }));
  return { torch: side('torch'), onnx: side('onnx'), before: side('before'), ratios, configs, errors };
}

function runOnce(backend: TfjsBackend, cpuConvnetFull: boolean, only: readonly Workload[]): Record<string, { ms: number; reps: number; note?: string }> | string {
  process.stderr.write(`TF.js ${backend}: ${only.join(', ')}...\n`);
  const args = ['--import', 'tsx', join(HERE, 'kernels.ts'), '--once', backend, '--workloads', only.join(','), ...(cpuConvnetFull ? ['--cpu-convnet'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: PKG, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (r.status !== 0) return `failed (exit ${r.status})`;
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, { ms: number; reps: number; note?: string }>;
}

function fmtMs(w: Workload, ms: number | undefined): string {
  if (ms === undefined) return '–';
  const s = ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
  return w === 'sgemm' ? `${s}; ${((2 * 1024 ** 3) / (ms * 1e6)).toFixed(0)} GFLOP/s` : s;
}

function fmtRatio(r: number): string {
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`;
}

/** Clock of the first core in MHz (os.cpus() reports 0 in some VMs; /proc/cpuinfo has it). */
function cpuMhz(): number {
  const speed = cpus()[0]?.speed ?? 0;
  if (speed > 0) return speed;
  try {
    return Number(/^cpu MHz\s*:\s*([\d.]+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function cpuInfo(): string {
  let flags = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const f = new Set((/^flags\s*:(.*)$/m.exec(info)?.[1] ?? '').trim().split(/\s+/));
    flags = ['avx512f', 'avx2', 'fma'].filter((x) => f.has(x)).join(', ');
  } catch {
    // not Linux
  }
  return `${cpus()[0]?.model ?? 'unknown CPU'} (${cpuMhz() || '?'} MHz${flags ? `; ${flags}` : ''}), ${cpus().length} cores`;
}

async function parent(args: string[]): Promise<void> {
  const only = new Set<string>();
  for (let i = 0; i < args.length; i++) if (args[i] === '--only') only.add(args[++i]!);
  const want = (b: string): boolean => only.size === 0 || only.has(b);
  const cpuConvnetFull = args.includes('--cpu-convnet');
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const selected = (opt('--workloads')?.split(',') as Workload[] | undefined) ?? [...WORKLOADS];
  const cyclesOverride = opt('--cycles') ?? opt('--rounds');
  const gap = Number(opt('--gap') ?? DEFAULT_GAP_MS);
  const block = Math.max(1, Number(opt('--block') ?? DEFAULT_BLOCK));
  const outFile = opt('--out') ?? join(HERE, 'results', 'kernels.md');
  const baseline = opt('--baseline');
  const started = new Date();
  const load0 = loadavg()[0]!;
  const torchMissing = want('torch') ? torchAvailable() : 'not run (--only)';

  const results: Partial<Record<Workload, Comparison>> = {};
  if (want('torch') || want('onnx')) {
    for (const w of selected) {
      const cycles = cyclesOverride ? Math.max(1, Number(cyclesOverride)) : CYCLES[w];
      process.stderr.write(`${w}: ${cycles} interleaved cycles\n`);
      results[w] = await compare(w, cycles, want('torch') && !torchMissing, want('onnx'), baseline, gap, block);
    }
  }
  const once: Partial<Record<TfjsBackend, ReturnType<typeof runOnce>>> = {};
  for (const b of ['wasm', 'cpu'] as const) once[b] = want(b) ? runOnce(b, cpuConvnetFull, selected) : 'not run (--only)';

  // SGEMM peaks: what each library reaches on this machine, with and without a second thread.
  let peak = '';
  if (selected.includes('sgemm') && want('onnx')) {
    const o = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, 'kernels.ts'), '--peak'], { cwd: PKG, encoding: 'utf8' });
    const t = torchMissing ? undefined : spawnSync(TORCH_PYTHON, [join(HERE, 'kernels_torch.py'), '--peak'], { encoding: 'utf8' });
    const parse = (s: string | undefined) => (s ? (JSON.parse(s.trim().split('\n').at(-1)!) as { gflops: Record<string, number> }).gflops : undefined);
    const og = o.status === 0 ? parse(o.stdout) : undefined;
    const tg = t?.status === 0 ? parse(t.stdout) : undefined;
    const threads = [...new Set([1, cpus().length])];
    const row = (g: Record<string, number> | undefined) => threads.map((n) => (g?.[String(n)] ? `${g[String(n)]!.toFixed(0)}` : '–')).join(' | ');
    const mhz = cpuMhz();
    peak = [
      '',
      '## SGEMM 1024² peak (best of 20 calls, GFLOP/s)',
      '',
      `| library | ${threads.map((n) => `${n} thread${n > 1 ? 's' : ''}`).join(' | ')} |`,
      `|---|${threads.map(() => '---').join('|')}|`,
      `| ONNX Runtime Gemm (MLAS), no TF.js | ${row(og)} |`,
      `| PyTorch torch.mm (OpenBLAS) | ${row(tg)} |`,
      '',
      fmaPeakLine(threads, mhz, tg),
    ].join('\n');
  }

  const lines: string[] = [];
  lines.push(`# Fast kernels benchmark (${started.toISOString().slice(0, 16)}Z)`);
  lines.push('');
  lines.push('Reproduce: `pnpm --filter @lossworks/core-train bench:kernels` (see bench/kernels.ts).');
  const torchVersion = torchMissing ?? spawnSync(TORCH_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim();
  lines.push(`Machine: ${cpuInfo()}; load average ${load0.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end; Node ${process.version}; PyTorch ${torchVersion}.`);
  lines.push('Milliseconds per step; ratio = onnx time ÷ PyTorch time (below 1: faster than PyTorch).');
  lines.push('');
  const beforeHead = baseline ? ' onnx before (best config; CPU ms) | before ÷ PyTorch |' : '';
  lines.push(`| workload | PyTorch CPU (best config) | onnx backend (best config; CPU ms) | onnx ÷ PyTorch: medians (per-cycle median [IQR]) |${beforeHead} TF.js wasm | ratio | TF.js cpu | ratio |`);
  lines.push(`|---|---|---|---|${baseline ? '---|---|' : ''}---|---|---|---|`);
  const notes: string[] = [];
  for (const w of selected) {
    const r = results[w];
    const t = r?.torch;
    const o = r?.onnx;
    const ratio = t && o ? `${fmtRatio(o.ms / t.ms)} (${r.ratios.length ? `${fmtRatio(median(r.ratios))} [${fmtRatio(quantile(r.ratios, 0.25))}–${fmtRatio(quantile(r.ratios, 0.75))}]` : '–'})` : '–';
    const others = (['wasm', 'cpu'] as const).map((b) => {
      const row = once[b];
      const c = typeof row === 'string' ? undefined : row?.[w];
      if (c?.note) notes.push(`† ${b} ${w}: ${c.note}.`);
      return [`${fmtMs(w, c?.ms)}${c?.note ? ' †' : ''}`, c && t ? fmtRatio(c.ms / t.ms) : '–'];
    });
    const b = r?.before;
    const beforeCells = baseline ? ` ${b ? `${fmtMs(w, b.ms)} (${b.config}; ${b.cpu.toFixed(0)})` : '–'} | ${b && t ? fmtRatio(b.ms / t.ms) : '–'} |` : '';
    lines.push(
      `| ${LABEL[w]} | ${t ? `${fmtMs(w, t.ms)} (${t.config})` : '–'} | ${o ? `${fmtMs(w, o.ms)} (${o.config}; ${o.cpu.toFixed(0)})` : '–'} | ${ratio} |${beforeCells} ${others.flat().join(' | ')} |`,
    );
    for (const e of r?.errors ?? []) notes.push(`${w}: ${e}.`);
  }
  lines.push('');
  lines.push(...notes);
  for (const b of ['wasm', 'cpu'] as const) if (typeof once[b] === 'string') lines.push(`TF.js ${b}: ${once[b] as string}.`);
  if (torchMissing) lines.push(`PyTorch: ${torchMissing}.`);
  lines.push(
    'PyTorch (bench/kernels_torch.py, torch.optim.Adam) ran under its defaults, OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=<cores>; ' +
      "the onnx backend (core-train's Adam) under ONNX Runtime's default threads and 1 thread. Each configuration is a long-lived " +
      `process; the parent gave them turns in rotating order, ${gap} ms after the previous one, of ${block} steps back to back of which the first was not counted (see bench/kernels.ts), so all saw the same load. ` +
      'Cells are the median step of the best configuration (CPU ms: its median process CPU time per step). wasm and cpu ran once.',
  );
  lines.push('');
  lines.push('Median step of every configuration (ms; CPU ms):');
  lines.push('');
  for (const w of selected) {
    const cs = results[w]?.configs ?? [];
    if (cs.length) lines.push(`- ${w}: ${cs.map((c) => `${c.side} ${c.config} ${c.ms.toFixed(1)} (${c.cpu.toFixed(0)})`).join('; ')}`);
  }
  const md = `${lines.join('\n')}\n${peak}\n`;
  process.stdout.write(`\n${md}`);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, md);
}

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const threadsArg = arg('--threads');
if (arg('--serve')) await serve(arg('--serve') as TfjsBackend, argv[argv.indexOf('--serve') + 2] as Workload, threadsArg ? Number(threadsArg) : undefined);
else if (arg('--once')) await once(arg('--once') as TfjsBackend, argv.includes('--cpu-convnet'), (arg('--workloads')?.split(',') as Workload[] | undefined) ?? [...WORKLOADS]);
else if (argv.includes('--peak')) await onnxPeak();
else await parent(argv);
