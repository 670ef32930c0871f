/**
 * LeakyReLU, x if x >= 0 else alpha * x, with PyTorch's default slope 0.01 (TF.js's is 0.3). TF.js's
 * layer is correct; only its default differs, and alpha is always passed here.
 */
import { tf } from '../tf.js';
import { defineActivation } from './descriptor.js';

/** PyTorch's LeakyReLU negative_slope (TF.js defaults to 0.3). */
export const LEAKY_RELU_DEFAULT_ALPHA = 0.01;

export const leakyRelu = defineActivation({
  name: 'leaky_relu',
  summary: 'x if x >= 0 else alpha * x',
  params: { alpha: { type: 'number', default: LEAKY_RELU_DEFAULT_ALPHA, doc: 'negative slope (PyTorch default 0.01)' } },
  stochastic: false,
  create: (params, { name }) => tf.layers.leakyReLU({ name, alpha: params.alpha as number }),
});
