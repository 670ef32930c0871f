/**
 * BatchMatMul for the wasm backend with transposed operands. TF.js 4.22's wasm kernel sends a
 * product to XNNPACK's fully-connected operator only when neither operand is transposed and
 * both have batch 1; any transpose takes a scalar blocked loop, about ten times slower. The
 * gradients of every Dense layer are such products (dx = dy * W^T, dW = x^T * dy), so ours
 * transposes the operand explicitly with the backend's Transpose kernel (cheap: one pass over
 * a matrix, against a product's K passes) and runs TF.js's kernel on the plain product.
 * Batched products (batch > 1) and other dtypes go to TF.js's kernel unchanged.
 */
import { tf } from '../../tf.js';
import { withKernelCalls } from './kernel-calls.js';
import { originalKernel, type KernelArgs } from './replace.js';

function batchSize(shape: number[]): number {
  return shape.slice(0, -2).reduce((a, b) => a * b, 1);
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs;
  if (a == null || b == null) throw new Error('BatchMatMul (wasm) needs inputs a and b');
  const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
  const plain = !attrs.transposeA && !attrs.transposeB;
  if (plain || a.dtype !== 'float32' || b.dtype !== 'float32' || batchSize(a.shape) !== 1 || batchSize(b.shape) !== 1) {
    return original(args);
  }
  return withKernelCalls(args.backend, 'wasm', (calls) => {
    const a2 = attrs.transposeA ? calls.run('Transpose', { x: a }, { perm: swapLastTwo(a.shape.length) }) : a;
    const b2 = attrs.transposeB ? calls.run('Transpose', { x: b }, { perm: swapLastTwo(b.shape.length) }) : b;
    // The product is the kernel's result, so it is not registered with `calls` (which frees).
    return original({
      inputs: { a: a2, b: b2 },
      backend: args.backend,
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    });
  });
}

const original = originalKernel(tf.BatchMatMul);

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as tf.KernelFunc,
};
