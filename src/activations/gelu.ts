/**
 * GELU, x * Phi(x), exact (erf) by default as in PyTorch; `approximate: 'tanh'` gives
 * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). TF.js 4.22 has no GELU kernel or layer (only
 * the composed 'gelu'/'gelu_new' activation functions), so both forms are composed from erf/tanh,
 * which the cpu and wasm backends implement with gradients.
 */
import { tf } from '../tf.js';
import { type CallKwargs, ElementwiseLayer, type LayerArgs, isTraining, singleTensor } from './common.js';
import { defineActivation } from './descriptor.js';
import { checkParam } from './spec.js';
import { fusedOn } from './fused-gradients.js';
import { GELU_KERNEL, fusedGelu } from './gelu-kernels.js';

export const GELU_APPROXIMATIONS = ['none', 'tanh'] as const;
export type GeluApproximation = (typeof GELU_APPROXIMATIONS)[number];

const PARAMS = {
  approximate: { type: 'choice', choices: GELU_APPROXIMATIONS, default: 'none', doc: 'none (erf, exact) or tanh' },
} as const;

export interface GELUArgs extends LayerArgs {
  approximate?: GeluApproximation;
}

export class GELU extends ElementwiseLayer {
  static className = 'GELU';
  readonly approximate: GeluApproximation;

  constructor(args: GELUArgs = {}) {
    super(args);
    this.approximate = checkParam('gelu', 'approximate', PARAMS.approximate, args.approximate) as GeluApproximation;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    const x = singleTensor(inputs, GELU.className);
    return this.approximate === 'tanh' ? geluTanh(x) : geluExact(x, isTraining(kwargs));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), approximate: this.approximate };
  }
}
tf.serialization.registerClass(GELU);

export const gelu = defineActivation({
  name: 'gelu',
  summary: 'x * Phi(x), exact (erf) as in PyTorch, or its tanh approximation',
  params: PARAMS,
  stochastic: false,
  create: (params, { name }) => new GELU({ name, approximate: params.approximate as GeluApproximation }),
});

/**
 * 0.5 x (1 + erf(x / sqrt 2)): the fused kernel where there is one (in training it also keeps the
 * derivative for the backward pass), else TF.js's ops.
 */
export function geluExact(x: tf.Tensor, training = false): tf.Tensor {
  if (fusedOn(GELU_KERNEL, x)) return fusedGelu(x, training);
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}
