/**
 * The wasm Identity replacement shares the input's memory instead of copying it: same values,
 * same heap address, each tensor usable after the other is disposed, memory freed when both
 * are, and strings still through TF.js's kernel.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { identityConfig, registerWasmKernels } from '../../src/backend/wasm-kernels/index.js';
import { addressOf } from '../../src/backend/wasm-kernels/simd.js';
import { useBackend } from '../helpers/backends.js';

before(async () => {
  registerWasmKernels();
  await useBackend('wasm');
});

const identity = (x: tf.Tensor): tf.Tensor => tf.engine().runKernel(tf.Identity, { x }) as tf.Tensor;

test("our kernel replaces TF.js's wasm Identity", () => {
  assert.equal(tf.getKernel(tf.Identity, 'wasm')?.kernelFunc, identityConfig.kernelFunc);
});

test("the output shares the input's data: no copy, and each outlives the other", () => {
  const ids = tf.backend().numDataIds();
  for (const disposeFirst of ['x', 'y'] as const) {
    const x = tf.tensor3d(
      Float32Array.from({ length: 24 }, (_, i) => i - 11.5),
      [2, 3, 4],
    );
    const y = identity(x);
    assert.deepEqual(y.shape, [2, 3, 4]);
    assert.equal(addressOf(tf.backend(), y), addressOf(tf.backend(), x), 'same heap address');
    const [gone, kept] = disposeFirst === 'x' ? [x, y] : [y, x];
    gone.dispose();
    assert.deepEqual(
      Array.from(kept.dataSync()),
      Array.from({ length: 24 }, (_, i) => i - 11.5),
    );
    kept.dispose();
    assert.equal(tf.backend().numDataIds(), ids, `memory freed when both are disposed (${disposeFirst} first)`);
  }
});

test('int32, bool and string tensors come through unchanged', () => {
  for (const x of [
    tf.tensor1d([3, -1, 7], 'int32'),
    tf.tensor1d([1, 0, 1], 'bool'),
    tf.tensor1d(['a', 'bc'], 'string'),
  ]) {
    const y = identity(x);
    assert.equal(y.dtype, x.dtype);
    assert.deepEqual(y.dataSync(), x.dataSync());
    tf.dispose([x, y]);
  }
});
