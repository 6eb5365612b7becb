export { fit } from './fit.js';
export { Trainer, canonicalJson, hashConfig, latestCheckpoint } from './trainer.js';
export { evaluate, type EvaluateArgs } from './evaluate.js';
export { Ema, type EmaOptions } from './ema.js';
export { adaptModel, isLayersModel, type ForwardResult, type FunctionModel, type ModelAdapter, type ModelParam, type OutputRef, type TrainModel } from './model.js';
export type { LossFunction, LossTerm, TermContext } from './terms.js';
export type {
  Callback,
  DataElement,
  DataSource,
  FitArgs,
  History,
  Logs,
  MetricEntry,
  TrainContext,
  UnlabelledArgs,
  ValidationArgs,
} from './types.js';
