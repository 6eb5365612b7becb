// The smallest end-to-end run: pick a backend, generate data, train a linear model with core-losses'
// MSE and print what it learned next to the truth. Run: pnpm --filter @lossworks/core-train demo
import * as tf from '@tensorflow/tfjs';
import { mseLoss } from '@lossworks/core-losses';
import { describeSelection, selectBackend } from '../src/index.js';

const sel = await selectBackend();
console.log(`backend: ${sel.name}\n${describeSelection(sel).replace(/^/gm, '  ')}`);

// y = 3·x1 − 2·x2 + 0.5 + noise(σ 0.1)
const trueW = [3, -2];
const trueB = 0.5;
const n = 512;
const [x, y] = tf.tidy(() => {
  const x = tf.randomNormal([n, 2], 0, 1, 'float32', 1);
  const y = tf.add(tf.add(tf.matMul(x, tf.tensor2d(trueW, [2, 1])), trueB), tf.randomNormal([n, 1], 0, 0.1, 'float32', 2));
  return [x, y];
});
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 0 }) })] });
model.compile({ optimizer: tf.train.adam(0.05), loss: (yt: tf.Tensor, yp: tf.Tensor) => mseLoss(yt, yp) });
const history = await model.fit(x, y, { epochs: 40, batchSize: 64, shuffle: false, verbose: 0 });
const losses = history.history.loss as number[];
const [w, b] = model.getWeights().map((t) => Array.from(t.dataSync()));
console.log(`loss: ${losses[0]!.toFixed(4)} -> ${losses.at(-1)!.toFixed(4)} (noise floor σ² = 0.0100)`);
console.log(`learned  w = [${w!.map((v) => v.toFixed(3)).join(', ')}], b = ${b![0]!.toFixed(3)}`);
console.log(`truth    w = [${trueW.join(', ')}], b = ${trueB}`);
const err = Math.max(...w!.map((v, i) => Math.abs(v - trueW[i]!)), Math.abs(b![0]! - trueB));
tf.dispose([x, y]);
model.dispose();
if (err > 0.1) {
  console.error(`demo: the model did not recover the weights (max error ${err.toFixed(3)})`);
  process.exitCode = 1;
}
