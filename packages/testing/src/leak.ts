import * as tf from '@tensorflow/tfjs';

/**
 * Runs `fn` and asserts that `tf.memory().numTensors` is the same before and after (results the callee
 * returns must be disposed inside `fn`). Returns what `fn` returned.
 */
export async function expectNoLeak<T>(fn: () => T | Promise<T>, label = 'call'): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new Error(`${label}: leaked ${after - before} tensor(s) (numTensors ${before} before, ${after} after).`);
  }
  return result;
}
