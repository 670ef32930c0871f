/**
 * No noise crosses from the host in a training step on WebGPU: a step of an MLP or CNN with N-ReLU, RReLU or
 * SeededDropout hands the backend exactly as many host values as the same step with ReLU (the optimizer's and the
 * loss's scalars), counted at the backend's write; the generic noise path, by contrast, would upload one value per
 * element. Skips without an adapter; the missing adapter itself fails in CI (webgpu.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { selectBackend } from '../../src/backend/select.js';
import { probeWebGpu } from '../../src/backend/webgpu.js';
import { useNoiseKernels } from '../../src/activations/noise-kernels.js';
import { buildModel, type BuildModelOptions } from '../../src/models/build.js';
import { adam } from '../../src/train/fused-adam.js';
import { Rng } from '../../src/rng/index.js';
import { requires } from '../helpers/requires.js';
import { counted } from '../helpers/dispatches.js';

const probe = await probeWebGpu();
const gpu = requires('a WebGPU adapter', probe.ok ? null : probe.reason);

const BATCH = 8;
const NRELU = { name: 'nrelu', sigma: 0.1 };

/** Host values and dispatches of a model's second training step (the first uploads constant tables once). */
async function secondStep(options: BuildModelOptions): Promise<{ uploaded: number; dispatches: number }> {
  const model = buildModel({ seed: 2, hidden: [32, 16], filters: [4], dense: [8], ...options });
  const optimizer = adam(1e-3);
  const rng = new Rng(6);
  const xs = tf.tensor(rng.fillNormal(new Float32Array(BATCH * 784)), [BATCH, 28, 28, 1]);
  const ys = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: BATCH }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const step = () => {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
    );
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
    return value;
  };
  try {
    const first = step();
    await first.data();
    first.dispose();
    const second = counted(step);
    await second.value.data();
    second.value.dispose();
    return { uploaded: second.uploaded, dispatches: second.dispatches };
  } finally {
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
  }
}

test('a webgpu training step uploads no noise: N-ReLU, RReLU and dropout hand over what ReLU does', gpu, async () => {
  await selectBackend('webgpu');
  for (const model of ['mlp', 'cnn'] as const) {
    const relu = await secondStep({ model, activation: 'relu' });
    const cases: [string, BuildModelOptions][] = [
      ['nrelu', { model, activation: NRELU }],
      ['rrelu', { model, activation: 'rrelu' }],
      ['relu + dropout 0.5', { model, activation: 'relu', dropout: 0.5 }],
    ];
    for (const [name, options] of cases) {
      const noisy = await secondStep(options);
      const counts = `${noisy.uploaded} host values, ${noisy.dispatches} dispatches`;
      console.log(`${model} ${name}: ${counts} (relu ${relu.uploaded} host values, ${relu.dispatches} dispatches)`);
      assert.equal(noisy.uploaded, relu.uploaded, `${model} ${name}: values uploaded besides ReLU's`);
    }
  }
});

test('the counter sees a host draw: the generic N-ReLU path uploads one normal per element', gpu, async () => {
  await selectBackend('webgpu');
  const relu = await secondStep({ model: 'mlp', activation: 'relu' });
  const previous = useNoiseKernels(false);
  const generic = await secondStep({ model: 'mlp', activation: NRELU }).finally(() => useNoiseKernels(previous));
  console.log(`mlp nrelu, generic path: ${generic.uploaded} host values (relu ${relu.uploaded})`);
  // At least the noise of both hidden layers (batch x 32 and batch x 16); TF.js runs small products of host values on
  // the CPU and hands their results over too.
  assert.ok(generic.uploaded - relu.uploaded >= BATCH * (32 + 16), `${generic.uploaded} host values`);
});
