/**
 * MaxPoolGrad on WebGPU (WGSL, src/backend/webgpu-pool.ts) against the cpu backend: a window's gradient goes to its
 * first maximum in row-major order, NaN and -Infinity never win, overlapping windows add up. TF.js 4.22's webgpu
 * kernel keeps the last of tied maxima, so the tie cases here fail on it. Non-overlapping windows give each element
 * at most one dy value and must match exactly; overlapping ones add float32 values (1e-6 relative). Skips without an
 * adapter; the missing adapter itself fails in CI (webgpu.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { selectBackend } from '../../src/backend/select.js';
import { probeWebGpu } from '../../src/backend/webgpu.js';
import { MAX_WINDOW_READS } from '../../src/backend/webgpu-pool.js';
import { Rng } from '../../src/rng/index.js';
import { requires } from '../helpers/requires.js';
import { counted } from '../helpers/dispatches.js';
import { assertClose, uniformValues } from './kernel-compare.js';

const probe = await probeWebGpu();
const gpu = requires('a WebGPU adapter', probe.ok ? null : probe.reason);

interface Case {
  x: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: 'same' | 'valid' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

async function maxPoolGradOn(backend: 'cpu' | 'webgpu', c: Case, x: Float32Array, dy: Float32Array) {
  await selectBackend(backend);
  const info = tf.backend_util.computePool2DInfo(c.x, c.filterSize, c.strides, 1, c.pad, c.dimRoundingMode);
  const inputs = {
    dy: tf.tensor(dy, info.outShape),
    input: tf.tensor(x, c.x),
    // TF.js passes the pool's output too; neither kernel reads it.
    output: tf.zeros(info.outShape),
  };
  const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode };
  const run = counted(() => tf.engine().runKernel(tf.MaxPoolGrad, inputs, attrs as unknown as tf.NamedAttrMap));
  const out = run.value as tf.Tensor;
  const data = (await out.data()) as Float32Array;
  tf.dispose([out, ...Object.values(inputs)]);
  lastDispatches = run.dispatches;
  return data;
}

/** WebGPU programs the last maxPoolGradOn dispatched (TF.js's kernel: two, positions then gradient). */
let lastDispatches = 0;

async function compare(c: Case, x: Float32Array, rng: Rng, label: string): Promise<void> {
  const info = tf.backend_util.computePool2DInfo(c.x, c.filterSize, c.strides, 1, c.pad, c.dimRoundingMode);
  const dy = uniformValues(rng, info.outShape, 0.5, 2); // non-zero, so a misplaced gradient shows
  const expected = await maxPoolGradOn('cpu', c, x, dy);
  const actual = await maxPoolGradOn('webgpu', c, x, dy);
  const overlapping = c.strides[0] < c.filterSize[0] || c.strides[1] < c.filterSize[1];
  assertClose(actual, expected, overlapping ? 1e-6 : 0, `${label} (webgpu vs cpu)`);
}

/** Values on few levels, so most windows hold tied maxima; some NaN and -Infinity. */
function tiedValues(rng: Rng, shape: number[]): Float32Array {
  const v = uniformValues(rng, shape, 0, 1).map((u) => Math.floor(u * 3) / 2 - 0.5);
  for (let i = 5; i < v.length; i += 13) v[i] = Number.NaN;
  for (let i = 8; i < v.length; i += 17) v[i] = -Infinity;
  return v;
}

test('MaxPoolGrad on webgpu: tied maxima give the first in row-major order its gradient, as on cpu', gpu, async () => {
  // One 4x4 channel: windows [1 1; 1 1], [2 .5; .5 2] (a tie on the diagonal), [3 3; 3 3], [0 0; 0 0].
  const x = Float32Array.from([1, 1, 2, 0.5, 1, 1, 0.5, 2, 3, 3, 0, 0, 3, 3, 0, 0]);
  const c: Case = { x: [1, 4, 4, 1], filterSize: [2, 2], strides: [2, 2], pad: 'valid' };
  const dx = await maxPoolGradOn('webgpu', c, x, Float32Array.from([1, 2, 3, 4]));
  assert.deepEqual(Array.from(dx), [1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
  assert.equal(lastDispatches, 1, 'one WGSL pass');
  // A conv over a zero background: every window of that channel holds the bias alone.
  await compare(
    { x: [2, 6, 6, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    new Float32Array(216).fill(0.27),
    new Rng(1),
    'constant',
  );
});

test(
  'MaxPoolGrad on webgpu matches cpu with ties, NaN and -Infinity: 2x2, overlapping, padded, ceil',
  gpu,
  async () => {
    const rng = new Rng(23);
    const cases: Case[] = [
      { x: [3, 26, 26, 4], filterSize: [2, 2], strides: [2, 2], pad: 'valid' }, // the CNN's first pool
      { x: [2, 7, 7, 5], filterSize: [2, 2], strides: [2, 2], pad: 'valid' }, // an odd size: last row/column dropped
      { x: [2, 7, 7, 5], filterSize: [2, 2], strides: [2, 2], pad: 'same' },
      { x: [1, 7, 6, 3], filterSize: [3, 3], strides: [2, 2], pad: 'same' },
      { x: [1, 8, 8, 4], filterSize: [3, 2], strides: [3, 2], pad: 1, dimRoundingMode: 'ceil' },
      { x: [1, 5, 5, 2], filterSize: [3, 3], strides: [1, 1], pad: 'valid' },
      { x: [2, 9, 5, 3], filterSize: [4, 1], strides: [1, 2], pad: 'same' },
    ];
    for (const c of cases) await compare(c, tiedValues(rng, c.x), rng, JSON.stringify(c));
    for (let i = 0; i < 12; i++) {
      const h = 2 + rng.int(9),
        w = 2 + rng.int(9);
      const c: Case = {
        x: [1 + rng.int(2), h, w, 1 + rng.int(6)],
        filterSize: [1 + rng.int(Math.min(4, h)), 1 + rng.int(Math.min(4, w))],
        strides: [1 + rng.int(3), 1 + rng.int(3)],
        pad: (['same', 'valid', 1] as const)[rng.int(3)],
      };
      await compare(c, i % 2 ? tiedValues(rng, c.x) : uniformValues(rng, c.x), rng, `random ${i} ${JSON.stringify(c)}`);
    }
  },
);

test(
  `MaxPoolGrad on webgpu: a pool of more than ${MAX_WINDOW_READS} reads per element runs TF.js's kernel`,
  gpu,
  async () => {
    const rng = new Rng(7);
    const c: Case = { x: [1, 40, 40, 1], filterSize: [40, 40], strides: [1, 1], pad: 'valid' };
    assert.ok(40 * 40 * 40 * 40 > MAX_WINDOW_READS);
    // Distinct values: no ties, so TF.js's kernel (the fallback) agrees with cpu. Ours would loop 2.56M times per
    // element, past llvmpipe's 65,535 loop iterations per invocation, and fail here (seen with the cap lifted).
    await compare(c, uniformValues(rng, c.x), rng, 'one 40x40 window');
    assert.equal(lastDispatches, 2, "TF.js's kernel: positions, then the gradient");
  },
);
