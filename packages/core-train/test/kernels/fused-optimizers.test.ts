// The one-pass optimizer updates (src/optimizers/fused.ts) give bit-for-bit the op-by-op updates on
// the backends that keep tensors in JavaScript (cpu, and onnx, where large tensors' ops run in ONNX
// Runtime), and are what those backends run.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { Adam, AdamW, Sgd, type AdamOptions, type Optimizer, type ParamRef, type SgdOptions } from '../../src/index.js';
import { randn, useBackend } from './helpers.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** The op-by-op path of each optimizer (the fast path switched off). */
class OpAdam extends Adam {
  protected override fusedUpdate(): undefined {
    return undefined;
  }
}
class OpAdamW extends AdamW {
  protected override fusedUpdate(): undefined {
    return undefined;
  }
}
class OpSgd extends Sgd {
  protected override fusedUpdate(): undefined {
    return undefined;
  }
}

// [8, 5]: JavaScript kernels on the onnx backend; [96, 96] (9,216 elements): ONNX Runtime kernels.
const SHAPES = [[8, 5], [96, 96], [7]];

/** Parameters and slots after 3 steps (varying lr; the third step's gradients are 1000x larger). */
function train(opt: Optimizer): Float32Array[] {
  const params: ParamRef[] = SHAPES.map((s, i) => ({ key: `p${i}`, variable: tf.tidy(() => tf.variable(randn(s, 10 + i))) }));
  for (let k = 0; k < 3; k++) {
    const grads = new Map<string, tf.Tensor>();
    SHAPES.forEach((s, i) => {
      const g = tf.tidy(() => tf.mul(randn(s, 100 * k + i), k === 2 ? 1e3 : 1));
      grads.set(`p${i}`, g);
    });
    opt.applyGradients(params, grads, 0.05 / (k + 1));
    tf.dispose([...grads.values()]);
  }
  const out = params.map((p) => Float32Array.from(p.variable.dataSync()));
  const state = opt.getState();
  out.push(...Object.keys(state.slots).sort().map((k) => Float32Array.from(state.slots[k]!.dataSync())));
  opt.dispose();
  params.forEach((p) => p.variable.dispose());
  return out;
}

const ADAM: AdamOptions[] = [{ lr: 0.05 }, { lr: 0.05, weightDecay: 0.01, beta1: 0.8, eps: 1e-6 }];
const SGD: SgdOptions[] = [{ lr: 0.05 }, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3 }, { lr: 0.05, momentum: 0.8, nesterov: true }];

describe('fused optimizer updates', () => {
  for (const backend of ['cpu', 'onnx'] as const) {
    it(`equal the op-by-op updates bit for bit on ${backend} (Adam, AdamW, SGD variants)`, async () => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      for (const o of ADAM) {
        expect(train(new Adam(o)), `Adam ${JSON.stringify(o)}`).toEqual(train(new OpAdam(o)));
        expect(train(new AdamW(o)), `AdamW ${JSON.stringify(o)}`).toEqual(train(new OpAdamW(o)));
      }
      for (const o of SGD) expect(train(new Sgd(o)), `Sgd ${JSON.stringify(o)}`).toEqual(train(new OpSgd(o)));
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('run as one pass: an Adam step launches no elementwise kernels', async () => {
    await useBackend('onnx');
    const p: ParamRef = { key: 'w', variable: tf.tidy(() => tf.variable(randn([64, 64], 1))) };
    const g = randn([64, 64], 2);
    const opt = new Adam({ lr: 1e-3 });
    const info = await tf.profile(() => opt.applyGradients([p], new Map([['w', g]]), 1e-3));
    expect(info.kernels.map((k) => k.name).filter((n) => ['Multiply', 'Add', 'Sqrt', 'RealDiv', 'Sub'].includes(n))).toEqual([]);
    const ops = await tf.profile(() => new OpAdam({ lr: 1e-3 }).applyGradients([p], new Map([['w', g]]), 1e-3));
    expect(ops.kernels.length).toBeGreaterThan(8);
    opt.dispose();
    tf.dispose([p.variable, g]);
  });
});
