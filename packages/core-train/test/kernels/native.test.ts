// core-train's native kernels (native/kernels.cc): the loader (build, cache, every way it can fail,
// each with its reason) and the kernels' maths against float64 JavaScript references.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mulberry32, normals } from '@lossworks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/index.js';
import { onnxNativeStatus } from '../../src/kernels/index.js';
import { loadNativeKernels, NATIVE_BINARY, NATIVE_UNARY, type NativeKernels } from '../../src/kernels/native.js';
import { useBackend } from './helpers.js';

const f32 = (n: number, seed: number) => Float32Array.from(normals(n, mulberry32(seed)));

let k: NativeKernels;
beforeAll(async () => {
  await useBackend('onnx');
  const status = onnxNativeStatus()!;
  // Every machine of this project has g++ and Node's headers (node-gyp's prerequisites); on one
  // without them the backend runs without native kernels and this test names the reason.
  expect(status.reason).toBeNull();
  k = status.kernels!;
});

describe('loading', () => {
  it("selectBackend's onnx attempt says whether the native kernels run", async () => {
    const sel = await selectBackend({ force: 'onnx', threads: 1, env: {} });
    expect(sel.attempts.at(-1)!.reason).toMatch(/^TF\.js backend 'onnx' is active; native kernels loaded$/);
  });

  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lw-native-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('LOSSWORKS_NATIVE=0 turns them off, with the reason', () => {
    const s = loadNativeKernels({ env: { LOSSWORKS_NATIVE: '0' } });
    expect(s.kernels).toBeNull();
    expect(s.reason).toMatch(/LOSSWORKS_NATIVE=0/);
  });

  it('a missing compiler is reported, not thrown', () => {
    const s = loadNativeKernels({ env: { CXX: 'no-such-compiler-lw' }, cacheDirs: [dir] });
    expect(s.kernels).toBeNull();
    expect(s.reason).toMatch(/no C\+\+ compiler 'no-such-compiler-lw'/);
  });

  it('a compiler that fails is reported with its first error line, and leaves no file behind', () => {
    const s = loadNativeKernels({ env: { CXX: 'false' }, cacheDirs: [dir] });
    expect(s.kernels).toBeNull();
    expect(s.reason).toMatch(/compiling .*kernels\.cc with false failed/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('without compiling, a missing build is reported', () => {
    const s = loadNativeKernels({ env: {}, cacheDirs: [dir], compile: false });
    expect(s.kernels).toBeNull();
    expect(s.reason).toMatch(/compiling disabled/);
  });

  it('builds once into the first writable folder, then loads the cached build', () => {
    const elsewhere = path.join(dir, 'no-build-here');
    const blocker = path.join(dir, 'a-file');
    writeFileSync(blocker, '');
    // The first folder cannot be made (its parent is a file): the build goes to the second.
    const first = loadNativeKernels({ env: {}, cacheDirs: [path.join(blocker, 'sub'), dir] });
    expect(first.reason).toBeNull();
    expect(first.compiled).toBe(true);
    expect(path.dirname(first.file!)).toBe(dir);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    rmSync(blocker);
    const again = loadNativeKernels({ env: {}, cacheDirs: [elsewhere, dir] });
    expect(again.compiled).toBe(false);
    expect(again.file).toBe(first.file);
  }, 120_000);
});

/**
 * A convolution's forward output y, input gradient dx (for dy) and filter gradient dw in float64,
 * straight from the definition: y[n, oh, ow, o] = Σ x[n, oh·sH + kh·dH − top, ow·sW + kw·dW − left, c]·w[kh, kw, c, o].
 */
function convRef(g: number[], x: Float32Array, w: Float32Array, dy: Float32Array): { y: Float64Array; dx: Float64Array; dw: Float64Array } {
  const [n, H, W, C, OH, OW, O, KH, KW, sH, sW, dH, dW, top, left] = g as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];
  const y = new Float64Array(n * OH * OW * O);
  const dx = new Float64Array(n * H * W * C);
  const dw = new Float64Array(KH * KW * C * O);
  for (let b = 0; b < n; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++)
          for (let kw = 0; kw < KW; kw++) {
            const ih = oh * sH + kh * dH - top;
            const iw = ow * sW + kw * dW - left;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            for (let c = 0; c < C; c++) {
              const xi = ((b * H + ih) * W + iw) * C + c;
              for (let o = 0; o < O; o++) {
                const wi = ((kh * KW + kw) * C + c) * O + o;
                const yi = ((b * OH + oh) * OW + ow) * O + o;
                y[yi]! += x[xi]! * w[wi]!;
                dx[xi]! += dy[yi]! * w[wi]!;
                dw[wi]! += x[xi]! * dy[yi]!;
              }
            }
          }
  return { y, dx, dw };
}

describe('convolution kernels', () => {
  // [n, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, dH, dW, top, left]: channel counts around the
  // 16/32-lane blocks and the 8-row register block (1, 5, 17, 33, 40), swapped roles (outC < 16 <
  // inC), strides, dilations, paddings that leave rows unread.
  const GRID = [
    [2, 9, 11, 5, 9, 11, 37, 3, 3, 1, 1, 1, 1, 1, 1],
    [3, 10, 9, 33, 4, 3, 1, 3, 2, 2, 3, 2, 1, 0, 1],
    [1, 7, 7, 1, 7, 7, 20, 3, 3, 1, 1, 2, 2, 2, 2],
    [2, 8, 8, 40, 4, 4, 17, 2, 2, 2, 2, 1, 1, 0, 0],
    [4, 12, 12, 32, 12, 12, 32, 3, 3, 1, 1, 4, 4, 4, 4],
    [1, 6, 6, 17, 2, 2, 3, 5, 5, 1, 1, 1, 1, 0, 0],
  ];
  for (const g of GRID) {
    it(`[${g.join(',')}] matches the float64 definition on 1 and 2 threads`, () => {
      const [n, H, W, C, OH, OW, O, KH, KW] = g as [number, number, number, number, number, number, number, number, number];
      const x = f32(n * H * W * C, 1);
      const dy = f32(n * OH * OW * O, 2);
      const ref = convRef(g, x, new Float32Array(KH * KW * C * O), dy).dw;
      let scale = 0;
      for (const v of ref) scale = Math.max(scale, Math.abs(v));
      for (const threads of [1, 2]) {
        const dw = new Float32Array(KH * KW * C * O).fill(Number.NaN); // every element must be written
        k.filterGrad(x, dy, dw, g, threads);
        // float32 sums of up to n·OH·OW products of N(0,1) values: error ~ sqrt(terms)·6e-8·|terms|.
        for (let i = 0; i < ref.length; i++) expect(Math.abs(dw[i]! - ref[i]!)).toBeLessThanOrEqual(1e-5 * scale + 1e-6);
      }
    });
  }

  for (const g of GRID) {
    it(`[${g.join(',')}] convForward (bias, relu) and convInputGrad match the float64 definition`, () => {
      const [n, H, W, C, OH, OW, O, KH, KW] = g as [number, number, number, number, number, number, number, number, number];
      const x = f32(n * H * W * C, 3);
      const w = f32(KH * KW * C * O, 4);
      const bias = f32(O, 5);
      const dy = f32(n * OH * OW * O, 6);
      const { y: yRef, dx: dxRef } = convRef(g, x, w, dy);
      for (let i = 0; i < yRef.length; i++) yRef[i] = Math.max(0, yRef[i]! + bias[i % O]!);
      const close = (got: Float32Array, ref: Float64Array) => {
        let scale = 0;
        for (const v of ref) scale = Math.max(scale, Math.abs(v));
        // float32 sums of up to kH·kW·C products: ~1e-6 of the largest magnitude.
        for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThanOrEqual(1e-5 * scale + 1e-6);
      };
      for (const threads of [1, 2]) {
        const y = new Float32Array(yRef.length).fill(Number.NaN);
        k.convForward(x, w, bias, y, g, 1, 0, threads);
        close(y, yRef);
        const dx = new Float32Array(dxRef.length).fill(Number.NaN);
        k.convInputGrad(dy, w, dx, g, threads);
        close(dx, dxRef);
      }
    });
  }

  it('rejects wrong arguments with typed errors', () => {
    const g = [1, 4, 4, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1];
    expect(() => k.convForward(new Float32Array(32), new Float32Array(54), new Float32Array(2), new Float32Array(48), g, 1, 0, 1)).toThrow(/bias has 2 elements, the geometry needs 3/);
    expect(() => k.convForward(new Float32Array(32), new Float32Array(54), null, new Float32Array(48), g, 9, 0, 1)).toThrow(/unknown activation/);
    expect(() => k.convInputGrad(new Float32Array(48), new Float32Array(54), new Float32Array(31), g, 1)).toThrow(/dx has 31 elements/);
    const x = new Float32Array(32);
    const dy = new Float32Array(48);
    expect(() => k.filterGrad(new Float64Array(32) as unknown as Float32Array, dy, new Float32Array(54), g, 1)).toThrow(TypeError);
    expect(() => k.filterGrad(x, dy, new Float32Array(53), g, 1)).toThrow(/dw has 53 elements, the geometry needs 54/);
    expect(() => (k.filterGrad as unknown as (x: Float32Array) => void)(x)).toThrow(/filterGrad\(x, dy, dw, geometry, threads\) takes 5 arguments/);
    expect(() => k.filterGrad(x, new Float32Array(47), new Float32Array(54), g, 1)).toThrow(RangeError);
    expect(() => k.filterGrad(x, dy, new Float32Array(54), [...g.slice(0, 9), 0, ...g.slice(10)], 1)).toThrow(/positive/);
  });
});

describe('matMul', () => {
  // [M, N, K]: row and column counts around the 8-row and 32-column blocks, K across the 256 chunk.
  const SHAPES = [
    [13, 37, 5],
    [8, 32, 64],
    [33, 70, 300],
    [1, 1, 1],
    [17, 65, 520],
  ];
  for (const [M, N, K] of SHAPES as Array<[number, number, number]>) {
    it(`${M}x${K} · ${K}x${N}, both transposes, bias and relu, batch 3 with a broadcast side, against float64`, () => {
      for (const ta of [0, 1])
        for (const tb of [0, 1]) {
          const batch = 3;
          const a = f32(batch * M * K, 7 + ta);
          const b = f32(K * N, 9 + tb); // one b for every batch entry (stride 0)
          const bias = f32(N, 11);
          const c = new Float32Array(batch * M * N).fill(Number.NaN);
          k.matMul(a, b, bias, c, [batch, M * K, 0, M, N, K, ta, tb], 1, 0, 2);
          for (let q = 0; q < batch; q++)
            for (let i = 0; i < M; i++)
              for (let j = 0; j < N; j++) {
                let sum = bias[j]!;
                let mag = Math.abs(sum);
                for (let p = 0; p < K; p++) {
                  const av = ta ? a[q * M * K + p * M + i]! : a[q * M * K + i * K + p]!;
                  const bv = tb ? b[j * K + p]! : b[p * N + j]!;
                  sum += av * bv;
                  mag += Math.abs(av * bv);
                }
                // float32 sums of K products: error ≤ K·6e-8 of the summed magnitudes.
                expect(Math.abs(c[q * M * N + i * N + j]! - Math.max(0, sum))).toBeLessThanOrEqual(K * 6e-8 * mag + 1e-6);
              }
        }
    });
  }
});

describe('transpose and fmaPeak', () => {
  it('every permutation of a [2, 3, 4, 5] tensor, and a rank-1 copy', () => {
    const shape = [2, 3, 4, 5];
    const x = f32(120, 13);
    const perms: number[][] = [];
    const permute = (rest: number[], acc: number[]) => (rest.length === 0 ? perms.push(acc) : rest.forEach((r, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, r])));
    permute([0, 1, 2, 3], []);
    expect(perms).toHaveLength(24);
    const strides = [60, 20, 5, 1];
    for (const perm of perms) {
      const out = new Float32Array(120).fill(Number.NaN);
      k.transpose(out, x, shape, perm, 2);
      const os = perm.map((p) => shape[p]!);
      let o = 0;
      for (let a = 0; a < os[0]!; a++)
        for (let b = 0; b < os[1]!; b++)
          for (let c = 0; c < os[2]!; c++)
            for (let d = 0; d < os[3]!; d++) {
              const idx = [a, b, c, d];
              let src = 0;
              perm.forEach((p, i) => (src += idx[i]! * strides[p]!));
              expect(out[o++], `perm ${perm}`).toBe(x[src]);
            }
    }
    const out = new Float32Array(120);
    k.transpose(out, x, [120], [0], 1);
    expect(out).toEqual(x);
    expect(() => k.transpose(out, x, [2, 60], [0, 0], 1)).toThrow(/permutation/);
  });

  it('measures a positive multiply-add peak on 1 and 2 threads', () => {
    const sink = new Float32Array(2);
    const one = k.fmaPeak(200_000, 1, sink);
    const two = k.fmaPeak(200_000, 2, sink);
    expect(one).toBeGreaterThan(1);
    expect(Number.isFinite(two)).toBe(true);
    expect(Number.isFinite(sink[0]!)).toBe(true);
  });
});

describe('elementwise', () => {
  const n = 1000;
  const x = Float32Array.from({ length: n }, (_, i) => (i - 500) / 25); // −20 … 20, through 0
  const run = (name: string, alpha = 0) => {
    const out = new Float32Array(n + 3).subarray(0, n); // tail lengths that are not a multiple of 16
    k.unary(NATIVE_UNARY[name]!, out, x, alpha, 1);
    return out;
  };
  const REF: Record<string, (v: number) => number> = {
    Exp: Math.exp,
    Tanh: Math.tanh,
    Sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    Elu: (v) => (v < 0 ? Math.expm1(v) : v),
  };
  for (const [name, ref] of Object.entries(REF)) {
    it(`${name} within 4e-7 relative (+1e-7 absolute for Elu's e^x − 1) of float64`, () => {
      const out = run(name);
      // Cephes' float32 polynomials: ~2 float32 ulps (1.2e-7 each).
      for (let i = 0; i < n; i++) {
        const e = ref(x[i]!);
        expect(Math.abs(out[i]! - e)).toBeLessThanOrEqual(4e-7 * Math.abs(e) + (name === 'Elu' ? 1e-7 : 0));
      }
    });
  }

  it('odd tail lengths, NaN and infinities', () => {
    const v = Float32Array.from([Number.NaN, Infinity, -Infinity, 0, -0, 100, -100]);
    const o = new Float32Array(v.length);
    k.unary(NATIVE_UNARY.Exp!, o, v, 0, 1);
    expect(Array.from(o)).toEqual([Number.NaN, Infinity, 0, 1, 1, Infinity, 0]);
    k.unary(NATIVE_UNARY.Tanh!, o, v, 0, 1);
    expect(Array.from(o)).toEqual([Number.NaN, 1, -1, 0, -0, 1, -1]); // the sign of −0 kept
    k.unary(NATIVE_UNARY.Sigmoid!, o, v, 0, 1);
    expect(Array.from(o)).toEqual([Number.NaN, 1, 0, 0.5, 0.5, 1, 0]);
  });

  it('binary ops with strides equal the JavaScript arithmetic bit for bit', () => {
    const a = f32(6 * 5 * 4, 3);
    const b = f32(5, 4);
    const out = new Float32Array(120);
    // a [6, 5, 4] ∘ b broadcast over dims 0 and 2 ([1, 5, 1]).
    const cases: Array<[keyof typeof NATIVE_BINARY, (p: number, q: number) => number]> = [
      ['add', (p, q) => p + q],
      ['sub', (p, q) => p - q],
      ['mul', (p, q) => p * q],
      ['div', (p, q) => p / q],
      ['sqdiff', (p, q) => Math.fround(p - q) * Math.fround(p - q)],
      ['max', Math.max],
      ['reluGrad', (p, q) => (q > 0 ? p : p * 0)],
      ['tanhGrad', (p, q) => Math.fround(1 - Math.fround(q * q)) * p],
    ];
    for (const [op, f] of cases) {
      k.binary(NATIVE_BINARY[op], out, a, b, [6, 5, 4], [20, 4, 1], [0, 1, 0], 2);
      for (let i = 0; i < 6; i++)
        for (let j = 0; j < 5; j++)
          for (let m = 0; m < 4; m++) {
            const idx = i * 20 + j * 4 + m;
            expect(out[idx], `${op} at ${idx}`).toBe(Math.fround(f(a[idx]!, b[j]!)));
          }
    }
  });

  it('rejects strides that reach past an input', () => {
    const a = new Float32Array(10);
    expect(() => k.binary(0, new Float32Array(20), a, a, [1, 2, 10], [0, 10, 1], [0, 0, 1], 1)).toThrow(/reach past/);
    expect(() => k.binary(99, new Float32Array(10), a, a, [1, 1, 10], [0, 0, 1], [0, 0, 1], 1)).toThrow(/unknown binary/);
    expect(() => k.unary(0, new Float32Array(9), a, 0, 1)).toThrow(/lengths differ/);
  });
});
