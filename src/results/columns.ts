/**
 * The column registry: one row per column of the result folder's CSVs. A row says what a cell holds
 * (type and range), which files carry it and how each file's cell is computed from a run's results,
 * whether older folders may lack it, what `check` compares, and how the report shows it (the
 * comparison's mean over seeds, a per-epoch chart). Writing (rows.ts), reading and validation
 * (files.ts), `check` (check.ts), the comparison, the HTML report and the charts all read this table;
 * the README's column lists are checked against it (test/results/columns.test.ts).
 *
 * A new metric is its probe plus one row here, written last in each file it names (older folders,
 * without it, still read). The file layouts below pin the order of the columns that existed before
 * the registry, so committed folders keep their bytes.
 */
import { RUN_ID } from './folder-paths.js';
import type { RunSpec } from '../config/types.js';
import { modelLabel } from '../config/grid.js';
import type { EpochResult, RunResult } from '../train/trainer.js';
import { VARIED_COLUMN, VARIED_LABEL, variedLabel } from './varied.js';

/** How a run ended, as summary.csv's `status` column holds it. */
export type FinalStatus = 'completed' | 'diverged' | 'failed';
export type FileKey = 'epochs' | 'dead' | 'summary' | 'robustness' | 'eval';
export type CellValue = string | number | null | undefined;
export type Row = Record<string, string>;

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
  kind: 'dead' | 'grad_dead' | 'dormant' | 'zero_output' | 'outgoing_grad_share' | 'revived' | 'inactive_pool_mean';
  title: string;
  subtitle: string;
  yTitle: string;
  note: string;
  /** The y axis: unit counts (the default, titled `of N hidden units`), a percentage, or a plain value. */
  format?: 'units' | 'pct' | 'value';
}

export interface EpochContext {
  spec: RunSpec;
  r: EpochResult;
}
export interface LayerContext {
  spec: RunSpec;
  r: EpochResult;
  i: number;
}
export interface SummaryContext {
  spec: RunSpec;
  status: FinalStatus;
  result: RunResult | null;
  backend: string;
  /** The last epoch, and the last probed one (dead-neuron probe ran). */
  last: EpochResult | undefined;
  probed: EpochResult | undefined;
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

export interface ColumnDef {
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
  required?: Partial<Record<FileKey, 'always' | 'completed'>>;
  /** The cell in each file that carries the column, from the run's results. */
  epochs?: (c: EpochContext) => CellValue;
  dead?: (c: LayerContext) => CellValue;
  summary?: (c: SummaryContext) => CellValue;
  robustness?: (c: RobustnessContext) => CellValue;
  eval?: (c: EvalContext) => CellValue;
  compare?: ComparedMetric;
  chart?: EpochChart;
}

const TEXT: ColumnType = { type: 'text' };
const COUNT: ColumnType = { type: 'int', min: 0 };
const FRACTION: ColumnType = { type: 'number', min: 0, max: 1 };
/** Accuracy is a fraction of examples; NaN only from a diverged run. */
const ACCURACY: ColumnType = { type: 'number', min: 0, max: 1, special: ['NaN'] };
/** Losses and gradient sizes: >= 0, NaN or Infinity once a run diverged. */
const NONNEGATIVE_OR_DIVERGED: ColumnType = { type: 'number', min: 0, special: ['NaN', 'Infinity'] };
const SIGNED_OR_DIVERGED: ColumnType = { type: 'number', special: ['NaN', 'Infinity'] };
const SECONDS: ColumnType = { type: 'number', min: 0 };

/**
 * The run's setting (its id without model and seed): summary.csv's `setting` column, or, for folders
 * written before it, derived from the id by removing the `<model>-` prefix and the `-seed<N>` suffix.
 */
export function settingOf(row: Row): string {
  if (row.setting !== undefined && row.setting !== '') return row.setting;
  return row.run_id.replace(new RegExp(`^${row.model}-`), '').replace(/-seed\d+$/, '');
}

/** A unit-history count summed over the run's probes; null with fewer than two probes (no history). */
function historyTotal(c: SummaryContext, key: 'died' | 'revived'): number | null {
  const histories = (c.result?.epochs ?? []).flatMap((e) => (e.history ? [e.history] : []));
  return histories.length === 0 ? null : histories.reduce((s, h) => s + h[key], 0);
}

const ratio = (count: number | undefined, units: number | undefined): number | null =>
  count === undefined || units === undefined ? null : count / units;
const layerOf = (c: LayerContext): { dead: number; units: number; name: string } =>
  (c.r.dead as NonNullable<EpochResult['dead']>).layers[c.i];

/** Definitions shared by the report's notes (report/definitions.ts adds the ones that are not columns). */
const DEAD_DOC =
  'Hidden units (Dense units, Conv2D channels; not the output layer) whose pre-activation is <= the ' +
  'threshold for every probe sample, model in inference mode';
const DORMANT_DOC =
  'Units whose mean |activation| over the probe set (and spatial positions), divided by the mean of that ' +
  'score over their layer, is <= tau (default 0.1), model in inference mode';
const ZERO_OUTPUT_DOC =
  "Units whose output is exactly 0 for every probe sample with the model in training mode (the paper's " +
  'sense of "dead"); N-ReLU\'s noise makes this 0 by construction for sigma > 0';
const GRAD_DEAD_DOC =
  'Hidden units whose loss gradient with respect to their pre-activation is exactly 0 for every ' +
  'gradient-probe sample (and, for a Conv2D channel, every position), model in training mode: no gradient ' +
  'reaches their weights. ReLU and N-ReLU (gradient 1[x > 0]) can have them; LeakyReLU, PReLU, GELU and ' +
  'RReLU pass gradient everywhere';
const LOSS_DOC = 'Softmax cross-entropy';
const OUTGOING_DOC =
  "Share of the next linear layer's kernel gradient (squared norm, summed over the gradient-probe samples, " +
  "training mode) that inactive units' outputs (activation input <= 0: N-ReLU's noise) put into its input: " +
  '|G_in|² / (|G_act|² + |G_in|²), through any pooling or dropout in between; 0 for ReLU; ' +
  'epochs.csv: over all hidden layers; smaller with more samples (the noise terms partly cancel), so compare at ' +
  'equal gradient_samples';
const POOL_DOC =
  'Mean of what pooling windows whose pre-activations are all <= 0 pass on (the pooled activation output, training ' +
  'mode, gradient-probe samples): 0 for ReLU; for N-ReLU before a 2x2 max-pool the maximum of four noise values, ' +
  'E = 1.03 sigma, an offset that inference mode does not have; epochs.csv: over all pooled layers; empty without ' +
  'pooling';
const CLEAN_DOC =
  "on the unit probe's training images (the first dead_neurons.samples, 10,000 by default), model in inference " +
  'mode, noise off: a clean training-set score, unlike train_loss/train_acc (running means with the noise on); ' +
  'empty on epochs without a probe or with dead_neurons.probe: test';
const SHIFT_DOC =
  "Mean of the next linear layer's output in training mode minus inference mode, same gradient-probe samples and " +
  'weights: how far the stochastic layers up to this one shift what the next layer sees; 0 for ReLU; epochs.csv: ' +
  'mean over hidden layers';
const HISTORY_DOC =
  "dead in the sense of `dead`, compared unit by unit with the same run's previous probe (same probe samples): " +
  'died = alive then, dead now; revived = dead then, alive now; stayed dead = dead at both. Empty at the first probe';
const ZERO_GRADIENT_DOC = 'the share of (sample, unit) pairs of the gradient probe with zero gradient';
export const COLUMN_DOCS = {
  loss: LOSS_DOC,
  dead: DEAD_DOC,
  dormant: DORMANT_DOC,
  zeroOutput: ZERO_OUTPUT_DOC,
  gradDead: GRAD_DEAD_DOC,
  zeroGradient: ZERO_GRADIENT_DOC,
} as const;

export const COLUMNS = {
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
  layer: { type: TEXT, check: 'key', doc: "the hidden layer's name", dead: (c) => layerOf(c).name },
  noise: {
    type: { type: 'number', min: 0 },
    check: 'key',
    doc: 'standard deviation of the Gaussian noise added to the test inputs',
    required: { robustness: 'always' },
    robustness: (c) => c.noise,
  },
  mode: { type: TEXT, check: 'key', doc: '`deterministic` or `mc:K`', eval: (c) => c.mode },
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
  dead: {
    type: COUNT,
    check: 'count',
    doc: DEAD_DOC,
    required: { dead: 'always' },
    epochs: (c) => c.r.dead?.dead,
    dead: (c) => layerOf(c).dead,
    chart: {
      kind: 'dead',
      title: 'Dead units per epoch',
      subtitle: 'pre-activation <= threshold on every probe sample',
      yTitle: 'dead units',
      note: `${DEAD_DOC}; epochs without a probe are skipped.`,
    },
  },
  units: {
    type: COUNT,
    check: 'exact',
    doc: 'hidden units probed (the denominator of the counts)',
    required: { dead: 'always' },
    epochs: (c) => c.r.dead?.units,
    dead: (c) => layerOf(c).units,
    summary: (c) => c.probed?.dead?.units,
  },
  final_dead: {
    type: COUNT,
    check: 'count',
    doc: 'dead units at the last probed epoch',
    summary: (c) => c.probed?.dead?.dead,
    compare: {
      csv: 'dead_mean',
      md: 'dead',
      html: 'dead units',
      format: 'units',
      note: ['Dead units', `${DEAD_DOC}, at the last probed epoch; mean over seeds, out of all hidden units.`],
    },
  },
  dead_fraction: {
    type: FRACTION,
    check: 'derived',
    doc: 'dead / units',
    epochs: (c) => ratio(c.r.dead?.dead, c.r.dead?.units),
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
  grad_dead: {
    type: COUNT,
    check: 'count',
    later: true,
    doc: GRAD_DEAD_DOC,
    epochs: (c) => c.r.gradient?.gradDead,
    dead: (c) => c.r.gradient?.layers[c.i]?.gradDead,
    chart: {
      kind: 'grad_dead',
      title: 'Gradient-dead units per epoch',
      subtitle: 'dL/d(pre-activation) exactly 0 on every gradient-probe sample',
      yTitle: 'gradient-dead units',
      note: `${GRAD_DEAD_DOC}. Epochs without a probe are skipped.`,
    },
  },
  dormant: {
    type: COUNT,
    check: 'count',
    later: true,
    doc: DORMANT_DOC,
    epochs: (c) => c.r.activity?.dormant,
    dead: (c) => c.r.activity?.layers[c.i]?.dormant,
    chart: {
      kind: 'dormant',
      title: 'Dormant units per epoch',
      subtitle: 'normalised mean |activation| <= tau',
      yTitle: 'dormant units',
      note: `${DORMANT_DOC}. Epochs without a probe are skipped.`,
    },
  },
  dormant_fraction: {
    type: FRACTION,
    check: 'derived',
    later: true,
    doc: 'dormant / units',
    epochs: (c) => ratio(c.r.activity?.dormant, c.r.activity?.units),
  },
  zero_output: {
    type: COUNT,
    check: 'count',
    later: true,
    doc: ZERO_OUTPUT_DOC,
    epochs: (c) => c.r.activity?.zeroOutput,
    dead: (c) => c.r.activity?.layers[c.i]?.zeroOutput,
    chart: {
      kind: 'zero_output',
      title: 'Units with zero output per epoch',
      subtitle: 'output exactly 0 on every probe sample, training mode',
      yTitle: 'zero-output units',
      note: `${ZERO_OUTPUT_DOC}.`,
    },
  },
  grad_dead_fraction: {
    type: FRACTION,
    check: 'derived',
    later: true,
    doc: 'grad_dead / units',
    epochs: (c) => ratio(c.r.gradient?.gradDead, c.r.gradient?.units),
  },
  grad_zero_fraction: {
    type: FRACTION,
    check: 'tolerance',
    later: true,
    doc: ZERO_GRADIENT_DOC,
    epochs: (c) => c.r.gradient?.zeroFraction,
    dead: (c) => c.r.gradient?.layers[c.i]?.zeroFraction,
  },
  grad_mean_abs: {
    type: NONNEGATIVE_OR_DIVERGED,
    check: 'tolerance',
    later: true,
    doc: 'mean |dL/d(pre-activation)| over the gradient probe',
    epochs: (c) => c.r.gradient?.meanAbsGrad,
    dead: (c) => c.r.gradient?.layers[c.i]?.meanAbsGrad,
  },
  weight_grad_norm: {
    type: NONNEGATIVE_OR_DIVERGED,
    check: 'tolerance',
    later: true,
    doc: "L2 norm of the mean loss's gradient with respect to the kernels",
    epochs: (c) => c.r.gradient?.weightGradNorm,
    dead: (c) => c.r.gradient?.layers[c.i]?.weightGradNorm,
  },
  bias_grad_norm: {
    type: NONNEGATIVE_OR_DIVERGED,
    check: 'tolerance',
    later: true,
    doc: "L2 norm of the mean loss's gradient with respect to the biases",
    epochs: (c) => c.r.gradient?.biasGradNorm,
    dead: (c) => c.r.gradient?.layers[c.i]?.biasGradNorm,
  },
  output_weight_grad_norm: {
    type: NONNEGATIVE_OR_DIVERGED,
    check: 'tolerance',
    later: true,
    doc: "the same norm for the output layer's kernel alone",
    epochs: (c) => c.r.gradient?.output.weightGradNorm,
  },
  final_dormant: {
    type: COUNT,
    check: 'count',
    later: true,
    doc: 'dormant units at the last probed epoch',
    summary: (c) => c.probed?.activity?.dormant,
    compare: {
      csv: 'dormant_mean',
      md: 'dormant',
      html: 'dormant units',
      format: 'units',
      optional: true,
      note: ['Dormant units', `${DORMANT_DOC}; at the last probed epoch, mean over seeds.`],
    },
  },
  final_zero_output: {
    type: COUNT,
    check: 'count',
    later: true,
    doc: 'zero-output units at the last probed epoch',
    summary: (c) => c.probed?.activity?.zeroOutput,
    compare: {
      csv: 'zero_output_mean',
      md: 'zero output',
      html: 'zero-output units',
      format: 'units',
      optional: true,
      note: ['Zero-output units', `${ZERO_OUTPUT_DOC}.`],
    },
  },
  final_grad_dead: {
    type: COUNT,
    check: 'count',
    later: true,
    doc: 'gradient-dead units at the last probed epoch',
    summary: (c) => c.probed?.gradient?.gradDead,
    compare: {
      csv: 'grad_dead_mean',
      md: 'grad-dead',
      html: 'gradient-dead units',
      format: 'units',
      optional: true,
      note: [
        'Gradient-dead units, zero-gradient pairs',
        `${GRAD_DEAD_DOC}; and ${ZERO_GRADIENT_DOC}; at the last probed epoch, mean over seeds.`,
      ],
    },
  },
  final_grad_zero_fraction: {
    type: FRACTION,
    check: 'tolerance',
    later: true,
    doc: 'grad_zero_fraction at the last probed epoch',
    summary: (c) => c.probed?.gradient?.zeroFraction,
    compare: {
      csv: 'grad_zero_fraction_mean',
      md: 'zero grad (%)',
      html: 'zero-gradient pairs (%)',
      format: 'pct',
      optional: true,
    },
  },
  outgoing_grad_share: {
    type: { type: 'number', min: 0, max: 1, special: ['NaN'] },
    check: 'tolerance',
    later: true,
    doc: OUTGOING_DOC,
    epochs: (c) => c.r.gradient?.outgoingGradShare,
    dead: (c) => c.r.gradient?.layers[c.i]?.outgoingGradShare,
    chart: {
      kind: 'outgoing_grad_share',
      title: 'Outgoing-gradient share per epoch',
      subtitle: "share of the next layer's kernel gradient from inactive units' outputs, all hidden layers",
      yTitle: 'outgoing-gradient share',
      note: `${OUTGOING_DOC}. Epochs without a probe are skipped.`,
      format: 'pct',
    },
  },
  final_outgoing_grad_share: {
    type: { type: 'number', min: 0, max: 1, special: ['NaN'] },
    check: 'tolerance',
    later: true,
    doc: 'outgoing_grad_share at the last probed epoch',
    summary: (c) => c.probed?.gradient?.outgoingGradShare,
    compare: {
      csv: 'outgoing_grad_share_mean',
      md: 'out-grad share (%)',
      html: 'outgoing-gradient share (%)',
      format: 'pct',
      optional: true,
      mdNote:
        "Out-grad share: share of the next layer's kernel gradient (squared norm) that inactive units' outputs put " +
        'there, at the last probe (0 for ReLU; README, "Gradient flow").',
      note: ['Outgoing-gradient share', `${OUTGOING_DOC}; at the last probed epoch, mean over seeds.`],
    },
  },
  died: {
    type: COUNT,
    check: 'count',
    later: true,
    doc: `hidden units that died since the previous probe (${HISTORY_DOC})`,
    epochs: (c) => c.r.history?.died,
    dead: (c) => c.r.history?.layers[c.i]?.died,
  },
  revived: {
    type: COUNT,
    check: 'count',
    later: true,
    doc: 'hidden units that revived since the previous probe (see died)',
    epochs: (c) => c.r.history?.revived,
    dead: (c) => c.r.history?.layers[c.i]?.revived,
    chart: {
      kind: 'revived',
      title: 'Revived units per probe',
      subtitle: 'dead at the previous probe, alive at this one',
      yTitle: 'revived units',
      note: `Hidden units ${HISTORY_DOC}. Epochs without a probe, and the first probe, are skipped.`,
    },
  },
  stayed_dead: {
    type: COUNT,
    check: 'count',
    later: true,
    doc: 'hidden units dead at both this probe and the previous one (see died)',
    epochs: (c) => c.r.history?.stayedDead,
    dead: (c) => c.r.history?.layers[c.i]?.stayedDead,
  },
  total_died: {
    type: COUNT,
    check: 'count',
    later: true,
    doc: "`died` summed over the run's probes (empty with fewer than two probes)",
    summary: (c) => historyTotal(c, 'died'),
    compare: { csv: 'total_died_mean', md: 'died', html: 'units died (total)', format: 'count', optional: true },
  },
  total_revived: {
    type: COUNT,
    check: 'count',
    later: true,
    doc: "`revived` summed over the run's probes (empty with fewer than two probes)",
    summary: (c) => historyTotal(c, 'revived'),
    compare: {
      csv: 'total_revived_mean',
      md: 'revived',
      html: 'units revived (total)',
      format: 'count',
      optional: true,
      mdNote:
        'Died / revived: hidden units dead at a probe that were alive at the previous one / alive that were dead, ' +
        'summed over the run (means over seeds).',
      note: [
        'Units died, units revived',
        `Hidden units ${HISTORY_DOC}; summed over the run's probes, mean over seeds. A unit can count more than once.`,
      ],
    },
  },
  inactive_pool_mean: {
    type: SIGNED_OR_DIVERGED,
    check: 'tolerance',
    later: true,
    doc: POOL_DOC,
    epochs: (c) => c.r.gradient?.inactivePoolMean,
    dead: (c) => c.r.gradient?.layers[c.i]?.inactivePoolMean,
    chart: {
      kind: 'inactive_pool_mean',
      title: 'What inactive pooling windows pass on, per epoch',
      subtitle: 'windows whose pre-activations are all <= 0, training mode',
      yTitle: 'mean output of inactive windows',
      note: `${POOL_DOC}. Epochs without a probe, and models without pooling, are skipped.`,
      format: 'value',
    },
  },
  preact_shift: {
    type: SIGNED_OR_DIVERGED,
    check: 'tolerance',
    later: true,
    doc: SHIFT_DOC,
    epochs: (c) => c.r.gradient?.preactShift,
    dead: (c) => c.r.gradient?.layers[c.i]?.preactShift,
  },
  final_inactive_pool_mean: {
    type: SIGNED_OR_DIVERGED,
    check: 'tolerance',
    later: true,
    doc: 'inactive_pool_mean at the last probed epoch (empty without pooling)',
    summary: (c) => c.probed?.gradient?.inactivePoolMean,
    compare: {
      csv: 'inactive_pool_mean_mean',
      md: 'inactive-pool out',
      html: 'inactive windows pass on',
      format: 'loss',
      optional: true,
      mdNote:
        'Inactive-pool out: mean of what pooling windows whose pre-activations are all <= 0 pass on in training ' +
        'mode, at the last probe (0 for ReLU; about 1.03 sigma for N-ReLU before a 2x2 max-pool; README, ' +
        '"Gradient flow").',
      note: ['What inactive pooling windows pass on', `${POOL_DOC}; at the last probed epoch, mean over seeds.`],
    },
  },
  clean_train_loss: {
    type: NONNEGATIVE_OR_DIVERGED,
    check: 'tolerance',
    later: true,
    doc: `softmax cross-entropy ${CLEAN_DOC}; eval.csv: of the saved model, deterministic mode only`,
    epochs: (c) => c.r.cleanTrain?.loss,
    eval: (c) => c.cleanTrain?.loss,
  },
  clean_train_acc: {
    type: ACCURACY,
    check: 'tolerance',
    later: true,
    doc: `accuracy ${CLEAN_DOC}; eval.csv: of the saved model, deterministic mode only`,
    epochs: (c) => c.r.cleanTrain?.acc,
    eval: (c) => c.cleanTrain?.acc,
  },
  final_clean_train_loss: {
    type: NONNEGATIVE_OR_DIVERGED,
    check: 'tolerance',
    later: true,
    doc: 'clean_train_loss at the last probed epoch',
    summary: (c) => c.probed?.cleanTrain?.loss,
    compare: {
      csv: 'clean_train_loss_mean',
      md: 'clean train loss',
      html: 'clean training loss',
      format: 'loss',
      optional: true,
      mdNote:
        "Clean train loss / acc: on the unit probe's training images in inference mode (noise off), at the last " +
        'probe: how well the model fits the training set, which train_loss (noise on) cannot say.',
      note: ['Clean training loss', `Softmax cross-entropy ${CLEAN_DOC}; at the last probed epoch, mean over seeds.`],
    },
  },
  final_clean_train_acc: {
    type: ACCURACY,
    check: 'tolerance',
    later: true,
    doc: 'clean_train_acc at the last probed epoch',
    summary: (c) => c.probed?.cleanTrain?.acc,
    compare: {
      csv: 'clean_train_acc_mean',
      md: 'clean train acc (%)',
      html: 'clean training accuracy (%)',
      format: 'pct',
      optional: true,
      note: ['Clean training accuracy', `Accuracy ${CLEAN_DOC}; at the last probed epoch, mean over seeds.`],
    },
  },
} satisfies Record<string, ColumnDef>;

export type ColumnName = keyof typeof COLUMNS;
const REGISTRY: Record<string, ColumnDef> = COLUMNS;

/**
 * The order of each file's columns that existed before the registry (committed folders keep it);
 * a column added since is written after these, in the registry's order.
 */
const LAYOUT: Record<FileKey, readonly ColumnName[]> = {
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
