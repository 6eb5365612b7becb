import { CheckpointError, UnknownKeyError, ValueError } from '../errors.js';

/** When a closed-form schedule advances: after every optimizer step (default) or at every epoch end. */
export type ScheduleInterval = 'step' | 'epoch';

/** Constant learning rate (the optimizer's `lr`). */
export interface ConstantSchedule {
  name: 'constant';
}

/**
 * Linear warmup, then cosine annealing (torch SequentialLR of LinearLR and CosineAnnealingLR):
 * lr(t) = lr·(s + (1 − s)·t/w) for t < w, then minLr + (lr − minLr)·(1 + cos(π(t − w)/(T − w)))/2,
 * held at minLr after `totalSteps` (torch would rise again).
 */
export interface WarmupCosineSchedule {
  name: 'warmup-cosine';
  /** Warmup length w (0: no warmup). */
  warmupSteps: number;
  /** Total length T > w, in the schedule's interval. */
  totalSteps: number;
  /** Start factor s in [0, 1]. Default 0 (torch LinearLR needs s > 0; 0 starts from lr 0). */
  warmupStartFactor?: number;
  /** Final learning rate. Default 0. */
  minLr?: number;
  interval?: ScheduleInterval;
}

/** Linear warmup, then exponential decay (LinearLR then ExponentialLR): lr·γ^(t − w) for t ≥ w. */
export interface WarmupExponentialSchedule {
  name: 'warmup-exponential';
  warmupSteps: number;
  /** Decay per interval, in (0, 1]. */
  gamma: number;
  /** Start factor in [0, 1]. Default 0. */
  warmupStartFactor?: number;
  interval?: ScheduleInterval;
}

/** Step decay (StepLR): lr·γ^⌊t / stepSize⌋. */
export interface StepSchedule {
  name: 'step';
  stepSize: number;
  /** Default 0.1. */
  gamma?: number;
  interval?: ScheduleInterval;
}

/**
 * Reduce on plateau (torch ReduceLROnPlateau), updated at every epoch end with the monitored value:
 * after more than `patience` epochs without improvement, lr ← max(lr·factor, minLr) (skipped if the change
 * is below `eps`), then `cooldown` epochs in which bad epochs are not counted.
 */
export interface PlateauSchedule {
  name: 'plateau';
  /** What `fit` passes in: a log key such as 'val/loss' (default 'val/loss' with validation, else 'loss'). */
  monitor?: string;
  /** 'min' (default) or 'max'; `fit` fills it from the metric's higherIsBetter when omitted. */
  mode?: 'min' | 'max';
  /** Default 0.1. */
  factor?: number;
  /** Default 10. */
  patience?: number;
  /** Default 1e-4. */
  threshold?: number;
  /** Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Default 0. */
  cooldown?: number;
  /** Default 0. */
  minLr?: number;
  /** Default 1e-8. */
  eps?: number;
}

/** A learning-rate schedule as configs name it. */
export type ScheduleConfig = ConstantSchedule | WarmupCosineSchedule | WarmupExponentialSchedule | StepSchedule | PlateauSchedule;

/** Names {@link createSchedule} knows. */
export const SCHEDULES = ['constant', 'warmup-cosine', 'warmup-exponential', 'step', 'plateau'] as const;

/** A schedule's saved state (JSON). */
export type ScheduleState = Record<string, number | null>;

/**
 * A learning-rate schedule with explicit state: {@link Schedule.lr} is the rate of the next optimizer
 * step; the trainer calls {@link Schedule.afterStep} after each step and {@link Schedule.afterEpoch} at
 * each epoch end (with the monitored value for 'plateau').
 */
export interface Schedule {
  readonly config: Readonly<ScheduleConfig>;
  /** Learning rate for the next step. */
  lr(): number;
  afterStep(): void;
  afterEpoch(monitored?: number): void;
  getState(): ScheduleState;
  setState(state: ScheduleState): void;
}

function need(fn: string, name: string, value: unknown, ok: boolean, what: string): void {
  if (!ok) throw new ValueError(`${fn}: option '${name}' must be ${what}. Value: ${String(value)}.`);
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isFactor = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;

class ClosedForm implements Schedule {
  private t = 0;
  private readonly interval: ScheduleInterval;

  constructor(
    readonly config: Readonly<ScheduleConfig>,
    private readonly factorAt: (t: number) => number,
    private readonly base: number,
  ) {
    this.interval = (config as { interval?: ScheduleInterval }).interval ?? 'step';
    need('createSchedule', 'interval', this.interval, this.interval === 'step' || this.interval === 'epoch', "'step' or 'epoch'");
  }

  lr(): number {
    return this.factorAt(this.t);
  }

  afterStep(): void {
    if (this.interval === 'step') this.t++;
  }

  afterEpoch(): void {
    if (this.interval === 'epoch') this.t++;
  }

  getState(): ScheduleState {
    return { t: this.t, base: this.base };
  }

  setState(state: ScheduleState): void {
    if (!isCount(state.t)) throw new CheckpointError(`schedule '${this.config.name}': saved state has no valid 't'. Value: ${JSON.stringify(state)}.`);
    this.t = state.t;
  }
}

class Plateau implements Schedule {
  private current: number;
  private best: number;
  private bad = 0;
  private cooldownLeft = 0;
  private readonly c: Required<Omit<PlateauSchedule, 'monitor'>>;

  constructor(
    readonly config: Readonly<PlateauSchedule>,
    base: number,
  ) {
    const fn = 'createSchedule(plateau)';
    const c = {
      name: 'plateau' as const,
      mode: config.mode ?? 'min',
      factor: config.factor ?? 0.1,
      patience: config.patience ?? 10,
      threshold: config.threshold ?? 1e-4,
      thresholdMode: config.thresholdMode ?? 'rel',
      cooldown: config.cooldown ?? 0,
      minLr: config.minLr ?? 0,
      eps: config.eps ?? 1e-8,
    };
    need(fn, 'mode', c.mode, c.mode === 'min' || c.mode === 'max', "'min' or 'max'");
    need(fn, 'factor', c.factor, c.factor >= 0 && c.factor < 1, 'in [0, 1)');
    need(fn, 'patience', c.patience, isCount(c.patience), 'an integer ≥ 0');
    need(fn, 'cooldown', c.cooldown, isCount(c.cooldown), 'an integer ≥ 0');
    need(fn, 'threshold', c.threshold, c.threshold >= 0, '≥ 0');
    need(fn, 'thresholdMode', c.thresholdMode, c.thresholdMode === 'rel' || c.thresholdMode === 'abs', "'rel' or 'abs'");
    need(fn, 'minLr', c.minLr, c.minLr >= 0, '≥ 0');
    this.c = c;
    this.current = base;
    this.best = c.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  lr(): number {
    return this.current;
  }

  afterStep(): void {}

  private isBetter(a: number): boolean {
    const { mode, thresholdMode, threshold } = this.c;
    const best = this.best;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  afterEpoch(monitored?: number): void {
    if (monitored === undefined || Number.isNaN(monitored)) {
      throw new ValueError(`plateau schedule: afterEpoch needs the monitored value ('${this.config.monitor ?? 'val/loss'}'). Value: ${monitored}.`);
    }
    if (this.isBetter(monitored)) {
      this.best = monitored;
      this.bad = 0;
    } else this.bad++;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.bad = 0;
    }
    if (this.bad > this.c.patience) {
      const next = Math.max(this.current * this.c.factor, this.c.minLr);
      if (this.current - next > this.c.eps) this.current = next;
      this.cooldownLeft = this.c.cooldown;
      this.bad = 0;
    }
  }

  getState(): ScheduleState {
    // ±Infinity is not JSON: null stands for "no best yet".
    return { lr: this.current, best: Number.isFinite(this.best) ? this.best : null, bad: this.bad, cooldownLeft: this.cooldownLeft };
  }

  setState(state: ScheduleState): void {
    const { lr, best, bad, cooldownLeft } = state;
    if (typeof lr !== 'number' || !isCount(bad) || !isCount(cooldownLeft) || (best !== null && typeof best !== 'number')) {
      throw new CheckpointError(`schedule 'plateau': saved state is malformed. Value: ${JSON.stringify(state)}.`);
    }
    this.current = lr;
    this.best = best ?? (this.c.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
    this.bad = bad;
    this.cooldownLeft = cooldownLeft;
  }
}

function warmupFactor(t: number, w: number, s: number): number {
  return s + ((1 - s) * t) / w;
}

/**
 * Builds a schedule around the base learning rate `lr` (the optimizer's). `undefined` means constant.
 * Unknown names throw UnknownKeyError; bad options throw ValueError naming the option.
 */
export function createSchedule(config: ScheduleConfig | undefined, lr: number): Schedule {
  const fn = 'createSchedule';
  need(fn, 'lr', lr, Number.isFinite(lr) && lr >= 0, 'a finite number ≥ 0');
  const c = config ?? { name: 'constant' };
  switch (c.name) {
    case 'constant':
      return new ClosedForm(c, () => lr, lr);
    case 'warmup-cosine': {
      const { warmupSteps: w, totalSteps: total, warmupStartFactor: s = 0, minLr = 0 } = c;
      need(fn, 'warmupSteps', w, isCount(w), 'an integer ≥ 0');
      need(fn, 'totalSteps', total, isCount(total) && total > w, `an integer > warmupSteps (${w})`);
      need(fn, 'warmupStartFactor', s, isFactor(s), 'in [0, 1]');
      need(fn, 'minLr', minLr, minLr >= 0 && minLr <= lr, `in [0, lr = ${lr}]`);
      return new ClosedForm(
        c,
        (t) => {
          if (t < w) return lr * warmupFactor(t, w, s);
          if (t >= total) return minLr;
          return minLr + ((lr - minLr) * (1 + Math.cos((Math.PI * (t - w)) / (total - w)))) / 2;
        },
        lr,
      );
    }
    case 'warmup-exponential': {
      const { warmupSteps: w, gamma, warmupStartFactor: s = 0 } = c;
      need(fn, 'warmupSteps', w, isCount(w), 'an integer ≥ 0');
      need(fn, 'gamma', gamma, typeof gamma === 'number' && gamma > 0 && gamma <= 1, 'in (0, 1]');
      need(fn, 'warmupStartFactor', s, isFactor(s), 'in [0, 1]');
      return new ClosedForm(c, (t) => (t < w ? lr * warmupFactor(t, w, s) : lr * gamma ** (t - w)), lr);
    }
    case 'step': {
      const { stepSize, gamma = 0.1 } = c;
      need(fn, 'stepSize', stepSize, isCount(stepSize) && stepSize > 0, 'an integer > 0');
      need(fn, 'gamma', gamma, typeof gamma === 'number' && gamma > 0 && gamma <= 1, 'in (0, 1]');
      return new ClosedForm(c, (t) => lr * gamma ** Math.floor(t / stepSize), lr);
    }
    case 'plateau':
      return new Plateau(c, lr);
    default:
      throw new UnknownKeyError('schedule', String((c as { name: unknown }).name), SCHEDULES);
  }
}
