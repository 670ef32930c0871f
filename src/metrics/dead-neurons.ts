/**
 * The dead-neuron probe. A hidden unit (a Dense unit, or a Conv2D channel over all spatial
 * positions) is dead when its pre-activation is <= threshold for every probe sample, with the
 * model in inference mode. The output layer is not counted.
 *
 * The probe runs in batches and keeps one running maximum per unit on the device; only the
 * final per-layer counts come back to JS, so it costs little next to training.
 */
import type { tf } from '../tf.js';
import { type DeadNeuronOptions, type DeadNeuronReport, probeUnits } from './unit-activity.js';

export type { DeadNeuronOptions, DeadNeuronReport, LayerDeadCount } from './unit-activity.js';

export { hiddenLinearLayers } from './probe.js';

export async function countDeadNeurons(
  model: tf.LayersModel,
  x: tf.Tensor,
  options: DeadNeuronOptions = {},
): Promise<DeadNeuronReport> {
  // The probe itself lives with the other unit probes, which share its forward pass.
  return (await probeUnits(model, x, { ...options, activity: false })).dead as DeadNeuronReport;
}
