/**
 * MaxPoolGrad for the wasm backend: one pass of JavaScript over the heap. TF.js 4.22's wasm
 * kernel is slower (a generic 3-D pooling loop that stores every window's argmax first) and
 * differs from the cpu and native kernels: it starts each window's maximum at the smallest
 * positive float (`numeric_limits<float>::min()`) instead of -Infinity and keeps the last of
 * tied maxima. So a window whose values are all <= 0 - common after LeakyReLU, PReLU, GELU or
 * RReLU - passes no gradient at all on wasm. Ours follows the cpu kernel (and TensorFlow): the
 * gradient of each window goes to its first maximum in row-major order, NaNs never win, and
 * overlapping windows add up.
 *
 * The non-overlapping 2x2, stride-2 pool of the benchmark's CNN runs as a SIMD loop (simd.wat,
 * channels a multiple of 4) or else an unrolled JavaScript loop; other sizes, strides and
 * paddings take the general loop. All three give the same values.
 */
import { tf } from '../../tf.js';
import { asHeapBackend, heapF32 } from './heap.js';
import { originalKernel, type KernelArgs } from './replace.js';
import { addressOf, simdKernels } from './simd.js';

/** The geometry the loops need (a subset of TF.js's Conv2DInfo for pools). */
export interface PoolGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  strideHeight: number;
  strideWidth: number;
  filterHeight: number;
  filterWidth: number;
  padTop: number;
  padLeft: number;
}

export function poolGeometry(info: tf.backend_util.Conv2DInfo): PoolGeometry {
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    filterHeight: info.effectiveFilterHeight,
    filterWidth: info.effectiveFilterWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** True for 2x2 windows with stride 2 that all lie inside the input (the unrolled loop). */
export function isPlainTwoByTwo(g: PoolGeometry): boolean {
  return (
    g.filterHeight === 2 &&
    g.filterWidth === 2 &&
    g.strideHeight === 2 &&
    g.strideWidth === 2 &&
    g.padTop === 0 &&
    g.padLeft === 0 &&
    2 * g.outHeight <= g.inHeight &&
    2 * g.outWidth <= g.inWidth
  );
}

/** dx for NHWC x and dy; `dx` is overwritten. */
export function maxPoolGradInto(x: Float32Array, dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
  dx.fill(0);
  if (isPlainTwoByTwo(g)) twoByTwo(x, dy, dx, g);
  else general(x, dy, dx, g);
}

/**
 * The unrolled 2x2 loop, without data-dependent branches (the signs of noisy activations are
 * random, and mispredicted branches cost more than the comparisons): NaN becomes -Infinity,
 * which never wins a strict comparison; the running index moves by a 0/1 factor; the running
 * maximum is Math.max (no NaN left to propagate).
 */
function twoByTwo(x: Float32Array, dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
  const C = g.inChannels;
  const row = g.inWidth * C;
  let o = 0;
  for (let b = 0; b < g.batchSize; b++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      let p = (b * g.inHeight + 2 * oh) * row;
      for (let ow = 0; ow < g.outWidth; ow++, p += 2 * C) {
        const end = p + C;
        for (let i = p; i < end; i++, o++) {
          let v0 = x[i],
            v1 = x[i + C],
            v2 = x[i + row],
            v3 = x[i + row + C];
          if (v0 !== v0) v0 = -Infinity;
          if (v1 !== v1) v1 = -Infinity;
          if (v2 !== v2) v2 = -Infinity;
          if (v3 !== v3) v3 = -Infinity;
          // Row-major window order; strict > keeps the first of tied maxima.
          let at = -1;
          let max = -Infinity;
          let wins = +(v0 > max);
          at += wins * (i - at);
          max = Math.max(max, v0);
          wins = +(v1 > max);
          at += wins * (i + C - at);
          max = Math.max(max, v1);
          wins = +(v2 > max);
          at += wins * (i + row - at);
          max = Math.max(max, v2);
          wins = +(v3 > max);
          at += wins * (i + row + C - at);
          if (at >= 0) dx[at] = dy[o];
        }
      }
    }
  }
}

function general(x: Float32Array, dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
  const C = g.inChannels;
  const best = new Float32Array(C);
  const pos = new Int32Array(C);
  let o = 0;
  for (let b = 0; b < g.batchSize; b++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      const top = oh * g.strideHeight - g.padTop;
      const r0 = Math.max(0, top),
        r1 = Math.min(g.inHeight, top + g.filterHeight);
      for (let ow = 0; ow < g.outWidth; ow++, o += C) {
        const left = ow * g.strideWidth - g.padLeft;
        const c0 = Math.max(0, left),
          c1 = Math.min(g.inWidth, left + g.filterWidth);
        best.fill(-Infinity);
        pos.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let col = c0; col < c1; col++) {
            const base = ((b * g.inHeight + r) * g.inWidth + col) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c];
              if (v > best[c]) {
                best[c] = v;
                pos[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++) {
          if (pos[c] >= 0) dx[pos[c]] += dy[o + c];
        }
      }
    }
  }
}

function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { dy, input } = args.inputs;
  if (dy == null || input == null) throw new Error('MaxPoolGrad (wasm) needs inputs dy and input');
  if (dy.dtype !== 'float32' || input.dtype !== 'float32') return original(args);
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const expectedDy = info.outShape.join(',');
  if (dy.shape.join(',') !== expectedDy) {
    throw new Error(`MaxPoolGrad (wasm): dy shape [${dy.shape}] does not match the pool output [${expectedDy}]`);
  }
  const backend = asHeapBackend(args.backend);
  const out = backend.makeOutput(input.shape, 'float32');
  const g = poolGeometry(info);
  const simd =
    isPlainTwoByTwo(g) && g.inChannels % 4 === 0 && g.inChannels * g.batchSize * g.outHeight * g.outWidth > 0
      ? simdKernels(args.backend)
      : null;
  if (simd != null) {
    // Every position a window covers is written; zero only matters for rows/columns none covers.
    if (2 * g.outHeight !== g.inHeight || 2 * g.outWidth !== g.inWidth) heapF32(backend, out).fill(0);
    simd.maxPoolGrad2x2(
      addressOf(args.backend, input),
      addressOf(args.backend, dy),
      addressOf(args.backend, out),
      g.batchSize,
      g.inHeight,
      g.inWidth,
      g.outHeight,
      g.outWidth,
      g.inChannels,
    );
    return out;
  }
  maxPoolGradInto(heapF32(backend, input), heapF32(backend, dy), heapF32(backend, out), poolGeometry(info));
  return out;
}

const original = originalKernel(tf.MaxPoolGrad);

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as tf.KernelFunc,
};
