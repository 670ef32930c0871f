import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { createActivation, normalizeActivation } from '../../src/activations/registry.js';
import { buildModel } from '../../src/models/build.js';
import { validateConfig, expandGrid } from '../../src/config/index.js';

// PyTorch: F.silu(torch.tensor([-2., -1., 0., 1., 2.])) and its gradient, computed by hand:
//   silu(x) = x / (1 + e^-x);  silu'(x) = s (1 + x (1 - s)) with s = 1 / (1 + e^-x).
const X = [-2, -1, 0, 1, 2];
const Y = [-0.2384058, -0.2689414, 0, 0.7310586, 1.7615942];
const DY = [-0.0907842, 0.0723295, 0.5, 0.9276705, 1.0907842];

function close(actual: ArrayLike<number>, expected: number[], tol: number, what: string): void {
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= tol, `${what}[${i}]: ${actual[i]} vs ${e}`));
}

test('silu is x * sigmoid(x), the same in training and inference, with PyTorch\'s values and gradient', () => {
  const layer = createActivation('silu');
  const before = tf.memory().numTensors;
  const x = tf.tensor1d(X);
  for (const training of [false, true]) {
    const y = layer.apply(x, { training }) as tf.Tensor;
    close(y.dataSync(), Y, 1e-6, `y (training ${training})`);
    y.dispose();
  }
  const dy = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t) as tf.Tensor))(x);
  close(dy.dataSync(), DY, 1e-6, 'dy/dx');
  tf.dispose([x, dy]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('silu takes no parameters and is selectable in a config and a model', () => {
  assert.deepEqual(normalizeActivation('silu'), { name: 'silu', params: {} });
  assert.throws(() => normalizeActivation({ name: 'silu', beta: 2 }), /"silu": unknown parameter "beta"; silu takes no parameters/);
  const runs = expandGrid(validateConfig({ name: 's', dataset: 'mnist-10k', models: ['mlp'], activations: ['silu'], seeds: [1] }));
  assert.deepEqual(runs.map((r) => r.id), ['mlp-silu-seed1']);
  const model = buildModel({ model: 'mlp', activation: 'silu', hidden: [8], seed: 1 });
  assert.equal(model.layers.filter((l) => l.getClassName() === 'SiLU').length, 1);
  model.dispose();
});
