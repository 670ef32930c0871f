/**
 * Shared machinery of the unit probes: a cached sub-model that outputs chosen layers' outputs,
 * and a batched scan that folds a per-unit reduction of each output on the device, so only the
 * final per-unit tensors exist at the end (memory stays bounded for 60,000 samples).
 */
import { tf } from '../tf.js';
import { UNIT_STATS_KERNEL, type UnitStat } from '../backend/fused-kernel-contract.js';
import { scoreBatch } from './score.js';

/** The hidden linear layers of `model` (Dense/Conv2D that do not produce a model output). */
export function hiddenLinearLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const outputs = new Set(model.outputLayers);
  return model.layers.filter((l) => {
    const cls = l.getClassName();
    return (cls === 'Dense' || cls === 'Conv2D') && !outputs.has(l);
  });
}

/** Pooling, flatten and dropout: layers that pass units' values on (pooled, reshaped, masked), not activate them. */
export const passesOn = (l: tf.layers.Layer): boolean =>
  ['MaxPooling2D', 'AveragePooling2D', 'Flatten'].includes(l.getClassName()) || l.getClassName().endsWith('Dropout');

/**
 * The activation layer of each hidden linear layer: the first layer after it that is not pooling, flatten or dropout
 * (with `activation_after_pool` the pool comes first: conv -> pool -> activation).
 */
export function activationLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return hiddenLinearLayers(model).map((linear) => {
    let layer = linear;
    do {
      const next = layer.outboundNodes.map((n) => n.outboundLayer).find((l) => model.layers.includes(l));
      if (!next) throw new Error(`layer ${linear.name} feeds no activation layer of the model`);
      layer = next;
    } while (passesOn(layer));
    return layer;
  });
}

export interface Probe {
  layers: tf.layers.Layer[];
  model: tf.LayersModel | null;
}

const caches = new Map<string, WeakMap<tf.LayersModel, Probe>>();

/** A probe of `model` on the layers `choose` picks, built once per model and kind. */
export function cachedProbe(
  kind: string,
  model: tf.LayersModel,
  choose: (m: tf.LayersModel) => tf.layers.Layer[],
): Probe {
  let cache = caches.get(kind);
  if (!cache) caches.set(kind, (cache = new WeakMap()));
  let probe = cache.get(model);
  if (!probe) {
    const layers = choose(model);
    probe = {
      layers,
      model:
        layers.length === 0
          ? null
          : tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.output as tf.SymbolicTensor) }),
    };
    cache.set(model, probe);
  }
  return probe;
}

/** Every axis but the last (units/channels). */
export const leadingAxes = (t: tf.Tensor): number[] => Array.from({ length: t.rank - 1 }, (_, i) => i);

/** One per-unit accumulator: a statistic of one probe output, folded over the batches. */
export interface Accumulator {
  output: number;
  stat: UnitStat;
}

/** Each statistic as TF.js ops over the leading axes (the fused kernel's values), and how batches fold. */
const STAT_OPS: Record<
  UnitStat,
  { reduce: (o: tf.Tensor) => tf.Tensor; fold: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor }
> = {
  max: { reduce: (o) => tf.max(o, leadingAxes(o)), fold: tf.maximum },
  sumAbs: { reduce: (o) => tf.sum(tf.abs(o), leadingAxes(o)), fold: tf.add },
  maxAbs: { reduce: (o) => tf.max(tf.abs(o), leadingAxes(o)), fold: tf.maximum },
};

/**
 * `stats` of one layer output, per unit, over every axis but the last: in one pass where the backend has the fused
 * kernel (wasm; the same bits), else as TF.js ops.
 */
export function unitStats(out: tf.Tensor, stats: UnitStat[]): tf.Tensor[] {
  if (out.dtype === 'float32' && out.rank >= 2 && tf.getKernel(UNIT_STATS_KERNEL, tf.getBackend()) != null)
    return tf.engine().runKernel(UNIT_STATS_KERNEL, { x: out }, { stats }) as unknown as tf.Tensor[];
  return stats.map((stat) => STAT_OPS[stat].reduce(out));
}

/** Every accumulator's statistic of this batch's outputs, each output's statistics in one unitStats call. */
function batchStats(outs: tf.Tensor[], accumulators: Accumulator[]): tf.Tensor[] {
  const result: tf.Tensor[] = new Array<tf.Tensor>(accumulators.length);
  for (const output of new Set(accumulators.map((a) => a.output))) {
    const mine = accumulators.flatMap((a, i) => (a.output === output ? [i] : []));
    const values = unitStats(
      outs[output],
      mine.map((i) => accumulators[i].stat),
    );
    mine.forEach((i, k) => (result[i] = values[k]));
  }
  return result;
}

/** A probe output that is the model's logits, scored against the probe samples' labels (scoreBatch). */
export interface ScoredOutput {
  output: number;
  y: tf.Tensor;
  classes: number;
}

/**
 * Runs x through the probe in batches (inference mode, or training mode when asked) and folds
 * every accumulator over the batches; returns one tensor per accumulator (caller disposes), then,
 * with `score`, the summed loss and correct count of that output. `settled`, if given, is asked
 * after each batch but the last whether the folded values can no longer change the caller's
 * answer; if so, the scan stops there.
 */
export async function scanProbe(
  probe: tf.LayersModel,
  x: tf.Tensor,
  batchSize: number,
  training: boolean,
  accumulators: Accumulator[],
  settled?: (acc: tf.Tensor[]) => Promise<boolean>,
  score?: ScoredOutput,
): Promise<tf.Tensor[]> {
  if (x.shape[0] === 0) throw new Error('a unit probe needs at least one sample');
  let acc: tf.Tensor[] = [];
  for (let start = 0; start < x.shape[0]; start += batchSize) {
    const size = Math.min(batchSize, x.shape[0] - start);
    const next = tf.tidy(() => {
      const batch = tf.slice(x, start, size);
      const outs = training ? probe.apply(batch, { training: true }) : probe.predict(batch, { batchSize: size });
      const list = (Array.isArray(outs) ? outs : [outs]) as tf.Tensor[];
      const stats = batchStats(list, accumulators);
      if (score) stats.push(...scoreBatch(list[score.output], tf.slice(score.y, start, size), score.classes));
      const folds = [...accumulators.map((a) => STAT_OPS[a.stat].fold), ...(score ? [tf.add, tf.add] : [])];
      return acc.length ? folds.map((fold, i) => fold(acc[i], stats[i])) : stats;
    });
    tf.dispose(acc);
    acc = next;
    if (settled && start + size < x.shape[0] && (await settled(acc))) break;
  }
  return acc;
}
