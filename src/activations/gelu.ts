/**
 * GELU. TF.js 4.22 has no GELU kernel or layer (only the composed 'gelu'/'gelu_new' activation functions), so
 * both forms are composed from erf/tanh, which the cpu and wasm backends implement with gradients; on cpu and
 * wasm the exact form is one fused kernel (gelu-kernels.ts).
 *   formula:  x * Phi(x), exact (erf); `approximate: 'tanh'`: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
 *   gradient: Phi(x) + x phi(x) (the fused kernel keeps it from the forward pass in training); the tanh form's
 *             from TF.js's autodiff
 *   defaults: approximate 'none'
 *   PyTorch:  torch.nn.GELU(approximate='none') / F.gelu
 */
import { tf } from '../tf.js';
import { elementwiseActivation } from './kit.js';
import { fusedOn } from './fused-gradients.js';
import { GELU_KERNEL, fusedGelu } from './gelu-kernels.js';

export const GELU_APPROXIMATIONS = ['none', 'tanh'] as const;
export type GeluApproximation = (typeof GELU_APPROXIMATIONS)[number];

/** GELU of x in the given form; `training` lets the fused kernel keep the derivative for the backward pass. */
export function geluForward(x: tf.Tensor, approximate: GeluApproximation, training = false): tf.Tensor {
  return approximate === 'tanh' ? geluTanh(x) : geluExact(x, training);
}

export const gelu = elementwiseActivation<{ approximate: GeluApproximation }>({
  name: 'gelu',
  summary: 'x * Phi(x), exact (erf) as in PyTorch, or its tanh approximation',
  title: 'GELU',
  className: 'GELU',
  params: {
    approximate: { type: 'choice', choices: GELU_APPROXIMATIONS, default: 'none', doc: 'none (erf, exact) or tanh' },
  },
  forward: (x, { approximate }, { training }) => geluForward(x, approximate, training),
});

export const GELU = gelu.layer;
export type GELU = InstanceType<typeof GELU>;

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
