/**
 * The fused noise kernels (cpu, wasm) against the generic tensor path every other backend takes
 * (the native binding among them): both must give bit-identical values, because element i of
 * pass n is value i of the counter-based stream streamKey(seed, n) whichever path draws it.
 * Also: the kernels really run, NaN and -0 follow where(), and statistics hold on real-looking
 * inputs where only part of the elements need noise.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { NReLU, RReLU, createActivation } from '../../src/activations/registry.js';
import {
  NOISY_RELU_KERNEL,
  RANDOM_SLOPE_RELU_KERNEL,
  hasNoiseKernel,
  useNoiseKernels,
} from '../../src/activations/noise-kernels.js';
import { prefetchStats, settleNoisePrefetches, useNoisePrefetch } from '../../src/activations/noise-prefetch.js';
import { fillCounterNormal, streamKey } from '../../src/rng/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { bitIdentical, correlation, gradOf, mean, run, std } from './helpers.js';

const nrelu = (sigma: number, seed: number): NReLU => createActivation({ name: 'nrelu', sigma }, { seed }) as NReLU;
const rrelu = (seed: number): RReLU => createActivation('rrelu', { seed }) as RReLU;

/** Runs `fn` with the fused kernels on or off, restoring the setting. */
function withKernels<T>(enabled: boolean, fn: () => T): T {
  const previous = useNoiseKernels(enabled);
  try {
    return fn();
  } finally {
    useNoiseKernels(previous);
  }
}

/** Kernel names run by one training forward pass. */
async function kernelsRun(layer: tf.layers.Layer, x: tf.Tensor): Promise<string[]> {
  const info = await tf.profile(() => {
    (layer.apply(x, { training: true }) as tf.Tensor).dispose();
  });
  return info.kernels.map((k) => k.name);
}

for (const backend of TEST_BACKENDS) {
  describe(`noise kernels on ${backend}`, () => {
    before(() => useBackend(backend));
    after(() => {
      useNoiseKernels(true);
      useNoisePrefetch(true);
    });

    test('the fused kernels run on this backend, and not when turned off', async () => {
      const x = tf.randomNormal([8, 5], 0, 1, 'float32', 1);
      assert.ok(hasNoiseKernel(NOISY_RELU_KERNEL, 'float32') && hasNoiseKernel(RANDOM_SLOPE_RELU_KERNEL, 'float32'));
      assert.ok((await kernelsRun(nrelu(0.1, 1), x)).includes(NOISY_RELU_KERNEL));
      assert.ok((await kernelsRun(rrelu(1), x)).includes(RANDOM_SLOPE_RELU_KERNEL));
      useNoiseKernels(false);
      assert.ok(!(await kernelsRun(nrelu(0.1, 1), x)).includes(NOISY_RELU_KERNEL));
      useNoiseKernels(true);
      x.dispose();
    });

    test('N-ReLU: fused and generic paths give bit-identical outputs and gradients over several steps', () => {
      const xs = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i * 1.7) * 2);
      xs[5] = 0;
      xs[6] = -0;
      xs[7] = Number.NaN;
      xs[8] = Number.NEGATIVE_INFINITY;
      xs[9] = Number.POSITIVE_INFINITY;
      const x = tf.tensor2d(xs, [30, 100]);
      const fused = nrelu(0.3, 5),
        generic = nrelu(0.3, 5);
      for (let step = 0; step < 3; step++) {
        const a = withKernels(true, () => run(fused, x, true));
        const b = withKernels(false, () => run(generic, x, true));
        assert.ok(bitIdentical(a, b), `step ${step}`);
        // Expected values straight from the stream: x > 0 ? x : fround(fround(eps) * fround(sigma)).
        const eps = fillCounterNormal(new Float32Array(xs.length), streamKey(5, step));
        xs.forEach((v, i) => {
          const want = v > 0 ? v : Math.fround(eps[i] * Math.fround(0.3));
          assert.ok(Object.is(a[i], want), `step ${step} element ${i}: ${a[i]} vs ${want}`);
        });
      }
      const ga = withKernels(true, () => gradOf(nrelu(0.3, 5), x, true));
      const gb = withKernels(false, () => gradOf(nrelu(0.3, 5), x, true));
      // 1[x > 0], as ReLU's gradient (step(x)): 0 at 0 and -0, NaN at NaN, 1 at +Infinity.
      xs.forEach((v, i) => {
        const want = Number.isNaN(v) ? Number.NaN : v > 0 ? 1 : 0;
        assert.ok(Object.is(ga[i], want) && Object.is(gb[i], want), `gradient ${i}: ${ga[i]}, ${gb[i]} vs ${want}`);
      });
      x.dispose();
    });

    test('RReLU: fused and generic paths give bit-identical outputs and gradients', () => {
      const xs = Float32Array.from({ length: 2000 }, (_, i) => Math.cos(i * 0.91) * 3);
      xs[3] = 0;
      xs[4] = -0;
      const x = tf.tensor1d(xs);
      const fused = rrelu(9),
        generic = rrelu(9);
      for (let step = 0; step < 3; step++) {
        const a = withKernels(true, () => run(fused, x, true));
        const b = withKernels(false, () => run(generic, x, true));
        assert.ok(bitIdentical(a, b), `step ${step}`);
      }
      const ga = withKernels(true, () => gradOf(rrelu(4), x, true));
      const gb = withKernels(false, () => gradOf(rrelu(4), x, true));
      assert.ok(bitIdentical(ga, gb));
      x.dispose();
    });

    test('N-ReLU on inputs that are half positive: noise only on x <= 0, N(0, sigma^2), independent of x and across steps (n = 200k)', () => {
      const n = 200_000;
      const xs = Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000) / 500 - 1); // ~half <= 0
      const x = tf.tensor1d(xs);
      const layer = nrelu(0.5, 8);
      const y1 = run(layer, x, true).slice();
      const y2 = run(layer, x, true);
      x.dispose();
      const noise1: number[] = [],
        noise2: number[] = [],
        xneg: number[] = [];
      xs.forEach((v, i) => {
        if (v > 0) {
          assert.equal(y1[i], v);
        } else {
          noise1.push(y1[i]);
          noise2.push(y2[i]);
          xneg.push(v);
        }
      });
      const m = noise1.length;
      assert.ok(m > 0.4 * n && m < 0.6 * n, `${m} noisy elements`);
      assert.ok(Math.abs(mean(noise1)) < (4 * 0.5) / Math.sqrt(m), `mean ${mean(noise1)}`);
      assert.ok(Math.abs(std(noise1) - 0.5) < (4 * 0.5) / Math.sqrt(2 * m), `std ${std(noise1)}`);
      const bound = 4 / Math.sqrt(m);
      assert.ok(Math.abs(correlation(noise1, xneg)) < bound, 'noise correlates with x');
      assert.ok(Math.abs(correlation(noise1, noise2)) < bound, 'noise correlates across steps');
      assert.ok(
        Math.abs(correlation(noise1.slice(1), noise1.slice(0, -1))) < bound,
        'noise correlates with its neighbour',
      );
    });

    test('normals drawn ahead on the worker thread are used and equal those drawn in place (fused and generic paths)', async () => {
      // 20,003 elements: above the size from which passes are drawn ahead, and a tail after wasm's
      // SIMD loop; NaN, 0 and -0 take the noise.
      const x = tf.tensor1d(
        Float32Array.from({ length: 20_003 }, (_, i) =>
          i % 101 === 0 ? Number.NaN : i % 103 === 0 ? -0 : i % 107 === 0 ? 0 : Math.sin(i * 0.37),
        ),
      );
      for (const fused of [true, false]) {
        const ahead = nrelu(0.2, 21),
          inPlace = nrelu(0.2, 21);
        const used = prefetchStats.used;
        for (let step = 0; step < 4; step++) {
          await settleNoisePrefetches(); // in training, a whole step passes before the next draw
          const a = withKernels(fused, () => run(ahead, x, true));
          useNoisePrefetch(false);
          const b = withKernels(fused, () => run(inPlace, x, true));
          useNoisePrefetch(true);
          assert.ok(bitIdentical(a, b), `${fused ? 'fused' : 'generic'} step ${step}`);
        }
        // Passes 2 and 3 were drawn ahead (after pass 1, the first with its predecessor's size).
        assert.equal(prefetchStats.used - used, 2, `${fused ? 'fused' : 'generic'}: prefetched passes used`);
      }
      // A pass that does not match what was drawn ahead (the step set by hand) draws in place.
      const layer = nrelu(0.2, 22),
        reference = nrelu(0.2, 22);
      run(layer, x, true);
      run(layer, x, true); // steady state: pass 2 is being drawn ahead now
      await settleNoisePrefetches();
      layer.setStep(5);
      reference.setStep(5);
      const used = prefetchStats.used;
      useNoisePrefetch(false);
      const expected = run(reference, x, true).slice();
      useNoisePrefetch(true);
      assert.ok(bitIdentical(run(layer, x, true), expected));
      assert.equal(prefetchStats.used, used);
      x.dispose();
    });

    test('memory: the fused paths leave no tensors behind in forward and gradient passes', () => {
      const x = tf.randomNormal([16, 8], 0, 1, 'float32', 1);
      const layers = [nrelu(0.1, 1), rrelu(1)];
      layers.forEach((l) => run(l, x, true));
      const before = tf.memory().numTensors;
      for (let i = 0; i < 4; i++)
        for (const l of layers) {
          run(l, x, true);
          gradOf(l, x, true);
        }
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
    });
  });
}
