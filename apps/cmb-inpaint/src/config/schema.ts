// The JSON config of a cmb-inpaint run (configs/*.json). `config.schema.json` at the app root is
// generated from this schema (scripts/write-schema.ts) and kept current by a snapshot test.
import { z } from 'zod';

const nonNegative = z.number().min(0);

/** A path relative to the config file, or `shared:<set>/<file>` inside the shared data folder (../shared/data). */
const dataPath = z
  .string()
  .min(1)
  .describe("A path relative to the config file, or 'shared:<set>/<file>' for a file of the shared data folder (../shared/data beside the workspace, or $LOSSWORKS_SHARED_DATA).");

/** `spectrum`: the TT spectrum file (or the analytic one). */
export const spectrumSchema = z
  .object({
    file: dataPath.optional().describe('Spectrum text file in Planck (L TT TE EE …) or CAMB (ell TT EE BB TE) layout; omitted: the embedded analytic ΛCDM-like spectrum.'),
    units: z.enum(['dl', 'cl']).default('dl').describe("'dl': the TT column is D_ℓ = ℓ(ℓ+1)C_ℓ/2π in μK² (both formats' convention); 'cl': plain C_ℓ."),
  })
  .strict();

/** `sky`: beam and white noise of the simulated skies. */
export const skySchema = z
  .object({
    fwhmArcmin: nonNegative.default(0).describe('Gaussian beam FWHM in arcminutes applied to every simulated sky (0: none).'),
    noise: nonNegative.default(0).describe('White-noise σ per pixel, μK, added to the observed maps (the truth stays noise-free).'),
  })
  .strict();

/** `mask`: the product of a galactic cut, point-source holes and a FITS mask (at least one). */
export const maskSchema = z
  .object({
    galactic: z
      .object({
        b0: z.number().min(0).lt(90).describe('Half-width of the cut: |b| < b0 degrees is masked.'),
        apodization: nonNegative.default(0).describe('Cosine taper width outside the cut, degrees.'),
      })
      .strict()
      .optional(),
    pointSources: z
      .object({
        count: z.number().int().min(0),
        radius: z.number().positive().describe('Hole radius, degrees.'),
        apodization: nonNegative.default(0).describe('Cosine taper width outside each hole, degrees.'),
        seed: z.number().int().default(0).describe('Seed of the (uniform) hole positions.'),
      })
      .strict()
      .optional(),
    file: z
      .object({
        path: dataPath.describe('HEALPix FITS mask (0 masked … 1 observed), any nside and ordering; changed to the working nside.'),
        field: z.union([z.number().int().min(0), z.string()]).default(0).describe('Column index or name.'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((m) => m.galactic !== undefined || m.pointSources !== undefined || m.file !== undefined, {
    message: 'give at least one of galactic, pointSources or file',
  });

/** `data`: how many skies each split simulates, and their seed. */
export const dataSchema = z
  .object({
    train: z.number().int().min(1).describe('Simulated training skies.'),
    val: z.number().int().min(0).default(0).describe('Validation skies (validation loss during training).'),
    test: z.number().int().min(1).describe('Test skies (eval).'),
    seed: z.number().int().default(0).describe('Seed of the simulations.'),
  })
  .strict();

/** `model`: the network's architecture. */
export const modelSchema = z
  .object({
    channels: z.number().int().min(2).multipleOf(2).default(16).describe('Feature channels C at full resolution (2C at half resolution).'),
    pad: z.number().int().min(0).default(8).describe('Pixels of neighbouring faces padded around each face.'),
    rates: z.array(z.number().int().min(1)).min(1).default([1, 2, 4, 8]).describe('Dilation rates of the parallel branches.'),
    prefill: z
      .enum(['none', 'diffusion'])
      .default('diffusion')
      .describe("What the hole holds in the network's input: 'none' (0) or 'diffusion' (the diffusion baseline's fill, which the network then corrects: its output is that fill plus a learned residual)."),
  })
  .strict();

/** TF.js backends a config may name ('auto': selectBackend's choice). */
export const BACKENDS = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'onnx', 'wasm', 'cpu'] as const;

/** `train`: loss, optimisation and batches. */
export const trainSchema = z
  .object({
    alpha: z.number().min(0).max(1).default(0.84).describe('Loss α(1 − SSIM) + (1 − α)·MSE.'),
    ssimDataRange: z.number().positive().default(8).describe("SSIM's data range R on the normalised maps (map / sky rms)."),
    steps: z.number().int().min(1).describe('Optimizer steps.'),
    batchSize: z.number().int().min(1).default(16),
    lr: z.number().positive().default(2e-3).describe('Adam learning rate (peak of a warmup-cosine schedule).'),
    warmupSteps: z.number().int().min(0).default(10),
    augment: z
      .boolean()
      .default(false)
      .describe('Random flips/transposes of each face (the 8 symmetries of the square); off by default: with one fixed mask, each face always shows the same hole geometry.'),
    crop: z
      .number()
      .int()
      .min(0)
      .multipleOf(2)
      .default(0)
      .describe('Train on crop × crop squares of the faces centred on unobserved pixels (plus model.pad of context); 0: whole faces. Inference always uses whole faces.'),
    stepsPerEpoch: z.number().int().min(1).default(50).describe('Steps between validation runs and progress lines.'),
    seed: z.number().int().default(0).describe('Seed of initialisation and batch order.'),
    backend: z.enum(BACKENDS).default('auto').describe("TF.js backend; 'auto' lets selectBackend() pick the fastest that loads (LOSSWORKS_BACKEND overrides)."),
  })
  .strict();

/** `eval`: baselines' solver settings, the spectrum comparison and the α ablation. */
export const evalSchema = z
  .object({
    wiener: z
      .object({
        noise: z.number().positive().optional().describe('Noise σ per pixel (μK) assumed by the Wiener filter; default sky.noise, or 1 μK for noise-free skies.'),
        tol: z.number().positive().default(1e-6).describe('CG stop: relative residual.'),
        maxIter: z.number().int().min(1).default(500),
      })
      .strict()
      .default({ tol: 1e-6, maxIter: 500 }),
    diffusion: z
      .object({
        maxIter: z.number().int().min(1).default(5000),
        tol: z.number().positive().default(1e-5),
        omega: z.number().gt(0).lt(2).default(1.8).describe('Over-relaxation of the Gauss–Seidel sweeps.'),
      })
      .strict()
      .default({ maxIter: 5000, tol: 1e-5, omega: 1.8 }),
    lmin: z.number().int().min(0).default(2).describe('Smallest ℓ of the spectrum comparison.'),
    lmax: z.number().int().min(1).optional().describe('Largest ℓ of the spectrum comparison; default 2·nside.'),
    binWidth: z.number().int().min(1).default(1).describe('ℓ per bin; band half-width C_b·√(2/Σ(2ℓ+1)) (per ℓ: √(2/(2ℓ+1))·C_ℓ).'),
    ablation: z
      .object({
        alphas: z.array(z.number().min(0).max(1)).min(1).default([0, 0.5, 0.84, 1]),
        steps: z.number().int().min(1).describe('Training steps of each ablation model.'),
      })
      .strict()
      .optional()
      .describe('α ablation: one model per α trained with the same data, seed and steps, all evaluated on the test skies.'),
  })
  .strict();

/** A whole run config (configs/*.json). */
export const configSchema = z
  .object({
    name: z.string().min(1).describe('Run name; outputs go to runs/<name> unless --out is given.'),
    nside: z.number().int().min(16).max(256).refine((n) => (n & (n - 1)) === 0, 'must be a power of two').describe('Working HEALPix nside (faces are nside × nside).'),
    spectrum: spectrumSchema.default({ units: 'dl' }),
    sky: skySchema.default({ fwhmArcmin: 0, noise: 0 }),
    mask: maskSchema,
    data: dataSchema,
    model: modelSchema.default({ channels: 16, pad: 8, rates: [1, 2, 4, 8], prefill: 'diffusion' }),
    train: trainSchema,
    eval: evalSchema.default({
      wiener: { tol: 1e-6, maxIter: 500 },
      diffusion: { maxIter: 5000, tol: 1e-5, omega: 1.8 },
      lmin: 2,
      binWidth: 1,
    }),
  })
  .strict();

/** A validated run config (defaults filled in). */
export type Config = z.infer<typeof configSchema>;
/** The config as written in a file (defaults optional). */
export type ConfigInput = z.input<typeof configSchema>;
