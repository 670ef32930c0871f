/**
 * Conv2DBackpropFilter (a convolution's filter gradient) on WebGPU as a split-K matrix product.
 *
 * The filter gradient is the product of the im2col matrix of x, transposed, and dy:
 *   dW[r, c] = sum over n of X[n, r] * DY[n, c],  n = (batch, outRow, outCol) (N = B*OH*OW),
 *   r = (filterRow, filterCol, inChannel), c = outChannel,
 * with X[n, r] read straight from x (no im2col buffer). TF.js's own kernel gives one thread per
 * filter weight and loops over all of n: for the CNN's first conv at batch 128 that is 288
 * threads each looping 86,528 times, slow on a GPU and wrong on Mesa's software renderer, which
 * stops a shader invocation after 65,535 loop iterations in total. Here the sum over n is split
 * into chunks of at most CHUNK: one thread per (chunk, r, c) writes a partial sum, and TF.js's
 * Sum kernel adds the chunks (a short reduction). Cases not covered (NCHW, non-float32) go to
 * TF.js's kernel.
 */
import { tf } from '../tf.js';
import { replaceKernel } from './register.js';
import { type WebGpuBackendLike, type WebGpuUtil, flatProgram } from './webgpu-program.js';
import { runBackendKernel } from './webgpu-tfjs-kernel.js';

/** Terms of n summed by one thread (far below the 65,535 loop iterations of llvmpipe). */
export const CHUNK = 1024;

type KernelArgs = Parameters<tf.KernelFunc>[0];

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

function partialsProgram(util: WebGpuUtil, chunks: number, rows: number, cols: number) {
  const shape = [chunks, rows, cols];
  return {
    ...flatProgram(
      util,
      shape,
      ['x', 'dy'],
      'rows : i32, cols : i32, n : i32, chunk : i32, outW : i32, outHW : i32, filterW : i32, inC : i32, ' +
        'stride : vec2<i32>, dilation : vec2<i32>, pad : vec2<i32>, inH : i32, inW : i32,',
      'nreluBenchConv2DBackpropFilterPartials',
    ),
    getUserCode: () => `
  fn main(index : i32) {
    if (index >= uniforms.size) {
      return;
    }
    // Sizes are uniforms, not constants in the source: TF.js caches pipelines by shaderKey and input ranks.
    let rows = uniforms.rows;
    let cols = uniforms.cols;
    let c = index % cols;
    let r = (index / cols) % rows;
    let k = index / (cols * rows);
    let inC = uniforms.inC;
    let ci = r % inC;
    let fc = (r / inC) % uniforms.filterW;
    let fr = r / (inC * uniforms.filterW);
    let rowOffset = fr * uniforms.dilation.x - uniforms.pad.x;
    let colOffset = fc * uniforms.dilation.y - uniforms.pad.y;
    let start = k * uniforms.chunk;
    let end = min(start + uniforms.chunk, uniforms.n);
    var acc = 0.0;
    for (var n = start; n < end; n = n + 1) {
      let b = n / uniforms.outHW;
      let rest = n - b * uniforms.outHW;
      let oh = rest / uniforms.outW;
      let ow = rest - oh * uniforms.outW;
      let ih = oh * uniforms.stride.x + rowOffset;
      let iw = ow * uniforms.stride.y + colOffset;
      if (ih >= 0 && ih < uniforms.inH && iw >= 0 && iw < uniforms.inW) {
        acc = acc + x[((b * uniforms.inH + ih) * uniforms.inW + iw) * inC + ci] * dy[n * cols + c];
      }
    }
    result[index] = acc;
  }
`,
  };
}

/** Registers our kernel over TF.js's for 'webgpu' (idempotent); TF.js's stays the fallback. */
export function registerWebGpuConvKernels(util: WebGpuUtil): void {
  replaceKernel(tf.Conv2DBackpropFilter, 'webgpu', (fallback) => (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo,
      dy = args.inputs.dy as tf.TensorInfo;
    const attrs = args.attrs as unknown as BackpropFilterAttrs;
    if (attrs.dataFormat !== 'NHWC' || x.dtype !== 'float32' || dy.dtype !== 'float32') return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    return backpropFilter(util, args.backend, x, dy, info);
  });
}

function backpropFilter(
  util: WebGpuUtil,
  tfBackend: KernelArgs['backend'],
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const backend = tfBackend as unknown as WebGpuBackendLike;
  const n = info.batchSize * info.outHeight * info.outWidth;
  const rows = info.filterHeight * info.filterWidth * info.inChannels;
  const cols = info.outChannels;
  const chunks = Math.max(1, Math.ceil(n / CHUNK));
  const chunk = Math.ceil(n / chunks);
  const partials = backend.runWebGPUProgram(partialsProgram(util, chunks, rows, cols), [x, dy], 'float32', [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [cols] },
    { type: 'int32', data: [n] },
    { type: 'int32', data: [chunk] },
    { type: 'int32', data: [info.outWidth] },
    { type: 'int32', data: [info.outHeight * info.outWidth] },
    { type: 'int32', data: [info.filterWidth] },
    { type: 'int32', data: [info.inChannels] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [info.dilationHeight, info.dilationWidth] },
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.inHeight] },
    { type: 'int32', data: [info.inWidth] },
  ]);
  const sum = runBackendKernel(tf.Sum, tfBackend, { x: partials }, { axis: [0], keepDims: false });
  backend.disposeData(partials.dataId);
  const shape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  const out = runBackendKernel(tf.Reshape, tfBackend, { x: sum }, { shape });
  backend.disposeData(sum.dataId);
  return out;
}
