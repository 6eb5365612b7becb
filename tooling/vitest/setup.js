// Runs before every test file: loads the full TF.js bundle (gradients + chained ops; tfjs-core alone
// registers no gradients) and picks the test backend: LOSSWORKS_TEST_BACKEND = cpu (default) | wasm.
import * as tf from '@tensorflow/tfjs';

const wanted = process.env.LOSSWORKS_TEST_BACKEND ?? 'cpu';
if (wanted === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
if (!(await tf.setBackend(wanted))) throw new Error(`test setup: backend '${wanted}' failed to initialise`);
await tf.ready();
// Silences tfjs's "install tfjs-node" banner (printed through backend_util.warn unless IS_TEST).
tf.env().set('IS_TEST', true);
