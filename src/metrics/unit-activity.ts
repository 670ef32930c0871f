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
 *
 * Given the probe samples' labels, the inference pass also scores the model's output on them (loss and accuracy with
 * the noise off): on the default probe, the first 10,000 training images, a clean training-set score for almost free.
 */
import { tf } from '../tf.js';
import { isStochasticLayer } from '../activations/stochastic.js';
import { readScore } from './score.js';
import { activationLayers, cachedProbe, hiddenLinearLayers, scanProbe, type Accumulator } from './probe.js';

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
  /** Per unit: dead (1) or not (0), for unit histories between probes. */
  unitDead: Uint8Array;
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
  /** The probe samples' labels: the same inference pass then also scores the model on them (`fit`). */
  labels?: ProbeLabels;
}

export interface ProbeLabels {
  y: tf.Tensor1D;
  classes: number;
}

/** Mean loss and accuracy on the probe samples, model in inference mode (noise off): a clean training-set score. */
export interface ProbeFit {
  loss: number;
  acc: number;
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

/** Per hidden layer, in layer order: the per-unit tensors the counts are made from (scanned over every sample). */
interface UnitScan {
  /** Max pre-activation of each hidden linear layer's units. */
  preMax: tf.Tensor[];
  /** Sum of |activation| of each activation layer's units (inference mode). */
  absSum: tf.Tensor[];
  /** Max |activation| of each activation layer's units (training mode). */
  absMax: tf.Tensor[];
  /** The summed loss and correct count of the model's output (inference mode), when scored; else empty. */
  fit: tf.Tensor[];
}

/** Splits `flat` into consecutive runs as long as each of `groups`' lists, under the same names. */
function regroup<K extends string, T>(groups: Record<K, unknown[]>, flat: ArrayLike<T>): Record<K, T[]> {
  const out = {} as Record<K, T[]>;
  let at = 0;
  for (const name of Object.keys(groups) as K[]) {
    out[name] = Array.from({ length: groups[name].length }, (_, i) => flat[at + i]);
    at += groups[name].length;
  }
  return out;
}

/**
 * The scan behind the counts: one inference-mode pass, and for a model with stochastic layers a
 * training-mode pass for the |activation| maxima (its step counters put back afterwards). With
 * `labels`, the inference pass also scores the model's output on the probe samples.
 */
async function scanUnits(
  model: tf.LayersModel,
  x: tf.Tensor,
  batchSize: number,
  kind: string,
  linear: tf.layers.Layer[],
  acts: tf.layers.Layer[],
  labels?: ProbeLabels,
): Promise<UnitScan> {
  const stepped = model.layers.filter(isStochasticLayer);
  const stochastic = stepped.length > 0;
  // The probe's outputs: the linear layers, then the activation layers, then (to score) the model's output.
  const scored = labels ? [model.outputLayers[0]] : [];
  const probe = cachedProbe(kind, model, () => [...linear, ...acts, ...scored]).model as tf.LayersModel;
  const actOutput = (i: number): number => linear.length + i;
  const groups = {
    preMax: linear.map((_, i): Accumulator => ({ output: i, stat: 'max' })),
    absSum: acts.map((_, i): Accumulator => ({ output: actOutput(i), stat: 'sumAbs' })),
    // Without stochastic layers training mode equals inference, so this pass gives the maxima too.
    absMax: stochastic ? [] : acts.map((_, i): Accumulator => ({ output: actOutput(i), stat: 'maxAbs' })),
  };
  const all = [...groups.preMax, ...groups.absSum, ...groups.absMax];
  const score = labels && { output: linear.length + acts.length, ...labels };
  const folded = await scanProbe(probe, x, batchSize, false, all, undefined, score);
  const scan: UnitScan = { ...regroup(groups, folded), fit: folded.slice(all.length) };
  if (stochastic && acts.length) {
    const actProbe = cachedProbe('activation', model, activationLayers).model as tf.LayersModel;
    const steps = stepped.map((l) => l.getStep());
    const maxima: Accumulator[] = acts.map((_, i) => ({ output: i, stat: 'maxAbs' }));
    scan.absMax = await scanProbe(actProbe, x, batchSize, true, maxima, everyUnitNonZero);
    stepped.forEach((l, i) => l.setStep(steps[i]));
  }
  return scan;
}

/**
 * Each group's per-unit 0/1 masks (made by `masks` inside a tidy), per layer, all in one read: the counts are their
 * sums, and the dead flags feed unit histories.
 */
async function readMasks<K extends string>(masks: () => Record<K, tf.Tensor[]>): Promise<Record<K, Uint8Array[]>> {
  let groups = {} as Record<K, tf.Tensor[]>;
  const flat = tf.tidy(() => {
    groups = masks();
    const all = (Object.keys(groups) as K[]).flatMap((name) => groups[name]);
    return tf.concat(all.map((m) => tf.cast(m, 'int32')));
  });
  try {
    const values = Uint8Array.from((await flat.data()) as Int32Array);
    const sizes = (Object.keys(groups) as K[]).flatMap((name) => groups[name].map((m) => m.size));
    let at = 0;
    const layers = sizes.map((size) => values.slice(at, (at += size)));
    return regroup(groups, layers);
  } finally {
    flat.dispose();
  }
}

const count = (mask: Uint8Array): number => mask.reduce((s, v) => s + v, 0);

const unitsOf = (perUnit: tf.Tensor): number => perUnit.shape[0] as number;

/** Dead, dormant and zero-output units of `model` on the probe samples `x`. */
export async function probeUnits(
  model: tf.LayersModel,
  x: tf.Tensor,
  options: UnitProbeOptions = {},
): Promise<{ dead: DeadNeuronReport | null; activity: UnitActivityReport | null; fit: ProbeFit | null }> {
  const { threshold = 0, tau = 0.1, batchSize = 1024, dead = true, activity = true, labels } = options;
  const linear = dead ? hiddenLinearLayers(model) : [];
  const acts = activity ? activationLayers(model) : [];
  if (linear.length + acts.length === 0 && !labels) {
    return {
      dead: dead ? { dead: 0, units: 0, layers: [] } : null,
      activity: activity ? { units: 0, dormant: 0, zeroOutput: 0, layers: [] } : null,
      fit: null,
    };
  }
  const kind = `units:${dead}:${activity}:${labels ? 'scored' : ''}`;
  const scan = await scanUnits(model, x, batchSize, kind, linear, acts, labels);
  const fit = scan.fit.length ? await readScore(scan.fit, x.shape[0]) : null;
  const masks = await readMasks(() => ({
    dead: scan.preMax.map((m) => tf.lessEqual(m, threshold)),
    // score = s / mean(s) <= tau  <=>  s <= tau * mean(s); an all-zero layer is all dormant.
    dormant: scan.absSum.map((s) => tf.lessEqual(s, tf.mul(tf.mean(s), tau))),
    zeroOutput: scan.absMax.map((m) => tf.equal(m, 0)),
  }));
  const deadLayers = linear.map((l, i) => ({
    name: l.name,
    dead: count(masks.dead[i]),
    units: unitsOf(scan.preMax[i]),
    unitDead: masks.dead[i],
  }));
  const actLayers = acts.map((l, i) => ({
    name: l.name,
    units: unitsOf(scan.absSum[i]),
    dormant: count(masks.dormant[i]),
    zeroOutput: count(masks.zeroOutput[i]),
  }));
  tf.dispose([...scan.preMax, ...scan.absSum, ...scan.absMax, ...scan.fit]);
  return {
    fit,
    dead: dead
      ? { dead: total(deadLayers, (l) => l.dead), units: total(deadLayers, (l) => l.units), layers: deadLayers }
      : null,
    activity: activity
      ? {
          units: total(actLayers, (l) => l.units),
          dormant: total(actLayers, (l) => l.dormant),
          zeroOutput: total(actLayers, (l) => l.zeroOutput),
          layers: actLayers,
        }
      : null,
  };
}
