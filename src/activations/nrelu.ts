/**
 * N-ReLU (Manik, Islam & Wang 2025): a zero-mean stochastic extension of ReLU. Its layer is its own class (not
 * the kit's): a seeded noise stream with a step counter (StochasticLayer), a schedulable sigma, fused cpu/wasm
 * kernels and normals drawn ahead on a worker.
 *   formula:  training: x if x > 0, else sigma * eps with eps ~ N(0, 1) drawn per element per forward pass;
 *             inference: max(x, 0), the expected value of the training output
 *   gradient: 1[x > 0] in both modes; the noise does not depend on x, so none flows into it
 *   defaults: sigma required (>= 0; 0 is exactly ReLU)
 *   PyTorch:  none in torch.nn; in inference F.relu, in training torch.where(x > 0, x, sigma * torch.randn_like(x))
 */
import { tf } from '../tf.js';
import { NoisyLayer } from './noisy-layer.js';
import { NOISY_RELU_KERNEL, fusedNoisyRelu, hasNoiseKernel } from './noise-kernels.js';
import { reluGradient } from './fused-gradients.js';
import { type CallKwargs, type LayerArgs, isTraining, singleTensor } from './elementwise-layer.js';
import { defineActivation } from './descriptor.js';
import { checkParam } from './param-validation.js';

/** Above this, noise swamps any pre-activation of [0, 1] inputs (the paper uses 0.05-0.2); 1e300 was accepted once. */
export const SIGMA_MAX = 100;

const PARAMS = {
  sigma: {
    type: 'number',
    min: 0,
    max: SIGMA_MAX,
    sweep: true,
    schedule: true,
    tag: 's',
    example: 0.1,
    doc: 'noise standard deviation on the non-positive branch: a number, a list (sweep) or {start, end, schedule}',
  },
} as const;

export interface NReLUArgs extends LayerArgs {
  /** Standard deviation of the noise on the non-positive branch (>= 0; 0 is exactly ReLU). */
  sigma: number;
  /** Seed of this layer's noise stream (default 0). */
  seed?: number;
}

export class NReLU extends NoisyLayer {
  static className = 'NReLU';
  private sigmaValue: number;

  constructor(args: NReLUArgs) {
    super(args);
    this.sigmaValue = checkParam('nrelu', 'sigma', PARAMS.sigma, args?.sigma) as number;
  }

  /** Current noise level. */
  get sigma(): number {
    return this.sigmaValue;
  }

  /** Changes the noise level, e.g. every step of a sigma schedule. */
  setSigma(sigma: number): void {
    this.sigmaValue = checkParam('nrelu', 'sigma', PARAMS.sigma, sigma) as number;
  }

  setScheduled(param: string, value: number): void {
    if (param !== 'sigma') throw new Error(`NReLU has no schedulable parameter "${param}"`);
    this.setSigma(value);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    const x = singleTensor(inputs, NReLU.className);
    if (!isTraining(kwargs)) return nreluForward(x, this.sigmaValue, null);
    // sigma 0: skip the draw (exactly ReLU, and no -0 from 0 * negative eps), keep the step count.
    if (this.sigmaValue === 0) {
      this.noise.skip();
      return tf.relu(x);
    }
    if (hasNoiseKernel(NOISY_RELU_KERNEL, x.dtype)) {
      // Fused: one pass over x on the cpu or wasm backend, same values as the generic path;
      // the next pass's normals are then drawn ahead on a worker thread (Node.js).
      const y = fusedNoisyRelu(x, this.sigmaValue, this.noise.nextNormal(x.size));
      this.noise.prefetchNormal(x.size);
      return y;
    }
    return nreluForward(x, this.sigmaValue, this.noise.normal(x.size));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), sigma: this.sigmaValue, seed: this.noise.seed };
  }
}
tf.serialization.registerClass(NReLU);

export const nrelu = defineActivation({
  name: 'nrelu',
  summary: "x if x > 0 else sigma * N(0, 1) noise in training; max(x, 0) in inference (the paper's N-ReLU)",
  title: 'N-ReLU',
  params: PARAMS,
  stochastic: true,
  create: (params, { name, seed }) => new NReLU({ name, seed, sigma: params.sigma as number }),
});

/** N-ReLU's pure function: inference (`eps` null) is max(x, 0); training takes the N(0, 1) draws `eps`. */
export function nreluForward(x: tf.Tensor, sigma: number, eps: Float32Array | null): tf.Tensor {
  return eps === null ? tf.relu(x) : noisyRelu(x, eps, sigma);
}

/**
 * The generic path, for any backend: where(x > 0, x, sigma * eps) with gradient dy * 1[x > 0].
 * `eps` must hold x.size values.
 */
export function noisyRelu(x: tf.Tensor, eps: Float32Array, sigma: number): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    // Everything made here is disposed by customGrad's own tidy, including the tensor wrapping
    // `eps`, so the caller may reuse that array afterwards. The float32 scalar makes the
    // product the same float32 multiply the fused kernel does.
    const noise = tf.mul(tf.tensor(eps, input.shape, 'float32'), tf.scalar(sigma, 'float32'));
    save([input]);
    return {
      value: tf.where(tf.greater(input, 0), input, noise),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => reluGradient(dy, saved[0]),
    };
  });
  return op(x);
}
