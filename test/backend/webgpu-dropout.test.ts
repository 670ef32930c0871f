/**
 * SeededDropout's mask drawn on WebGPU (src/backend/webgpu-dropout.ts) against the host's (wasm):
 * the same masks, bit for bit, step after step, in one extra dispatch and no host draw. Skips
 * without an adapter; the missing adapter itself fails in CI (webgpu.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { selectBackend } from '../../src/backend/select.js';
import { probeWebGpu } from '../../src/backend/webgpu.js';
import { SeededDropout } from '../../src/models/dropout.js';
import { buildModel } from '../../src/models/build.js';
import { requires } from '../helpers/requires.js';
import { counted } from '../helpers/dispatches.js';
import { normalBatch } from '../helpers/synthetic.js';

const probe = await probeWebGpu();
const gpu = requires('a WebGPU adapter', probe.ok ? null : probe.reason);

/** Shapes: one below a thread's 64 draws, and one of many threads with a short last one (70,007 = 1,093 x 64 + 55). */
const SHAPES = [
  [5, 7],
  [7, 10001],
];

/** The masks of `steps` training passes (dropout of ones), and the dispatches of the last pass. */
async function masks(
  backend: 'wasm' | 'webgpu',
  rate: number,
  shape: number[],
  steps: number,
): Promise<{ masks: Float32Array[]; dispatches: number }> {
  await selectBackend(backend);
  const layer = new SeededDropout({ rate, seed: 11 });
  const ones = tf.ones(shape);
  const out: Float32Array[] = [];
  let dispatches = 0;
  for (let s = 0; s < steps; s++) {
    const pass = counted(() => layer.apply(ones, { training: true }) as tf.Tensor);
    out.push((await pass.value.data()) as Float32Array);
    pass.value.dispose();
    dispatches = pass.dispatches;
  }
  ones.dispose();
  layer.dispose();
  return { masks: out, dispatches };
}

test('SeededDropout on webgpu: the host masks bit for bit, drawn on the device', gpu, async () => {
  for (const rate of [0.3, 0.5]) {
    for (const shape of SHAPES) {
      const host = await masks('wasm', rate, shape, 3);
      const device = await masks('webgpu', rate, shape, 3);
      for (let s = 0; s < 3; s++) {
        assert.deepEqual(device.masks[s], host.masks[s], `rate ${rate}, [${shape}], step ${s}`);
      }
      assert.notDeepEqual(host.masks[0], host.masks[1], 'a new mask each step');
      // The mask and the multiply; the host mask would be uploaded, then multiplied (1, or 0 where TF.js
      // multiplies small host-resident tensors on the CPU).
      assert.equal(device.dispatches, 2, 'the mask and the multiply');
      const kept = host.masks[2].filter((v) => v !== 0).length / host.masks[2].length;
      console.log(`dropout ${rate} [${shape}]: 3 masks equal on webgpu and wasm, ${(100 * kept).toFixed(1)}% kept`);
    }
  }
});

/** The loss and gradients of two training steps of an MLP with dropout 0.5 (784-32-16-10, batch 16) on `backend`. */
async function dropoutSteps(backend: 'wasm' | 'webgpu'): Promise<{ losses: number[]; grads: Float32Array[] }> {
  await selectBackend(backend);
  const shape = { inputShape: [28, 28, 1], classes: 10 };
  const model = buildModel({ model: 'mlp', activation: 'relu', seed: 9, ...shape, ...DROP });
  const { xs, ys } = normalBatch(tf, 4);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const losses: number[] = [];
  let grads: Float32Array[] = [];
  for (let step = 0; step < 2; step++) {
    const result = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
      variables,
    );
    losses.push((await result.value.data())[0]);
    grads = await Promise.all(variables.map(async (v) => (await result.grads[v.name].data()) as Float32Array));
    tf.dispose([result.value, ...Object.values(result.grads)]);
  }
  tf.dispose([xs, ys]);
  model.dispose();
  return { losses, grads };
}

const DROP = { hidden: [32, 16], dropout: 0.5 };

test('an MLP with dropout on webgpu: the same losses and gradients as on wasm, step after step', gpu, async () => {
  const host = await dropoutSteps('wasm');
  const device = await dropoutSteps('webgpu');
  for (const [i, loss] of device.losses.entries()) {
    assert.ok(Math.abs(loss - host.losses[i]) <= 1e-5 * host.losses[i], `step ${i}: ${loss} against ${host.losses[i]}`);
  }
  for (const [i, g] of device.grads.entries()) {
    const scale = Math.max(...host.grads[i].map(Math.abs));
    const worst = Math.max(...g.map((v, j) => Math.abs(v - host.grads[i][j])));
    // A different mask drops other units: their weights' gradients would differ by their own size.
    assert.ok(worst <= 1e-5 * scale, `gradient ${i}: ${worst} of ${scale}`);
  }
  console.log(
    `MLP with dropout 0.5, 2 steps: losses ${device.losses.join(', ')} (webgpu), ${host.losses.join(', ')} (wasm)`,
  );
});
