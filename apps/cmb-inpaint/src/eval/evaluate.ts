// The eval suite: every inpainting method on every test sky, scored in the hole (RMSE, SSIM) and on the
// angular power spectrum (share of ℓ bins within the true sky's cosmic-variance band), in one table.
import type { SkySet } from '../data/simulate.js';
import { compareSpectrum, holeRmse, holeSsim, trueSpectrum, type TrueSpectrum } from './metrics.js';

/** An inpainting method: a name and a function from (observed, mask) to a filled map. */
export interface Method {
  /** Short key ('mean', 'diffusion', 'wiener', 'network', 'network-a0.5', …). */
  name: string;
  /** Human label for tables. */
  label: string;
  fill(observed: Float32Array, mask: Float64Array, sky: number): Promise<{ map: Float64Array; info?: Record<string, number | boolean> }>;
}

/** Per-method scores on each test sky. */
export interface MethodScores {
  name: string;
  label: string;
  rmse: number[];
  ssim: number[];
  share: number[];
  seconds: number[];
  /** Method-specific numbers per sky (iterations, residuals). */
  info: Record<string, number | boolean>[];
}

/** One row of the results table (means over the test skies). */
export interface TableRow {
  method: string;
  'RMSE hole (μK)': number;
  'RMSE / Wiener': number;
  'SSIM hole': number;
  'ℓ bins in CV band': number;
  's / sky': number;
}

/** Options of {@link evaluateMethods}. */
export interface EvaluateOptions {
  lmin: number;
  lmax: number;
  binWidth: number;
  /** Called after each (method, sky) with a short progress line. */
  onProgress?: (line: string) => void;
  /** Keep the filled maps of sky 0 (for the report). Default true. */
  keepFirst?: boolean;
}

/** Everything the suite measured. */
export interface EvalResults {
  scores: MethodScores[];
  /** Spectrum of true sky 0, its bins and band. */
  reference: TrueSpectrum;
  /** C_ℓ of each method's filled sky 0, by method name. */
  spectra: Record<string, Float64Array>;
  /** Filled sky 0 of each method (RING, μK), by method name. */
  maps: Record<string, Float64Array>;
}

function mean(a: readonly number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}

/** Runs every method on every test sky and scores it. */
export async function evaluateMethods(methods: readonly Method[], test: SkySet, mask: Float64Array, options: EvaluateOptions): Promise<EvalResults> {
  const { lmin, lmax, binWidth, onProgress, keepFirst = true } = options;
  const scores: MethodScores[] = methods.map((m) => ({ name: m.name, label: m.label, rmse: [], ssim: [], share: [], seconds: [], info: [] }));
  const spectra: Record<string, Float64Array> = {};
  const maps: Record<string, Float64Array> = {};
  let reference: TrueSpectrum | null = null;
  for (let sky = 0; sky < test.truth.length; sky++) {
    const truth = test.truth[sky]!;
    const ref = trueSpectrum(truth, { lmin, lmax, binWidth });
    if (sky === 0) reference = ref;
    for (let k = 0; k < methods.length; k++) {
      const m = methods[k]!;
      const t0 = performance.now();
      const { map, info = {} } = await m.fill(test.observed[sky]!, mask, sky);
      const seconds = (performance.now() - t0) / 1000;
      const s = scores[k]!;
      s.rmse.push(holeRmse(map, truth, mask));
      s.ssim.push(holeSsim(map, truth, mask));
      const spec = compareSpectrum(map, ref);
      s.share.push(spec.share);
      s.seconds.push(seconds);
      s.info.push(info);
      if (sky === 0 && keepFirst) {
        spectra[m.name] = spec.cl;
        maps[m.name] = map;
      }
      onProgress?.(`sky ${sky + 1}/${test.truth.length} ${m.name}: RMSE ${s.rmse.at(-1)!.toFixed(2)} μK, SSIM ${s.ssim.at(-1)!.toFixed(3)}, in band ${(100 * spec.share).toFixed(0)}% (${seconds.toFixed(1)} s)`);
    }
  }
  return { scores, reference: reference!, spectra, maps };
}

/** The results table: one row per method, means over skies, RMSE relative to the method named `wiener`. */
export function resultsTable(scores: readonly MethodScores[], wienerName = 'wiener'): TableRow[] {
  const w = scores.find((s) => s.name === wienerName);
  const wRmse = w ? mean(w.rmse) : NaN;
  return scores.map((s) => ({
    method: s.label,
    'RMSE hole (μK)': mean(s.rmse),
    'RMSE / Wiener': mean(s.rmse) / wRmse,
    'SSIM hole': mean(s.ssim),
    'ℓ bins in CV band': mean(s.share),
    's / sky': mean(s.seconds),
  }));
}

/** Formats table rows as a Markdown table (numbers to 4 significant digits). */
export function markdownTable<T extends object>(rows: readonly T[]): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]!) as (keyof T & string)[];
  const fmt = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v));
  const lines = [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${cols.map((c) => fmt(r[c])).join(' | ')} |`);
  return lines.join('\n');
}
