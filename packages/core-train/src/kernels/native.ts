// core-train's native CPU kernels (native/kernels.cc): compiled once per machine with the system's
// C++ compiler against Node's own headers, cached, and loaded as a Node-API addon. Optional: where
// there is no compiler, no headers, or LOSSWORKS_NATIVE=0, the 'onnx' backend runs the same kernels in
// ONNX Runtime and JavaScript, and says why.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions native/kernels.cc exports (all synchronous; outputs written into `out`/`dw`). */
export interface NativeKernels {
  /** Version of the addon's calling convention; {@link NATIVE_ABI} when it matches this module. */
  abiVersion: number;
  /**
   * Conv2D filter gradient: x [n, inH, inW, inC] and dy [n, outH, outW, outC] (NHWC) into dw
   * [kH, kW, inC, outC]. `geo` = [n, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, dH, dW, top, left].
   */
  filterGrad(x: Float32Array, dy: Float32Array, dw: Float32Array, geo: readonly number[], threads: number): void;
  /**
   * Conv2D forward, y = act(conv(x, w) + bias) in NHWC/HWIO (`act`: 0 linear, 1 relu, 2 relu6,
   * 3 leakyrelu with `alpha`, 4 elu, 5 sigmoid); `bias` may be null.
   */
  convForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, geo: readonly number[], act: number, alpha: number, threads: number): void;
  /** Conv2D input gradient: dy (NHWC) and w (HWIO) into dx [n, inH, inW, inC]. */
  convInputGrad(dy: Float32Array, w: Float32Array, dx: Float32Array, geo: readonly number[], threads: number): void;
  /**
   * c[b] = act(op(a[b]) · op(b[b]) + bias) with dims = [batch, strideA, strideB, M, N, K, transposeA,
   * transposeB] (a stride of 0 broadcasts that operand); `act` as convForward; `bias` [N] or null.
   */
  matMul(a: Float32Array, b: Float32Array, bias: Float32Array | null, c: Float32Array, dims: readonly number[], act: number, alpha: number, threads: number): void;
  /** out = x (of `shape`) with its dims permuted by `perm` (rank ≤ 8). */
  transpose(out: Float32Array, x: Float32Array, shape: readonly number[], perm: readonly number[], threads: number): void;
  /** The CPU's measured fp32 multiply-add peak in GFLOP/s on `threads` threads (`sink`: `threads` floats). */
  fmaPeak(iterations: number, threads: number, sink: Float32Array): number;
  /** One Adam step (see adamJs in kernels-optim.ts; bit-for-bit the same values): k = its 9 constants. */
  adam(p: Float32Array, g: Float32Array, m0: Float32Array, v0: Float32Array, k: Float32Array, mode: number, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, threads: number): void;
  /**
   * Sends the native thread pool's workers, which poll for work for a few milliseconds after each
   * task, to sleep at once: called before ONNX Runtime runs a multi-threaded graph, whose own
   * threads need the cores.
   */
  park(): void;
  /** Wakes the pool's sleeping workers to poll again (called after a multi-threaded ONNX Runtime graph). */
  wake(): void;
  /** Softmax gradient from its output over rows of `d`: out = dy·y − (Σ_row dy·y)·y. */
  softmaxGrad(out: Float32Array, dy: Float32Array, y: Float32Array, d: number, threads: number): void;
  /** out[o, k] = reduce over m of x[o, m, k] (`op`: 0 sum, 1 mean, 2 max, 3 min; NaN wins max/min). */
  reduce(op: number, out: Float32Array, x: Float32Array, outer: number, mid: number, inner: number, threads: number): void;
  /** out[i, k, j] = a[i·sa0 + k·sa1 + j·sa2] ∘ b[i·sb0 + k·sb1 + j·sb2] over dims [d0, d1, d2] ({@link NATIVE_BINARY}). */
  binary(op: number, out: Float32Array, a: Float32Array, b: Float32Array, dims: readonly number[], sa: readonly number[], sb: readonly number[], threads: number): void;
  /** out[i] = f(x[i]) ({@link NATIVE_UNARY}; `alpha` for Step and LeakyRelu). */
  unary(op: number, out: Float32Array, x: Float32Array, alpha: number, threads: number): void;
}

/** The calling convention this module expects (native/kernels.cc sets `abiVersion`). */
export const NATIVE_ABI = 10;

/** Binary op codes of the addon (enum Binary in kernels.cc). Gradients take (dy, x or y). */
export const NATIVE_BINARY = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, sqdiff: 6, reluGrad: 7, sigmoidGrad: 8, tanhGrad: 9, first: 10 } as const;

/** Unary op codes of the addon (enum Unary in kernels.cc), by TF.js kernel name. */
export const NATIVE_UNARY: Readonly<Record<string, number>> = {
  Relu: 0,
  Relu6: 1,
  Sigmoid: 2,
  Tanh: 3,
  Exp: 4,
  Sqrt: 5,
  Rsqrt: 6,
  Square: 7,
  Neg: 8,
  Abs: 9,
  Reciprocal: 10,
  Step: 11,
  LeakyRelu: 12,
  Elu: 13,
};

/** Reduction op codes of the addon (enum Reduce in kernels.cc). */
export const NATIVE_REDUCE = { sum: 0, mean: 1, max: 2, min: 3 } as const;

/** Fused-activation codes of convForward and matMul (enum Act in kernels.cc), by TF.js activation name. */
export const NATIVE_ACTIVATION: Readonly<Record<string, number>> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, elu: 4, sigmoid: 5 };

/** What {@link loadNativeKernels} found. */
export interface NativeStatus {
  kernels: NativeKernels | null;
  /** The addon file loaded (or that would have been built). */
  file?: string;
  /** Whether this call compiled it. */
  compiled: boolean;
  /** Why there are no native kernels (null when loaded). */
  reason: string | null;
}

/** Options of {@link loadNativeKernels}. */
export interface LoadNativeOptions {
  /** Environment: LOSSWORKS_NATIVE=0 disables, CXX names the compiler, LOSSWORKS_NATIVE_CACHE the cache folder. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Compile when no cached build exists (default true). */
  compile?: boolean;
  /** Folders to look in and build into, in order (default: LOSSWORKS_NATIVE_CACHE, the package's native/build, ~/.cache/lossworks, the temp folder). */
  cacheDirs?: readonly string[];
}

const SOURCE = fileURLToPath(new URL('../../native/kernels.cc', import.meta.url));
const FLAGS = ['-O3', '-march=native', '-std=c++17', '-shared', '-fPIC', '-pthread', '-fno-math-errno'];

/** The folders that may hold node_api.h, most specific first. */
function includeDirs(env: Record<string, string | undefined>): string[] {
  return [env.LOSSWORKS_NODE_INCLUDE, path.resolve(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'].filter(
    (d): d is string => !!d,
  );
}

/** CPU feature flags (Linux) or model name: a build for one CPU must not load on another (-march=native). */
function cpuSignature(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const flags = /^flags\s*:\s*(.*)$/m.exec(info);
    if (flags) return flags[1]!;
  } catch {
    // not Linux
  }
  return `${os.cpus()[0]?.model ?? 'unknown'} ${os.arch()}`;
}

function defaultCacheDirs(env: Record<string, string | undefined>): string[] {
  return [env.LOSSWORKS_NATIVE_CACHE, fileURLToPath(new URL('../../native/build', import.meta.url)), path.join(os.homedir(), '.cache', 'lossworks'), path.join(os.tmpdir(), 'lossworks-native')].filter(
    (d): d is string => !!d,
  );
}

function loadAddon(file: string): NativeKernels {
  const req = createRequire(import.meta.url);
  const mod = req(file) as NativeKernels;
  if (mod.abiVersion !== NATIVE_ABI) throw new Error(`${file} has calling convention ${String(mod.abiVersion)}, expected ${NATIVE_ABI}`);
  return mod;
}

let cached: NativeStatus | undefined;

/**
 * Loads the native kernels, compiling them first when no build for this source, compiler flags, Node
 * ABI and CPU is cached (a few seconds, once per machine). Never throws: without them `kernels` is
 * null and `reason` says why. The result of the first call with default options is kept.
 */
export function loadNativeKernels(options: LoadNativeOptions = {}): NativeStatus {
  const useCache = options.env === undefined && options.cacheDirs === undefined && options.compile === undefined;
  if (useCache && cached) return cached;
  const status = loadUncached(options);
  if (useCache) cached = status;
  return status;
}

function loadUncached(options: LoadNativeOptions): NativeStatus {
  const env = options.env ?? process.env;
  const flag = env.LOSSWORKS_NATIVE?.trim().toLowerCase();
  if (flag !== undefined && ['0', 'false', 'no', 'off'].includes(flag)) return { kernels: null, compiled: false, reason: 'disabled by LOSSWORKS_NATIVE=0' };
  if (!existsSync(SOURCE)) return { kernels: null, compiled: false, reason: `source ${SOURCE} not found` };
  const source = readFileSync(SOURCE);
  const cxx = env.CXX?.trim() || 'g++';
  const key = createHash('sha256')
    .update(source)
    .update(FLAGS.join(' '))
    .update(cxx)
    .update(`${process.versions.modules} ${process.arch} ${process.platform}`)
    .update(cpuSignature())
    .digest('hex')
    .slice(0, 16);
  const name = `kernels-${key}.node`;
  const dirs = options.cacheDirs ?? defaultCacheDirs(env);
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    try {
      return { kernels: loadAddon(file), file, compiled: false, reason: null };
    } catch (err) {
      return { kernels: null, file, compiled: false, reason: `cannot load ${file}: ${firstLine(err)}` };
    }
  }
  if (options.compile === false) return { kernels: null, compiled: false, reason: `no build ${name} in ${dirs.join(', ')} (compiling disabled)` };
  const include = includeDirs(env).find((d) => existsSync(path.join(d, 'node_api.h')));
  if (!include) return { kernels: null, compiled: false, reason: `node_api.h not found (looked in ${includeDirs(env).join(', ')}; set LOSSWORKS_NODE_INCLUDE)` };
  // The first folder that can be written to gets the build.
  const dir = dirs.find((d) => {
    try {
      mkdirSync(d, { recursive: true });
      accessSync(d, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!dir) return { kernels: null, compiled: false, reason: `none of ${dirs.join(', ')} can be written to (set LOSSWORKS_NATIVE_CACHE)` };
  const file = path.join(dir, name);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    execFileSync(cxx, [...FLAGS, `-I${include}`, SOURCE, '-o', tmp], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 180_000 });
    renameSync(tmp, file); // atomic: a concurrent loader sees the whole file or none
  } catch (err) {
    rmSync(tmp, { force: true });
    if ((err as { code?: string }).code === 'ENOENT') return { kernels: null, compiled: false, reason: `no C++ compiler '${cxx}' (set CXX to one)` };
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return { kernels: null, compiled: false, reason: `compiling ${SOURCE} with ${cxx} failed: ${stderr ? firstLine(stderr) : firstLine(err)}` };
  }
  try {
    return { kernels: loadAddon(file), file, compiled: true, reason: null };
  } catch (err) {
    return { kernels: null, file, compiled: true, reason: `built ${file} but cannot load it: ${firstLine(err)}` };
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n').find((l) => l.trim().length > 0) ?? msg).trim();
}
