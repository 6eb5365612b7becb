import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointError,
  decodeSafetensors,
  encodeSafetensors,
  fromRawTensor,
  listTempFiles,
  nodeIo,
  readSafetensors,
  toRawTensor,
  writeFileAtomic,
  writeSafetensors,
} from '../src/index.js';

const dir = await mkdtemp(join(tmpdir(), 'lw-st-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * The bytes Python's `safetensors.torch.save_file({'weight': tensor([[1., 2.], [3., 4.]]),
 * 'bias': tensor([1, 2])}, path, metadata={'format': 'pt'})` writes, built by hand from the format spec:
 * u64 LE header length, the JSON header (`__metadata__` first, tensors sorted by dtype — I64 before F32 —
 * then by name, keys dtype/shape/data_offsets) padded with spaces to a multiple of 8, then the raw
 * little-endian data in header order.
 */
function pythonBytes(): Uint8Array {
  let header =
    '{"__metadata__":{"format":"pt"},"bias":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},' +
    '"weight":{"dtype":"F32","shape":[2,2],"data_offsets":[16,32]}}';
  while (header.length % 8 !== 0) header += ' ';
  const len = header.length;
  const data = [
    [1, 0, 0, 0, 0, 0, 0, 0], // int64 1
    [2, 0, 0, 0, 0, 0, 0, 0], // int64 2
    [0x00, 0x00, 0x80, 0x3f], // float32 1.0 = 0x3f800000
    [0x00, 0x00, 0x00, 0x40], // 2.0
    [0x00, 0x00, 0x40, 0x40], // 3.0
    [0x00, 0x00, 0x80, 0x40], // 4.0
  ].flat();
  return Uint8Array.from([len & 0xff, (len >> 8) & 0xff, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode(header), ...data]);
}

describe('safetensors', () => {
  it('reads a file laid out as the Python writer lays it out', async () => {
    const path = join(dir, 'python.safetensors');
    await writeFile(path, pythonBytes());
    const file = await readSafetensors(path);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.weight!.dtype).toBe('F32');
    expect(file.tensors.weight!.shape).toEqual([2, 2]);
    expect([...(file.tensors.weight!.data as Float32Array)]).toEqual([1, 2, 3, 4]);
    expect([...(file.tensors.bias!.data as BigInt64Array)]).toEqual([1n, 2n]);
    const t = fromRawTensor(file.tensors.bias!);
    expect(t.dtype).toBe('int32');
    expect([...t.dataSync()]).toEqual([1, 2]);
    t.dispose();
  });

  it('writes the same bytes as the Python writer', () => {
    const bytes = encodeSafetensors(
      {
        weight: { dtype: 'F32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
        bias: { dtype: 'I64', shape: [2], data: BigInt64Array.of(1n, 2n) },
      },
      { format: 'pt' },
    );
    expect([...bytes]).toEqual([...pythonBytes()]);
  });

  it('round-trips tensors of several dtypes through TF.js', async () => {
    const a = tf.tensor([[0.5, -1.25, 3]], [1, 3]);
    const b = tf.tensor([7, -8], [2], 'int32');
    const c = tf.tensor([1, 0, 1], [3], 'bool');
    const raw = { a: await toRawTensor(a), b: await toRawTensor(b), c: await toRawTensor(c), d: { dtype: 'F64' as const, shape: [2], data: Float64Array.of(0.25, 1e-3) } };
    const back = decodeSafetensors(encodeSafetensors(raw, { note: 'x' }));
    expect(back.metadata).toEqual({ note: 'x' });
    for (const [name, t] of Object.entries({ a, b, c })) {
      const r = fromRawTensor(back.tensors[name]!);
      expect(r.dtype).toBe(t.dtype);
      expect(r.shape).toEqual(t.shape);
      expect([...r.dataSync()]).toEqual([...t.dataSync()]);
      r.dispose();
    }
    const d = fromRawTensor(back.tensors.d!);
    expect([...d.dataSync()]).toEqual([0.25, Math.fround(1e-3)]);
    tf.dispose([a, b, c, d]);
  });

  it('decodes F16 and BF16 to float32', () => {
    const f16 = fromRawTensor({ dtype: 'F16', shape: [3], data: Uint16Array.of(0x3c00, 0xc000, 0x3555) }); // 1, −2, ≈1/3
    const bf16 = fromRawTensor({ dtype: 'BF16', shape: [2], data: Uint16Array.of(0x3f80, 0x4040) }); // 1, 3
    expect([...f16.dataSync()]).toEqual([1, -2, 0.333251953125]);
    expect([...bf16.dataSync()]).toEqual([1, 3]);
    tf.dispose([f16, bf16]);
  });

  it('a truncated or corrupt file gives a CheckpointError naming the file', async () => {
    const good = pythonBytes();
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated.safetensors', good.slice(0, good.length - 3), /beyond the 29 data bytes|truncated/],
      ['short.safetensors', good.slice(0, 5), /fewer than the 8-byte header length/],
      ['header.safetensors', good.slice(0, 40), /header length \d+ exceeds the file size/],
      ['garbage.safetensors', Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('{"a":1,,')]), /does not parse/],
    ];
    const extra = new Uint8Array(good.length + 4);
    extra.set(good);
    cases.push(['trailing.safetensors', extra, /cover 32 of 36 data bytes/]);
    for (const [name, bytes, msg] of cases) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      const err = await readSafetensors(path).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(CheckpointError);
      expect((err as Error).message).toContain(path);
      expect((err as Error).message).toMatch(msg);
    }
    await expect(readSafetensors(join(dir, 'missing.safetensors'))).rejects.toThrow(/cannot read '.*missing.safetensors'/);
  });

  it('refuses overlapping offsets and sizes that do not match the shape', () => {
    const enc = (header: object, n: number): Uint8Array => {
      const h = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + h.length + n);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      out.set(h, 8);
      return out;
    };
    expect(() =>
      decodeSafetensors(
        enc({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12),
        'overlap.st',
      ),
    ).toThrow(/'overlap.st'.*holes or overlaps/);
    expect(() => decodeSafetensors(enc({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), 'size.st')).toThrow(/has 8 bytes, not F32 \[3\]/);
    expect(() => decodeSafetensors(enc({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, 1), 'dtype.st')).toThrow(/unknown dtype 'Q4'/);
  });
});

describe('atomic writes', () => {
  it('a failure while writing leaves the old file intact and no temporary file', async () => {
    const path = join(dir, 'ckpt.safetensors');
    await writeSafetensors(path, { a: { dtype: 'F32', shape: [1], data: Float32Array.of(1) } });
    const before = await readFile(path);
    // Inject a failure half-way through the write (as a full disk or a kill would).
    const failing = {
      ...nodeIo,
      async writeFile(p: string, data: Uint8Array) {
        await nodeIo.writeFile(p, data.subarray(0, data.length >> 1));
        throw new Error('ENOSPC: no space left on device (injected)');
      },
    };
    const err = await writeSafetensors(path, { a: { dtype: 'F32', shape: [4], data: Float32Array.of(1, 2, 3, 4) } }, {}, failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toContain('ENOSPC');
    expect(await readFile(path)).toEqual(before);
    expect(await listTempFiles(dir)).toEqual([]);
    // A failing rename behaves the same.
    const noRename = { ...nodeIo, rename: async () => Promise.reject(new Error('EXDEV (injected)')) };
    await expect(writeFileAtomic(path, Uint8Array.of(1, 2, 3), noRename)).rejects.toThrow(CheckpointError);
    expect(await readFile(path)).toEqual(before);
    expect(await listTempFiles(dir)).toEqual([]);
    // And a successful write replaces the file completely.
    await writeFileAtomic(path, Uint8Array.of(9, 8, 7));
    expect([...(await readFile(path))]).toEqual([9, 8, 7]);
  });
});
