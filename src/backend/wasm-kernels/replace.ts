/**
 * Bookkeeping for kernels we register in place of TF.js's own wasm kernels (Conv2DBackpropInput,
 * MaxPoolGrad, BatchMatMul, ...). Ours handle the common cases fast and hand everything else
 * (NCHW, other dtypes, shapes without a fast path) back to the kernel they replaced, so TF.js's
 * kernel is remembered here when ours is registered, together with its setup function: the
 * engine only calls the setupFunc of the config registered when the backend initialises, and
 * TF.js's kernelFuncs need theirs (it binds the wasm function they call).
 */
import { tf } from '../../tf.js';

/** What the engine passes a kernelFunc. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}

const originals = new Map<string, tf.KernelConfig>();

/** Remembers `config` as the wasm kernel that `kernelName` falls back to (first one wins). */
export function rememberOriginal(config: tf.KernelConfig): void {
  if (!originals.has(config.kernelName)) originals.set(config.kernelName, config);
}

/** The kernel ours replaced, if any. */
export function getOriginal(kernelName: string): tf.KernelConfig | undefined {
  return originals.get(kernelName);
}

/** A kernelFunc that runs the kernel ours replaced (looked up when called). */
export function originalKernel(kernelName: string): (args: KernelArgs) => tf.TensorInfo {
  return (args) => {
    const config = originals.get(kernelName);
    if (config == null) throw new Error(`no original wasm ${kernelName} kernel to fall back to`);
    return config.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  };
}
