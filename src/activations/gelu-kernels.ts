/**
 * GELU (exact form) as one kernel on the cpu and wasm backends. TF.js composes it from about five
 * ops forward (mul, erf, add, mul) and fifteen backward (erf's gradient alone is square, neg, exp,
 * mul, mul); on wasm its Exp and Erf are scalar libm loops. The CNN's first activation is
 * 128 x 26 x 26 x 32 floats per step, so the composed GELU cost about 1.6x ReLU's step.
 *
 * In training the kernel also writes GELU'(x) = Phi(x) + x phi(x), computed from the same Phi and
 * exp(-x^2/2) in the same pass, and the gradient is one multiply, dy * GELU'(x). In inference it
 * writes GELU(x) only.
 *
 * Phi(x) comes from Abramowitz and Stegun 7.1.26 (|error| <= 1.5e-7, the erf TF.js's cpu backend
 * uses), taken as erfc(|x|/sqrt 2)/2, so Phi has no cancellation for negative x. The values differ
 * from TF.js's wasm Erf (libm's erff) in the last bits, so GELU's numbers differ from those of the
 * composed GELU; `useFusedActivationGradients(false)` brings the composition back. The JavaScript
 * loop below does the SIMD module's float32 operations one by one (simd.wat, "gelu"), so cpu,
 * wasm and wasm without SIMD agree bit for bit.
 */
import { tf } from '../tf.js';
import { registerHostKernel, type HostMemory } from '../backend/wasm-kernels/host-memory.js';
import { addressOf, simdKernels } from '../backend/wasm-kernels/simd.js';
import { GELU_KERNEL, GELU_TRAINING_KERNEL } from '../backend/fused-kernel-contract.js';

import {
  A1,
  A2,
  A3,
  A4,
  A5,
  EXP_TAYLOR,
  INV_SQRT_2PI,
  LN2HI,
  LN2LO,
  LOG2E,
  P,
  SQRT1_2,
} from '../backend/gelu-constants.js';

export { GELU_KERNEL, GELU_TRAINING_KERNEL };

const f = Math.fround;
/** 1.5 * 2^23: adding it rounds a float32 below 2^22 in magnitude to an integer, half to even. */
const ROUNDER = 12582912;

/**
 * Writes GELU(x) into y and, unless g is null, GELU'(x) into g, from element `from` on. Each
 * f(...) is one float32 operation of simd.wat's loop, in its order.
 */
export function geluInto(x: Float32Array, y: Float32Array, g: Float32Array | null, from = 0): void {
  for (let i = from; i < x.length; i++) {
    const xi = x[i];
    const a = f(Math.abs(xi) * SQRT1_2);
    const t = f(1 / f(1 + f(a * P)));
    const aa = f(a * a);
    const w = -(80 < aa ? 80 : aa); // f32x4.pmin: NaN stays NaN
    const k = f(f(f(w * LOG2E) + ROUNDER) - ROUNDER);
    const r = f(f(w - f(k * LN2HI)) - f(k * LN2LO));
    let p = EXP_TAYLOR[0];
    for (let j = 1; j < EXP_TAYLOR.length; j++) p = f(f(p * r) + EXP_TAYLOR[j]);
    const e = f(p * 2 ** k); // NaN stays NaN
    let q = f(f(t * A5) + A4);
    q = f(f(q * t) + A3);
    q = f(f(q * t) + A2);
    q = f(f(q * t) + A1);
    q = f(f(q * t) * e); // erfc(|x|/sqrt 2) / 2
    const phi = xi > 0 ? f(1 - q) : q;
    y[i] = f(xi * phi);
    if (g != null) g[i] = f(phi + f(xi * f(e * INV_SQRT_2PI)));
  }
}

function geluKernel(withGrad: boolean) {
  return (memory: (backend: unknown) => HostMemory): tf.KernelFunc =>
    ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const mem = memory(backend);
      const y = mem.alloc(x.shape);
      const g = withGrad ? mem.alloc(x.shape) : null;
      const n = tf.util.sizeFromShape(x.shape);
      const simd = simdKernels(backend);
      const head = simd ? n - (n % 4) : 0;
      if (simd && head > 0)
        simd.gelu(addressOf(backend, x), addressOf(backend, y), g ? addressOf(backend, g) : 0, head, g ? 1 : 0);
      geluInto(mem.view(x), mem.view(y), g ? mem.view(g) : null, head);
      return g ? [y, g] : y;
    };
}

registerHostKernel(GELU_KERNEL, geluKernel(false));
registerHostKernel(GELU_TRAINING_KERNEL, geluKernel(true));

/**
 * GELU(x) by the fused kernels (the caller checks `fusedOn(GELU_KERNEL, x)`). Under a gradient tape
 * in training the training kernel's GELU'(x) is kept for the backward pass, dy * GELU'(x); in
 * inference only GELU(x) is computed, and a gradient (rare: tf.grad of an inference pass) computes
 * GELU'(x) then.
 */
export function fusedGelu(x: tf.Tensor, training: boolean): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    if (training) {
      const [value, slope] = tf.engine().runKernel(GELU_TRAINING_KERNEL, { x: input }) as tf.Tensor[];
      save([slope]);
      return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
    }
    save([input]);
    return {
      value: tf.engine().runKernel(GELU_KERNEL, { x: input }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [value, slope] = tf.engine().runKernel(GELU_TRAINING_KERNEL, { x: saved[0] }) as tf.Tensor[];
        value.dispose();
        return tf.mul(dy, slope);
      },
    };
  });
  return op(x);
}
