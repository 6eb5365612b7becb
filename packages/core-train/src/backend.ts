import * as tf from '@tensorflow/tfjs';
import { BackendError } from './errors.js';
import { installKernelsAndGradients } from './kernels/gradients.js';

/**
 * The tensor backends lossworks can run on, fastest first:
 * - `tfjs-node-gpu` / `tfjs-node`: TensorFlow's native library (only where its installer could download it);
 * - `onnx`: the cpu backend with its heavy kernels run by ONNX Runtime (core-train's fast kernels);
 * - `wasm`: TF.js's WebAssembly backend (SIMD, one thread in Node);
 * - `cpu`: TF.js's plain JavaScript kernels, always available.
 */
export type BackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'onnx' | 'wasm' | 'cpu';

/** The order {@link selectBackend} tries by default. */
export const BACKEND_ORDER: readonly BackendName[] = ['tfjs-node-gpu', 'tfjs-node', 'onnx', 'wasm', 'cpu'];

/** One backend that was tried, and why it was or was not used. */
export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it was skipped (the loader's error), or what runs when it was chosen. */
  reason: string;
  ms: number;
}

/** The outcome of {@link selectBackend}. */
export interface BackendSelection {
  /** The backend that runs. */
  name: BackendName;
  /** The TF.js backend name now active (`tf.getBackend()`). */
  tfBackend: string;
  /** Whether LOSSWORKS_BACKEND or `force` chose it. */
  forced: boolean;
  /** Every backend tried, in order, the chosen one last. */
  attempts: BackendAttempt[];
}

/** Loads a module by specifier; replaceable so tests can simulate missing or broken packages. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Use exactly this backend; throws BackendError if it cannot load. Default: `LOSSWORKS_BACKEND`. */
  force?: BackendName;
  /** Order of preference. Default {@link BACKEND_ORDER}. */
  order?: readonly BackendName[];
  /** Threads for backends that take a count (the onnx backend's ONNX Runtime intra-op threads). Default: one per core. */
  threads?: number;
  /** Environment to read `LOSSWORKS_BACKEND` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Module loader. Default: dynamic `import()`. */
  importer?: ModuleImporter;
}

interface Candidate {
  load: (ctx: { importer: ModuleImporter; threads?: number; env?: Record<string, string | undefined> }) => Promise<string>;
  /** What to add to the attempt's reason once loaded (the onnx backend: whether its native kernels run). */
  note?: () => Promise<string | undefined>;
}

/** Loaders that replace a candidate's built-in one (see {@link registerBackendLoader}). */
const extraLoaders = new Map<BackendName, Candidate['load']>();

/**
 * Replaces how {@link selectBackend} loads `name` (e.g. an alternative accelerated backend for 'onnx',
 * whose built-in loader is core-train's ONNX Runtime kernels). The loader must activate the backend
 * and return its TF.js name.
 */
export function registerBackendLoader(name: BackendName, load: Candidate['load']): void {
  extraLoaders.set(name, load);
}

async function activate(tfName: string): Promise<string> {
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tf.setBackend('${tfName}') returned false (the backend failed to initialise)`);
  await tf.ready();
  // The cpu backend prints an "install tfjs-node" banner on its first tensor in Node; the selection
  // result already says which backends were skipped and why, so the banner is switched off.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
  // Gradients of dilated convolutions and the kernels training needs that this backend lacks.
  installKernelsAndGradients();
  return tfName;
}

/**
 * Imports a tfjs-node flavour. Both register their kernels for 'tensorflow' before they load the native
 * addon, so after tfjs-node-gpu fails, tfjs-node re-registers every kernel and tfjs warns once per
 * kernel; the warnings say nothing useful here and are muted for the duration of the import.
 */
async function importNative(importer: ModuleImporter, specifier: string): Promise<string> {
  const prod = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  try {
    await importer(specifier);
  } finally {
    tf.env().set('PROD', prod);
  }
  return activate('tensorflow');
}

const CANDIDATES: Record<BackendName, Candidate> = {
  // Importing either registers the 'tensorflow' backend; it throws when the native addon is absent.
  'tfjs-node-gpu': { load: async ({ importer }) => importNative(importer, '@tensorflow/tfjs-node-gpu') },
  'tfjs-node': { load: async ({ importer }) => importNative(importer, '@tensorflow/tfjs-node') },
  onnx: {
    load: async (ctx) => {
      const load = extraLoaders.get('onnx');
      if (load) return load(ctx);
      // Loaded on demand: importing core-train never loads onnxruntime-node.
      const { loadOnnxBackend } = await import('./kernels/index.js');
      return activate(await loadOnnxBackend({ importer: ctx.importer, threads: ctx.threads, env: ctx.env }));
    },
    note: async () => {
      if (extraLoaders.has('onnx')) return undefined;
      const { onnxNativeStatus } = await import('./kernels/index.js');
      const native = onnxNativeStatus();
      return native?.kernels ? 'native kernels loaded' : `native kernels off: ${native?.reason ?? 'not loaded'}`;
    },
  },
  wasm: {
    load: async ({ importer }) => {
      await importer('@tensorflow/tfjs-backend-wasm');
      return activate('wasm');
    },
  },
  cpu: { load: async () => activate('cpu') },
};

function isBackendName(x: string): x is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(x);
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n').find((l) => l.trim().length > 0) ?? msg).trim();
}

/**
 * Picks the fastest tensor backend that loads, in {@link BACKEND_ORDER}, and activates it in TF.js.
 * A package that is absent, or present without its native library, is skipped with the reason
 * recorded. `LOSSWORKS_BACKEND=<name>` (or `force`) uses exactly that backend and throws BackendError,
 * listing every attempt, if it cannot load.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const env = options.env ?? process.env;
  const importer = options.importer ?? ((s: string) => import(s));
  const forcedRaw = options.force ?? (env.LOSSWORKS_BACKEND?.trim() || undefined);
  if (forcedRaw !== undefined && !isBackendName(forcedRaw)) {
    throw new BackendError(`selectBackend: LOSSWORKS_BACKEND must be one of ${BACKEND_ORDER.join(', ')}. Value: ${forcedRaw}.`);
  }
  const order = forcedRaw ? [forcedRaw] : (options.order ?? BACKEND_ORDER);
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    const t0 = performance.now();
    try {
      const tfBackend = await CANDIDATES[name].load({ importer, threads: options.threads, env });
      const note = await CANDIDATES[name].note?.();
      attempts.push({ name, ok: true, reason: `TF.js backend '${tfBackend}' is active${note ? `; ${note}` : ''}`, ms: performance.now() - t0 });
      return { name, tfBackend, forced: forcedRaw !== undefined, attempts };
    } catch (err) {
      attempts.push({ name, ok: false, reason: firstLine(err), ms: performance.now() - t0 });
    }
  }
  const list = attempts.map((a) => `  ${a.name}: ${a.reason}`).join('\n');
  throw new BackendError(
    forcedRaw
      ? `selectBackend: LOSSWORKS_BACKEND=${forcedRaw} could not be loaded:\n${list}`
      : `selectBackend: no backend could be loaded:\n${list}`,
  );
}

/** One line per attempt, for logs: "onnx: skipped (...)", "wasm: selected (...)". */
export function describeSelection(sel: BackendSelection): string {
  return sel.attempts.map((a) => `${a.name}: ${a.ok ? 'selected' : 'skipped'} (${a.reason})`).join('\n');
}
