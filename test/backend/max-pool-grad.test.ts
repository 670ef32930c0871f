/**
 * The wasm MaxPoolGrad kernel (a JavaScript loop over the heap) against the cpu backend's.
 * Non-overlapping windows give each input element at most one dy value, so those must match
 * exactly; overlapping windows add float32 values in another order (tolerance 1e-6 relative).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/index.js';
import {
  registerWasmKernels,
  isPlainTwoByTwo,
  maxPoolGradConfig,
  poolGeometry,
} from '../../src/backend/wasm-kernels/index.js';
import { useBackend } from '../helpers/backends.js';
import { assertClose, assertNoLeaks, runKernelOn, uniformValues } from './kernel-compare.js';

type Pad = 'same' | 'valid' | number;
interface Case {
  x: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function poolInfo(c: Case): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(c.x, c.filterSize, c.strides, 1, c.pad, c.dimRoundingMode);
}

/** Compares wasm with cpu for x values from `xValues`; returns whether windows overlap. */
async function compare(c: Case, xValues: Float32Array, rng: Rng, label: string): Promise<void> {
  const info = poolInfo(c);
  const dyShape = info.outShape;
  const inputs = {
    dy: { values: uniformValues(rng, dyShape), shape: dyShape },
    input: { values: xValues, shape: c.x },
    // TF.js passes the pool's output too; neither kernel reads it.
    output: { values: new Float32Array(dyShape.reduce((a, v) => a * v, 1)), shape: dyShape },
  };
  const attrs = {
    filterSize: c.filterSize,
    strides: c.strides,
    pad: c.pad,
    ...(c.dimRoundingMode ? { dimRoundingMode: c.dimRoundingMode } : {}),
  };
  const expected = await runKernelOn('cpu', tf.MaxPoolGrad, inputs, attrs);
  const actual = await runKernelOn('wasm', tf.MaxPoolGrad, inputs, attrs);
  const overlapping = c.strides[0] < c.filterSize[0] || c.strides[1] < c.filterSize[1];
  assertClose(actual.data, expected.data, overlapping ? 1e-6 : 0, label);
}

before(async () => {
  registerWasmKernels();
  await useBackend('wasm');
});

test("our kernel replaces TF.js's wasm MaxPoolGrad", () => {
  assert.equal(tf.getKernel(tf.MaxPoolGrad, 'wasm')?.kernelFunc, maxPoolGradConfig.kernelFunc);
});

test('matches cpu on 40 seeded random cases (windows 1-4, strides 1-3, same/valid/numeric pads)', async () => {
  const rng = new Rng(4242);
  let overlapping = 0,
    plain = 0;
  for (let i = 0; i < 40; i++) {
    const h = 2 + rng.int(10),
      w = 2 + rng.int(10);
    const filterSize: [number, number] = [1 + rng.int(Math.min(4, h)), 1 + rng.int(Math.min(4, w))];
    const strides: [number, number] = [1 + rng.int(3), 1 + rng.int(3)];
    const kind = rng.int(3);
    const c: Case = {
      x: [1 + rng.int(3), h, w, 1 + rng.int(20)],
      filterSize,
      strides,
      pad: kind === 0 ? 'same' : kind === 1 ? 'valid' : rng.int(2),
    };
    if (i % 5 === 0) c.filterSize = c.strides = [2, 2];
    if (strides[0] < filterSize[0] || strides[1] < filterSize[1]) overlapping++;
    if (isPlainTwoByTwo(poolGeometry(poolInfo(c)))) plain++;
    await compare(c, uniformValues(rng, c.x), rng, `case ${i} ${JSON.stringify(c)}`);
  }
  assert.ok(overlapping > 0 && plain > 0, `coverage: ${overlapping} overlapping, ${plain} plain 2x2 cases`);
});

test('all-negative windows, ties and NaN follow cpu: first maximum in row-major order, NaN never wins', async () => {
  // TF.js 4.22's own wasm kernel sends no gradient from all-negative windows and picks the last tie.
  const rng = new Rng(5);
  const values = (shape: number[]) => {
    const v = uniformValues(rng, shape, -1, -0.1); // every window all negative
    for (let i = 0; i < v.length; i += 7) v[i] = -0.5; // frequent ties
    for (let i = 3; i < v.length; i += 11) v[i] = Number.NaN;
    return v;
  };
  const cases: Case[] = [
    { x: [2, 6, 6, 16], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    { x: [2, 7, 7, 5], filterSize: [2, 2], strides: [2, 2], pad: 'same' },
    { x: [1, 7, 6, 3], filterSize: [3, 3], strides: [2, 2], pad: 'same' },
    { x: [1, 8, 8, 4], filterSize: [3, 2], strides: [3, 2], pad: 1, dimRoundingMode: 'ceil' },
    { x: [1, 3, 3, 2], filterSize: [2, 2], strides: [1, 1], pad: 'valid' },
  ];
  for (const c of cases) await compare(c, values(c.x), rng, JSON.stringify(c));
  // Ties of zeros, as after ReLU: the first position of each window gets the gradient.
  await compare(
    { x: [1, 4, 4, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    new Float32Array(48),
    rng,
    'zeros',
  );
});

test('the SIMD 2x2 loop (channels a multiple of 4) matches cpu exactly, with ties, zeros, NaN, -Infinity and odd sizes', async () => {
  const rng = new Rng(17);
  const special = (shape: number[]) => {
    const v = uniformValues(rng, shape, -1, 1);
    for (let i = 0; i < v.length; i += 5) v[i] = 0; // ties of zeros, as after ReLU
    for (let i = 2; i < v.length; i += 9) v[i] = Number.NaN;
    for (let i = 4; i < v.length; i += 13) v[i] = -Infinity;
    for (let i = 6; i < v.length; i += 17) v[i] = -0.25; // ties of negatives
    return v;
  };
  const cases: Case[] = [
    { x: [3, 26, 26, 32], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    { x: [2, 11, 11, 64], filterSize: [2, 2], strides: [2, 2], pad: 'valid' }, // last row and column uncovered
    { x: [1, 4, 6, 4], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  ];
  for (const c of cases) {
    assert.ok(isPlainTwoByTwo(poolGeometry(poolInfo(c))) && c.x[3] % 4 === 0);
    await compare(c, special(c.x), rng, `simd ${JSON.stringify(c)}`);
    await compare(
      c,
      new Float32Array(c.x.reduce((a, b) => a * b, 1)).fill(-Infinity),
      rng,
      `all -Infinity ${JSON.stringify(c)}`,
    );
  }
});

test('leaves no tensors behind', async () => {
  await useBackend('wasm');
  const x = tf.randomUniform([2, 6, 6, 3]) as tf.Tensor4D;
  const y = tf.maxPool(x, 2, 2, 'valid');
  const dy = tf.onesLike(y);
  assertNoLeaks(() => {
    for (let i = 0; i < 3; i++)
      (
        tf
          .engine()
          .runKernel(
            tf.MaxPoolGrad,
            { dy, input: x, output: y },
            { filterSize: 2, strides: 2, pad: 'valid' },
          ) as tf.Tensor
      ).dispose();
  }, 'MaxPoolGrad');
  tf.dispose([x, y, dy]);
});
