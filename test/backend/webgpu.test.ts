/**
 * The WebGPU backend on whatever adapter Dawn finds here: Mesa's software renderer (llvmpipe,
 * OpenGL ES compatibility mode) on CI machines, a real GPU elsewhere. With CI=true a missing
 * adapter is a failure naming what is missing; on a developer machine these tests skip, saying why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { selectBackend } from '../../src/backend/select.js';
import {
  describeAdapter,
  isNullAdapter,
  isSoftwareAdapter,
  probeWebGpu,
  WEBGPU_INSTALL_HINT,
} from '../../src/backend/webgpu.js';
import { CHUNK } from '../../src/backend/webgpu-conv.js';
import {
  NOISY_RELU_KERNEL,
  RANDOM_SLOPE_RELU_KERNEL,
  drawsOnDevice,
  fusedNoisyRelu,
} from '../../src/activations/noise-kernels.js';
import { Rng, counterHash, streamKey, zigguratTables } from '../../src/rng/index.js';
import { useBackend } from '../helpers/backends.js';
import { requires } from '../helpers/requires.js';

const probe = await probeWebGpu();
const missing = probe.ok ? null : probe.reason;
// Under CI=true a missing adapter registers a failing test instead of skipping (test/helpers/requires.ts).
const gpu = requires('a WebGPU adapter', missing == null ? null : `${missing}; ${WEBGPU_INSTALL_HINT}`);

test('a WebGPU adapter is available (under CI=true its absence fails, through requires())', gpu, (t) => {
  t.diagnostic(`adapter: ${describeAdapter((probe as { adapter: Parameters<typeof describeAdapter>[0] }).adapter)}`);
});

test('null adapters are refused; software renderers are recognised', async () => {
  assert.ok(isNullAdapter({ vendor: '', architecture: '', device: 'null-backend', description: '' }));
  assert.ok(isNullAdapter({}));
  assert.ok(isNullAdapter(undefined));
  const llvmpipe = {
    vendor: '',
    architecture: '',
    device: 'llvmpipe-llvm-15-0-6-256-bits-',
    description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6',
  };
  assert.ok(!isNullAdapter(llvmpipe));
  assert.ok(isSoftwareAdapter(llvmpipe));
  assert.ok(isSoftwareAdapter({ vendor: 'mesa', architecture: '', device: 'lavapipe', description: '' }));
  const nvidia = { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA: 570.86' };
  assert.ok(!isNullAdapter(nvidia) && !isSoftwareAdapter(nvidia));
});

test("Dawn's null backend gives an adapter that isNullAdapter refuses", gpu, async () => {
  const dawn = (await import('webgpu' as string)) as {
    create(flags: string[]): { requestAdapter(): Promise<{ info?: object } | null> };
  };
  const adapter = await dawn.create(['backend=null']).requestAdapter();
  assert.ok(adapter != null, 'Dawn gave no null adapter to test against');
  assert.ok(isNullAdapter(adapter.info), `not recognised as null: ${JSON.stringify(adapter.info)}`);
});

test(
  'webgpu: selected with its adapter recorded; a software renderer is a one-line warning, not a GPU',
  gpu,
  async () => {
    const selection = await selectBackend('webgpu');
    assert.equal(selection.name, 'webgpu');
    assert.equal(tf.getBackend(), 'webgpu');
    assert.ok(selection.adapter != null);
    assert.ok(['vulkan', 'opengles'].includes(selection.adapter.api));
    for (const note of selection.notes) assert.ok(!note.includes('\n'), `multi-line note: ${note}`);
    if (selection.adapter.software) {
      assert.equal(selection.gpu, false);
      assert.ok(
        selection.notes.some((n) => /^webgpu: warning: .*software renderer/.test(n)),
        selection.notes.join(' | '),
      );
    } else {
      assert.equal(selection.gpu, true);
    }
    assert.ok(
      tf.getKernel(NOISY_RELU_KERNEL, 'webgpu') != null && tf.getKernel(RANDOM_SLOPE_RELU_KERNEL, 'webgpu') != null,
    );
    assert.ok(drawsOnDevice(), 'the worker would draw noise ahead for webgpu');
  },
);

/** Runs both fused kernels on `backend` for the same x and key. */
async function fusedOutputs(backend: 'cpu' | 'webgpu', xs: Float32Array, seed: number): Promise<Float32Array[]> {
  if (backend === 'cpu') await useBackend('cpu');
  else await selectBackend('webgpu');
  const key = streamKey(seed, 2);
  const x = tf.tensor1d(xs);
  const y = fusedNoisyRelu(x, 0.3, { key, values: null });
  const [ry, slope] = tf
    .engine()
    .runKernel(RANDOM_SLOPE_RELU_KERNEL, { x }, { lower: 1 / 8, upper: 1 / 3, k0: key.k0, k1: key.k1 }) as tf.Tensor[];
  const out = await Promise.all([y, ry, slope].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, y, ry, slope]);
  return out;
}

function ulpDistance(a: number, b: number): number {
  const view = new Float32Array([a, b]);
  const bits = new Int32Array(view.buffer);
  return Math.abs(bits[0] - bits[1]);
}

test(
  'WGSL noise equals the cpu kernel: every table-accepted normal and every RReLU slope exactly; the slow path within 4 ulp',
  gpu,
  async (t) => {
    const n = 400_000;
    const xs = new Rng(3).fillUniform(new Float32Array(n), -1, 0.25); // 80% take noise
    xs[0] = 0;
    xs[1] = -0; // exactly 0 draws a slope too, as in PyTorch (the gradient at 0 is the slope)
    const seed = 7;
    const cpu = await fusedOutputs('cpu', xs, seed);
    const gpu = await fusedOutputs('webgpu', xs, seed);
    const { K, SHIFT } = zigguratTables();
    const key = streamKey(seed, 2);
    let slow = 0,
      slowDiffer = 0,
      maxUlps = 0;
    for (let i = 0; i < n; i++) {
      const u = counterHash(i, key.k0, key.k1);
      const fast = u >>> SHIFT < K[u & ((1 << SHIFT) - 1)];
      if (!(xs[i] > 0) && !fast) slow++;
      if (Object.is(cpu[0][i], gpu[0][i])) continue;
      assert.ok(!fast, `element ${i} (table-accepted): webgpu ${gpu[0][i]} vs cpu ${cpu[0][i]}`);
      const ulps = ulpDistance(cpu[0][i], gpu[0][i]);
      assert.ok(ulps <= 4, `element ${i} (slow path): webgpu ${gpu[0][i]} vs cpu ${cpu[0][i]}`);
      maxUlps = Math.max(maxUlps, ulps);
      slowDiffer++;
    }
    t.diagnostic(
      `N-ReLU: ${slowDiffer} of ${slow} slow-path normals differ, by up to ${maxUlps} ulp (float32 exp/log/add on the GPU); all others equal`,
    );
    // The WGSL spec lets a GPU fuse RReLU's low + u * span into one FMA; llvmpipe does not.
    const rreluUlps =
      (await probeWebGpu()).ok && (probe as { adapter: { software: boolean } }).adapter.software ? 0 : 1;
    for (const k of [1, 2]) {
      for (let i = 0; i < n; i++) {
        assert.ok(
          ulpDistance(cpu[k][i], gpu[k][i]) <= rreluUlps,
          `RReLU ${k === 1 ? 'output' : 'slope'} ${i}: webgpu ${gpu[k][i]} vs cpu ${cpu[k][i]}`,
        );
      }
    }
  },
);

/** d/dw of sum(conv2d(x, w) * r) on `backend`: Conv2DBackpropFilter alone. */
async function filterGradient(
  backend: 'cpu' | 'webgpu',
  xShape: number[],
  wShape: number[],
  stride: number,
  pad: 'valid' | 'same',
): Promise<Float32Array> {
  if (backend === 'cpu') await useBackend('cpu');
  else await selectBackend('webgpu');
  const rng = new Rng(xShape.reduce((a, b) => a + b, 0));
  const x = tf.tensor4d(
    rng.fillUniform(new Float32Array(xShape.reduce((a, b) => a * b, 1)), -1, 1),
    xShape as [number, number, number, number],
  );
  const w = tf.tensor4d(
    rng.fillUniform(new Float32Array(wShape.reduce((a, b) => a * b, 1)), -1, 1),
    wShape as [number, number, number, number],
  );
  const outShape = tf.conv2d(x, w, stride, pad).shape;
  const r = tf.tensor4d(rng.fillUniform(new Float32Array(outShape.reduce((a, b) => a * b, 1)), -1, 1), outShape);
  const dw = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, v as tf.Tensor4D, stride, pad), r)))(w);
  const values = (await dw.data()) as Float32Array;
  tf.dispose([x, w, r, dw]);
  return values;
}

test(
  `Conv2DBackpropFilter on webgpu matches cpu, batch 128 on 26x26 outputs (86,528 terms, chunks of ${CHUNK}) and strided and padded cases`,
  gpu,
  async () => {
    const cases: [number[], number[], number, 'valid' | 'same'][] = [
      [[128, 28, 28, 1], [3, 3, 1, 32], 1, 'valid'],
      [[3, 11, 10, 5], [3, 2, 5, 6], 2, 'same'],
      [[2, 12, 12, 3], [5, 5, 3, 4], 1, 'same'],
    ];
    for (const [xShape, wShape, stride, pad] of cases) {
      const expected = await filterGradient('cpu', xShape, wShape, stride, pad);
      const actual = await filterGradient('webgpu', xShape, wShape, stride, pad);
      const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (let i = 0; i < expected.length; i++) {
        assert.ok(
          Math.abs(actual[i] - expected[i]) <= 1e-5 * scale,
          `${xShape}/${wShape} s${stride} ${pad} [${i}]: webgpu ${actual[i]} vs cpu ${expected[i]}`,
        );
      }
    }
  },
);
