// Table-driven parity: one tiny seeded model per supported layer type (and per padding/stride corner),
// exported to ONNX and run by onnxruntime-node; every output must equal TF.js predict within PARITY.
import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { expectParity, type InputSpec } from './onnx-export-helpers.js';

const L = tf.layers;

interface Case {
  name: string;
  build: () => tf.LayersModel;
  inputs?: InputSpec[];
  weightScale?: number;
}

/** A tf.sequential model starting with an explicit input layer. */
const seq = (inputShape: number[], ...layers: tf.layers.Layer[]): tf.LayersModel =>
  tf.sequential({ layers: [L.inputLayer({ inputShape }), ...layers] });

/** input → layer → output, functional. */
const one = (inputShape: number[], layer: tf.layers.Layer): tf.LayersModel => {
  const x = tf.input({ shape: inputShape });
  return tf.model({ inputs: x, outputs: layer.apply(x) as tf.SymbolicTensor });
};

/** conv (channels-first inside ONNX) → layer, so the layer sees a transposed layout. */
const afterConv = (inputShape: number[], layer: tf.layers.Layer, filters = 4): tf.LayersModel => {
  const x = tf.input({ shape: inputShape });
  const h = L.conv2d({ filters, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: layer.apply(h) as tf.SymbolicTensor });
};

const ACTIVATIONS = [
  'linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'logSoftmax',
  'softplus', 'softsign', 'swish', 'mish', 'gelu', 'gelu_new',
] as const;

const cases: Case[] = [
  // dense
  { name: 'dense (relu)', build: () => one([5], L.dense({ units: 3, activation: 'relu' })) },
  { name: 'dense on rank-3 input, no bias', build: () => one([4, 5], L.dense({ units: 3, useBias: false })) },
  // conv2d: paddings, strides, dilations, even kernels (asymmetric TF 'same' pads)
  { name: 'conv2d valid 3x3', build: () => one([6, 6, 2], L.conv2d({ filters: 3, kernelSize: 3 })) },
  { name: 'conv2d same k4 s2 on 7x7 (pads 1/2)', build: () => one([7, 7, 2], L.conv2d({ filters: 3, kernelSize: 4, strides: 2, padding: 'same' })) },
  { name: 'conv2d same k2 s1 (pad 0/1)', build: () => one([5, 6, 2], L.conv2d({ filters: 3, kernelSize: 2, padding: 'same' })) },
  { name: 'conv2d same k3 s3 on 8x7', build: () => one([8, 7, 2], L.conv2d({ filters: 2, kernelSize: 3, strides: 3, padding: 'same' })) },
  { name: 'conv2d same k[2,3] s[2,1]', build: () => one([6, 5, 2], L.conv2d({ filters: 2, kernelSize: [2, 3], strides: [2, 1], padding: 'same' })) },
  { name: 'conv2d same dilation 2 (tanh)', build: () => one([7, 7, 2], L.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'tanh' })) },
  { name: 'conv2d valid dilation [2,1]', build: () => one([7, 6, 2], L.conv2d({ filters: 3, kernelSize: 2, dilationRate: [2, 1] })) },
  // conv1d
  { name: 'conv1d same k4 s2 on 9', build: () => one([9, 3], L.conv1d({ filters: 2, kernelSize: 4, strides: 2, padding: 'same' })) },
  { name: 'conv1d same dilation 2', build: () => one([8, 3], L.conv1d({ filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same' })) },
  { name: 'conv1d valid', build: () => one([8, 3], L.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' })) },
  // transposed conv
  { name: 'conv2dTranspose same k3 s2', build: () => one([4, 5, 3], L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' })) },
  { name: 'conv2dTranspose same k4 s2', build: () => one([4, 4, 3], L.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'same' })) },
  { name: 'conv2dTranspose valid k3 s2', build: () => one([3, 4, 2], L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'valid' })) },
  { name: 'conv2dTranspose valid k1 s2 (k < s)', build: () => one([3, 3, 2], L.conv2dTranspose({ filters: 2, kernelSize: 1, strides: 2 })) },
  { name: 'conv2dTranspose same k2 s3 (k < s)', build: () => one([3, 3, 2], L.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 3, padding: 'same' })) },
  // depthwise / separable
  { name: 'depthwiseConv2d same mult 2 s2', build: () => one([7, 6, 3], L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' })) },
  { name: 'depthwiseConv2d valid k2 (even)', build: () => one([7, 7, 2], L.depthwiseConv2d({ kernelSize: 2, activation: 'relu' })) },
  { name: 'separableConv2d valid dilation 2, s1', build: () => one([7, 7, 2], L.separableConv2d({ filters: 3, kernelSize: 2, dilationRate: 2 })) },
  { name: 'separableConv2d same', build: () => one([6, 6, 3], L.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' })) },
  // normalisation
  { name: 'batchNormalization after conv (BatchNormalization op)', build: () => afterConv([5, 5, 2], L.batchNormalization()) },
  { name: 'batchNormalization on rank 3 (folded affine)', build: () => one([4, 3], L.batchNormalization({ epsilon: 0.01 })) },
  { name: 'batchNormalization without scale/center', build: () => one([3], L.batchNormalization({ scale: false, center: false })) },
  { name: 'layerNormalization last axis (LayerNormalization op)', build: () => one([4, 6], L.layerNormalization()) },
  { name: 'layerNormalization after conv (decomposed)', build: () => afterConv([4, 4, 2], L.layerNormalization()) },
  { name: 'layerNormalization axes [1,2,3]', build: () => one([3, 4, 2], L.layerNormalization({ axis: [1, 2, 3] })) },
  // activations
  ...ACTIVATIONS.map((a) => ({ name: `activation ${a}`, build: () => afterConv([3, 3, 2], L.activation({ activation: a as 'linear' })), weightScale: 1 })), // TF.js runs more names than its type lists
  { name: 'leakyReLU', build: () => afterConv([3, 3, 2], L.leakyReLU({ alpha: 0.2 })) },
  { name: 'prelu after conv (slope in NCHW)', build: () => afterConv([3, 4, 2], L.prelu()) },
  { name: 'prelu shared axes', build: () => afterConv([3, 4, 2], L.prelu({ sharedAxes: [1, 2] })) },
  { name: 'elu layer', build: () => one([5], L.elu()) },
  { name: 'reLU maxValue', build: () => one([6], L.reLU({ maxValue: 0.3 })) },
  { name: 'thresholdedReLU', build: () => one([6], L.thresholdedReLU({ theta: 0.2 })) },
  { name: 'softmax layer (default axis 1)', build: () => one([5], L.softmax()) },
  { name: 'softmax layer axis -1', build: () => one([3, 4], L.softmax({ axis: -1 })) },
  // pooling
  { name: 'maxPooling2d same p3 s2 on 7x6', build: () => afterConv([7, 6, 2], L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' })) },
  { name: 'averagePooling2d same p2 on 5x5 (pads not counted)', build: () => one([5, 5, 2], L.averagePooling2d({ poolSize: 2, padding: 'same' })) },
  { name: 'averagePooling2d valid p[2,3]', build: () => one([6, 6, 2], L.averagePooling2d({ poolSize: [2, 3], strides: [1, 2] })) },
  { name: 'maxPooling1d same p2 on 7', build: () => one([7, 3], L.maxPooling1d({ poolSize: 2, padding: 'same' })) },
  { name: 'averagePooling1d valid p3 s1', build: () => one([7, 3], L.averagePooling1d({ poolSize: 3, strides: 1 })) },
  { name: 'globalAveragePooling2d after conv', build: () => afterConv([4, 5, 2], L.globalAveragePooling2d({})) },
  { name: 'globalMaxPooling2d', build: () => one([4, 5, 2], L.globalMaxPooling2d({})) },
  { name: 'globalAveragePooling1d', build: () => one([6, 3], L.globalAveragePooling1d()) },
  { name: 'globalMaxPooling1d', build: () => one([6, 3], L.globalMaxPooling1d()) },
  // resampling
  { name: 'upSampling2d nearest [2,3]', build: () => afterConv([3, 4, 2], L.upSampling2d({ size: [2, 3] })) },
  { name: 'upSampling2d bilinear [2,2]', build: () => afterConv([3, 4, 2], L.upSampling2d({ size: [2, 2], interpolation: 'bilinear' })) },
  { name: 'upSampling2d bilinear [3,2]', build: () => one([4, 3, 2], L.upSampling2d({ size: [3, 2], interpolation: 'bilinear' })) },
  { name: 'rescaling', build: () => one([3, 2], L.rescaling({ scale: 0.5, offset: -1 })) },
  // shape ops
  { name: 'flatten after conv', build: () => seq([4, 3, 2], L.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }), L.flatten(), L.dense({ units: 2 })) },
  { name: 'reshape after conv', build: () => seq([4, 4, 2], L.conv2d({ filters: 2, kernelSize: 1 }), L.reshape({ targetShape: [8, 4] }), L.dense({ units: 3 })) },
  { name: 'reshape with -1', build: () => seq([6], L.reshape({ targetShape: [-1, 2] })) },
  { name: 'permute after conv', build: () => afterConv([3, 4, 2], L.permute({ dims: [3, 1, 2] })) },
  { name: 'permute rank 3', build: () => seq([3, 4], L.permute({ dims: [2, 1] }), L.dense({ units: 2 })) },
  { name: 'repeatVector', build: () => seq([3], L.dense({ units: 2 }), L.repeatVector({ n: 4 })) },
  { name: 'zeroPadding2d asymmetric after conv', build: () => afterConv([3, 3, 2], L.zeroPadding2d({ padding: [[1, 2], [0, 3]] })) },
  { name: 'cropping2d asymmetric', build: () => afterConv([6, 6, 2], L.cropping2D({ cropping: [[1, 0], [2, 1]] })) },
  {
    name: 'dropout, spatialDropout1d, gaussianNoise, gaussianDropout, alphaDropout (identity at inference)',
    build: () =>
      seq([4, 3], L.dropout({ rate: 0.5 }), L.spatialDropout1d({ rate: 0.3 }), L.gaussianNoise({ stddev: 1 }), L.gaussianDropout({ rate: 0.2 }), L.alphaDropout({ rate: 0.1 }), L.dense({ units: 2 })),
  },
  // embedding
  { name: 'embedding (float indices)', build: () => seq([5], L.embedding({ inputDim: 7, outputDim: 3 })), inputs: [{ vocab: 7 }] },
  {
    name: 'embedding (int32 input) → dense',
    build: () => {
      const x = tf.input({ shape: [4], dtype: 'int32' });
      const e = L.embedding({ inputDim: 9, outputDim: 3 }).apply(x) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: L.dense({ units: 2 }).apply(e) as tf.SymbolicTensor });
    },
    inputs: [{ vocab: 9, dtype: 'int32' }],
  },
  // recurrent
  { name: 'LSTM returnSequences false', build: () => one([5, 3], L.lstm({ units: 4 })) },
  { name: 'LSTM returnSequences true', build: () => one([5, 3], L.lstm({ units: 4, returnSequences: true })) },
  { name: 'LSTM sigmoid gates, relu', build: () => one([4, 3], L.lstm({ units: 3, recurrentActivation: 'sigmoid', activation: 'relu', returnSequences: true })) },
  { name: 'LSTM goBackwards (sequences)', build: () => one([5, 2], L.lstm({ units: 3, goBackwards: true, returnSequences: true })) },
  { name: 'LSTM goBackwards (last)', build: () => one([5, 2], L.lstm({ units: 3, goBackwards: true })) },
  { name: 'LSTM returnState', build: () => { const x = tf.input({ shape: [4, 2] }); const outs = L.lstm({ units: 3, returnState: true }).apply(x) as tf.SymbolicTensor[]; return tf.model({ inputs: x, outputs: outs }); } },
  { name: 'stacked LSTM → dense', build: () => seq([6, 3], L.lstm({ units: 4, returnSequences: true }), L.lstm({ units: 3 }), L.dense({ units: 1 })) },
  { name: 'GRU returnSequences false', build: () => one([5, 3], L.gru({ units: 4 })) },
  { name: 'GRU returnSequences true', build: () => one([5, 3], L.gru({ units: 4, returnSequences: true })) },
  { name: 'SimpleRNN', build: () => one([5, 3], L.simpleRNN({ units: 4, returnSequences: true })) },
  { name: 'bidirectional LSTM concat (sequences)', build: () => one([5, 3], L.bidirectional({ layer: L.lstm({ units: 3, returnSequences: true }) as tf.RNN })) },
  { name: 'bidirectional LSTM concat (last)', build: () => one([5, 3], L.bidirectional({ layer: L.lstm({ units: 3 }) as tf.RNN })) },
  { name: 'bidirectional GRU sum', build: () => one([5, 3], L.bidirectional({ layer: L.gru({ units: 3, returnSequences: true }) as tf.RNN, mergeMode: 'sum' })) },
  { name: 'bidirectional LSTM ave', build: () => one([4, 2], L.bidirectional({ layer: L.lstm({ units: 3 }) as tf.RNN, mergeMode: 'ave' })) },
  { name: 'bidirectional SimpleRNN mul', build: () => one([4, 2], L.bidirectional({ layer: L.simpleRNN({ units: 3, returnSequences: true }) as tf.RNN, mergeMode: 'mul' })) },
  { name: 'timeDistributed(dense)', build: () => one([4, 3], L.timeDistributed({ layer: L.dense({ units: 2, activation: 'tanh' }) })) },
  // merges
  ...(['add', 'multiply', 'average', 'maximum', 'minimum'] as const).map((kind) => ({
    name: `${kind} of three (mixed layouts)`,
    build: () => {
      const x = tf.input({ shape: [3, 3, 2] });
      const a = L.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor; // channels-first inside
      const b = L.dense({ units: 2 }).apply(x) as tf.SymbolicTensor; // channels-last
      const merged = L[kind]({}).apply([a, b, x]) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: merged });
    },
  })),
  {
    name: 'concatenate channels of two convs',
    build: () => {
      const x = tf.input({ shape: [4, 4, 2] });
      const a = L.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
      const b = L.conv2d({ filters: 3, kernelSize: 1 }).apply(x) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: L.concatenate({ axis: -1 }).apply([a, b]) as tf.SymbolicTensor });
    },
  },
  {
    name: 'concatenate axis 1 (rank 3)',
    build: () => {
      const a = tf.input({ shape: [2, 3] });
      const b = tf.input({ shape: [4, 3] });
      return tf.model({ inputs: [a, b], outputs: L.concatenate({ axis: 1 }).apply([a, b]) as tf.SymbolicTensor });
    },
  },
  {
    name: 'dot axes [2,2] and [2,1] (attention built from layers)',
    build: () => {
      const x = tf.input({ shape: [5, 4] });
      const q = L.dense({ units: 3 }).apply(x) as tf.SymbolicTensor;
      const k = L.dense({ units: 3 }).apply(x) as tf.SymbolicTensor;
      const v = L.dense({ units: 4 }).apply(x) as tf.SymbolicTensor;
      const scores = L.dot({ axes: [2, 2] }).apply([q, k]) as tf.SymbolicTensor;
      const weights = L.activation({ activation: 'softmax' }).apply(scores) as tf.SymbolicTensor;
      const ctx = L.dot({ axes: [2, 1] }).apply([weights, v]) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: L.add({}).apply([x, ctx]) as tf.SymbolicTensor });
    },
  },
  {
    name: 'dot axes [1,1] rank 3',
    build: () => {
      const a = tf.input({ shape: [4, 2] });
      const b = tf.input({ shape: [4, 3] });
      return tf.model({ inputs: [a, b], outputs: L.dot({ axes: 1 }).apply([a, b]) as tf.SymbolicTensor });
    },
  },
  {
    name: 'dot normalize (cosine) rank 2',
    build: () => {
      const a = tf.input({ shape: [5] });
      const b = tf.input({ shape: [5] });
      return tf.model({ inputs: [a, b], outputs: L.dot({ axes: -1, normalize: true }).apply([a, b]) as tf.SymbolicTensor });
    },
  },
];

describe('exportOnnx parity with TF.js predict (onnxruntime-node, rtol 1e-4, atol 1e-5)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const model = c.build();
    await expectParity(model, { inputs: c.inputs, weightScale: c.weightScale, seed: 7 });
    model.dispose();
  });
});
