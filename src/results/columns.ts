/**
 * The column registry: one row per column of the result folder's CSVs. A row says what a cell holds
 * (type and range), which files carry it and how each file's cell is computed from a run's record, whether older
 * folders may lack it, what `check` compares, and how the report shows it (the comparison's mean over seeds, a
 * per-epoch chart, the per-layer table). Writing (rows.ts), reading and validation (files.ts), `check` (check.ts), the
 * comparison, the per-layer table, the HTML report and the charts all read this table; the README's column lists are
 * checked against it (test/results/columns.test.ts).
 *
 * Its rows are the run's own columns below (identity, losses and accuracies, timing) and every registered probe's
 * columns (metrics/registry.ts: a metric is one descriptor, which owns its computation and its columns). A new
 * metric's columns come after the existing ones in each file (older folders, without them, still read); the file
 * layouts and the registry's order below pin the columns that existed before, so committed folders keep their bytes.
 */
import { RUN_ID } from './folder-paths.js';
import type { RunSpec } from '../config/types.js';
import { modelLabel } from '../config/grid.js';
import type { EpochRecord, ProbeRecord, RunRecord } from '../metrics/record.js';
import {
  ACCURACY,
  COUNT,
  NONNEGATIVE_OR_DIVERGED,
  type AnyMetric,
  type CellValue,
  type CheckRule,
  type ColumnSpec,
  type ColumnType,
  type ComparedMetric,
  type EpochChart,
  type MetricColumn,
} from '../metrics/descriptor.js';
import { metricDescriptors } from '../metrics/registry.js';
import { DEAD_DOC, DORMANT_DOC, ZERO_OUTPUT_DOC } from '../metrics/unit-probe.js';
import { GRAD_DEAD_DOC, ZERO_GRADIENT_DOC } from '../metrics/gradient-probe.js';
import { VARIED_COLUMN, VARIED_LABEL, variedLabel } from './varied.js';

export type { CellValue, CheckRule, ColumnType, ComparedMetric, EpochChart, Format } from '../metrics/descriptor.js';

/** How a run ended, as summary.csv's `status` column holds it. */
export type FinalStatus = 'completed' | 'diverged' | 'failed';
export type FileKey = 'epochs' | 'dead' | 'summary' | 'robustness' | 'eval';
export type Row = Record<string, string>;

export interface EpochContext {
  spec: RunSpec;
  r: EpochRecord;
}
export interface LayerContext {
  spec: RunSpec;
  r: EpochRecord;
  i: number;
}
export interface SummaryContext {
  spec: RunSpec;
  status: FinalStatus;
  result: RunRecord | null;
  backend: string;
  /** The last epoch, and the last probed one (the probes ran). */
  last: EpochRecord | undefined;
  probed: EpochRecord | undefined;
}
export interface RobustnessContext {
  spec: RunSpec;
  noise: number;
  testAcc: number;
}
export interface EvalContext {
  run: Row;
  mode: string;
  passes: number | null;
  acc: number;
  loss: number;
  /** The clean training-set score (deterministic mode with a training-split probe); null otherwise. */
  cleanTrain: { acc: number; loss: number } | null;
}

export interface ColumnDef extends Omit<ColumnSpec, 'required'> {
  /**
   * A cell that must hold a number (NaN/Infinity count: a diverged run writes them); `completed`: of completed runs
   * only.
   */
  required?: Partial<Record<FileKey, 'always' | 'completed'>>;
  /** The cell in each file that carries the column, from the run's record. */
  epochs?: (c: EpochContext) => CellValue;
  dead?: (c: LayerContext) => CellValue;
  summary?: (c: SummaryContext) => CellValue;
  robustness?: (c: RobustnessContext) => CellValue;
  eval?: (c: EvalContext) => CellValue;
}

const TEXT: ColumnType = { type: 'text' };
const SECONDS: ColumnType = { type: 'number', min: 0 };

/**
 * The run's setting (its id without model and seed): summary.csv's `setting` column, or, for folders
 * written before it, derived from the id by removing the `<model>-` prefix and the `-seed<N>` suffix.
 */
export function settingOf(row: Row): string {
  if (row.setting !== undefined && row.setting !== '') return row.setting;
  return row.run_id.replace(new RegExp(`^${row.model}-`), '').replace(/-seed\d+$/, '');
}

const LOSS_DOC = 'Softmax cross-entropy';
/** Definitions shared by the report's notes (report/definitions.ts adds the ones that are not columns). */
export const COLUMN_DOCS = {
  loss: LOSS_DOC,
  dead: DEAD_DOC,
  dormant: DORMANT_DOC,
  zeroOutput: ZERO_OUTPUT_DOC,
  gradDead: GRAD_DEAD_DOC,
  zeroGradient: ZERO_GRADIENT_DOC,
} as const;

/** The run's own columns: identity, losses and accuracies, timing (the probes' columns are theirs). */
const RUN_COLUMNS: Record<string, ColumnDef> = {
  run_id: {
    // Run ids name folders (models/<run-id>/): one read from a file must be one the harness writes.
    type: { type: 'text', pattern: { regex: RUN_ID, what: 'a run id (model-setting-seedN)' } },
    check: 'key',
    doc: 'the run: model, activation setting and seed',
    epochs: (c) => c.spec.id,
    dead: (c) => c.spec.id,
    summary: (c) => c.spec.id,
    robustness: (c) => c.spec.id,
    eval: (c) => c.run.run_id,
  },
  model: {
    type: TEXT,
    check: 'exact',
    doc: "the model's name (`mlp`, `cnn`, or a named variant), then a sweep cell's tag (`mlp-lr0.003`)",
    epochs: (c) => modelLabel(c.spec),
    summary: (c) => modelLabel(c.spec),
    eval: (c) => c.run.model,
  },
  activation: {
    type: TEXT,
    check: 'exact',
    doc: "the activation's registered name",
    epochs: (c) => c.spec.activation.name,
    summary: (c) => c.spec.activation.name,
  },
  [VARIED_COLUMN]: {
    type: { type: 'text', pattern: { regex: VARIED_LABEL, what: 'a number or start->end:schedule' } },
    check: 'exact',
    doc:
      "the varied parameter's value (named by `param`; the column keeps N-ReLU's name): in force at the end of " +
      "the epoch (epochs.csv), or the run's constant or `start->end:schedule`",
    epochs: (c) => c.r.varied?.value,
    summary: (c) => variedLabel(c.spec.varied),
  },
  param: {
    type: TEXT,
    check: 'exact',
    later: true,
    doc: "the varied parameter's name (`sigma` for N-ReLU; older folders, without the column: `sigma`)",
    epochs: (c) => c.spec.varied?.param ?? '',
    summary: (c) => c.spec.varied?.param ?? '',
  },
  seed: {
    type: { type: 'int' },
    check: 'exact',
    doc: "the run's seed",
    required: { summary: 'always', eval: 'always' },
    epochs: (c) => c.spec.seed,
    summary: (c) => c.spec.seed,
    eval: (c) => c.run.seed,
  },
  setting: {
    type: TEXT,
    check: 'derived',
    later: true,
    doc: "the run id without model and seed: the comparison's row (older folders: from the run id)",
    summary: (c) => c.spec.setting,
    eval: (c) => settingOf(c.run),
  },
  status: {
    type: { type: 'text', oneOf: ['completed', 'diverged', 'failed'] satisfies FinalStatus[] },
    check: 'exact',
    doc: 'completed, diverged or failed',
    summary: (c) => c.status,
  },
  epochs: {
    type: COUNT,
    check: 'exact',
    doc: 'epochs trained',
    required: { summary: 'always' },
    summary: (c) => c.result?.epochs.length ?? 0,
  },
  epoch: {
    type: { type: 'int', min: 1 },
    check: 'key',
    doc: 'the epoch, from 1',
    required: { epochs: 'always', dead: 'always' },
    epochs: (c) => c.r.epoch,
    dead: (c) => c.r.epoch,
  },
  layer: {
    type: TEXT,
    check: 'key',
    doc: "the hidden layer's name",
    dead: (c) => (c.r.probe as ProbeRecord).layers[c.i],
  },
  noise: {
    type: { type: 'number', min: 0 },
    check: 'key',
    doc: 'standard deviation of the Gaussian noise added to the test inputs',
    required: { robustness: 'always' },
    robustness: (c) => c.noise,
  },
  mode: { type: TEXT, check: 'key', doc: '`deterministic`, `mc:K` or `zero-dead`', eval: (c) => c.mode },
  passes: { type: COUNT, check: 'exact', doc: 'training-mode passes averaged (mc:K)', eval: (c) => c.passes },
  train_loss: {
    type: NONNEGATIVE_OR_DIVERGED,
    check: 'tolerance',
    doc: "mean training loss over the epoch's batches",
    required: { epochs: 'always' },
    epochs: (c) => c.r.trainLoss,
  },
  train_acc: {
    type: ACCURACY,
    check: 'tolerance',
    doc: "training accuracy over the epoch's batches",
    required: { epochs: 'always' },
    epochs: (c) => c.r.trainAcc,
  },
  test_loss: {
    type: NONNEGATIVE_OR_DIVERGED,
    check: 'tolerance',
    doc: 'softmax cross-entropy over the test split',
    required: { epochs: 'always', eval: 'always' },
    epochs: (c) => c.r.testLoss,
    eval: (c) => c.loss,
  },
  test_acc: {
    type: ACCURACY,
    check: 'tolerance',
    doc: 'test accuracy, model in inference mode',
    required: { epochs: 'always', robustness: 'always', eval: 'always' },
    epochs: (c) => c.r.testAcc,
    robustness: (c) => c.testAcc,
    eval: (c) => c.acc,
  },
  recorded_test_acc: {
    type: ACCURACY,
    check: 'tolerance',
    doc: "the run's final_test_acc",
    required: { eval: 'always' },
    eval: (c) => Number(c.run.final_test_acc),
  },
  final_test_acc: {
    type: ACCURACY,
    check: 'tolerance',
    doc: 'test accuracy after the last epoch',
    required: { summary: 'completed' },
    summary: (c) => c.last?.testAcc,
  },
  best_test_acc: {
    type: ACCURACY,
    check: 'tolerance',
    doc: "the best epoch's test accuracy",
    required: { summary: 'completed' },
    summary: (c) => (c.result?.epochs.length ? Math.max(...c.result.epochs.map((e) => e.testAcc)) : null),
  },
  final_test_loss: {
    type: NONNEGATIVE_OR_DIVERGED,
    check: 'tolerance',
    doc: 'test loss after the last epoch',
    required: { summary: 'completed' },
    summary: (c) => c.last?.testLoss,
    compare: {
      csv: 'final_test_loss_mean',
      md: 'final test loss',
      html: 'final test loss',
      format: 'loss',
      note: ['Final test loss', `${LOSS_DOC} over the whole test split after the last epoch, mean over seeds.`],
    },
  },
  epoch_seconds: {
    type: SECONDS,
    check: 'ignored',
    doc: 'wall time of the epoch: training, evaluation and probes',
    epochs: (c) => Number(c.r.epochSeconds.toFixed(3)),
  },
  samples_per_second: {
    type: SECONDS,
    check: 'ignored',
    doc: 'training samples per second of training time',
    epochs: (c) => Math.round(c.r.samplesPerSecond),
  },
  train_seconds: {
    type: SECONDS,
    check: 'ignored',
    doc: "the run's training time",
    summary: (c) => (c.result ? Number(c.result.trainSeconds.toFixed(3)) : null),
  },
  backend: { type: TEXT, check: 'ignored', doc: 'the TF.js backend that trained the run', summary: (c) => c.backend },
};

/** Probe columns that eval.csv carries too: runner/eval.ts measures them on a saved model. */
const EVAL_CELLS: Record<string, (c: EvalContext) => CellValue> = {
  clean_train_loss: (c) => c.cleanTrain?.loss,
  clean_train_acc: (c) => c.cleanTrain?.acc,
};

/** A probe's column as a registry row: each file's cell from the probe's result (empty where it gave none). */
function metricRow(metric: AnyMetric, name: string, column: MetricColumn<unknown>): ColumnDef {
  const { epochs, dead, summary, ...spec } = column;
  const resultOf = (r: EpochRecord | undefined): unknown => r?.probe?.results[metric.name] ?? null;
  const row: ColumnDef = { ...spec };
  if (epochs) row.epochs = (c) => (resultOf(c.r) === null ? null : epochs(resultOf(c.r)));
  if (dead) row.dead = (c) => (resultOf(c.r) === null ? null : dead(resultOf(c.r), c.i));
  if (summary) {
    row.summary = (c) =>
      summary({
        last: resultOf(c.probed),
        all: (c.result?.epochs ?? []).map(resultOf).filter((v) => v !== null),
      });
  }
  if (EVAL_CELLS[name]) row.eval = EVAL_CELLS[name];
  return row;
}

/**
 * The registry's order of the columns that existed when the metrics became descriptors (README's column table, the
 * comparison's columns and the charts follow it); a column added since comes after them, in the probes' order.
 */
const ORDER: readonly string[] = [
  'run_id',
  'model',
  'activation',
  VARIED_COLUMN,
  'param',
  'seed',
  'setting',
  'status',
  'epochs',
  'epoch',
  'layer',
  'noise',
  'mode',
  'passes',
  'train_loss',
  'train_acc',
  'test_loss',
  'test_acc',
  'recorded_test_acc',
  'final_test_acc',
  'best_test_acc',
  'final_test_loss',
  'dead',
  'units',
  'final_dead',
  'dead_fraction',
  'epoch_seconds',
  'samples_per_second',
  'train_seconds',
  'backend',
  'grad_dead',
  'dormant',
  'dormant_fraction',
  'zero_output',
  'grad_dead_fraction',
  'grad_zero_fraction',
  'grad_mean_abs',
  'weight_grad_norm',
  'bias_grad_norm',
  'output_weight_grad_norm',
  'final_dormant',
  'final_zero_output',
  'final_grad_dead',
  'final_grad_zero_fraction',
  'outgoing_grad_share',
  'final_outgoing_grad_share',
  'died',
  'revived',
  'stayed_dead',
  'total_died',
  'total_revived',
  'inactive_pool_mean',
  'preact_shift',
  'final_inactive_pool_mean',
  'clean_train_loss',
  'clean_train_acc',
  'final_clean_train_loss',
  'final_clean_train_acc',
];

/** Every column: the run's own and each probe's, in ORDER, then any added since. */
function buildRegistry(): Record<string, ColumnDef> {
  const rows: [string, ColumnDef][] = Object.entries(RUN_COLUMNS);
  for (const metric of metricDescriptors()) {
    for (const [name, column] of Object.entries(metric.columns)) {
      if (rows.some(([taken]) => taken === name)) throw new Error(`column ${name} of metric ${metric.name} is taken`);
      rows.push([name, metricRow(metric, name, column)]);
    }
  }
  const rank = (name: string): number => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  return Object.fromEntries(rows.sort(([a], [b]) => rank(a) - rank(b)));
}

export const COLUMNS: Record<string, ColumnDef> = buildRegistry();
const REGISTRY = COLUMNS;

/** dead_neurons.csv columns the per-layer table pairs with the baseline by seed, in the probes' order, and their words. */
export function layerMetrics(): { column: string; label: string; optional: boolean }[] {
  return metricDescriptors().flatMap((m) =>
    Object.entries(m.columns).flatMap(([column, c]) =>
      c.layerTable && c.dead ? [{ column, label: c.layerTable.label, optional: c.layerTable.optional === true }] : [],
    ),
  );
}

/**
 * The order of each file's columns that existed before the registry (committed folders keep it);
 * a column added since is written after these, in the registry's order.
 */
const LAYOUT: Record<FileKey, readonly string[]> = {
  epochs: [
    'run_id',
    'model',
    'activation',
    VARIED_COLUMN,
    'seed',
    'epoch',
    'train_loss',
    'train_acc',
    'test_loss',
    'test_acc',
    'dead',
    'units',
    'dead_fraction',
    'epoch_seconds',
    'samples_per_second',
    'dormant',
    'dormant_fraction',
    'zero_output',
    'grad_dead',
    'grad_dead_fraction',
    'grad_zero_fraction',
    'grad_mean_abs',
    'weight_grad_norm',
    'bias_grad_norm',
    'output_weight_grad_norm',
  ],
  dead: [
    'run_id',
    'epoch',
    'layer',
    'dead',
    'units',
    'dormant',
    'zero_output',
    'grad_dead',
    'grad_zero_fraction',
    'grad_mean_abs',
    'weight_grad_norm',
    'bias_grad_norm',
  ],
  summary: [
    'run_id',
    'model',
    'activation',
    VARIED_COLUMN,
    'seed',
    'status',
    'epochs',
    'final_test_acc',
    'best_test_acc',
    'final_test_loss',
    'final_dead',
    'units',
    'train_seconds',
    'backend',
    'final_dormant',
    'final_zero_output',
    'final_grad_dead',
    'final_grad_zero_fraction',
    'setting',
  ],
  robustness: ['run_id', 'noise', 'test_acc'],
  eval: ['run_id', 'model', 'setting', 'seed', 'mode', 'passes', 'test_acc', 'test_loss', 'recorded_test_acc'],
};

/** A file's columns in the order they are written: its layout, then the columns added since. */
export function columnsOf(file: FileKey): string[] {
  const pinned = LAYOUT[file];
  const added = Object.keys(REGISTRY).filter(
    (c) => REGISTRY[c][file] !== undefined && !(pinned as readonly string[]).includes(c),
  );
  return [...pinned, ...added];
}

/** The registry row of a column (undefined for one the harness does not write, e.g. comparison.csv's). */
export function columnDef(name: string): ColumnDef | undefined {
  return Object.prototype.hasOwnProperty.call(REGISTRY, name) ? REGISTRY[name] : undefined;
}

/** Columns of `file` that `check` compares with `rule`. */
export function columnsChecked(file: FileKey, rule: CheckRule): string[] {
  return columnsOf(file).filter((c) => REGISTRY[c].check === rule);
}

/** Summary columns the comparison averages over seeds, in the registry's order (the tables' column order). */
export function comparedMetrics(): { column: string; metric: ComparedMetric }[] {
  return Object.entries(REGISTRY).flatMap(([column, def]) => (def.compare ? [{ column, metric: def.compare }] : []));
}

/** epochs.csv columns drawn per epoch, in the registry's order (the charts' order). */
export function epochCharts(): { column: string; chart: EpochChart }[] {
  return Object.entries(REGISTRY).flatMap(([column, def]) => (def.chart ? [{ column, chart: def.chart }] : []));
}

/** One file's row from its context: every column the file carries, by its accessor. */
export function cellsOf<F extends FileKey>(
  file: F,
  context: Parameters<NonNullable<ColumnDef[F]>>[0],
): Record<string, CellValue> {
  return Object.fromEntries(
    columnsOf(file).map((c) => {
      const cell = REGISTRY[c][file] as ((ctx: typeof context) => CellValue) | undefined;
      return [c, cell ? cell(context) : null];
    }),
  );
}

const FILE_NAMES: Record<FileKey, string> = {
  epochs: 'epochs.csv',
  dead: 'dead_neurons.csv',
  summary: 'summary.csv',
  robustness: 'robustness.csv',
  eval: 'eval.csv',
};

/** The README's column table (`npm run columns` prints it; a test keeps the README equal to it). */
export function columnTable(): string {
  const rows = Object.entries(REGISTRY).map(([name, d]) => {
    const files = (Object.keys(FILE_NAMES) as FileKey[])
      .filter((f) => d[f])
      .map((f) => FILE_NAMES[f])
      .join(', ');
    const range = d.type.oneOf
      ? d.type.oneOf.join(' \\| ')
      : `${d.type.type}` +
        (d.type.min !== undefined || d.type.max !== undefined
          ? ` ${d.type.min ?? '−∞'}..` + `${d.type.max ?? '∞'}`
          : '');
    return (
      `| \`${name}\` | ${files} | ${range} | ${d.check}${d.later ? ', later' : ''} ` +
      `| ${d.doc.replace(/\|/g, '\\|')} |`
    );
  });
  return ['| column | files | type | check | what it holds |', '|---|---|---|---|---|', ...rows].join('\n');
}
