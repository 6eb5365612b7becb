// Image files ↔ raw pixels through sharp. Every decode checks `info.channels`: libvips hands out a
// grayscale PNG as 3 channels (and 1-bit PNGs as 0/255), grey+alpha as 2, RGBA as 4. Failures become a
// DataError naming the file, with sharp's error as the cause.
import sharp from 'sharp';
import { DataError } from '@lossworks/core-train';
import type { RgbImage } from './types.js';

export type { RgbImage } from './types.js';

/** An 8-bit single-channel image, row-major (width · height). */
export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

interface Decoded {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

async function decode(file: string, fn: string): Promise<Decoded> {
  try {
    // failOn 'error': truncated or corrupt pixel data aborts; mere warnings (odd JPEG markers) do not.
    const { data, info } = await sharp(file, { failOn: 'error' }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (!(info.channels >= 1 && info.channels <= 4) || data.length !== info.width * info.height * info.channels) {
      throw new DataError(`${fn}: ${file}: unexpected decoded layout (${info.channels} channels, ${data.length} bytes for ${info.width}×${info.height}).`, file);
    }
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (err) {
    if (err instanceof DataError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new DataError(`${fn}: cannot decode image ${file}: ${why}`, file, { cause: err });
  }
}

/**
 * Reads an image file as 8-bit RGB: grayscale (1 channel, or sharp's 3 equal channels) is replicated to 3
 * channels, an alpha channel is dropped. Throws DataError naming the file when it is missing or corrupt.
 */
export async function readRgb(file: string): Promise<RgbImage> {
  const { data, width, height, channels } = await decode(file, 'readRgb');
  const n = width * height;
  if (channels === 3) return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (channels <= 2) {
      const g = data[i * channels]!;
      out[3 * i] = g;
      out[3 * i + 1] = g;
      out[3 * i + 2] = g;
    } else {
      out[3 * i] = data[4 * i]!;
      out[3 * i + 1] = data[4 * i + 1]!;
      out[3 * i + 2] = data[4 * i + 2]!;
    }
  }
  return { data: out, width, height };
}

/**
 * Reads a mask file as one 8-bit channel: the maximum over its colour channels (alpha ignored), so a
 * gray, RGB-encoded or coloured mask all give their foreground as high values. Throws DataError naming
 * the file when it is missing or corrupt.
 */
export async function readGray(file: string): Promise<GrayImage> {
  const { data, width, height, channels } = await decode(file, 'readGray');
  const colour = channels === 2 ? 1 : channels === 4 ? 3 : channels;
  const n = width * height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let c = 0; c < colour; c++) m = Math.max(m, data[i * channels + c]!);
    out[i] = m;
  }
  return { data: out, width, height };
}

/** Options of {@link encodeImage}. */
export interface EncodeOptions {
  /** 'png' (lossless) or 'jpg'. */
  format: 'png' | 'jpg';
  /** JPEG quality 1..100. Default 95. */
  quality?: number;
}

/** Encodes raw 8-bit pixels (1 or 3 channels) as PNG or JPEG bytes. */
export async function encodeImage(data: Uint8Array, width: number, height: number, channels: 1 | 3, options: EncodeOptions): Promise<Buffer> {
  const img = sharp(data, { raw: { width, height, channels } });
  return options.format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: options.quality ?? 95, chromaSubsampling: '4:4:4' }).toBuffer();
}
