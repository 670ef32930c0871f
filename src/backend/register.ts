/** Kernel registration shared by the fused kernels: register once, keep whatever is there already. */
import { tf } from '../tf.js';

/**
 * Registers `kernelFunc` as `kernelName` on `backendName` unless a kernel is registered there; returns whether it
 * registered.
 */
export function registerOnce(kernelName: string, backendName: string, kernelFunc: tf.KernelFunc): boolean {
  if (tf.getKernel(kernelName, backendName) != null) return false;
  tf.registerKernel({ kernelName, backendName, kernelFunc });
  return true;
}
