/**
 * Randomized leaky ReLU (Xu et al. 2015), with PyTorch's semantics and defaults; TF.js has no RReLU. Its layer is
 * its own class (not the kit's): a seeded slope stream with a step counter (StochasticLayer) and a fused kernel.
 *   formula:  training: x if x > 0, else a * x with a ~ U(lower, upper) per element per forward pass;
 *             inference: x if x > 0, else ((lower + upper) / 2) * x
 *   gradient: the slope of the forward pass: 1 if x > 0, else a (training; drawn where x <= 0, so the gradient at
 *             exactly 0 is a, as in PyTorch) or (lower + upper) / 2 (inference)
 *   defaults: lower 1/8, upper 1/3
 *   PyTorch:  torch.nn.RReLU(lower=1/8, upper=1/3) / F.rrelu
 */
import { tf } from '../tf.js';
import { ConfigError } from '../errors.js';
import { NoisyLayer } from './noisy-layer.js';
import { RANDOM_SLOPE_RELU_KERNEL, hasNoiseKernel } from './noise-kernels.js';
import { type CallKwargs, type LayerArgs, isTraining, singleTensor } from './elementwise-layer.js';
import { type ActivationParams, defineActivation } from './descriptor.js';
import { checkParam } from './param-validation.js';

const PARAMS = {
  lower: { type: 'number', default: 1 / 8, doc: 'lower bound of the random slope' },
  upper: { type: 'number', default: 1 / 3, doc: 'upper bound of the random slope' },
} as const;

function checkBounds(params: ActivationParams): string | undefined {
  return (params.lower as number) > (params.upper as number)
    ? `parameter "lower" (${params.lower}) must be <= "upper" (${params.upper})`
    : undefined;
}

export interface RReLUArgs extends LayerArgs {
  lower?: number;
  upper?: number;
  /** Seed of this layer's slope stream (default 0). */
  seed?: number;
}

export class RReLU extends NoisyLayer {
  static className = 'RReLU';
  readonly lower: number;
  readonly upper: number;

  constructor(args: RReLUArgs = {}) {
    super(args);
    this.lower = checkParam('rrelu', 'lower', PARAMS.lower, args.lower) as number;
    this.upper = checkParam('rrelu', 'upper', PARAMS.upper, args.upper) as number;
    const problem = checkBounds({ lower: this.lower, upper: this.upper });
    if (problem !== undefined) throw new ConfigError(`activation "rrelu": ${problem}`);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    const x = singleTensor(inputs, RReLU.className);
    if (!isTraining(kwargs)) return rreluForward(x, this.lower, this.upper, null);
    if (hasNoiseKernel(RANDOM_SLOPE_RELU_KERNEL, x.dtype)) {
      return fusedRandomSlopeRelu(x, { lower: this.lower, upper: this.upper, ...this.noise.nextKey() });
    }
    return rreluForward(x, this.lower, this.upper, this.noise.uniform(x.size, this.lower, this.upper));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), lower: this.lower, upper: this.upper, seed: this.noise.seed };
  }
}
tf.serialization.registerClass(RReLU);

export const rrelu = defineActivation({
  name: 'rrelu',
  summary: 'x if x >= 0 else a * x, a ~ U(lower, upper) per element in training, (lower + upper) / 2 in inference',
  title: 'RReLU',
  params: PARAMS,
  stochastic: true,
  check: checkBounds,
  create: (params, { name, seed }) =>
    new RReLU({ name, seed, lower: params.lower as number, upper: params.upper as number }),
});

/** The fused kernel (cpu, wasm): the same values as `randomSlopeRelu` in one pass over x. */
function fusedRandomSlopeRelu(
  x: tf.Tensor,
  attrs: { lower: number; upper: number; k0: number; k1: number },
): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const [value, slope] = tf.engine().runKernel(RANDOM_SLOPE_RELU_KERNEL, { x: input }, attrs) as tf.Tensor[];
    save([slope]);
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
  });
  return op(x);
}

/** RReLU's pure function: inference (`slopes` null) has the slope (lower + upper) / 2; training the drawn `slopes`. */
export function rreluForward(x: tf.Tensor, lower: number, upper: number, slopes: Float32Array | null): tf.Tensor {
  return slopes === null ? tf.leakyRelu(x, (lower + upper) / 2) : randomSlopeRelu(x, slopes);
}

/**
 * The generic path, for any backend: x * (x <= 0 ? a : 1) with gradient dy * (x <= 0 ? a : 1),
 * as PyTorch's rrelu in training.
 */
export function randomSlopeRelu(x: tf.Tensor, slopes: Float32Array): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    // The slope tensor is rebuilt (not a view of `slopes`) and the wrapper is disposed by
    // customGrad's tidy, so the caller may reuse the array afterwards.
    const a = tf.tensor(slopes, input.shape, 'float32');
    const slope = tf.where(tf.lessEqual(input, 0), a, tf.onesLike(input));
    save([slope]);
    return {
      value: tf.mul(input, slope),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]),
    };
  });
  return op(x);
}
