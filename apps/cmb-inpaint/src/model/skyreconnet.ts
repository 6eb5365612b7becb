// A SkyReconNet-like inpainting network (standard and dilated convolutions fused across resolutions),
// written as a core-train FunctionModel on padded HEALPix faces.
//
//   input [B, W, W, 2] (observed map / scale, mask), W = nside + 2·pad
//   stem    s  = relu(conv3×3(input → C))
//   block₁  h₁ = s + conv1×1(concat_r relu(conv3×3, dilation r (s → C/2)))          r ∈ rates (1, 2, 4, 8)
//   low     d  = relu(conv3×3(avgpool₂(h₁) → 2C));  d₁ = d + conv1×1(concat_r relu(dilated conv3×3 (d → C)))
//   fuse    h₂ = relu(conv3×3(concat(h₁, upsample₂(d₁)) → C))                       cross-resolution fusion
//   block₂  h₃ = h₂ + conv1×1(concat_r relu(conv3×3, dilation r (h₂ → C/2)))
//   head    p  = conv3×3(concat(h₃, s, input) → 1)                                    skips from the stem and the input
//   output  y  = m·x + (1 − m)·p  on the central nside × nside face (known pixels kept exactly)
//
// With prefill 'diffusion' the hole of x already holds the diffusion baseline's fill (see fit.ts
// networkInputMap) and the head predicts a correction to it: y = m·x + (1 − m)·(x + p). Its head starts
// at zero, so the untrained network is exactly the diffusion baseline and training can only move it
// towards lower loss.
//
// Every other conv is He-initialised with zero bias; the model is built under a seed (withSeed) so two
// builds with one seed are identical.
import * as tf from '@tensorflow/tfjs';
import { ValueError } from '@lossworks/core-losses';
import { withSeed, type FunctionModel } from '@lossworks/core-train';

/** Architecture of the network (saved with its weights). */
export interface NetConfig {
  /** HEALPix nside of the faces (the central output is nside × nside). */
  nside: number;
  /** Pixels of neighbouring faces around each face. */
  pad: number;
  /** Feature channels C at full resolution (2C at half resolution). Even. */
  channels: number;
  /** Dilation rates of the parallel branches. */
  rates: number[];
  /** What the hole of the input holds: 0 ('none', the default of models saved without it) or the diffusion fill. */
  prefill?: 'none' | 'diffusion';
}

/** The network: a core-train FunctionModel plus its architecture; `dispose()` frees the weights. */
export interface SkyReconNet extends FunctionModel {
  readonly config: NetConfig;
  /** Number of trainable scalars. */
  readonly parameterCount: number;
  dispose(): void;
}

/** Checks an architecture; throws ValueError naming the bad field. */
export function checkNetConfig(c: NetConfig): void {
  if (!Number.isInteger(c.nside) || c.nside < 2 || (c.nside & (c.nside - 1)) !== 0) throw new ValueError(`buildNet: 'nside' must be a power of two ≥ 2. Value: ${c.nside}.`);
  if (!Number.isInteger(c.pad) || c.pad < 0 || c.pad > c.nside) throw new ValueError(`buildNet: 'pad' must be an integer in [0, nside = ${c.nside}]. Value: ${c.pad}.`);
  if (!Number.isInteger(c.channels) || c.channels < 2 || c.channels % 2 !== 0) throw new ValueError(`buildNet: 'channels' must be an even integer ≥ 2. Value: ${c.channels}.`);
  if (c.rates.length === 0 || c.rates.some((r) => !Number.isInteger(r) || r < 1)) throw new ValueError(`buildNet: 'rates' must be integers ≥ 1. Value: [${c.rates.join(', ')}].`);
  if (c.prefill !== undefined && c.prefill !== 'none' && c.prefill !== 'diffusion') throw new ValueError(`buildNet: 'prefill' must be 'none' or 'diffusion'. Value: ${String(c.prefill)}.`);
}

interface ConvSpec {
  k: number;
  cin: number;
  cout: number;
}

/** Layer table: name → kernel size and channels, in a stable order (checkpoint keys follow it). */
function layerSpecs(c: NetConfig): [string, ConvSpec][] {
  const C = c.channels;
  const half = C / 2;
  const out: [string, ConvSpec][] = [['stem', { k: 3, cin: 2, cout: C }]];
  c.rates.forEach((r) => out.push([`block1_d${r}`, { k: 3, cin: C, cout: half }]));
  out.push(['block1_fuse', { k: 1, cin: half * c.rates.length, cout: C }]);
  out.push(['down', { k: 3, cin: C, cout: 2 * C }]);
  c.rates.forEach((r) => out.push([`low_d${r}`, { k: 3, cin: 2 * C, cout: C }]));
  out.push(['low_fuse', { k: 1, cin: C * c.rates.length, cout: 2 * C }]);
  out.push(['fuse', { k: 3, cin: 3 * C, cout: C }]);
  c.rates.forEach((r) => out.push([`block2_d${r}`, { k: 3, cin: C, cout: half }]));
  out.push(['block2_fuse', { k: 1, cin: half * c.rates.length, cout: C }]);
  out.push(['head', { k: 3, cin: 2 * C + 2, cout: 1 }]);
  return out;
}

let instances = 0;

/** A TF.js variable name unique to this process (TF.js refuses two variables of one name). */
export function uniqueVariableName(key: string): string {
  return `skyreconnet${++instances}/${key}`;
}

/** Builds the network with He-normal weights drawn under `seed`. */
export function buildNet(config: NetConfig, seed = 0): SkyReconNet {
  checkNetConfig(config);
  const specs = layerSpecs(config);
  const variables: Record<string, tf.Variable> = withSeed(seed, () => {
    const vars: Record<string, tf.Variable> = {};
    for (const [name, s] of specs) {
      const std = Math.sqrt(2 / (s.k * s.k * s.cin));
      // the head starts small so the untrained network predicts ≈ 0 (a mean fill) in the hole, or at
      // zero with a prefilled input (the untrained network is then the diffusion baseline)
      const scale = name === 'head' ? (config.prefill === 'diffusion' ? 0 : 0.1) : 1;
      vars[`${name}.w`] = tf.tidy(() => tf.variable(tf.mul(tf.randomNormal([s.k, s.k, s.cin, s.cout], 0, std), scale), true, uniqueVariableName(`${name}.w`)));
      vars[`${name}.b`] = tf.tidy(() => tf.variable(tf.zeros([s.cout]), true, uniqueVariableName(`${name}.b`)));
    }
    return vars;
  });
  return wrapNet(config, variables);
}

/** A network over existing variables (e.g. loaded weights); checks every variable's shape. */
export function wrapNet(config: NetConfig, variables: Record<string, tf.Variable>): SkyReconNet {
  checkNetConfig(config);
  const specs = layerSpecs(config);
  for (const [name, s] of specs) {
    const w = variables[`${name}.w`];
    const b = variables[`${name}.b`];
    const want = [s.k, s.k, s.cin, s.cout];
    if (!w || !b) throw new ValueError(`SkyReconNet: weights of layer '${name}' are missing.`);
    if (w.shape.join() !== want.join() || b.shape.join() !== String(s.cout)) {
      throw new ValueError(`SkyReconNet: layer '${name}' needs weights [${want}] and bias [${s.cout}]. Values: [${w.shape}], [${b.shape}].`);
    }
  }
  const { nside, pad, rates } = config;
  const residual = config.prefill === 'diffusion';
  const width = nside + 2 * pad;
  // A conv over the channel-concatenation of `xs`, computed as Σ_i conv(x_i, W_i) with W split along its
  // input channels: the same function and parameters, without materialising the concatenation (whose
  // gradient, a SplitV of a large tensor, is slow on several backends).
  const conv = (xs: tf.Tensor4D[], name: string, dilation = 1, relu = true): tf.Tensor4D => {
    const w = variables[`${name}.w`] as tf.Tensor4D;
    const b = variables[`${name}.b`]!;
    const activation = relu ? 'relu' : 'linear';
    if (xs.length === 1) return tf.fused.conv2d({ x: xs[0]!, filter: w, bias: b, strides: 1, pad: 'same', dilations: dilation, activation });
    let start = 0;
    let acc: tf.Tensor4D | null = null;
    for (const x of xs) {
      const cin = x.shape[3];
      const wi = tf.slice(w, [0, 0, start, 0], [-1, -1, cin, -1]);
      start += cin;
      const y = tf.conv2d(x, wi, 1, 'same', 'NHWC', dilation);
      acc = acc ? (tf.add(acc, y) as tf.Tensor4D) : y;
    }
    const out = tf.add(acc!, b) as tf.Tensor4D;
    return relu ? tf.relu(out) : out;
  };
  const block = (x: tf.Tensor4D, prefix: string): tf.Tensor4D => {
    const branches = rates.map((r) => conv([x], `${prefix}_d${r}`, r));
    return tf.add(x, conv(branches, `${prefix}_fuse`, 1, false));
  };
  let parameterCount = 0;
  for (const v of Object.values(variables)) parameterCount += v.size;
  return {
    config: { ...config, rates: [...rates], prefill: config.prefill ?? 'none' },
    variables,
    parameterCount,
    apply(input) {
      if (!(input instanceof tf.Tensor)) throw new ValueError('SkyReconNet.apply: expects one tensor [B, W, W, 2].');
      const shape = input.shape;
      // A whole padded face (W = nside + 2·pad), or for training a square crop of one whose output
      // side W − 2·pad is even (the half-resolution path pools by 2).
      const h = shape[1]!;
      const out = h - 2 * pad;
      if (shape.length !== 4 || shape[2] !== h || shape[3] !== 2 || out < 2 || out % 2 !== 0) {
        throw new ValueError(`SkyReconNet.apply: input must be [B, W, W, 2] with W = nside + 2·pad = ${width} (or a crop with W − 2·pad even and ≥ 2). Shape: [${shape}].`);
      }
      return tf.tidy(() => {
        const x = input as tf.Tensor4D;
        const s = conv([x], 'stem');
        const h1 = block(s, 'block1');
        const d = conv([tf.avgPool(h1, 2, 2, 'valid')], 'down');
        const d1 = block(d, 'low');
        const up = tf.image.resizeNearestNeighbor(d1, [h, h]);
        const h2 = conv([h1, up], 'fuse');
        const h3 = block(h2, 'block2');
        const p = conv([h3, s, x], 'head', 1, false);
        const crop = (t: tf.Tensor4D, c0: number, cn: number): tf.Tensor4D => tf.slice(t, [0, pad, pad, c0], [-1, out, out, cn]);
        const obs = crop(x, 0, 1);
        const m = crop(x, 1, 1);
        const fill = residual ? tf.add(obs, crop(p as tf.Tensor4D, 0, 1)) : crop(p as tf.Tensor4D, 0, 1);
        return tf.add(tf.mul(m, obs), tf.mul(tf.sub(1, m), fill));
      });
    },
    dispose() {
      for (const v of Object.values(variables)) v.dispose();
    },
  };
}
