/**
 * Conv2DBackpropFilter for the wasm backend (TF.js 4.22 ships none, so a CNN cannot train there).
 *
 * The filter gradient is itself a convolution. For NHWC input x [B, H, W, Ci], output gradient
 * dy [B, oH, oW, Co], strides (sH, sW) and padding (top, left):
 *
 *   dW[kh, kw, ci, co] = sum over b, oh, ow of  x[b, oh*sH + kh - top, ow*sW + kw - left, ci] * dy[b, oh, ow, co]
 *
 * Read x transposed to [Ci, H, W, B] as a batch of Ci images with B channels, and dy transposed
 * to [oH, oW, B, Co] as a filter with oH x oW taps, B input and Co output channels. Convolving
 * them with stride 1 and the filter dilated by (sH, sW) sums over exactly (b, oh, ow) and yields
 * [Ci, kH, kW, Co]; one more transpose gives the TF filter layout [kH, kW, Ci, Co]. All three
 * steps run on the backend's own kernels (XNNPACK Conv2D and the wasm Transpose).
 */
import { tf } from '../../tf.js';
import { withKernelCalls } from './kernel-calls.js';
import { coversSingleChannel, singleChannelFilterGrad } from './single-channel-conv.js';

type Shape4 = [number, number, number, number];

/** Padding and crop of the inner convolution that computes the filter gradient. */
export interface FilterGradPlan {
  /** Explicit NHWC padding of the transposed input, as Conv2D's `pad` attribute expects it. */
  pad: [[number, number], [number, number], [number, number], [number, number]];
  /** Spatial size the inner convolution produces; bigger than the filter only when cropping. */
  outHeight: number;
  outWidth: number;
  /** True when the inner output has rows/columns past the filter that must be cut off. */
  crop: boolean;
}

/**
 * Works out the inner convolution. Its padded input must span exactly the last tap reached,
 * (outSize - 1) * stride + filterSize rows, so the bottom/right padding is derived rather than
 * copied from the forward pass: 'valid' with a stride that does not divide the input leaves
 * rows no window touches (negative padding). Conv2D cannot take negative padding, so we pad 0
 * and crop the few surplus output rows (at most stride - 1) afterwards.
 */
export function planFilterGrad(info: tf.backend_util.Conv2DInfo): FilterGradPlan {
  const side = (inSize: number, outSize: number, stride: number, filterSize: number, before: number) => {
    const after = (outSize - 1) * stride + filterSize - inSize - before;
    return after >= 0 ? { after, out: filterSize } : { after: 0, out: filterSize - after };
  };
  const rows = side(info.inHeight, info.outHeight, info.strideHeight, info.filterHeight, info.padInfo.top);
  const cols = side(info.inWidth, info.outWidth, info.strideWidth, info.filterWidth, info.padInfo.left);
  return {
    pad: [
      [0, 0],
      [info.padInfo.top, rows.after],
      [info.padInfo.left, cols.after],
      [0, 0],
    ],
    outHeight: rows.out,
    outWidth: cols.out,
    crop: rows.out !== info.filterHeight || cols.out !== info.filterWidth,
  };
}

function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x, dy } = args.inputs;
  if (x == null || dy == null) throw new Error('Conv2DBackpropFilter (wasm) needs inputs x and dy');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter (wasm) supports float32 only, got x ${x.dtype}, dy ${dy.dtype}`);
  }
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    format,
  );
  const expectedDy = info.outShape.join(',');
  if (dy.shape.join(',') !== expectedDy) {
    throw new Error(
      `Conv2DBackpropFilter (wasm): dy shape [${dy.shape}] does not match the forward output [${expectedDy}]`,
    );
  }
  if (coversSingleChannel(info, format === 'channelsLast')) {
    const direct = singleChannelFilterGrad(args.backend, x, dy, info);
    if (direct != null) return direct;
  }
  const plan = planFilterGrad(info);
  const channelsFirst = format === 'channelsFirst';

  return withKernelCalls(args.backend, 'wasm', (calls) => {
    // Batch becomes the reduced (channel) axis of both operands. NCHW only changes the perms.
    const xT = calls.run('Transpose', { x }, { perm: channelsFirst ? [1, 2, 3, 0] : [3, 1, 2, 0] });
    const dyT = calls.run('Transpose', { x: dy }, { perm: channelsFirst ? [2, 3, 0, 1] : [1, 2, 0, 3] });
    // Disposing dyT at scope end also drops the XNNPACK operator that wasm's Conv2D caches
    // per filter tensor id, so the per-step filters do not pile up in the operator cache.
    const grad = calls.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        dilations: [info.strideHeight, info.strideWidth],
        pad: plan.pad,
        dataFormat: 'NHWC',
      },
    );
    const fitted = plan.crop
      ? calls.run(
          'Slice',
          { x: grad },
          {
            begin: [0, 0, 0, 0],
            size: [info.inChannels, info.filterHeight, info.filterWidth, info.outChannels],
          },
        )
      : grad;
    return calls.run('Transpose', { x: fitted }, { perm: [1, 2, 0, 3] });
  });
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as tf.KernelFunc,
};
