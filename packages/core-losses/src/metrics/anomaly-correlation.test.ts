import * as tf from '@tensorflow/tfjs';
import { describeLoss, describeMetric, expectTensorClose, normals, type LossFn } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { anomalyCorrelation, createAccMetric, type AccOptions } from './anomaly-correlation.js';
import fixtures from './anomaly-correlation.fixtures.json' with { type: 'json' };
import { pearsonCorrelation } from './pearson-correlation.js';

// Its options are required (the climatology), which the contract's optional-options signature cannot express.
describeLoss('anomalyCorrelation', anomalyCorrelation as unknown as LossFn, {
  fixtures,
  reductions: false,
  perfect: 1,
  callOptions: { climatology: 0.3 },
  layers: false,
  invalid: [
    [{ climatology: undefined }, /option 'climatology' is required/],
    [{ centered: 'yes' }, /'centered' must be a boolean. Value: yes/],
    [{ latitudes: [0, 100] }, /'latitudes' must hold degrees in \[-90, 90\]. Value: 100/],
  ],
});

const LAT3 = [-60, 0, 60];
const clim = [
  [0.1, 0.2, 0.3, 0.4],
  [0, -0.5, 0.5, 1],
  [1, 1, -1, 0],
];
const anomalySample = (shape: number[], rng: () => number) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const yTrue = normals(n, rng);
  const noise = normals(n, rng);
  return { yTrue, yPred: yTrue.map((v, i) => v + 0.8 * noise[i]!) };
};
for (const options of [
  { climatology: clim },
  { climatology: clim, latitudes: LAT3 },
  { climatology: clim, latitudes: LAT3, centered: true },
] as AccOptions[]) {
  describeMetric(`anomalyCorrelation ${JSON.stringify({ ...options, climatology: '[3,4]' })}`, {
    create: () => createAccMetric(options),
    functional: (t, p) => anomalyCorrelation(t, p, options),
    sample: anomalySample,
    batchShape: [2, 3, 4], // [time, lat, lon]: batches stack along time
    higherIsBetter: true,
  });
}

describe('anomalyCorrelation', () => {
  it('equals Pearson r of the anomalies when centred and unweighted', () => {
    const y = [[1, 2], [0.5, 3]];
    const p = [[1.5, 1], [0, 2.5]];
    const c = [[0.2, 1], [0.2, 1]];
    const acc = anomalyCorrelation(y, p, { climatology: c, centered: true });
    const r = tf.tidy(() => pearsonCorrelation(tf.sub(y, c), tf.sub(p, c)));
    expectTensorClose(acc, r, { rtol: 1e-5 }, 'centred ACC vs Pearson');
    tf.dispose([acc, r]);
  });

  it('rewards getting the anomaly right, not the climatology: a forecast of c itself is NaN (no anomaly)', () => {
    const out = anomalyCorrelation([1, 2, 3], [0.5, 0.5, 0.5], { climatology: 0.5 });
    expect(Number.isNaN(out.dataSync()[0])).toBe(true);
    out.dispose();
  });

  it('throws ShapeError for a climatology that does not broadcast, and ValueError without one', () => {
    expect(() => anomalyCorrelation([[1, 2, 3]], [[1, 2, 3]], { climatology: [1, 2] })).toThrow(/'climatology' \[2\] does not broadcast to 'yTrue' \[1,3\]/);
    expect(() => createAccMetric({} as AccOptions)).toThrow(/option 'climatology' is required/);
  });
});
