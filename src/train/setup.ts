/**
 * A run's model and optimizer, built in one place for the trainer, the harness benchmark and the
 * step benchmark, so that what is timed is what is trained.
 */
import { tf } from '../tf.js';
import type { RunSpec, TrainSettings } from '../config/types.js';
import { buildModel, type ModelKind } from '../models/build.js';
import type { ActivationSpec } from '../activations/registry.js';
import { isSchedulableLayer, type SchedulableLayer } from '../activations/stochastic.js';
import { adam } from './fused-adam.js';

export interface RunModelSpec {
  model: ModelKind;
  modelOptions: Record<string, unknown>;
  activation: ActivationSpec;
  seed: number;
  init?: 'torch' | 'glorot';
  train: Pick<TrainSettings, 'optimizer' | 'learningRate'>;
}

export interface RunSetup {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
}

/**
 * The optimizer of a run: Adam with PyTorch's defaults (eps 1e-8; TF.js would use 1e-7), fused on cpu and wasm with
 * TF.js's numbers bit for bit; or plain SGD.
 */
export function makeOptimizer(train: Pick<TrainSettings, 'optimizer' | 'learningRate'>): tf.Optimizer {
  if (train.optimizer === 'sgd') return tf.train.sgd(train.learningRate);
  return adam(train.learningRate, 0.9, 0.999, 1e-8);
}

/**
 * The model (seeded weights) and optimizer of a run, for inputs of `inputShape` (no batch axis) and `classes` classes.
 */
export function buildRun(spec: RunModelSpec, inputShape: number[], classes: number): RunSetup {
  const model = buildModel({
    model: spec.model,
    activation: spec.activation,
    seed: spec.seed,
    init: spec.init,
    inputShape,
    classes,
    ...(spec.modelOptions as object),
  });
  return { model, optimizer: makeOptimizer(spec.train) };
}

/** The activation spec a run's layers are built with: its params, and its varied parameter at its start value. */
export function runActivationSpec(run: Pick<RunSpec, 'activation' | 'varied'>): ActivationSpec {
  const { name, params } = run.activation;
  return { name, ...params, ...(run.varied ? { [run.varied.param]: run.varied.start } : {}) };
}

/**
 * The layers whose varied parameter follows the run's schedule (set every step, a constant one too), and the
 * parameter's name; null without a varied parameter. Config refuses a schedule for a parameter that cannot take one.
 */
export function scheduledLayers(
  model: tf.LayersModel,
  run: Pick<RunSpec, 'varied'>,
): { param: string; layers: SchedulableLayer[] } | null {
  if (!run.varied) return null;
  return { param: run.varied.param, layers: model.layers.filter(isSchedulableLayer) };
}
