/**
 * Extra wasm kernels. `WASM_KERNELS` fill gaps (kernels TF.js 4.22's wasm backend lacks);
 * `WASM_REPLACEMENTS` take the place of TF.js's own, slower wasm kernels and fall back to them
 * for cases without a fast path. `registerWasmKernels` is called by `selectBackend('wasm')` and
 * is idempotent.
 */
// Importing the package registers the wasm backend and its kernels before ours are added.
import '@tensorflow/tfjs-backend-wasm';
import { tf } from '../../tf.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { sliceConfig } from './slice.js';
import { gatherV2Config } from './gather.js';
import { maxConfig, sumConfig } from './reduce.js';
import { identityConfig } from './identity.js';
import { unitStatsConfig } from './unit-stats.js';
import { getOriginal, rememberOriginal } from './replace.js';

const WASM_KERNELS: readonly tf.KernelConfig[] = [conv2DBackpropFilterConfig, unitStatsConfig];
const WASM_REPLACEMENTS: readonly tf.KernelConfig[] = [
  conv2DBackpropInputConfig,
  maxPoolGradConfig,
  batchMatMulConfig,
  sliceConfig,
  sumConfig,
  maxConfig,
  gatherV2Config,
  identityConfig,
];

export interface WasmKernelRegistration {
  /** Kernels of ours now active on the wasm backend (added or replacing TF.js's). */
  registered: string[];
  /** Kernels we left alone because TF.js (or someone else) already registered one. */
  skipped: string[];
}

/**
 * Registers our wasm kernels once. A gap-filling kernel that TF.js itself registered for wasm (a
 * future version may ship one) is kept, not overridden, and listed in `skipped`. A replacement
 * takes over TF.js's kernel (and its setup function) and keeps it as the fallback.
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
  for (const config of WASM_REPLACEMENTS) {
    const existing = tf.getKernel(config.kernelName, config.backendName);
    if (existing?.kernelFunc !== config.kernelFunc) {
      if (existing != null) {
        rememberOriginal(existing);
        tf.unregisterKernel(config.kernelName, config.backendName);
      }
      const original = getOriginal(config.kernelName);
      tf.registerKernel({ ...config, setupFunc: original?.setupFunc, disposeFunc: original?.disposeFunc });
    }
    result.registered.push(config.kernelName);
  }
  return result;
}

/**
 * Puts TF.js's own kernels back in place of our replacements (the gap-filling kernels stay);
 * for benchmarks that measure before and after. `registerWasmKernels` undoes it.
 */
export function restoreTfjsWasmKernels(): string[] {
  const restored: string[] = [];
  for (const config of WASM_REPLACEMENTS) {
    const original = getOriginal(config.kernelName);
    const existing = tf.getKernel(config.kernelName, config.backendName);
    if (original == null || existing?.kernelFunc !== config.kernelFunc) continue;
    tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(original);
    restored.push(config.kernelName);
  }
  return restored;
}

export { conv2DBackpropFilterConfig, planFilterGrad } from './conv2d-backprop-filter.js';
export type { FilterGradPlan } from './conv2d-backprop-filter.js';
export { conv2DBackpropInputConfig, planInputGrad } from './conv2d-backprop-input.js';
export type { InputGradPlan } from './conv2d-backprop-input.js';
export { maxPoolGradConfig, maxPoolGradInto, poolGeometry, isPlainTwoByTwo } from './max-pool-grad.js';
export type { PoolGeometry } from './max-pool-grad.js';
export { batchMatMulConfig } from './batch-mat-mul.js';
export { sliceConfig } from './slice.js';
export { gatherV2Config } from './gather.js';
export { identityConfig } from './identity.js';
export { unitStatsConfig, absStatsInto } from './unit-stats.js';
export { sumConfig, maxConfig, leadingAxesSplit, columnMaxInto, columnSumInto } from './reduce.js';
