/**
 * The shapes that flow from config to trainer. `config/` produces them (schema, overrides,
 * grid expansion); `train/`, `report/` and `cli/` consume them.
 */

export type { ModelKind } from '../models/kinds.js';
export type { BackendName } from '../backend/names.js';
import type { ModelKind } from '../models/kinds.js';
import type { BackendName } from '../backend/names.js';
export type ScheduleKind = 'constant' | 'linear' | 'cosine';

/** A parameter's value over training: constant (start = end), or annealed from start to end over all steps. */
export interface ParamSchedule {
  schedule: ScheduleKind;
  start: number;
  end: number;
}

/**
 * An activation's varied parameter (the one its descriptor marks sweepable or schedulable: N-ReLU's `sigma`), named,
 * with its value over training.
 */
export interface VariedParam extends ParamSchedule {
  param: string;
}

/** An activation as the model builder takes it: a registry name and its parameters (the varied one excluded). */
export interface ActivationSetting {
  name: string;
  params: Record<string, number | string | boolean>;
  /** A user's activation: its module file (absolute) and content hash. Only the sha256 enters the run's hash. */
  module?: { path: string; sha256: string };
}

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  optimizer: 'adam' | 'sgd';
  learningRate: number;
  /** Cap on training samples per epoch (undefined: the whole training set). */
  trainSamples?: number;
  /** Cap on test samples evaluated per epoch (undefined: the whole test set). */
  testSamples?: number;
}

export interface DeadNeuronSettings {
  probe: 'train' | 'test';
  samples: number;
  threshold: number;
  /** Probe every N epochs (the last epoch is always probed). */
  every: number;
  /** A unit is dormant when its normalised mean |activation| is <= this (the dormant-neuron literature's tau). */
  dormantTau: number;
  /** Images (the first N of the probe split) the gradient probe uses on probed epochs; 0 turns it off. */
  gradientSamples: number;
}

/** Evaluations of the trained model beyond the test set. */
export interface EvalSettings {
  /** Standard deviations of additive Gaussian input noise (seeded, clipped to the input range). */
  robustness: { gaussian: number[] };
}

/** One cell of the grid: everything needed to train and evaluate one model. */
export interface RunSpec {
  /** Stable, human-readable id, e.g. `cnn-nrelu-s0.1-seed2`. */
  id: string;
  /**
   * The id without model and seed, e.g. `nrelu-s0.1`: the comparison's row (summary.csv's `setting` column). Not
   * hashed, like the id.
   */
  setting: string;
  model: ModelKind;
  /** The model variant's name (config `{model, name}`), only when given: it replaces `model` in the id and the CSVs. */
  modelName?: string;
  /**
   * The sweep cell's tag (`lr0.003`), only in a swept grid: it joins the model's name in the id and the CSVs' `model`
   * column (`modelLabel`), so each cell is compared on its own. Not hashed, like the id: the swept values themselves
   * are in the settings.
   */
  cell?: string;
  /** Per-model options passed to buildModel (hidden sizes, filters, dropout, ...). */
  modelOptions: Record<string, unknown>;
  activation: ActivationSetting;
  /**
   * The activation's varied parameter (N-ReLU's sigma; see activations/descriptor.ts), or null without one. The run
   * hash keeps the shape it had before the name was carried (config/grid.ts), so committed runs keep their hashes.
   */
  varied: VariedParam | null;
  seed: number;
  dataset: string;
  /** Standardise inputs with the training set's mean/std (config `standardize`); part of the hash. */
  standardize?: boolean;
  init: 'torch' | 'glorot';
  train: TrainSettings;
  deadNeurons: DeadNeuronSettings;
  eval: EvalSettings;
  /** sha256 (hex) of the canonical JSON of the resolved run settings, id, setting and hash excluded. */
  hash: string;
}

/** The validated config with defaults filled in. */
export interface ResolvedConfig {
  name: string;
  dataset: string;
  dataDir?: string;
  standardize: boolean;
  /**
   * Each model: its kind, its options, the variant's name when the config gives one (run ids and CSVs use it), and its
   * own activation entries when it has them (else the config's `activations`).
   */
  models: { model: ModelKind; options: Record<string, unknown>; name?: string; activations?: unknown[] }[];
  backend: BackendName;
  /** Activation entries as written (one entry may expand into several runs). */
  activations: unknown[];
  seeds: number[];
  init: 'torch' | 'glorot';
  train: TrainSettings;
  deadNeurons: DeadNeuronSettings;
  eval: EvalSettings;
  /**
   * A swept grid (config `sweep:` or `key=a,b` overrides): the axes as written, and each cell's whole config (its
   * `seeds` empty: a cell trains the config's seeds). The config's own fields are the first cell's.
   */
  sweep?: ResolvedSweep;
  /** How settings are compared with the baseline; not part of any run's hash (it changes no training). */
  compare?: CompareSettings;
  output: string;
}

export interface ResolvedSweep {
  /** The swept keys multiplied out (none when the config lists its cells one by one). */
  axes: { key: string; values: unknown[] }[];
  cells: { tag: string; assignments: { key: string; value: unknown }[]; config: ResolvedConfig }[];
}

export interface CompareSettings {
  /** Equivalence margin for TOST, in percentage points of test accuracy. */
  margin: number;
  /**
   * The setting (run id without model and seed) every other setting of a model is paired with. Optional: manifests
   * written before the key lack it, and read as the default (`relu`).
   */
  baseline?: string;
  /** The setting whose test against the baseline was named in advance (default `nrelu-s0.1`); optional likewise. */
  primary?: string;
}
