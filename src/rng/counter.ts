/**
 * Counter-based generators: value number i of a stream is a pure function of (key, i), so any
 * subset of a stream's values can be computed without the others, in any order. The noise
 * kernels of the stochastic activations draw only the elements that need noise (x <= 0) and
 * still produce the same values as the generic path that draws the whole tensor.
 *
 *   counterHash(i, key) = mix32(mix32(i ^ key.k0) ^ key.k1)
 *
 * with mix32 the splitmix32 output function (as in sequential.ts) (a bijective 32-bit avalanche), so each key
 * is a permutation of the 32-bit counters; the 64-bit key makes two steps' keys collide with
 * probability 2^-64 instead of the 2^-32 of a 32-bit seed. Normals come from a ziggurat; see
 * computeZiggurat and createCounterSampler.
 */
import { deriveSeed } from './seed.js';

/** The 64-bit key of one counter-based stream. */
export interface StreamKey {
  k0: number;
  k1: number;
}

/** Derives a stream key from a seed and labels (two independent deriveSeed paths). */
export function streamKey(seed: number, ...parts: (string | number)[]): StreamKey {
  return { k0: deriveSeed(seed, ...parts), k1: deriveSeed(seed, 'stream-key', ...parts) };
}

/** The functions of the counter-based generators; see `createCounterSampler`. */
export interface CounterSampler {
  /** 32 random bits of counter i of the stream `k0, k1`, as a signed int32. */
  bits(i: number, k0: number, k1: number): number;
  /** Element i of the N(0, 1) stream `k0, k1`. */
  normalAt(i: number, k0: number, k1: number): number;
  /** Writes elements offset..offset+out.length-1 of the N(0, 1) stream into `out`. */
  fillNormal(out: Float32Array, k0: number, k1: number, offset: number): void;
  /**
   * Element i of the uniform stream `k0, k1` as float32: low + (bits >>> 8) * span, both
   * float32 operations; `low` and `span` come from `uniformParams`.
   */
  uniformAt(i: number, k0: number, k1: number, low: number, span: number): number;
  /**
   * The ziggurat for a GPU port: tables K[b] (acceptance bounds), W[b] (float32 widths), F[j] = f(X[j]), and constants.
   */
  tables(): ZigguratTables;
}

export interface ZigguratTables {
  K: Int32Array;
  W: Float32Array;
  F: Float64Array;
  /** Start of the tail. */
  R: number;
  /** Bits below the position (layer and sign). */
  SHIFT: number;
  /** Key tweaks of the extra draws: k0 ^ EXTRA_K0, k1 + draw * EXTRA_STEP. */
  EXTRA_K0: number;
  EXTRA_STEP: number;
}

/** The float32 `low` and `span` of `CounterSampler.uniformAt` for U[low, high). */
export function uniformParams(low: number, high: number): { low: number; span: number } {
  return { low: Math.fround(low), span: Math.fround((high - low) / 16777216) };
}

/**
 * The ziggurat of `createCounterSampler`'s normals: Marsaglia & Tsang (2000) with 256 layers of area V each under
 * f(x) = exp(-x^2/2), R being where the tail starts. Self-contained (it uses nothing outside its own body), as
 * `createCounterSampler` is, so a worker thread can evaluate its source too.
 */
export function computeZiggurat(): ZigguratTables {
  const LAYERS = 256;
  const R = 3.6541528853610088;
  const V = 4.92867323399e-3;
  const SHIFT = 9;
  const SCALE = 2 ** (32 - SHIFT);
  const gauss = (x: number): number => Math.exp(-0.5 * x * x);
  // Layer edges X[0] (the base strip's virtual width) > X[1] = R > ... > X[255] > X[256] = 0.
  const X = new Float64Array(LAYERS + 1);
  X[0] = V / gauss(R);
  X[1] = R;
  for (let j = 1; j < LAYERS - 1; j++) X[j + 1] = Math.sqrt(-2 * Math.log(V / X[j] + gauss(X[j])));
  X[LAYERS] = 0;
  const F = X.map(gauss);
  // Indexed by the low 9 bits (layer and sign): accept a position below K; the value is position * W.
  const K = new Int32Array(2 * LAYERS);
  const W = new Float32Array(2 * LAYERS);
  for (let b = 0; b < 2 * LAYERS; b++) {
    const j = b & (LAYERS - 1);
    K[b] = Math.floor((X[j + 1] / X[j]) * SCALE);
    W[b] = ((b & LAYERS) === 0 ? 1 : -1) * (X[j] / SCALE);
  }
  // Key tweaks for the extra draws of rejected elements (never the stream's own values).
  return { K, W, F, R, SHIFT, EXTRA_K0: 0x9e3779b9 | 0, EXTRA_STEP: 0x632be5ab };
}

/**
 * Builds the counter-based generators from the ziggurat's tables (`computeZiggurat()`). Self-contained (it uses
 * nothing outside its own body and its argument), so its source text can be evaluated in a worker thread that draws
 * the next step's noise ahead of time (src/activations/noise-prefetch.ts) and computes exactly the values this thread
 * would.
 *
 * Hash: bits(i) = mix32(mix32(i ^ k0) ^ k1), mix32 being splitmix32's output function (a
 * bijective 32-bit avalanche), so each key permutes the 32-bit counters.
 *
 * Normal: the ziggurat (`computeZiggurat`). The bits of one draw are split without
 * overlap: bits 0-7 pick the layer, bit 8 the sign, bits 9-31 (23 bits) the position in the
 * layer. 98.5% of draws are accepted by one table comparison; the rest take the wedge test or
 * Marsaglia's exponential tail method, with further draws from counters of a tweaked key.
 *
 * Float32 arithmetic: every value is what the same formula gives in float32 (as a WGSL port
 * computes it on a GPU). The accepted draw is position * W[b] with W a float32 table: the
 * float64 product of a 23-bit integer and a float32 is exact, so rounding it once to float32
 * is float32's own multiply. Uniforms use 24 bits (exact in float32): low + u24 * span, each
 * operation rounded to float32 (float64 then float32 rounding equals float32's for + and *).
 * Only the slow path's log/exp (1.5% of normals) are float64 here and approximate on a GPU.
 */
export function createCounterSampler(ziggurat: ZigguratTables): CounterSampler {
  const mix32 = (x: number): number => {
    let t = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
    t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
    return t ^ (t >>> 15);
  };
  const bits = (i: number, k0: number, k1: number): number => mix32(mix32(i ^ k0) ^ k1);

  const { K, W, F, R, SHIFT, EXTRA_K0, EXTRA_STEP } = ziggurat;
  const LAYERS = 256;
  const LOW_BITS = 2 * LAYERS - 1;
  const gauss = (x: number): number => Math.exp(-0.5 * x * x);

  /** Uniform in (0, 1) from extra draw number `draw` of element i. */
  const extraUniform = (i: number, k0: number, k1: number, draw: number): number =>
    ((bits(i, k0, (k1 + draw * EXTRA_STEP) | 0) >>> 0) + 0.5) / 4294967296;

  const slow = (i: number, k0: number, k1: number, first: number): number => {
    let draw = 0;
    let u = first;
    for (;;) {
      const b = u & LOW_BITS;
      const position = u >>> SHIFT;
      if (position < K[b]) return Math.fround(position * W[b]);
      const j = b & (LAYERS - 1);
      const sign = (b & LAYERS) === 0 ? 1 : -1;
      if (j === 0) {
        // Tail beyond R: x = R + a with a ~ Exp(R), accepted with probability exp(-a^2/2).
        for (;;) {
          const a = -Math.log(extraUniform(i, k0, k1, ++draw)) / R;
          const e = -Math.log(extraUniform(i, k0, k1, ++draw));
          if (2 * e > a * a) return Math.fround(sign * (R + a));
        }
      }
      // Wedge: a point uniform in the layer's strip [X[j+1], X[j]) x [f(X[j]), f(X[j+1])] under f.
      // W[j] is +X[j] / SCALE in float32 (j < LAYERS: sign bit clear).
      const x = Math.fround(position * W[j]);
      if (F[j] + extraUniform(i, k0, k1, ++draw) * (F[j + 1] - F[j]) < gauss(x)) return sign * x;
      u = bits(i, k0, (k1 + ++draw * EXTRA_STEP) | 0);
    }
  };

  const normalAt = (i: number, k0: number, k1: number): number => {
    const u = bits(i, k0, k1);
    const b = u & LOW_BITS;
    const position = u >>> SHIFT;
    return position < K[b] ? Math.fround(position * W[b]) : slow(i, k0 ^ EXTRA_K0, k1, u);
  };

  const uniformAt = (i: number, k0: number, k1: number, low: number, span: number): number =>
    Math.fround(low + Math.fround((bits(i, k0, k1) >>> 8) * span));

  const fillNormal = (out: Float32Array, k0: number, k1: number, offset: number): void => {
    const a = k0 | 0,
      b = k1 | 0; // int32 keys keep the loop on V8's integer fast path
    for (let i = 0; i < out.length; i++) out[i] = normalAt(offset + i, a, b);
  };

  const tables = () => ({ K: K.slice(), W: W.slice(), F: F.slice(), R, SHIFT, EXTRA_K0, EXTRA_STEP });

  return { bits, normalAt, fillNormal, uniformAt, tables };
}

const sampler = createCounterSampler(computeZiggurat());
/** The counter-based uniform in float32 (see `uniformParams`). */
export const counterUniformAt: CounterSampler['uniformAt'] = sampler.uniformAt;
/** The ziggurat's tables, see `CounterSampler.tables`. */
export const zigguratTables: CounterSampler['tables'] = sampler.tables;
const counterBits = sampler.bits;

/** 32 random bits (unsigned) for counter i of the stream `k0, k1`. */
export function counterHash(i: number, k0: number, k1: number): number {
  return counterBits(i, k0, k1) >>> 0;
}

/** Element i of the N(0, 1) stream `k0, k1` (pass int32 keys, `k | 0`, in hot loops). */
export const normalAt: (i: number, k0: number, k1: number) => number = sampler.normalAt;

/** Element i of the U[low, high] stream `k0, k1` (24 bits of resolution, float32 arithmetic). */
export function uniformAt(i: number, k0: number, k1: number, low = 0, high = 1): number {
  const p = uniformParams(low, high);
  return sampler.uniformAt(i, k0 | 0, k1 | 0, p.low, p.span);
}

/** Fills `out` with elements offset..offset+out.length-1 of the N(0, 1) stream `key`. */
export function fillCounterNormal(out: Float32Array, key: StreamKey, offset = 0): Float32Array {
  sampler.fillNormal(out, key.k0, key.k1, offset);
  return out;
}

/** Fills `out` with elements offset..offset+out.length-1 of the U[low, high] stream `key`. */
export function fillCounterUniform(out: Float32Array, key: StreamKey, low = 0, high = 1, offset = 0): Float32Array {
  const k0 = key.k0 | 0,
    k1 = key.k1 | 0;
  const p = uniformParams(low, high);
  for (let i = 0; i < out.length; i++) out[i] = sampler.uniformAt(offset + i, k0, k1, p.low, p.span);
  return out;
}
