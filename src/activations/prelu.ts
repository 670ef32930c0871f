/**
 * PReLU with PyTorch's defaults: x if x >= 0 else alpha * x, with ONE learnable alpha shared by
 * all units, initialised to 0.25 (torch.nn.PReLU(num_parameters=1, init=0.25)). `shared: false`
 * learns one alpha per channel, the last axis here (Dense units, or Conv2D channels in NHWC).
 * TF.js's own PReLU layer defaults to one alpha per unit initialised to 0, hence this class.
 */
import { tf } from '../tf.js';
import { type CallKwargs, ElementwiseLayer, type LayerArgs, type LayerShape, type LayerWeight, singleTensor } from './common.js';
import { defineActivation } from './descriptor.js';
import { checkParam } from './spec.js';

const PARAMS = {
  shared: { type: 'boolean', default: true, doc: 'one alpha for the layer (true) or one per channel' },
  init: { type: 'number', default: 0.25, doc: 'initial alpha' },
} as const;

export interface TorchPReLUArgs extends LayerArgs {
  /** One alpha for the whole layer (default true) or one per channel (last axis). */
  shared?: boolean;
  /** Initial value of alpha (default 0.25). */
  init?: number;
}

export class TorchPReLU extends ElementwiseLayer {
  // Not 'PReLU': that name is TF.js's own layer in the serialisation registry.
  static className = 'TorchPReLU';
  readonly shared: boolean;
  readonly init: number;
  private alpha: LayerWeight | null = null;

  constructor(args: TorchPReLUArgs = {}) {
    super(args);
    this.shared = checkParam('prelu', 'shared', PARAMS.shared, args.shared) as boolean;
    this.init = checkParam('prelu', 'init', PARAMS.init, args.init) as number;
  }

  override build(inputShape: LayerShape): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[shape.length - 1];
    if (!this.shared && (channels == null || shape.length < 2)) {
      throw new Error(`${this.name}: per-channel PReLU needs a known last dimension, got input shape [${shape.join(', ')}]`);
    }
    const paramShape = this.shared ? [1] : [channels as number];
    this.alpha = this.addWeight('alpha', paramShape, 'float32', tf.initializers.constant({ value: this.init }), undefined, true);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallKwargs): tf.Tensor {
    const x = singleTensor(inputs, TorchPReLU.className);
    if (this.alpha === null) throw new Error(`${this.name}: call() before build()`);
    return tf.prelu(x, this.alpha.read());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), shared: this.shared, init: this.init };
  }
}
tf.serialization.registerClass(TorchPReLU);

export const prelu = defineActivation({
  name: 'prelu',
  summary: 'x if x >= 0 else alpha * x, alpha learned (PyTorch: one shared alpha, init 0.25)',
  params: PARAMS,
  stochastic: false,
  create: (params, { name }) => new TorchPReLU({ name, shared: params.shared as boolean, init: params.init as number }),
});
