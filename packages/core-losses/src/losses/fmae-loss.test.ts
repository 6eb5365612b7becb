import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose, type LossFn } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { fitFmaeBins, fmaeBinWeights, fmaeLoss, type FmaeBins } from './fmae-loss.js';
import binFixtures from './fmae-bins.fixtures.json' with { type: 'json' };
import fixtures from './fmae-loss.fixtures.json' with { type: 'json' };

const eightBins = fixtures.cases[0]!.options.bins as FmaeBins;

// Its options are required (no default), which the contract's optional-options signature cannot express.
describeLoss('fmaeLoss', fmaeLoss as unknown as LossFn, {
  fixtures,
  callOptions: { bins: eightBins }, // the drawn checks reuse case 0's training histogram
  invalid: [
    [{ bins: undefined }, /option 'bins' is required/],
    [{ bins: { edges: [0, 2, 1], counts: [1, 1] } }, /'bins.edges' must be at least 2 finite, strictly increasing edges. Value: \[0,2,1\]/],
    [{ bins: { edges: [0, 1, 2], counts: [3] } }, /'bins.counts' must hold 2 counts >= 0/],
    [{ beta: 1 }, /'beta' must be in \[0, 1\). Value: 1/],
    [{ binBy: 'both' }, /'binBy' must be one of target, prediction. Value: both/],
    [{ emptyBinWeight: -1 }, /'emptyBinWeight' must be >= 0. Value: -1/],
  ],
});

describe('fitFmaeBins', () => {
  it('matches numpy.histogram_bin_edges / numpy.histogram (bins "auto" and a count, constant data)', () => {
    for (const f of binFixtures.fits) {
      const fit = fitFmaeBins(f.data, { bins: f.bins as number | 'auto' });
      expect(fit.edges.length, `bins ${f.bins}: edge count`).toBe(f.edges.length);
      expectTensorClose(fit.edges, f.edges, { rtol: 1e-12, atol: 1e-12 }, `bins ${f.bins}: edges`); // float64 both sides
      expect(fit.counts, `bins ${f.bins}: counts`).toEqual(f.counts);
    }
  });

  it('counts into given edges, the last bin closed, values outside ignored (as numpy)', () => {
    expect(fitFmaeBins([0, 0.5, 1, 2, 3, -1, 3.5], { bins: [0, 1, 2, 3] })).toEqual({ edges: [0, 1, 2, 3], counts: [2, 1, 2] });
    const t = tf.tensor1d([1, 2, 2]);
    expect(fitFmaeBins(t, { bins: 2 }).counts).toEqual([1, 2]);
    t.dispose();
  });

  it('rejects empty or non-finite targets and bad bins', () => {
    expect(() => fitFmaeBins([])).toThrow(/'targets' must hold at least one value/);
    expect(() => fitFmaeBins([1, Number.NaN])).toThrow(/'targets' must be finite. Value: NaN/);
    expect(() => fitFmaeBins([1, 2], { bins: 0 })).toThrow(/'bins' must be a positive integer, ascending edges or 'auto'. Value: 0/);
    expect(() => fitFmaeBins([1, 2], { bins: [1] })).toThrow(/'bins' must be at least 2 finite, strictly increasing edges/);
  });
});

describe('fmaeLoss', () => {
  const bins: FmaeBins = { edges: [0, 1, 2, 3], counts: [100, 1, 0] };

  it('weighs 1 for a singleton bin, ≈ 1 − β for a crowded one, emptyBinWeight for an empty one', () => {
    expect(fmaeBinWeights([1, 100, 0, 2], 0.8, 0)).toEqual([1, (1 - 0.8) / (1 - 0.8 ** 100), 0, 0.2 / (1 - 0.64)]);
    const out = fmaeLoss([0.5, 1.5, 2.5], [1.5, 2.5, 3.5], { bins, reduction: 'none' });
    expectTensorClose(out, [0.2 / (1 - 0.8 ** 100), 1, 0], {}, 'weights by target bin');
    const half = fmaeLoss([0.5, 1.5, 2.5], [1.5, 2.5, 3.5], { bins, emptyBinWeight: 0.5, binBy: 'prediction', reduction: 'none' });
    expectTensorClose(half, [1, 0.5, 0.5], {}, 'weights by prediction bin (3.5 clamps to the last bin)');
    tf.dispose([out, half]);
  });

  it('is plain MAE at β = 0 when no bin is empty', () => {
    const out = fmaeLoss([0.5, 1.5, -4], [2, 1, 0], { bins: { edges: [0, 1, 2], counts: [3, 9] }, beta: 0 });
    expectTensorClose(out, [(1.5 + 0.5 + 4) / 3], {}, 'β = 0');
    out.dispose();
  });

  it('passes no gradient through the bin lookup (∂/∂ŷ = w·sign(ŷ − y), also when binning by prediction)', () => {
    const yTrue = tf.tensor1d([0.5, 1.5, 0.2]);
    checkGradient((p) => fmaeLoss(yTrue, p, { bins, binBy: 'prediction', reduction: 'sum' }), [[1.4, 0.3, 0.7]], {
      expected: () => [[1, -(0.2 / (1 - 0.8 ** 100)), 0.2 / (1 - 0.8 ** 100)]],
      label: 'fmaeLoss closed form',
    });
    yTrue.dispose();
  });
});
