import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ORDER, BackendError, describeSelection, selectBackend, type ModuleImporter } from '../src/index.js';

afterEach(async () => {
  await tf.setBackend('cpu');
});

/** An importer that fails for the listed specifiers the way the real packages fail here. */
function fakeImporter(failing: Record<string, string>, seen: string[]): ModuleImporter {
  return async (specifier) => {
    seen.push(specifier);
    if (specifier in failing) throw new Error(failing[specifier]);
    return import(specifier);
  };
}

describe('selectBackend', () => {
  it('tries the backends in order and records why each earlier one was skipped', async () => {
    const seen: string[] = [];
    const importer = fakeImporter(
      {
        '@tensorflow/tfjs-node-gpu': "Cannot find package '@tensorflow/tfjs-node-gpu'",
        '@tensorflow/tfjs-node': 'The Node.js native addon module (tfjs_binding.node) can not be found at path: /x',
        'onnxruntime-node': "Cannot find package 'onnxruntime-node'",
        '@tensorflow/tfjs-backend-wasm': 'wasm file missing',
      },
      seen,
    );
    const sel = await selectBackend({ importer, env: {} });
    expect(BACKEND_ORDER).toEqual(['tfjs-node-gpu', 'tfjs-node', 'onnx', 'wasm', 'cpu']);
    expect(sel.attempts.map((a) => a.name)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'onnx', 'wasm', 'cpu']);
    expect(seen).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', 'onnxruntime-node', '@tensorflow/tfjs-backend-wasm']);
    expect(sel.name).toBe('cpu');
    expect(sel.forced).toBe(false);
    expect(tf.getBackend()).toBe('cpu');
    expect(sel.attempts[1]!.reason).toMatch(/native addon/);
    expect(sel.attempts[2]!.reason).toBe("Cannot find package 'onnxruntime-node'");
    expect(sel.attempts[3]!.reason).toBe('wasm file missing');
    expect(sel.attempts.slice(0, 4).every((a) => !a.ok)).toBe(true);
    expect(describeSelection(sel)).toMatch(/tfjs-node: skipped \(The Node.js native addon/);
    expect(describeSelection(sel)).toMatch(/cpu: selected/);
  });

  it('falls back from the real, unbuilt tfjs-node to the next backend that loads', async () => {
    // In this workspace both native packages are installed with their builds denied in
    // pnpm-workspace.yaml (their installers cannot download libtensorflow): both must be skipped, never fatal.
    const sel = await selectBackend({ env: {}, order: ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] });
    expect(sel.attempts[0]).toMatchObject({ name: 'tfjs-node-gpu', ok: false });
    expect(sel.attempts[0]!.reason).toMatch(/native addon|Cannot find (package|module)/);
    expect(sel.attempts[1]).toMatchObject({ name: 'tfjs-node', ok: false });
    expect(sel.attempts[1]!.reason).toMatch(/native addon/);
    expect(sel.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const y = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync());
    expect(Array.from(y)).toEqual([3, 3, 3, 3]);
  });

  it('picks the onnx backend (ONNX Runtime kernels) before wasm when onnxruntime-node loads', async () => {
    const seen: string[] = [];
    const importer = fakeImporter(
      { '@tensorflow/tfjs-node-gpu': 'absent', '@tensorflow/tfjs-node': 'native addon missing' },
      seen,
    );
    const sel = await selectBackend({ importer, env: {}, threads: 1 });
    expect(sel.name).toBe('onnx');
    expect(sel.tfBackend).toBe('onnx');
    expect(tf.getBackend()).toBe('onnx');
    expect(seen).toContain('onnxruntime-node');
    expect(seen).not.toContain('@tensorflow/tfjs-backend-wasm');
    const y = tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync());
    expect(y[0]).toBe(64);
  });

  it('falls back from onnx with the reason when the ONNX Runtime binding cannot load', async () => {
    const importer = fakeImporter(
      { 'onnxruntime-node/dist/binding.js': 'libonnxruntime.so.1: cannot open shared object file' },
      [],
    );
    const sel = await selectBackend({ importer, env: {}, order: ['onnx', 'cpu'] });
    expect(sel.name).toBe('cpu');
    expect(sel.attempts[0]).toMatchObject({ name: 'onnx', ok: false, reason: 'libonnxruntime.so.1: cannot open shared object file' });
    await expect(selectBackend({ importer, env: { LOSSWORKS_BACKEND: 'onnx' } })).rejects.toThrow(
      /LOSSWORKS_BACKEND=onnx could not be loaded:\n {2}onnx: libonnxruntime/,
    );
  });

  it('uses exactly the backend LOSSWORKS_BACKEND names', async () => {
    const sel = await selectBackend({ env: { LOSSWORKS_BACKEND: 'cpu' } });
    expect(sel).toMatchObject({ name: 'cpu', forced: true, tfBackend: 'cpu' });
    expect(sel.attempts).toHaveLength(1);
  });

  it('throws BackendError listing every attempt when the forced backend cannot load', async () => {
    const importer = fakeImporter({ '@tensorflow/tfjs-node': 'native addon missing' }, []);
    const run = selectBackend({ env: { LOSSWORKS_BACKEND: 'tfjs-node' }, importer });
    await expect(run).rejects.toBeInstanceOf(BackendError);
    await expect(selectBackend({ force: 'tfjs-node', importer })).rejects.toThrow(
      /LOSSWORKS_BACKEND=tfjs-node could not be loaded:\n {2}tfjs-node: native addon missing/,
    );
  });

  it('rejects an unknown LOSSWORKS_BACKEND, naming the known ones', async () => {
    await expect(selectBackend({ env: { LOSSWORKS_BACKEND: 'webgpu' } })).rejects.toThrow(
      /must be one of tfjs-node-gpu, tfjs-node, onnx, wasm, cpu. Value: webgpu/,
    );
  });

  it('throws BackendError when nothing in the order loads', async () => {
    const importer = fakeImporter({ '@tensorflow/tfjs-backend-wasm': 'no wasm' }, []);
    await expect(selectBackend({ env: {}, order: ['wasm'], importer })).rejects.toThrow(/no backend could be loaded:\n {2}wasm: no wasm/);
  });
});
