// Runs before every test file: loads the full TF.js bundle (gradients + chained ops; tfjs-core alone
// registers no gradients) and picks the test backend: LOSSWORKS_TEST_BACKEND = cpu (default) | wasm.
import * as tf from '@tensorflow/tfjs';

const wanted = process.env.LOSSWORKS_TEST_BACKEND ?? 'cpu';
if (wanted === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
if (!(await tf.setBackend(wanted))) throw new Error(`test setup: backend '${wanted}' failed to initialise`);
await tf.ready();
// Silences tfjs's "install tfjs-node" banner, printed on the cpu backend's first tensor. (Setting
// IS_TEST would also silence it, but IS_TEST turns on tfjs's per-kernel leak check, which tfjs-layers'
// fused matmul trips on wasm.)
const cpu = tf.findBackend('cpu');
if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
