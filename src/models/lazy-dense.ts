/**
 * A Dense layer whose backward pass computes only the gradients the tape asks for.
 *
 * tfjs-layers' Dense runs `tf.fused.matMul` with the bias, whose gradient (a customGrad) computes
 * the input gradient, the kernel gradient and the bias gradient every time. For a model's first
 * layer the input gradient is a product as big as the forward one (128 x 256 x 784 for the MLP)
 * that nobody uses: a fifth of the MLP's step on wasm. This layer runs the same forward kernel
 * (the backend's _FusedMatMul on the same 3-D views, so the same values) through a kernel of our
 * own whose registered gradient gives one function per input; TF.js's tape calls only those that
 * lead to a variable. Each function is the same op sequence as tf.fused.matMul's gradient, so the
 * gradients are bit for bit TF.js's. The layer reports itself as a Dense ('Dense' class name,
 * Dense's config and weights) and saves and loads as one.
 *
 * Rank-2 inputs with a bias and a linear activation (every Dense of the benchmark's models) on the
 * cpu, wasm and webgpu backends take this path; anything else runs Dense's own call. On webgpu the
 * Reshapes are views (no dispatch), so the forward is the one _FusedMatMul program, and an MLP's
 * step runs one matrix product fewer (the batch x 784 input gradient).
 */
import { tf } from '../tf.js';
import { registerOnce } from '../backend/register.js';
import { withKernelCalls } from '../backend/wasm-kernels/kernel-calls.js';

export const DENSE_KERNEL = 'NreluBenchDense';

type DenseArgs = Parameters<typeof tf.layers.dense>[0];
type DenseLayer = ReturnType<typeof tf.layers.dense>;
type DenseInternals = {
  kernel: tf.LayerVariable | null;
  bias: tf.LayerVariable | null;
  activation: { getClassName(): string } | null;
};

/** Dense's class (tfjs-layers exports only the factory). */
const DenseBase = Object.getPrototypeOf(tf.layers.dense({ units: 1 })).constructor as new (
  args: DenseArgs,
) => DenseLayer;

function denseKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const { a, b, bias } = inputs as Record<'a' | 'b' | 'bias', tf.TensorInfo>;
    const [m, k] = a.shape,
      n = b.shape[1];
    return withKernelCalls(backend, backendName, (calls) => {
      const a3 = calls.run('Reshape', { x: a }, { shape: [1, m, k] });
      const b3 = calls.run('Reshape', { x: b }, { shape: [1, k, n] });
      const y = calls.run(
        tf._FusedMatMul,
        { a: a3, b: b3, bias },
        { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0.2 },
      );
      return calls.run('Reshape', { x: y }, { shape: [m, n] });
    });
  };
}

/** The backends whose _FusedMatMul and gradient ops this layer is tested against (test/models/lazy-dense*.test.ts). */
const LAZY_BACKENDS = new Set(['cpu', 'wasm', 'webgpu']);

/** Registers the forward kernel on `backendName` if it can run there; returns whether it is registered. */
function ensureKernel(backendName: string): boolean {
  // Tested on cpu, wasm and webgpu; other backends keep Dense's own call.
  if (!LAZY_BACKENDS.has(backendName)) return false;
  if (tf.getKernel(DENSE_KERNEL, backendName) != null) return true;
  if (tf.getKernel(tf._FusedMatMul, backendName) == null || tf.getKernel('Reshape', backendName) == null) return false;
  registerOnce(DENSE_KERNEL, backendName, denseKernel(backendName));
  return true;
}

// tf.fused.matMul's gradient (linear activation, no transposes), one lazy function per input.
tf.registerGradient({
  kernelName: DENSE_KERNEL,
  inputsToSave: ['a', 'b', 'bias'],
  gradFunc: (dy, saved) => {
    const [a, b, bias] = saved;
    const [m, k, n] = [a.shape[0], a.shape[1], b.shape[1]] as [number, number, number];
    const dy3 = (): tf.Tensor => tf.reshape(dy as tf.Tensor, [1, m, n]);
    return {
      a: () => tf.reshape(tf.matMul(dy3(), tf.reshape(b, [1, k, n]), false, true), a.shape),
      b: () => tf.reshape(tf.matMul(tf.reshape(a, [1, m, k]), dy3(), true, false), b.shape),
      bias: () => tf.reshape(tf.sum(dy3(), [0, 1]), bias.shape),
    };
  },
});

let enabled = true;

/** Switches the lazy-gradient path off (plain Dense behaviour) or on; returns the previous setting. */
export function useLazyDense(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

class LazyGradDense extends DenseBase {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
    const self = this as unknown as DenseInternals;
    if (
      !enabled ||
      x == null ||
      x.rank !== 2 ||
      x.dtype !== 'float32' ||
      self.kernel == null ||
      self.bias == null ||
      self.activation?.getClassName() !== 'linear' ||
      !ensureKernel(tf.getBackend())
    ) {
      return super.call(inputs, kwargs);
    }
    const kernel = self.kernel,
      bias = self.bias;
    return tf.tidy(
      () => tf.engine().runKernel(DENSE_KERNEL, { a: x, b: kernel.read(), bias: bias.read() }, {}) as tf.Tensor,
    );
  }
}

/** A Dense layer (same arguments as tf.layers.dense) that skips unneeded gradients. */
export function lazyDense(args: DenseArgs): tf.layers.Layer {
  return new LazyGradDense(args);
}
