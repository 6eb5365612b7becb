// Builds core-train's native kernels (native/kernels.cc) into native/build after `tsc`, so that
// tests and the first run do not compile them. Optional: without a C++ compiler or Node's headers it
// says why and exits 0 (the 'onnx' backend then runs without them).
import { loadNativeKernels } from '../dist/kernels/native.js';

const t0 = performance.now();
const s = loadNativeKernels();
const ms = Math.round(performance.now() - t0);
if (s.kernels) console.log(`core-train native kernels: ${s.compiled ? `built in ${ms} ms` : 'up to date'} (${s.file})`);
else console.warn(`core-train native kernels: not built (${s.reason}); the onnx backend runs without them`);
