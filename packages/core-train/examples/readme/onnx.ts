// examples/readme/onnx.ts
import * as tf from '@tensorflow/tfjs';
import { OnnxPredictor, exportOnnx } from '../../src/onnx/index.js';

const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    tf.layers.batchNormalization({}),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: 10 }),
  ],
});
// No runtime needed to export: the file is built with protobufjs from onnx.proto (opset 17), NHWC like TF.js.
const info = await exportOnnx(model, 'runs/readme-onnx/model.onnx', { inputNames: ['image'], outputNames: ['logits'] });
console.log(info.inputs[0], info.parameters); // { name: 'image', shape: [ 'batch', 28, 28, 1 ], dtype: 'float32' } 202

// Inference with onnxruntime-node (an optional peer, imported on first load).
const predictor = await OnnxPredictor.load(info.path, { threads: 1 });
const x = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 0);
const { logits } = await predictor.run({ image: x }); // { data: Float32Array, shape: [4, 10] }
const expected = (model.predict(x) as tf.Tensor).dataSync();
console.log(logits!.shape, logits!.data.every((v, i) => Math.abs(v - expected[i]!) < 1e-4)); // [ 4, 10 ] true
await predictor.dispose();
