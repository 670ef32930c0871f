import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { buildModel } from '../../src/models/build.js';
import { countDeadNeurons, hiddenLinearLayers } from '../../src/metrics/dead-neurons.js';
import { Rng } from '../../src/rng/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

/** Zero kernel and a bias of -5 (dead) or +5 (alive) per unit: the pre-activation is exactly the bias. */
function forceUnits(layer: tf.layers.Layer, deadUnits: Set<number>): void {
  const [k, b] = layer.getWeights();
  const units = b.shape[0];
  const bias = Float32Array.from({ length: units }, (_, i) => (deadUnits.has(i) ? -5 : 5));
  layer.setWeights([tf.zerosLike(k), tf.tensor(bias)]);
}

function randomInput(n: number, seed: number): tf.Tensor {
  return tf.tensor(new Rng(seed).fillUniform(new Float32Array(n * 784)), [n, 28, 28, 1]);
}

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] exact per-layer count with units forced dead (MLP and CNN), output layer excluded`, async () => {
    await useBackend(backend);
    for (const kind of ['mlp', 'cnn'] as const) {
      const model = buildModel({
        model: kind,
        activation: 'relu',
        seed: 1,
        ...(kind === 'cnn' ? { filters: [8, 16], dense: [32] } : { hidden: [32, 16] }),
      });
      const hidden = hiddenLinearLayers(model);
      const chosen = hidden.map((_, i) => new Set(i === 0 ? [0, 3, 5] : i === 1 ? [1, 2] : [4]));
      hidden.forEach((l, i) => forceUnits(l, chosen[i]));
      const x = randomInput(300, 2);
      const before = tf.memory().numTensors;
      const report = await countDeadNeurons(model, x, { batchSize: 64 });
      assert.equal(tf.memory().numTensors, before, 'probe leaked tensors');
      assert.deepEqual(
        report.layers.map((l) => l.dead),
        chosen.map((s) => s.size),
      );
      assert.deepEqual(
        report.layers.map((l) => l.name),
        hidden.map((l) => l.name),
      );
      const units = hidden.map((l) => l.getWeights()[1].shape[0]);
      assert.deepEqual(
        report.layers.map((l) => l.units),
        units,
      );
      assert.equal(report.dead, 3 + 2 + (hidden.length > 2 ? 1 : 0));
      assert.equal(
        report.units,
        units.reduce((a, b) => a + b, 0),
      );
      // threshold: a unit at -5 is not dead against threshold -6
      assert.equal((await countDeadNeurons(model, x, { threshold: -6 })).dead, 0);
      model.dispose();
      x.dispose();
    }
  });
}

test('count on a randomly initialised model equals a brute-force count of pre-activation maxima', async () => {
  await useBackend('cpu');
  const model = buildModel({ model: 'mlp', activation: 'relu', seed: 4, hidden: [64, 64] });
  // Push some units towards death so the count is not trivially zero.
  const first = hiddenLinearLayers(model)[0];
  const [k, b] = first.getWeights();
  const bias = b.dataSync().slice();
  for (let i = 0; i < bias.length; i += 4) bias[i] -= 3;
  first.setWeights([k, tf.tensor(bias)]);
  const x = randomInput(200, 5);
  const report = await countDeadNeurons(model, x, { batchSize: 37, threshold: 0 });
  const probe = tf.model({
    inputs: model.inputs,
    outputs: hiddenLinearLayers(model).map((l) => l.output as tf.SymbolicTensor),
  });
  const outs = probe.predict(x) as tf.Tensor[];
  const expected = outs.map((o) => {
    const [n, u] = o.shape as [number, number];
    const v = o.dataSync();
    let dead = 0;
    for (let j = 0; j < u; j++) {
      let alive = false;
      for (let i = 0; i < n && !alive; i++) alive = v[i * u + j] > 0;
      if (!alive) dead++;
    }
    return dead;
  });
  assert.ok(expected[0] > 0, 'the test setup should kill some units');
  assert.deepEqual(
    report.layers.map((l) => l.dead),
    expected,
  );
  tf.dispose(outs);
  model.dispose();
  x.dispose();
});
