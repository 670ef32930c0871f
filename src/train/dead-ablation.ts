/**
 * Do a model's dead units carry signal? `eval --mode zero-dead` answers it for a saved model: the units the dead
 * probe finds dead (pre-activation <= 0 on every one of the unit probe's samples, inference mode, as the trainer
 * counts them) are silenced, and the test set is scored again. Silencing zeroes the unit's incoming weights and
 * bias, so its pre-activation is exactly 0 on every input and every built-in activation outputs f(0) = 0 at inference
 * (N-ReLU and RReLU there are ReLU and a fixed slope). What the score loses is what the dead units still passed on:
 * under ReLU and N-ReLU, only their outputs on test inputs where they are not dead; under LeakyReLU, PReLU and GELU
 * also their negative side. Training-mode noise is not asked about: it is independent of the input by construction.
 */
import { tf } from '../tf.js';
import { hiddenLinearLayers } from '../metrics/dead-neurons.js';
import { probeUnits } from '../metrics/unit-activity.js';
import type { DeviceSplit } from './device-data.js';
import { evaluate } from './trainer.js';

export interface DeadAblation {
  /** The model's test score with its dead units silenced. */
  acc: number;
  loss: number;
  /** How many units were silenced, of how many hidden units. */
  silenced: number;
  units: number;
}

/** Multiplies each output unit's (last axis) weights by its keep flag: a dead unit's kernel slice and bias become 0. */
function silence(layer: tf.layers.Layer, dead: Uint8Array): void {
  const weights = layer.getWeights();
  const keep = tf.tensor1d(Array.from(dead, (d) => 1 - d));
  const silenced = weights.map((w) => tf.mul(w, keep));
  layer.setWeights(silenced);
  tf.dispose([keep, ...silenced]);
}

/**
 * Silences the dead units of `model` (in place: the caller owns and disposes the model) found on `probeX`, then scores
 * `test` in inference mode.
 */
export async function evaluateDeadZeroed(
  model: tf.LayersModel,
  probeX: tf.Tensor,
  test: DeviceSplit,
  classes: number,
): Promise<DeadAblation> {
  const report = (await probeUnits(model, probeX, { activity: false })).dead;
  if (!report) throw new Error('the dead probe returned no report');
  const layers = hiddenLinearLayers(model);
  report.layers.forEach((counted, i) => {
    if (counted.name !== layers[i].name) throw new Error(`probe layer ${counted.name} is not ${layers[i].name}`);
    if (counted.dead > 0) silence(layers[i], counted.unitDead);
  });
  const score = await evaluate(model, test, classes);
  return { ...score, silenced: report.dead, units: report.units };
}
