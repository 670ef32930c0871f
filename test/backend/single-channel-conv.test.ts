/**
 * The SIMD loops for one-input-channel convolutions (Conv2DBackpropFilter and -Input on wasm)
 * against the cpu backend, on shapes they cover (several output-channel counts, odd sizes, the
 * default CNN's first layer) and shapes they leave to the general path (6 output channels,
 * stride 2, 'same' padding); and, on wasm, against the general path with the SIMD module off.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/index.js';
import { registerWasmKernels } from '../../src/backend/wasm-kernels/index.js';
import { coversSingleChannel } from '../../src/backend/wasm-kernels/single-channel-conv.js';
import { useSimdKernels } from '../../src/backend/wasm-kernels/simd.js';
import { useBackend } from '../helpers/backends.js';
import { assertClose, assertNoLeaks, runKernelOn, uniformValues } from './kernel-compare.js';

before(async () => {
  registerWasmKernels();
  await useBackend('wasm');
});

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  pad: 'valid' | 'same';
}

const CASES: Case[] = [
  { x: [3, 28, 28, 1], filter: [3, 3, 1, 32], strides: 1, pad: 'valid' },
  { x: [2, 9, 7, 1], filter: [2, 3, 1, 4], strides: 1, pad: 'valid' },
  { x: [1, 5, 6, 1], filter: [5, 1, 1, 8], strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 1], filter: [3, 3, 1, 6], strides: 1, pad: 'valid' }, // 6 channels: general path
  { x: [2, 9, 9, 1], filter: [3, 3, 1, 8], strides: 2, pad: 'valid' }, // stride 2: general path
  { x: [2, 8, 8, 1], filter: [3, 3, 1, 8], strides: 1, pad: 'same' }, // padding: general path
];

function covered(c: Case): boolean {
  return coversSingleChannel(tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad), true);
}

async function grads(
  backend: 'cpu' | 'wasm',
  c: Case,
  xv: Float32Array,
  wv: Float32Array,
  dyv: Float32Array,
  dyShape: number[],
) {
  const filter = await runKernelOn(
    backend,
    tf.Conv2DBackpropFilter,
    { x: { values: xv, shape: c.x }, dy: { values: dyv, shape: dyShape } },
    { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter },
  );
  const input = await runKernelOn(
    backend,
    tf.Conv2DBackpropInput,
    { dy: { values: dyv, shape: dyShape }, filter: { values: wv, shape: c.filter } },
    { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
  );
  return { filter, input };
}

test('the SIMD loops cover 1-input-channel, stride-1, valid convolutions with channels a multiple of 4, and nothing else', () => {
  assert.deepEqual(CASES.map(covered), [true, true, true, false, false, false]);
});

test('both gradients match cpu, with the SIMD loops and with the general path', async () => {
  const rng = new Rng(5);
  for (const c of CASES) {
    const dyShape = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;
    const xv = uniformValues(rng, c.x),
      wv = uniformValues(rng, c.filter),
      dyv = uniformValues(rng, dyShape);
    const expected = await grads('cpu', c, xv, wv, dyv, dyShape);
    for (const simd of [true, false]) {
      const previous = useSimdKernels(simd);
      try {
        const actual = await grads('wasm', c, xv, wv, dyv, dyShape);
        const label = `${JSON.stringify(c)} simd ${simd}`;
        assert.deepEqual(actual.filter.shape, expected.filter.shape, label);
        assert.deepEqual(actual.input.shape, expected.input.shape, label);
        assertClose(actual.filter.data, expected.filter.data, 1e-4, `${label} filter`);
        assertClose(actual.input.data, expected.input.data, 1e-5, `${label} input`);
      } finally {
        useSimdKernels(previous);
      }
    }
  }
});

test('leaves no tensors or wasm data behind', async () => {
  await useBackend('wasm');
  const x = tf.randomUniform([2, 10, 10, 1]),
    dy = tf.randomUniform([2, 8, 8, 8]),
    w = tf.randomUniform([3, 3, 1, 8]);
  assertNoLeaks(() => {
    tf.tidy(() => {
      tf.engine().runKernel(
        tf.Conv2DBackpropFilter,
        { x, dy },
        { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 1, 8] },
      );
      tf.engine().runKernel(
        tf.Conv2DBackpropInput,
        { dy, filter: w },
        { strides: 1, pad: 'valid', dataFormat: 'NHWC', inputShape: [2, 10, 10, 1] },
      );
    });
  }, 'single-channel gradients');
  tf.dispose([x, dy, w]);
});
