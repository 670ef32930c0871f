/**
 * One-pass gradients for ReLU, LeakyReLU and PReLU on the cpu and wasm backends. TF.js composes
 * them from whole-tensor ops (ReLU: step, cast, mul; LeakyReLU: greater, mul, where; PReLU the
 * same plus where, mul, sum for alpha), each a pass over the activation and, on wasm, a trip
 * through the engine. The CNN's first activation is 128 x 26 x 26 x 32 floats per step.
 *
 * The fused kernels do the same float32 operations (dy * step(x); x > 0 ? dy : dy * alpha), so dx
 * is bit-identical to TF.js's. PReLU's alpha gradient (shared alpha) is summed in the kernel's own
 * order (four SIMD lanes, then the lanes), not TF.js's Sum's, so its last bits can differ.
 *
 * TF.js registers gradients per kernel name, for all backends; these configs replace TF.js's for
 * Relu, LeakyRelu and Prelu and keep TF.js's composition for other backends, dtypes, per-channel
 * PReLU, or after `useFusedActivationGradients(false)`.
 */
import { tf } from '../tf.js';
import { registerHostKernel, type HostMemory } from '../backend/wasm-kernels/host-memory.js';
import { addressOf, simdKernels, type SimdExports } from '../backend/wasm-kernels/simd.js';

import { LEAKY_RELU_GRAD_KERNEL, PRELU_GRAD_KERNEL, RELU_GRAD_KERNEL } from '../backend/fused-kernel-contract.js';

export { LEAKY_RELU_GRAD_KERNEL, PRELU_GRAD_KERNEL, RELU_GRAD_KERNEL };

const f = Math.fround;
let enabled = true;

/** Switches the fused gradients (and GELU's fused forward, gelu-kernels.ts) on or off; returns the previous setting. */
export function useFusedActivationGradients(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/** True when `kernel` runs for these tensors: fused kernels on, float32, and registered for the active backend. */
export function fusedOn(kernel: string, ...tensors: tf.Tensor[]): boolean {
  return enabled && tensors.every((t) => t.dtype === 'float32') && tf.getKernel(kernel, tf.getBackend()) != null;
}

/** The JavaScript loops (cpu; wasm without SIMD; wasm's last n % 4 elements). */
function reluGradFrom(x: Float32Array, dy: Float32Array, dx: Float32Array, from: number): void {
  for (let i = from; i < x.length; i++) {
    const xi = x[i];
    dx[i] = dy[i] * (xi !== xi ? xi : xi > 0 ? 1 : 0);
  }
}

function leakyGradFrom(x: Float32Array, dy: Float32Array, dx: Float32Array, alpha: number, from: number): void {
  for (let i = from; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : dy[i] * alpha;
}

function preluGradFrom(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  alpha: number,
  from: number,
  sum: number,
): number {
  let s = sum;
  for (let i = from; i < x.length; i++) {
    if (x[i] > 0) {
      dx[i] = dy[i];
    } else {
      dx[i] = dy[i] * alpha;
      s = f(s + f(dy[i] * x[i]));
    }
  }
  return s;
}

type Inputs = Record<string, tf.TensorInfo>;

/** What each gradient kernel starts from: dx shaped like x, and the part of the work the SIMD kernel does. */
interface GradientPass {
  mem: HostMemory;
  dx: tf.TensorInfo;
  /** Elements the SIMD kernel covers: n - n % 4 (0 without SIMD); the JavaScript loop does the rest. */
  head: number;
  /** The SIMD kernels and x, dy and dx's addresses in the wasm heap; null when there is no SIMD work. */
  simd: { kernels: SimdExports; x: number; dy: number; dx: number } | null;
}

function gradientPass(
  memory: (backend: unknown) => HostMemory,
  backend: unknown,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
): GradientPass {
  const mem = memory(backend);
  const dx = mem.alloc(x.shape);
  const n = tf.util.sizeFromShape(x.shape);
  const kernels = simdKernels(backend);
  const head = kernels ? n - (n % 4) : 0;
  const at = (t: tf.TensorInfo): number => addressOf(backend, t);
  return { mem, dx, head, simd: kernels && head > 0 ? { kernels, x: at(x), dy: at(dy), dx: at(dx) } : null };
}

function reluGradKernel(memory: (backend: unknown) => HostMemory): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const { x, dy } = inputs as Inputs;
    const { mem, dx, head, simd } = gradientPass(memory, backend, x, dy);
    if (simd) simd.kernels.reluGrad(simd.x, simd.dy, simd.dx, head);
    reluGradFrom(mem.view(x), mem.view(dy), mem.view(dx), head);
    return dx;
  };
}

function leakyGradKernel(memory: (backend: unknown) => HostMemory): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as Inputs;
    const alpha = f(attrs?.alpha as number);
    const { mem, dx, head, simd } = gradientPass(memory, backend, x, dy);
    if (simd) simd.kernels.leakyReluGrad(simd.x, simd.dy, simd.dx, head, alpha);
    leakyGradFrom(mem.view(x), mem.view(dy), mem.view(dx), alpha, head);
    return dx;
  };
}

function preluGradKernel(memory: (backend: unknown) => HostMemory): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const { x, dy, alpha } = inputs as Inputs;
    const { mem, dx, head, simd } = gradientPass(memory, backend, x, dy);
    const dAlpha = mem.alloc(alpha.shape);
    const a = mem.view(alpha)[0];
    const sum = simd ? simd.kernels.preluGrad(simd.x, simd.dy, simd.dx, head, a) : 0;
    mem.view(dAlpha)[0] = preluGradFrom(mem.view(x), mem.view(dy), mem.view(dx), a, head, sum);
    return [dx, dAlpha];
  };
}

registerHostKernel(RELU_GRAD_KERNEL, reluGradKernel);
registerHostKernel(LEAKY_RELU_GRAD_KERNEL, leakyGradKernel);
registerHostKernel(PRELU_GRAD_KERNEL, preluGradKernel);

const run = (kernel: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) =>
  tf.engine().runKernel(kernel, inputs, attrs);

/** dy * step(x) (ReLU's gradient, and N-ReLU's): one kernel on cpu and wasm, TF.js's ops elsewhere; same values. */
export function reluGradient(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return fusedOn(RELU_GRAD_KERNEL, x, dy)
    ? (run(RELU_GRAD_KERNEL, { x, dy }) as tf.Tensor)
    : tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

tf.registerGradient({
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => reluGradient(dy as tf.Tensor, x) };
  },
});

tf.registerGradient({
  kernelName: tf.LeakyRelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const g = dy as tf.Tensor;
    const { alpha } = attrs as unknown as tf.LeakyReluAttrs;
    return {
      x: () =>
        fusedOn(LEAKY_RELU_GRAD_KERNEL, x, g)
          ? (run(LEAKY_RELU_GRAD_KERNEL, { x, dy: g }, { alpha }) as tf.Tensor)
          : tf.where(tf.greater(x, 0), g, tf.mul(g, alpha)),
    };
  },
});

tf.registerGradient({
  kernelName: tf.Prelu,
  inputsToSave: ['x', 'alpha'],
  gradFunc: (dy, saved) => {
    const [x, alpha] = saved;
    const g = dy as tf.Tensor;
    if (alpha.size === 1 && fusedOn(PRELU_GRAD_KERNEL, x, g, alpha)) {
      // One pass gives both, run here: the tape calls each input's function in its own tidy, which
      // would dispose the other output. The backward pass's own tidy frees whichever is unused.
      const [dx, dAlpha] = run(PRELU_GRAD_KERNEL, { x, dy: g, alpha }) as tf.Tensor[];
      return { x: () => dx, alpha: () => dAlpha };
    }
    const mask = tf.greater(x, 0);
    return {
      x: () => tf.where(mask, g, tf.mul(g, alpha)),
      alpha: () => {
        let res = tf.where(mask, tf.zerosLike(g), tf.mul(g, x));
        const axes = tf.backend_util.getReductionAxes(alpha.shape, g.shape);
        if (axes.length > 0) res = tf.sum(res, axes);
        return tf.reshape(res, alpha.shape);
      },
    };
  },
});
