import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { CheckpointError } from '../errors.js';
import { writeFileAtomic, type AtomicIo } from './atomic.js';

/**
 * safetensors (huggingface/safetensors): an 8-byte little-endian u64 header length N, N bytes of UTF-8
 * JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { string: string } }`
 * (padded with spaces to a multiple of 8), then the tensors' little-endian bytes, contiguous and in order.
 */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

/** The typed array that holds each dtype's elements (F16/BF16 as raw 16-bit words). */
export type SafetensorsData =
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | BigInt64Array
  | BigUint64Array;

/** One tensor as stored: dtype, shape and its elements. */
export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

/** A whole safetensors file: tensors by name and the free-form string metadata. */
export interface SafetensorsFile {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};

const ARRAY: Record<SafetensorsDtype, { new (buffer: ArrayBuffer): SafetensorsData; name: string }> = {
  F64: Float64Array, F32: Float32Array, F16: Uint16Array, BF16: Uint16Array, I64: BigInt64Array, I32: Int32Array,
  I16: Int16Array, I8: Int8Array, U64: BigUint64Array, U32: Uint32Array, U16: Uint16Array, U8: Uint8Array, BOOL: Uint8Array,
};

/** Header length above which a file is refused as corrupt (the Rust reader uses 100 MB). */
const MAX_HEADER = 100_000_000;

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Serialises tensors to safetensors bytes. Tensors are laid out the way the Python/Rust writer does
 * (largest dtype first, then by name) and the header is space-padded to 8 bytes, so a file opens with
 * `safetensors.safe_open` and `torch`-side tools.
 */
export function encodeSafetensors(tensors: Record<string, RawTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort((x, y) => {
    const dx = BYTES[tensors[x]!.dtype];
    const dy = BYTES[tensors[y]!.dtype];
    return dy - dx || (x < y ? -1 : x > y ? 1 : 0);
  });
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new CheckpointError("encodeSafetensors: '__metadata__' is reserved and cannot name a tensor.");
    const t = tensors[name]!;
    if (!(t.dtype in BYTES)) throw new CheckpointError(`encodeSafetensors: tensor '${name}' has unknown dtype '${String(t.dtype)}'.`);
    const nbytes = elementCount(t.shape) * BYTES[t.dtype];
    if (t.data.byteLength !== nbytes) {
      throw new CheckpointError(
        `encodeSafetensors: tensor '${name}' (${t.dtype} [${t.shape.join(',')}]) needs ${nbytes} bytes but its data has ${t.data.byteLength}.`,
      );
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + nbytes] };
    offset += nbytes;
  }
  let json = JSON.stringify(header);
  let headerBytes = new TextEncoder().encode(json);
  const pad = (8 - (headerBytes.length % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    headerBytes = new TextEncoder().encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors[name]!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}

/**
 * Parses safetensors bytes; any inconsistency (short file, bad header, overlapping or out-of-range
 * offsets, size not matching dtype × shape) throws CheckpointError naming `file`.
 */
export function decodeSafetensors(bytes: Uint8Array, file = '<bytes>'): SafetensorsFile {
  const fail = (what: string): never => {
    throw new CheckpointError(`decodeSafetensors: '${file}' is not a valid safetensors file: ${what}.`);
  };
  if (bytes.byteLength < 8) fail(`it has ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > bytes.byteLength) fail(`header length ${n} exceeds the file size ${bytes.byteLength} (truncated?)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (err) {
    return fail(`its JSON header does not parse (${(err as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return fail('its header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const raw = header.__metadata__;
  if (raw !== undefined) {
    if (raw === null || typeof raw !== 'object') fail("'__metadata__' is not an object");
    for (const [k, v] of Object.entries(raw as object)) {
      if (typeof v !== 'string') fail(`metadata value '${k}' is not a string`);
      metadata[k] = v as string;
    }
  }
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const i = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof i.dtype !== 'string' || !(i.dtype in BYTES)) fail(`tensor '${name}' has unknown dtype '${String(i.dtype)}'`);
    if (!Array.isArray(i.shape) || !i.shape.every((s) => Number.isInteger(s) && s >= 0)) fail(`tensor '${name}' has a bad shape`);
    const off = i.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0)) fail(`tensor '${name}' has bad data_offsets`);
    const [begin, end] = off as [number, number];
    const dtype = i.dtype as SafetensorsDtype;
    const shape = i.shape as number[];
    if (end < begin || end > dataLength) fail(`tensor '${name}' spans bytes [${begin}, ${end}) beyond the ${dataLength} data bytes (truncated?)`);
    if (end - begin !== elementCount(shape) * BYTES[dtype]) fail(`tensor '${name}' has ${end - begin} bytes, not ${dtype} [${shape.join(',')}]`);
    entries.push({ name, dtype, shape, begin, end });
  }
  entries.sort((x, y) => x.begin - y.begin);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) fail(`tensor '${e.name}' starts at byte ${e.begin}, expected ${expected} (holes or overlaps)`);
    expected = e.end;
  }
  if (expected !== dataLength) fail(`the tensors cover ${expected} of ${dataLength} data bytes`);
  const tensors: Record<string, RawTensor> = {};
  for (const e of entries) {
    // Copy: the data may not be aligned for its typed array.
    const copy = new Uint8Array(bytes.subarray(dataStart + e.begin, dataStart + e.end)).buffer; // Buffer#slice would share memory
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data: new ARRAY[e.dtype](copy) };
  }
  return { tensors, metadata };
}

/** Reads and parses a safetensors file; a missing, truncated or corrupt file throws CheckpointError naming it. */
export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new CheckpointError(`readSafetensors: cannot read '${path}': ${(err as Error).message}`, { cause: err });
  }
  return decodeSafetensors(bytes, path);
}

/** Writes a safetensors file atomically (temporary file + rename). */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, RawTensor>,
  metadata: Record<string, string> = {},
  io?: AtomicIo,
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata), io);
}

/** Reads a TF.js tensor's values into a {@link RawTensor} (float32 → F32, int32 → I32, bool → BOOL). */
export async function toRawTensor(t: tf.Tensor): Promise<RawTensor> {
  const values = await t.data();
  switch (t.dtype) {
    case 'float32':
      return { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(values as Float32Array) };
    case 'int32':
      return { dtype: 'I32', shape: [...t.shape], data: Int32Array.from(values as Int32Array) };
    case 'bool':
      return { dtype: 'BOOL', shape: [...t.shape], data: Uint8Array.from(values as Uint8Array) };
    default:
      throw new CheckpointError(`toRawTensor: dtype '${t.dtype}' cannot be stored in safetensors.`);
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * Makes a TF.js tensor from a stored one: floats become float32 (F64/F16/BF16 converted), integers int32
 * (64-bit values outside the int32 range throw), BOOL bool. The caller owns the result.
 */
export function fromRawTensor(raw: RawTensor, name = 'tensor'): tf.Tensor {
  const { dtype, shape, data } = raw;
  switch (dtype) {
    case 'F32':
      return tf.tensor(data as Float32Array, shape, 'float32');
    case 'F64':
      return tf.tensor(Float32Array.from(data as Float64Array), shape, 'float32');
    case 'F16':
      return tf.tensor(Float32Array.from(data as Uint16Array, halfToFloat), shape, 'float32');
    case 'BF16': {
      const out = new Float32Array(data.length);
      new Uint32Array(out.buffer).set(Uint32Array.from(data as Uint16Array, (w) => w << 16));
      return tf.tensor(out, shape, 'float32');
    }
    case 'BOOL':
      return tf.tensor(Uint8Array.from(data as Uint8Array), shape, 'bool');
    case 'I64':
    case 'U64': {
      const out = new Int32Array(data.length);
      (data as BigInt64Array).forEach((v, i) => {
        if (v > 2147483647n || v < -2147483648n) throw new CheckpointError(`fromRawTensor: '${name}' holds ${v}, outside int32.`);
        out[i] = Number(v);
      });
      return tf.tensor(out, shape, 'int32');
    }
    case 'U32': {
      const arr = data as Uint32Array;
      if (arr.some((v) => v > 2147483647)) throw new CheckpointError(`fromRawTensor: '${name}' holds values outside int32.`);
      return tf.tensor(Int32Array.from(arr), shape, 'int32');
    }
    default:
      return tf.tensor(Int32Array.from(data as Int32Array), shape, 'int32');
  }
}
