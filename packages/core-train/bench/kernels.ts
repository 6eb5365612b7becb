// `pnpm bench:kernels`: one run, side by side, of TF.js cpu, TF.js wasm, core-train's onnx backend and
// (when Debian's python3-torch is installed) PyTorch CPU on four training workloads; prints a Markdown
// table of milliseconds and ratios to PyTorch, and writes it to bench/results/kernels.md.
//
//   pnpm bench:kernels                  # everything (a few minutes)
//   pnpm bench:kernels --only onnx      # one backend (cpu | wasm | onnx | torch), several allowed
//   pnpm bench:kernels --cpu-convnet    # time TF.js cpu's conv-net step at batch 16 (≈ 4 min) instead of extrapolating
//   pnpm bench:kernels --rounds 4       # PyTorch/onnx rounds per workload (default 2)
//
// Each backend runs in its own process (tsx bench/kernels.ts --child <backend>), so one backend's
// memory and JIT state do not colour another's. PyTorch runs three ways (defaults,
// OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=<cores>) and the best per workload is the reference: on 2
// shared cores each is fastest for some workload. Timings on a shared machine swing by 2x between runs:
// compare the ratios of one run, not absolute numbers across runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const PKG = join(HERE, '..');
const WORKLOADS = ['sgemm', 'convnet', 'lstm', 'transformer'] as const;
type Workload = (typeof WORKLOADS)[number];
const TFJS_BACKENDS = ['onnx', 'wasm', 'cpu'] as const;
type TfjsBackend = (typeof TFJS_BACKENDS)[number];

/** One measured cell: median ms over `reps` timed runs (after one untimed warm-up unless noted). */
interface Cell {
  ms: number;
  reps: number;
  note?: string;
  /** Which configuration gave this time (thread settings). */
  config?: string;
}
type Row = Partial<Record<Workload, Cell>>;

const LABEL: Record<Workload, string> = {
  sgemm: 'SGEMM 1024² (ms; GFLOP/s)',
  convnet: 'dilated conv net train step (1→32→32→32→1, 64², batch 16)',
  lstm: '2×LSTM(64) train step (T 214, F 7, batch 64)',
  transformer: 'Transformer encoder block train step (d 256, 4 heads, 64 tokens, batch 32)',
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// ---------------------------------------------------------------------------------------------------
// Child: one TF.js backend, every workload.
async function child(backend: TfjsBackend, cpuConvnetFull: boolean, threads: number | undefined, only: Workload[]): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { selectBackend } = await import('../src/index.js');
  const W = await import('./kernels-workloads.js');
  await selectBackend({ force: backend, env: {}, ...(threads ? { threads } : {}) });
  tf.env().set('PROD', true);
  const out: Row = {};
  // Time budget per workload: heavy cpu/wasm steps are timed once, fast ones up to `reps` times.
  const plan: Record<Workload, { make: () => { step: () => void; dispose: () => void }; reps: number; budgetMs: number; scale?: number; note?: string }> = {
    sgemm: { make: W.sgemm, reps: 20, budgetMs: 8000 },
    convnet:
      backend === 'cpu' && !cpuConvnetFull
        ? { make: () => W.convnet(1), reps: 1, budgetMs: 0, scale: 16, note: 'extrapolated: batch 1 × 16 (--cpu-convnet times batch 16)' }
        : { make: () => W.convnet(), reps: 10, budgetMs: 15000 },
    lstm: { make: () => W.lstm(), reps: 5, budgetMs: 20000 },
    transformer: { make: () => W.transformer(), reps: 10, budgetMs: 15000 },
  };
  for (const name of only) {
    const p = plan[name];
    const w = p.make();
    const t0 = performance.now();
    w.step(); // warm-up: builds ONNX sessions, JIT, optimizer slots
    const warm = performance.now() - t0;
    const times: number[] = [];
    // A warm-up longer than the budget is the only sample (cpu/wasm heavy steps).
    if (warm * 2 > p.budgetMs && p.budgetMs > 0) times.push(warm);
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

// ---------------------------------------------------------------------------------------------------
// Parent: run every backend, PyTorch, and print the table.
function runTfjs(backend: TfjsBackend, cpuConvnetFull: boolean, threads?: number, only: readonly Workload[] = WORKLOADS): Row | string {
  process.stderr.write(`TF.js ${backend}${threads ? ` (${threads} thread)` : ''} ${only.join(', ')}...\n`);
  const extra = [...(cpuConvnetFull ? ['--cpu-convnet'] : []), ...(threads ? ['--threads', String(threads)] : []), '--workloads', only.join(',')];
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, 'kernels.ts'), '--child', backend, ...extra], {
    cwd: PKG,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) return `failed (exit ${r.status})`;
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Row;
}

const TORCH_PYTHON = '/usr/bin/python3';
const TORCH_CONFIGS: Array<{ name: string; env: Record<string, string> }> = [
  { name: 'defaults', env: {} },
  { name: 'OPENBLAS_NUM_THREADS=1', env: { OPENBLAS_NUM_THREADS: '1' } },
  { name: `OMP_NUM_THREADS=${cpus().length}`, env: { OMP_NUM_THREADS: String(cpus().length) } },
];

interface TorchResult {
  row: Row;
  best: Partial<Record<Workload, string>>;
  version: string;
}

function runTorch(only: readonly Workload[] = WORKLOADS): TorchResult | string {
  if (!existsSync(TORCH_PYTHON)) return 'not run: /usr/bin/python3 missing';
  const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return "not run: Debian's python3-torch is not installed (apt-get install -y python3-torch)";
  const row: Row = {};
  const best: Partial<Record<Workload, string>> = {};
  for (const cfg of TORCH_CONFIGS) {
    process.stderr.write(`PyTorch (${cfg.name}) ${only.join(', ')}...\n`);
    const r = spawnSync(TORCH_PYTHON, [join(HERE, 'kernels_torch.py'), '--json', '--only', ...only], { encoding: 'utf8', env: { ...process.env, ...cfg.env } });
    if (r.status !== 0) {
      process.stderr.write(`  failed: ${r.stderr.trim().split('\n').at(-1)}\n`);
      continue;
    }
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ms: Record<Workload, number> };
    for (const w of only) {
      const ms = res.ms[w];
      process.stderr.write(`  torch ${w}: ${ms.toFixed(1)} ms\n`);
      if (row[w] === undefined || ms < row[w]!.ms) {
        row[w] = { ms, reps: w === 'lstm' ? 3 : 10 };
        best[w] = cfg.name;
      }
    }
  }
  return { row, best, version: probe.stdout.trim() };
}

/** Per workload, the faster of several configurations (named in the cell's note). */
function bestOf(rows: Row[], names: string[]): Row {
  const out: Row = {};
  for (const w of WORKLOADS) {
    let best: Cell | undefined;
    let name = '';
    rows.forEach((r, i) => {
      const c = r[w];
      if (c && (!best || c.ms < best.ms)) {
        best = c;
        name = names[i]!;
      }
    });
    if (best) out[w] = { ...(best as Cell), config: name };
  }
  return out;
}

/** Cell-wise median over rounds (reps summed). */
function mergeRows(rows: Row[]): Row {
  const out: Row = {};
  for (const w of WORKLOADS) {
    const cells = rows.map((r) => r[w]).filter((c): c is Cell => c !== undefined);
    if (cells.length === 0) continue;
    const configs = [...new Set(cells.map((c) => c.config).filter(Boolean))].join(' / ');
    out[w] = {
      ms: median(cells.map((c) => c.ms)),
      reps: cells.reduce((a, c) => a + c.reps, 0),
      ...(cells[0]!.note ? { note: cells[0]!.note } : {}),
      ...(configs ? { config: configs } : {}),
    };
  }
  return out;
}

function mergeTorch(rs: TorchResult[]): TorchResult {
  const row = mergeRows(rs.map((r) => r.row));
  const best: Partial<Record<Workload, string>> = {};
  for (const w of WORKLOADS) {
    const names = rs.map((r) => r.best[w]).filter(Boolean) as string[];
    best[w] = [...new Set(names)].join(' / ');
  }
  return { row, best, version: rs[0]!.version };
}

function fmtMs(w: Workload, c: Cell | undefined): string {
  if (!c) return '–';
  const ms = c.ms >= 100 ? c.ms.toFixed(0) : c.ms.toFixed(1);
  const gflops = w === 'sgemm' ? `; ${((2 * 1024 ** 3) / (c.ms * 1e6)).toFixed(0)} GFLOP/s` : '';
  return `${ms}${gflops}${c.note ? ' †' : ''}`;
}

function fmtRatio(r: number): string {
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`;
}

function ratio(c: Cell | undefined, ref: Cell | undefined): string {
  if (!c || !ref) return '–';
  return fmtRatio(c.ms / ref.ms);
}

async function parent(args: string[]): Promise<void> {
  const only = new Set<string>();
  for (let i = 0; i < args.length; i++) if (args[i] === '--only') only.add(args[++i]!);
  const want = (b: string): boolean => only.size === 0 || only.has(b);
  const cpuConvnetFull = args.includes('--cpu-convnet');
  const ri = args.indexOf('--rounds');
  const rounds = ri >= 0 ? Math.max(1, Number(args[ri + 1])) : 2;
  const started = new Date();
  const load0 = loadavg()[0]!;
  // PyTorch and the onnx backend alternate for `rounds` rounds (each cell: median of the rounds), so
  // that both see the same machine load; wasm and cpu are far slower and run once.
  // Per workload, PyTorch and the onnx backend alternate for `rounds` rounds, each seeing the load of
  // the same minute; a ratio is the median of the per-round ratios. wasm and cpu run once.
  const torchRounds: TorchResult[] = [];
  const onnxRounds: Row[] = [];
  const ratios: Partial<Record<Workload, number[]>> = {};
  let torchFailure: string | undefined;
  let onnxFailure: string | undefined;
  for (const w of WORKLOADS) {
    for (let r = 0; r < rounds; r++) {
      process.stderr.write(`${w}: round ${r + 1}/${rounds}\n`);
      let t: TorchResult | undefined;
      let o: Row | undefined;
      if (want('torch')) {
        const res = runTorch([w]);
        if (typeof res === 'string') torchFailure = res;
        else torchRounds.push((t = res));
      }
      if (want('onnx')) {
        // Like PyTorch, the onnx backend runs under two thread settings (ONNX Runtime's default, one
        // per core, and one thread: on a loaded 2-core machine a second thread can stall more than it helps).
        const both = [runTfjs('onnx', cpuConvnetFull, undefined, [w]), runTfjs('onnx', cpuConvnetFull, 1, [w])];
        const ok = both.filter((x): x is Row => typeof x !== 'string');
        if (ok.length === 0) onnxFailure = both[0] as string;
        else onnxRounds.push((o = bestOf(ok, ['default threads', '1 thread'].filter((_, i) => typeof both[i] !== 'string'))));
      }
      if (t?.row[w] && o?.[w]) (ratios[w] ??= []).push(o[w]!.ms / t.row[w]!.ms);
    }
  }
  const torch: TorchResult | string = !want('torch') ? 'not run (--only)' : torchRounds.length ? mergeTorch(torchRounds) : (torchFailure ?? 'not run');
  const tfjs: Partial<Record<TfjsBackend, Row | string>> = {};
  tfjs.onnx = !want('onnx') ? 'not run (--only)' : onnxRounds.length ? mergeRows(onnxRounds) : (onnxFailure ?? 'not run');
  for (const b of ['wasm', 'cpu'] as const) tfjs[b] = want(b) ? runTfjs(b, cpuConvnetFull) : 'not run (--only)';
  const torchRow = typeof torch === 'string' ? undefined : torch.row;
  const row = (b: TfjsBackend): Row | undefined => (typeof tfjs[b] === 'string' ? undefined : (tfjs[b] as Row));

  const lines: string[] = [];
  lines.push(`# Fast kernels benchmark (${started.toISOString().slice(0, 16)}Z)`);
  lines.push('');
  lines.push(`Reproduce: \`pnpm --filter @lossworks/core-train bench:kernels\` (see bench/kernels.ts).`);
  lines.push(
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, load average ${load0.toFixed(2)} at start; Node ${process.version}; ` +
      `PyTorch ${typeof torch === 'string' ? torch : torch.version}.`,
  );
  lines.push('Milliseconds per step (median of the runs in this process); ratio = time ÷ PyTorch time (below 1: faster than PyTorch).');
  lines.push('');
  lines.push('| workload | PyTorch CPU (best config) | onnx backend | ratio | TF.js wasm | ratio | TF.js cpu | ratio |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const w of WORKLOADS) {
    const ref = torchRow?.[w];
    const cfg = typeof torch === 'string' ? '' : ` (${torch.best[w]})`;
    const cells = TFJS_BACKENDS.map((b) => {
      const c = row(b)?.[w];
      const rs = b === 'onnx' ? ratios[w] : undefined;
      const rt = rs?.length ? `${fmtRatio(median(rs))}${rs.length > 1 ? ` (${rs.map(fmtRatio).join(', ')})` : ''}` : ratio(c, ref);
      return [`${fmtMs(w, c)}${c?.config ? ` (${c.config})` : ''}`, rt];
    }).flat();
    lines.push(`| ${LABEL[w]} | ${fmtMs(w, ref)}${ref ? cfg : ''} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  const notes = TFJS_BACKENDS.flatMap((b) => WORKLOADS.map((w) => row(b)?.[w]?.note && `† ${b} ${w}: ${row(b)![w]!.note}.`)).filter(Boolean);
  for (const n of notes) lines.push(`${n}`);
  for (const b of TFJS_BACKENDS) if (typeof tfjs[b] === 'string') lines.push(`TF.js ${b}: ${tfjs[b] as string}.`);
  if (typeof torch === 'string') lines.push(`PyTorch: ${torch}.`);
  lines.push(
    `Per workload, PyTorch and the onnx backend ran alternately for ${rounds} round(s) (so that both see the same minute's load); ` +
      'their cells are the median over rounds of each round\'s fastest configuration, and the onnx ratio is the median of the ' +
      'per-round ratios (each round\'s in parentheses). onnx: up to 20 runs for SGEMM, 10 for the conv net and Transformer, 5 for ' +
      'the LSTM, within a time budget, under ONNX Runtime\'s default threads and under 1 thread; PyTorch: bench/kernels_torch.py ' +
      'under its defaults, OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=<cores>. wasm and cpu ran once; their steps longer than ' +
      'the time budget are timed once.',
  );
  const md = `${lines.join('\n')}\n`;
  process.stdout.write(`\n${md}`);
  mkdirSync(join(HERE, 'results'), { recursive: true });
  writeFileSync(join(HERE, 'results', 'kernels.md'), md);
}

const argv = process.argv.slice(2);
const ci = argv.indexOf('--child');
const ti = argv.indexOf('--threads');
const wi = argv.indexOf('--workloads');
const onlyWorkloads = wi >= 0 ? (argv[wi + 1]!.split(',') as Workload[]) : [...WORKLOADS];
if (ci >= 0) await child(argv[ci + 1] as TfjsBackend, argv.includes('--cpu-convnet'), ti >= 0 ? Number(argv[ti + 1]) : undefined, onlyWorkloads);
else await parent(argv);
