import type * as tf from '@tensorflow/tfjs';
import type { Metric } from '@lossworks/core-losses';
import type { AtomicIo } from '../checkpoint/atomic.js';
import type { Batch, Sample } from '../data/collate.js';
import type { Dataset } from '../data/dataset.js';
import type { DistillSpec } from '../distill/distiller.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { OptimizerConfig } from '../optimizers/index.js';
import type { Schedule, ScheduleConfig } from '../schedules/index.js';
import type { EmaOptions } from './ema.js';
import type { OutputRef } from './model.js';
import type { LossFunction, LossTerm } from './terms.js';

/** One element of a training stream: a batch of tensors, or an array of samples that `fit` collates. */
export type DataElement = Batch | Sample[];

/** A stream `fit` reads: a {@link Dataset} (seeded per epoch) or a plain array of elements. */
export type DataSource = Dataset<DataElement> | readonly DataElement[];

/** Values logged at a step or epoch: `loss`, `loss/<term>`, `lr`, `val/…`. */
export type Logs = Record<string, number>;

/**
 * A validation metric: a core-losses METRICS name ('psnr'), or an object naming the metric (registry
 * name or a Metric instance), its options, and which output/target it reads. Logged as `val/<name>`.
 */
export type MetricEntry =
  | string
  | {
      /** Log name. Default: the registry name or the metric's `name`. */
      name?: string;
      metric: string | Metric;
      options?: Record<string, unknown>;
      output?: OutputRef;
      target?: OutputRef;
    };

/** Validation run at the end of epochs (`fit({ validation })`). */
export interface ValidationArgs {
  data: DataSource;
  /** Metrics besides the loss terms. Default none. */
  metrics?: MetricEntry[];
  /** Validate every this many epochs (and always after the last). Default 1. */
  every?: number;
}

/**
 * The second, input-only stream (e.g. unlabelled images for distillation). Every optimizer step uses one
 * labelled batch and, on average, `ratio` unlabelled batches: step s takes ⌊(s+1)·ratio⌋ − ⌊s·ratio⌋ of
 * them (ratio 2 → two per step, 0.5 → one every other step). Its terms are averaged over the step's
 * unlabelled batches, scaled by `weight`, and logged as `loss/unlabelled/<term>`. The stream cycles on
 * its own (a new seeded pass when it runs out); an epoch is one pass over the labelled stream.
 */
export interface UnlabelledArgs {
  data: DataSource;
  /** Terms on unlabelled batches (functions of the forward pass: `fn`). Distillation terms apply too. */
  loss?: LossTerm[];
  /** Unlabelled batches per labelled batch (≥ 0). Default 1. */
  ratio?: number;
  /** Weight of the unlabelled part of the loss. Default 1. */
  weight?: number;
}

/** Context every callback gets: progress counters, the run's state, and a way to stop. */
export interface TrainContext {
  /** Current epoch (0-based). */
  readonly epoch: number;
  /** Optimizer steps done in the current epoch. */
  readonly stepInEpoch: number;
  /** Optimizer steps done in total (including those before a resume). */
  readonly globalStep: number;
  /** Epochs to run in total. */
  readonly epochs: number;
  /** Steps per epoch when known (from `stepsPerEpoch` or the dataset size). */
  readonly stepsPerEpoch: number | undefined;
  /** `maxSteps`, when set. */
  readonly maxSteps: number | undefined;
  /** Hash of the run configuration (saved in checkpoints). */
  readonly configHash: string;
  readonly history: History;
  /** Stops after the current step (or epoch end); `reason` goes to `History.stopMessage`. */
  stop(reason: string): void;
  /** 'min' or 'max' for a log key (losses: min; metrics: from higherIsBetter), or undefined if unknown. */
  directionOf(key: string): 'min' | 'max' | undefined;
  /** Writes a full checkpoint (weights, optimizer, schedule, RNG, counters, callback state) atomically. */
  saveCheckpoint(path: string, io?: AtomicIo): Promise<void>;
  /** Model parameters' current values by checkpoint key (copies; the caller disposes them). */
  snapshotWeights(): Map<string, tf.Tensor>;
  /** Assigns weights from {@link TrainContext.snapshotWeights} (does not dispose them). */
  restoreWeights(weights: ReadonlyMap<string, tf.Tensor>): void;
}

/**
 * A training callback (tfjs base_callbacks style). Every hook may be async. A callback with `stateKey`
 * and `getState`/`setState` has its state saved in checkpoints and restored on resume.
 */
export interface Callback {
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainContext): void | Promise<void>;
  onBatchEnd?(step: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
  /** After the last step; `logs` are the last epoch's (or last step's, when stopped mid-epoch). */
  onTrainEnd?(logs: Logs, ctx: TrainContext): void | Promise<void>;
  readonly stateKey?: string;
  getState?(): unknown;
  setState?(state: unknown): void;
}

/** What `fit` returns (tfjs History): epoch-level logs plus per-step logs. */
export interface History {
  /** Epoch numbers (0-based) with an entry in `history`. */
  epoch: number[];
  /** Epoch-level logs by key (means over the epoch's steps; `val/…` after validation; NaN where absent). */
  history: Record<string, number[]>;
  /** Step-level logs (every `stepHistoryEvery`-th step). */
  steps: { step: number[]; history: Record<string, number[]> };
  /** Why training ended. */
  stopReason: 'epochs' | 'maxSteps' | 'stopped';
  /** The reason given to `stop()`, when stopped. */
  stopMessage?: string;
}

/**
 * Everything `fit` takes, in one documented object (tfjs `ModelFitDatasetArgs` shape). Only `loss` and
 * `optimizer` are required.
 */
export interface FitArgs {
  /** Labelled-stream loss: named weighted terms (each logged as `loss/<name>`), or one function (term 'loss'). */
  loss: LossTerm[] | LossFunction;
  /** `{ name: 'sgd' | 'adam' | 'adamw', lr, ... }` or an Optimizer instance (its state is used and updated). */
  optimizer: OptimizerConfig | Optimizer;
  /** Learning-rate schedule around the optimizer's `lr`. Default constant. */
  schedule?: ScheduleConfig | Schedule;
  /** Epochs to run (counting epochs done before a resume). Default 1. */
  epochs?: number;
  /** Stop after this many optimizer steps in total (counting those before a resume). */
  maxSteps?: number;
  /** Steps per epoch: an epoch is the first `stepsPerEpoch` batches of its pass (needed for endless streams). */
  stepsPerEpoch?: number;
  /** Run seed: shuffles (via the dataset's iteration seed), dropout masks, projection-head init. Default 0. */
  seed?: number;
  /** Clip gradients to this global L2 norm (torch clip_grad_norm_); logs `gradNorm` (before clipping). */
  clipNorm?: number;
  /** Exponential moving average of the weights. */
  ema?: EmaOptions;
  validation?: ValidationArgs;
  unlabelled?: UnlabelledArgs;
  distill?: DistillSpec;
  callbacks?: Callback[];
  /**
   * Resume from a checkpoint file, or from the latest `*.safetensors` checkpoint in a folder (a folder
   * without one starts fresh). The checkpoint must come from the same configuration (config hash).
   */
  resume?: string;
  /** What the config hash covers. Default: optimizer, schedule, loss terms, distillation, clipping, EMA, seed and parameter shapes. */
  config?: unknown;
  /** Record every k-th step's logs in `History.steps`. Default 1. */
  stepHistoryEvery?: number;
}
