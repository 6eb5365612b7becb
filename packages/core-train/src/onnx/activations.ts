// TF.js activation names (as `layer.getConfig().activation` serialises them) → ONNX opset-17 nodes.
import { OnnxExportError } from '../errors.js';
import { physicalAxis, type GraphBuilder, type Value } from './graph.js';
import { attr, type OnnxAttr } from './proto.js';

/** SELU constants as TF.js uses them (Klambauer et al. 2017). */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** Activation names {@link applyActivation} lowers. */
export const SUPPORTED_ACTIVATIONS = [
  'linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'logSoftmax',
  'softplus', 'softsign', 'swish', 'mish', 'gelu', 'gelu_new',
] as const;

function same(v: Value, name: string): Value {
  return { ...v, name };
}

/** Applies the TF.js activation `name` to `v` (layout kept; softmax works on the logical last axis). */
export function applyActivation(g: GraphBuilder, v: Value, name: unknown, where: string): Value {
  const act = name == null ? 'linear' : String(name);
  const x = v.name;
  switch (act) {
    case 'linear':
      return v;
    case 'relu':
      return same(v, g.op('Relu', [x]));
    case 'relu6':
      return same(v, g.op('Clip', [x, g.scalar(0, 'zero'), g.scalar(6, 'six')]));
    case 'elu':
      return same(v, g.op('Elu', [x], { alpha: attr.float(1) }));
    case 'selu':
      return same(v, g.op('Selu', [x], { alpha: attr.float(SELU_ALPHA), gamma: attr.float(SELU_SCALE) }));
    case 'sigmoid':
      return same(v, g.op('Sigmoid', [x]));
    case 'hardSigmoid': // TF.js: clip(0.2·x + 0.5, 0, 1)
      return same(v, g.op('HardSigmoid', [x], { alpha: attr.float(0.2), beta: attr.float(0.5) }));
    case 'tanh':
      return same(v, g.op('Tanh', [x]));
    case 'softmax':
      return same(v, g.op('Softmax', [x], { axis: attr.int(physicalAxis(v, v.shape.length - 1)) }));
    case 'logSoftmax':
      return same(v, g.op('LogSoftmax', [x], { axis: attr.int(physicalAxis(v, v.shape.length - 1)) }));
    case 'softplus':
      return same(v, g.op('Softplus', [x]));
    case 'softsign':
      return same(v, g.op('Softsign', [x]));
    case 'swish': // x·σ(x)
      return same(v, g.op('Mul', [x, g.op('Sigmoid', [x])]));
    case 'mish': // x·tanh(softplus(x))
      return same(v, g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x])])]));
    case 'gelu': {
      // TF.js: x·½(1 + erf(x/√2)); opset 17 has no Gelu op.
      const e = g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2, 'sqrt2')])]);
      const half = g.op('Mul', [g.op('Add', [e, g.scalar(1, 'one')]), g.scalar(0.5, 'half')]);
      return same(v, g.op('Mul', [x, half]));
    }
    case 'gelu_new': {
      // TF.js: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
      const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
      const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [x3, g.scalar(0.044715, 'c')])]), g.scalar(Math.sqrt(2 / Math.PI), 'k')]);
      const t = g.op('Add', [g.op('Tanh', [inner]), g.scalar(1, 'one')]);
      return same(v, g.op('Mul', [g.op('Mul', [x, t]), g.scalar(0.5, 'half')]));
    }
    default:
      throw new OnnxExportError(
        `exportOnnx: ${where}: activation '${act}' is not supported. Supported: ${SUPPORTED_ACTIVATIONS.join(', ')}.`,
      );
  }
}

/** An RNN gate/cell activation as ONNX's LSTM/GRU/RNN `activations` attribute spells it. */
export interface RnnActivation {
  name: string;
  alpha?: number;
  beta?: number;
}

/** TF.js activation → ONNX recurrent activation (the subset both ONNX and onnxruntime accept). */
export function rnnActivation(name: unknown, where: string): RnnActivation {
  const act = name == null ? 'linear' : String(name);
  switch (act) {
    case 'sigmoid':
      return { name: 'Sigmoid' };
    case 'tanh':
      return { name: 'Tanh' };
    case 'relu':
      return { name: 'Relu' };
    case 'hardSigmoid':
      return { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 };
    case 'elu':
      return { name: 'Elu', alpha: 1 };
    case 'softsign':
      return { name: 'Softsign' };
    case 'softplus':
      return { name: 'Softplus' };
    case 'linear':
      return { name: 'Affine', alpha: 1, beta: 0 };
    default:
      throw new OnnxExportError(
        `exportOnnx: ${where}: recurrent activation '${act}' is not supported. ` +
          `Supported: sigmoid, tanh, relu, hardSigmoid, elu, softsign, softplus, linear.`,
      );
  }
}

/** The `activations` / `activation_alpha` / `activation_beta` attributes for a list of activations. */
export function rnnActivationAttrs(acts: readonly RnnActivation[]): Record<string, OnnxAttr> {
  // onnxruntime hands out alpha/beta in order to the activations that take them, so list exactly those.
  const alphas = acts.flatMap((a) => (a.alpha === undefined ? [] : [a.alpha]));
  const betas = acts.flatMap((a) => (a.beta === undefined ? [] : [a.beta]));
  return {
    activations: attr.strings(acts.map((a) => a.name)),
    ...(alphas.length ? { activation_alpha: attr.floats(alphas) } : {}),
    ...(betas.length ? { activation_beta: attr.floats(betas) } : {}),
  };
}
