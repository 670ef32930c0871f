/**
 * SiLU (Swish with beta 1; Hendrycks & Gimpel 2016, Elfwing et al. 2017); not in the paper's grids.
 *   formula:  x * sigmoid(x)
 *   gradient: sigmoid(x) * (1 + x * (1 - sigmoid(x))), from TF.js's autodiff of the product
 *   defaults: no parameters
 *   PyTorch:  torch.nn.SiLU / F.silu
 */
import { tf } from '../tf.js';
import { elementwiseActivation } from './kit.js';

/** x * sigmoid(x). */
export function siluForward(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

export const silu = elementwiseActivation({
  name: 'silu',
  summary: "x * sigmoid(x) (PyTorch's SiLU, Swish with beta 1)",
  title: 'SiLU',
  className: 'SiLU',
  params: {},
  forward: (x) => siluForward(x),
});
