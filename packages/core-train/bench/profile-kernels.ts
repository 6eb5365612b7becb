// Where a train step's time goes on one TF.js backend: every kernel of the backend is wrapped with a
// timer, one workload of bench/kernels-workloads.ts runs a few steps, and the kernels are listed by
// total time (calls, ms, µs per call), with the step time not spent inside any kernel (the TF.js
// engine: tape, tidy, dispose, gradient bookkeeping) on the last line.
//
//   pnpm --filter @lossworks/core-train exec tsx bench/profile-kernels.ts convnet [--backend onnx] [--steps 5] [--threads 1]
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../src/index.js';
import { WORKLOADS, type WorkloadName } from './kernels-workloads.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const workload = (argv.find((a, i) => !a.startsWith('--') && (i === 0 || !argv[i - 1]!.startsWith('--'))) ?? 'convnet') as WorkloadName;
const backend = opt('--backend', 'onnx') as BackendName;
const steps = Number(opt('--steps', '5'));
const threads = Number(opt('--threads', '1'));

await selectBackend({ force: backend, threads, env: {} });
tf.env().set('PROD', true);
const tfName = tf.getBackend();

// --cpu: process CPU time instead of wall-clock time (with one ONNX Runtime thread the kernels run on
// the main thread, so CPU time is the work done, whatever else the machine runs meanwhile).
const useCpu = argv.includes('--cpu');
const clock = (): number => {
  if (!useCpu) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const stats = new Map<string, { calls: number; ms: number }>();
let depth = 0;
let recording = false;
for (const k of tf.getKernelsForBackend(tfName)) {
  const inner = k.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    if (!recording || depth > 0) return inner(args);
    depth++;
    const t = clock();
    try {
      return inner(args);
    } finally {
      const ms = clock() - t;
      depth--;
      const shapes = Object.values(args.inputs)
        .map((x) => (x as tf.TensorInfo | undefined)?.shape.join('x') ?? '-')
        .join(',');
      const key = argv.includes('--shapes') ? `${k.kernelName}(${shapes})` : k.kernelName;
      const s = stats.get(key) ?? { calls: 0, ms: 0 };
      s.calls++;
      s.ms += ms;
      stats.set(key, s);
    }
  };
  tf.unregisterKernel(k.kernelName, tfName);
  tf.registerKernel({ ...k, kernelFunc });
}

const w = WORKLOADS[workload]();
w.step();
w.step();
recording = true;
const t0 = clock();
for (let i = 0; i < steps; i++) w.step();
const total = (clock() - t0) / steps;
recording = false;
w.dispose();

const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
let inKernels = 0;
const lines = [`${workload} on ${tfName} (${threads} thread): ${total.toFixed(1)} ms per step (${useCpu ? 'CPU time' : 'wall-clock'})`];
for (const [name, s] of rows) {
  inKernels += s.ms / steps;
  if (s.ms / steps < 0.05 * (argv.includes('--all') ? 0 : 1)) continue;
  lines.push(`${(s.ms / steps).toFixed(2).padStart(9)} ms ${String(s.calls / steps).padStart(7)} calls ${((s.ms / s.calls) * 1000).toFixed(1).padStart(9)} µs  ${name}`);
}
lines.push(`${(total - inKernels).toFixed(2).padStart(9)} ms outside kernels (engine, tape, JS)`);
process.stdout.write(`${lines.join('\n')}\n`);
