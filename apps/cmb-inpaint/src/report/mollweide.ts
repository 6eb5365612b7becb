// Mollweide projection of HEALPix maps, as healpy mollview: the whole sphere in an ellipse twice as wide
// as high, longitude 0 in the centre and increasing to the left (astronomical convention), north up.
// Plane coordinates x ∈ [−2√2, 2√2], y ∈ [−√2, √2]; with the auxiliary angle ϑ:
//   forward: 2ϑ + sin 2ϑ = π sin(lat),  x = (2√2/π)·lon·cos ϑ,  y = √2 sin ϑ;
//   inverse: ϑ = asin(y/√2),  lat = asin((2ϑ + sin 2ϑ)/π),  lon = π x/(2√2 cos ϑ).
// Here lon = −φ (HEALPix φ grows eastwards, to the left on the sky), so φ = −lon mod 2π and θ = π/2 − lat.
import { ang2pix } from '@lossworks/healpix';
import { ValueError } from '@lossworks/core-losses';

const SQRT2 = Math.SQRT2;

/** HEALPix angles (θ colatitude, φ longitude in [0, 2π)) of plane point (x, y), or null outside the ellipse. */
export function mollweideInverse(x: number, y: number): [number, number] | null {
  if ((x * x) / 8 + (y * y) / 2 > 1 + 1e-12) return null;
  const aux = Math.asin(Math.max(-1, Math.min(1, y / SQRT2)));
  const lat = Math.asin(Math.max(-1, Math.min(1, (2 * aux + Math.sin(2 * aux)) / Math.PI)));
  const c = Math.cos(aux);
  const lon = c > 1e-12 ? (Math.PI * x) / (2 * SQRT2 * c) : 0;
  if (Math.abs(lon) > Math.PI + 1e-9) return null;
  let phi = -lon;
  phi = ((phi % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
  return [Math.PI / 2 - lat, phi];
}

/** Plane point (x, y) of HEALPix angles (θ, φ) (Newton iterations on the auxiliary angle). */
export function mollweideForward(theta: number, phi: number): [number, number] {
  const lat = Math.PI / 2 - theta;
  let lon = -phi;
  lon = ((((lon + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI; // (−π, π]
  let aux = lat;
  if (Math.abs(Math.abs(lat) - Math.PI / 2) > 1e-12) {
    for (let i = 0; i < 50; i++) {
      const f = 2 * aux + Math.sin(2 * aux) - Math.PI * Math.sin(lat);
      const d = f / (2 + 2 * Math.cos(2 * aux));
      aux -= d;
      if (Math.abs(d) < 1e-14) break;
    }
  }
  return [((2 * SQRT2) / Math.PI) * lon * Math.cos(aux), SQRT2 * Math.sin(aux)];
}

/** A projected map: row-major `height × width` values, NaN outside the ellipse and where the map is NaN. */
export interface MollweideImage {
  data: Float64Array;
  width: number;
  height: number;
}

/**
 * Mollweide image of a RING map, `width` × width/2 pixels (top row north): each image pixel centre is
 * inverted to (θ, φ) and looked up with ang2pix (nearest HEALPix pixel).
 */
export function mollweideImage(map: ArrayLike<number>, width: number): MollweideImage {
  if (!Number.isInteger(width) || width < 4 || width % 2 !== 0) throw new ValueError(`mollweideImage: 'width' must be an even integer ≥ 4. Value: ${width}.`);
  const nside = Math.round(Math.sqrt(map.length / 12));
  if (12 * nside * nside !== map.length) throw new ValueError(`mollweideImage: map length must be 12·nside². Value: ${map.length}.`);
  const height = width / 2;
  const data = new Float64Array(width * height).fill(NaN);
  for (let j = 0; j < height; j++) {
    const y = (1 - (2 * (j + 0.5)) / height) * SQRT2;
    for (let i = 0; i < width; i++) {
      const x = ((2 * (i + 0.5)) / width - 1) * 2 * SQRT2;
      const ang = mollweideInverse(x, y);
      if (ang) data[j * width + i] = map[ang2pix(nside, ang[0], ang[1])]!;
    }
  }
  return { data, width, height };
}
