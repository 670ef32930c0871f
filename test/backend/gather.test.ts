/**
 * The wasm GatherV2 replacement (row copies along axis 0) against the cpu backend: our path
 * (axis 0, any rank, float32/int32/bool, repeated indices, 2-D indices) and TF.js's fallback
 * (other axes, batchDims). Gathering copies values, so results must be identical.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/index.js';
import { gatherV2Config, registerWasmKernels } from '../../src/backend/wasm-kernels/index.js';
import { useBackend, type TestBackend } from '../helpers/backends.js';
import { assertNoLeaks } from './kernel-compare.js';

before(async () => {
  registerWasmKernels();
  await useBackend('wasm');
});

type DType = 'float32' | 'int32' | 'bool';

async function gatherOn(
  backend: TestBackend,
  values: number[],
  shape: number[],
  dtype: DType,
  idx: number[],
  idxShape: number[],
  axis: number,
  batchDims = 0,
) {
  await useBackend(backend);
  const x = tf.tensor(values, shape, dtype);
  const i = tf.tensor(idx, idxShape, 'int32');
  const y = tf.gather(x, i, axis, batchDims);
  const result = { shape: y.shape, dtype: y.dtype, data: Array.from(y.dataSync()) };
  tf.dispose([x, i, y]);
  return result;
}

test("our kernel replaces TF.js's wasm GatherV2", () => {
  assert.equal(tf.getKernel(tf.GatherV2, 'wasm')?.kernelFunc, gatherV2Config.kernelFunc);
});

test('matches cpu exactly on 45 seeded random gathers (ranks 1-4, axis 0 and others, three dtypes)', async () => {
  const rng = new Rng(91);
  for (let c = 0; c < 45; c++) {
    const rank = 1 + rng.int(4);
    const shape = Array.from({ length: rank }, () => 1 + rng.int(5));
    const axis = c % 3 === 0 ? rng.int(rank) : 0;
    const dtype = (['float32', 'int32', 'bool'] as const)[c % 3];
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, () =>
      dtype === 'bool' ? rng.int(2) : dtype === 'int32' ? rng.int(1000) - 500 : rng.next() - 0.5,
    );
    const idxShape = c % 4 === 0 ? [2, 1 + rng.int(3)] : [1 + rng.int(7)];
    const idx = Array.from({ length: idxShape.reduce((a, b) => a * b, 1) }, () => rng.int(shape[axis]));
    const label = `case ${c}: ${dtype} [${shape}] axis ${axis} indices [${idx}] shape [${idxShape}]`;
    const expected = await gatherOn('cpu', values, shape, dtype, idx, idxShape, axis);
    const actual = await gatherOn('wasm', values, shape, dtype, idx, idxShape, axis);
    assert.deepEqual(actual, expected, label);
  }
});

test("batchDims goes to TF.js's kernel and still matches cpu", async () => {
  const values = Array.from({ length: 24 }, (_, i) => i);
  const expected = await gatherOn('cpu', values, [2, 3, 4], 'float32', [2, 0, 1, 1], [2, 2], 1, 1);
  const actual = await gatherOn('wasm', values, [2, 3, 4], 'float32', [2, 0, 1, 1], [2, 2], 1, 1);
  assert.deepEqual(actual, expected);
});

test("an index out of range is an error, as with TF.js's kernel", async () => {
  await useBackend('wasm');
  const x = tf.ones([3, 2]);
  assert.throws(() => tf.gather(x, tf.tensor1d([0, 3], 'int32')), /not in \[0, 2\]/);
  x.dispose();
});

test('leaves no tensors behind', async () => {
  await useBackend('wasm');
  const x = tf.randomUniform([50, 28, 28, 1]);
  assertNoLeaks(() => {
    for (let k = 0; k < 5; k++)
      tf.tidy(() => {
        tf.gather(x, tf.tensor1d([3, 1, 49, 0], 'int32')).dataSync();
      });
  }, 'gather');
  x.dispose();
});
