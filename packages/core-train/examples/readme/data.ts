// examples/readme/data.ts
import { Dataset, splitByGroup } from '../../src/index.js';

// 120 readings from 8 stations: split by station, so no station is in two splits.
const readings = Array.from({ length: 120 }, (_, i) => ({ station: `st${i % 8}`, x: [i / 120, (i % 8) / 8], y: [Math.sin(i)] }));
const { splits, groups } = splitByGroup(readings, { group: (r) => r.station, fractions: { train: 0.75, test: 0.25 }, seed: 0 });
console.log(groups.test); // the test stations: [ 'st1', 'st2' ]

// A seeded pipeline: shuffle (reshuffled each epoch from the run seed), batch, prefetch.
const ds = Dataset.fromArray(splits.train.map(({ x, y }, i) => ({ x, y, id: `r${i}` })))
  .shuffle(splits.train.length)
  .batch(16)
  .prefetch(2);
const epoch0 = await ds.toArray({ epoch: 0, seed: 7 }); // what fit sees in epoch 0 of a run with seed 7
console.log(epoch0.length, epoch0[0]!.map((s) => s.id).slice(0, 3)); // batches (arrays of samples fit collates)
