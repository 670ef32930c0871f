/**
 * SiLU (Swish with beta 1; Hendrycks & Gimpel 2016, Elfwing et al. 2017), PyTorch's torch.nn.SiLU:
 * x * sigmoid(x). Deterministic, no parameters; the gradient sigmoid(x) * (1 + x * (1 - sigmoid(x)))
 * comes from TF.js's autodiff of the product.
 */
import { tf } from '../tf.js';
import { type CallKwargs, ElementwiseLayer, singleTensor } from './common.js';
import { defineActivation } from './descriptor.js';

export class SiLU extends ElementwiseLayer {
  static className = 'SiLU';

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallKwargs): tf.Tensor {
    const x = singleTensor(inputs, SiLU.className);
    return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
  }
}
tf.serialization.registerClass(SiLU);

export const silu = defineActivation({
  name: 'silu',
  summary: 'x * sigmoid(x) (PyTorch\'s SiLU, Swish with beta 1)',
  params: {},
  stochastic: false,
  create: (_params, { name }) => new SiLU({ name }),
});
