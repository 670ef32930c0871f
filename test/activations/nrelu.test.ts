import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { NReLU, createActivation } from '../../src/activations/registry.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { bitIdentical, correlation, gradOf, mean, run, std } from './helpers.js';

const nrelu = (sigma: number, seed = 1): NReLU => createActivation({ name: 'nrelu', sigma }, { seed }) as NReLU;
const N = 100_000;

for (const backend of TEST_BACKENDS) {
  describe(`N-ReLU on ${backend}`, () => {
    before(() => useBackend(backend));

    test('training, negative inputs: mean 0 and std sigma within 4 standard errors (n = 100k, sigma 0.5, seed 1)', () => {
      const sigma = 0.5;
      const x = tf.fill([N / 100, 100], -1.5);
      const y = run(nrelu(sigma), x, true);
      x.dispose();
      // SE(mean) = sigma/sqrt(n); SE(std) ~ sigma/sqrt(2n) for a normal sample.
      assert.ok(Math.abs(mean(y)) < (4 * sigma) / Math.sqrt(N), `mean ${mean(y)}`);
      assert.ok(Math.abs(std(y) - sigma) < (4 * sigma) / Math.sqrt(2 * N), `std ${std(y)}`);
      // Normal tails: P(|eps| > 2) = 0.0455; the noise does not depend on the input's magnitude.
      const tail = y.filter((v) => Math.abs(v) > 2 * sigma).length / N;
      assert.ok(Math.abs(tail - 0.0455) < 0.004, `tail ${tail}`);
    });

    test('training: positive branch is the identity, non-positive branch is pure noise', () => {
      const xs = Float32Array.from({ length: 2000 }, (_, i) => (i - 1000) / 100); // includes 0
      const x = tf.tensor1d(xs);
      const y = run(nrelu(0.3), x, true);
      x.dispose();
      xs.forEach((v, i) => {
        if (v > 0) assert.equal(y[i], v);
      });
      const noise = y.filter((_, i) => xs[i] <= 0);
      assert.ok(noise.some((v) => v > 0) && noise.some((v) => v < 0), 'noise has both signs');
    });

    test('inference (default and training: false) equals ReLU exactly and draws no noise', () => {
      const x = tf.randomNormal([50, 40], 0, 1, 'float32', 3);
      const layer = nrelu(0.5);
      const relu = run(createActivation('relu'), x);
      assert.ok(bitIdentical(run(layer, x), relu));
      const y = layer.apply(x, { training: false }) as tf.Tensor;
      assert.ok(bitIdentical(y.dataSync() as Float32Array, relu));
      y.dispose();
      x.dispose();
      assert.equal(layer.getStep(), 0);
    });

    test('gradient is the indicator 1[x > 0] in training and inference (0 at x = 0)', () => {
      const xs = [-2, -0.5, 0, 0.25, 3];
      const x = tf.tensor1d(xs);
      const expected = xs.map((v) => (v > 0 ? 1 : 0));
      assert.deepEqual(Array.from(gradOf(nrelu(0.7), x, true)), expected);
      assert.deepEqual(Array.from(gradOf(nrelu(0.7), x, false)), expected);
      // With an upstream gradient: d/dx sum(w * nrelu(x)) = w * 1[x > 0].
      const w = tf.tensor1d([5, 6, 7, 8, 9]);
      const layer = nrelu(0.7);
      const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(layer.apply(z, { training: true }) as tf.Tensor, w)))(x);
      assert.deepEqual(Array.from(g.dataSync()), [0, 0, 0, 8, 9]);
      tf.dispose([x, w, g]);
    });

    test('sigma 0 is exactly ReLU in training, and still advances the step counter', () => {
      const x = tf.randomNormal([64, 32], 0, 1, 'float32', 5);
      const layer = nrelu(0);
      assert.ok(bitIdentical(run(layer, x, true), run(createActivation('relu'), x)));
      assert.equal(layer.getStep(), 1);
      x.dispose();
    });

    test('fresh noise per call; consecutive calls uncorrelated within 4/sqrt(n) (n = 100k, seed 2)', () => {
      const x = tf.fill([N], -1);
      const layer = nrelu(1, 2);
      const a = run(layer, x, true).slice();
      const b = run(layer, x, true).slice();
      x.dispose();
      assert.ok(!bitIdentical(a, b));
      const r = correlation(a, b);
      assert.ok(Math.abs(r) < 4 / Math.sqrt(N), `lag-1 correlation ${r}`);
      assert.equal(layer.getStep(), 2);
    });

    test('seeded: same seed and call count give bit-identical outputs; another seed differs', () => {
      const x = tf.randomNormal([30, 20], 0, 1, 'float32', 9);
      const a = nrelu(0.2, 42),
        b = nrelu(0.2, 42),
        c = nrelu(0.2, 43);
      for (let call = 0; call < 3; call++) {
        const ya = run(a, x, true),
          yb = run(b, x, true),
          yc = run(c, x, true);
        assert.ok(bitIdentical(ya, yb), `call ${call}`);
        assert.ok(!bitIdentical(ya, yc), `call ${call}`);
      }
      x.dispose();
    });

    test('setStep replays the noise of a given step; setSigma scales it', () => {
      const x = tf.fill([1000], -1);
      const a = nrelu(0.2, 11);
      run(a, x, true);
      run(a, x, true);
      const third = run(a, x, true).slice();
      const b = nrelu(0.2, 11);
      b.setStep(2);
      assert.ok(bitIdentical(run(b, x, true), third));
      assert.equal(b.getStep(), 3);
      // Same step, doubled sigma: exactly twice the noise (float32 scaling by a power of two is exact).
      const c = nrelu(0.2, 11);
      c.setSigma(0.4);
      assert.equal(c.sigma, 0.4);
      c.setStep(2);
      const doubled = run(c, x, true);
      third.forEach((v, i) => assert.equal(doubled[i], 2 * v));
      x.dispose();
      assert.throws(() => c.setSigma(-0.1), /nrelu.*sigma/);
      assert.throws(() => c.setSigma(Number.NaN), /nrelu.*sigma/);
    });

    test('memory: repeated training calls and gradients leave no tensors behind', () => {
      const x = tf.randomNormal([16, 8], 0, 1, 'float32', 1);
      const layer = nrelu(0.1);
      run(layer, x, true); // warm-up
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) {
        run(layer, x, true);
        run(layer, x, false);
        gradOf(layer, x, true);
      }
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
    });
  });
}
