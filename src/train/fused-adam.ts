/**
 * Adam with one fused kernel per variable on the cpu and wasm backends. TF.js's AdamOptimizer
 * updates a variable with about a dozen whole-tensor kernels (two for m, four for v, bias
 * corrections, sqrt, epsilon, division, learning rate, the new value), each a pass over the
 * variable and, on wasm, a round trip through the engine. The fused kernel reads x, m, v and the
 * gradient once and writes the new x, m and v in one loop.
 *
 * Its numbers are TF.js's, bit for bit: every operation is the same float32 operation in the
 * same order as adam_optimizer.js (`Math.fround` after each step; a double-precision +, -, *, /
 * or sqrt of float32 operands rounded once to float32 is the correctly rounded float32 result,
 * which is what TF.js's cpu and wasm kernels compute). The constants are the float32 scalars
 * TF.js makes from the same JavaScript numbers (1 - beta1 is computed in double first, as
 * `mul(gradient, 1 - this.beta1)` does). The bias-correction accumulators stay TF.js's own
 * scalar variables, so the optimizer's state, weights and a switch between paths are unchanged.
 *
 * On webgpu the kernel is three WGSL passes (backend/webgpu-adam.ts). WebGPU under Node.js has no
 * synchronous read, so there the bias-correction accumulators' values are mirrored on the host (the
 * same float32 products); if the mirror cannot be trusted (the optimizer stepped without it) the
 * update is TF.js's.
 *
 * Other backends, non-float32 variables, or `useFusedAdam(false)` take TF.js's own update.
 */
import { tf } from '../tf.js';
import { registerHostKernel, type HostMemory } from '../backend/wasm-kernels/host-memory.js';
import { addressOf, simdKernels } from '../backend/wasm-kernels/simd.js';
import { FUSED_ADAM_KERNEL } from '../backend/fused-kernel-contract.js';

export { FUSED_ADAM_KERNEL };

/** Float32 constants of one Adam step. */
export interface AdamConstants {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** 1 - beta1^t and 1 - beta2^t as TF.js computes them (float32). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  /** -learningRate. */
  negLearningRate: number;
}

const f = Math.fround;

/** One Adam step over flat arrays: x, m, v and g in; the new x, m and v out (may alias the inputs). */
export function adamInto(
  x: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  outX: Float32Array,
  outM: Float32Array,
  outV: Float32Array,
  c: AdamConstants,
): void {
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negLearningRate } =
    c;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    // add(mul(m, beta1), mul(g, 1 - beta1)); add(mul(v, beta2), mul(square(g), 1 - beta2))
    const newM = f(f(m[i] * beta1) + f(gi * oneMinusBeta1));
    const newV = f(f(v[i] * beta2) + f(f(gi * gi) * oneMinusBeta2));
    // add(mul(div(div(m, 1 - accB1), add(sqrt(div(v, 1 - accB2)), eps)), -lr), x)
    const corrected = f(newM / oneMinusAccBeta1);
    const denominator = f(f(Math.sqrt(f(newV / oneMinusAccBeta2))) + epsilon);
    const step = f(f(corrected / denominator) * negLearningRate);
    const xi = x[i];
    outM[i] = newM;
    outV[i] = newV;
    outX[i] = step + xi;
  }
}

function adamKernel(memory: (backend: unknown) => HostMemory): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, m, v, g } = inputs as Record<'x' | 'm' | 'v' | 'g', tf.TensorInfo>;
    const mem = memory(backend);
    const outX = mem.alloc(x.shape),
      outM = mem.alloc(x.shape),
      outV = mem.alloc(x.shape);
    const c = attrs as unknown as AdamConstants;
    const simd = simdKernels(backend);
    if (simd != null) {
      const at = (info: tf.TensorInfo) => addressOf(backend, info);
      simd.adam(
        at(x),
        at(m),
        at(v),
        at(g),
        at(outX),
        at(outM),
        at(outV),
        tf.util.sizeFromShape(x.shape),
        c.beta1,
        c.oneMinusBeta1,
        c.beta2,
        c.oneMinusBeta2,
        c.oneMinusAccBeta1,
        c.oneMinusAccBeta2,
        c.epsilon,
        c.negLearningRate,
      );
      return [outX, outM, outV];
    }
    adamInto(mem.view(x), mem.view(m), mem.view(v), mem.view(g), mem.view(outX), mem.view(outM), mem.view(outV), c);
    return [outX, outM, outV];
  };
}

registerHostKernel(FUSED_ADAM_KERNEL, adamKernel);

let fusedEnabled = true;

/** Switches the fused update on or off (for benchmarks and tests); returns the previous setting. */
export function useFusedAdam(enabled: boolean): boolean {
  const previous = fusedEnabled;
  fusedEnabled = enabled;
  return previous;
}

/** The private state of TF.js's AdamOptimizer this class shares (tfjs-core 4.22 field names). */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

type NamedGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /** accBeta1 and accBeta2 at `iteration`, for backends that cannot read them synchronously (webgpu). */
  private mirror: { iteration: number; accBeta1: number; accBeta2: number } | null = null;

  /** The accumulators' values, or null when they are unknown without a synchronous read. */
  private accumulators(state: AdamState): [number, number] | null {
    if (tf.getBackend() !== 'webgpu') return [state.accBeta1.dataSync()[0], state.accBeta2.dataSync()[0]];
    // TF.js starts them at scalar(beta1) and scalar(beta2).
    if (this.iterations === 0 && this.mirror === null)
      this.mirror = { iteration: 0, accBeta1: f(this.beta1), accBeta2: f(this.beta2) };
    return this.mirror?.iteration === this.iterations ? [this.mirror.accBeta1, this.mirror.accBeta2] : null;
  }

  override applyGradients(variableGradients: NamedGradients): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const gradientOf = (name: string, i: number): tf.Tensor | undefined =>
      Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
    const engine = tf.engine();
    const fused =
      fusedEnabled &&
      tf.getKernel(FUSED_ADAM_KERNEL, tf.getBackend()) != null &&
      names.every(
        (name, i) =>
          engine.registeredVariables[name]?.dtype === 'float32' &&
          (gradientOf(name, i)?.dtype ?? 'float32') === 'float32',
      );
    const state = this as unknown as AdamState;
    const accumulators = fused ? this.accumulators(state) : null;
    if (accumulators === null) {
      super.applyGradients(variableGradients);
      return;
    }
    const [accBeta1, accBeta2] = accumulators;
    tf.tidy(() => {
      // sub(1, accBeta): float32 subtraction of float32 scalars.
      const constants: AdamConstants = {
        beta1: f(this.beta1),
        oneMinusBeta1: f(1 - this.beta1),
        beta2: f(this.beta2),
        oneMinusBeta2: f(1 - this.beta2),
        oneMinusAccBeta1: f(1 - accBeta1),
        oneMinusAccBeta2: f(1 - accBeta2),
        epsilon: f(this.epsilon),
        negLearningRate: f(-this.learningRate),
      };
      names.forEach((name, i) => {
        const value = engine.registeredVariables[name];
        state.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        state.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = gradientOf(name, i);
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        const [newX, newM, newV] = engine.runKernel(
          FUSED_ADAM_KERNEL,
          { x: value, m, v, g: gradient },
          constants as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newX);
      });
      state.accBeta1.assign(tf.scalar(f(accBeta1 * f(this.beta1))));
      state.accBeta2.assign(tf.scalar(f(accBeta2 * f(this.beta2))));
    });
    if (this.mirror !== null)
      this.mirror = {
        iteration: this.iterations + 1,
        accBeta1: f(accBeta1 * f(this.beta1)),
        accBeta2: f(accBeta2 * f(this.beta2)),
      };
    this.incrementIterations();
  }
}

/** Adam (fused on cpu and wasm); the same arguments as tf.train.adam. */
export function adam(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tf.Optimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
