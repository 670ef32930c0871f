/**
 * Seed derivation. One run seed derives every other seed (weight init, shuffling, per-layer noise
 * per step, dataset splits) through `deriveSeed`, so a run is reproducible from its seed alone and
 * no code path needs `Math.random()`.
 *
 * Mixing function (documented because results depend on it):
 *   h = fmix32(seed ^ 0x9e3779b9); for each part p: h = fmix32(h ^ fmix32(hashPart(p) + 0x85ebca6b) + ROTL(h, 13))
 * where fmix32 is MurmurHash3's 32-bit finaliser and string parts are hashed with FNV-1a.
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
