/**
 * ReLU's and LeakyReLU's one-pass gradients on WebGPU: bit-identical to TF.js's composition on the
 * same backend (zeros, negatives and NaN included), in fewer dispatches (counted at the backend's
 * runWebGPUProgram). Skips without an adapter; the missing adapter itself fails in CI (webgpu.test.ts).
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

const probe = await probeWebGpu();
const gpu = requires('a WebGPU adapter', probe.ok ? null : probe.reason);

/** Runs `fn`, counting the WebGPU programs it dispatches. */
function counted<T>(fn: () => T): { value: T; dispatches: number } {
  const backend = tf.backend() as unknown as { runWebGPUProgram: (...args: unknown[]) => unknown };
  const original = backend.runWebGPUProgram;
  let dispatches = 0;
  backend.runWebGPUProgram = (...args: unknown[]) => {
    dispatches += 1;
    return original.apply(backend, args);
  };
  try {
    return { value: fn(), dispatches };
  } finally {
    backend.runWebGPUProgram = original;
  }
}

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
