// A SAM / MobileSAM ONNX image encoder as a distillation teacher. Official exports take one NCHW image
// [1, 3, 1024, 1024] (SAM preprocessing: longest side to 1024, (x − mean)/std per channel, zero padding
// bottom/right) and return image embeddings [1, 256, 64, 64]. The app's samples are the same frame at
// S × S, so the teacher resizes them bilinearly to the encoder's input size, transposes to NCHW, runs one
// image at a time (official encoders have batch 1), and returns NHWC embeddings.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { ShapeError } from '@lossworks/core-losses';
import { onnxTeacher, type Teacher } from '@lossworks/core-train';

/** Options of {@link samOnnxTeacher}. */
export interface SamOnnxTeacherOptions {
  /** Side of the encoder's square input (1024 for SAM / MobileSAM). */
  inputSize: number;
  /** Input name; default the model's first (official encoders have one). */
  inputName?: string;
  /** Output name or index; default the first output. */
  outputName?: string;
  /** Embedding shape [h, w, C] the student must match (checked on the first run). */
  expect?: [number, number, number];
  /** ONNX Runtime intra-op threads. */
  threads?: number;
}

class SamOnnxTeacher implements Teacher {
  readonly kind = 'onnx';
  samplesRun = 0;

  constructor(
    private readonly inner: Teacher,
    private readonly options: SamOnnxTeacherOptions,
    readonly hash: string,
    private readonly path: string,
  ) {}

  async run(x: tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>, outputs: readonly (string | number)[]): Promise<tf.Tensor[]> {
    const images = (x instanceof tf.Tensor ? x : Array.isArray(x) ? x[0] : (x.image ?? Object.values(x)[0])) as tf.Tensor4D;
    const n = images.shape[0];
    const size = this.options.inputSize;
    const perRow: tf.Tensor[][] = [];
    try {
      for (let i = 0; i < n; i++) {
        const nchw = tf.tidy(() => {
          const one = tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1]);
          const resized = one.shape[1] === size ? one : tf.image.resizeBilinear(one, [size, size], false, true);
          return tf.transpose(resized, [0, 3, 1, 2]);
        });
        const feed = this.options.inputName ? { [this.options.inputName]: nchw } : nchw;
        const refs = outputs.map((o) => (o === 0 && this.options.outputName ? this.options.outputName : o));
        let outs: tf.Tensor[];
        try {
          outs = await this.inner.run(feed, refs);
        } finally {
          nchw.dispose();
        }
        perRow.push(
          outs.map((t) => {
            const nhwc = tf.tidy(() => tf.transpose(t, [0, 2, 3, 1]));
            t.dispose();
            return nhwc;
          }),
        );
        this.samplesRun++;
      }
      const result = outputs.map((_, j) => tf.concat(perRow.map((r) => r[j]!), 0));
      const want = this.options.expect;
      const got = result[0]?.shape.slice(1);
      if (want && got && want.some((d, k) => d !== got[k])) {
        tf.dispose(result);
        throw new ShapeError(
          `samOnnxTeacher('${this.path}'): the encoder gives embeddings [${got}] (h, w, C) but the student makes [${want}]; set model.gridSize and model.embedDim to match.`,
          got,
          want,
        );
      }
      return result;
    } finally {
      tf.dispose(perRow.flat());
    }
  }

  dispose(): void {
    this.inner.dispose();
  }
}

/**
 * An ONNX SAM-style image encoder as a frozen {@link Teacher} (see the file comment). Its cache hash
 * covers the file's bytes and the preprocessing, so cached embeddings are never mixed up.
 */
export async function samOnnxTeacher(path: string, options: SamOnnxTeacherOptions): Promise<Teacher> {
  const inner = await onnxTeacher(path, options.threads !== undefined ? { intraOpNumThreads: options.threads } : {});
  const hash = createHash('sha256')
    .update(`${inner.hash}\nsam-preprocess:${options.inputSize}:${options.inputName ?? ''}:${options.outputName ?? ''}`)
    .digest('hex');
  return new SamOnnxTeacher(inner, options, hash, path);
}
