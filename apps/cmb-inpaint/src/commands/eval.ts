import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic, type Io } from '@lossworks/cli-kit';
import { serializeHealpixMap } from '@lossworks/healpix';
import { diffusionFill } from '../baselines/diffusion.js';
import { meanFill } from '../baselines/mean-fill.js';
import { wienerFilter } from '../baselines/wiener.js';
import { checkSharedData, readConfig, runDir } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { readDataSet, withUnseen } from '../data/simulate.js';
import { evaluateMethods, markdownTable, resultsTable, type Method, type MethodScores, type TableRow } from '../eval/evaluate.js';
import { clToDl } from '../data/spectrum.js';
import { predictMap } from '../fit.js';
import { observedMap } from '../model/faces.js';
import { loadNet } from '../model/io.js';
import type { SkyReconNet } from '../model/skyreconnet.js';
import { trainOne, useBackend } from './train.js';

/** Options of `cmb-inpaint eval`. */
export interface EvalOptions {
  config: string;
  out?: string;
  /** Run the α ablation of the config (default true). */
  ablation?: boolean;
  backend?: Config['train']['backend'];
}

/** One row of the α-ablation table. */
export interface AblationRow {
  alpha: number;
  steps: number;
  'RMSE hole (μK)': number;
  'RMSE / Wiener': number;
  'SSIM hole': number;
  'ℓ bins in CV band': number;
  'train s': number;
}

/** What eval.json holds (and `eval` returns). */
export interface EvalResult {
  summary: string;
  table: TableRow[];
  ablation: AblationRow[] | null;
  scores: MethodScores[];
  /** Network RMSE / Wiener RMSE, and the network's share of ℓ bins within the band. */
  headline: {
    networkRmse: number;
    wienerRmse: number;
    ratioToWiener: number;
    share: number;
    beatsMean: boolean;
    beatsDiffusion: boolean;
    /** Test skies on which the Wiener filter's CG reached eval.wiener.tol, and its largest final relative residual. */
    wienerConverged: number;
    wienerWorstResidual: number;
  };
  spectra: { ell: number[]; truthDl: number[]; bandLowDl: number[]; bandHighDl: number[]; bins: [number, number][]; methodsDl: Record<string, number[]> };
  wienerNoise: number;
  /** CG settings of the Wiener filter and the constrained realisation. */
  wienerSolver: { tol: number; maxIter: number };
  backend: string;
  seconds: number;
  maps: Record<string, string>;
}

/** One line on the Wiener filter's convergence (an unconverged CG is not the minimum-MSE estimate). */
export function wienerNote(h: Pick<EvalResult['headline'], 'wienerConverged' | 'wienerWorstResidual'>, skies: number, w: { tol: number; maxIter: number }): string {
  const worst = h.wienerWorstResidual.toExponential(1);
  return h.wienerConverged === skies
    ? `Wiener filter: CG converged (relative residual < ${w.tol}) on all ${skies} test skies.`
    : `Warning: the Wiener filter's CG reached the relative residual ${w.tol} on ${h.wienerConverged} of ${skies} test skies within ${w.maxIter} iterations ` +
        `(worst ${worst}); an unconverged solve is not the minimum-MSE estimate, so its RMSE and the ratios to it are only indicative (raise eval.wiener.maxIter).`;
}

function mean(a: readonly number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}

/** Runs every method (mean fill, diffusion, Wiener filter, the trained network, the α ablation) on the test skies. */
export async function evaluate(opts: EvalOptions, io: Io): Promise<EvalResult> {
  const t0 = performance.now();
  const loaded = await readConfig(opts.config);
  checkSharedData(loaded);
  const config = loaded.config;
  const dir = runDir(config, opts.out);
  const ablationCfg = opts.ablation === false ? undefined : config.eval.ablation;
  const data = await readDataSet(join(dir, 'data'), ablationCfg ? ['train', 'val', 'test'] : ['test']);
  const backend = await useBackend(opts.backend ?? config.train.backend, io);
  const { net, meta } = await loadNet(join(dir, 'model.safetensors'));
  const ev = config.eval;
  const wienerNoise = ev.wiener.noise ?? (config.sky.noise > 0 ? config.sky.noise : 1);
  const lmax = ev.lmax ?? 2 * config.nside;
  const networkMethod = (name: string, label: string, n: SkyReconNet, scale: number): Method => ({
    name,
    label,
    fill: async (obs, mask) => ({ map: await predictMap(n, obs, mask, scale) }),
  });
  const methods: Method[] = [
    { name: 'mean', label: 'mean fill', fill: async (obs, mask) => ({ map: meanFill(observedMap(obs, mask), mask) }) },
    {
      name: 'diffusion',
      label: 'diffusion',
      fill: async (obs, mask) => {
        const r = diffusionFill(observedMap(obs, mask), mask, ev.diffusion);
        return { map: r.map, info: { iterations: r.iterations, converged: r.converged } };
      },
    },
    {
      name: 'wiener',
      label: 'Wiener filter',
      fill: async (obs, mask) => {
        const r = wienerFilter(observedMap(obs, mask), mask, { signalCl: data.signalCl, noise: wienerNoise, tol: ev.wiener.tol, maxIter: ev.wiener.maxIter });
        return { map: r.map, info: { iterations: r.iterations, relResidual: r.relResidual, converged: r.converged } };
      },
    },
    {
      name: 'constrained',
      label: 'constrained realisation',
      fill: async (obs, mask, sky) => {
        const r = wienerFilter(observedMap(obs, mask), mask, {
          signalCl: data.signalCl,
          noise: wienerNoise,
          tol: ev.wiener.tol,
          maxIter: ev.wiener.maxIter,
          realisation: { seed: 7919 * (sky + 1) + config.data.seed },
        });
        return { map: r.map, info: { iterations: r.iterations, relResidual: r.relResidual, converged: r.converged } };
      },
    },
    networkMethod('network', `network (α = ${meta.alpha})`, net, meta.scale),
  ];
  const ablationNets: { alpha: number; net: SkyReconNet; seconds: number }[] = [];
  try {
    if (ablationCfg) {
      for (const alpha of ablationCfg.alphas) {
        io.stderr.write(`eval: ablation model α = ${alpha}, ${ablationCfg.steps} steps\n`);
        const r = await trainOne(config, data, { alpha, steps: ablationCfg.steps, seed: config.train.seed, io });
        ablationNets.push({ alpha, net: r.net, seconds: r.seconds });
        methods.push(networkMethod(`ablation-${alpha}`, `ablation α = ${alpha}`, r.net, data.manifest.skyRms));
      }
    }
    io.stderr.write(`eval: ${methods.length} methods on ${data.splits.test.truth.length} test skies\n`);
    const res = await evaluateMethods(methods, data.splits.test, data.mask, {
      lmin: ev.lmin,
      lmax,
      binWidth: ev.binWidth,
      onProgress: (line) => io.stderr.write(`eval: ${line}\n`),
    });
    const main = res.scores.filter((s) => !s.name.startsWith('ablation-'));
    const table = resultsTable(main);
    const byName = (n: string) => res.scores.find((s) => s.name === n)!;
    const wienerRmse = mean(byName('wiener').rmse);
    const ablation: AblationRow[] | null = ablationCfg
      ? ablationNets.map((a) => {
          const s = byName(`ablation-${a.alpha}`);
          return {
            alpha: a.alpha,
            steps: ablationCfg.steps,
            'RMSE hole (μK)': mean(s.rmse),
            'RMSE / Wiener': mean(s.rmse) / wienerRmse,
            'SSIM hole': mean(s.ssim),
            'ℓ bins in CV band': mean(s.share),
            'train s': a.seconds,
          };
        })
      : null;
    const netRmse = mean(byName('network').rmse);
    const headline = {
      networkRmse: netRmse,
      wienerRmse,
      ratioToWiener: netRmse / wienerRmse,
      share: mean(byName('network').share),
      beatsMean: netRmse < mean(byName('mean').rmse),
      beatsDiffusion: netRmse < mean(byName('diffusion').rmse),
      wienerConverged: byName('wiener').info.filter((i) => i.converged === true).length,
      wienerWorstResidual: Math.max(...byName('wiener').info.map((i) => Number(i.relResidual))),
    };
    const testSkies = data.splits.test.truth.length;
    // maps of test sky 1 for the report
    const evalDir = join(dir, 'eval');
    const maps: Record<string, string> = {};
    const putMap = async (name: string, map: ArrayLike<number>): Promise<void> => {
      const path = join(evalDir, `sky0-${name}.fits`);
      await writeFileAtomic(path, serializeHealpixMap(Float32Array.from(map), { dtype: 'E', coordsys: 'G', units: 'uK' }));
      maps[name] = path;
    };
    await putMap('truth', data.splits.test.truth[0]!);
    await putMap('observed', withUnseen(data.splits.test.observed[0]!, data.mask));
    for (const m of methods) if (!m.name.startsWith('ablation-')) await putMap(m.name, res.maps[m.name]!);
    const ref = res.reference;
    const toDl = (cl: Float64Array) => Array.from(clToDl(cl));
    const truthDl = clToDl(ref.cl);
    const ell = Array.from({ length: ref.cl.length }, (_, l) => l);
    const bandLow: number[] = [];
    const bandHigh: number[] = [];
    for (let l = 0; l < ref.cl.length; l++) {
      const half = truthDl[l]! * Math.sqrt(2 / (2 * l + 1));
      bandLow.push(truthDl[l]! - half);
      bandHigh.push(truthDl[l]! + half);
    }
    const spectra = {
      ell,
      truthDl: Array.from(truthDl),
      bandLowDl: bandLow,
      bandHighDl: bandHigh,
      bins: ref.bins,
      methodsDl: Object.fromEntries(methods.filter((m) => !m.name.startsWith('ablation-')).map((m) => [m.name, toDl(res.spectra[m.name]!)])),
    };
    const seconds = (performance.now() - t0) / 1000;
    const lines = [
      markdownTable(table),
      '',
      `Network hole RMSE ${netRmse.toFixed(2)} μK = ${headline.ratioToWiener.toFixed(3)} × the Wiener filter's (${wienerRmse.toFixed(2)} μK); ` +
        `${(100 * headline.share).toFixed(1)}% of ℓ bins (ℓ ${ev.lmin}–${lmax}, width ${ev.binWidth}) within the cosmic-variance band; ` +
        `beats mean fill: ${headline.beatsMean ? 'yes' : 'no'}, beats diffusion: ${headline.beatsDiffusion ? 'yes' : 'no'}.`,
      wienerNote(headline, testSkies, ev.wiener),
    ];
    if (ablation) lines.push('', 'α ablation:', markdownTable(ablation));
    lines.push('', `Eval took ${seconds.toFixed(1)} s on ${backend}; results in ${join(evalDir, 'eval.json')}.`);
    const result: EvalResult = {
      summary: lines.join('\n'),
      table,
      ablation,
      scores: res.scores,
      headline,
      spectra,
      wienerNoise,
      wienerSolver: { tol: ev.wiener.tol, maxIter: ev.wiener.maxIter },
      backend,
      seconds,
      maps,
    };
    await writeJsonAtomic(join(evalDir, 'eval.json'), result);
    return result;
  } finally {
    net.dispose();
    for (const a of ablationNets) a.net.dispose();
  }
}
