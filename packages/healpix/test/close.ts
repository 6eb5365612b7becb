// Test helper: element-wise |a − e| ≤ atol + rtol·|e| with a message naming the worst element.
import { expect } from 'vitest';
import { worstMismatch } from '@lossworks/testing';

/** Asserts two float arrays agree within a tolerance; the failure names the worst index, values, Δ and allowance. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { rtol?: number; atol?: number }, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const w = worstMismatch(actual, expected, { rtol: tol.rtol ?? 0, atol: tol.atol ?? 0 });
  if (w) {
    expect.fail(`${label}: worst mismatch at [${w.index}]: actual ${w.actual}, expected ${w.expected}, Δ ${w.diff.toExponential(3)} > allowed ${w.allowed.toExponential(3)}`);
  }
}

/** Asserts two integer arrays are identical; the failure names the first differing index. */
export function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) expect.fail(`${label}: first difference at [${i}]: actual ${actual[i]}, expected ${expected[i]}`);
  }
}
