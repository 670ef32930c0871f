/**
 * ReLU.
 *   formula:  max(x, 0)
 *   gradient: 1[x > 0] (0 at x = 0); one fused pass on cpu and wasm (fused-gradients.ts)
 *   defaults: no parameters
 *   PyTorch:  torch.nn.ReLU / F.relu
 */
import { tf } from '../tf.js';
import { elementwiseActivation } from './kit.js';

/** max(x, 0), TF.js's Relu kernel (whose gradient fused-gradients.ts replaces on cpu and wasm). */
export function reluForward(x: tf.Tensor): tf.Tensor {
  return tf.relu(x);
}

export const relu = elementwiseActivation({
  name: 'relu',
  summary: 'max(x, 0)',
  title: 'ReLU',
  // Not 'ReLU': that name is TF.js's own layer in the serialization registry (old model.json files still load).
  className: 'TorchReLU',
  params: {},
  forward: (x) => reluForward(x),
});
