/**
 * Fused Adam on WebGPU (three WGSL passes per variable) against TF.js's own Adam on the same
 * backend: the same weights after several steps within 1e-6 of each variable's largest value
 * (each output is TF.js's float32 expression in its order; a shader compiler may fuse a multiply
 * and an add), far fewer dispatches per step, and the bias-correction accumulators kept in step.
 * Skips without an adapter; the missing adapter itself fails in CI (webgpu.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { selectBackend } from '../../src/backend/select.js';
import { probeWebGpu } from '../../src/backend/webgpu.js';
import { adam, useFusedAdam } from '../../src/train/fused-adam.js';
import { Rng } from '../../src/rng/index.js';
import { requires } from '../helpers/requires.js';

const probe = await probeWebGpu();
const gpu = requires('a WebGPU adapter', probe.ok ? null : probe.reason);

const SHAPES = [[300, 7], [7], [5, 3, 2]];

/** Trains fresh variables for `steps` Adam steps on fixed gradients; returns the weights, accBeta1 and the dispatches per step. */
async function train(
  fused: boolean,
  steps: number,
): Promise<{ weights: Float32Array[]; accBeta1: number; dispatches: number }> {
  const previous = useFusedAdam(fused);
  const rng = new Rng(9);
  const variables = SHAPES.map((shape, i) =>
    tf.variable(
      tf.tensor(rng.fillNormal(new Float32Array(tf.util.sizeFromShape(shape))), shape),
      true,
      `w${i}_${fused}`,
    ),
  );
  const grads = SHAPES.map((shape) => tf.tensor(rng.fillNormal(new Float32Array(tf.util.sizeFromShape(shape))), shape));
  const optimizer = adam(0.01);
  const backend = tf.backend() as unknown as { runWebGPUProgram: (...args: unknown[]) => unknown };
  const original = backend.runWebGPUProgram;
  let dispatches = 0;
  const counting = (...args: unknown[]) => {
    dispatches += 1;
    return original.apply(backend, args);
  };
  try {
    for (let s = 0; s < steps; s++) {
      const step = variables.map((v, i) => [v.name, tf.mul(grads[i], 1 + s / 10)] as const);
      backend.runWebGPUProgram = counting; // the update's dispatches only
      optimizer.applyGradients(Object.fromEntries(step));
      backend.runWebGPUProgram = original;
      tf.dispose(step.map(([, g]) => g));
    }
  } finally {
    backend.runWebGPUProgram = original;
    useFusedAdam(previous);
  }
  const weights = await Promise.all(variables.map(async (v) => (await v.data()) as Float32Array));
  const accBeta1 = (await (optimizer as unknown as { accBeta1: tf.Variable }).accBeta1.data())[0];
  tf.dispose([...variables, ...grads]);
  optimizer.dispose();
  return { weights, accBeta1, dispatches: dispatches / steps };
}

test("fused Adam on webgpu: TF.js Adam's weights within 1e-6 after 5 steps, in far fewer dispatches", gpu, async () => {
  await selectBackend('webgpu');
  const fused = await train(true, 5);
  const plain = await train(false, 5);
  let worstRelative = 0;
  for (const [i, w] of fused.weights.entries()) {
    const scale = Math.max(...plain.weights[i].map(Math.abs));
    const worst = Math.max(...w.map((v, j) => Math.abs(v - plain.weights[i][j])));
    assert.ok(worst <= 1e-6 * scale, `variable ${i}: worst difference ${worst} of ${scale}`);
    worstRelative = Math.max(worstRelative, worst / scale);
  }
  assert.equal(fused.accBeta1, plain.accBeta1, "the bias-correction accumulator is TF.js's");
  console.log(
    `Adam on webgpu, 3 variables: ${fused.dispatches} dispatches per step fused, ${plain.dispatches} TF.js; ` +
      `weights after 5 steps differ by ${worstRelative.toExponential(1)} of the largest`,
  );
  assert.ok(fused.dispatches <= 3 * SHAPES.length + 2, `fused: ${fused.dispatches} dispatches per step`);
  assert.ok(plain.dispatches >= 3 * fused.dispatches, `TF.js: ${plain.dispatches} dispatches per step`);
});
