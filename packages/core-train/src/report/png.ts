// A small PNG encoder/decoder (8-bit grey, grey+alpha, RGB, RGBA; no interlacing), on node:zlib.
// PNG spec: signature, then chunks [length u32 BE][type][data][CRC-32 of type+data]; IHDR, IDAT*, IEND.
import { deflateSync, inflateSync } from 'node:zlib';
import { ValueError } from '../errors.js';

/** The 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** An 8-bit image, row-major, channels interleaved (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };
const CHANNELS: Record<number, RawImage['channels']> = { 0: 1, 4: 2, 2: 3, 6: 4 };

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309 / zlib polynomial 0xEDB88320), as PNG chunks use. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = (crcTable[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes an 8-bit image as PNG (filter 0 on every row, zlib level 6). */
export function encodePng(image: RawImage): Uint8Array {
  const { width, height, channels, data } = image;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new ValueError(`encodePng: width and height must be positive integers. Value: ${width}×${height}.`);
  }
  if (COLOR_TYPE[channels] === undefined) throw new ValueError(`encodePng: channels must be 1, 2, 3 or 4. Value: ${channels}.`);
  const stride = width * channels;
  if (data.length !== stride * height) {
    throw new ValueError(`encodePng: data has ${data.length} bytes, ${width}×${height}×${channels} needs ${stride * height}.`);
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[channels] as number;
  // compression 0, filter method 0, interlace 0
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const parts = [PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Width and height from a PNG's IHDR (throws unless `bytes` start like a PNG). */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 24 || !PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    throw new ValueError(`pngSize: the bytes do not start with the PNG signature.`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') throw new ValueError(`pngSize: the first chunk is not IHDR.`);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decodes an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB, RGBA; all five row filters), checking
 * every chunk's CRC. Enough to read back what {@link encodePng} and resvg write.
 */
export function decodePng(bytes: Uint8Array): RawImage {
  const { width, height } = pngSize(bytes);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let channels: RawImage['channels'] | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos + 12 <= bytes.length) {
    const len = v.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const data = bytes.subarray(pos + 8, pos + 8 + len);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + len)) !== v.getUint32(pos + 8 + len)) {
      throw new ValueError(`decodePng: bad CRC in chunk ${type}.`);
    }
    if (type === 'IHDR') {
      if (data[8] !== 8 || data[12] !== 0) throw new ValueError(`decodePng: only 8-bit non-interlaced PNGs are supported.`);
      channels = CHANNELS[data[9] as number];
      if (!channels) throw new ValueError(`decodePng: colour type ${data[9]} is not supported.`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    pos += 12 + len;
  }
  if (!channels || !ended) throw new ValueError(`decodePng: missing ${channels ? 'IEND' : 'IHDR'} chunk.`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== (stride + 1) * height) throw new ValueError(`decodePng: image data has ${raw.length} bytes, expected ${(stride + 1) * height}.`);
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? (out[row + x - channels] as number) : 0;
      const b = y > 0 ? (out[row - stride + x] as number) : 0;
      const c = x >= channels && y > 0 ? (out[row - stride + x - channels] as number) : 0;
      const r = raw[src + x] as number;
      let value: number;
      switch (filter) {
        case 0: value = r; break;
        case 1: value = r + a; break;
        case 2: value = r + b; break;
        case 3: value = r + ((a + b) >> 1); break;
        case 4: value = r + paeth(a, b, c); break;
        default: throw new ValueError(`decodePng: unknown row filter ${filter}.`);
      }
      out[row + x] = value & 0xff;
    }
  }
  return { width, height, channels, data: out };
}
