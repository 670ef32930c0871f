/**
 * All unit probes in as few passes as possible. Besides the pre-activation dead count
 * (dead-neurons.ts), the activation layers' outputs give:
 *
 * - dormant (Sokar et al., 2023, "The Dormant Neuron Phenomenon in Deep RL"): a unit's score is its
 *   mean |activation| over the probe samples (and spatial positions), divided by the mean score of
 *   its layer; the unit is dormant when the score is <= tau. Measured in inference mode.
 * - zero output (the paper's sense of "dead"): the unit's output is exactly 0 for every probe
 *   sample in training mode. N-ReLU's noise makes this 0 by construction for sigma > 0.
 *
 * One inference-mode pass yields the pre-activation maxima, |activation| sums and, for a model
 * without stochastic layers (whose training mode equals inference), the |activation| maxima. Only
 * models with N-ReLU, RReLU or dropout need a second, training-mode pass; it would advance those
 * layers' step counters, so they are restored and probing never changes the noise a run trains with.
 * That pass stops as soon as every unit has had a non-zero output (a maximum only grows, so no
 * later sample can make a unit zero-output): for N-ReLU with sigma > 0 after its first batch,
 * which keeps N-ReLU's probe near ReLU's cost. The count is the full scan's, exactly.
 */
import { tf } from '../tf.js';
import { isStochasticLayer } from '../activations/stochastic.js';
import { cachedProbe, hiddenLinearLayers, maxAbsPerUnit, maxPerUnit, scanProbe, sumAbsPerUnit, type Accumulator } from './probe.js';

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

export interface UnitProbeOptions extends UnitActivityOptions {
  /** Dead when the pre-activation is <= threshold on every sample (default 0). */
  threshold?: number;
  /** Which reports to compute (default both). */
  dead?: boolean;
  activity?: boolean;
}

/** The activation layer that consumes each hidden linear layer's output. */
export function activationLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return hiddenLinearLayers(model).map((linear) => {
    const next = linear.outboundNodes.map((n) => n.outboundLayer).find((l) => model.layers.includes(l));
    if (!next) throw new Error(`layer ${linear.name} feeds no layer of the model`);
    return next;
  });
}

const total = <T>(items: T[], key: (t: T) => number): number => items.reduce((s, t) => s + key(t), 0);

/** True when every unit's folded max |activation| is above 0 (NaN is not: the scan goes on). */
async function everyUnitNonZero(maxima: tf.Tensor[]): Promise<boolean> {
  const least = tf.tidy(() => tf.min(tf.stack(maxima.map((m) => tf.min(m)))));
  try {
    return (await least.data())[0] > 0;
  } finally {
    least.dispose();
  }
}

/** Dead, dormant and zero-output units of `model` on the probe samples `x`. */
export async function probeUnits(
  model: tf.LayersModel, x: tf.Tensor, options: UnitProbeOptions = {},
): Promise<{ dead: DeadNeuronReport | null; activity: UnitActivityReport | null }> {
  const { threshold = 0, tau = 0.1, batchSize = 1024, dead = true, activity = true } = options;
  const linear = dead ? hiddenLinearLayers(model) : [];
  const acts = activity ? activationLayers(model) : [];
  const stepped = model.layers.filter(isStochasticLayer);
  const stochastic = stepped.length > 0;
  if (linear.length + acts.length === 0) {
    return { dead: dead ? { dead: 0, units: 0, layers: [] } : null, activity: activity ? { units: 0, dormant: 0, zeroOutput: 0, layers: [] } : null };
  }

  // Outputs: the linear layers, then the activation layers. Accumulators in the same order:
  // pre-activation max per linear layer, then per activation layer |a| sum (and |a| max if deterministic).
  const probe = cachedProbe(`units:${dead}:${activity}`, model, () => [...linear, ...acts]).model as tf.LayersModel;
  const accumulators: Accumulator[] = [
    ...linear.map((_, i) => ({ output: i, ...maxPerUnit })),
    ...acts.flatMap((_, i) => [
      { output: linear.length + i, ...sumAbsPerUnit },
      ...(stochastic ? [] : [{ output: linear.length + i, ...maxAbsPerUnit }]),
    ]),
  ];
  const folded = await scanProbe(probe, x, batchSize, false, accumulators);
  const preMax = folded.slice(0, linear.length);
  const perAct = stochastic ? 1 : 2;
  const sums = acts.map((_, i) => folded[linear.length + perAct * i]);
  let outMax = stochastic ? [] : acts.map((_, i) => folded[linear.length + perAct * i + 1]);
  if (stochastic && acts.length) {
    const actProbe = cachedProbe('activation', model, activationLayers).model as tf.LayersModel;
    const steps = stepped.map((l) => l.getStep());
    outMax = await scanProbe(actProbe, x, batchSize, true, acts.map((_, i) => ({ output: i, ...maxAbsPerUnit })), everyUnitNonZero);
    stepped.forEach((l, i) => l.setStep(steps[i]));
  }

  // Every count comes back to JS in one read.
  const counts = tf.tidy(() => tf.stack([
    ...preMax.map((m) => tf.sum(tf.cast(tf.lessEqual(m, threshold), 'int32'))),
    ...sums.flatMap((s, i) => [
      // score = s / mean(s) <= tau  <=>  s <= tau * mean(s); an all-zero layer is all dormant.
      tf.sum(tf.cast(tf.lessEqual(s, tf.mul(tf.mean(s), tau)), 'int32')),
      tf.sum(tf.cast(tf.equal(outMax[i], 0), 'int32')),
    ]),
  ]));
  const values = await counts.data();
  const preUnits = preMax.map((m) => m.shape[0] as number);
  const actUnits = sums.map((m) => m.shape[0] as number);
  tf.dispose([counts, ...folded, ...(stochastic ? outMax : [])]);

  const deadLayers = linear.map((l, i) => ({ name: l.name, dead: values[i], units: preUnits[i] }));
  const actLayers = acts.map((l, i) => ({
    name: l.name, units: actUnits[i], dormant: values[linear.length + 2 * i], zeroOutput: values[linear.length + 2 * i + 1],
  }));
  return {
    dead: dead ? { dead: total(deadLayers, (l) => l.dead), units: total(deadLayers, (l) => l.units), layers: deadLayers } : null,
    activity: activity ? {
      units: total(actLayers, (l) => l.units), dormant: total(actLayers, (l) => l.dormant),
      zeroOutput: total(actLayers, (l) => l.zeroOutput), layers: actLayers,
    } : null,
  };
}

/** Dormant and zero-output units only (see probeUnits). */
export async function measureUnitActivity(model: tf.LayersModel, x: tf.Tensor, options: UnitActivityOptions = {}): Promise<UnitActivityReport> {
  return (await probeUnits(model, x, { ...options, dead: false })).activity as UnitActivityReport;
}
