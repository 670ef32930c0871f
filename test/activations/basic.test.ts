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

for (const backend of TEST_BACKENDS) {
  // Values and gradients against PyTorch: reference.test.ts. Here: PReLU's weights, and no leaks.
  describe(`PReLU's alpha, and every activation's memory, on ${backend}`, () => {
    before(() => useBackend(backend));

    test('prelu: shared alpha is one weight for any rank; shared: false is one per channel (last axis)', () => {
      const dense = tf.zeros([2, 7]),
        conv = tf.zeros([2, 5, 5, 3]);
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
      const x = tf.tensor2d([
        [-2, 1, -0.5],
        [3, -1, 0],
      ]);
      run(layer, x); // builds the weight
      const { grads, value } = tf.variableGrads(
        () => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar,
        layer.trainableWeights.map((w) => w.read() as tf.Variable),
      );
      close(Object.values(grads)[0].dataSync(), [-3.5], 1e-6, 'shared alpha gradient');
      tf.dispose([value, ...Object.values(grads)]);
      // One SGD step moves alpha: 0.25 - 0.1 * (-3.5) = 0.6.
      tf.train.sgd(0.1).minimize(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar);
      close(layer.getWeights()[0].dataSync(), [0.6], 1e-6, 'alpha after one step');
      const perChannel = createActivation({ name: 'prelu', shared: false });
      run(perChannel, x);
      const g = tf.variableGrads(
        () => tf.sum(perChannel.apply(x) as tf.Tensor) as tf.Scalar,
        perChannel.trainableWeights.map((w) => w.read() as tf.Variable),
      );
      close(Object.values(g.grads)[0].dataSync(), [-2, -1, -0.5], 1e-6, 'per-channel alpha gradient');
      tf.dispose([g.value, ...Object.values(g.grads), x]);
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
