/**
 * The wasm Slice replacement (copies only the requested elements) against the cpu backend, for
 * contiguous slices (our path) and strided ones (TF.js's kernel), in float32, int32 and bool.
 * Slicing copies values, so results must be identical.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/index.js';
import { registerWasmKernels, sliceConfig } from '../../src/backend/wasm-kernels/index.js';
import { useBackend, type TestBackend } from '../helpers/backends.js';
import { assertNoLeaks } from './kernel-compare.js';

before(async () => {
  registerWasmKernels();
  await useBackend('wasm');
});

async function sliceOn(
  backend: TestBackend,
  values: number[],
  shape: number[],
  dtype: 'float32' | 'int32' | 'bool',
  begin: number[],
  size: number[],
): Promise<{ shape: number[]; data: number[] }> {
  await useBackend(backend);
  const x = tf.tensor(values, shape, dtype);
  const y = tf.slice(x, begin, size);
  const result = { shape: y.shape, data: Array.from(y.dataSync()) };
  tf.dispose([x, y]);
  return result;
}

test("our kernel replaces TF.js's wasm Slice", () => {
  assert.equal(tf.getKernel(tf.Slice, 'wasm')?.kernelFunc, sliceConfig.kernelFunc);
});

test('matches cpu exactly on 60 seeded random slices (ranks 1-4, contiguous and strided, three dtypes)', async () => {
  const rng = new Rng(77);
  let contiguous = 0;
  for (let i = 0; i < 60; i++) {
    const rank = 1 + rng.int(4);
    const shape = Array.from({ length: rank }, () => 1 + rng.int(6));
    const begin = shape.map((d) => rng.int(d));
    // -1 means "to the end" in TF.js; otherwise a size that fits.
    const size = shape.map((d, k) => (rng.int(4) === 0 ? -1 : rng.int(d - begin[k] + 1)));
    if (i % 3 === 0)
      for (let k = 1; k < rank; k++) {
        begin[k] = 0;
        size[k] = -1;
      } // along the first axis
    const dtype = (['float32', 'int32', 'bool'] as const)[i % 3];
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, () =>
      dtype === 'bool' ? rng.int(2) : dtype === 'int32' ? rng.int(1000) - 500 : rng.next() - 0.5,
    );
    const [b, s] = tf.slice_util.parseSliceParams({ shape } as unknown as tf.Tensor, begin, size);
    if (tf.slice_util.isSliceContinous(shape, b, s)) contiguous++;
    const label = `case ${i}: ${dtype} [${shape}] begin [${begin}] size [${size}]`;
    const expected = await sliceOn('cpu', values, shape, dtype, begin, size);
    const actual = await sliceOn('wasm', values, shape, dtype, begin, size);
    assert.deepEqual(actual, expected, label);
  }
  assert.ok(contiguous > 10 && contiguous < 60, `coverage: ${contiguous} of 60 contiguous`);
});

test('slicing batches off a dataset-sized tensor leaves no tensors behind', async () => {
  await useBackend('wasm');
  const x = tf.randomUniform([50, 28, 28, 1]);
  assertNoLeaks(() => {
    for (let start = 0; start < 50; start += 16) {
      const part = tf.slice(x, start, Math.min(16, 50 - start));
      assert.equal(part.shape[0], Math.min(16, 50 - start));
      part.dispose();
    }
  }, 'Slice');
  x.dispose();
});
