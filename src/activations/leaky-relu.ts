/**
 * LeakyReLU.
 *   formula:  x if x > 0 else alpha * x
 *   gradient: 1 if x > 0 else alpha (alpha at x = 0); one fused pass on cpu and wasm (fused-gradients.ts)
 *   defaults: alpha 0.01, PyTorch's negative_slope (TF.js's default is 0.3)
 *   PyTorch:  torch.nn.LeakyReLU(negative_slope=0.01) / F.leaky_relu
 */
import { tf } from '../tf.js';
import { elementwiseActivation } from './kit.js';

/** x if x > 0 else alpha * x, TF.js's LeakyRelu kernel (whose gradient fused-gradients.ts replaces on cpu and wasm). */
export function leakyReluForward(x: tf.Tensor, alpha: number): tf.Tensor {
  return tf.leakyRelu(x, alpha);
}

export const leakyRelu = elementwiseActivation<{ alpha: number }>({
  name: 'leaky_relu',
  summary: 'x if x >= 0 else alpha * x',
  title: 'LeakyReLU',
  // Not 'LeakyReLU': that name is TF.js's own layer (old model.json files still load as it).
  className: 'TorchLeakyReLU',
  params: { alpha: { type: 'number', default: 0.01, doc: 'negative slope (PyTorch default 0.01)' } },
  forward: (x, { alpha }) => leakyReluForward(x, alpha),
});
