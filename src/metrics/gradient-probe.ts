/**
 * The gradient probe's descriptor: gradient flow through the hidden units on the gradient-probe samples
 * (gradient-flow.ts, `probeGradients`): gradient-dead units, zero-gradient pairs, gradient sizes, the outgoing-gradient
 * share, what inactive pooling windows pass on, the shift of the next layer's pre-activation. It gives nothing with
 * dead_neurons.gradient_samples 0.
 */
import { probeGradients, type GradientReport } from './gradient-flow.js';
import {
  COUNT,
  FRACTION,
  NONNEGATIVE_OR_DIVERGED,
  SIGNED_OR_DIVERGED,
  type ColumnType,
  type MetricDescriptor,
} from './descriptor.js';

/** Definitions shared by the report's notes (results/columns.ts `COLUMN_DOCS`). */
export const GRAD_DEAD_DOC =
  'Hidden units whose loss gradient with respect to their pre-activation is exactly 0 for every ' +
  'gradient-probe sample (and, for a Conv2D channel, every position), model in training mode: no gradient ' +
  'reaches their weights. ReLU and N-ReLU (gradient 1[x > 0]) can have them; LeakyReLU, PReLU, GELU and ' +
  'RReLU pass gradient everywhere';
export const ZERO_GRADIENT_DOC = 'the share of (sample, unit) pairs of the gradient probe with zero gradient';
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
const SHIFT_DOC =
  "Mean of the next linear layer's output in training mode minus inference mode, same gradient-probe samples and " +
  'weights: how far the stochastic layers up to this one shift what the next layer sees; 0 for ReLU; epochs.csv: ' +
  'mean over hidden layers';
const SHARE: ColumnType = { type: 'number', min: 0, max: 1, special: ['NaN'] };

export const gradientProbe: MetricDescriptor<GradientReport> = {
  name: 'gradient',
  doc: 'gradient flow through the hidden units on the gradient-probe samples, model in training mode',
  async measure({ model, gradX, gradY }) {
    return gradX && gradY ? await probeGradients(model, gradX, gradY) : null;
  },
  columns: {
    grad_dead: {
      type: COUNT,
      check: 'count',
      later: true,
      doc: GRAD_DEAD_DOC,
      epochs: (v) => v.gradDead,
      dead: (v, i) => v.layers[i]?.gradDead,
      chart: {
        kind: 'grad_dead',
        title: 'Gradient-dead units per epoch',
        subtitle: 'dL/d(pre-activation) exactly 0 on every gradient-probe sample',
        yTitle: 'gradient-dead units',
        note: `${GRAD_DEAD_DOC}. Epochs without a probe are skipped.`,
      },
      layerTable: { label: 'grad-dead' },
    },
    grad_dead_fraction: {
      type: FRACTION,
      check: 'derived',
      later: true,
      doc: 'grad_dead / units',
      epochs: (v) => v.gradDead / v.units,
    },
    grad_zero_fraction: {
      type: FRACTION,
      check: 'tolerance',
      later: true,
      doc: ZERO_GRADIENT_DOC,
      epochs: (v) => v.zeroFraction,
      dead: (v, i) => v.layers[i]?.zeroFraction,
    },
    grad_mean_abs: {
      type: NONNEGATIVE_OR_DIVERGED,
      check: 'tolerance',
      later: true,
      doc: 'mean |dL/d(pre-activation)| over the gradient probe',
      epochs: (v) => v.meanAbsGrad,
      dead: (v, i) => v.layers[i]?.meanAbsGrad,
    },
    weight_grad_norm: {
      type: NONNEGATIVE_OR_DIVERGED,
      check: 'tolerance',
      later: true,
      doc: "L2 norm of the mean loss's gradient with respect to the kernels",
      epochs: (v) => v.weightGradNorm,
      dead: (v, i) => v.layers[i]?.weightGradNorm,
    },
    bias_grad_norm: {
      type: NONNEGATIVE_OR_DIVERGED,
      check: 'tolerance',
      later: true,
      doc: "L2 norm of the mean loss's gradient with respect to the biases",
      epochs: (v) => v.biasGradNorm,
      dead: (v, i) => v.layers[i]?.biasGradNorm,
    },
    output_weight_grad_norm: {
      type: NONNEGATIVE_OR_DIVERGED,
      check: 'tolerance',
      later: true,
      doc: "the same norm for the output layer's kernel alone",
      epochs: (v) => v.output.weightGradNorm,
    },
    final_grad_dead: {
      type: COUNT,
      check: 'count',
      later: true,
      doc: 'gradient-dead units at the last probed epoch',
      summary: (s) => s.last?.gradDead,
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
      summary: (s) => s.last?.zeroFraction,
      compare: {
        csv: 'grad_zero_fraction_mean',
        md: 'zero grad (%)',
        html: 'zero-gradient pairs (%)',
        format: 'pct',
        optional: true,
      },
    },
    outgoing_grad_share: {
      type: SHARE,
      check: 'tolerance',
      later: true,
      doc: OUTGOING_DOC,
      epochs: (v) => v.outgoingGradShare,
      dead: (v, i) => v.layers[i]?.outgoingGradShare,
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
      type: SHARE,
      check: 'tolerance',
      later: true,
      doc: 'outgoing_grad_share at the last probed epoch',
      summary: (s) => s.last?.outgoingGradShare,
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
    inactive_pool_mean: {
      type: SIGNED_OR_DIVERGED,
      check: 'tolerance',
      later: true,
      doc: POOL_DOC,
      epochs: (v) => v.inactivePoolMean,
      dead: (v, i) => v.layers[i]?.inactivePoolMean,
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
      epochs: (v) => v.preactShift,
      dead: (v, i) => v.layers[i]?.preactShift,
    },
    final_inactive_pool_mean: {
      type: SIGNED_OR_DIVERGED,
      check: 'tolerance',
      later: true,
      doc: 'inactive_pool_mean at the last probed epoch (empty without pooling)',
      summary: (s) => s.last?.inactivePoolMean,
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
  },
};
