/**
 * Training through the wasm filter-gradient kernel: tf.grads of a tiny conv model agree with the
 * cpu backend, and a small CNN built from plain tf.layers takes optimizer steps without leaks.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/index.js';
import { registerWasmKernels } from '../../src/backend/wasm-kernels/index.js';
import { useBackend, type TestBackend } from '../helpers/backends.js';

before(async () => {
  registerWasmKernels();
  await useBackend('wasm');
});

function uniform(rng: Rng, n: number): Float32Array {
  return rng.fillUniform(new Float32Array(n), -1, 1);
}

/** d/dx and d/dw of sum(relu(conv2d(x, w))^2) for two stacked convs with strides 1 and 2. */
async function tinyModelGrads(
  backend: TestBackend,
  xv: Float32Array,
  w1v: Float32Array,
  w2v: Float32Array,
): Promise<Float32Array[]> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const x = tf.tensor4d(xv, [3, 10, 9, 2]);
  const w1 = tf.tensor4d(w1v, [3, 3, 2, 4]);
  const w2 = tf.tensor4d(w2v, [2, 3, 4, 3]);
  const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
    const h = tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'));
    const y = tf.conv2d(h, c as tf.Tensor4D, 2, 'valid');
    return tf.sum(tf.square(y));
  };
  const grads = tf.grads(loss)([x, w1, w2]);
  const data = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([x, w1, w2, ...grads]);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked by tf.grads`);
  return data;
}

test('tf.grads of a two-layer conv model on wasm match cpu (rel. tolerance 1e-4)', async () => {
  const rng = new Rng(11);
  const xv = uniform(rng, 3 * 10 * 9 * 2),
    w1v = uniform(rng, 3 * 3 * 2 * 4),
    w2v = uniform(rng, 2 * 3 * 4 * 3);
  const expected = await tinyModelGrads('cpu', xv, w1v, w2v);
  const actual = await tinyModelGrads('wasm', xv, w1v, w2v);
  ['dx', 'dw1', 'dw2'].forEach((name, k) => {
    const scale = expected[k].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (let i = 0; i < expected[k].length; i++) {
      assert.ok(
        Math.abs(actual[k][i] - expected[k][i]) <= 1e-4 * scale,
        `${name}[${i}]: wasm ${actual[k][i]} vs cpu ${expected[k][i]}`,
      );
    }
  });
});

/** conv-relu-maxpool-conv-relu-maxpool-flatten-dense, from plain tf.layers. */
function smallCnn(): tf.Sequential {
  // Seeded initialisers keep the "loss falls" check below deterministic.
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, kernelInitializer: init(1) }));
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(2) }));
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10, kernelInitializer: init(3) }));
  return model;
}

test('a small CNN trains on wasm: finite loss, weights move, no tensor growth across steps', async () => {
  await useBackend('wasm');
  const rng = new Rng(5);
  const model = smallCnn();
  const optimizer = tf.train.adam(1e-3);
  const xs = tf.tensor4d(rng.fillUniform(new Float32Array(16 * 784)), [16, 28, 28, 1]);
  const ys = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 16 }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const step = () => {
    const cost = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs) as tf.Tensor) as tf.Scalar,
      true,
    );
    const value = cost!.dataSync()[0];
    cost!.dispose();
    return value;
  };
  const kernelBefore = model.layers[0].getWeights()[0].dataSync().slice();
  const first = step(); // creates Adam's slot variables
  const tensors = tf.memory().numTensors;
  const losses = [step(), step(), step()];
  assert.equal(tf.memory().numTensors, tensors, 'tensors grew across training steps');
  for (const loss of [first, ...losses]) assert.ok(Number.isFinite(loss), `loss ${loss}`);
  const kernelAfter = model.layers[0].getWeights()[0].dataSync();
  assert.ok(
    kernelAfter.some((v, i) => v !== kernelBefore[i]),
    'first conv kernel did not change',
  );
  assert.ok(losses[2] < first, `loss did not fall on a fixed batch: ${first} -> ${losses[2]}`);
  tf.dispose([xs, ys]);
  optimizer.dispose();
  model.dispose();
});

/**
 * Every replaced kernel at once: conv (stride 1 and 2) - LeakyReLU - max-pool (2x2 and an
 * overlapping 3x3/2 'same') - dense - dense. LeakyReLU makes all-negative pooling windows
 * common, where TF.js 4.22's own wasm MaxPoolGrad passes no gradient.
 */
async function poolModelGrads(backend: TestBackend, values: Float32Array[]): Promise<Float32Array[]> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const [x, w1, w2, d1, d2] = [
    tf.tensor4d(values[0], [4, 16, 16, 2]),
    tf.tensor4d(values[1], [3, 3, 2, 6]),
    tf.tensor4d(values[2], [3, 3, 6, 8]),
    tf.tensor2d(values[3], [32, 12]),
    tf.tensor2d(values[4], [12, 3]),
  ];
  const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor) => {
    let h: tf.Tensor4D = tf.leakyRelu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid'), 0.1);
    h = tf.maxPool(h, 2, 2, 'valid'); // 14x14 -> 7x7
    h = tf.leakyRelu(tf.conv2d(h, c as tf.Tensor4D, 2, 'same'), 0.1); // 4x4
    h = tf.maxPool(h, 3, 2, 'same'); // 2x2, overlapping windows
    const flat = tf.reshape(h, [4, 32]);
    return tf.sum(tf.square(tf.matMul(tf.leakyRelu(tf.matMul(flat, d), 0.1), e)));
  };
  const grads = tf.grads(loss)([x, w1, w2, d1, d2]);
  const data = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([x, w1, w2, d1, d2, ...grads]);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked by tf.grads`);
  return data;
}

test('tf.grads through conv, max-pool and dense layers on wasm match cpu (rel. tolerance 1e-4)', async () => {
  const rng = new Rng(21);
  const values = [4 * 16 * 16 * 2, 3 * 3 * 2 * 6, 3 * 3 * 6 * 8, 32 * 12, 12 * 3].map((n) => uniform(rng, n));
  const expected = await poolModelGrads('cpu', values);
  const actual = await poolModelGrads('wasm', values);
  ['dx', 'dw1', 'dw2', 'dd1', 'dd2'].forEach((name, k) => {
    const scale = expected[k].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(scale > 0, `${name} is all zeros`);
    for (let i = 0; i < expected[k].length; i++) {
      assert.ok(
        Math.abs(actual[k][i] - expected[k][i]) <= 1e-4 * scale,
        `${name}[${i}]: wasm ${actual[k][i]} vs cpu ${expected[k][i]}`,
      );
    }
  });
});
