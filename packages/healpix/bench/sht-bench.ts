// `pnpm bench` for @lossworks/healpix: map2alm (iter 0 and 3) and alm2map at nside 128 and 256
// (lmax = 3·nside − 1) beside healpy timed in the same run on the same maps (bench/healpy_bench.py,
// Debian's /usr/bin/python3; skipped with a message when healpy is absent). Medians of repeats after a
// warm-up; the machine is shared, so only the ratios measured side by side mean anything. Writes the
// Markdown table to stdout and bench/results/sht.md.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom, alm2cl, alm2map, map2alm, writeHealpixMap } from '../src/index.js';

const NSIDES = [128, 256];
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const OPS = ['map2alm iter=0', 'map2alm iter=3', 'alm2map'] as const;

function median(xs: number[]): number {
  const t = [...xs].sort((a, b) => a - b);
  return t.length % 2 ? t[(t.length - 1) / 2]! : (t[t.length / 2 - 1]! + t[t.length / 2]!) / 2;
}

/** Median wall-clock and CPU seconds of `repeats` calls after a warm-up. */
function medianTime(fn: () => unknown, repeats: number): { wall: number; cpu: number } {
  fn(); // warm-up: JIT, FFT plans, ring geometry
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const s = performance.now();
    const c = process.cpuUsage();
    fn();
    const dc = process.cpuUsage(c);
    wall.push((performance.now() - s) / 1000);
    cpu.push((dc.user + dc.system) / 1e6);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

interface HealpyRun {
  healpy: string;
  threads: string;
  results: { nside: number; op: string; median_s: number; cpu_s: number }[];
  cl: Record<string, number[]>;
}

const dir = await mkdtemp(join(tmpdir(), 'healpix-bench-'));
const ours = new Map<string, { wall: number; cpu: number }>();
const maxClDiff = new Map<number, number>();
const files: string[] = [];
const ourCl = new Map<number, Float64Array>();
try {
  for (const nside of NSIDES) {
    const rng = new SeededRandom(nside);
    const map = Float64Array.from({ length: 12 * nside * nside }, () => rng.normal());
    const file = join(dir, `bench-n${nside}.fits`);
    await writeHealpixMap(file, map);
    files.push(file);
    const lmax = 3 * nside - 1;
    const alm = map2alm(map, { lmax });
    ourCl.set(nside, alm2cl(alm));
    const reps = nside >= 256 ? Math.max(3, Math.ceil(REPEATS / 2)) : REPEATS;
    ours.set(`${nside}:map2alm iter=0`, medianTime(() => map2alm(map, { lmax, iter: 0 }), reps));
    ours.set(`${nside}:map2alm iter=3`, medianTime(() => map2alm(map, { lmax, iter: 3 }), reps));
    ours.set(`${nside}:alm2map`, medianTime(() => alm2map(alm, nside), reps));
    process.stderr.write(`lossworks nside ${nside} done\n`);
  }

  const runHealpy = (threads: string | null): HealpyRun | string => {
    if (!existsSync('/usr/bin/python3')) return 'no /usr/bin/python3';
    const env = { ...process.env, ...(threads ? { OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads } : {}) };
    const r = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'healpy_bench.py'), String(Math.max(3, Math.ceil(REPEATS / 2))), ...files], { encoding: 'utf8', env });
    if (r.status !== 0) return `healpy bench failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
    return JSON.parse(r.stdout) as HealpyRun;
  };
  const hp1 = runHealpy('1');
  const hpN = typeof hp1 === 'string' ? hp1 : runHealpy(null);

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines: string[] = [];
  lines.push(`# @lossworks/healpix SHT benchmark`);
  lines.push('');
  lines.push(`${new Date().toISOString()} · Node ${process.version} · ${cpu} × ${cpus().length} · load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (machine shared with other jobs)`);
  lines.push('');
  lines.push(`Median of repeats after one warm-up call; random N(0,1) maps; lmax = 3·nside − 1, mmax = lmax. lossworks is single-threaded JavaScript (float64). Ratios are lossworks ÷ healpy wall-clock time; the last column divides CPU times (less sensitive to other jobs on the machine).`);
  if (typeof hp1 === 'string') {
    lines.push('');
    lines.push(`healpy: skipped (${hp1}).`);
  } else {
    lines.push(`healpy ${hp1.healpy} (libsharp) on the same maps, in the same run: once with OMP_NUM_THREADS=1, once with its default threads.`);
  }
  lines.push('');
  lines.push('| transform | nside | lossworks (s) | healpy 1 thread (s) | ratio | healpy default threads (s) | ratio | CPU ratio, 1 thread |');
  lines.push('|---|---|---|---|---|---|---|---|');
  const hpRow = (run: HealpyRun | string, nside: number, op: string) =>
    typeof run === 'string' ? undefined : run.results.find((r) => r.nside === nside && r.op === op);
  const hpTime = (run: HealpyRun | string, nside: number, op: string): number | null => hpRow(run, nside, op)?.median_s ?? null;
  const fmt = (x: number | null): string => (x === null ? '–' : x.toFixed(3));
  const ratio = (a: number, b: number | null): string => (b === null ? '–' : `${(a / b).toFixed(1)}×`);
  for (const nside of NSIDES) {
    for (const op of OPS) {
      const { wall: t, cpu } = ours.get(`${nside}:${op}`)!;
      const h1 = hpTime(hp1, nside, op);
      const hn = hpTime(hpN, nside, op);
      const c1 = hpRow(hp1, nside, op)?.cpu_s ?? null;
      lines.push(`| ${op} | ${nside} | ${fmt(t)} | ${fmt(h1)} | ${ratio(t, h1)} | ${fmt(hn)} | ${ratio(t, hn)} | ${ratio(cpu, c1)} |`);
    }
  }
  if (typeof hp1 !== 'string') {
    for (const nside of NSIDES) {
      const ref = hp1.cl[String(nside)]!;
      const cl = ourCl.get(nside)!;
      maxClDiff.set(nside, Math.max(...ref.map((c, l) => Math.abs(cl[l]! - c) / Math.abs(c))));
    }
    lines.push('');
    lines.push(`Same maps, C_ℓ of map2alm (iter 3): max relative difference to healpy ${NSIDES.map((n) => `${maxClDiff.get(n)!.toExponential(1)} (nside ${n})`).join(', ')}.`);
  }
  const md = lines.join('\n') + '\n';
  process.stdout.write(md);
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(join(import.meta.dirname, 'results', 'sht.md'), md);
} finally {
  await rm(dir, { recursive: true, force: true });
}
