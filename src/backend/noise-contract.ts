/**
 * The contract between the stochastic activations (src/activations/noise-kernels.ts, which call
 * these kernels) and the backends that implement them (cpu/wasm in the activations folder, WebGPU in
 * webgpu-noise.ts). It lives here so that backend/ never imports activations/.
 */

/**
 * N-ReLU training forward: x > 0 ? x : sigma * eps_i. Attrs: sigma, k0, k1. Gradient dy * 1[x > 0]. Prefixed so it
 * cannot clash with TF.js's kernels.
 */
export const NOISY_RELU_KERNEL = 'NreluBenchNoisyRelu';
/**
 * RReLU training forward: outputs [y, slope], slope = x > 0 ? 1 : U_i(lower, upper) (PyTorch draws where x <= 0).
 * Attrs: lower, upper, k0, k1.
 */
export const RANDOM_SLOPE_RELU_KERNEL = 'NreluBenchRandomSlopeRelu';

/** Backends whose fused kernels draw the noise on the device: no worker draws ahead for them. */
const deviceNoiseBackends = new Set<string>();

/** Marks `backendName`'s fused kernels as drawing their own noise on the device (WebGPU). */
export function markDeviceNoise(backendName: string): void {
  deviceNoiseBackends.add(backendName);
}

/** True when `backendName`'s fused kernels draw their noise on the device. */
export function isDeviceNoiseBackend(backendName: string): boolean {
  return deviceNoiseBackends.has(backendName);
}

/**
 * SeededDropout's mask (src/models/dropout.ts) drawn on the device: element i is scale = fround(1 / (1 - rate))
 * where draw i of Rng(seed) is below 1 - rate, else 0, the same values as the layer's host loop. Inputs none;
 * attrs seed, rate, shape.
 */
export const DROPOUT_MASK_KERNEL = 'NreluBenchDropoutMask';
