/** ReLU, max(x, 0): TF.js's own layer, which matches PyTorch's. */
import { tf } from '../tf.js';
import { defineActivation } from './descriptor.js';

export const relu = defineActivation({
  name: 'relu',
  summary: 'max(x, 0)',
  params: {},
  stochastic: false,
  create: (_params, { name }) => tf.layers.reLU({ name }),
});
