/**
 * ReLU's, LeakyReLU's and PReLU's fused gradients on WebGPU: dx bit-identical to TF.js's composition
 * on the same backend (zeros, negatives and NaN included), in fewer dispatches (counted at the
 * backend's runWebGPUProgram). PReLU's alpha gradient is a sum in another order: within
 * PRELU_ALPHA_TOLERANCE of the wasm kernel's, relative to the sum of the terms' magnitudes.
 * Skips without an adapter; the missing adapter itself fails in CI (webgpu.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { selectBackend } from '../../src/backend/select.js';
import { probeWebGpu } from '../../src/backend/webgpu.js';
import { useFusedActivationGradients } from '../../src/activations/fused-gradients.js';
import '../../src/activations/registry.js'; // registers the gradient configs
import { Rng } from '../../src/rng/index.js';
import { requires } from '../helpers/requires.js';
import { counted } from '../helpers/dispatches.js';

/** Largest |webgpu - wasm| of PReLU's alpha gradient, as a fraction of sum |dy * x| over x <= 0 (its error scale). */
const PRELU_ALPHA_TOLERANCE = 1e-6;

const probe = await probeWebGpu();
const gpu = requires('a WebGPU adapter', probe.ok ? null : probe.reason);

/** The gradient of `f` at x for dy, and how many WebGPU programs its backward pass ran (tf.grad's minus the forward's). */
async function gradient(
  f: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  dy: tf.Tensor,
): Promise<{ dx: Float32Array; dispatches: number }> {
  const forward = counted(() => f(x));
  const both = counted(() => tf.grad((input: tf.Tensor) => f(input))(x, dy));
  const dx = (await both.value.data()) as Float32Array;
  tf.dispose([forward.value, both.value]);
  return { dx, dispatches: both.dispatches - forward.dispatches };
}

test('ReLU and LeakyReLU gradients on webgpu: one dispatch each, the same bits as TF.js composition', gpu, async () => {
  await selectBackend('webgpu');
  const rng = new Rng(5);
  const n = 4099; // not a multiple of the workgroup size
  const values = Float32Array.from({ length: n }, (_, i) => (i % 17 === 0 ? 0 : rng.normal()));
  values[3] = NaN;
  const x = tf.tensor1d(values);
  const dy = tf.tensor1d(Float32Array.from({ length: n }, () => rng.normal()));
  const cases: [string, (t: tf.Tensor) => tf.Tensor][] = [
    ['relu', (t) => tf.relu(t)],
    ['leaky_relu', (t) => tf.leakyRelu(t, 0.01)],
  ];
  for (const [name, f] of cases) {
    const fused = await gradient(f, x, dy);
    const previous = useFusedActivationGradients(false);
    const composed = await gradient(f, x, dy).finally(() => useFusedActivationGradients(previous));
    assert.deepEqual(fused.dx, composed.dx, `${name}: bit for bit`);
    assert.ok(Number.isNaN(fused.dx[3]) || name === 'leaky_relu', `${name}: NaN passes through ReLU's gradient`);
    assert.equal(fused.dispatches, 1, `${name}: one dispatch for the backward pass`);
    assert.ok(composed.dispatches >= 2, `${name}: TF.js composes it from ${composed.dispatches} dispatches`);
    console.log(`${name} gradient on webgpu: ${fused.dispatches} dispatch fused, ${composed.dispatches} composed`);
  }
  tf.dispose([x, dy]);
});

/** PReLU's gradients (dx, dalpha) at x for dy, with the backward pass's dispatches on webgpu. */
async function preluGradients(
  x: tf.Tensor,
  alpha: tf.Tensor,
  dy: tf.Tensor,
): Promise<{ dx: Float32Array; dAlpha: number; dispatches: number }> {
  const f = (input: tf.Tensor, a: tf.Tensor) => tf.prelu(input, a);
  const forward = counted(() => f(x, alpha));
  const both = counted(() => tf.grads(f)([x, alpha], dy));
  const [dx, dAlpha] = await Promise.all(both.value.map((t) => t.data()));
  tf.dispose([forward.value, ...both.value]);
  return { dx: dx as Float32Array, dAlpha: dAlpha[0], dispatches: both.dispatches - forward.dispatches };
}

test('PReLU gradient on webgpu: dx bit for bit in fewer dispatches, dalpha as wasm within tolerance', gpu, async () => {
  const rng = new Rng(8);
  const n = 70001; // several partial sums, the last one short
  const xs = Float32Array.from({ length: n }, (_, i) => (i % 13 === 0 ? 0 : rng.normal()));
  const dys = Float32Array.from({ length: n }, () => rng.normal());
  const magnitude = xs.reduce((s, v, i) => (v > 0 ? s : s + Math.abs(v * dys[i])), 0);
  const on = async (backend: 'wasm' | 'webgpu', fusedGrads = true) => {
    await selectBackend(backend);
    const [x, dy, alpha] = [tf.tensor2d(xs, [n, 1]), tf.tensor2d(dys, [n, 1]), tf.tensor1d([0.25])];
    const previous = useFusedActivationGradients(fusedGrads);
    try {
      return await preluGradients(x, alpha, dy);
    } finally {
      useFusedActivationGradients(previous);
      tf.dispose([x, dy, alpha]);
    }
  };
  const wasm = await on('wasm');
  const composed = await on('webgpu', false);
  const fused = await on('webgpu');
  assert.deepEqual(fused.dx, composed.dx, 'dx: bit for bit');
  const error = Math.abs(fused.dAlpha - wasm.dAlpha) / magnitude;
  console.log(
    `prelu gradient on webgpu: ${fused.dispatches} dispatches fused, ${composed.dispatches} composed; ` +
      `dalpha ${fused.dAlpha} (wasm ${wasm.dAlpha}, TF.js on webgpu ${composed.dAlpha}): ` +
      `${error.toExponential(2)} of sum |dy x|`,
  );
  assert.ok(error <= PRELU_ALPHA_TOLERANCE, `dalpha: ${fused.dAlpha} against wasm's ${wasm.dAlpha}`);
  assert.equal(fused.dispatches, 3, 'dx, the partial sums, their sum');
  assert.ok(composed.dispatches >= 6, `TF.js composes it from ${composed.dispatches} dispatches`);
});
