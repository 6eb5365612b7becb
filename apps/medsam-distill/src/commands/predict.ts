// `predict`: one image and a box (and optional points) → a mask PNG at the image's own size.
import * as tf from '@tensorflow/tfjs';
import type { Io } from '@lossworks/cli-kit';
import { UsageError, writeFileAtomic } from '@lossworks/cli-kit';
import { encodeImage, preprocessPair, readRgb, type Box } from '../data/index.js';
import { POINT_LABEL } from '../model/layers.js';
import { loadSam } from '../model/weights.js';
import { useBackend } from './common.js';

/** Options of `predict`. */
export interface PredictOptions {
  /** A whole-model file (teacher, KD student or scratch student). */
  model: string;
  image: string;
  /** x0,y0,x1,y1 in the image's pixels. */
  box?: string;
  /** Points 'x,y,label;x,y,label' in the image's pixels (label 1 foreground, 0 background). */
  points?: string;
  output: string;
  backend?: Parameters<typeof useBackend>[0]['backend'];
  json?: boolean;
}

/** What `predict` reports. */
export interface PredictResult {
  output: string;
  width: number;
  height: number;
  /** Foreground pixels of the written mask. */
  foreground: number;
  /** The model's IoU estimate. */
  iouPrediction: number;
  summary: string;
}

function parseNumbers(text: string, what: string, count?: number): number[] {
  const v = text.split(',').map((s) => Number(s.trim()));
  if (v.some((x) => !Number.isFinite(x)) || (count !== undefined && v.length !== count)) {
    throw new UsageError(`predict: ${what} must be ${count ?? 'some'} comma-separated numbers. Value: '${text}'.`);
  }
  return v;
}

/** Parses --box and --points into prompt-encoder points (box corners get labels 2 and 3). */
export function parsePrompts(box: string | undefined, points: string | undefined): { coords: number[][]; labels: number[] } {
  const coords: number[][] = [];
  const labels: number[] = [];
  if (box !== undefined) {
    const [x0, y0, x1, y1] = parseNumbers(box, '--box', 4) as Box;
    if (!(x1 >= x0 && y1 >= y0)) throw new UsageError(`predict: --box must be x0,y0,x1,y1 with x0 ≤ x1 and y0 ≤ y1. Value: '${box}'.`);
    coords.push([x0, y0], [x1, y1]);
    labels.push(POINT_LABEL.boxTopLeft, POINT_LABEL.boxBottomRight);
  }
  if (points !== undefined) {
    for (const p of points.split(';').filter((s) => s.trim() !== '')) {
      const [x, y, l] = parseNumbers(p, 'each --points entry (x,y,label)', 3) as [number, number, number];
      if (l !== 0 && l !== 1) throw new UsageError(`predict: point labels must be 0 (background) or 1 (foreground). Value: '${p}'.`);
      coords.push([x, y]);
      labels.push(l);
    }
  }
  if (coords.length === 0) throw new UsageError('predict: give a --box and/or --points.');
  return { coords, labels };
}

/** Segments one image with a box / point prompt and writes the mask (0/255 PNG, the image's size). */
export async function predictCommand(opts: PredictOptions, io: Io): Promise<PredictResult> {
  const prompts = parsePrompts(opts.box, opts.points);
  await useBackend(opts, io);
  const { sam, meta } = await loadSam(opts.model);
  try {
    const S = meta.model.imageSize;
    const rgb = await readRgb(opts.image);
    const sample = await preprocessPair({ id: 'predict', dataset: 'kvasir', group: 'predict', image: rgb, mask: new Uint8Array(rgb.width * rgb.height) }, S);
    const sx = sample.validWidth / rgb.width;
    const sy = sample.validHeight / rgb.height;
    const coords = prompts.coords.map(([x, y]) => [x! * sx, y! * sy]);
    const x = [
      tf.tensor4d(sample.image, [1, S, S, 3]),
      tf.tensor3d([coords], [1, coords.length, 2]),
      tf.tensor2d([prompts.labels], [1, prompts.labels.length]),
    ];
    const [masks, iou] = sam.model.predict(x) as tf.Tensor[];
    const full = tf.tidy(() => {
      const crop = tf.slice(masks!, [0, 0, 0, 0], [1, sample.validHeight, sample.validWidth, 1]) as tf.Tensor4D;
      return tf.image.resizeBilinear(crop, [rgb.height, rgb.width], false, true);
    });
    const logits = full.dataSync();
    const iouPrediction = iou!.dataSync()[0]!;
    tf.dispose([...x, masks!, iou!, full]);
    const mask = new Uint8Array(rgb.width * rgb.height);
    let foreground = 0;
    for (let i = 0; i < mask.length; i++) {
      if (logits[i]! >= 0) {
        mask[i] = 255;
        foreground++;
      }
    }
    await writeFileAtomic(opts.output, await encodeImage(mask, rgb.width, rgb.height, 1, { format: 'png' }));
    return {
      output: opts.output,
      width: rgb.width,
      height: rgb.height,
      foreground,
      iouPrediction,
      summary: `${opts.output}: ${rgb.width}×${rgb.height} mask, ${foreground} foreground pixels (${((100 * foreground) / mask.length).toFixed(1)}%), predicted IoU ${iouPrediction.toFixed(3)}`,
    };
  } finally {
    sam.model.dispose();
  }
}
