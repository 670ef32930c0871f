/**
 * Direct SIMD loops for the gradients of a convolution with ONE input channel (a CNN's first
 * layer on greyscale images), stride 1, no padding or dilation, NHWC, output channels a multiple
 * of 4. For these the transposed-convolution formulation of Conv2DBackpropFilter/-Input is a poor
 * fit for XNNPACK (a 1-channel operand): the filter gradient took 2.75x its forward convolution.
 * The loops sum in a different order than XNNPACK (b, oh, ow sequentially per output channel), so
 * the last bits of the filter gradient differ from the transposed-convolution path (tested against
 * the cpu backend within float32 tolerance). Other shapes return null and keep the general path.
 */
import { tf } from '../../tf.js';
import { asHeapBackend } from './heap.js';
import { addressOf, simdKernels } from './simd.js';

/** True when the SIMD loops cover this convolution. */
export function coversSingleChannel(info: tf.backend_util.Conv2DInfo, channelsLast: boolean): boolean {
  const p = info.padInfo;
  return (
    channelsLast &&
    info.inChannels === 1 &&
    info.outChannels % 4 === 0 &&
    info.outChannels > 0 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    p.top === 0 &&
    p.left === 0 &&
    p.bottom === 0 &&
    p.right === 0 &&
    info.batchSize > 0 &&
    info.outHeight > 0 &&
    info.outWidth > 0 &&
    info.outHeight + info.filterHeight - 1 === info.inHeight &&
    info.outWidth + info.filterWidth - 1 === info.inWidth
  );
}

/** dW [kH, kW, 1, Co] of x [B, H, W, 1] and dy [B, oH, oW, Co], or null without SIMD. */
export function singleChannelFilterGrad(
  backend: object,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | null {
  const simd = simdKernels(backend);
  if (simd == null) return null;
  const heap = asHeapBackend(backend);
  const out = heap.makeOutput([info.filterHeight, info.filterWidth, 1, info.outChannels], 'float32');
  heap.typedArrayFromHeap(out).fill(0);
  simd.filterGradC1(
    addressOf(backend, x),
    addressOf(backend, dy),
    addressOf(backend, out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
  );
  return out;
}

/** dx [B, H, W, 1] of dy [B, oH, oW, Co] and the filter [kH, kW, 1, Co], or null without SIMD. */
export function singleChannelInputGrad(
  backend: object,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | null {
  const simd = simdKernels(backend);
  if (simd == null) return null;
  const heap = asHeapBackend(backend);
  const out = heap.makeOutput([info.batchSize, info.inHeight, info.inWidth, 1], 'float32');
  heap.typedArrayFromHeap(out).fill(0);
  simd.inputGradC1(
    addressOf(backend, dy),
    addressOf(backend, filter),
    addressOf(backend, out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
  );
  return out;
}
