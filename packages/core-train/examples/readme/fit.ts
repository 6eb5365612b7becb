// examples/readme/fit.ts
import * as tf from '@tensorflow/tfjs';
import { Dataset, fit, jsonlLog, progressBar, selectBackend, withSeed, type Sample } from '../../src/index.js';

await selectBackend();

// y = sin(3·x0) + x1² on 256 points; ids are optional here (the distillation cache needs them).
const samples: Sample[] = Array.from({ length: 256 }, (_, i) => {
  const x = [Math.cos(i), Math.sin(7 * i)];
  return { x, y: [Math.sin(3 * x[0]!) + x[1]! ** 2], id: i };
});
const train = Dataset.fromArray(samples.slice(0, 192)).shuffle(192).batch(32); // 6 steps per epoch
const val = Dataset.fromArray(samples.slice(192)).batch(64);

// Seeded initial weights: withSeed replaces Math.random while the model is built.
const model = withSeed(0, () =>
  tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 32, activation: 'tanh' }), tf.layers.dense({ units: 1 })] }),
);

const history = await fit(model, train, {
  loss: [
    { name: 'mse', loss: 'mse' }, // a core-losses registry name …
    { name: 'charb', loss: 'charbonnier', weight: 0.5, options: { eps: 1e-2 } }, // … with a weight and options
  ],
  optimizer: { name: 'adamw', lr: 5e-2, weightDecay: 1e-4 },
  schedule: { name: 'warmup-cosine', warmupSteps: 6, totalSteps: 240 },
  epochs: 40,
  seed: 0, // shuffles, dropout masks and projection heads
  clipNorm: 1, // global L2 norm; logs gradNorm
  validation: { data: val, metrics: ['r2'] }, // core-losses METRICS names
  callbacks: [progressBar(), jsonlLog('runs/readme-fit/log.jsonl')],
});
console.log(Object.keys(history.history).join(' '));
// loss loss/mse loss/charb lr gradNorm val/loss/mse val/loss/charb val/loss val/r2
console.log(history.history['val/r2']!.at(-1)!.toFixed(2)); // 0.96
model.dispose();
