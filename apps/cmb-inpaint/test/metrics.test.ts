import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectNoLeak } from '@lossworks/testing';
import { ssim } from '@lossworks/core-losses';
import { synfast } from '@lossworks/healpix';
import { galacticCut } from '../src/data/masks.js';
import { faceGeometry, gatherCentre } from '../src/model/faces.js';
import { binSpectrum, compareSpectrum, cosmicVarianceBand, ellBins, holeRmse, holeSsim, shareWithinBand, ssimMap, trueSpectrum } from '../src/eval/metrics.js';
import { markdownTable, resultsTable } from '../src/eval/evaluate.js';
import { compositeLoss, lossTerms } from '../src/losses.js';

describe('hole metrics', () => {
  const nside = 16;
  const mask = galacticCut(nside, { b0: 20, apodization: 5 });
  const truth = synfast(Float64Array.from({ length: 48 }, (_, l) => (l < 2 ? 0 : 1000 / (l * (l + 1)))), nside, { seed: 1 });

  it('holeRmse averages over mask = 0 pixels only', () => {
    const filled = Float64Array.from(truth, (v, p) => (mask[p] === 0 ? v + 3 : mask[p]! < 1 ? v + 100 : v));
    expect(holeRmse(filled, truth, mask)).toBeCloseTo(3, 12);
    expect(() => holeRmse(filled, truth, new Float64Array(mask.length).fill(1))).toThrow(/no hole pixel/);
    expect(() => holeRmse(filled.subarray(1), truth, mask)).toThrow(/same number of pixels/);
  });

  it('SSIM is 1 for a perfect fill, falls with the error, and matches the planar SSIM inside a face', () => {
    expect(holeSsim(truth, truth, mask)).toBeCloseTo(1, 12);
    const noisy = (s: number) => Float64Array.from(truth, (v, p) => v + s * Math.sin(13.7 * p));
    const a = holeSsim(noisy(1), truth, mask);
    const b = holeSsim(noisy(5), truth, mask);
    expect(a).toBeLessThan(1);
    expect(b).toBeLessThan(a);
    // inside one face (windows not crossing its edge) the sphere SSIM is the planar one: the mean over the
    // face's valid region equals core-losses' SSIM (skimage convention) of the face images; float32 there
    const dataRange = 10;
    const sm = ssimMap(noisy(5), truth, { dataRange });
    expect(sm.every((v) => v <= 1 + 1e-12)).toBe(true);
    const geo = faceGeometry(nside, 0);
    const fx = new Float32Array(nside * nside);
    const fy = new Float32Array(nside * nside);
    gatherCentre(noisy(5), geo, 5, fx);
    gatherCentre(truth, geo, 5, fy);
    const planar = tf.tidy(() => ssim(tf.tensor4d(fy, [1, nside, nside, 1]), tf.tensor4d(fx, [1, nside, nside, 1]), { dataRange }).dataSync()[0]!);
    let sum = 0;
    let n = 0;
    for (let y = 5; y < nside - 5; y++) {
      for (let x = 5; x < nside - 5; x++) {
        sum += sm[geo.centre[5]![y * nside + x]!]!;
        n++;
      }
    }
    expect(Math.abs(sum / n - planar)).toBeLessThan(1e-4);
  });
});

describe('spectrum comparison', () => {
  it('bins ℓ and computes the cosmic-variance band C_b·√(2/Σ(2ℓ+1))', () => {
    expect(ellBins(2, 11, 4)).toEqual([[2, 5], [6, 9], [10, 11]]);
    const cl = Float64Array.from({ length: 12 }, (_, l) => l);
    const bins = ellBins(2, 11, 4);
    const binned = binSpectrum(cl, bins);
    expect(Array.from(binned)).toEqual([3.5, 7.5, 10.5]);
    const band = cosmicVarianceBand(binned, bins);
    expect(band[0]).toBeCloseTo(3.5 * Math.sqrt(2 / (5 + 7 + 9 + 11)), 12);
    expect(band[2]).toBeCloseTo(10.5 * Math.sqrt(2 / (21 + 23)), 12);
    // one ℓ per bin: √(2/(2ℓ+1))·C_ℓ
    expect(cosmicVarianceBand([4], [[10, 10]])[0]).toBeCloseTo(4 * Math.sqrt(2 / 21), 12);
    expect(shareWithinBand([3.5, 9, 10.5], binned, band)).toBeCloseTo(2 / 3, 12);
    expect(() => ellBins(5, 2, 1)).toThrow(/0 ≤ lmin ≤ lmax/);
  });

  it('a filled sky equal to the truth is inside the band everywhere; a zero-filled one is not', () => {
    const nside = 16;
    const truth = synfast(Float64Array.from({ length: 48 }, (_, l) => (l < 2 ? 0 : 1000 / (l * (l + 1)))), nside, { seed: 3 });
    const ref = trueSpectrum(truth, { lmin: 2, lmax: 32, binWidth: 1 });
    expect(compareSpectrum(truth, ref).share).toBe(1);
    const mask = galacticCut(nside, { b0: 40 });
    const zeroed = Float64Array.from(truth, (v, p) => v * mask[p]!);
    expect(compareSpectrum(zeroed, ref).share).toBeLessThan(0.5); // 64% of the sky set to 0 removes most of the power
  });
});

describe('results table', () => {
  it('reports means and the ratio to the Wiener filter', () => {
    const scores = [
      { name: 'mean', label: 'mean fill', rmse: [4, 6], ssim: [0.1, 0.3], share: [0.5, 0.7], seconds: [1, 1], info: [] },
      { name: 'wiener', label: 'Wiener filter', rmse: [2, 2], ssim: [0.5, 0.5], share: [1, 1], seconds: [2, 4], info: [] },
    ];
    const t = resultsTable(scores);
    expect(t[0]).toEqual({ method: 'mean fill', 'RMSE hole (μK)': 5, 'RMSE / Wiener': 2.5, 'SSIM hole': 0.2, 'ℓ bins in CV band': 0.6, 's / sky': 1 });
    expect(markdownTable(t)).toMatch(/^\| method \| RMSE hole \(μK\) \|/);
    expect(markdownTable(t)).toContain('| Wiener filter | 2 | 1 | 0.5000 | 1 | 3 |');
  });
});

describe('composite loss α(1 − SSIM) + (1 − α)·MSE', () => {
  it('uses the core-losses ssim and mse entries with weights α and 1 − α', async () => {
    const y = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 1);
    const p = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 2);
    const s = tf.tidy(() => 1 - ssim(y, p, { dataRange: 8 }).dataSync()[0]!);
    const m = tf.tidy(() => tf.mean(tf.square(tf.sub(y, p))).dataSync()[0]!);
    for (const alpha of [0, 0.5, 0.84, 1]) {
      const v = await expectNoLeak(() => {
        const t = compositeLoss(y, p, { alpha, dataRange: 8 });
        const out = t.dataSync()[0]!;
        t.dispose();
        return out;
      });
      expect(v).toBeCloseTo(alpha * s + (1 - alpha) * m, 5);
    }
    expect(lossTerms({ alpha: 0.84, dataRange: 8 })).toEqual([
      { name: 'ssim', loss: 'ssim', weight: 0.84, options: { dataRange: 8 } },
      { name: 'mse', loss: 'mse', weight: 0.16000000000000003 },
    ]);
    expect(lossTerms({ alpha: 0, dataRange: 8 }).map((t) => t.name)).toEqual(['mse']);
    expect(lossTerms({ alpha: 1, dataRange: 8 }).map((t) => t.name)).toEqual(['ssim']);
    expect(() => lossTerms({ alpha: 1.5, dataRange: 8 })).toThrow(/'alpha' must be in \[0, 1\]/);
    tf.dispose([y, p]);
  });
});
