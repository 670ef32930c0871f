import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { buildModel } from '../../src/models/build.js';
import { SeededDropout } from '../../src/models/dropout.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const classNames = (m: tf.LayersModel): string[] => m.layers.map((l) => l.getClassName());

test('MLP default is 784-256-128-10 with an activation layer after each hidden Dense', async () => {
  await useBackend('cpu');
  const m = buildModel({ model: 'mlp', activation: 'relu', seed: 1 });
  const dense = m.layers.filter((l) => l.getClassName() === 'Dense');
  assert.deepEqual(
    dense.map((l) => l.getWeights()[0].shape),
    [
      [784, 256],
      [256, 128],
      [128, 10],
    ],
  );
  const names = classNames(m);
  // every hidden Dense is directly followed by a non-linear layer; the last Dense is the output (logits)
  names.forEach((n, i) => {
    if (n === 'Dense' && i < names.length - 1) assert.notEqual(names[i + 1], 'Dense');
  });
  assert.equal(names[names.length - 1], 'Dense');
  assert.deepEqual(m.outputs[0].shape, [null, 10]);
  m.dispose();
});

test('CNN default: conv32-act-pool-conv64-act-pool-flatten-dense128-act-dense10', async () => {
  await useBackend('cpu');
  const m = buildModel({ model: 'cnn', activation: 'gelu', seed: 1 });
  const convs = m.layers.filter((l) => l.getClassName() === 'Conv2D');
  assert.deepEqual(
    convs.map((l) => l.getWeights()[0].shape),
    [
      [3, 3, 1, 32],
      [3, 3, 32, 64],
    ],
  );
  const dense = m.layers.filter((l) => l.getClassName() === 'Dense');
  assert.deepEqual(
    dense.map((l) => l.getWeights()[0].shape),
    [
      [1600, 128],
      [128, 10],
    ],
  );
  assert.equal(m.layers.filter((l) => l.getClassName() === 'MaxPooling2D').length, 2);
  m.dispose();
});

test('sizes, depth and dropout are options', async () => {
  await useBackend('cpu');
  const m = buildModel({ model: 'mlp', activation: 'relu', hidden: [64, 32, 16], dropout: 0.5 });
  assert.deepEqual(
    m.layers.filter((l) => l.getClassName() === 'Dense').map((l) => l.getWeights()[0].shape[1]),
    [64, 32, 16, 10],
  );
  assert.equal(m.layers.filter((l) => l.getClassName() === 'NreluBenchSeededDropout').length, 3);
  m.dispose();
  assert.throws(() => buildModel({ model: 'mlp', activation: 'relu', hidden: [0] }), /hidden/);
});

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] same seed gives identical initial weights; another seed differs`, async () => {
    await useBackend(backend);
    const weights = (seed: number): Float32Array[] => {
      const m = buildModel({ model: 'cnn', activation: 'relu', seed });
      const w = m.getWeights().map((t) => t.dataSync() as Float32Array);
      m.dispose();
      return w;
    };
    const a = weights(5),
      b = weights(5),
      c = weights(6);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a[0], c[0]);
  });
}

test('torch init: weights and biases in ±1/sqrt(fan_in), roughly uniform; glorot: zero bias', async () => {
  await useBackend('cpu');
  const m = buildModel({ model: 'mlp', activation: 'relu', seed: 3 });
  const [k1, b1] = m.layers.filter((l) => l.getClassName() === 'Dense')[0].getWeights();
  const bound = 1 / Math.sqrt(784);
  const kv = k1.dataSync() as Float32Array;
  assert.ok(kv.every((v) => Math.abs(v) <= bound));
  // Uniform on [-b, b] has variance b^2/3; n = 200,704 so 2% is many standard errors wide.
  const variance = kv.reduce((s, v) => s + v * v, 0) / kv.length;
  assert.ok(
    Math.abs(variance / ((bound * bound) / 3) - 1) < 0.02,
    `variance ratio ${variance / ((bound * bound) / 3)}`,
  );
  assert.ok(b1.dataSync().every((v) => Math.abs(v) <= bound) && b1.dataSync().some((v) => v !== 0));
  m.dispose();
  const g = buildModel({ model: 'mlp', activation: 'relu', seed: 3, init: 'glorot' });
  const [gk, gb] = g.layers.filter((l) => l.getClassName() === 'Dense')[0].getWeights();
  const limit = Math.sqrt(6 / (784 + 256));
  assert.ok(gk.dataSync().every((v) => Math.abs(v) <= limit));
  assert.ok(gk.dataSync().some((v) => Math.abs(v) > bound)); // wider than torch's bound
  assert.ok(gb.dataSync().every((v) => v === 0));
  g.dispose();
});

test('seeded dropout: a new mask each training call, reproducible, identity in inference', async () => {
  await useBackend('cpu');
  const m1 = buildModel({ model: 'mlp', activation: 'relu', hidden: [64], dropout: 0.5, seed: 9 });
  const m2 = buildModel({ model: 'mlp', activation: 'relu', hidden: [64], dropout: 0.5, seed: 9 });
  const x = tf.ones([4, 28, 28, 1]);
  const run = (m: tf.LayersModel): number[][] =>
    [0, 1].map(() => Array.from((m.apply(x, { training: true }) as tf.Tensor).dataSync()));
  const [a1, a2] = run(m1);
  const [b1, b2] = run(m2);
  assert.deepEqual(a1, b1);
  assert.deepEqual(a2, b2);
  assert.notDeepEqual(a1, a2);
  const p1 = (m1.predict(x) as tf.Tensor).dataSync();
  const p2 = (m1.predict(x) as tf.Tensor).dataSync();
  assert.deepEqual(p1, p2);
  m1.dispose();
  m2.dispose();
  x.dispose();
});

test('dropout drops each unit with probability p and scales the kept ones by 1/(1-p)', async () => {
  await useBackend('cpu');
  for (const rate of [0.2, 0.5]) {
    const layer = new SeededDropout({ rate, seed: 3 });
    const x = tf.ones([200, 100]);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const values = Array.from(y.dataSync());
    const kept = Math.fround(1 / (1 - rate));
    assert.ok(
      values.every((v) => v === 0 || v === kept),
      `rate ${rate}: every output is 0 or 1/(1-p) = ${kept}`,
    );
    // The dropped fraction is p within 4 standard errors, sqrt(p (1 - p) / n), n = 20,000.
    const dropped = values.filter((v) => v === 0).length / values.length;
    assert.ok(
      Math.abs(dropped - rate) < 4 * Math.sqrt((rate * (1 - rate)) / values.length),
      `rate ${rate}: dropped ${dropped}`,
    );
    // So the expected output equals the input: the mean is 1 within 4 standard errors.
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(mean - 1) < 4 * Math.sqrt(rate / (1 - rate) / values.length), `rate ${rate}: mean ${mean}`);
    assert.deepEqual(
      Array.from((layer.apply(x, { training: false }) as tf.Tensor).dataSync()),
      Array.from(x.dataSync()),
      'identity in inference',
    );
    tf.dispose([x, y]);
  }
});
