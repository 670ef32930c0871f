/**
 * Seeded randomness for everything in a run. One run seed derives every other seed (weight init,
 * shuffling, per-layer noise per step, dataset splits) through `deriveSeed`, so a run is
 * reproducible from its seed alone and no code path needs `Math.random()`.
 *
 * Mixing function (documented because results depend on it):
 *   h = fmix32(seed ^ 0x9e3779b9); for each part p: h = fmix32(h ^ fmix32(hashPart(p) + 0x85ebca6b) + ROTL(h, 13))
 * where fmix32 is MurmurHash3's 32-bit finaliser and string parts are hashed with FNV-1a.
 * Generator: xoshiro128** (Blackman & Vigna), state seeded with splitmix32 from the 32-bit seed.
 */

/** MurmurHash3 finaliser: a bijective 32-bit avalanche. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashPart(part: string | number): number {
  if (typeof part === 'number') {
    // Integers hash by value; non-integers by their float64 bits so 0.1 and 0.2 differ.
    if (Number.isInteger(part) && Math.abs(part) < 2 ** 31) return part >>> 0;
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, part);
    return fmix32(view.getUint32(0) ^ fmix32(view.getUint32(4)));
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < part.length; i++) {
    h ^= part.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Derives an independent 32-bit seed from a parent seed and a path of labels, e.g. (runSeed, 'init', 'dense_1'). */
export function deriveSeed(seed: number, ...parts: (string | number)[]): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  for (const p of parts) {
    const rot = ((h << 13) | (h >>> 19)) >>> 0;
    h = fmix32((h ^ fmix32((hashPart(p) + 0x85ebca6b) >>> 0)) + rot);
  }
  return h >>> 0;
}

/** xoshiro128**: fast, small-state, passes BigCrush; 32-bit outputs. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = NaN;

  constructor(seed: number) {
    // splitmix32 expands the seed into four non-zero state words.
    let z = seed >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
      t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const t1 = Math.imul(s1, 5);
    const result = Math.imul((t1 << 7) | (t1 >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const v = this.spare;
      this.spare = NaN;
      return v;
    }
    const u1 = (this.nextUint32() + 1) / 4294967297; // (0, 1]: log never sees 0
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Fills `out` with N(0, 1) values, both Box-Muller outputs used; returns `out`. */
  fillNormal(out: Float32Array): Float32Array {
    const n = out.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const u1 = (this.nextUint32() + 1) / 4294967297;
      const u2 = this.nextUint32() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 6.283185307179586 * u2;
      out[i] = r * Math.cos(theta);
      out[i + 1] = r * Math.sin(theta);
    }
    if (i < n) out[i] = this.normal();
    return out;
  }

  /** Fills `out` with U(low, high) values; returns `out`. */
  fillUniform(out: Float32Array, low = 0, high = 1): Float32Array {
    const scale = (high - low) / 4294967296;
    for (let i = 0; i < out.length; i++) out[i] = low + this.nextUint32() * scale;
    return out;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
    return arr;
  }
}
