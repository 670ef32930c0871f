/**
 * Inactive units beyond the pre-activation dead count, measured on the activation layers' outputs:
 *
 * - dormant (Sokar et al., 2023, "The Dormant Neuron Phenomenon in Deep RL"): a unit's score is its
 *   mean |activation| over the probe samples (and spatial positions), divided by the mean score of
 *   its layer; the unit is dormant when the score is <= tau. Measured in inference mode.
 * - zero output (the paper's sense of "dead"): the unit's output is exactly 0 for every probe
 *   sample in training mode. N-ReLU's noise makes this 0 by construction for sigma > 0.
 *
 * Like the dead-neuron probe it runs in batches with per-unit running sums/maxima on the device.
 * The training-mode pass would advance the stochastic layers' step counters; they are restored
 * afterwards, so probing never changes the noise a run trains with.
 */
import { tf } from '../tf.js';
import { hiddenLinearLayers } from './dead-neurons.js';
import { cachedProbe, leadingAxes, scanProbe } from './probe.js';

export interface UnitActivityOptions {
  /** Dormant threshold on the normalised score (default 0.1). */
  tau?: number;
  batchSize?: number;
}

export interface LayerActivity {
  name: string;
  units: number;
  dormant: number;
  zeroOutput: number;
}

export interface UnitActivityReport {
  units: number;
  dormant: number;
  zeroOutput: number;
  layers: LayerActivity[];
}

interface Stepped {
  getStep(): number;
  setStep(step: number): void;
}

const isStepped = (l: tf.layers.Layer): l is tf.layers.Layer & Stepped =>
  typeof (l as unknown as Partial<Stepped>).getStep === 'function' && typeof (l as unknown as Partial<Stepped>).setStep === 'function';

/** The activation layer that consumes each hidden linear layer's output. */
export function activationLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return hiddenLinearLayers(model).map((linear) => {
    const next = linear.outboundNodes.map((n) => n.outboundLayer).find((l) => model.layers.includes(l));
    if (!next) throw new Error(`layer ${linear.name} feeds no layer of the model`);
    return next;
  });
}

export async function measureUnitActivity(model: tf.LayersModel, x: tf.Tensor, options: UnitActivityOptions = {}): Promise<UnitActivityReport> {
  const tau = options.tau ?? 0.1;
  const batchSize = options.batchSize ?? 1024;
  const { layers, model: probe } = cachedProbe('activation', model, activationLayers);
  if (!probe) return { units: 0, dormant: 0, zeroOutput: 0, layers: [] };

  // Dormant: sum of |a| per unit (inference mode), normalised by the layer's mean.
  const sums = scanProbe(probe, x, batchSize, false, (o) => tf.sum(tf.abs(o), leadingAxes(o)), tf.add);
  // Zero output: max |a| per unit in training mode; restore the noise layers' step counters after.
  const stepped = model.layers.filter(isStepped);
  const steps = stepped.map((l) => l.getStep());
  const maxima = scanProbe(probe, x, batchSize, true, (o) => tf.max(tf.abs(o), leadingAxes(o)), tf.maximum);
  stepped.forEach((l, i) => l.setStep(steps[i]));

  const counts = tf.tidy(() => tf.stack(layers.flatMap((_, i) => {
    const layerMean = tf.mean(sums[i]);
    // score = s / mean(s) <= tau  <=>  s <= tau * mean(s); an all-zero layer is all dormant.
    const dormant = tf.sum(tf.cast(tf.lessEqual(sums[i], tf.mul(layerMean, tau)), 'int32'));
    const zero = tf.sum(tf.cast(tf.equal(maxima[i], 0), 'int32'));
    return [dormant, zero];
  })));
  const units = sums.map((s) => s.shape[0] as number);
  const values = await counts.data();
  tf.dispose([counts, ...sums, ...maxima]);
  const perLayer = layers.map((l, i) => ({ name: l.name, units: units[i], dormant: values[2 * i], zeroOutput: values[2 * i + 1] }));
  return {
    units: units.reduce((a, b) => a + b, 0),
    dormant: perLayer.reduce((s, l) => s + l.dormant, 0),
    zeroOutput: perLayer.reduce((s, l) => s + l.zeroOutput, 0),
    layers: perLayer,
  };
}
