/**
 * A metric descriptor: a probe that owns its computation and its result columns, as an activation's descriptor owns
 * its layer (activations/descriptor.ts), in the spirit of Keras's and torchmetrics' `Metric` objects. The trainer runs
 * the registered probes (registry.ts) on probe epochs, in the registry's order, and keeps each one's result on the
 * epoch record (record.ts) under the probe's name. Each column says what a cell holds, how it is read from the result
 * per epoch (epochs.csv), per hidden layer (dead_neurons.csv) and over the run (summary.csv), how `check` compares it,
 * and how the report shows it: the comparison's mean over seeds, a per-epoch chart, an entry in the per-layer table.
 * results/columns.ts turns these columns into rows of the column registry; the files, `check`, the comparison, the
 * layer table, the charts and `npm run columns` follow from there.
 */
import type { tf } from '../tf.js';

export type CellValue = string | number | null | undefined;

/**
 * What a cell may hold. `int` and `number` cells are plain decimals (no `0x10`, no `1_000`); `special`
 * lists the non-finite values a diverged run may write; `min`/`max` bound the finite ones.
 */
export interface ColumnType {
  type: 'text' | 'int' | 'number';
  min?: number;
  max?: number;
  special?: readonly ('NaN' | 'Infinity')[];
  /** The only texts allowed (a text column). */
  oneOf?: readonly string[];
  /** The form a text column's cells must have, and its name for the error message. */
  pattern?: { regex: RegExp; what: string };
}

/**
 * How `check` compares a column between a folder and its reference: `key` identifies the row;
 * `exact` must be equal; `count` is a unit count (equal, or within --count-tolerance); `tolerance`
 * within --tolerance (absolute); `derived` follows from compared columns; `ignored` (timing, backend).
 */
export type CheckRule = 'key' | 'exact' | 'count' | 'tolerance' | 'derived' | 'ignored';

/** How the report formats a number: a loss, a unit count (`x / units`), a count (`2.5`), a percentage. */
export type Format = 'loss' | 'units' | 'count' | 'pct';

/** A summary column the comparison averages over a setting's completed seeds (seeds without it left out). */
export interface ComparedMetric {
  /** comparison.csv's column. */
  csv: string;
  /** comparison.md's and report.html's headers. */
  md: string;
  html: string;
  format: Format;
  /** report.html shows it only when some row has it (older folders lack it). */
  optional?: boolean;
  /** report.html's note under the table: title and text (a column shown with the one before it has none). */
  note?: readonly [string, string];
  /** comparison.md's line under its header text, when the column is shown (older metrics are in that text). */
  mdNote?: string;
}

/** An epochs.csv column drawn per epoch, mean over seeds with a min-max band (`kind` names the chart and its file). */
export interface EpochChart {
  kind: string;
  title: string;
  subtitle: string;
  yTitle: string;
  note: string;
  /** The y axis: unit counts (the default, titled `of N hidden units`), a percentage, or a plain value. */
  format?: 'units' | 'pct' | 'value';
}

/** The files a probe's columns can be in: per epoch, per hidden layer at a probe, per run. */
export type ProbeFile = 'epochs' | 'dead' | 'summary';

/** What a column is, whichever file carries it and wherever its cells come from. */
export interface ColumnSpec {
  type: ColumnType;
  check: CheckRule;
  /** One line: what the cell holds (README's column definitions say the same at more length). */
  doc: string;
  /** Added after the first release: a folder written before it still reads, without it. */
  later?: boolean;
  /**
   * A cell that must hold a number (NaN/Infinity count: a diverged run writes them); `completed`: of completed runs
   * only.
   */
  required?: Partial<Record<ProbeFile, 'always' | 'completed'>>;
  compare?: ComparedMetric;
  chart?: EpochChart;
  /**
   * A dead_neurons.csv column the per-layer table pairs with the baseline by seed (report/layers.ts), and its word;
   * `optional`: its columns are shown only when some layer has it (older folders, without it, keep their bytes).
   */
  layerTable?: { label: string; optional?: boolean };
}

/** A probe's result over a run, for its summary.csv cells. */
export interface RunProbeResults<T> {
  /** The result at the run's last probed epoch (null: none, or the probe gave none there). */
  last: T | null;
  /** Every probed epoch's result, in epoch order (epochs where it gave none left out). */
  all: T[];
}

/** One column of a probe: its cells from the probe's result (a cell is empty where the probe gave no result). */
export interface MetricColumn<T> extends ColumnSpec {
  epochs?(value: T): CellValue;
  /** `layer`: the hidden layer's index, in the order of the epoch record's `probe.layers`. */
  dead?(value: T, layer: number): CellValue;
  summary?(run: RunProbeResults<T>): CellValue;
}

/** The dead-neuron settings a probe reads (config's `dead_neurons`). */
export interface ProbeSettings {
  threshold: number;
  dormantTau: number;
}

/** What a probe measures on: the model after the epoch, the run's fixed probe samples, the settings. */
export interface ProbeInputs {
  model: tf.LayersModel;
  /** The unit probe's samples, and their labels when they are training images (for a clean training-set score). */
  x: tf.Tensor;
  labels: { y: tf.Tensor1D; classes: number } | undefined;
  /** The gradient probe's samples and labels (null with dead_neurons.gradient_samples 0). */
  gradX: tf.Tensor | null;
  gradY: tf.Tensor1D | null;
  settings: ProbeSettings;
  /** This epoch's results of the probes before this one in the registry, by name (a probe may build on another's). */
  earlier: Readonly<Record<string, unknown>>;
}

/**
 * A probe: its name (the key of its result on the epoch record), a line saying what it measures, the state it keeps
 * between probes of one run (`start`, once per run), its measurement on a probe epoch (null: nothing to report this
 * time), and its columns by name. A probe that runs a model in training mode restores stochastic layers' step
 * counters, so probing never changes the noise a run trains with.
 */
export interface MetricDescriptor<T, S = undefined> {
  name: string;
  doc: string;
  start?(): S;
  measure(inputs: ProbeInputs, state: S): Promise<T | null>;
  columns: Readonly<Record<string, MetricColumn<T>>>;
}

/** A descriptor of any result type, as the registry holds them. */
export type AnyMetric = MetricDescriptor<unknown, unknown>;

/** Column types the probes share (results/columns.ts uses them too). */
export const COUNT: ColumnType = { type: 'int', min: 0 };
export const FRACTION: ColumnType = { type: 'number', min: 0, max: 1 };
/** Accuracy is a fraction of examples; NaN only from a diverged run. */
export const ACCURACY: ColumnType = { type: 'number', min: 0, max: 1, special: ['NaN'] };
/** Losses and gradient sizes: >= 0, NaN or Infinity once a run diverged. */
export const NONNEGATIVE_OR_DIVERGED: ColumnType = { type: 'number', min: 0, special: ['NaN', 'Infinity'] };
export const SIGNED_OR_DIVERGED: ColumnType = { type: 'number', special: ['NaN', 'Infinity'] };
