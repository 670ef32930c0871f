/**
 * `evaluateDeadZeroed` (eval --mode zero-dead): the units dead on the probe samples, and only they, are silenced,
 * and the test score then loses exactly what those units passed on. A planted model: hidden unit 0 is alive, unit 1 is
 * dead on the probe but fires on one test input that it alone classifies, unit 2 never fires.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { evaluateDeadZeroed } from '../../src/train/dead-ablation.js';
import { evaluate } from '../../src/train/trainer.js';
import { makeSplit } from '../../src/train/device-data.js';

function plantedModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [1, 1, 2] }),
      tf.layers.dense({ units: 3, name: 'hidden' }),
      tf.layers.reLU(),
      tf.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  // Hidden pre-activations: x0; x1 - 10; -x0 - x1 - 100.
  model.getLayer('hidden').setWeights([
    tf.tensor2d([
      [1, 0, -1],
      [0, 1, -1],
    ]),
    tf.tensor1d([0, -10, -100]),
  ]);
  // logit0 = h0 + 0.5, logit1 = h1: the input that fires unit 1 is class 1, any other class 0.
  model.getLayer('out').setWeights([
    tf.tensor2d([
      [1, 0],
      [0, 1],
      [0, 0],
    ]),
    tf.tensor1d([0.5, 0]),
  ]);
  return model;
}

const split = (points: number[][], labels: number[]): ReturnType<typeof makeSplit> =>
  makeSplit(Float32Array.from(points.flat()), Int32Array.from(labels), [1, 1, 2], 'device');

test('zero-dead silences the units dead on the probe, only they, and scores what remains', async () => {
  const model = plantedModel();
  const probe = split(
    [
      [-1, 0],
      [1, 0.5],
      [1, 1],
    ],
    [0, 0, 0],
  );
  const testSet = split(
    [
      [0, 20],
      [1, 0],
    ],
    [1, 0],
  );
  const probeX = probe.slice(0, 3).x;
  const before = await evaluate(model, testSet, 2);
  assert.equal(before.acc, 1, 'the intact model classifies both test inputs');
  const alive = model.getLayer('hidden').getWeights()[0].arraySync() as number[][];

  const r = await evaluateDeadZeroed(model, probeX, testSet, 2);
  assert.equal(r.units, 3);
  assert.equal(r.silenced, 2, 'units 1 and 2 are dead on the probe; unit 0 is not');
  assert.equal(r.acc, 0.5, 'the test input only unit 1 classified is lost');

  const [kernel, bias] = model
    .getLayer('hidden')
    .getWeights()
    .map((w) => w.arraySync()) as [number[][], number[]];
  assert.deepEqual(
    kernel.map((row) => row[0]),
    alive.map((row) => row[0]),
    "the live unit's weights are untouched",
  );
  // === 0: a kernel entry zeroed from a negative weight is -0, and a pre-activation of -0 is still 0.
  assert.ok(
    kernel.every((row) => row[1] === 0 && row[2] === 0),
    `the dead units' kernel columns are zeroed: ${JSON.stringify(kernel)}`,
  );
  assert.ok(bias[1] === 0 && bias[2] === 0 && bias[0] === 0, `biases: ${JSON.stringify(bias)}`);
  tf.dispose([probeX]);
  probe.dispose();
  testSet.dispose();
  model.dispose();
});

test('zero-dead leaves a model without dead units as it was', async () => {
  const model = plantedModel();
  // Every unit fires on some probe sample, so none is silenced and the score is the model's own.
  const probe = split(
    [
      [1, 20],
      [-200, 0],
    ],
    [0, 0],
  );
  const testSet = split(
    [
      [0, 20],
      [1, 0],
    ],
    [1, 0],
  );
  const probeX = probe.slice(0, 2).x;
  const r = await evaluateDeadZeroed(model, probeX, testSet, 2);
  assert.equal(r.silenced, 0);
  assert.deepEqual({ acc: r.acc, loss: r.loss }, await evaluate(model, testSet, 2));
  tf.dispose([probeX]);
  probe.dispose();
  testSet.dispose();
  model.dispose();
});
