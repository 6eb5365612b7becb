// examples/readme/checkpoint.ts
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, Dataset, checkpointer, fit, selectBackend, withSeed, type FitArgs } from '../../src/index.js';

await selectBackend();

const dir = 'runs/readme-checkpoint';
const data = Dataset.fromArray(Array.from({ length: 64 }, (_, i) => ({ x: [i / 64], y: [Math.cos(i / 10)] })))
  .shuffle(64)
  .batch(16);
const net = (): tf.Sequential =>
  withSeed(1, () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 8, activation: 'tanh' }), tf.layers.dense({ units: 1 })] }));
const args: FitArgs = { loss: [{ name: 'mse', loss: 'mse' }], optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 }, epochs: 6, seed: 3 };

// Interrupted run: 3 of 6 epochs, a checkpoint at every epoch end (keep the last 2).
const a = net();
await fit(a, data, { ...args, maxSteps: 12, callbacks: [checkpointer({ dir, keep: 2 })] });
// A new process: same configuration, resume from the newest checkpoint in the folder.
const b = net();
await fit(b, data, { ...args, resume: dir });
// The same 6 epochs in one go give bit-identical weights.
const c = net();
await fit(c, data, args);
const values = (m: tf.LayersModel): number[] => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
console.log(values(b).every((v, i) => v === values(c)[i])); // true

// Another configuration (here the learning rate) is refused.
await fit(net(), data, { ...args, optimizer: { name: 'sgd', lr: 0.2, momentum: 0.9 }, resume: dir }).catch((err: unknown) => {
  console.log(err instanceof CheckpointError); // true: "resume: '…' was written by another configuration …"
});
