/**
 * The wasm Sum and Max replacements for reductions over the leading axes against the cpu
 * backend. Max picks values, so it must match exactly (NaN included); Sum is a float32 GEMM
 * (XNNPACK) against cpu's float64 accumulation: |wasm - cpu| <= 1e-5 * sum of |terms| + 1e-6.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/index.js';
import { registerWasmKernels, leadingAxesSplit, maxConfig, sumConfig } from '../../src/backend/wasm-kernels/index.js';
import { useBackend, type TestBackend } from '../helpers/backends.js';
import { assertNoLeaks, uniformValues } from './kernel-compare.js';
import { useSimdKernels } from '../../src/backend/wasm-kernels/simd.js';

before(async () => {
  registerWasmKernels();
  await useBackend('wasm');
});

async function reduceOn(
  backend: TestBackend,
  op: 'sum' | 'max',
  values: Float32Array,
  shape: number[],
  axis: number[],
  keepDims: boolean,
): Promise<{ shape: number[]; data: Float32Array }> {
  await useBackend(backend);
  const x = tf.tensor(values, shape);
  const y = op === 'sum' ? tf.sum(x, axis, keepDims) : tf.max(x, axis, keepDims);
  const result = { shape: y.shape, data: y.dataSync() as Float32Array };
  tf.dispose([x, y]);
  return result;
}

test("our kernels replace TF.js's wasm Sum and Max; the fast path takes leading axes only", () => {
  assert.equal(tf.getKernel(tf.Sum, 'wasm')?.kernelFunc, sumConfig.kernelFunc);
  assert.equal(tf.getKernel(tf.Max, 'wasm')?.kernelFunc, maxConfig.kernelFunc);
  assert.deepEqual(leadingAxesSplit([4, 5, 6, 7], [0, 1, 2]), { rows: 120, cols: 7, keptShape: [7] });
  assert.deepEqual(leadingAxesSplit([4, 5, 6], [1, 0]), { rows: 20, cols: 6, keptShape: [6] });
  assert.equal(leadingAxesSplit([4, 5, 6], [0, 2]), null);
  assert.equal(leadingAxesSplit([4, 5, 6], [0, 1, 2]), null); // full reduction: TF.js's kernel
  assert.equal(leadingAxesSplit([4, 5, 6], [1]), null);
});

test('match cpu on 40 seeded random shapes and axes (leading and other axes, keepDims, NaN for max)', async () => {
  const rng = new Rng(31);
  let leading = 0;
  for (let i = 0; i < 40; i++) {
    const rank = 2 + rng.int(3);
    const shape = Array.from({ length: rank }, () => 1 + rng.int(7));
    const axis = i % 4 === 3 ? [rng.int(rank)] : Array.from({ length: 1 + rng.int(rank - 1) }, (_, k) => k);
    const keepDims = rng.int(2) === 1;
    const values = uniformValues(rng, shape, -2, 2);
    if (i % 5 === 0) values[rng.int(values.length)] = Number.NaN;
    if (leadingAxesSplit(shape, axis)) leading++;
    for (const op of ['sum', 'max'] as const) {
      const label = `case ${i} ${op} [${shape}] axis [${axis}] keepDims ${keepDims}`;
      const expected = await reduceOn('cpu', op, values, shape, axis, keepDims);
      const actual = await reduceOn('wasm', op, values, shape, axis, keepDims);
      assert.deepEqual(actual.shape, expected.shape, label);
      // A sum's float32 rounding error grows with the terms that make one output (values in [-2, 2]):
      // typically sqrt(n) u sum|x|, at worst n u sum|x|. 1e-6 per term is well above the typical error of
      // these sizes (n <= 2401) and far below a missing or doubled term (>= 1e-3 here).
      const terms = values.length / expected.data.length;
      for (let k = 0; k < expected.data.length; k++) {
        const [a, e] = [actual.data[k], expected.data[k]];
        if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `${label}: element ${k}: wasm ${a}, cpu NaN`);
        else if (op === 'max') assert.equal(a, e, `${label}: element ${k}`);
        else
          assert.ok(
            Math.abs(a - e) <= 1e-6 * terms + 1e-6,
            `${label}: element ${k}: wasm ${a} vs cpu ${e} (${terms} terms)`,
          );
      }
    }
  }
  assert.ok(leading >= 20, `only ${leading} cases took the fast path`);
});

test('a conv bias gradient sized sum (86,528 rows) stays within float32 accumulation error', async () => {
  const rng = new Rng(2);
  const shape = [128, 26, 26, 4];
  const values = uniformValues(rng, shape);
  const expected = await reduceOn('cpu', 'sum', values, shape, [0, 1, 2], false);
  const actual = await reduceOn('wasm', 'sum', values, shape, [0, 1, 2], false);
  // Sums of 86,528 terms in U(-1, 1): |sum| ~ 170; float32 GEMM error well under 1e-3.
  for (let k = 0; k < 4; k++)
    assert.ok(
      Math.abs(actual.data[k] - expected.data[k]) < 1e-2,
      `channel ${k}: wasm ${actual.data[k]} vs cpu ${expected.data[k]}`,
    );
});

test('leave no tensors behind', async () => {
  await useBackend('wasm');
  const x = tf.randomUniform([6, 5, 4, 3]);
  assertNoLeaks(() => {
    for (let i = 0; i < 3; i++)
      tf.dispose([tf.sum(x, [0, 1, 2]), tf.max(x, [0, 1]), tf.sum(x, [0, 1], true), tf.max(x, 3)]);
  }, 'Sum/Max');
  x.dispose();
});

test("Sum over leading axes: the SIMD loop gives the JavaScript loop's bits (row counts with and without a tail of 1-3)", async () => {
  await useBackend('wasm');
  const rng = new Rng(7);
  for (const shape of [
    [128, 26, 26, 32],
    [5, 4],
    [3, 8],
    [1, 12],
    [130, 64],
    [7, 3, 3, 16],
  ]) {
    const values = uniformValues(rng, shape, -2, 2);
    values[rng.int(values.length)] = Number.NaN;
    const axes = shape.slice(0, -1).map((_, i) => i);
    const sumOf = (simd: boolean): Float32Array => {
      const previous = useSimdKernels(simd);
      try {
        return tf.tidy(() => tf.sum(tf.tensor(values, shape), axes).dataSync() as Float32Array);
      } finally {
        useSimdKernels(previous);
      }
    };
    const [simd, js] = [sumOf(true), sumOf(false)];
    assert.equal(simd.length, shape[shape.length - 1]);
    for (let k = 0; k < js.length; k++) {
      assert.ok(
        Object.is(simd[k], js[k]) || (Number.isNaN(simd[k]) && Number.isNaN(js[k])),
        `[${shape}] column ${k}: SIMD ${simd[k]}, JavaScript ${js[k]}`,
      );
    }
    assertNoLeaks(
      () =>
        tf.tidy(() => {
          tf.sum(tf.tensor(values, shape), axes);
        }),
      `[${shape}]`,
    );
  }
});
