/**
 * Extra wasm kernels. Add new ones (issue 6: Conv2DBackpropInput, MaxPoolGrad, ...) to
 * WASM_KERNELS; `registerWasmKernels` is called by `selectBackend('wasm')` and is idempotent.
 */
// Importing the package registers the wasm backend and its kernels before ours are added.
import '@tensorflow/tfjs-backend-wasm';
import { tf } from '../../tf.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';

const WASM_KERNELS: readonly tf.KernelConfig[] = [conv2DBackpropFilterConfig];

export interface WasmKernelRegistration {
  /** Kernels of ours now active on the wasm backend. */
  registered: string[];
  /** Kernels we left alone because TF.js (or someone else) already registered one. */
  skipped: string[];
}

/**
 * Registers our wasm kernels once. A kernel TF.js itself registered for wasm (a future
 * version may ship one) is kept, not overridden, and listed in `skipped`.
 */
export function registerWasmKernels(): WasmKernelRegistration {
  const result: WasmKernelRegistration = { registered: [], skipped: [] };
  for (const config of WASM_KERNELS) {
    const existing = tf.getKernel(config.kernelName, config.backendName);
    if (existing == null) {
      tf.registerKernel(config);
      result.registered.push(config.kernelName);
    } else if (existing.kernelFunc === config.kernelFunc) {
      result.registered.push(config.kernelName);
    } else {
      result.skipped.push(config.kernelName);
    }
  }
  return result;
}

export { conv2DBackpropFilterConfig, planFilterGrad } from './conv2d-backprop-filter.js';
export type { FilterGradPlan } from './conv2d-backprop-filter.js';
