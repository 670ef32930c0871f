/**
 * The wasm BatchMatMul replacement (explicit Transpose, then XNNPACK's plain product) against
 * the cpu backend, for every transpose combination, rank 2 and rank 3 with batch 1 (our path)
 * and batch > 1 (TF.js's kernel). Tolerance 1e-4 relative: float32 dot products of <= 300 terms.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/index.js';
import { registerWasmKernels, batchMatMulConfig } from '../../src/backend/wasm-kernels/index.js';
import { useBackend } from '../helpers/backends.js';
import { assertClose, assertNoLeaks, runKernelOn, uniformValues } from './kernel-compare.js';

before(async () => {
  registerWasmKernels();
  await useBackend('wasm');
});

test("our kernel replaces TF.js's wasm BatchMatMul", () => {
  assert.equal(tf.getKernel(tf.BatchMatMul, 'wasm')?.kernelFunc, batchMatMulConfig.kernelFunc);
});

test('matches cpu for all transpose flags on 24 seeded random shapes (batch 1 and 3, rank 2 and 3)', async () => {
  const rng = new Rng(99);
  for (let i = 0; i < 24; i++) {
    const m = 1 + rng.int(40),
      k = 1 + rng.int(300),
      n = 1 + rng.int(40);
    const transposeA = (i & 1) === 1,
      transposeB = (i & 2) === 2;
    const batch = i % 6 === 5 ? [3] : i % 3 === 0 ? [1] : [];
    const aShape = [...batch, ...(transposeA ? [k, m] : [m, k])];
    const bShape = [...batch, ...(transposeB ? [n, k] : [k, n])];
    const inputs = {
      a: { values: uniformValues(rng, aShape), shape: aShape },
      b: { values: uniformValues(rng, bShape), shape: bShape },
    };
    const attrs = { transposeA, transposeB };
    const expected = await runKernelOn('cpu', tf.BatchMatMul, inputs, attrs);
    const actual = await runKernelOn('wasm', tf.BatchMatMul, inputs, attrs);
    const label = `case ${i}: a [${aShape}] b [${bShape}] transposeA ${transposeA} transposeB ${transposeB}`;
    assert.deepEqual(actual.shape, expected.shape, label);
    assertClose(actual.data, expected.data, 1e-4, label);
  }
});

test('gradients of a two-layer dense model match cpu and leave no tensors behind', async () => {
  const rng = new Rng(12);
  const xv = uniformValues(rng, [16, 30]),
    w1v = uniformValues(rng, [30, 20]),
    w2v = uniformValues(rng, [20, 5]);
  const grads = async (backend: 'cpu' | 'wasm') => {
    await useBackend(backend);
    const x = tf.tensor2d(xv, [16, 30]),
      w1 = tf.tensor2d(w1v, [30, 20]),
      w2 = tf.tensor2d(w2v, [20, 5]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(tf.relu(tf.matMul(x, a)), b)));
    let out: Float32Array[] = [];
    assertNoLeaks(() => {
      const g = tf.grads(f)([w1, w2]);
      out = g.map((t) => t.dataSync() as Float32Array);
      tf.dispose(g);
    }, backend);
    tf.dispose([x, w1, w2]);
    return out;
  };
  const expected = await grads('cpu');
  const actual = await grads('wasm');
  actual.forEach((g, i) => assertClose(g, expected[i], 1e-4, `grad ${i}`));
});
