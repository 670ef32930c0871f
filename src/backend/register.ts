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

/**
 * Registers `makeKernel(fallback)` in place of TF.js's own `kernelName` on `backendName`, `fallback` being TF.js's
 * kernelFunc (for the cases ours does not cover). Idempotent: a kernel this function registered stays.
 */
export function replaceKernel(
  kernelName: string,
  backendName: string,
  makeKernel: (fallback: tf.KernelFunc) => tf.KernelFunc,
): void {
  const existing = tf.getKernel(kernelName, backendName);
  if (existing == null || (existing as { nreluBench?: boolean }).nreluBench === true) return;
  tf.unregisterKernel(kernelName, backendName);
  const config: tf.KernelConfig & { nreluBench: boolean } = {
    kernelName,
    backendName,
    nreluBench: true,
    kernelFunc: makeKernel(existing.kernelFunc),
  };
  tf.registerKernel(config);
}
