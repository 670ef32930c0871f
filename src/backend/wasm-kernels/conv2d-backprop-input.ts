/**
 * Conv2DBackpropInput for the wasm backend, on the backend's fast (XNNPACK) Conv2D. TF.js 4.22's
 * own wasm kernel is a scalar loop, about seven times slower than the forward convolution of the
 * same layer.
 *
 * The input gradient of a convolution is a convolution of the output gradient. For NHWC dy
 * [B, oH, oW, Co], filter W [kH, kW, Ci, Co], strides (sH, sW) and forward padding (top, left):
 *
 *   dx[b, ih, iw, ci] = sum over kh, kw, co of  dyD[b, ih + top - kh, iw + left - kw, co] * W[kh, kw, ci, co]
 *
 * where dyD is dy "dilated" by the stride (dy[oh, ow] at row oh*sH, column ow*sW, zeros between).
 * With the filter flipped in both spatial axes and its channel axes swapped, W'[kh, kw, co, ci] =
 * W[kH-1-kh, kW-1-kw, ci, co], that is a stride-1 correlation of dyD padded by kH-1-top rows
 * above (and enough below for an output of inH rows) with W'. Padding that comes out negative
 * (forward padding larger than the filter) means dy rows that reach no input; they are sliced off.
 *
 * Strides > 1 dilate dy with kernels the backend has: reshape to [B, oH, 1, oW, 1, Co], pad the
 * two unit axes to sH and sW with zeros and reshape to [B, oH*sH, oW*sW, Co] (the trailing s-1
 * zero rows only shorten the bottom padding). The convolution then does sH*sW times the useful
 * work, which `scripts/bench-wasm-kernels.ts` measures against TF.js's kernel; NCHW data (which
 * wasm's Conv2D does not take) goes to TF.js's kernel.
 */
import { tf } from '../../tf.js';
import { withKernelCalls } from './kernel-calls.js';
import { coversSingleChannel, singleChannelInputGrad } from './single-channel-conv.js';
import { originalKernel, type KernelArgs } from './replace.js';

type Shape4 = [number, number, number, number];
type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

/** How the output gradient is prepared and convolved. */
export interface InputGradPlan {
  /** True when dy must be dilated (zero-inserted) by the strides first. */
  dilate: boolean;
  /** Rows/columns cut from the start of the (dilated) dy, and how many are kept. */
  crop: { top: number; left: number; height: number; width: number } | null;
  /** Explicit NHWC padding of the inner stride-1 convolution. */
  pad: Pad4;
}

/** Works out the inner convolution for one NHWC Conv2DBackpropInput (dilation 1). */
export function planInputGrad(info: tf.backend_util.Conv2DInfo): InputGradPlan {
  const side = (inSize: number, outSize: number, stride: number, filterSize: number, before: number) => {
    const length = stride === 1 ? outSize : outSize * stride;
    let padBefore = filterSize - 1 - before;
    let padAfter = inSize + filterSize - 1 - length - padBefore;
    const start = padBefore < 0 ? -padBefore : 0;
    const end = padAfter < 0 ? length + padAfter : length;
    padBefore = Math.max(0, padBefore);
    padAfter = Math.max(0, padAfter);
    return { start, kept: end - start, length, padBefore, padAfter };
  };
  const rows = side(info.inHeight, info.outHeight, info.strideHeight, info.filterHeight, info.padInfo.top);
  const cols = side(info.inWidth, info.outWidth, info.strideWidth, info.filterWidth, info.padInfo.left);
  const cropped = rows.kept !== rows.length || cols.kept !== cols.length;
  return {
    dilate: info.strideHeight > 1 || info.strideWidth > 1,
    crop: cropped ? { top: rows.start, left: cols.start, height: rows.kept, width: cols.kept } : null,
    pad: [
      [0, 0],
      [rows.padBefore, rows.padAfter],
      [cols.padBefore, cols.padAfter],
      [0, 0],
    ],
  };
}

function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { dy, filter } = args.inputs;
  if (dy == null || filter == null) throw new Error('Conv2DBackpropInput (wasm) needs inputs dy and filter');
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (format !== 'channelsLast' || dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    return original(args);
  }
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape as Shape4,
    filter.shape as Shape4,
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
      `Conv2DBackpropInput (wasm): dy shape [${dy.shape}] does not match the forward output [${expectedDy}]`,
    );
  }
  if (coversSingleChannel(info, true)) {
    const direct = singleChannelInputGrad(args.backend, dy, filter, info);
    if (direct != null) return direct;
  }
  const plan = planInputGrad(info);
  const [batch, outH, outW, outC] = dy.shape;

  return withKernelCalls(args.backend, 'wasm', (calls) => {
    let grad: tf.TensorInfo = dy;
    if (plan.dilate) {
      const [sH, sW] = [info.strideHeight, info.strideWidth];
      const spread = calls.run('Reshape', { x: dy }, { shape: [batch, outH, 1, outW, 1, outC] });
      const padded = calls.run(
        'PadV2',
        { x: spread },
        {
          paddings: [
            [0, 0],
            [0, 0],
            [0, sH - 1],
            [0, 0],
            [0, sW - 1],
            [0, 0],
          ],
          constantValue: 0,
        },
      );
      grad = calls.run('Reshape', { x: padded }, { shape: [batch, outH * sH, outW * sW, outC] });
    }
    if (plan.crop) {
      grad = calls.run(
        'Slice',
        { x: grad },
        {
          begin: [0, plan.crop.top, plan.crop.left, 0],
          size: [batch, plan.crop.height, plan.crop.width, outC],
        },
      );
    }
    // Disposing the flipped filter at scope end also drops the XNNPACK operator wasm's Conv2D
    // caches per filter tensor id.
    const flipped = calls.run('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = calls.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
    return calls.run(
      'Conv2D',
      { x: grad, filter: swapped },
      {
        strides: [1, 1],
        dilations: [1, 1],
        pad: plan.pad,
        dataFormat: 'NHWC',
      },
    );
  });
}

const original = originalKernel(tf.Conv2DBackpropInput);

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as tf.KernelFunc,
};
