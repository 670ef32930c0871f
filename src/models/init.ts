/**
 * Seeded weight initialisation, independent of TF.js's own random ops so the same seed gives
 * bit-identical initial weights on every backend.
 *
 * - `torch` (default): PyTorch's nn.Linear / nn.Conv2d reset_parameters: kaiming_uniform with
 *   a = sqrt(5), i.e. weights and biases ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 * - `glorot`: TF.js/Keras defaults: weights ~ U(-sqrt(6/(fan_in+fan_out)), +...), biases zero.
 */
import { tf } from '../tf.js';
import { Rng, deriveSeed } from '../rng/index.js';

export type InitScheme = 'torch' | 'glorot';

/** Dense kernels are [in, out]; Conv2D kernels are [kh, kw, in, out]. */
function fans(shape: number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: receptive * shape[shape.length - 2], fanOut: receptive * shape[shape.length - 1] };
}

function isLinearLayer(layer: tf.layers.Layer): boolean {
  const cls = layer.getClassName();
  return cls === 'Dense' || cls === 'Conv2D';
}

/** Re-initialises every Dense and Conv2D layer of `model` from `seed` (one derived stream per layer). */
export function initializeWeights(model: tf.LayersModel, seed: number, scheme: InitScheme = 'torch'): void {
  model.layers.forEach((layer, index) => {
    if (!isLinearLayer(layer)) return;
    const current = layer.getWeights();
    const kernelShape = current[0].shape;
    const { fanIn, fanOut } = fans(kernelShape);
    const rng = new Rng(deriveSeed(seed, 'init', index, layer.name));
    const weightBound = scheme === 'torch' ? 1 / Math.sqrt(fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    const kernel = rng.fillUniform(new Float32Array(current[0].size), -weightBound, weightBound);
    const values: tf.Tensor[] = [tf.tensor(kernel, kernelShape)];
    if (current.length > 1) {
      const bias = new Float32Array(current[1].size);
      if (scheme === 'torch') rng.fillUniform(bias, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
      values.push(tf.tensor(bias, current[1].shape));
    }
    layer.setWeights(values);
    tf.dispose(values);
  });
}
