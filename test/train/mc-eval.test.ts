/**
 * Monte-Carlo evaluation (train/mc-eval.ts): a deterministic model scores as in inference mode; N-ReLU's
 * averaged softmax is seeded (a rerun is identical, the layers' step counters are restored) and has the
 * expectation it should: for an inactive unit feeding logits [σε, 0], E[softmax_0] = E[sigmoid(σε)] = 1/2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { buildModel } from '../../src/models/build.js';
import { createActivation } from '../../src/activations/registry.js';
import { isStochasticLayer } from '../../src/activations/stochastic.js';
import { evaluateMonteCarlo } from '../../src/train/mc-eval.js';
import { evaluate } from '../../src/train/trainer.js';
import { makeSplit, type DeviceSplit } from '../../src/train/device-data.js';

/** A split of `labels.length` samples of `shape` (each placement gives the same values). */
function split(x: tf.Tensor, labels: number[]): DeviceSplit {
  const shape = [...x.shape.slice(1), 1, 1, 1].slice(0, 3) as [number, number, number];
  return makeSplit(x.dataSync() as Float32Array, Int32Array.from(labels), shape, 'device');
}

/** input (always -1: an inactive unit) -> N-ReLU(σ) -> logits [z, bias] with z = σε in training mode. */
function noiseModel(sigma: number, bias: number): tf.LayersModel {
  const input = tf.input({ shape: [1, 1, 1] });
  const act = createActivation({ name: 'nrelu', sigma }, { seed: 11, name: 'act' });
  const dense = tf.layers.dense({ units: 2, kernelInitializer: 'zeros', biasInitializer: 'zeros', name: 'out' });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: dense.apply(act.apply(flat)) as tf.SymbolicTensor });
  dense.setWeights([tf.tensor2d([[1, 0]]), tf.tensor1d([0, bias])]);
  return model;
}

test('a model without stochastic layers: mc:K gives the inference-mode accuracy and loss', async () => {
  await tf.setBackend('cpu');
  const model = buildModel({ model: 'mlp', activation: 'relu', seed: 2, hidden: [16] });
  const s = split(
    tf.randomUniform([300, 28, 28, 1], 0, 1, 'float32', 3),
    Array.from({ length: 300 }, (_, i) => i % 10),
  );
  const det = await evaluate(model, s, 10, 128);
  const mc = await evaluateMonteCarlo(model, s, 10, 3, 128);
  assert.equal(mc.acc, det.acc);
  assert.ok(Math.abs(mc.loss - det.loss) < 1e-5, `${mc.loss} vs ${det.loss}`);
});

test('N-ReLU: seeded and repeatable, step counters restored, and E[softmax] of pure noise is 1/2 (within 0.02 nats)', async () => {
  await tf.setBackend('cpu');
  const model = noiseModel(1, 0);
  const n = 200;
  const s = split(tf.fill([n, 1, 1, 1], -1), new Array<number>(n).fill(0));
  const stochastic = model.layers.filter(isStochasticLayer);
  assert.equal(stochastic.length, 1);
  stochastic[0].setStep(17);
  const a = await evaluateMonteCarlo(model, s, 2, 50, 64);
  const b = await evaluateMonteCarlo(model, s, 2, 50, 64);
  assert.deepEqual(a, b, 'a rerun draws the same noise');
  assert.equal(stochastic[0].getStep(), 17, 'the training step counter is restored');
  stochastic[0].setStep(999);
  assert.deepEqual(
    await evaluateMonteCarlo(model, s, 2, 50, 64),
    a,
    'the draws do not depend on where training left the counter',
  );
  // -log(mean over 50 passes of sigmoid(ε)) per sample, mean over 200 samples: log 2 = 0.693 plus a Jensen
  // bias of about Var(sigmoid(ε)) / (2 · 50 · 0.25) = 0.002; its standard error is about 0.004.
  assert.ok(Math.abs(a.loss - Math.log(2) - 0.002) < 0.02, `MC loss ${a.loss}`);

  // The softmax is averaged, not the logits: with logits [3ε, 1] E[softmax_0] = E[sigmoid(3ε − 1)] = 0.387, and
  // the estimator (100 passes, 200 samples) has mean 0.9544 and SD 0.0065 (NumPy, 2,000 simulations); averaging
  // the logits would give -log(sigmoid(-1)) = 1.313.
  const skewed = await evaluateMonteCarlo(noiseModel(3, 1), s, 2, 100, 64);
  assert.ok(Math.abs(skewed.loss - 0.9544) < 4 * 0.0065, `MC loss with logits [3ε, 1]: ${skewed.loss}`);
  // In inference mode the unit outputs 0: logits [0, 0], loss exactly log 2.
  const det = await evaluate(model, s, 2, 64);
  assert.ok(Math.abs(det.loss - Math.log(2)) < 1e-6);
  const one = await evaluateMonteCarlo(model, s, 2, 1, 64);
  assert.notDeepEqual(one, a, 'one pass is not fifty');
  await assert.rejects(() => evaluateMonteCarlo(model, s, 2, 0), /positive integer/);
});
