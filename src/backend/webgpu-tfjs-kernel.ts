/**
 * Calling one of TF.js's own webgpu kernels from inside our kernels (a Sum or a Reshape after a WGSL pass),
 * straight through the kernel registry: no engine bookkeeping, no tape.
 */
import { tf } from '../tf.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Runs TF.js's own `kernelName` kernel for this backend directly (no engine bookkeeping). */
export function runBackendKernel(
  kernelName: string,
  backend: KernelArgs['backend'],
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
): tf.TensorInfo {
  const kernel = tf.getKernel(kernelName, 'webgpu');
  if (kernel == null) throw new Error(`webgpu has no ${kernelName} kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}
