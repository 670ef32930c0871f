/**
 * The unit probe's descriptor: dead, dormant and zero-output units of each hidden layer, and the clean training-set
 * score, all from one pass over the probe samples (unit-activity.ts, `probeUnits`). Its columns: `dead`, `units`,
 * `dormant`, `zero_output` per epoch and per layer (with their fractions per epoch), their values at the last probe in
 * summary.csv, and `clean_train_loss`/`clean_train_acc`.
 */
import type { DeadNeuronReport } from './dead-neurons.js';
import { probeUnits, type ProbeFit, type UnitActivityReport } from './unit-activity.js';
import { ACCURACY, COUNT, FRACTION, NONNEGATIVE_OR_DIVERGED, type MetricDescriptor } from './descriptor.js';

export interface UnitProbeResult {
  dead: DeadNeuronReport;
  /** Dormant and zero-output units. */
  activity: UnitActivityReport;
  /**
   * Loss and accuracy on the probe's training images in inference mode, noise off: a clean training-set score (null
   * when the probe samples are test images).
   */
  cleanTrain: ProbeFit | null;
}

/** Definitions shared by the report's notes (results/columns.ts `COLUMN_DOCS`). */
export const DEAD_DOC =
  'Hidden units (Dense units, Conv2D channels; not the output layer) whose pre-activation is <= the ' +
  'threshold for every probe sample, model in inference mode';
export const DORMANT_DOC =
  'Units whose mean |activation| over the probe set (and spatial positions), divided by the mean of that ' +
  'score over their layer, is <= tau (default 0.1), model in inference mode';
export const ZERO_OUTPUT_DOC =
  "Units whose output is exactly 0 for every probe sample with the model in training mode (the paper's " +
  'sense of "dead"); N-ReLU\'s noise makes this 0 by construction for sigma > 0';
const CLEAN_DOC =
  "on the unit probe's training images (the first dead_neurons.samples, 10,000 by default), model in inference " +
  'mode, noise off: a clean training-set score, unlike train_loss/train_acc (running means with the noise on); ' +
  'empty on epochs without a probe or with dead_neurons.probe: test';

export const unitProbe: MetricDescriptor<UnitProbeResult> = {
  name: 'units',
  doc: 'dead, dormant and zero-output units per hidden layer, and the clean training-set score, in one pass',
  async measure({ model, x, labels, settings }) {
    const { threshold, dormantTau: tau } = settings;
    const { dead, activity, fit } = await probeUnits(model, x, { threshold, tau, labels });
    return { dead: dead as DeadNeuronReport, activity: activity as UnitActivityReport, cleanTrain: fit };
  },
  columns: {
    dead: {
      type: COUNT,
      check: 'count',
      doc: DEAD_DOC,
      required: { dead: 'always' },
      epochs: (v) => v.dead.dead,
      dead: (v, i) => v.dead.layers[i].dead,
      chart: {
        kind: 'dead',
        title: 'Dead units per epoch',
        subtitle: 'pre-activation <= threshold on every probe sample',
        yTitle: 'dead units',
        note: `${DEAD_DOC}; epochs without a probe are skipped.`,
      },
      layerTable: { label: 'dead' },
    },
    units: {
      type: COUNT,
      check: 'exact',
      doc: 'hidden units probed (the denominator of the counts)',
      required: { dead: 'always' },
      epochs: (v) => v.dead.units,
      dead: (v, i) => v.dead.layers[i].units,
      summary: (s) => s.last?.dead.units,
    },
    final_dead: {
      type: COUNT,
      check: 'count',
      doc: 'dead units at the last probed epoch',
      summary: (s) => s.last?.dead.dead,
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
      epochs: (v) => v.dead.dead / v.dead.units,
    },
    dormant: {
      type: COUNT,
      check: 'count',
      later: true,
      doc: DORMANT_DOC,
      epochs: (v) => v.activity.dormant,
      dead: (v, i) => v.activity.layers[i]?.dormant,
      chart: {
        kind: 'dormant',
        title: 'Dormant units per epoch',
        subtitle: 'normalised mean |activation| <= tau',
        yTitle: 'dormant units',
        note: `${DORMANT_DOC}. Epochs without a probe are skipped.`,
      },
      layerTable: { label: 'dormant' },
    },
    dormant_fraction: {
      type: FRACTION,
      check: 'derived',
      later: true,
      doc: 'dormant / units',
      epochs: (v) => v.activity.dormant / v.activity.units,
    },
    zero_output: {
      type: COUNT,
      check: 'count',
      later: true,
      doc: ZERO_OUTPUT_DOC,
      epochs: (v) => v.activity.zeroOutput,
      dead: (v, i) => v.activity.layers[i]?.zeroOutput,
      chart: {
        kind: 'zero_output',
        title: 'Units with zero output per epoch',
        subtitle: 'output exactly 0 on every probe sample, training mode',
        yTitle: 'zero-output units',
        note: `${ZERO_OUTPUT_DOC}.`,
      },
    },
    final_dormant: {
      type: COUNT,
      check: 'count',
      later: true,
      doc: 'dormant units at the last probed epoch',
      summary: (s) => s.last?.activity.dormant,
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
      summary: (s) => s.last?.activity.zeroOutput,
      compare: {
        csv: 'zero_output_mean',
        md: 'zero output',
        html: 'zero-output units',
        format: 'units',
        optional: true,
        note: ['Zero-output units', `${ZERO_OUTPUT_DOC}.`],
      },
    },
    clean_train_loss: {
      type: NONNEGATIVE_OR_DIVERGED,
      check: 'tolerance',
      later: true,
      doc: `softmax cross-entropy ${CLEAN_DOC}; eval.csv: of the saved model, deterministic mode only`,
      epochs: (v) => v.cleanTrain?.loss,
    },
    clean_train_acc: {
      type: ACCURACY,
      check: 'tolerance',
      later: true,
      doc: `accuracy ${CLEAN_DOC}; eval.csv: of the saved model, deterministic mode only`,
      epochs: (v) => v.cleanTrain?.acc,
    },
    final_clean_train_loss: {
      type: NONNEGATIVE_OR_DIVERGED,
      check: 'tolerance',
      later: true,
      doc: 'clean_train_loss at the last probed epoch',
      summary: (s) => s.last?.cleanTrain?.loss,
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
      summary: (s) => s.last?.cleanTrain?.acc,
      compare: {
        csv: 'clean_train_acc_mean',
        md: 'clean train acc (%)',
        html: 'clean training accuracy (%)',
        format: 'pct',
        optional: true,
        note: ['Clean training accuracy', `Accuracy ${CLEAN_DOC}; at the last probed epoch, mean over seeds.`],
      },
    },
  },
};
