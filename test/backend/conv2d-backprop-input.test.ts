/**
 * The wasm Conv2DBackpropInput kernel (a stride-1 Conv2D of the dilated, padded dy with the
 * flipped filter) against the cpu backend's reference kernel.
 * Tolerance: |wasm - cpu| <= 1e-4 * (1 + |cpu|) per element (float32 sums of <= ~150 products
 * of U(-1, 1) values, accumulated in a different order by XNNPACK).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/index.js';
import { registerWasmKernels, planInputGrad, conv2DBackpropInputConfig } from '../../src/backend/wasm-kernels/index.js';
import { useBackend } from '../helpers/backends.js';
import { assertClose, assertNoLeaks, runKernelOn, uniformValues } from './kernel-compare.js';

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

function info(c: Case): tf.backend_util.Conv2DInfo {
  const format = tf.backend_util.convertConv2DDataFormat(c.dataFormat);
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode, false, format);
}

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
  // Explicit pads up to 4 exceed kernel - 1 for small kernels: dy rows that reach no input.
  const p = () => rng.int(5);
  const pad: Pad =
    kind === 0
      ? 'same'
      : kind === 1
        ? 'valid'
        : kind === 2
          ? rng.int(3)
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

async function compare(c: Case, rng: Rng, label: string): Promise<void> {
  const dyShape = info(c).outShape;
  const inputs = {
    dy: { values: uniformValues(rng, dyShape), shape: dyShape },
    filter: { values: uniformValues(rng, c.filter), shape: c.filter },
  };
  const attrs = {
    inputShape: c.x,
    strides: c.strides,
    pad: c.pad,
    dataFormat: c.dataFormat,
    ...(c.dimRoundingMode ? { dimRoundingMode: c.dimRoundingMode } : {}),
  };
  const expected = await runKernelOn('cpu', tf.Conv2DBackpropInput, inputs, attrs);
  const actual = await runKernelOn('wasm', tf.Conv2DBackpropInput, inputs, attrs);
  assert.deepEqual(actual.shape, c.x, label);
  assertClose(actual.data, expected.data, TOLERANCE, label);
}

before(async () => {
  registerWasmKernels();
  await useBackend('wasm');
});

test("our kernel replaces TF.js's wasm Conv2DBackpropInput", () => {
  assert.equal(tf.getKernel(tf.Conv2DBackpropInput, 'wasm')?.kernelFunc, conv2DBackpropInputConfig.kernelFunc);
});

test('matches cpu on 48 seeded random NHWC and NCHW cases (strides 1-3; same, valid, numeric, explicit pads)', async () => {
  const rng = new Rng(6061);
  const seen = new Set<string>();
  let cropped = 0,
    dilated = 0;
  for (let i = 0; i < 48; i++) {
    const c = randomCase(rng, i % 6 === 5 ? 'NCHW' : 'NHWC');
    seen.add(`${typeof c.pad === 'string' ? c.pad : typeof c.pad}/${c.strides.join('x')}`);
    if (c.dataFormat === 'NHWC') {
      const plan = planInputGrad(info(c));
      if (plan.crop) cropped++;
      if (plan.dilate) dilated++;
    }
    await compare(c, rng, `case ${i} ${JSON.stringify(c)}`);
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
  assert.ok(dilated > 0, 'no case exercised the dilation path');
});

test('matches cpu on the default CNN layer (batch 4), on stride 2 same/valid, and on dimRoundingMode ceil/floor', async () => {
  const rng = new Rng(8);
  const cases: Case[] = [
    { x: [4, 13, 13, 32], filter: [3, 3, 32, 64], strides: [1, 1], pad: 'valid', dataFormat: 'NHWC' },
    { x: [2, 14, 14, 8], filter: [3, 3, 8, 16], strides: [2, 2], pad: 'same', dataFormat: 'NHWC' },
    { x: [2, 15, 14, 3], filter: [5, 4, 3, 6], strides: [2, 3], pad: 'valid', dataFormat: 'NHWC' },
    { x: [2, 8, 9, 2], filter: [3, 3, 2, 3], strides: [2, 3], pad: 1, dataFormat: 'NHWC', dimRoundingMode: 'ceil' },
    { x: [2, 8, 9, 2], filter: [3, 3, 2, 3], strides: [2, 3], pad: 1, dataFormat: 'NHWC', dimRoundingMode: 'floor' },
    // Padding larger than the filter: the first and last dy rows and columns see only padding.
    {
      x: [1, 5, 6, 2],
      filter: [2, 2, 2, 3],
      strides: [1, 2],
      pad: [
        [0, 0],
        [3, 4],
        [4, 3],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  ];
  for (const c of cases) await compare(c, rng, JSON.stringify(c));
});

test('plan: stride-1 valid 3x3 pads dy by 2 on every side; large explicit padding crops instead', () => {
  const plain = planInputGrad(tf.backend_util.computeConv2DInfo([1, 13, 13, 1], [3, 3, 1, 1], 1, 1, 'valid'));
  assert.deepEqual(plain, {
    dilate: false,
    crop: null,
    pad: [
      [0, 0],
      [2, 2],
      [2, 2],
      [0, 0],
    ],
  });
  // Kernel 2 with 3 rows of padding above: the first dy row reads only padding (3 > 2 - 1).
  const big = planInputGrad(
    tf.backend_util.computeConv2DInfo([1, 5, 5, 1], [2, 2, 1, 1], 1, 1, [
      [0, 0],
      [3, 0],
      [0, 0],
      [0, 0],
    ]),
  );
  assert.equal(big.crop?.top, 2);
  assert.deepEqual(big.pad[1], [0, 1]);
});

test('frees every intermediate: backend data ids and engine tensors return to their start', async () => {
  await useBackend('wasm');
  const rng = new Rng(3);
  const c: Case = {
    x: [3, 9, 9, 2],
    filter: [3, 3, 2, 4],
    strides: [2, 2],
    pad: [
      [0, 0],
      [4, 1],
      [1, 1],
      [0, 0],
    ],
    dataFormat: 'NHWC',
  };
  const dyShape = info(c).outShape;
  const dy = tf.tensor(uniformValues(rng, dyShape), dyShape);
  const filter = tf.tensor(uniformValues(rng, c.filter), c.filter);
  assert.ok(planInputGrad(info(c)).crop != null && planInputGrad(info(c)).dilate);
  assertNoLeaks(() => {
    for (let i = 0; i < 3; i++) {
      const out = tf
        .engine()
        .runKernel(
          tf.Conv2DBackpropInput,
          { dy, filter },
          { inputShape: c.x, strides: c.strides, pad: c.pad, dataFormat: 'NHWC' },
        ) as tf.Tensor;
      out.dispose();
    }
  }, 'Conv2DBackpropInput');
  tf.dispose([dy, filter]);
});
