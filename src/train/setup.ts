/**
 * A run's model and optimizer, built in one place for the trainer, the harness benchmark and the
 * step benchmark, so that what is timed is what is trained.
 */
import { tf } from '../tf.js';
import type { RunSpec, TrainSettings } from '../config/types.js';
import { buildModel, type ModelKind } from '../models/build.js';
import { findActivation, type ActivationSpec } from '../activations/registry.js';
import { variedParam } from '../activations/descriptor.js';
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

/**
 * The activation spec a run's layers are built with: its params, and its varied parameter (sigma) at its start value.
 */
export function runActivationSpec(run: Pick<RunSpec, 'activation' | 'sigma'>): ActivationSpec {
  const { name, params } = run.activation;
  const varied = run.sigma ? variedKey(name) : null;
  return { name, ...params, ...(varied && run.sigma ? { [varied]: run.sigma.start } : {}) };
}

function variedKey(name: string): string {
  const descriptor = findActivation(name);
  if (!descriptor)
    throw new Error(`activation "${name}" is not registered (a user activation's module loads before its runs train)`);
  const varied = variedParam(descriptor);
  if (!varied) throw new Error(`activation "${name}" has no sweepable or schedulable parameter, but the run has one`);
  return varied[0];
}

/** The layers whose varied parameter follows the run's schedule, and the parameter's name; null for a constant one. */
export function scheduledLayers(
  model: tf.LayersModel,
  run: Pick<RunSpec, 'activation' | 'sigma'>,
): { param: string; layers: SchedulableLayer[] } | null {
  if (!run.sigma) return null;
  const descriptor = findActivation(run.activation.name);
  const varied = descriptor ? variedParam(descriptor) : null;
  if (!varied || varied[1].schedule !== true) return null;
  return { param: varied[0], layers: model.layers.filter(isSchedulableLayer) };
}
