/**
 * The fused N-ReLU and RReLU kernels for backends whose tensors live in JavaScript-visible memory
 * (cpu, and wasm's heap): one pass over x that draws noise only where it is needed.
 */
import { tf } from '../tf.js';
import { type StreamKey, counterUniformAt, normalAt, uniformParams } from '../rng/index.js';
import { NOISY_RELU_KERNEL, RANDOM_SLOPE_RELU_KERNEL, isDeviceNoiseBackend } from '../backend/noise-contract.js';
import { reluGradient } from './fused-gradients.js';
import { registerHostKernel, type HostMemory } from '../backend/wasm-kernels/host-memory.js';
import { addressOf, simdKernels } from '../backend/wasm-kernels/simd.js';

export { NOISY_RELU_KERNEL, RANDOM_SLOPE_RELU_KERNEL, markDeviceNoise } from '../backend/noise-contract.js';

/** One pass's N(0, 1) noise: its stream, and the values if the worker drew them ahead. */
export interface NormalDraw {
  key: StreamKey;
  /** All of the pass's values (element i at index i), or null: draw them from `key`. */
  values: Float32Array | null;
}

let kernelsEnabled = true;

/** True when the active backend's fused kernels draw noise on the device (a host-side draw ahead would be wasted). */
export function drawsOnDevice(): boolean {
  return kernelsEnabled && isDeviceNoiseBackend(tf.getBackend());
}

/** Turns the fused kernels on or off (off: every backend takes the generic path). Returns the old setting. */
export function useNoiseKernels(enabled: boolean): boolean {
  const previous = kernelsEnabled;
  kernelsEnabled = enabled;
  return previous;
}

/** True when `kernel` will run fused on the active backend for a tensor of `dtype`. */
export function hasNoiseKernel(kernel: string, dtype: tf.DataType): boolean {
  return kernelsEnabled && dtype === 'float32' && tf.getKernel(kernel, tf.getBackend()) != null;
}

/** Prefetched normals handed to the N-ReLU kernel for the duration of one runKernel call. */
let handoff: NormalDraw | null = null;

/** Runs the fused N-ReLU kernel on `x` with the noise of `draw`. */
export function fusedNoisyRelu(x: tf.Tensor, sigma: number, draw: NormalDraw): tf.Tensor {
  handoff = draw;
  try {
    return tf.engine().runKernel(NOISY_RELU_KERNEL, { x }, { sigma, k0: draw.key.k0, k1: draw.key.k1 }) as tf.Tensor;
  } finally {
    handoff = null;
  }
}

/**
 * The kernels work through x in blocks small enough to stay in the L1/L2 cache: copy the block
 * to y, list the block's elements that need noise (a branch-free pass: x's signs are random,
 * so a branch per element would be mispredicted half of the time), then draw (or read) noise
 * for those only. One pass over memory instead of three over the whole tensor.
 */
const BLOCK = 4096;
const blockIndices = new Int32Array(BLOCK);

/**
 * Copies the block [start, end) of x into y and lists in blockIndices the block's elements that get
 * noise: those <= 0, and NaN too when `nanToo` (N-ReLU's where(x > 0, x, noise) sends NaN to the noise
 * branch; RReLU's x <= 0 leaves NaN a slope of 1). Returns how many it listed.
 */
function copyAndList(x: Float32Array, y: Float32Array, start: number, end: number, nanToo: boolean): number {
  const idx = blockIndices;
  y.set(x.subarray(start, end), start);
  let count = 0;
  if (nanToo) {
    for (let i = start; i < end; i++) {
      idx[count] = i;
      count += +!(x[i] > 0);
    }
  } else {
    for (let i = start; i < end; i++) {
      idx[count] = i;
      count += +(x[i] <= 0);
    }
  }
  return count;
}

/**
 * Writes N-ReLU's training output for `x` into `y`. The noise branch takes every element that is
 * not > 0 (so NaN too, as where(x > 0, x, noise) does). Noise comes from `normals` when the
 * worker drew it ahead, else from the stream. Each value is rounded to float32 before the
 * float32 multiply, exactly as the generic path's tensor multiply does.
 */
function noisyReluInto(
  x: Float32Array,
  y: Float32Array,
  sigma: number,
  key: StreamKey,
  normals: Float32Array | null = null,
): void {
  const n = x.length;
  const idx = blockIndices;
  const s = Math.fround(sigma);
  const k0 = key.k0 | 0,
    k1 = key.k1 | 0;
  for (let start = 0; start < n; start += BLOCK) {
    const count = copyAndList(x, y, start, Math.min(n, start + BLOCK), true);
    if (normals != null) {
      for (let q = 0; q < count; q++) {
        const i = idx[q];
        y[i] = normals[i] * s;
      }
    } else {
      for (let q = 0; q < count; q++) {
        const i = idx[q];
        y[i] = normalAt(i, k0, k1) * s;
      }
    }
  }
}

/**
 * Writes RReLU's training output and slopes for `x` (U_i(lower, upper) where x <= 0, as PyTorch, so also at 0; else 1).
 */
function randomSlopeReluInto(
  x: Float32Array,
  y: Float32Array,
  slope: Float32Array,
  lower: number,
  upper: number,
  key: StreamKey,
): void {
  const n = x.length;
  const idx = blockIndices;
  const { low, span } = uniformParams(lower, upper);
  const k0 = key.k0 | 0,
    k1 = key.k1 | 0;
  slope.fill(1);
  for (let start = 0; start < n; start += BLOCK) {
    const count = copyAndList(x, y, start, Math.min(n, start + BLOCK), false);
    for (let q = 0; q < count; q++) {
      const i = idx[q];
      const a = counterUniformAt(i, k0, k1, low, span);
      slope[i] = a;
      y[i] = x[i] * a;
    }
  }
}

function keyOf(attrs: tf.NamedAttrMap | undefined): StreamKey {
  return { k0: attrs?.k0 as number, k1: attrs?.k1 as number };
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function noisyReluKernel(memory: (backend: unknown) => HostMemory): tf.KernelFunc {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const x = inputs.x as tf.TensorInfo;
    const key = keyOf(attrs);
    const size = tf.util.sizeFromShape(x.shape);
    const ahead =
      handoff?.key.k0 === key.k0 && handoff.key.k1 === key.k1 && handoff.values?.length === size
        ? handoff.values
        : null;
    const mem = memory(backend);
    const out = mem.alloc(x.shape);
    const simd = ahead ? simdKernels(backend) : null;
    if (simd && ahead) {
      // The normals drawn ahead go into y as they are, and one SIMD pass keeps x where x > 0:
      // the same float32 products as noisyReluInto's, without its per-element JavaScript.
      const y = mem.view(out);
      y.set(ahead);
      const head = size - (size % 4);
      const s = Math.fround(attrs?.sigma as number);
      if (head > 0) simd.noisyReluAhead(addressOf(backend, x), addressOf(backend, out), head, s);
      const xs = mem.view(x);
      for (let i = head; i < size; i++)
        if (xs[i] > 0) y[i] = xs[i];
        else y[i] = ahead[i] * s;
      return out;
    }
    noisyReluInto(mem.view(x), mem.view(out), attrs?.sigma as number, key, ahead);
    return out;
  };
}

function randomSlopeReluKernel(memory: (backend: unknown) => HostMemory): tf.KernelFunc {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const x = inputs.x as tf.TensorInfo;
    const mem = memory(backend);
    const y = mem.alloc(x.shape);
    const slope = mem.alloc(x.shape);
    randomSlopeReluInto(
      mem.view(x),
      mem.view(y),
      mem.view(slope),
      attrs?.lower as number,
      attrs?.upper as number,
      keyOf(attrs),
    );
    return [y, slope];
  };
}

function registerNoiseKernels(): void {
  registerHostKernel(NOISY_RELU_KERNEL, noisyReluKernel);
  registerHostKernel(RANDOM_SLOPE_RELU_KERNEL, randomSlopeReluKernel);
  // The noise does not depend on x, so N-ReLU's gradient is ReLU's: dy * 1[x > 0].
  if (tf.getGradient(NOISY_RELU_KERNEL) == null) {
    tf.registerGradient({
      kernelName: NOISY_RELU_KERNEL,
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => ({ x: () => reluGradient(dy as tf.Tensor, saved[0]) }),
    });
  }
}
registerNoiseKernels();
