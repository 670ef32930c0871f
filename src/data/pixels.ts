/**
 * From pixel bytes to the Float32Array a model sees: [0, 1] scaling, or standardisation with the
 * training set's own mean and std. Both go through a 256-entry lookup table, and the statistics
 * come from a byte histogram, so they are exact and cost one pass over the data.
 */

/** One split as its pixel bytes: `count` images, each height * width * channels bytes, and their labels. */
export interface RawSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** One split as a model sees it: `count` images as one flat Float32Array (count * H * W * C), and their labels. */
export interface Split {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface PixelStats {
  /** Mean pixel value on the [0, 1] scale. */
  mean: number;
  /** Population standard deviation on the [0, 1] scale. */
  std: number;
}

/** Mean and std of pixel bytes, on the [0, 1] scale (bytes / 255). */
export function pixelStats(pixels: Uint8Array): PixelStats {
  const hist = new Uint32Array(256);
  for (let i = 0; i < pixels.length; i++) hist[pixels[i]]++;
  let sum = 0;
  let sumSq = 0;
  for (let v = 0; v < 256; v++) {
    const x = v / 255;
    sum += hist[v] * x;
    sumSq += hist[v] * x * x;
  }
  const n = pixels.length || 1;
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(sumSq / n - mean * mean, 0)) };
}

/** The byte -> float table: v/255, or (v/255 - mean) / std when stats are given. */
export function pixelTable(stats?: PixelStats): Float32Array {
  const lut = new Float32Array(256);
  const std = stats && stats.std > 0 ? stats.std : 1;
  for (let v = 0; v < 256; v++) lut[v] = stats ? (v / 255 - stats.mean) / std : v / 255;
  return lut;
}

export function toFloat(pixels: Uint8Array, lut: Float32Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = lut[pixels[i]];
  return out;
}

/** Copies the rows `index` (each `rowSize` bytes) of `src` into a new array, in that order. */
export function gatherRows(src: Uint8Array, rowSize: number, index: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(index.length * rowSize);
  for (let i = 0; i < index.length; i++) {
    const from = index[i] * rowSize;
    out.set(src.subarray(from, from + rowSize), i * rowSize);
  }
  return out;
}
