import { Trainer } from './trainer.js';
import type { TrainModel } from './model.js';
import type { DataSource, FitArgs, History } from './types.js';

/**
 * Trains `model` on `data` (labelled batches; `null` when training on `args.unlabelled` alone) and
 * returns the {@link History}. Everything is configured by {@link FitArgs}: named weighted loss terms
 * from the core-losses registry, optimizer and schedule, gradient clipping, weight EMA, validation,
 * a second unlabelled stream, distillation, callbacks, and resuming from a checkpoint.
 *
 * Determinism: for a given seed and backend, two runs give bit-identical weights — shuffles are a
 * function of (seed, epoch), and each step's forward pass runs with `Math.random` replaced by the run's
 * saved RNG (TF.js dropout draws from it). Build the model under `withSeed(seed, …)` for seeded init.
 * A resumed run continues exactly: N steps, checkpoint, resume, N steps equals 2N steps in one go.
 *
 * Ownership: `fit` disposes every batch it pulls from `data` (as tfjs fitDataset); `Dataset.fromArray`
 * yields clones, so arrays of tensors stay valid. The optimizer state it creates is freed at the end.
 */
export async function fit(model: TrainModel, data: DataSource | null, args: FitArgs): Promise<History> {
  const trainer = new Trainer(model, data, args);
  try {
    if (args.resume !== undefined) await trainer.resume(args.resume);
    return await trainer.run();
  } finally {
    trainer.dispose();
  }
}
