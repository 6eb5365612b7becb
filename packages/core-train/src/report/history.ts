// Training logs → plot series: a History-like object ({epoch, key: values}), TF.js's History
// ({epoch, history: {...}}), or rows as a JSONL metrics log holds them.
import { readFile } from 'node:fs/promises';
import { DataError, ValueError } from '../errors.js';

/** `{ epoch: number[], loss: number[], val_loss: number[], ... }`. */
export type HistoryRecord = { epoch?: readonly number[] } & Record<string, readonly unknown[] | undefined>;

/** TF.js's `model.fit` History: `{ epoch, history: { loss: [...], ... } }`. */
export interface TfHistoryLike {
  epoch: readonly number[];
  history: Record<string, readonly unknown[]>;
}

/** Anything {@link historySeries} reads: a History-like record, TF.js History, or log rows. */
export type HistoryLike = HistoryRecord | TfHistoryLike | ReadonlyArray<Record<string, unknown>>;

/** Curves extracted from a log: x values and named series aligned with them. */
export interface HistorySeries {
  /** Name of the x axis ('epoch', 'step' or 'index'). */
  xKey: string;
  x: number[];
  series: Record<string, Array<number | null>>;
}

const X_KEYS = ['epoch', 'step', 'iteration'];

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v && typeof v === 'object' && 'dataSync' in v) {
    const d = (v as { dataSync(): ArrayLike<number> }).dataSync();
    return d.length === 1 && Number.isFinite(d[0]) ? (d[0] as number) : null;
  }
  return null;
}

/** Rows of a JSONL log → series: x from 'epoch' (else 'step'); rows without it are skipped; later rows win. */
function fromRows(rows: ReadonlyArray<Record<string, unknown>>): HistorySeries {
  const xKey = X_KEYS.find((k) => rows.some((r) => typeof r[k] === 'number')) ?? 'index';
  const xs: number[] = [];
  const index = new Map<number, number>();
  const values = new Map<string, Map<number, number>>();
  rows.forEach((row, i) => {
    const x = xKey === 'index' ? i + 1 : toNumber(row[xKey]);
    if (x === null) return;
    if (!index.has(x)) {
      index.set(x, xs.length);
      xs.push(x);
    }
    for (const [k, v] of Object.entries(row)) {
      if (X_KEYS.includes(k)) continue;
      const n = toNumber(v);
      if (n === null) continue;
      if (!values.has(k)) values.set(k, new Map());
      (values.get(k) as Map<number, number>).set(x, n);
    }
  });
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const series: Record<string, Array<number | null>> = {};
  for (const [k, m] of values) series[k] = order.map(([x]) => m.get(x) ?? null);
  return { xKey, x: order.map(([x]) => x), series };
}

/** Extracts the numeric curves of a training log (see {@link HistoryLike}). */
export function historySeries(history: HistoryLike): HistorySeries {
  if (Array.isArray(history)) return fromRows(history as ReadonlyArray<Record<string, unknown>>);
  if (!history || typeof history !== 'object') throw new ValueError(`historySeries: argument 'history' must be an object or an array of rows.`);
  const h = history as Record<string, unknown>;
  const record = (h['history'] && typeof h['history'] === 'object' && !Array.isArray(h['history']) ? h['history'] : h) as Record<string, unknown>;
  const epoch = Array.isArray(h['epoch']) ? (h['epoch'] as unknown[]) : undefined;
  const keys = Object.keys(record).filter((k) => k !== 'epoch' && Array.isArray(record[k]));
  const length = Math.max(0, ...keys.map((k) => (record[k] as unknown[]).length));
  // TF.js History counts epochs from 0; show them from 1 like the progress bar does.
  const isTf = record !== h;
  const x = epoch ? epoch.map((e) => (toNumber(e) ?? 0) + (isTf ? 1 : 0)) : Array.from({ length }, (_, i) => i + 1);
  const series: Record<string, Array<number | null>> = {};
  for (const k of keys) {
    const vals = record[k] as unknown[];
    if (vals.length !== x.length) {
      throw new ValueError(`historySeries: '${k}' has ${vals.length} values but epoch has ${x.length}.`);
    }
    const nums = vals.map(toNumber);
    if (nums.some((v) => v !== null)) series[k] = nums; // skip non-numeric columns
  }
  return { xKey: 'epoch', x, series };
}

/** Parses a JSONL metrics log (one JSON object per line; blank lines ignored). `file` names it in errors. */
export function parseJsonlLog(text: string, file = '<jsonl>'): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new DataError(`parseJsonlLog: ${file}:${i + 1} is not valid JSON: ${(err as Error).message}`, file, { cause: err });
    }
    if (!row || typeof row !== 'object' || Array.isArray(row)) throw new DataError(`parseJsonlLog: ${file}:${i + 1} is not a JSON object.`, file);
    rows.push(row as Record<string, unknown>);
  });
  return rows;
}

/** Reads and parses a JSONL metrics log file. */
export async function readJsonlLog(path: string): Promise<Array<Record<string, unknown>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DataError(`readJsonlLog: cannot read '${path}': ${(err as Error).message}`, path, { cause: err });
  }
  return parseJsonlLog(text, path);
}

/** True for validation keys: 'val_loss', 'val/psnr', 'val.acc', 'validation_...'. */
export function isValidationKey(key: string): boolean {
  return /^val(idation)?[_/.]/.test(key);
}
