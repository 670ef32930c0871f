/**
 * GELU's fused kernels on WebGPU (WGSL, src/backend/webgpu-gelu.ts) against the wasm kernel on a
 * dense grid, and the dispatches of a small GELU MLP's training step (forward and backward) with
 * the kernels and with TF.js's composition. Skips without an adapter; the missing adapter itself
 * fails in CI (webgpu.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { selectBackend } from '../../src/backend/select.js';
import { probeWebGpu } from '../../src/backend/webgpu.js';
import { useFusedActivationGradients } from '../../src/activations/fused-gradients.js';
import { GELU_KERNEL, GELU_TRAINING_KERNEL } from '../../src/activations/gelu-kernels.js';
import { buildModel } from '../../src/models/build.js';
import '../../src/activations/registry.js';
import { requires } from '../helpers/requires.js';
import { counted } from '../helpers/dispatches.js';
import { normalBatch } from '../helpers/synthetic.js';

/** Largest |webgpu - wasm| of GELU(x) and of GELU'(x), absolute (both are O(1) or O(|x|) near 0 and 1). */
const GELU_TOLERANCE = 1e-6;

const probe = await probeWebGpu();
const gpu = requires('a WebGPU adapter', probe.ok ? null : probe.reason);

/** x from -12 to 12 in steps of 2^-12, and signed zeros and tiny values. */
function grid(): Float32Array {
  const step = 2 ** -12;
  const values = Array.from({ length: 24 / step + 1 }, (_, i) => -12 + i * step);
  return Float32Array.from([...values, -0, 1e-30, -1e-30, 1e-7, -1e-7]);
}

/** [GELU(x), GELU'(x)] from the training kernel, and GELU(x) from the inference kernel, on `backend`. */
async function geluOn(backend: 'wasm' | 'webgpu', xs: Float32Array): Promise<Float32Array[]> {
  await selectBackend(backend);
  const x = tf.tensor1d(xs);
  const outputs = [
    ...(tf.engine().runKernel(GELU_TRAINING_KERNEL, { x }) as tf.Tensor[]),
    tf.engine().runKernel(GELU_KERNEL, { x }) as tf.Tensor,
  ];
  const values = (await Promise.all(outputs.map((t) => t.data()))) as Float32Array[];
  tf.dispose([x, ...outputs]);
  return values;
}

/**
 * The largest |a - b| and where, and the largest difference in units in the last place where |b| >= 1/8 (nearer
 * zero, where GELU and GELU' cross it, a last-bit difference of the terms is many ulps of the result).
 */
function worst(a: Float32Array, b: Float32Array): { diff: number; at: number; ulps: number } {
  const [ia, ib] = [new Int32Array(a.buffer), new Int32Array(b.buffer)];
  let [diff, at, ulps] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= diff)) [diff, at] = [d, i];
    if (d > 0 && Math.abs(b[i]) >= 0.125) ulps = Math.max(ulps, Math.abs(ia[i] - ib[i]));
  }
  return { diff, at, ulps };
}

test(`GELU on webgpu: value and slope within ${GELU_TOLERANCE} of wasm's on a dense grid`, gpu, async () => {
  const xs = grid();
  const [wasmValue, wasmSlope] = await geluOn('wasm', xs);
  const [value, slope, inference] = await geluOn('webgpu', xs);
  assert.deepEqual(inference, value, 'inference and training kernels: the same GELU(x)');
  const v = worst(value, wasmValue);
  const s = worst(slope, wasmSlope);
  const equal = value.filter((y, i) => Object.is(y, wasmValue[i]) && Object.is(slope[i], wasmSlope[i])).length;
  console.log(
    `GELU webgpu - wasm on ${xs.length} points in [-12, 12]: value ${v.diff.toExponential(2)} at x = ${xs[v.at]} ` +
      `(at most ${v.ulps} ulp where |GELU| >= 1/8), slope ${s.diff.toExponential(2)} at x = ${xs[s.at]} ` +
      `(${s.ulps} ulp where |GELU'| >= 1/8); ` +
      `${equal} points bit for bit in both`,
  );
  assert.ok(v.diff <= GELU_TOLERANCE, `GELU(x): ${v.diff} at x = ${xs[v.at]}`);
  assert.ok(s.diff <= GELU_TOLERANCE, `GELU'(x): ${s.diff} at x = ${xs[s.at]}`);
});

/** Dispatches of one forward and backward pass of a GELU MLP (784-32-16-10) at batch 16 on webgpu. */
async function stepDispatches(fused: boolean): Promise<{ dispatches: number; loss: number }> {
  const previous = useFusedActivationGradients(fused);
  const shape = { inputShape: [28, 28, 1], classes: 10, hidden: [32, 16] };
  const model = buildModel({ model: 'mlp', activation: 'gelu', seed: 3, ...shape });
  const { xs, ys } = normalBatch(tf, 2);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    const step = counted(() =>
      tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
        variables,
      ),
    );
    const { value, grads } = step.value;
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    return { dispatches: step.dispatches, loss };
  } finally {
    useFusedActivationGradients(previous);
    tf.dispose([xs, ys]);
    model.dispose();
  }
}

test('a GELU MLP step on webgpu: fewer dispatches with the WGSL kernels, the same loss', gpu, async () => {
  await selectBackend('webgpu');
  const fused = await stepDispatches(true);
  const composed = await stepDispatches(false);
  console.log(
    `GELU MLP (2 GELU layers) forward + backward on webgpu: ${fused.dispatches} dispatches with the WGSL kernels, ` +
      `${composed.dispatches} composed; loss ${fused.loss} / ${composed.loss}`,
  );
  assert.ok(Math.abs(fused.loss - composed.loss) <= 1e-5 * Math.abs(composed.loss), 'the same loss');
  // Per GELU layer: 2 passes forward and dy * GELU'(x) backward, against 15 composed (the dense layers' are the same).
  assert.ok(composed.dispatches - fused.dispatches >= 2 * 10, `${fused.dispatches} against ${composed.dispatches}`);
});
