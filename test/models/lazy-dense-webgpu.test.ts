/**
 * The lazy-gradient Dense on WebGPU: the same forward kernel (the backend's _FusedMatMul on the
 * same 3-D views) and the same gradient ops as tfjs-layers' Dense, so an MLP's losses and
 * gradients equal the plain path's bit for bit, step after step; the step skips the first
 * layer's input gradient, so it takes fewer dispatches (counted at runWebGPUProgram); and the
 * input gradient, when asked for, is the plain one. Skips without an adapter; the missing adapter
 * itself fails in CI (test/backend/webgpu.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { selectBackend } from '../../src/backend/select.js';
import { probeWebGpu } from '../../src/backend/webgpu.js';
import { buildModel } from '../../src/models/build.js';
import { useLazyDense, DENSE_KERNEL } from '../../src/models/lazy-dense.js';
import { adam } from '../../src/train/fused-adam.js';
import { Rng } from '../../src/rng/index.js';
import { requires } from '../helpers/requires.js';
import { counted } from '../helpers/dispatches.js';

const probe = await probeWebGpu();
const gpu = requires('a WebGPU adapter', probe.ok ? null : probe.reason);

const BATCH = 16;
const STEPS = 3;

interface Run {
  losses: number[];
  /** Each step's gradients, in trainable-weight order. */
  grads: Float32Array[][];
  /** Dispatches of the last step's forward and backward pass (no optimizer). */
  dispatches: number;
}

/** A batch of random images and one-hot labels. */
function batch(rng: Rng): [tf.Tensor, tf.Tensor] {
  const xs = tf.tensor(rng.fillNormal(new Float32Array(BATCH * 784)), [BATCH, 28, 28, 1]);
  const labels = tf.tensor1d(
    Array.from({ length: BATCH }, () => rng.int(10)),
    'int32',
  );
  const ys = tf.oneHot(labels, 10);
  labels.dispose();
  return [xs, ys];
}

/** Small normal weights: zero-initialised kernels would make every first-step gradient but the last layer's zero. */
function randomWeights(model: tf.LayersModel, rng: Rng): void {
  const weights = model.getWeights().map((w) => tf.tensor(rng.fillNormal(new Float32Array(w.size)), w.shape).mul(0.1));
  model.setWeights(weights);
  tf.dispose(weights);
}

/** STEPS Adam steps of an MLP 784-32-16-10 (ReLU) on webgpu, with or without the lazy Dense. */
async function train(lazy: boolean): Promise<Run> {
  await selectBackend('webgpu');
  const previous = useLazyDense(lazy);
  const model = buildModel({ model: 'mlp', activation: 'relu', seed: 7, hidden: [32, 16] });
  const rng = new Rng(12);
  randomWeights(model, rng);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = adam(1e-2);
  const run: Run = { losses: [], grads: [], dispatches: 0 };
  try {
    for (let step = 0; step < STEPS; step++) {
      const [xs, ys] = batch(rng);
      const pass = counted(() =>
        tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
          variables,
        ),
      );
      const { value, grads } = pass.value;
      run.dispatches = pass.dispatches;
      run.losses.push((await value.data())[0]);
      run.grads.push(await Promise.all(variables.map(async (v) => (await grads[v.name].data()) as Float32Array)));
      optimizer.applyGradients(grads);
      tf.dispose([xs, ys, value, ...Object.values(grads)]);
    }
  } finally {
    useLazyDense(previous);
    optimizer.dispose();
    model.dispose();
  }
  return run;
}

test('lazy Dense on webgpu: the plain Dense losses and gradients bit for bit, in fewer dispatches', gpu, async () => {
  const lazy = await train(true);
  const plain = await train(false);
  for (let step = 0; step < STEPS; step++) {
    assert.ok(Object.is(lazy.losses[step], plain.losses[step]), `step ${step}: loss ${lazy.losses[step]}`);
    lazy.grads[step].forEach((g, i) => {
      assert.ok(
        g.every((v, j) => Object.is(v, plain.grads[step][i][j])),
        `step ${step}: gradient ${i} differs`,
      );
    });
  }
  assert.notEqual(lazy.losses[0], lazy.losses[STEPS - 1], 'the steps trained');
  console.log(
    `MLP 784-32-16-10, batch ${BATCH}, forward+backward on webgpu: ${lazy.dispatches} dispatches lazy, ` +
      `${plain.dispatches} plain; losses ${lazy.losses.join(', ')}`,
  );
  assert.ok(lazy.dispatches < plain.dispatches, 'the first layer input gradient is skipped');
});

test('lazy Dense on webgpu: the input gradient, when asked for, is the plain one', gpu, async () => {
  await selectBackend('webgpu');
  const model = buildModel({ model: 'mlp', activation: 'relu', seed: 1, hidden: [6] });
  const rng = new Rng(3);
  randomWeights(model, rng);
  const x = tf.tensor(rng.fillNormal(new Float32Array(4 * 784)), [4, 28, 28, 1]);
  const inputGrad = async (lazy: boolean) => {
    const previous = useLazyDense(lazy);
    try {
      const g = tf.grad((input: tf.Tensor) => tf.sum(model.apply(input) as tf.Tensor))(x);
      const values = (await g.data()) as Float32Array;
      g.dispose();
      return values;
    } finally {
      useLazyDense(previous);
    }
  };
  const forward = await tf.profile(() => tf.dispose(model.apply(x) as tf.Tensor));
  assert.ok(
    forward.kernels.some((k) => k.name === DENSE_KERNEL),
    'the lazy Dense kernel runs on webgpu',
  );
  const dataIds = tf.backend().numDataIds();
  const lazyGrad = await inputGrad(true);
  assert.equal(tf.backend().numDataIds(), dataIds, 'the kernel frees its intermediates');
  const plainGrad = await inputGrad(false);
  assert.ok(lazyGrad.some((v) => v !== 0));
  assert.deepEqual(lazyGrad, plainGrad);
  tf.dispose(x);
  model.dispose();
});
