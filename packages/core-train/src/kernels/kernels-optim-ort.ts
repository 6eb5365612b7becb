// Large Adam steps of the 'onnx' backend as one ONNX graph each: the ops of AdamBase.update (Mul,
// Add, Div, Sqrt, Sub with the same float32 constants), so the values are bit-for-bit those of the
// op-by-op path, in one call instead of a dozen kernels (see ./kernels-optim.ts).
import { ADAM_UPDATE_KERNEL, SGD_UPDATE_KERNEL } from '../optimizers/fused.js';
import { ORT_MIN_ELEMENTS } from './kernels-elementwise.js';
import { adamKernel, sgdKernel, type AdamRunner } from './kernels-optim.js';
import { GraphBuilder } from './graph-builder.js';
import type { KernelFn, OnnxCpuBackend } from './onnx-backend.js';

/** The Adam step over flat [n] tensors: inputs p, g, m, v, constants [9] (adamConstants order); outputs p, m, v. */
function adamGraph(n: number, mode: number): ReturnType<GraphBuilder['build']> {
  const g = new GraphBuilder();
  const p0 = g.input([n]);
  const g0 = g.input([n]);
  const m0 = g.input([n]);
  const v0 = g.input([n]);
  const k = g.input([9]);
  const c = (i: number) => g.reshape(g.slice(k, [i], [i + 1], [0]), []);
  let p = p0;
  let gr = g0;
  if (mode === 1) p = g.op('Mul', [p0, c(8)]);
  else if (mode === 2) gr = g.op('Add', [g0, g.op('Mul', [p0, c(7)])]);
  const m = g.op('Add', [g.op('Mul', [m0, c(0)]), g.op('Mul', [gr, c(2)])]);
  const v = g.op('Add', [g.op('Mul', [v0, c(1)]), g.op('Mul', [g.op('Mul', [gr, gr]), c(3)])]);
  const denom = g.op('Add', [g.op('Div', [g.op('Sqrt', [v]), c(5)]), c(4)]);
  g.output(g.op('Sub', [p, g.op('Mul', [g.op('Div', [m, denom]), c(6)])]), [n]);
  g.output(m, [n]);
  g.output(v, [n]);
  return g.build('adam_update');
}

/**
 * With native kernels every step runs there; without, steps of at least ORT_MIN_ELEMENTS elements run
 * the graph and smaller ones the JavaScript loop.
 */
const runAdamGraph: AdamRunner = (backend, n, mode, inputs, outs) => {
  const native = (backend as Partial<OnnxCpuBackend>).native;
  if (native) {
    // Native kernels: one vectorised pass (measured for 256x1024: ~0.3 ms, the graph 1.7 ms).
    const [p, g, m0, v0, k] = inputs as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
    native.adam(p, g, m0, v0, k, mode, outs[0]!, outs[1]!, outs[2]!, (backend as OnnxCpuBackend).nativeThreads());
    return true;
  }
  const rt = backend.runtime;
  if (!rt || n < ORT_MIN_ELEMENTS) return false;
  const session = rt.session(`adam:${n}:${mode}`, () => adamGraph(n, mode), n);
  rt.run(
    session,
    inputs.map((data, i) => ({ data, dims: i === 4 ? [9] : [n] })),
    outs.map((data) => ({ data, dims: [n] })),
  );
  return true;
};

/** The optimizer-update kernels of the 'onnx' backend. */
export function optimizerKernels(): Record<string, KernelFn> {
  return { [ADAM_UPDATE_KERNEL]: adamKernel(runAdamGraph), [SGD_UPDATE_KERNEL]: sgdKernel() };
}
