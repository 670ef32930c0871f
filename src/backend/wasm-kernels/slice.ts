/**
 * Slice for the wasm backend. TF.js 4.22's wasm kernel first copies the whole input out of the
 * heap (readSync) and then the requested part into the output, so slicing 1,000 images off a
 * 10,000-image tensor copies all 10,000. tfjs-layers' predict slices its input into batches
 * this way, and evaluation and probing slice the dataset per batch. Ours copies only the
 * requested elements when they are contiguous (any slice along the first axis is); other
 * slices, and strings, go to TF.js's kernel.
 */
import { tf } from '../../tf.js';
import { asHeapBackend } from './heap.js';
import { originalKernel, type KernelArgs } from './replace.js';

function slice(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs;
  if (x == null) throw new Error('Slice (wasm) needs input x');
  if (x.dtype === 'string' || x.dtype === 'complex64') return original(args);
  const attrs = args.attrs as unknown as tf.SliceAttrs;
  const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, attrs.begin, attrs.size);
  if (!tf.slice_util.isSliceContinous(x.shape, begin, size)) return original(args);
  const backend = asHeapBackend(args.backend);
  const out = backend.makeOutput(size, x.dtype);
  const count = tf.util.sizeFromShape(size);
  if (count > 0) {
    const offset = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    // Views only after the allocation above, which may have grown (and detached) the heap.
    const source = backend.typedArrayFromHeap(x);
    backend.typedArrayFromHeap(out).set(source.subarray(offset, offset + count));
  }
  return out;
}

const original = originalKernel(tf.Slice);

export const sliceConfig: tf.KernelConfig = {
  kernelName: tf.Slice,
  backendName: 'wasm',
  kernelFunc: slice as tf.KernelFunc,
};
