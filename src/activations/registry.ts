/**
 * The activation registry: names and specs to `tf.layers.Layer`s. Defaults follow PyTorch
 * (the paper's baselines), not TF.js; see spec.ts for the parameters of each name.
 */
import { tf } from '../tf.js';
import { UserError } from '../errors.js';
import { GELU, type GeluApproximation } from './gelu.js';
import { NReLU } from './nrelu.js';
import { TorchPReLU } from './prelu.js';
import { RReLU } from './rrelu.js';
import { type ActivationSpec, normalizeActivation } from './spec.js';
// One-pass gradients for ReLU, LeakyReLU and PReLU on cpu and wasm (registered on import).
import './fused-gradients.js';

export {
  ACTIVATION_NAMES, LEAKY_RELU_DEFAULT_ALPHA, isActivationName, normalizeActivation,
  type ActivationName, type ActivationParam, type ActivationSpec, type NormalizedActivation,
} from './spec.js';
export { GELU, NReLU, RReLU, TorchPReLU };

export interface CreateActivationOptions {
  /** Seed of a stochastic layer's noise stream (default 0). Give each layer of a model its own. */
  seed?: number;
  /** Layer name (default: TF.js's generated name). */
  name?: string;
}

/** Builds the activation layer for `spec`. Stochastic layers are in inference mode unless called with `{training: true}`. */
export function createActivation(spec: ActivationSpec, options: CreateActivationOptions = {}): tf.layers.Layer {
  const { name: activation, params } = normalizeActivation(spec);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new UserError(`activation "${activation}": seed must be an integer, got ${seed}`);
  const name = options.name;
  switch (activation) {
    case 'relu':
      return tf.layers.reLU({ name });
    case 'leaky_relu':
      // TF.js's LeakyReLU is correct; only its default slope (0.3) differs, and alpha is always set here.
      return tf.layers.leakyReLU({ name, alpha: params.alpha as number });
    case 'prelu':
      return new TorchPReLU({ name, shared: params.shared as boolean, init: params.init as number });
    case 'gelu':
      return new GELU({ name, approximate: params.approximate as GeluApproximation });
    case 'rrelu':
      return new RReLU({ name, seed, lower: params.lower as number, upper: params.upper as number });
    case 'nrelu':
      return new NReLU({ name, seed, sigma: params.sigma as number });
  }
}
