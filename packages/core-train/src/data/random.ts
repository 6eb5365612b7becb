import { ValueError } from '../errors.js';

/** The four 32-bit words of an {@link Rng}'s state (saved in checkpoints, restored exactly). */
export type RngState = [number, number, number, number];

/** Mixes any number of integers and strings into one 32-bit seed (FNV-1a, then a murmur3 finaliser). */
export function hashSeed(...parts: readonly (number | string)[]): number {
  let h = 0x811c9dc5;
  const eat = (byte: number): void => {
    h ^= byte & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const part of parts) {
    if (typeof part === 'number') {
      if (!Number.isFinite(part)) throw new ValueError(`hashSeed: parts must be finite numbers or strings. Value: ${part}.`);
      // Integers and fractions alike: hash the float64 bytes.
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, part);
      for (let i = 0; i < 8; i++) eat(view.getUint8(i));
    } else {
      for (const byte of new TextEncoder().encode(part)) eat(byte);
    }
    eat(0x1f); // separator: ('ab', 'c') ≠ ('a', 'bc')
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A small seeded PRNG (sfc32, Doty-Humphrey's "small fast counting" generator) whose whole state is four
 * 32-bit words, so a checkpoint can save it and a resumed run draws exactly the same numbers.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seeds from an integer (any 32-bit value; other numbers are hashed). */
  constructor(seed: number) {
    let s = Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff ? seed >>> 0 : hashSeed(seed);
    // splitmix32 expands the seed into the four words.
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32(); // warm up
  }

  /** A generator restored from {@link Rng.getState}. */
  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = (this.b ^ (this.b >>> 9)) >>> 0;
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Next uniform float in [0, 1) with 32 random bits (the contract of `Math.random`). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(Number.isInteger(n) && n > 0)) throw new ValueError(`Rng.int: 'n' must be a positive integer. Value: ${n}.`);
    return Math.floor(this.next() * n);
  }

  /** Standard normal draw (Box–Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }

  /** The generator's state; {@link Rng.setState} or {@link Rng.fromState} resumes the same sequence. */
  getState(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  /** Restores a state from {@link Rng.getState}. */
  setState(state: readonly number[]): void {
    if (state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new ValueError(`Rng.setState: state must be four 32-bit unsigned integers. Value: ${JSON.stringify(state)}.`);
    }
    [this.a, this.b, this.c, this.d] = state as RngState;
  }
}

/**
 * Runs the synchronous `fn` with `Math.random` replaced by `rng` and restores it afterwards.
 * TF.js draws from `Math.random` for every random op without an explicit seed (initialisers, dropout),
 * so `withRandom(new Rng(seed), () => buildModel())` gives the same initial weights on every run.
 * `fn` must be synchronous: a returned promise throws ValueError (its later work would not be seeded).
 */
export function withRandom<T>(rng: Rng, fn: () => T): T {
  const original = Math.random;
  Math.random = () => rng.next();
  let result: T;
  try {
    result = fn();
  } finally {
    Math.random = original;
  }
  if (result != null && typeof (result as { then?: unknown }).then === 'function') {
    throw new ValueError('withRandom: fn must be synchronous (it returned a promise); only synchronous work can be seeded.');
  }
  return result;
}

/** {@link withRandom} with a fresh generator seeded by `seed`: seeded model construction in one line. */
export function withSeed<T>(seed: number, fn: () => T): T {
  return withRandom(new Rng(seed), fn);
}
