/**
 * Paired comparisons rest on this: runs with the same seed share everything but the activation.
 * The initial weights of every Dense/Conv2D layer, the batch order, and (for N-ReLU at any sigma)
 * the noise stream eps must not depend on which activation a run uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { buildModel, type BuildModelOptions } from '../../src/models/build.js';
import type { ActivationSpec } from '../../src/activations/registry.js';
import { trainRun, type EpochResult } from '../../src/train/trainer.js';
import { toDeviceData } from '../../src/train/device-data.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { runSpec, syntheticDataset } from '../helpers/synthetic.js';

const ACTIVATIONS: ActivationSpec[] = [
  'leaky_relu',
  'prelu',
  { name: 'prelu', shared: false },
  'gelu',
  'rrelu',
  { name: 'nrelu', sigma: 0.05 },
  { name: 'nrelu', sigma: 0.2 },
];

/** Name and weight values of every Dense/Conv2D layer, in model order. */
function linearWeights(options: BuildModelOptions): { name: string; values: number[][] }[] {
  const model = buildModel(options);
  const out = model.layers
    .filter((l) => l.getClassName() === 'Dense' || l.getClassName() === 'Conv2D')
    .map((l) => ({ name: l.name, values: l.getWeights().map((w) => Array.from(w.dataSync())) }));
  model.dispose();
  return out;
}

test('same seed, same initial weights of every common layer, whatever the activation (PReLU included)', async () => {
  await useBackend('cpu');
  for (const base of [
    { model: 'mlp', seed: 3 },
    { model: 'mlp', seed: 3, hidden: [64, 32], dropout: 0.2 },
    { model: 'cnn', seed: 5, filters: [4, 8], dense: [16] },
  ] as Omit<BuildModelOptions, 'activation'>[]) {
    const relu = linearWeights({ ...base, activation: 'relu' });
    assert.ok(relu.length >= 3);
    for (const activation of ACTIVATIONS) {
      assert.deepEqual(linearWeights({ ...base, activation }), relu, `${base.model} ${JSON.stringify(activation)}`);
    }
    // ...and the seed does matter.
    assert.notDeepEqual(linearWeights({ ...base, seed: (base.seed ?? 0) + 1, activation: 'relu' }), relu);
  }
});

test('N-ReLU at different sigmas draws the same eps stream: y(sigma) / sigma is identical, pass after pass', async () => {
  await useBackend('cpu');
  const x = tf.tensor2d(
    Array.from({ length: 4 * 50 }, (_, i) => (i % 3 === 0 ? 0.5 : -1)),
    [4, 50],
  );
  const acts = [0.05, 0.1, 0.2].map((sigma) => {
    const model = buildModel({ model: 'mlp', hidden: [50, 50], seed: 7, activation: { name: 'nrelu', sigma } });
    return { sigma, model, layers: model.layers.filter((l) => l.getClassName() === 'NReLU') };
  });
  for (let pass = 0; pass < 3; pass++) {
    for (let layer = 0; layer < 2; layer++) {
      const scaled = acts.map(({ sigma, layers }) =>
        tf.tidy(() => {
          const y = layers[layer].apply(x, { training: true }) as tf.Tensor;
          return Array.from(tf.where(x.greater(0), y, y.div(sigma)).dataSync());
        }),
      );
      for (const s of scaled.slice(1)) {
        s.forEach((v, i) =>
          assert.ok(
            Math.abs(v - scaled[0][i]) <= 1e-5 * Math.max(1, Math.abs(v)),
            `pass ${pass} layer ${layer} elt ${i}: ${v} vs ${scaled[0][i]}`,
          ),
        );
      }
      // The positive part passes through; the noise is not all zero.
      assert.ok(scaled[0].some((v, i) => i % 3 !== 0 && v !== 0));
    }
  }
  // Different layers of one model get different streams.
  const a = tf.tidy(() => Array.from((acts[0].layers[0].apply(x, { training: true }) as tf.Tensor).dataSync()));
  const b = tf.tidy(() => Array.from((acts[0].layers[1].apply(x, { training: true }) as tf.Tensor).dataSync()));
  assert.notDeepEqual(a, b);
  x.dispose();
  for (const { model } of acts) model.dispose();
});

const withoutTiming = (e: EpochResult[]) =>
  e.map(({ epochSeconds: _a, samplesPerSecond: _b, varied: _s, ...rest }) => rest);

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] activations that equal ReLU train to identical numbers (same init, batch order and data)`, async () => {
    await useBackend(backend);
    const data = toDeviceData(syntheticDataset(384, 96));
    const train = { epochs: 2, batchSize: 64, optimizer: 'adam' as const, learningRate: 0.003 };
    const relu = await trainRun(runSpec({ train }), data);
    // Leaky ReLU with slope 0, and N-ReLU with sigma 0, compute exactly ReLU: any difference would come from
    // the initial weights or the batch order depending on the activation.
    const leaky0 = await trainRun(runSpec({ train, activation: { name: 'leaky_relu', params: { alpha: 0 } } }), data);
    const nrelu0 = await trainRun(
      runSpec({
        train,
        activation: { name: 'nrelu', params: {} },
        varied: { param: 'sigma', schedule: 'constant', start: 0, end: 0 },
      }),
      data,
    );
    assert.equal(relu.status, 'completed');
    assert.deepEqual(withoutTiming(leaky0.epochs), withoutTiming(relu.epochs));
    assert.deepEqual(withoutTiming(nrelu0.epochs), withoutTiming(relu.epochs));
    // Another seed changes the numbers, so the equality above is not vacuous.
    const other = await trainRun(runSpec({ train, seed: 2 }), data);
    assert.notDeepEqual(withoutTiming(other.epochs), withoutTiming(relu.epochs));
    data.dispose();
  });
}
