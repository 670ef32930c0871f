import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { RReLU, createActivation } from '../../src/activations/registry.js';
import { randomSlopeRelu } from '../../src/activations/rrelu.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { bitIdentical, gradOf, mean, run, std } from './helpers.js';

const rrelu = (seed = 1, lower?: number, upper?: number): RReLU =>
  createActivation(
    { name: 'rrelu', ...(lower === undefined ? {} : { lower }), ...(upper === undefined ? {} : { upper }) },
    { seed },
  ) as RReLU;
const N = 100_000;

for (const backend of TEST_BACKENDS) {
  describe(`RReLU on ${backend}`, () => {
    before(() => useBackend(backend));

    test('training slopes lie in [lower, upper] and look uniform (n = 100k, defaults 1/8..1/3, seed 1)', () => {
      const lower = 1 / 8,
        upper = 1 / 3;
      const x = tf.fill([N], -2);
      const slopes = Array.from(run(rrelu(1), x, true), (v) => v / -2);
      x.dispose();
      // float32 rounding of the slope may land exactly on a bound.
      const eps = 1e-6;
      assert.ok(
        slopes.every((a) => a >= lower - eps && a <= upper + eps),
        'slopes within [lower, upper]',
      );
      // U(l, u): mean (l+u)/2 with SE (u-l)/sqrt(12 n); std (u-l)/sqrt(12) within 2%.
      const width = upper - lower;
      assert.ok(Math.abs(mean(slopes) - (lower + upper) / 2) < (4 * width) / Math.sqrt(12 * N), `mean ${mean(slopes)}`);
      assert.ok(Math.abs(std(slopes) / (width / Math.sqrt(12)) - 1) < 0.02, `std ${std(slopes)}`);
      // Four equal bins each hold 25% +- 4 SE (SE = sqrt(0.25 * 0.75 / n)).
      const bins = [0, 0, 0, 0];
      for (const a of slopes) bins[Math.min(3, Math.floor(((a - lower) / width) * 4))]++;
      for (const b of bins) assert.ok(Math.abs(b / N - 0.25) < 4 * Math.sqrt(0.1875 / N), `bins ${bins.join(',')}`);
    });

    test('non-negative inputs pass through unchanged in training', () => {
      const xs = [0, 0.5, 1, 7.25];
      const x = tf.tensor1d(xs);
      assert.deepEqual(Array.from(run(rrelu(), x, true)), xs);
      x.dispose();
    });

    test('inference slope is the midpoint (lower + upper) / 2', () => {
      const x = tf.tensor1d([-4, -1, 0, 2]);
      const y = run(rrelu(1, 0.1, 0.3), x);
      [-0.8, -0.2, 0, 2].forEach((v, i) => assert.ok(Math.abs(y[i] - v) < 1e-6, `${y[i]} vs ${v}`));
      const d = run(rrelu(), x);
      assert.ok(Math.abs(d[1] + (1 / 8 + 1 / 3) / 2) < 1e-6, `default midpoint ${d[1]}`);
      x.dispose();
    });

    test('training gradient is the slope used in the forward pass: sampled where x <= 0 (also at exactly 0, as PyTorch), 1 where x > 0', () => {
      const x = tf.tensor1d([-3, -2, -1, 0, 1]);
      const fwd = rrelu(5),
        bwd = rrelu(5),
        probe = rrelu(5); // same seed, so the same slopes at step 0
      const y = run(fwd, x, true);
      const g = gradOf(bwd, x, true);
      [-3, -2, -1].forEach((v, i) => assert.ok(Math.abs(g[i] - y[i] / v) < 1e-6, `slope ${g[i]} vs ${y[i] / v}`));
      // The slope element 3 gets, read off a forward pass at -1 (slopes depend on the index, not on x).
      const minusOne = tf.fill([5], -1);
      const a3 = -run(probe, minusOne, true)[3];
      assert.ok(a3 >= 1 / 8 - 1e-6 && a3 <= 1 / 3 + 1e-6, `slope ${a3}`);
      assert.equal(g[3], a3, 'PyTorch draws the slope where x <= 0, so the gradient at 0 is the slope, not 1');
      assert.equal(g[4], 1);
      x.dispose();
      minusOne.dispose();
    });

    test('the generic path (any backend) has the same gradient at 0: the given slope', () => {
      const x = tf.tensor1d([-1, 0, 2]);
      const slopes = new Float32Array([0.2, 0.25, 0.3]);
      const g = tf.grad((t: tf.Tensor) => randomSlopeRelu(t, slopes))(x);
      assert.deepEqual(Array.from(g.dataSync()), Array.from(new Float32Array([0.2, 0.25, 1])));
      tf.dispose([x, g]);
    });

    test('seeded: same seed gives bit-identical outputs per call, another seed differs, calls differ', () => {
      const x = tf.randomNormal([40, 25], 0, 1, 'float32', 4);
      const a = rrelu(42),
        b = rrelu(42),
        c = rrelu(43);
      const first = run(a, x, true).slice();
      assert.ok(bitIdentical(first, run(b, x, true)));
      assert.ok(!bitIdentical(first, run(c, x, true)));
      const second = run(a, x, true);
      assert.ok(!bitIdentical(first, second), 'fresh slopes per call');
      assert.ok(bitIdentical(second, run(b, x, true)));
      assert.equal(a.getStep(), 2);
      x.dispose();
    });

    test('memory: repeated calls and gradients leave no tensors behind', () => {
      const x = tf.randomNormal([16, 8], 0, 1, 'float32', 1);
      const layer = rrelu();
      run(layer, x, true);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) {
        run(layer, x, true);
        run(layer, x);
        gradOf(layer, x, true);
      }
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
    });
  });
}
