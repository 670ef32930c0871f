/**
 * The rows a run contributes to the result folder's CSVs, built from the trainer's results. Pure
 * functions: the same results give the same rows whichever process trained the run.
 */
import type { RunSpec } from '../config/types.js';
import type { EpochResult, RunResult } from '../train/trainer.js';
import type { DeadCells, EpochCells, RobustnessCells, SummaryCells } from './files.js';
import type { FinalStatus } from './manifest.js';

/** The sigma column: the constant value, or `start->end:schedule` for an annealed sigma. */
export function sigmaLabel(spec: RunSpec): string {
  if (!spec.sigma) return '';
  const s = spec.sigma;
  return s.schedule === 'constant' ? String(s.start) : `${s.start}->${s.end}:${s.schedule}`;
}

/** One epochs.csv row. */
export function epochRow(spec: RunSpec, r: EpochResult): EpochCells {
  return {
    run_id: spec.id, model: spec.modelName ?? spec.model, activation: spec.activation.name, sigma: r.sigma, seed: spec.seed,
    epoch: r.epoch, train_loss: r.trainLoss, train_acc: r.trainAcc, test_loss: r.testLoss, test_acc: r.testAcc,
    dead: r.dead?.dead, units: r.dead?.units, dead_fraction: r.dead ? r.dead.dead / r.dead.units : null,
    epoch_seconds: Number(r.epochSeconds.toFixed(3)), samples_per_second: Math.round(r.samplesPerSecond),
    dormant: r.activity?.dormant, dormant_fraction: r.activity ? r.activity.dormant / r.activity.units : null,
    zero_output: r.activity?.zeroOutput,
    ...gradientCells(r),
  };
}

/** epochs.csv's gradient-probe cells (empty on epochs it skips). */
function gradientCells(r: EpochResult): Pick<EpochCells, 'grad_dead' | 'grad_dead_fraction' | 'grad_zero_fraction' | 'grad_mean_abs' | 'weight_grad_norm' | 'bias_grad_norm' | 'output_weight_grad_norm'> {
  const g = r.gradient;
  return {
    grad_dead: g?.gradDead, grad_dead_fraction: g ? g.gradDead / g.units : null, grad_zero_fraction: g?.zeroFraction,
    grad_mean_abs: g?.meanAbsGrad, weight_grad_norm: g?.weightGradNorm, bias_grad_norm: g?.biasGradNorm,
    output_weight_grad_norm: g?.output.weightGradNorm,
  };
}

/** dead_neurons.csv rows of one epoch: one per hidden layer (none on epochs the probe skips). */
export function deadRows(spec: RunSpec, r: EpochResult): DeadCells[] {
  if (!r.dead) return [];
  return r.dead.layers.map((l, i) => ({
    run_id: spec.id, epoch: r.epoch, layer: l.name, dead: l.dead, units: l.units,
    dormant: r.activity?.layers[i]?.dormant, zero_output: r.activity?.layers[i]?.zeroOutput,
    grad_dead: r.gradient?.layers[i]?.gradDead, grad_zero_fraction: r.gradient?.layers[i]?.zeroFraction,
    grad_mean_abs: r.gradient?.layers[i]?.meanAbsGrad, weight_grad_norm: r.gradient?.layers[i]?.weightGradNorm,
    bias_grad_norm: r.gradient?.layers[i]?.biasGradNorm,
  }));
}

/** robustness.csv rows of a finished run. */
export function robustnessRows(spec: RunSpec, result: RunResult | null): RobustnessCells[] {
  return (result?.robustness ?? []).map((r) => ({ run_id: spec.id, noise: r.noise, test_acc: r.testAcc }));
}

/** The run's summary.csv row. */
export function summaryRow(spec: RunSpec, status: FinalStatus, result: RunResult | null, backend: string): SummaryCells {
  const epochs = result?.epochs ?? [];
  const last = epochs[epochs.length - 1];
  const lastProbed = [...epochs].reverse().find((e) => e.dead);
  const lastDead = lastProbed?.dead;
  return {
    run_id: spec.id, model: spec.modelName ?? spec.model, activation: spec.activation.name, sigma: sigmaLabel(spec), seed: spec.seed,
    status, epochs: epochs.length, final_test_acc: last?.testAcc, best_test_acc: epochs.length ? Math.max(...epochs.map((e) => e.testAcc)) : null,
    final_test_loss: last?.testLoss, final_dead: lastDead?.dead, units: lastDead?.units,
    train_seconds: result ? Number(result.trainSeconds.toFixed(3)) : null, backend,
    final_dormant: lastProbed?.activity?.dormant, final_zero_output: lastProbed?.activity?.zeroOutput,
    final_grad_dead: lastProbed?.gradient?.gradDead, final_grad_zero_fraction: lastProbed?.gradient?.zeroFraction,
    setting: spec.setting,
  };
}
