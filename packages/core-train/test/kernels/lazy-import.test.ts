// Importing core-train (and selecting a backend other than onnx) never loads onnxruntime-node.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

it('loads onnxruntime-node only when the onnx backend is selected (which then flushes denormals)', () => {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const ortLoaded = () => Object.keys(require('node:module')._cache).some((k) => k.includes('onnxruntime'));
    const core = await import('./src/index.ts');
    const afterImport = ortLoaded();
    await core.selectBackend({ order: ['cpu'], env: {} });
    const afterCpu = ortLoaded();
    const tiny = new Float32Array([1e-39]); // a float32 denormal
    const denormalBefore = tiny[0] > 0;
    await core.selectBackend({ force: 'onnx', env: {} });
    // The documented side effect of the default flushDenormals: with DAZ on the main thread, loading
    // a float32 denormal into JavaScript gives 0.
    const denormalAfter = tiny[0] > 0;
    console.log(JSON.stringify({ afterImport, afterCpu, afterOnnx: ortLoaded(), denormalBefore, denormalAfter }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: pkg, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ afterImport: false, afterCpu: false, afterOnnx: true, denormalBefore: true, denormalAfter: false });
});
