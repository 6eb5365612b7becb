import * as tf from '@tensorflow/tfjs';
import { ValueError } from '../errors.js';
import { Rng, hashSeed } from './random.js';

/**
 * What one pass over a dataset depends on. `fit` passes its epoch and seed, so the shuffle order of epoch
 * `e` is a function of (seed, e) alone, and a resumed run sees exactly the batches it would have seen.
 */
export interface IterationContext {
  /** Epoch number (0-based). Default: a per-dataset counter that advances on every plain `for await`. */
  epoch: number;
  /** Run seed; mixed into every shuffle that reshuffles each iteration. Default 0. */
  seed: number;
}

type Source<T> = (ctx: IterationContext) => AsyncIterable<T>;

/** Options of {@link Dataset.shuffle}. */
export interface ShuffleOptions {
  /** Seed of this shuffle. Default 0 (the iteration's seed still varies the order, see reshuffleEachIteration). */
  seed?: number;
  /** Draw a new order on every pass (mixing in the pass's epoch and seed). Default true. */
  reshuffleEachIteration?: boolean;
}

/** Options of {@link Dataset.batch}. */
export interface BatchOptions {
  /** Drop a last batch smaller than the batch size. Default false. */
  dropRemainder?: boolean;
}

/** Disposes any tensors inside an item that will never be handed out (arrays and plain objects are walked). */
function disposeItem(item: unknown): void {
  if (item instanceof tf.Tensor) item.dispose();
  else if (Array.isArray(item)) item.forEach(disposeItem);
  else if (item !== null && typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) {
    Object.values(item).forEach(disposeItem);
  }
}

/** A copy of `item` whose tensors are fresh clones (so a consumer may dispose what it receives). */
function cloneItem<T>(item: T): T {
  if (item instanceof tf.Tensor) return tf.clone(item) as T;
  if (Array.isArray(item)) return item.map(cloneItem) as T;
  if (item !== null && typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) {
    return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, cloneItem(v)])) as T;
  }
  return item;
}

function hasTensor(item: unknown): boolean {
  if (item instanceof tf.Tensor) return true;
  if (Array.isArray(item)) return item.some(hasTensor);
  if (item !== null && typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) return Object.values(item).some(hasTensor);
  return false;
}

function checkCount(n: number, what: string, allowZero = true): void {
  if (!(Number.isInteger(n) && (allowZero ? n >= 0 : n > 0))) {
    throw new ValueError(`Dataset.${what}: argument must be a ${allowZero ? 'non-negative' : 'positive'} integer. Value: ${n}.`);
  }
}

/**
 * A seeded, chainable, lazily evaluated stream of elements (tfjs-data's Dataset, without the dependency).
 * Every operation returns a new Dataset; nothing runs until it is iterated. Iteration is async
 * (`for await`), and each pass takes an {@link IterationContext} so shuffles are reproducible.
 *
 * Ownership: a consumer owns the tensors in the elements it receives (`fit` disposes each batch after its
 * step). `fromArray` therefore yields clones of any tensors in the array, and `prefetch`/`skip`/`take`
 * dispose the tensors of elements they fetched but never handed out.
 */
export class Dataset<T> implements AsyncIterable<T> {
  private passes = 0;

  /** Use the static constructors ({@link Dataset.fromArray}, {@link Dataset.fromGenerator}, {@link Dataset.range}). */
  private constructor(
    private readonly source: Source<T>,
    /** Number of elements of one pass, when known (Infinity for an endless `repeat()`). */
    readonly size: number | undefined,
  ) {}

  /** A dataset over an array (tensors inside elements are cloned on every yield, so the array stays valid). */
  static fromArray<T>(items: readonly T[]): Dataset<T> {
    const clone = items.some(hasTensor);
    return new Dataset<T>(async function* () {
      for (const item of items) yield clone ? cloneItem(item) : item;
    }, items.length);
  }

  /**
   * A dataset from a function that starts one pass (sync or async iterable). `size`, when given, lets
   * `fit` show progress totals before the first epoch ends.
   */
  static fromGenerator<T>(make: (ctx: IterationContext) => Iterable<T> | AsyncIterable<T>, size?: number): Dataset<T> {
    return new Dataset<T>(async function* (ctx) {
      yield* make(ctx);
    }, size);
  }

  /** The integers start, start+1, …, end−1. */
  static range(start: number, end?: number): Dataset<number> {
    const [lo, hi] = end === undefined ? [0, start] : [start, end];
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw new ValueError(`Dataset.range: bounds must be integers. Value: ${lo}, ${hi}.`);
    return new Dataset<number>(async function* () {
      for (let i = lo; i < hi; i++) yield i;
    }, Math.max(0, hi - lo));
  }

  /** Applies `fn` to every element (it may be async; `index` counts from 0 within the pass). */
  map<U>(fn: (item: T, index: number) => U | Promise<U>): Dataset<U> {
    const src = this.source;
    return new Dataset<U>(async function* (ctx) {
      let i = 0;
      for await (const item of src(ctx)) yield await fn(item, i++);
    }, this.size);
  }

  /** Keeps the elements for which `predicate` is true (the others are disposed). */
  filter(predicate: (item: T, index: number) => boolean | Promise<boolean>): Dataset<T> {
    const src = this.source;
    return new Dataset<T>(async function* (ctx) {
      let i = 0;
      for await (const item of src(ctx)) {
        if (await predicate(item, i++)) yield item;
        else disposeItem(item);
      }
    }, undefined);
  }

  /**
   * Shuffles with a buffer of `bufferSize` elements (tfjs-data's algorithm: fill the buffer, then emit a
   * random buffered element and replace it with the next one). A buffer at least the dataset's size gives
   * a uniform permutation. The order depends only on the seed, the pass's seed and epoch (see options).
   */
  shuffle(bufferSize: number, options: ShuffleOptions = {}): Dataset<T> {
    checkCount(bufferSize, 'shuffle', false);
    const { seed = 0, reshuffleEachIteration = true } = options;
    const src = this.source;
    return new Dataset<T>(async function* (ctx) {
      const rng = new Rng(reshuffleEachIteration ? hashSeed('shuffle', seed, ctx.seed, ctx.epoch) : hashSeed('shuffle', seed));
      const buffer: T[] = [];
      for await (const item of src(ctx)) {
        if (buffer.length < bufferSize) {
          buffer.push(item);
          continue;
        }
        const j = rng.int(bufferSize);
        const out = buffer[j] as T;
        buffer[j] = item;
        yield out;
      }
      while (buffer.length > 0) {
        const j = rng.int(buffer.length);
        const out = buffer[j] as T;
        buffer[j] = buffer[buffer.length - 1] as T;
        buffer.pop();
        yield out;
      }
    }, this.size);
  }

  /**
   * Groups consecutive elements into arrays of `size`. `fit` collates an array of {@link Sample}s into
   * one batch of tensors (see `collate`), so `dataset.shuffle(n).batch(32)` is all a training set needs.
   */
  batch(size: number, options: BatchOptions = {}): Dataset<T[]> {
    checkCount(size, 'batch', false);
    const { dropRemainder = false } = options;
    const src = this.source;
    const n = this.size;
    return new Dataset<T[]>(
      async function* (ctx) {
        let group: T[] = [];
        for await (const item of src(ctx)) {
          group.push(item);
          if (group.length === size) {
            yield group;
            group = [];
          }
        }
        if (group.length > 0) {
          if (dropRemainder) disposeItem(group);
          else yield group;
        }
      },
      n === undefined ? undefined : dropRemainder ? Math.floor(n / size) : Math.ceil(n / size),
    );
  }

  /** The first `n` elements of each pass. */
  take(n: number): Dataset<T> {
    checkCount(n, 'take');
    const src = this.source;
    return new Dataset<T>(async function* (ctx) {
      if (n === 0) return;
      let i = 0;
      for await (const item of src(ctx)) {
        yield item;
        if (++i >= n) return;
      }
    }, this.size === undefined ? undefined : Math.min(n, this.size));
  }

  /** Every element after the first `n` of each pass (the skipped ones are disposed). */
  skip(n: number): Dataset<T> {
    checkCount(n, 'skip');
    const src = this.source;
    return new Dataset<T>(async function* (ctx) {
      let i = 0;
      for await (const item of src(ctx)) {
        if (i++ < n) disposeItem(item);
        else yield item;
      }
    }, this.size === undefined ? undefined : Math.max(0, this.size - n));
  }

  /**
   * Repeats the dataset `count` times (forever when omitted). Each repetition is a new pass with its own
   * seed, so shuffles before `repeat` reshuffle between repetitions.
   */
  repeat(count?: number): Dataset<T> {
    if (count !== undefined) checkCount(count, 'repeat');
    const src = this.source;
    const n = this.size;
    return new Dataset<T>(
      async function* (ctx) {
        for (let r = 0; count === undefined || r < count; r++) {
          let any = false;
          for await (const item of src({ epoch: ctx.epoch, seed: hashSeed('repeat', ctx.seed, r) })) {
            any = true;
            yield item;
          }
          if (!any) return; // an empty dataset repeated forever is still empty
        }
      },
      count === undefined ? (n === 0 ? 0 : Number.POSITIVE_INFINITY) : n === undefined ? undefined : n * count,
    );
  }

  /**
   * Fetches up to `n` elements ahead while the consumer works, overlapping slow (async) loading with
   * training. Elements fetched but never consumed are disposed when the pass ends early.
   */
  prefetch(n: number): Dataset<T> {
    checkCount(n, 'prefetch', false);
    const src = this.source;
    return new Dataset<T>(async function* (ctx) {
      const it = src(ctx)[Symbol.asyncIterator]();
      const queue: Promise<IteratorResult<T>>[] = [];
      let done = false;
      try {
        while (true) {
          while (!done && queue.length < n) queue.push(it.next());
          const r = await (queue.shift() as Promise<IteratorResult<T>>);
          if (r.done) {
            done = true;
            break;
          }
          yield r.value;
        }
      } finally {
        for (const p of queue) {
          const r = await p.catch(() => null);
          if (r && !r.done) disposeItem(r.value);
        }
        if (!done) await it.return?.();
      }
    }, this.size);
  }

  /** Starts one pass with an explicit context (what `fit` calls). */
  iterate(ctx: Partial<IterationContext> = {}): AsyncIterator<T> {
    return this.source({ epoch: ctx.epoch ?? 0, seed: ctx.seed ?? 0 })[Symbol.asyncIterator]();
  }

  /** `for await (const x of dataset)`: each plain pass uses the next epoch number (0, 1, …) and seed 0. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.iterate({ epoch: this.passes++ });
  }

  /** Collects one pass into an array. */
  async toArray(ctx: Partial<IterationContext> = {}): Promise<T[]> {
    const out: T[] = [];
    const it = this.iterate(ctx);
    for (let r = await it.next(); !r.done; r = await it.next()) out.push(r.value);
    return out;
  }
}
