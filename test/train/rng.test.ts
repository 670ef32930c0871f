import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, deriveSeed } from '../../src/train/rng.js';

test('same seed, same stream; different seed, different stream', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const sa = Array.from({ length: 8 }, () => a.nextUint32());
  const sb = Array.from({ length: 8 }, () => b.nextUint32());
  const sc = Array.from({ length: 8 }, () => c.nextUint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('deriveSeed separates labels and is stable', () => {
  assert.equal(deriveSeed(1, 'init', 0), deriveSeed(1, 'init', 0));
  const seen = new Set([deriveSeed(1, 'init', 0), deriveSeed(1, 'init', 1), deriveSeed(1, 'noise', 0),
    deriveSeed(2, 'init', 0), deriveSeed(1, 0.1), deriveSeed(1, 0.2), deriveSeed(1)]);
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
  assert.deepEqual([...a].sort((p, q) => p - q), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual([...a], Array.from({ length: 100 }, (_, i) => i));
});
