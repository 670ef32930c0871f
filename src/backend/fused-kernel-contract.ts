/**
 * Names of the fused kernels that activations/ and train/ call and that backend/ implements for
 * WebGPU (cpu/wasm implement them beside their callers): the one-pass activation gradients
 * (activations/fused-gradients.ts; WebGPU in webgpu-activation-grads.ts), GELU
 * (activations/gelu-kernels.ts; WebGPU in webgpu-gelu.ts) and Adam
 * (train/fused-adam.ts; WebGPU in webgpu-adam.ts). Here so that backend/ never imports them.
 */

/** dx = dy * step(x) (NaN where x is NaN), one pass. Inputs x, dy. */
export const RELU_GRAD_KERNEL = 'NreluBenchReluGrad';
/** dx = x > 0 ? dy : dy * alpha, one pass. Inputs x, dy; attr alpha. */
export const LEAKY_RELU_GRAD_KERNEL = 'NreluBenchLeakyReluGrad';
/**
 * PReLU with a one-element alpha: dx = x > 0 ? dy : dy * alpha, and dalpha = the sum of dy * x where x <= 0.
 * Inputs x, dy, alpha; outputs [dx, dalpha].
 */
export const PRELU_GRAD_KERNEL = 'NreluBenchPreluGrad';

/** GELU, exact form (activations/gelu-kernels.ts). Inputs {x}; output GELU(x). */
export const GELU_KERNEL = 'NreluBenchGelu';
/** Inputs {x}; outputs [GELU(x), GELU'(x)]. */
export const GELU_TRAINING_KERNEL = 'NreluBenchGeluTraining';

/**
 * One Adam step of a variable: inputs x, m, v, g; outputs [x, m, v]; attrs the float32 constants (train/fused-adam.ts).
 */
export const FUSED_ADAM_KERNEL = 'NreluBenchAdam';

/** A per-unit statistic of a layer output over every axis but the last (the units/channels). */
export const UNIT_STATS = ['max', 'sumAbs', 'maxAbs'] as const;
export type UnitStat = (typeof UNIT_STATS)[number];

/**
 * The unit probe's per-unit statistics of one layer output x [..., units] in one pass (metrics/probe.ts): attr
 * `stats` lists which, and there is one [units] output per entry, each equal bit for bit to max(x), sum(abs(x)) or
 * max(abs(x)) over the leading axes on the same backend. Wasm only (backend/wasm-kernels/unit-stats.ts).
 */
export const UNIT_STATS_KERNEL = 'NreluBenchUnitStats';
