// The medsam-distill run configuration: one JSON file (configs/*.json) checked by this zod schema;
// `config.schema.json` is generated from it (scripts/write-schema.ts) and snapshot-tested.
import { z } from 'zod';

const posInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();
const positive = z.number().positive();
const weight = z.number().nonnegative();

/** Model sizes (shared by the teacher, the KD student and the scratch student). */
export const modelSchema = z
  .object({
    imageSize: posInt.default(128).describe('Side S of the square input frame in pixels (longest image side resized to S, zero padding).'),
    embedDim: posInt.default(64).describe('Embedding width C: the encoder output channels and the decoder transformer width (a multiple of 8).'),
    gridSize: posInt.default(16).describe('Embedding grid side h = w; imageSize / gridSize is the encoder stride (a power of two); imageSize must be a multiple of 4 · gridSize.'),
    teacher: z
      .object({
        width: posInt.default(128).describe('ViT token width.'),
        depth: posInt.default(6).describe('Transformer blocks.'),
        heads: posInt.default(2).describe('Attention heads (width must be divisible by heads).'),
        mlpRatio: posInt.default(4).describe('MLP hidden width as a multiple of the token width.'),
      })
      .strict()
      .default({ width: 128, depth: 6, heads: 2, mlpRatio: 4 })
      .describe('The ViT teacher encoder (patch embedding with stride imageSize / gridSize, transformer blocks, SAM neck to embedDim).'),
    student: z
      .object({
        widths: z.array(posInt).min(1).default([16, 32, 64]).describe('Channels after each stride-2 stage: log2(imageSize / gridSize) entries.'),
        blocks: nonNegInt.default(3).describe('Residual depthwise blocks at the grid resolution.'),
        kernel: posInt.default(5).describe('Depthwise kernel size of those blocks (odd).'),
      })
      .strict()
      .default({ widths: [16, 32, 64], blocks: 3, kernel: 5 })
      .describe('The CNN student encoder (same embedding shape as the teacher).'),
    decoder: z
      .object({
        depth: posInt.default(2).describe('Two-way transformer blocks.'),
        heads: posInt.default(4).describe('Attention heads.'),
        mlpDim: posInt.default(128).describe('Token MLP hidden width.'),
        downsampleRate: posInt.default(2).describe("SAM's attention_downsample_rate of the cross-attentions."),
        iouHidden: posInt.default(64).describe('Hidden width of the IoU head.'),
      })
      .strict()
      .default({ depth: 2, heads: 4, mlpDim: 128, downsampleRate: 2, iouHidden: 64 })
      .describe('Prompt encoder and mask decoder (shared architecture for all three models).'),
  })
  .strict();

/** An optimisation budget: steps of `batchSize` samples with Adam at `lr` (warmup, then cosine decay to lr·minLrRatio). */
const stageSchema = (defaults: { steps: number; batchSize: number; lr: number }) =>
  z
    .object({
      steps: nonNegInt.default(defaults.steps).describe('Optimizer steps.'),
      batchSize: posInt.default(defaults.batchSize).describe('Samples per step.'),
      lr: positive.default(defaults.lr).describe('Adam learning rate.'),
      minLrRatio: z.number().min(0).max(1).default(0.1).describe('Final learning rate as a share of lr (cosine schedule); 1 keeps it constant.'),
      warmupSteps: nonNegInt.default(0).describe('Linear warmup steps before the cosine decay.'),
      clipNorm: positive.optional().describe('Clip gradients to this global L2 norm.'),
    })
    .strict();

/** Real sets by folder name (the shared data folder, or `data.paths`). */
export const REAL_SETS = ['medseg-hc18', 'medseg-kvasir-seg', 'medseg-busi', 'isic2017'] as const;

/** Where the images come from and how they are split. */
export const dataSchema = z
  .object({
    source: z.enum(['synthetic', 'real']).default('synthetic').describe("'synthetic': the embedded ultrasound/endoscopy generator; 'real': folders in the official layouts."),
    synthetic: z
      .object({
        perKind: posInt.default(60).describe('Images per synthetic kind (ultrasound-like and endoscopy-like).'),
        seed: z.number().int().default(1).describe('Generator seed (the images depend only on it).'),
      })
      .strict()
      .default({ perKind: 60, seed: 1 }),
    sets: z.array(z.enum(REAL_SETS)).default(['medseg-hc18', 'medseg-kvasir-seg', 'medseg-busi']).describe('Real sets, by shared-data folder name (isic2017 needs data.paths).'),
    paths: z.record(z.string(), z.string()).default({}).describe('Folders of real sets outside the shared data folder, by set name.'),
    limitPerSet: posInt.optional().describe('At most this many images per real set (sorted by id).'),
    trainFraction: z.number().gt(0).lt(1).default(0.6).describe("Share of each dataset's groups (patients, sequences) used for training; the rest is the test split."),
    splitSeed: z.number().int().default(0).describe('Seed of the group-aware split.'),
    teacherExtraSynthetic: nonNegInt
      .default(0)
      .describe("Extra synthetic images per kind that only the teacher trains on and stage 1 distils on (the teacher's larger corpus); 0 for none."),
    boxJitter: nonNegInt.default(4).describe('Box jitter while training: each side of the tight box moves outwards by 0..boxJitter pixels of the S frame (MedSAM style).'),
    augmentations: nonNegInt.default(1).describe('Fixed augmented copies per training image (flips, rotations, intensity, speckle) besides the original.'),
  })
  .strict();

/** The teacher: trained here (ViT encoder + decoder) or a SAM / MobileSAM ONNX image encoder. */
export const teacherSchema = z
  .object({
    source: z.enum(['train', 'onnx']).default('train').describe("'train': the ViT teacher trained here (train-teacher); 'onnx': a SAM-style ONNX image encoder (stage 1 only)."),
    onnx: z
      .object({
        path: z.string().describe('ONNX image encoder: input NCHW [1, 3, inputSize, inputSize], SAM-normalised; output [1, C, h, w].'),
        inputSize: posInt.default(1024).describe("Side of the encoder's input (1024 for SAM / MobileSAM)."),
        inputName: z.string().optional().describe("Input name; default the model's first input."),
        outputName: z.string().optional().describe("Output name; default the model's first output."),
      })
      .strict()
      .optional(),
    train: stageSchema({ steps: 300, batchSize: 8, lr: 1e-3 })
      .default({ steps: 300, batchSize: 8, lr: 1e-3, minLrRatio: 0.1, warmupSteps: 0 })
      .describe('Training budget of the teacher (Dice + BCE + IoU head, like stage 2).'),
  })
  .strict()
  .refine((t) => t.source !== 'onnx' || t.onnx !== undefined, { message: "teacher.source 'onnx' needs teacher.onnx.path", path: ['onnx'] });

/** Stage 1: encoder distillation (MSE + perceptual on the image embeddings). */
export const distillSchema = stageSchema({ steps: 200, batchSize: 8, lr: 2e-3 })
  .extend({
    mseWeight: weight.default(1).describe('Weight of the MSE between teacher and student embeddings.'),
    perceptualWeight: weight
      .default(1)
      .describe("Weight of the perceptual term: MSE of features of the frozen teacher mask decoder's upscaling layers applied to both embeddings (0 disables it)."),
  })
  .strict();

/** Stage 2: decoder fine-tuning with Dice + BCE and jittered box prompts. */
export const finetuneSchema = stageSchema({ steps: 200, batchSize: 8, lr: 5e-4 })
  .extend({
    diceWeight: weight.default(1).describe('Weight of the soft Dice loss.'),
    bceWeight: weight.default(1).describe('Weight of the binary cross-entropy.'),
    iouWeight: weight.default(0.1).describe("Weight of the IoU head's MSE term (SAM), the same in every decoder training."),
    encoder: z
      .enum(['frozen', 'trainable'])
      .default('frozen')
      .describe("'frozen': only the decoder trains, on cached student embeddings; 'trainable': encoder and decoder train end to end at the same lr."),
  })
  .strict();

/** Evaluation: latency measurement and report overlays. */
export const evalSchema = z
  .object({
    latencyRepeats: posInt.default(20).describe('Timed single-image runs per model and runtime (the median is reported).'),
    warmup: nonNegInt.default(3).describe('Untimed runs before timing.'),
    threads: posInt.optional().describe("ONNX Runtime intra-op threads (default: its own choice)."),
    overlays: nonNegInt.default(3).describe('Overlay strips per dataset in the report.'),
  })
  .strict();

/** A whole run. */
export const configSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore').describe('Run name (the default run folder is runs/<name>).'),
    out: z.string().optional().describe('Run folder, relative to the working directory; default runs/<name>.'),
    seed: z.number().int().default(0).describe('Seed of weights, shuffles, box jitter and augmentation.'),
    model: modelSchema.default(modelSchema.parse({})),
    data: dataSchema.default(dataSchema.parse({})),
    teacher: teacherSchema.default({ source: 'train', train: { steps: 300, batchSize: 8, lr: 1e-3, minLrRatio: 0.1, warmupSteps: 0 } }),
    distill: distillSchema.default(distillSchema.parse({})),
    finetune: finetuneSchema.default(finetuneSchema.parse({})),
    scratch: stageSchema({ steps: 0, batchSize: 8, lr: 1e-3 })
      .omit({ steps: true })
      .default({ batchSize: 8, lr: 1e-3, minLrRatio: 0.1, warmupSteps: 0 })
      .describe('The control: the student from scratch with Dice only (+ the IoU head term) for distill.steps + finetune.steps steps; its own optimizer settings.'),
    eval: evalSchema.default(evalSchema.parse({})),
  })
  .strict();

/** A parsed run configuration (defaults filled in). */
export type Config = z.infer<typeof configSchema>;
/** Model sizes. */
export type ModelConfig = z.infer<typeof modelSchema>;
/** Data options. */
export type DataConfig = z.infer<typeof dataSchema>;
/** One training stage's budget. */
export type StageConfig = z.infer<ReturnType<typeof stageSchema>>;
