import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Rng,
  counterHash,
  deriveSeed,
  fillCounterNormal,
  fillCounterUniform,
  normalAt,
  streamKey,
  uniformAt,
} from '../../src/rng/index.js';

test('same seed, same stream; different seed, different stream', () => {
  const a = new Rng(42),
    b = new Rng(42),
    c = new Rng(43);
  const sa = Array.from({ length: 8 }, () => a.nextUint32());
  const sb = Array.from({ length: 8 }, () => b.nextUint32());
  const sc = Array.from({ length: 8 }, () => c.nextUint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('deriveSeed separates labels and is stable', () => {
  assert.equal(deriveSeed(1, 'init', 0), deriveSeed(1, 'init', 0));
  const seen = new Set([
    deriveSeed(1, 'init', 0),
    deriveSeed(1, 'init', 1),
    deriveSeed(1, 'noise', 0),
    deriveSeed(2, 'init', 0),
    deriveSeed(1, 0.1),
    deriveSeed(1, 0.2),
    deriveSeed(1),
  ]);
  assert.equal(seen.size, 7);
});

test('uniform: mean 0.5 and variance 1/12 within 4 standard errors (n = 200k, seed 7)', () => {
  const n = 200_000;
  const x = new Rng(7).fillUniform(new Float32Array(n));
  const mean = x.reduce((s, v) => s + v, 0) / n;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
  assert.ok(x.every((v) => v >= 0 && v < 1));
  assert.ok(Math.abs(mean - 0.5) < 4 * Math.sqrt(1 / 12 / n), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
});

test('normal: mean 0, variance 1, tails and lag-1 correlation within tolerance (n = 200k, seed 11)', () => {
  const n = 200_000;
  const x = new Rng(11).fillNormal(new Float32Array(n));
  const mean = x.reduce((s, v) => s + v, 0) / n;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
  // 4 standard errors: SE(mean) = 1/sqrt(n); SE(var) = sqrt(2/n).
  assert.ok(Math.abs(mean) < 4 / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 4 * Math.sqrt(2 / n), `variance ${variance}`);
  const beyond2 = x.filter((v) => Math.abs(v) > 2).length / n; // P(|Z| > 2) = 0.0455
  assert.ok(Math.abs(beyond2 - 0.0455) < 0.003, `tail ${beyond2}`);
  let lag = 0;
  for (let i = 1; i < n; i++) lag += x[i] * x[i - 1];
  assert.ok(Math.abs(lag / (n - 1)) < 4 / Math.sqrt(n), `lag-1 correlation ${lag / (n - 1)}`);
});

test('shuffle is a permutation and seeded', () => {
  const a = new Rng(3).shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
  const b = new Rng(3).shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(a, b);
  assert.deepEqual(
    [...a].sort((p, q) => p - q),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.notDeepEqual(
    [...a],
    Array.from({ length: 100 }, (_, i) => i),
  );
});

/*
 * Counter-based streams (the noise of the stochastic activations). Tolerances are 4 standard
 * errors unless stated; n is large enough that each check has power against a real defect
 * (e.g. a 1% variance error, a lag correlation of 0.01, a missing tail).
 */

function moments(x: Float32Array): { mean: number; variance: number } {
  let s = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  let q = 0;
  for (const v of x) q += (v - mean) ** 2;
  return { mean, variance: q / x.length };
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += a[i] * b[i];
    saa += a[i] * a[i];
    sbb += b[i] * b[i];
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

test('counterHash: a fixed key permutes the counters; keys give different streams', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 1 << 16; i++) seen.add(counterHash(i, 0x12345678, 0x9abcdef0));
  assert.equal(seen.size, 1 << 16);
  assert.notEqual(counterHash(5, 1, 2), counterHash(5, 1, 3));
  assert.notEqual(counterHash(5, 1, 2), counterHash(5, 2, 2));
  assert.equal(counterHash(5, 1, 2), counterHash(5, 1, 2));
  const a = streamKey(1, 0),
    b = streamKey(1, 1);
  assert.notDeepEqual(a, b);
  assert.deepEqual(streamKey(1, 0), a);
});

test('normal stream: mean 0, variance 1, N(0,1) shape by KS and tails (n = 1M, key (7, 0))', () => {
  const n = 1_000_000;
  const x = fillCounterNormal(new Float32Array(n), streamKey(7, 0));
  const { mean, variance } = moments(x);
  assert.ok(Math.abs(mean) < 4 / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 4 * Math.sqrt(2 / n), `variance ${variance}`);
  // Kolmogorov-Smirnov against Phi: D < 1.95/sqrt(n) is the 0.1% critical value.
  const sorted = Float64Array.from(x).sort();
  let d = 0;
  for (let i = 0; i < n; i += 1) {
    const f = phi(sorted[i]);
    d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
  }
  assert.ok(d < 1.95 / Math.sqrt(n), `KS D ${d}`);
  // Tail masses, including beyond the ziggurat's base R = 3.654 (drawn by the tail method).
  for (const [z, p] of [
    [1, 0.3173105],
    [2, 0.0455003],
    [3, 0.0026998],
    [3.7, 0.0002157],
    [4.2, 0.0000267],
  ]) {
    const count = x.reduce((c, v) => c + (Math.abs(v) > z ? 1 : 0), 0);
    const se = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(count / n - p) < 4 * se + 1 / n, `P(|Z| > ${z}) = ${count / n}, expected ${p}`);
  }
});

test('normal stream: independent across elements (lags 1, 2, 32, 64, 784) and across steps (n = 400k)', () => {
  const n = 400_000;
  const key0 = streamKey(3, 0),
    key1 = streamKey(3, 1);
  const a = fillCounterNormal(new Float32Array(n + 1000), key0);
  const b = fillCounterNormal(new Float32Array(n + 1000), key1);
  const bound = 4 / Math.sqrt(n);
  for (const lag of [1, 2, 32, 64, 784]) {
    const r = correlation(a.subarray(0, n), a.subarray(lag, lag + n));
    assert.ok(Math.abs(r) < bound, `lag-${lag} correlation ${r}`);
  }
  // Same position in consecutive steps, and shifted by one (two streams must not be shifted copies).
  for (const shift of [0, 1, 32]) {
    const r = correlation(a.subarray(0, n), b.subarray(shift, shift + n));
    assert.ok(Math.abs(r) < bound, `step-to-step correlation at shift ${shift}: ${r}`);
  }
  // Pairs (x_i, x_i+1) over a 4x4 grid of N(0,1) quartiles: chi-square with 15 degrees of
  // freedom, 37.7 being the 0.1% critical value. Catches dependence a correlation misses.
  const q = (v: number) => (v < -0.6745 ? 0 : v < 0 ? 1 : v < 0.6745 ? 2 : 3);
  const cells = new Array<number>(16).fill(0);
  const pairs = n / 2;
  for (let i = 0; i < n; i += 2) cells[q(a[i]) * 4 + q(a[i + 1])]++;
  const chi2 = cells.reduce((s, c) => s + (c - pairs / 16) ** 2 / (pairs / 16), 0);
  assert.ok(chi2 < 37.7, `pair chi-square ${chi2}`);
});

test('counter streams are addressable: any offset gives the same values; uniform stream is U[low, high)', () => {
  const key = streamKey(11, 4);
  const whole = fillCounterNormal(new Float32Array(5000), key);
  const part = fillCounterNormal(new Float32Array(1000), key, 3000);
  assert.deepEqual(part, whole.subarray(3000, 4000));
  assert.equal(Math.fround(normalAt(4321, key.k0, key.k1)), whole[4321]);
  const n = 200_000;
  const u = fillCounterUniform(new Float32Array(n), key, 0.125, 0.375);
  assert.equal(Math.fround(uniformAt(17, key.k0, key.k1, 0.125, 0.375)), u[17]);
  assert.ok(u.every((v) => v >= 0.125 && v <= 0.375));
  const { mean, variance } = moments(u);
  const width = 0.25;
  assert.ok(Math.abs(mean - 0.25) < (4 * width) / Math.sqrt(12 * n), `mean ${mean}`);
  assert.ok(Math.abs(variance / ((width * width) / 12) - 1) < 0.02, `variance ${variance}`);
  const bins = new Array<number>(10).fill(0);
  for (const v of u) bins[Math.min(9, Math.floor(((v - 0.125) / width) * 10))]++;
  const chi2 = bins.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
  assert.ok(chi2 < 27.9, `uniform chi-square (9 df, 0.1% critical 27.9): ${chi2}`);
});

test('counter streams are float32 arithmetic (what a WGSL port computes): normals are float32 values, uniforms low + u24 * span in float32', () => {
  const key = streamKey(3, 9);
  const k0 = key.k0 | 0,
    k1 = key.k1 | 0;
  for (let i = 0; i < 100_000; i++) {
    const v = normalAt(i, k0, k1);
    assert.ok(Object.is(Math.fround(v), v), `normal ${i} is not a float32 value: ${v}`);
  }
  const low = Math.fround(0.125),
    span = Math.fround((1 / 3 - 0.125) / 2 ** 24);
  const u = fillCounterUniform(new Float32Array(100_000), key, 0.125, 1 / 3);
  for (let i = 0; i < u.length; i++) {
    const want = Math.fround(low + Math.fround((counterHash(i, k0, k1) >>> 8) * span));
    assert.ok(Object.is(u[i], want), `uniform ${i}: ${u[i]} vs ${want}`);
  }
});
