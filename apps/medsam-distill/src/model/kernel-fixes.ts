// Workaround for core-train's 'onnx' backend (28ba78b): its fast elementwise kernels read a float32
// tensor's values as a Float32Array, but TF.js's cpu Cast kernel turns bool or int32 into float32 by
// sharing the source's Uint8Array / Int32Array. A large product of such a cast (a hard mask) then fails
// in ONNX Runtime ("Tensor.data must be a typed array (9) for int64 tensors, but got typed array (1)").
// This registers, for that backend only, a Cast that copies into a real Float32Array.
import * as tf from '@tensorflow/tfjs';

const ONNX_BACKEND = 'onnx';
let installed = false;

/** Installs the Cast fix on the 'onnx' backend once (no-op when that backend is not registered). */
export function installCastFix(): void {
  if (installed || !tf.findBackendFactory(ONNX_BACKEND)) return;
  const original = tf.getKernel('Cast', ONNX_BACKEND);
  if (!original) return;
  installed = true;
  tf.unregisterKernel('Cast', ONNX_BACKEND);
  tf.registerKernel({
    kernelName: 'Cast',
    backendName: ONNX_BACKEND,
    kernelFunc: ((args: { inputs: { x: tf.TensorInfo }; attrs: { dtype: tf.DataType }; backend: unknown }) => {
      const { x } = args.inputs;
      if (args.attrs.dtype === 'float32' && (x.dtype === 'bool' || x.dtype === 'int32')) {
        const backend = args.backend as { data: { get(id: unknown): { values: ArrayLike<number> } }; makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo };
        return backend.makeTensorInfo([...x.shape], 'float32', Float32Array.from(backend.data.get(x.dataId).values));
      }
      return (original.kernelFunc as (a: unknown) => tf.TensorInfo)(args);
    }) as unknown as tf.KernelFunc,
  });
}
