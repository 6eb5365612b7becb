// examples/readme/distill.ts
import * as tf from '@tensorflow/tfjs';
import { Dataset, Rng, fit, selectBackend, tfjsTeacher, withSeed, type DistillSpec, type Sample } from '../../src/index.js';

await selectBackend();

// 4 classes: which of x0..x3 is largest. 600 labelled samples for the teacher; the student gets 100
// of them with labels and the other 500 without.
const rng = new Rng(0);
const samples: Sample[] = Array.from({ length: 600 }, (_, i) => {
  const x = Array.from({ length: 8 }, () => rng.normal());
  const y = [0, 0, 0, 0];
  y[x.indexOf(Math.max(...x.slice(0, 4)))] = 1;
  return { x, y, id: `s${i}` }; // ids key the teacher-output cache
});
const unlabelled = samples.slice(100).map(({ x, id }) => ({ x, id }));
const batches = (s: Sample[], n: number): Dataset<Sample[]> => Dataset.fromArray(s).shuffle(s.length).batch(n);

const mlp = (name: string, width: number, seed: number): tf.Sequential =>
  withSeed(seed, () =>
    tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [8], units: width, activation: 'relu', name: `${name}_hidden` }),
        tf.layers.dense({ units: 4, name: `${name}_logits` }),
      ],
    }),
  );
const cce = [{ name: 'cce', loss: 'cce', options: { fromLogits: true } }];
const teacher = mlp('teacher', 64, 1);
await fit(teacher, batches(samples, 50), { loss: cce, optimizer: { name: 'adam', lr: 1e-2 }, epochs: 15 });

const distill: DistillSpec = {
  teacher: await tfjsTeacher(teacher), // frozen: never trained, run outside the gradient tape, cached by id
  taps: [
    { name: 'hidden', teacher: 'teacher_hidden', student: 'student_hidden' }, // 64 vs 16 wide: a dense head is added
    { name: 'logits', teacher: 0, student: 0 }, // output 0 of each
  ],
  terms: [
    { name: 'feat', tap: 'hidden', loss: 'feature_mse', weight: 0.1 },
    { name: 'kd', tap: 'logits', loss: 'kd_kl', options: { temperature: 4 } },
  ],
};
const student = mlp('student', 16, 2);
const history = await fit(student, batches(samples.slice(0, 100), 20), {
  loss: cce, // on the labelled stream; the distillation terms apply to both streams
  optimizer: { name: 'adam', lr: 1e-2 },
  epochs: 15, // an epoch is one pass over the labelled stream (5 steps)
  unlabelled: { data: batches(unlabelled, 50), ratio: 2 }, // 2 unlabelled batches per step
  distill,
});
console.log(Object.keys(history.history).join(' '));
// loss loss/cce loss/feat loss/kd loss/unlabelled/feat loss/unlabelled/kd lr
console.log(distill.teacher.samplesRun); // 600: each sample went through the teacher once
teacher.dispose();
student.dispose();
