/**
 * The dead-neuron probe. A hidden unit (a Dense unit, or a Conv2D channel over all spatial
 * positions) is dead when its pre-activation is <= threshold for every probe sample, with the
 * model in inference mode. The output layer is not counted.
 *
 * The probe runs in batches and keeps one running maximum per unit on the device; only the
 * final per-layer counts come back to JS, so it costs little next to training.
 */
import { tf } from '../tf.js';
import { cachedProbe, leadingAxes, scanProbe } from './probe.js';

export interface DeadNeuronOptions {
  /** A unit is dead when its pre-activation is <= threshold for every sample (default 0). */
  threshold?: number;
  /** Samples per forward pass (default 1024): bounds memory for 60,000 samples. */
  batchSize?: number;
}

export interface LayerDeadCount {
  name: string;
  dead: number;
  units: number;
}

export interface DeadNeuronReport {
  dead: number;
  units: number;
  layers: LayerDeadCount[];
}

/** The hidden linear layers of `model` (Dense/Conv2D that do not produce a model output). */
export function hiddenLinearLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const outputs = new Set(model.outputLayers);
  return model.layers.filter((l) => {
    const cls = l.getClassName();
    return (cls === 'Dense' || cls === 'Conv2D') && !outputs.has(l);
  });
}

export async function countDeadNeurons(
  model: tf.LayersModel,
  x: tf.Tensor,
  options: DeadNeuronOptions = {},
): Promise<DeadNeuronReport> {
  const threshold = options.threshold ?? 0;
  const batchSize = options.batchSize ?? 1024;
  const { layers, model: probe } = cachedProbe('pre-activation', model, hiddenLinearLayers);
  if (!probe) return { dead: 0, units: 0, layers: [] };
  const running = scanProbe(probe, x, batchSize, false, (o) => tf.max(o, leadingAxes(o)), tf.maximum);
  const deadCounts = tf.tidy(() => tf.stack(running.map((m) => tf.sum(tf.cast(tf.lessEqual(m, threshold), 'int32')))));
  const units = running.map((m) => m.shape[0] as number);
  const counts = await deadCounts.data();
  tf.dispose([deadCounts, ...running]);

  const perLayer = layers.map((layer, i) => ({ name: layer.name, dead: counts[i], units: units[i] }));
  return {
    dead: perLayer.reduce((s, l) => s + l.dead, 0),
    units: perLayer.reduce((s, l) => s + l.units, 0),
    layers: perLayer,
  };
}
