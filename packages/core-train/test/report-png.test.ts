// The report's building blocks: PNG encode/decode, colormaps, training-log parsing, HTML escaping.
import { deflateSync } from 'node:zlib';
import { mulberry32 } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { DataError, ValueError } from '../src/errors.js';
import {
  colorize,
  colormapColor,
  crc32,
  decodePng,
  encodePng,
  escapeHtml,
  formatValue,
  historySeries,
  isValidationKey,
  parseJsonlLog,
  PNG_SIGNATURE,
  pngSize,
  svgToPng,
  type RawImage,
} from '../src/report/index.js';

function randomImage(width: number, height: number, channels: RawImage['channels'], seed: number): RawImage {
  const rng = mulberry32(seed);
  return { width, height, channels, data: Uint8Array.from({ length: width * height * channels }, () => Math.floor(rng() * 256)) };
}

/** Independent PNG writer using all five row filters (row y uses filter y mod 5), per the PNG spec. */
function filteredPng(img: RawImage): Uint8Array {
  const { width, height, channels: bpp, data } = img;
  const stride = width * bpp;
  const raw = new Uint8Array((stride + 1) * height);
  const at = (x: number, y: number) => (x < 0 || y < 0 ? 0 : (data[y * stride + x] as number));
  for (let y = 0; y < height; y++) {
    const f = y % 5;
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const cur = at(x, y);
      const a = at(x - bpp, y);
      const b = at(x, y - 1);
      const c = at(x - bpp, y - 1);
      const p = a + b - c;
      const pr = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, pr][f] as number;
      raw[y * (stride + 1) + 1 + x] = (cur - pred) & 0xff;
    }
  }
  const chunk = (type: string, body: Uint8Array) => {
    const out = new Uint8Array(12 + body.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, body.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(body, 8);
    v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, { 1: 0, 2: 4, 3: 2, 4: 6 }[bpp] as number, 0, 0, 0], 8);
  const idat = deflateSync(raw);
  // split IDAT in two chunks: decoders must concatenate them
  const parts = [PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat.subarray(0, 10)), chunk('IDAT', idat.subarray(10)), chunk('IEND', new Uint8Array())];
  return Uint8Array.from(parts.flatMap((p) => Array.from(p)));
}

describe('PNG', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it.each([1, 2, 3, 4] as const)('encodePng → decodePng round-trips %i-channel pixels; IHDR has the size', (channels) => {
    const img = randomImage(7, 5, channels, channels);
    const png = encodePng(img);
    expect(Array.from(png.subarray(0, 8))).toEqual(Array.from(PNG_SIGNATURE));
    expect(pngSize(png)).toEqual({ width: 7, height: 5 });
    const back = decodePng(png);
    expect(back.channels).toBe(channels);
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
  });

  it('decodePng undoes all five row filters (Sub, Up, Average, Paeth) and multi-chunk IDAT', () => {
    const img = randomImage(9, 11, 3, 42);
    const back = decodePng(filteredPng(img));
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
  });

  it('rejects corrupted and non-PNG bytes, and bad encoder input', () => {
    const png = encodePng(randomImage(3, 3, 1, 1));
    const bad = png.slice();
    bad[44] = (bad[44] as number) ^ 0xff; // inside IDAT data (8 signature + 25 IHDR + 8 length/type)
    expect(() => decodePng(bad)).toThrow(/bad CRC in chunk IDAT/);
    expect(() => pngSize(new Uint8Array(30))).toThrow(/PNG signature/);
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) })).toThrow(ValueError);
    expect(() => encodePng({ width: 0, height: 2, channels: 1, data: new Uint8Array(0) })).toThrow(/positive integers/);
  });

  it('svgToPng renders text with the configured sans font and sizes by scale', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><text x="4" y="22" font-size="18" font-family="sans-serif">Ag</text></svg>';
    const png = await svgToPng(svg, { scale: 3 });
    const img = decodePng(png);
    expect([img.width, img.height]).toEqual([240, 90]);
    // Text must have been drawn: some pixels dark. (Without a usable font resvg draws no glyphs.)
    let dark = 0;
    for (let i = 0; i < img.data.length; i += img.channels) if ((img.data[i] as number) < 100) dark++;
    expect(dark).toBeGreaterThan(50);
  });
});

describe('colorize', () => {
  it('maps min and max to the colormap ends, NaN to the NaN colour, and reports the range', () => {
    const img = colorize([0, 5, 10, Number.NaN], 2, 2, { colormap: 'viridis' });
    expect([img.min, img.max]).toEqual([0, 10]);
    expect(Array.from(img.data.subarray(0, 4))).toEqual([0x44, 0x01, 0x54, 255]);
    expect(Array.from(img.data.subarray(8, 12))).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(Array.from(img.data.subarray(12, 16))).toEqual([0, 0, 0, 0]);
  });

  it('clamps to explicit min/max; a constant field maps to the middle colour', () => {
    const img = colorize([-5, 5], 2, 1, { colormap: 'gray', min: 0, max: 1 });
    expect(Array.from(img.data)).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    expect(Array.from(colorize([3, 3], 2, 1, { colormap: 'gray' }).data.subarray(0, 3))).toEqual([128, 128, 128]);
    expect(colormapColor('gray', 0.5)).toEqual([128, 128, 128]);
  });

  it('rejects an unknown colormap and a size mismatch', () => {
    expect(() => colorize([1], 1, 1, { colormap: 'jet' as never })).toThrow(/unknown colormap 'jet'. Known: gray, viridis, magma, coolwarm/);
    expect(() => colorize([1, 2, 3], 2, 2)).toThrow(/data has 3 values, 2×2 needs 4/);
  });
});

describe('training logs', () => {
  it('reads a History-like record and TF.js History (epochs from 0 shown from 1)', () => {
    expect(historySeries({ epoch: [1, 2], loss: [2, 1], val_loss: [3, 2] })).toEqual({
      xKey: 'epoch',
      x: [1, 2],
      series: { loss: [2, 1], val_loss: [3, 2] },
    });
    const tfHistory = { epoch: [0, 1, 2], history: { loss: [0.9, 0.5, 0.4], acc: [0.5, 0.7, Number.NaN] } };
    expect(historySeries(tfHistory)).toEqual({ xKey: 'epoch', x: [1, 2, 3], series: { loss: [0.9, 0.5, 0.4], acc: [0.5, 0.7, null] } });
    expect(() => historySeries({ epoch: [1, 2], loss: [1] })).toThrow(/'loss' has 1 values but epoch has 2/);
  });

  it('reads JSONL rows: x from epoch, later rows win, non-numeric fields ignored', () => {
    const text = [
      '{"epoch": 1, "loss": 1.0, "kd": 0.5, "phase": "train"}',
      '',
      '{"epoch": 1, "val_psnr": 20}',
      '{"epoch": 2, "loss": 0.5, "kd": 0.25}',
      '{"epoch": 2, "loss": 0.4, "val_psnr": 22}',
      '{"event": "done"}',
    ].join('\n');
    const rows = parseJsonlLog(text, 'run.jsonl');
    expect(rows).toHaveLength(5);
    expect(historySeries(rows)).toEqual({ xKey: 'epoch', x: [1, 2], series: { loss: [1, 0.4], kd: [0.5, 0.25], val_psnr: [20, 22] } });
    expect(historySeries([{ step: 10, loss: 2 }, { step: 20, loss: 1 }]).xKey).toBe('step');
  });

  it('names the file and line of a bad JSONL row', () => {
    expect(() => parseJsonlLog('{"epoch":1}\n{oops', 'logs/train.jsonl')).toThrow(DataError);
    expect(() => parseJsonlLog('{"epoch":1}\n{oops', 'logs/train.jsonl')).toThrow(/logs\/train.jsonl:2 is not valid JSON/);
    expect(() => parseJsonlLog('[1,2]', 'x.jsonl')).toThrow(/x.jsonl:1 is not a JSON object/);
  });

  it('tells validation keys apart', () => {
    expect(['val_loss', 'val/psnr', 'validation_acc', 'val.ssim'].every(isValidationKey)).toBe(true);
    expect(['loss', 'value', 'interval_ms', 'kd'].some(isValidationKey)).toBe(false);
  });
});

describe('HTML helpers', () => {
  it('escapes every HTML-special character', () => {
    expect(escapeHtml(`<script>alert("x") & 'y'</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;');
  });

  it('formats numbers for tables', () => {
    expect([12, 0.123456, 1234.5678, 1.5e-5, 25000000.5, Number.NaN, Infinity, null, true].map((v) => formatValue(v))).toEqual([
      '12', '0.1235', '1235', '1.500e-5', '2.500e+7', 'NaN', '∞', '', 'true',
    ]);
  });
});
