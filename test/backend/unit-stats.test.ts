/**
 * The unit probe's fused statistics kernel (wasm) against the TF.js ops it replaces, max(x), sum(|x|) and
 * max(|x|) over the leading axes, on the same backend: equal bit for bit, including NaN, -0 and row counts that are
 * not a multiple of four, with our Sum kernel's SIMD path on and off (its two paths give the same bits).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/index.js';
import { UNIT_STATS_KERNEL, type UnitStat } from '../../src/backend/fused-kernel-contract.js';
import { unitStatsConfig } from '../../src/backend/wasm-kernels/index.js';
import { useSimdKernels } from '../../src/backend/wasm-kernels/simd.js';
import { unitStats } from '../../src/metrics/probe.js';
import { useBackend } from '../helpers/backends.js';
import { uniformValues } from './kernel-compare.js';

before(async () => {
  await useBackend('wasm');
});

const ALL: UnitStat[] = ['max', 'sumAbs', 'maxAbs'];

/** The statistics of `values`, fused (the kernel registered) or as TF.js ops (unregistered for the call). */
function statsOf(values: Float32Array, shape: number[], stats: UnitStat[], fused: boolean): Float32Array[] {
  if (!fused) tf.unregisterKernel(UNIT_STATS_KERNEL, 'wasm');
  try {
    return tf
      .tidy(() => unitStats(tf.tensor(values, shape), stats))
      .map((t) => {
        const data = t.dataSync() as Float32Array;
        t.dispose();
        return data;
      });
  } finally {
    if (!fused) tf.registerKernel(unitStatsConfig);
  }
}

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

test('the fused kernel is registered for wasm, and the probe uses it there', () => {
  assert.equal(tf.getKernel(UNIT_STATS_KERNEL, 'wasm')?.kernelFunc, unitStatsConfig.kernelFunc);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(() => unitStats(tf.tensor2d([[1, -2, 3]]), ALL));
  assert.deepEqual(
    outs.map((t) => Array.from(t.dataSync())),
    [
      [1, -2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ],
  );
  tf.dispose(outs);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('equals max(x), sum(|x|), max(|x|) bit for bit on 30 seeded shapes, NaN and -0 included, SIMD on and off', () => {
  const rng = new Rng(47);
  for (const simd of [true, false]) {
    const previous = useSimdKernels(simd);
    try {
      for (let i = 0; i < 30; i++) {
        // Ranks 2 to 4; the last axis (units) 1 to 40, so both multiples of four and not; rows 1 to ~500.
        const rank = 2 + rng.int(3);
        const shape = [1 + rng.int(9), ...Array.from({ length: rank - 2 }, () => 1 + rng.int(8)), 1 + rng.int(40)];
        const values = uniformValues(rng, shape, -3, 3);
        // Magnitudes over six orders: a term dropped, doubled or taken without its abs shows in any sum.
        for (let k = 0; k < values.length; k++) values[k] *= 10 ** (rng.int(7) - 3);
        if (i % 3 === 0) values[rng.int(values.length)] = -0;
        if (i % 4 === 1) values[rng.int(values.length)] = Number.NaN;
        const stats = i % 5 === 4 ? (['sumAbs'] as UnitStat[]) : i % 5 === 3 ? (['maxAbs', 'max'] as UnitStat[]) : ALL;
        const fused = statsOf(values, shape, stats, true);
        const ops = statsOf(values, shape, stats, false);
        stats.forEach((stat, k) =>
          assert.deepEqual(bits(fused[k]), bits(ops[k]), `simd ${simd}, case ${i} [${shape}] ${stat}`),
        );
      }
    } finally {
      useSimdKernels(previous);
    }
  }
});

test('refuses repeated or unknown statistics and inputs below rank 2, in one line each', () => {
  const x = tf.tensor2d([[1, 2]]);
  assert.throws(
    () => tf.engine().runKernel(UNIT_STATS_KERNEL, { x }, { stats: ['max', 'max'] }),
    /distinct stats among max, sumAbs, maxAbs, got max, max/,
  );
  assert.throws(() => tf.engine().runKernel(UNIT_STATS_KERNEL, { x }, { stats: ['mean'] }), /got mean/);
  const v = tf.tensor1d([1, 2]);
  assert.throws(() => tf.engine().runKernel(UNIT_STATS_KERNEL, { x: v }, { stats: ['max'] }), /rank 2 or more/);
  tf.dispose([x, v]);
});
