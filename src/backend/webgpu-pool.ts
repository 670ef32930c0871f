/**
 * MaxPoolGrad on WebGPU with the cpu backend's (and TensorFlow's) rule for tied maxima: a window's gradient goes to
 * its FIRST maximum in row-major order, NaN never wins, overlapping windows add up. TF.js 4.22's webgpu kernel keeps
 * the LAST of tied maxima (its positions pass compares with >=), and the wasm kernel here follows cpu
 * (wasm-kernels/max-pool-grad.ts). Ties are common on real data: where a conv's input is MNIST's zero background,
 * its outputs are the bias alone, equal across the window. Both choices are valid subgradients, but the gradient lands
 * on another pixel, and from the second pool on it reaches the layers below through other weights: on a small CNN
 * the gradient probe's mean |dL/dz| of the first conv differed by 1.2% between webgpu and wasm, while every
 * synthetic-data test (no ties) agreed to 1e-5.
 *
 * One thread per dx element: it visits each window that covers its pixel (one for a non-overlapping 2x2 pool), finds
 * that window's first maximum and adds the window's dy if that is its own pixel. A window is at most
 * MAX_WINDOW_READS reads in all; larger pools (far above llvmpipe's 65,535 loop iterations per invocation otherwise)
 * go to TF.js's kernel.
 */
import { tf } from '../tf.js';
import { replaceKernel } from './register.js';
import { type WebGpuBackendLike, type WebGpuProgramLike, type WebGpuUtil, flatProgram } from './webgpu-program.js';

/** Reads one dx thread may make (windows covering a pixel x window size); beyond it TF.js's kernel runs. */
export const MAX_WINDOW_READS = 4096;

type KernelArgs = Parameters<tf.KernelFunc>[0];

function maxPoolGradProgram(util: WebGpuUtil, shape: number[]): WebGpuProgramLike {
  return {
    ...flatProgram(
      util,
      shape,
      ['dy', 'x'],
      'inH : i32, inW : i32, channels : i32, outH : i32, outW : i32, stride : vec2<i32>, window : vec2<i32>, ' +
        'pad : vec2<i32>,',
      'nreluBenchMaxPoolGrad',
    ),
    getUserCode: () => `
  fn main(index : i32) {
    if (index >= uniforms.size) {
      return;
    }
    let C = uniforms.channels;
    let ch = index % C;
    let col = (index / C) % uniforms.inW;
    let row = (index / (C * uniforms.inW)) % uniforms.inH;
    let b = index / (C * uniforms.inW * uniforms.inH);
    // Windows oh with oh * stride - pad <= row < oh * stride - pad + window (likewise ow), inside the output.
    let ohFirst = max(0, (row + uniforms.pad.x - uniforms.window.x + uniforms.stride.x) / uniforms.stride.x);
    let ohLast = min(uniforms.outH - 1, (row + uniforms.pad.x) / uniforms.stride.x);
    let owFirst = max(0, (col + uniforms.pad.y - uniforms.window.y + uniforms.stride.y) / uniforms.stride.y);
    let owLast = min(uniforms.outW - 1, (col + uniforms.pad.y) / uniforms.stride.y);
    var acc = 0.0;
    for (var oh = ohFirst; oh <= ohLast; oh = oh + 1) {
      let top = oh * uniforms.stride.x - uniforms.pad.x;
      let r0 = max(0, top);
      let r1 = min(uniforms.inH, top + uniforms.window.x);
      for (var ow = owFirst; ow <= owLast; ow = ow + 1) {
        let left = ow * uniforms.stride.y - uniforms.pad.y;
        let c0 = max(0, left);
        let c1 = min(uniforms.inW, left + uniforms.window.y);
        // The window's first maximum in row-major order: a strict > against the running maximum, which starts
        // at -Infinity (found = false), so ties keep the first and NaN or -Infinity never win.
        var found = false;
        var best = 0.0;
        var bestRow = -1;
        var bestCol = -1;
        for (var r = r0; r < r1; r = r + 1) {
          for (var c = c0; c < c1; c = c + 1) {
            let v = x[((b * uniforms.inH + r) * uniforms.inW + c) * C + ch];
            let bits = bitcast<u32>(v);
            let usable = (bits & 0x7fffffffu) <= 0x7f800000u && bits != 0xff800000u;
            if (usable && (!found || v > best)) {
              found = true;
              best = v;
              bestRow = r;
              bestCol = c;
            }
          }
        }
        if (bestRow == row && bestCol == col) {
          acc = acc + dy[((b * uniforms.outH + oh) * uniforms.outW + ow) * C + ch];
        }
      }
    }
    result[index] = acc;
  }
`,
  };
}

/** Registers our kernel over TF.js's for 'webgpu' (idempotent); TF.js's stays the fallback. */
export function registerWebGpuPoolKernels(util: WebGpuUtil): void {
  replaceKernel(tf.MaxPoolGrad, 'webgpu', (fallback) => (args: KernelArgs) => {
    const dy = args.inputs.dy as tf.TensorInfo,
      input = args.inputs.input as tf.TensorInfo;
    if (dy.dtype !== 'float32' || input.dtype !== 'float32') return fallback(args);
    const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const fh = info.effectiveFilterHeight,
      fw = info.effectiveFilterWidth;
    const windows = Math.ceil(fh / info.strideHeight) * Math.ceil(fw / info.strideWidth);
    if (windows * fh * fw > MAX_WINDOW_READS) return fallback(args);
    return (args.backend as unknown as WebGpuBackendLike).runWebGPUProgram(
      maxPoolGradProgram(util, input.shape),
      [dy, input],
      'float32',
      [
        { type: 'int32', data: [info.inHeight] },
        { type: 'int32', data: [info.inWidth] },
        { type: 'int32', data: [info.inChannels] },
        { type: 'int32', data: [info.outHeight] },
        { type: 'int32', data: [info.outWidth] },
        { type: 'int32', data: [info.strideHeight, info.strideWidth] },
        { type: 'int32', data: [fh, fw] },
        { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
      ],
    );
  });
}
