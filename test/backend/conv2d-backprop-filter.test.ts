/**
 * The wasm Conv2DBackpropFilter kernel against the cpu backend's reference implementation.
 * Tolerance: |wasm - cpu| <= 1e-4 * (1 + |cpu|) per element (float32 sums of <= ~600 products
 * of U(-1, 1) values, accumulated in a different order by XNNPACK).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/index.js';
import { registerWasmKernels, planFilterGrad } from '../../src/backend/wasm-kernels/index.js';
import { useBackend, type TestBackend } from '../helpers/backends.js';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const TOLERANCE = 1e-4;

function randomCase(rng: Rng, dataFormat: 'NHWC' | 'NCHW'): Case {
  const b = 1 + rng.int(4),
    h = 4 + rng.int(9),
    w = 4 + rng.int(9),
    ci = 1 + rng.int(5),
    co = 1 + rng.int(6);
  const kh = 1 + rng.int(Math.min(4, h)),
    kw = 1 + rng.int(Math.min(4, w));
  const strides: [number, number] = [1 + rng.int(3), 1 + rng.int(3)];
  const kind = rng.int(4);
  const p = () => rng.int(3);
  const pad: Pad =
    kind === 0
      ? 'same'
      : kind === 1
        ? 'valid'
        : kind === 2
          ? p()
          : dataFormat === 'NHWC'
            ? [
                [0, 0],
                [p(), p()],
                [p(), p()],
                [0, 0],
              ]
            : [
                [0, 0],
                [0, 0],
                [p(), p()],
                [p(), p()],
              ];
  const x: Case['x'] = dataFormat === 'NHWC' ? [b, h, w, ci] : [b, ci, h, w];
  return { x, filter: [kh, kw, ci, co], strides, pad, dataFormat };
}

function dyShape(c: Case): number[] {
  const format = tf.backend_util.convertConv2DDataFormat(c.dataFormat);
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode, false, format)
    .outShape;
}

function values(rng: Rng, shape: number[]): Float32Array {
  return rng.fillUniform(new Float32Array(shape.reduce((a, v) => a * v, 1)), -1, 1);
}

/** Runs the registered Conv2DBackpropFilter kernel of `backend` directly, as tf.grad would. */
async function filterGrad(
  backend: TestBackend,
  c: Case,
  xVals: Float32Array,
  dyVals: Float32Array,
): Promise<Float32Array> {
  await useBackend(backend);
  const x = tf.tensor4d(xVals, c.x);
  const dy = tf.tensor(dyVals, dyShape(c));
  const attrs = {
    strides: c.strides,
    pad: c.pad,
    dataFormat: c.dataFormat,
    filterShape: c.filter,
    ...(c.dimRoundingMode ? { dimRoundingMode: c.dimRoundingMode } : {}),
  };
  const out = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor;
  assert.deepEqual(out.shape, c.filter);
  const data = out.dataSync() as Float32Array;
  tf.dispose([x, dy, out]);
  return data;
}

function assertClose(actual: Float32Array, expected: Float32Array, label: string): void {
  assert.equal(actual.length, expected.length, label);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    assert.ok(
      diff <= TOLERANCE * (1 + Math.abs(expected[i])),
      `${label}: element ${i}: wasm ${actual[i]} vs cpu ${expected[i]}`,
    );
  }
}

before(async () => {
  registerWasmKernels();
  await useBackend('wasm');
});

test('registration is idempotent: our gap-filling kernel and our replacements', () => {
  const first = registerWasmKernels();
  const second = registerWasmKernels();
  assert.deepEqual(second, first);
  assert.deepEqual(first.registered, [
    'Conv2DBackpropFilter',
    'NreluBenchUnitStats',
    'Conv2DBackpropInput',
    'MaxPoolGrad',
    'BatchMatMul',
    'Slice',
    'Sum',
    'Max',
    'GatherV2',
    'Identity',
  ]);
  assert.deepEqual(first.skipped, []);
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm') != null);
});

test('matches cpu on 32 seeded random NHWC and NCHW cases (strides 1-3; same, valid, numeric, explicit pads)', async () => {
  const rng = new Rng(20251107);
  const seen = new Set<string>();
  let cropped = 0;
  for (let i = 0; i < 32; i++) {
    const c = randomCase(rng, i % 4 === 3 ? 'NCHW' : 'NHWC');
    seen.add(`${typeof c.pad === 'string' ? c.pad : typeof c.pad}/${c.strides.join('x')}`);
    const format = tf.backend_util.convertConv2DDataFormat(c.dataFormat);
    if (
      planFilterGrad(tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, false, format))
        .crop
    )
      cropped++;
    const xVals = values(rng, c.x),
      dyVals = values(rng, dyShape(c));
    const expected = await filterGrad('cpu', c, xVals, dyVals);
    const actual = await filterGrad('wasm', c, xVals, dyVals);
    assertClose(actual, expected, `case ${i} ${JSON.stringify(c)}`);
  }
  for (const pad of ['same', 'valid', 'number', 'object']) {
    assert.ok(
      [...seen].some((s) => s.startsWith(`${pad}/`)),
      `no case with pad ${pad}`,
    );
  }
  assert.ok(
    [...seen].some((s) => s.includes('3')),
    'no case with stride 3',
  );
  assert.ok(cropped > 0, 'no case exercised the crop path');
});

test('matches cpu on the default CNN layer shapes (batch 4) and on dimRoundingMode ceil/floor', async () => {
  const rng = new Rng(7);
  const cases: Case[] = [
    { x: [4, 28, 28, 1], filter: [3, 3, 1, 32], strides: [1, 1], pad: 'valid', dataFormat: 'NHWC' },
    { x: [4, 13, 13, 32], filter: [3, 3, 32, 64], strides: [1, 1], pad: 'valid', dataFormat: 'NHWC' },
    { x: [4, 11, 10, 3], filter: [3, 2, 3, 5], strides: [3, 2], pad: 'valid', dataFormat: 'NHWC' },
    // Numeric padding with rounding: 'ceil' adds a last window that reads past the padding.
    { x: [2, 8, 9, 2], filter: [3, 3, 2, 3], strides: [2, 3], pad: 1, dataFormat: 'NHWC', dimRoundingMode: 'ceil' },
    { x: [2, 8, 9, 2], filter: [3, 3, 2, 3], strides: [2, 3], pad: 1, dataFormat: 'NHWC', dimRoundingMode: 'floor' },
  ];
  for (const c of cases) {
    const xVals = values(rng, c.x),
      dyVals = values(rng, dyShape(c));
    assertClose(
      await filterGrad('wasm', c, xVals, dyVals),
      await filterGrad('cpu', c, xVals, dyVals),
      JSON.stringify(c),
    );
  }
});

test('valid padding with a stride that skips input rows crops the inner convolution', () => {
  const info = tf.backend_util.computeConv2DInfo([1, 11, 10, 1], [3, 2, 1, 1], [3, 2], 1, 'valid');
  const plan = planFilterGrad(info);
  // 11 rows, kernel 3, stride 3: windows start at rows 0, 3, 6, so rows 9 and 10 are never read
  // and the inner convolution yields 3 + 2 rows; 10 columns, kernel 2, stride 2 fit exactly.
  assert.deepEqual(plan.pad, [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ]);
  assert.deepEqual([plan.outHeight, plan.outWidth, plan.crop], [5, 2, true]);
});

test('frees every intermediate: backend data ids and engine tensors return to their start', async () => {
  await useBackend('wasm');
  const c: Case = { x: [3, 9, 9, 2], filter: [3, 3, 2, 4], strides: [2, 2], pad: 'valid', dataFormat: 'NHWC' };
  const rng = new Rng(3);
  const x = tf.tensor4d(values(rng, c.x), c.x);
  const dy = tf.tensor(values(rng, dyShape(c)), dyShape(c));
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat, filterShape: c.filter };
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = tf.backend().numDataIds();
  for (let i = 0; i < 3; i++) {
    const out = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor;
    assert.equal(tf.backend().numDataIds(), idsBefore + 1);
    out.dispose();
  }
  assert.equal(tf.memory().numTensors, tensorsBefore);
  assert.equal(tf.backend().numDataIds(), idsBefore);
  tf.dispose([x, dy]);
});

test('rejects a dy whose shape does not match the forward output', async () => {
  await useBackend('wasm');
  const x = tf.zeros([1, 6, 6, 1]);
  const dy = tf.zeros([1, 5, 5, 2]);
  assert.throws(
    () =>
      tf
        .engine()
        .runKernel(
          tf.Conv2DBackpropFilter,
          { x, dy },
          { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 1, 2] },
        ),
    /dy shape \[1,5,5,2\] does not match/,
  );
  tf.dispose([x, dy]);
});
