import * as tf from '@tensorflow/tfjs';
import { expectNoLeak, tolerance, worstMismatch } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { UnknownKeyError, ValueError } from '@lossworks/core-losses';
import { Adam, AdamW, CheckpointError, Sgd, createOptimizer, type OptimizerConfig, type ParamRef } from '../src/index.js';
import fixtures from './optimizers.fixtures.json' with { type: 'json' };

interface Step {
  lr: number;
  grads: (number[] | null)[];
  params: number[][];
  state: Record<string, number[]>;
}
const SLOT: Record<string, string> = { momentum_buffer: 'momentum', exp_avg: 'm', exp_avg_sq: 'v' };

function makeParams(init: number[][], shapes: number[][]): ParamRef[] {
  return init.map((v, i) => ({ key: `p${i}`, variable: tf.tidy(() => tf.variable(tf.tensor(v, shapes[i]), true)) }));
}

describe('optimizers vs torch.optim (float64 fixtures)', () => {
  // float32 updates against float64 references over 6 steps: FLOAT32 (rtol 1e-4, atol 1e-5) leaves room
  // for rounding while a wrong rule (missing bias correction, coupled vs decoupled decay, Nesterov term)
  // moves parameters by ≥ 1e-3 at these learning rates (0.05–0.2).
  for (const c of fixtures.cases) {
    it(`${c.name}: parameters and state after every step`, async () => {
      const tol = tolerance();
      await expectNoLeak(() => {
        const opt = createOptimizer(c.optimizer as OptimizerConfig);
        const params = makeParams(c.init, c.shapes);
        (c.steps as Step[]).forEach((step, k) => {
          const grads = new Map<string, tf.Tensor>();
          step.grads.forEach((g, i) => {
            if (g) grads.set(`p${i}`, tf.tensor(g, c.shapes[i]));
          });
          opt.applyGradients(params, grads, step.lr);
          tf.dispose([...grads.values()]);
          params.forEach((p, i) => {
            const bad = worstMismatch(p.variable.dataSync(), step.params[i]!, tol);
            expect(bad, `${c.name} step ${k} param ${i}: ${JSON.stringify(bad)}`).toBeNull();
          });
          const state = opt.getState();
          for (const [name, expected] of Object.entries(step.state)) {
            const [slot, key] = name.split('/') as [string, string];
            const t = state.slots[`${SLOT[slot]}/${key}`];
            expect(t, `${c.name} step ${k}: slot ${name}`).toBeDefined();
            const bad = worstMismatch(t!.dataSync(), expected, tol);
            expect(bad, `${c.name} step ${k} slot ${name}: ${JSON.stringify(bad)}`).toBeNull();
          }
          expect(Object.keys(state.slots).length).toBe(Object.keys(step.state).length);
        });
        opt.dispose();
        params.forEach((p) => p.variable.dispose());
      });
    });
  }
});

describe('optimizer state', () => {
  it('counts steps per parameter and skips parameters without a gradient (as torch)', () => {
    const opt = new Adam({ lr: 0.1 });
    const [a, b] = makeParams([[1], [2]], [[1], [1]]);
    const g = tf.tensor([0.5]);
    opt.applyGradients([a!, b!], new Map([['p0', g]]), 0.1);
    opt.applyGradients([a!, b!], new Map([['p0', g], ['p1', g]]), 0.1);
    expect(opt.stepCount('p0')).toBe(2);
    expect(opt.stepCount('p1')).toBe(1);
    expect(opt.variableKeys().sort()).toEqual(['p0', 'p1']);
    // Adam's first step moves by lr·sign(g) (bias-corrected m/√v = 1 up to ε).
    expect(b!.variable.dataSync()[0]).toBeCloseTo(2 - 0.1, 5);
    tf.dispose([g, a!.variable, b!.variable]);
    opt.dispose();
  });

  it('setState continues exactly where getState left off', () => {
    const run = (split: boolean): Float32Array => {
      const params = makeParams([[0.3, -0.2, 0.9]], [[3]]);
      let opt = new AdamW({ lr: 0.05, weightDecay: 0.1 });
      for (let k = 0; k < 6; k++) {
        if (split && k === 3) {
          const fresh = new AdamW({ lr: 0.05, weightDecay: 0.1 });
          fresh.setState(opt.getState());
          opt.dispose();
          opt = fresh;
        }
        const g = tf.tensor([Math.sin(k), Math.cos(k), 0.5 - k / 10]);
        opt.applyGradients(params, new Map([['p0', g]]), 0.05);
        g.dispose();
      }
      const out = params[0]!.variable.dataSync() as Float32Array;
      opt.dispose();
      params[0]!.variable.dispose();
      return Float32Array.from(out);
    };
    expect(run(true)).toEqual(run(false));
  });

  it('setState refuses another optimizer or other hyperparameters', () => {
    const a = new Adam({ lr: 0.1 });
    expect(() => new Sgd({ lr: 0.1 }).setState(a.getState())).toThrow(CheckpointError);
    expect(() => new Adam({ lr: 0.1, beta1: 0.8 }).setState(a.getState())).toThrow(/'beta1' is 0.9 in the state but 0.8 here/);
  });

  it('validates hyperparameters and names', () => {
    expect(() => new Sgd({ lr: -1 })).toThrow(ValueError);
    expect(() => new Sgd({ lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum needs momentum > 0/);
    expect(() => new Adam({ lr: 0.1, beta2: 1 })).toThrow(/'beta2' must be in \[0, 1\)/);
    expect(() => createOptimizer({ name: 'rmsprop', lr: 1 } as unknown as OptimizerConfig)).toThrow(UnknownKeyError);
    expect(() => new Adam({ lr: 0.1 }).applyGradients([], new Map(), Number.NaN)).toThrow(/'lr' must be a finite number/);
  });
});
