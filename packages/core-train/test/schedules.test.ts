import { describe, expect, it } from 'vitest';
import { UnknownKeyError, ValueError } from '@lossworks/core-losses';
import { createSchedule, type ScheduleConfig } from '../src/index.js';
import fixtures from './schedules.fixtures.json' with { type: 'json' };

// Schedules compute in float64 like torch (Python floats); the closed forms differ from torch's chained
// recursions only by float64 rounding, so 1e-12 relative is ample while any formula error is ≥ 1e-3.
const RTOL = 1e-12;

describe('schedules vs torch.optim.lr_scheduler', () => {
  for (const c of fixtures.cases) {
    const label = `${c.schedule.name} ${JSON.stringify(c.schedule)}`;
    it(label, () => {
      const s = createSchedule(c.schedule as ScheduleConfig, c.lr);
      const got: number[] = [];
      if ('metrics' in c && c.metrics) {
        for (const m of c.metrics as number[]) {
          s.afterStep();
          s.afterEpoch(m);
          got.push(s.lr());
        }
      } else {
        for (let k = 0; k < c.lrs.length; k++) {
          got.push(s.lr());
          s.afterStep();
        }
      }
      got.forEach((v, k) => {
        const e = c.lrs[k]!;
        expect(Math.abs(v - e), `${label} step ${k}: got ${v}, torch ${e}`).toBeLessThanOrEqual(RTOL * Math.abs(e) + 1e-15);
      });
    });
  }
});

describe('schedule behaviour', () => {
  it('constant stays at the base rate; epoch interval advances only at epoch ends', () => {
    const c = createSchedule(undefined, 0.3);
    c.afterStep();
    c.afterEpoch();
    expect(c.lr()).toBe(0.3);
    const s = createSchedule({ name: 'step', stepSize: 2, gamma: 0.5, interval: 'epoch' }, 1);
    for (let i = 0; i < 10; i++) s.afterStep();
    expect(s.lr()).toBe(1);
    s.afterEpoch();
    s.afterEpoch();
    expect(s.lr()).toBe(0.5);
  });

  it('warmup-cosine holds minLr after totalSteps', () => {
    const s = createSchedule({ name: 'warmup-cosine', warmupSteps: 2, totalSteps: 5, minLr: 0.01 }, 0.1);
    const lrs = Array.from({ length: 8 }, () => {
      const v = s.lr();
      s.afterStep();
      return v;
    });
    expect(lrs[0]).toBe(0);
    expect(lrs.slice(5)).toEqual([0.01, 0.01, 0.01]);
  });

  it('state round-trips (closed form and plateau)', () => {
    for (const cfg of [
      { name: 'warmup-exponential', warmupSteps: 3, gamma: 0.8 },
      { name: 'plateau', patience: 0, factor: 0.5 },
    ] as ScheduleConfig[]) {
      const a = createSchedule(cfg, 0.2);
      [1, 0.9, 0.95, 0.97].forEach((m) => {
        a.afterStep();
        a.afterEpoch(m);
      });
      const b = createSchedule(cfg, 0.2);
      b.setState(JSON.parse(JSON.stringify(a.getState())));
      [0.99, 0.5, 0.6].forEach((m) => {
        a.afterStep();
        a.afterEpoch(m);
        b.afterStep();
        b.afterEpoch(m);
        expect(b.lr()).toBe(a.lr());
      });
    }
  });

  it('validates options and names', () => {
    expect(() => createSchedule({ name: 'warmup-cosine', warmupSteps: 5, totalSteps: 5 }, 0.1)).toThrow(/'totalSteps' must be an integer > warmupSteps/);
    expect(() => createSchedule({ name: 'step', stepSize: 0 }, 0.1)).toThrow(ValueError);
    expect(() => createSchedule({ name: 'cyclic' } as unknown as ScheduleConfig, 0.1)).toThrow(UnknownKeyError);
    expect(() => createSchedule({ name: 'plateau' }, 0.1).afterEpoch(undefined)).toThrow(/needs the monitored value/);
  });
});
