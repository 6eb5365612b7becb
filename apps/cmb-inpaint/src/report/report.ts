// The run report: one HTML page (core-train Report) with the results table, Mollweide maps of the first
// test sky (truth, observed, every method, residuals), its angular power spectra with the cosmic-variance
// band, the training curves and the α ablation.
import { Report, type ReportFiles } from '@lossworks/core-train';
import { lineChartSpec, type VegaLiteSpec } from '@lossworks/core-train/report';
import { wienerNote, type AblationRow, type EvalResult } from '../commands/eval.js';
import { mollweideImage } from './mollweide.js';

/** Inputs of {@link buildReport}. */
export interface ReportInputs {
  name: string;
  outDir: string;
  evalResult: EvalResult;
  /** Filled maps of test sky 1 by method name, plus 'truth' and 'observed' (NaN in the hole). */
  maps: Record<string, Float64Array>;
  /** The training run (train.json), if present. */
  train?: { history: Record<string, number[]>; epochs: number[]; seconds: number; steps: number; backend: string; alpha: number; batchSize: number; parameterCount: number };
  /** Config summary for the metadata table. */
  meta: Record<string, unknown>;
  /** Mollweide width in pixels. Default 640. */
  width?: number;
}

const LABELS: Record<string, string> = { mean: 'mean fill', diffusion: 'diffusion', wiener: 'Wiener filter', constrained: 'constrained realisation', network: 'network' };

/** A line chart with a shaded band (vega-lite layers: an area from `low` to `high`, then the lines). */
export function bandChartSpec(title: string, x: readonly number[], low: readonly number[], high: readonly number[], series: Record<string, readonly number[]>, yLabel: string): VegaLiteSpec {
  const lines = lineChartSpec({ title, x, series, xLabel: 'ℓ', yLabel, width: 720, height: 340, points: false });
  const { $schema, width, height, config, data, mark, encoding } = lines as Record<string, unknown>;
  const band = x.map((v, i) => ({ x: v, low: low[i], high: high[i] })).filter((r) => Number.isFinite(r.low) && Number.isFinite(r.high));
  return {
    $schema,
    title,
    width,
    height,
    config,
    layer: [
      {
        data: { values: band },
        mark: { type: 'area', opacity: 0.22, color: '#888' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      },
      { data, mark, encoding },
    ],
  } as VegaLiteSpec;
}

function ablationText(rows: readonly AblationRow[]): string {
  const best = [...rows].sort((a, b) => a['RMSE hole (μK)'] - b['RMSE hole (μK)'])[0]!;
  return `Each α trained from the same seed and data for ${rows[0]!.steps} steps; lowest hole RMSE at α = ${best.alpha} (${best['RMSE hole (μK)'].toFixed(2)} μK).`;
}

/** Builds and writes the report; returns the files written. */
export async function buildReport(inputs: ReportInputs): Promise<ReportFiles> {
  const { evalResult: ev, maps, width = 640 } = inputs;
  const h = ev.headline;
  const r = new Report({ title: `cmb-inpaint: ${inputs.name}`, subtitle: 'SkyReconNet-style inpainting of masked CMB skies on the HEALPix sphere', outDir: inputs.outDir });
  r.metadata(inputs.meta);
  r.addSection(
    'Results',
    `Test skies: ${ev.scores[0]!.rmse.length}. Hole = pixels with mask 0. The network's hole RMSE is ${h.networkRmse.toFixed(2)} μK, ` +
      `${h.ratioToWiener.toFixed(3)} × the Wiener filter's ${h.wienerRmse.toFixed(2)} μK (the minimum-MSE estimate for a Gaussian sky, ` +
      `noise σ = ${ev.wienerNoise} μK assumed). ${(100 * h.share).toFixed(1)}% of the network's ℓ bins lie within the cosmic-variance ` +
      `band of the true sky. Beats mean fill: ${h.beatsMean ? 'yes' : 'no'}; beats diffusion: ${h.beatsDiffusion ? 'yes' : 'no'}. ` +
      (h.wienerConverged === undefined || !ev.wienerSolver ? '' : wienerNote(h, ev.scores[0]!.rmse.length, ev.wienerSolver)),
  );
  r.table(ev.table as unknown as Record<string, unknown>[], { title: 'All methods (means over the test skies)' });
  r.addSection('Maps of test sky 1', 'Mollweide projection, Galactic coordinates, longitude 0 in the centre and increasing to the left. Colour range of every sky map: that of the true sky.');
  const truth = maps.truth!;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of truth) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const sky = (title: string, map: Float64Array): void => {
    const img = mollweideImage(map, width);
    r.image({ data: img.data, width: img.width, height: img.height, colormap: 'coolwarm', min: lo, max: hi }, { title, displayWidth: Math.min(width, 640) });
  };
  sky('True sky (μK)', truth);
  if (maps.observed) sky('Observed (hole transparent)', maps.observed);
  for (const name of ['mean', 'diffusion', 'wiener', 'constrained', 'network']) if (maps[name]) sky(`Filled: ${LABELS[name]}`, maps[name]!);
  let rmax = 0;
  const residuals: [string, Float64Array][] = [];
  for (const name of ['diffusion', 'wiener', 'network']) {
    const m = maps[name];
    if (!m) continue;
    const res = Float64Array.from(m, (v, p) => v - truth[p]!);
    for (const v of res) rmax = Math.max(rmax, Math.abs(v));
    residuals.push([name, res]);
  }
  for (const [name, res] of residuals) {
    const img = mollweideImage(res, width);
    r.image({ data: img.data, width: img.width, height: img.height, colormap: 'coolwarm', min: -rmax, max: rmax }, { title: `Residual ${LABELS[name]} − truth (μK)`, displayWidth: Math.min(width, 640) });
  }
  const sp = ev.spectra;
  const lmin = sp.bins[0]?.[0] ?? 2;
  const lmaxPlot = sp.bins.at(-1)?.[1] ?? sp.ell.length - 1;
  const xs = sp.ell.slice(lmin, lmaxPlot + 1);
  const cut = (a: readonly number[]) => a.slice(lmin, lmaxPlot + 1);
  const series: Record<string, number[]> = { truth: cut(sp.truthDl) };
  const ratios: Record<string, number[]> = {};
  const truthCut = cut(sp.truthDl);
  for (const [name, dl] of Object.entries(sp.methodsDl)) {
    series[LABELS[name] ?? name] = cut(dl);
    ratios[LABELS[name] ?? name] = cut(dl).map((v, i) => v / truthCut[i]!);
  }
  const half = xs.map((l) => Math.sqrt(2 / (2 * l + 1)));
  const binWidth = sp.bins[0] ? sp.bins[0][1] - sp.bins[0][0] + 1 : 1;
  r.addSection(
    'Angular power spectra (test sky 1)',
    `D_ℓ = ℓ(ℓ+1)C_ℓ/2π from anafast of each full filled sky. Grey: the cosmic-variance band of the true sky, D_ℓ ± √(2/(2ℓ+1))·D_ℓ ` +
      `(in the ratio plot 1 ± √(2/(2ℓ+1))). The table's band share counts bins of ${binWidth} ℓ over all test skies.`,
  );
  r.plot('Filled / true D_ℓ', bandChartSpec('Filled / true D_ℓ with the cosmic-variance band', xs, half.map((h) => 1 - h), half.map((h) => 1 + h), ratios, 'D_ℓ / D_ℓ(truth)'));
  r.plot('D_ℓ of the filled skies', bandChartSpec('D_ℓ of the filled skies', xs, cut(sp.bandLowDl), cut(sp.bandHighDl), series, 'D_ℓ (μK²)'));
  if (inputs.train) {
    const t = inputs.train;
    r.addSection('Training', `${t.steps} steps of ${t.batchSize} faces, α = ${t.alpha}, ${t.parameterCount} parameters, ${t.seconds.toFixed(1)} s on ${t.backend}.`);
    r.lossCurves({ epoch: t.epochs, history: t.history });
  }
  if (ev.ablation && ev.ablation.length > 0) {
    r.addSection('α ablation', ablationText(ev.ablation));
    r.table(ev.ablation as unknown as Record<string, unknown>[], { title: 'Loss α(1 − SSIM) + (1 − α)·MSE' });
  }
  return r.write();
}
