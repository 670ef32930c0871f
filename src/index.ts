/** nrelu-bench's public library API (docs/LIBRARY.md; docs/ARCHITECTURE.md); nothing else is public. */
export { tf } from './tf.js';
export { UserError, type ProblemKind } from './errors.js';
export {
  createActivation,
  normalizeActivation,
  ACTIVATION_NAMES,
  type ActivationSpec,
  type ActivationName,
  type CreateActivationOptions,
} from './activations/registry.js';
export {
  defineActivation,
  type ActivationDescriptor,
  type ActivationParams,
  type CreateLayerOptions,
  type ParamDef,
} from './activations/descriptor.js';
export {
  elementwise,
  noisyElementwise,
  type ElementwiseOptions,
  type NoisyDescriptor,
  type NoisyElementwiseOptions,
  type PassNoise,
} from './activations/user-kit.js';
export { gradientCheck, type GradientCheckOptions } from './activations/gradient-check.js';
export { isStochasticLayer, type SchedulableLayer, type StochasticLayer } from './activations/stochastic.js';
export { buildModel, type BuildModelOptions, type ModelKind } from './models/build.js';
export { loadSavedModel } from './models/saved.js';
export {
  countDeadNeurons,
  type DeadNeuronOptions,
  type DeadNeuronReport,
  type LayerDeadCount,
} from './metrics/dead-neurons.js';
export { readIdx, type IdxArray } from './data/idx.js';
export { loadDataset, type Dataset, type Split, type LoadDatasetOptions } from './data/datasets.js';
export { selectBackend } from './backend/select.js';
