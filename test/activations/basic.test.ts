import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { ACTIVATION_NAMES, TorchPReLU, createActivation, type ActivationSpec } from '../../src/activations/registry.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { gradOf, run } from './helpers.js';

const close = (actual: ArrayLike<number>, expected: number[], tol: number, what: string): void => {
  assert.equal(actual.length, expected.length, what);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= tol, `${what}[${i}]: ${actual[i]} vs ${e}`));
};

// GELU reference values: x * Phi(x) in float64 (Phi(1) = 0.8413447460685429).
const GELU_EXACT: Record<number, number> = { [-3]: -0.004049694094890, [-1]: -0.15865525393145707, 0: 0, 0.5: 0.34573123063700656, 1: 0.8413447460685429, 2: 1.9544997361036416 };
const geluTanh = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

for (const backend of TEST_BACKENDS) {
  describe(`ReLU, LeakyReLU, PReLU, GELU on ${backend}`, () => {
    before(() => useBackend(backend));
    const xs = [-3, -1, 0, 0.5, 1, 2];

    test('relu = max(x, 0)', () => {
      const x = tf.tensor1d(xs);
      assert.deepEqual(Array.from(run(createActivation('relu'), x)), [0, 0, 0, 0.5, 1, 2]);
      x.dispose();
    });

    test('leaky_relu: PyTorch slope 0.01 by default (not TF.js 0.3); alpha option', () => {
      const x = tf.tensor1d(xs);
      close(run(createActivation('leaky_relu'), x), [-0.03, -0.01, 0, 0.5, 1, 2], 1e-7, 'default');
      close(run(createActivation({ name: 'leaky_relu', alpha: 0.2 }), x), [-0.6, -0.2, 0, 0.5, 1, 2], 1e-6, 'alpha 0.2');
      x.dispose();
    });

    test('prelu: one shared alpha initialised to 0.25; init option', () => {
      const x = tf.tensor2d([xs]);
      const layer = createActivation('prelu');
      close(run(layer, x), [-0.75, -0.25, 0, 0.5, 1, 2], 1e-7, 'default');
      assert.deepEqual(layer.getWeights().map((w) => w.shape), [[1]]);
      close(run(createActivation({ name: 'prelu', init: 0.1 }), x), [-0.3, -0.1, 0, 0.5, 1, 2], 1e-6, 'init 0.1');
      x.dispose();
    });

    test('prelu: shared alpha is one weight for any rank; shared: false is one per channel (last axis)', () => {
      const dense = tf.zeros([2, 7]), conv = tf.zeros([2, 5, 5, 3]);
      const shape = (spec: ActivationSpec, x: tf.Tensor): number[][] => {
        const layer = createActivation(spec);
        run(layer, x);
        return layer.getWeights().map((w) => w.shape);
      };
      assert.deepEqual(shape('prelu', dense), [[1]]);
      assert.deepEqual(shape('prelu', conv), [[1]]);
      assert.deepEqual(shape({ name: 'prelu', shared: false }, dense), [[7]]);
      assert.deepEqual(shape({ name: 'prelu', shared: false }, conv), [[3]]);
      tf.dispose([dense, conv]);
    });

    test('prelu: alpha trains (d sum / d alpha = sum of negative inputs); per-channel gradients', () => {
      const layer = createActivation('prelu') as TorchPReLU;
      const x = tf.tensor2d([[-2, 1, -0.5], [3, -1, 0]]);
      run(layer, x); // builds the weight
      const { grads, value } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, layer.trainableWeights.map((w) => w.read() as tf.Variable));
      close(Object.values(grads)[0].dataSync(), [-3.5], 1e-6, 'shared alpha gradient');
      tf.dispose([value, ...Object.values(grads)]);
      // One SGD step moves alpha: 0.25 - 0.1 * (-3.5) = 0.6.
      tf.train.sgd(0.1).minimize(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar);
      close(layer.getWeights()[0].dataSync(), [0.6], 1e-6, 'alpha after one step');
      const perChannel = createActivation({ name: 'prelu', shared: false });
      run(perChannel, x);
      const g = tf.variableGrads(() => tf.sum(perChannel.apply(x) as tf.Tensor) as tf.Scalar, perChannel.trainableWeights.map((w) => w.read() as tf.Variable));
      close(Object.values(g.grads)[0].dataSync(), [-2, -1, -0.5], 1e-6, 'per-channel alpha gradient');
      tf.dispose([g.value, ...Object.values(g.grads), x]);
    });

    test('gelu: exact erf form matches x * Phi(x) (GELU(1) = 0.8413447460685429, GELU(-1) = -0.15865525393145707)', () => {
      const x = tf.tensor1d(xs);
      close(run(createActivation('gelu'), x), xs.map((v) => GELU_EXACT[v]), 1e-6, 'exact');
      // d/dx x Phi(x) = Phi(x) + x phi(x): 0.5 at 0, 1.0833154705876864 at 1.
      const at = tf.tensor1d([0, 1]);
      close(gradOf(createActivation('gelu'), at, false), [0.5, 1.0833154705876864], 1e-5, 'gradient');
      tf.dispose([x, at]);
    });

    test("gelu: approximate 'tanh' matches the tanh formula and differs from the exact form", () => {
      const x = tf.tensor1d(xs);
      const y = run(createActivation({ name: 'gelu', approximate: 'tanh' }), x);
      close(y, xs.map(geluTanh), 1e-6, 'tanh');
      assert.ok(Math.abs(y[4] - GELU_EXACT[1]) > 1e-4, `tanh GELU(1) ${y[4]} should differ from exact`);
      x.dispose();
    });

    test('every activation: repeated calls and gradients leave no tensors behind', () => {
      const x = tf.randomNormal([8, 6], 0, 1, 'float32', 2);
      const specs: ActivationSpec[] = ACTIVATION_NAMES.map((name) => (name === 'nrelu' ? { name, sigma: 0.1 } : name));
      const layers = specs.map((spec) => createActivation(spec));
      for (const layer of layers) run(layer, x, true); // builds weights
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        for (const layer of layers) {
          run(layer, x, true);
          run(layer, x, false);
          gradOf(layer, x, true);
        }
      }
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
    });
  });
}
