import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { createActivation, type ActivationSpec } from '../../src/activations/registry.js';
import { probeUnits, type UnitActivityOptions, type UnitActivityReport } from '../../src/metrics/unit-activity.js';
import { countDeadNeurons } from '../../src/metrics/dead-neurons.js';
import { evaluateUnderNoise } from '../../src/metrics/robustness.js';
import { makeSplit } from '../../src/train/device-data.js';
import { evaluate } from '../../src/train/trainer.js';
import { buildModel } from '../../src/models/build.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { NOISY_RELU_KERNEL, RANDOM_SLOPE_RELU_KERNEL } from '../../src/activations/noise-kernels.js';

/**
 * input(2) -> dense(3) -> activation -> dense(2). With x = [[1,0],[0,1]] and the kernel below the
 * hidden pre-activations are 1, 0.05 and -1 for both samples, so by hand, for ReLU:
 * mean |a| = [1, 0.05, 0], layer mean 0.35, scores = [2.857, 0.143, 0].
 */
function handModel(
  activation: ActivationSpec,
  kernel = [
    [1, 0.05, -1],
    [1, 0.05, -1],
  ],
): tf.LayersModel {
  const input = tf.input({ shape: [2] });
  const hidden = tf.layers.dense({ units: 3, name: 'hidden' });
  const act = createActivation(activation, { seed: 3, name: 'act' });
  const out = tf.layers.dense({ units: 2, name: 'out' });
  const model = tf.model({ inputs: input, outputs: out.apply(act.apply(hidden.apply(input))) as tf.SymbolicTensor });
  hidden.setWeights([tf.tensor2d(kernel), tf.zeros([3])]);
  out.setWeights([
    tf.tensor2d([
      [1, -1],
      [0.5, 2],
      [-1, 1],
    ]),
    tf.zeros([2]),
  ]);
  return model;
}

/** The dormant and zero-output report alone: probeUnits with the dead count off. */
async function activityOf(
  model: tf.LayersModel,
  x: tf.Tensor,
  options: UnitActivityOptions = {},
): Promise<UnitActivityReport> {
  const { activity } = await probeUnits(model, x, { ...options, dead: false });
  assert.ok(activity);
  return activity;
}

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] dormant score matches the hand-computed example; zero output counts training-mode zeros`, async () => {
    await useBackend(backend);
    const x = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const relu = handModel('relu');
    const r = await activityOf(relu, x, { tau: 0.1 });
    assert.deepEqual(r.layers, [{ name: 'act', units: 3, dormant: 1, zeroOutput: 1 }]);
    assert.equal((await activityOf(relu, x, { tau: 0.15 })).dormant, 2, 'score 0.143 <= 0.15');
    assert.equal((await activityOf(relu, x, { tau: 0.14 })).dormant, 1, 'score 0.143 > 0.14');
    // N-ReLU: inference output equals ReLU's (same dormant count), but training-mode noise is never exactly 0.
    const nrelu = handModel({ name: 'nrelu', sigma: 0.1 });
    const before = tf.memory().numTensors;
    const n = await activityOf(nrelu, x, { tau: 0.1 });
    assert.equal(tf.memory().numTensors, before, 'no leaked tensors');
    assert.equal(n.dormant, 1);
    assert.equal(n.zeroOutput, 0);
    // sigma 0 is exactly ReLU, in training mode too
    assert.equal((await activityOf(handModel({ name: 'nrelu', sigma: 0 }), x)).zeroOutput, 1);
    tf.dispose(x);
  });
}

test('the training-mode probe does not change the noise the model trains with afterwards', async () => {
  await useBackend('cpu');
  const x = tf.tensor2d([
    [1, 0],
    [0, 1],
    [-1, -1],
  ]);
  const a = handModel({ name: 'nrelu', sigma: 0.5 });
  const b = handModel({ name: 'nrelu', sigma: 0.5 });
  await activityOf(a, x);
  const ya = (a.apply(x, { training: true }) as tf.Tensor).dataSync();
  const yb = (b.apply(x, { training: true }) as tf.Tensor).dataSync();
  assert.deepEqual(ya, yb);
});

test("the training-mode pass stops once every unit has had a non-zero output, with the full scan's count", async () => {
  await useBackend('cpu');
  const x = tf.tensor2d(Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i)]));
  // Unit 1's pre-activation is exactly 0 for every sample: zero output under RReLU (0 * a), noise under N-ReLU.
  const kernel = [
    [1, 0, -1],
    [1, 0, -1],
  ];
  const probe = async (model: tf.LayersModel, batchSize: number, noiseKernel: string): Promise<[number, number]> => {
    let zero = -1;
    const info = await tf.profile(async () => {
      zero = (await activityOf(model, x, { batchSize })).zeroOutput;
    });
    return [zero, info.kernels.filter((k) => k.name === noiseKernel).length];
  };
  // N-ReLU: every unit is non-zero after the first of five batches, so one training-mode batch runs.
  assert.deepEqual(await probe(handModel({ name: 'nrelu', sigma: 0.1 }, kernel), 8, NOISY_RELU_KERNEL), [0, 1]);
  // RReLU: unit 1 stays zero, so all five batches run, and the count is that of one 40-sample batch.
  assert.deepEqual(await probe(handModel('rrelu', kernel), 8, RANDOM_SLOPE_RELU_KERNEL), [1, 5]);
  assert.deepEqual(await probe(handModel('rrelu', kernel), 40, RANDOM_SLOPE_RELU_KERNEL), [1, 1]);
  x.dispose();
});

test('robustness: seeded, clean at level 0, lower accuracy under more noise', async () => {
  await useBackend('cpu');
  const model = buildModel({ model: 'mlp', activation: 'relu', hidden: [16], seed: 2 });
  const x = tf.randomUniform([300, 28, 28, 1], 0, 1, 'float32', 7);
  const y = tf.argMax(model.predict(x) as tf.Tensor, 1).cast('int32') as tf.Tensor1D; // labels the model gets right
  const samples = makeSplit((await x.data()) as Float32Array, (await y.data()) as Int32Array, [28, 28, 1], 'device');
  const results = await evaluateUnderNoise(model, samples, [0, 0.2, 50], 11, 128);
  assert.deepEqual(
    results.map((r) => r.noise),
    [0, 0.2, 50],
  );
  assert.equal(results[0].testAcc, 1);
  assert.ok(results[1].testAcc < 1 && results[1].testAcc > results[2].testAcc);
  const again = await evaluateUnderNoise(model, samples, [0.2], 11, 128);
  assert.equal(again[0].testAcc, results[1].testAcc, 'same seed, same accuracy');
  const onHost = makeSplit((await x.data()) as Float32Array, (await y.data()) as Int32Array, [28, 28, 1], 'host');
  assert.deepEqual(
    await evaluateUnderNoise(model, onHost, [0, 0.2, 50], 11, 128),
    results,
    'host-kept samples, same results',
  );
  samples.dispose();
  tf.dispose([x, y]);
  model.dispose();
});

test('probeUnits in one pass equals the separate probes, for deterministic and stochastic models', async () => {
  await useBackend('wasm');
  const x = tf.randomUniform([200, 28, 28, 1], 0, 1, 'float32', 3);
  for (const activation of ['relu', 'rrelu', { name: 'nrelu', sigma: 0.1 }] as ActivationSpec[]) {
    const model = buildModel({ model: 'cnn', activation, filters: [4, 8], dense: [16], dropout: 0.2, seed: 5 });
    // Kill some dense units so the counts are not all zero.
    const dense = model.getLayer('dense_1');
    const [k] = dense.getWeights();
    dense.setWeights([k, tf.tensor(Float32Array.from({ length: 16 }, (_, i) => (i % 3 === 0 ? -100 : 0.1)))]);
    const both = await probeUnits(model, x, { tau: 0.1, batchSize: 64 });
    assert.deepEqual(both.dead, await countDeadNeurons(model, x, { batchSize: 50 }));
    assert.deepEqual(both.activity, await activityOf(model, x, { tau: 0.1, batchSize: 50 }));
    assert.ok((both.dead?.dead ?? 0) >= 6, `${JSON.stringify(activation)}: forced-dead units counted`);
    model.dispose();
  }
  x.dispose();
});

test('with labels, the inference pass also scores the model on the probe samples exactly as evaluate() does', async () => {
  await useBackend('wasm');
  const n = 200; // four batches of 64 and a ragged end of 8
  const x = tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 11);
  const y = tf.randomUniform([n], 0, 10, 'int32', 12) as tf.Tensor1D;
  const split = makeSplit((await x.data()) as Float32Array, (await y.data()) as Int32Array, [28, 28, 1], 'device');
  for (const activation of ['relu', { name: 'nrelu', sigma: 1 }] as ActivationSpec[]) {
    const model = buildModel({ model: 'cnn', activation, filters: [4, 8], dense: [16], dropout: 0.2, seed: 5 });
    const scored = await probeUnits(model, x, { batchSize: 64, labels: { y, classes: 10 } });
    const plain = await probeUnits(model, x, { batchSize: 64 });
    assert.equal(plain.fit, null);
    assert.deepEqual({ dead: scored.dead, activity: scored.activity }, { dead: plain.dead, activity: plain.activity });
    // evaluate() is inference mode; with sigma = 1 a training-mode (noisy) score would be far from it.
    const expected = await evaluate(model, split, 10);
    assert.ok(scored.fit, 'scored');
    assert.equal(scored.fit.acc, expected.acc, `${JSON.stringify(activation)}: accuracy`);
    assert.ok(Math.abs(scored.fit.loss - expected.loss) < 1e-6, `loss ${scored.fit.loss} vs ${expected.loss}`);
    model.dispose();
  }
  split.dispose();
  tf.dispose([x, y]);
});

/**
 * A stand-in model that sees what evaluateUnderNoise feeds it: class = the brightest of ten
 * horizontal stripes (rows 2c..2c+1), so clean stripe images are classified perfectly.
 */
function stripeModel(seen: Float32Array[]): tf.LayersModel {
  return {
    predict: (x: tf.Tensor) => {
      seen.push(x.dataSync() as Float32Array);
      return tf.tidy(() => {
        const rows = tf.mean(tf.reshape(x, [x.shape[0], 28, 28]), 2); // [n, 28]
        return tf.reshape(tf.slice(rows, [0, 0], [-1, 20]), [x.shape[0], 10, 2]).mean(2);
      });
    },
  } as unknown as tf.LayersModel;
}

test('robustness: the noise has the given sigma, inputs are clipped to their range, and heavy noise gives chance accuracy', async () => {
  await useBackend('cpu');
  const n = 1000;
  const clean = new Float32Array(n * 784).fill(0.3);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    for (let j = 0; j < 56; j++) clean[i * 784 + 56 * labels[i] + j] = 0.7; // stripe rows 2c, 2c+1
  }
  // The inputs' range is [0, 1]: one pixel in the last row (outside every stripe) at each end.
  clean[783] = 0;
  clean[784 + 783] = 1;
  const samples = makeSplit(clean, labels, [28, 28, 1], 'device');
  const seen: Float32Array[] = [];
  const [level0, small, heavy] = await evaluateUnderNoise(stripeModel(seen), samples, [0, 0.01, 50], 3, n);
  assert.equal(level0.testAcc, 1, 'clean stripes are classified perfectly');
  assert.deepEqual(seen[0], clean, 'level 0 adds nothing');
  // sigma 0.01: (noisy - clean) has std 0.01 (784,000 values, 0.1 % relative standard error), away
  // from the two range-end pixels, where clipping cuts half of it.
  const diffs = seen[1].map((v, i) => v - clean[i]).filter((_, i) => i !== 783 && i !== 784 + 783);
  const std = Math.sqrt(diffs.reduce((a, d) => a + d * d, 0) / diffs.length);
  assert.ok(Math.abs(std / 0.01 - 1) < 0.01, `noise std ${std}`);
  assert.equal(small.testAcc, 1);
  // sigma 50: every value is clipped into the inputs' own range [0, 1], almost all to an end.
  const noisy = seen[2];
  assert.ok(
    noisy.every((v) => v >= 0 && v <= 1),
    'clipped to the input range',
  );
  const ends = noisy.filter((v) => v === 0 || v === 1).length / noisy.length;
  assert.ok(ends > 0.99, `${ends} of the values at an end of the range`);
  // ... so the stripes are gone: accuracy is chance, 0.1 +- 4 standard errors (sqrt(0.09 / 1000)).
  assert.ok(Math.abs(heavy.testAcc - 0.1) < 4 * Math.sqrt(0.09 / n), `accuracy under heavy noise ${heavy.testAcc}`);
  samples.dispose();
});

test('with pool-then-activate (conv -> pool -> ReLU) the activity probes measure the activation, not the pool', async () => {
  await useBackend('cpu');
  const model = buildModel({
    model: 'cnn',
    activation: 'relu',
    filters: [4],
    dense: [8],
    activationAfterPool: true,
    seed: 3,
  });
  // Channel 0 of the conv can never be positive: its ReLU output is exactly 0 everywhere (zero output), while its
  // pooled pre-activation, which the probe measured before, is far from 0.
  const conv = model.layers.find((l) => l.getClassName() === 'Conv2D') as tf.layers.Layer;
  const [kernel, bias] = conv.getWeights();
  const b = bias.arraySync() as number[];
  conv.setWeights([kernel, tf.tensor1d([-1e3, ...b.slice(1)])]);
  const x = tf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 7);
  const { dead, activity } = await probeUnits(model, x);
  x.dispose();
  model.dispose();
  assert.ok((dead?.layers[0].dead ?? 0) >= 1, 'channel 0 is dead');
  assert.ok((activity?.layers[0].zeroOutput ?? 0) >= 1, 'and its activation outputs exactly 0');
  assert.ok((activity?.layers[0].dormant ?? 0) >= 1, 'so it is dormant too');
});
