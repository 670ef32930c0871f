/**
 * PReLU with PyTorch's defaults; TF.js's own PReLU layer has one alpha per unit initialised to 0.
 *   formula:  x if x > 0 else alpha * x, alpha learned
 *   gradient: d/dx 1 if x > 0 else alpha (alpha at x = 0); d/dalpha the sum of x where x <= 0; one fused pass
 *             on cpu and wasm for a shared alpha (fused-gradients.ts)
 *   defaults: shared true (ONE alpha for the layer), init 0.25; `shared: false` learns one alpha per channel,
 *             the last axis here (Dense units, or Conv2D channels in NHWC)
 *   PyTorch:  torch.nn.PReLU(num_parameters=1, init=0.25) / F.prelu
 */
import { tf } from '../tf.js';
import { elementwiseActivation } from './kit.js';

/** x if x > 0 else alpha * x, alpha broadcast over the last axis (TF.js's Prelu kernel). */
export function preluForward(x: tf.Tensor, alpha: tf.Tensor): tf.Tensor {
  return tf.prelu(x, alpha);
}

type PReLUParams = { shared: boolean; init: number };

function alphaShape({ shared }: PReLUParams, shape: (number | null)[], layer: string): number[] {
  if (shared) return [1];
  const channels = shape[shape.length - 1];
  if (channels == null || shape.length < 2) {
    throw new Error(`${layer}: per-channel PReLU needs a known last dimension, got input shape [${shape.join(', ')}]`);
  }
  return [channels];
}

export const prelu = elementwiseActivation<PReLUParams>({
  name: 'prelu',
  summary: 'x if x >= 0 else alpha * x, alpha learned (PyTorch: one shared alpha, init 0.25)',
  title: 'PReLU',
  // Not 'PReLU': that name is TF.js's own layer in the serialisation registry.
  className: 'TorchPReLU',
  params: {
    shared: { type: 'boolean', default: true, doc: 'one alpha for the layer (true) or one per channel' },
    init: { type: 'number', default: 0.25, doc: 'initial alpha' },
  },
  forward: (x, _params, { weights }) => preluForward(x, weights[0]),
  weights: (params, shape, layer) => [{ name: 'alpha', shape: alphaShape(params, shape, layer), init: params.init }],
});

export const TorchPReLU = prelu.layer;
export type TorchPReLU = InstanceType<typeof TorchPReLU>;
