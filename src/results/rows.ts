/**
 * The rows a run contributes to the result folder's CSVs, built from the run's record (metrics/record.ts) by the
 * column registry's accessors (columns.ts). Pure functions: the same results give the same rows
 * whichever process trained the run.
 */
import type { RunSpec } from '../config/types.js';
import type { EpochRecord, RunRecord } from '../metrics/record.js';
import { cellsOf, type Row } from './columns.js';
import type { Cells } from './files.js';
import type { FinalStatus } from './manifest.js';

/** One epochs.csv row. */
export function epochRow(spec: RunSpec, r: EpochRecord): Cells {
  return cellsOf('epochs', { spec, r });
}

/** dead_neurons.csv rows of one epoch: one per hidden layer probed (none on epochs the probes skip). */
export function deadRows(spec: RunSpec, r: EpochRecord): Cells[] {
  return (r.probe?.layers ?? []).map((_, i) => cellsOf('dead', { spec, r, i }));
}

/** robustness.csv rows of a finished run. */
export function robustnessRows(spec: RunSpec, result: RunRecord | null): Cells[] {
  return (result?.robustness ?? []).map((p) => cellsOf('robustness', { spec, noise: p.noise, testAcc: p.testAcc }));
}

/** The run's summary.csv row: its last epoch, and its last probed one for the unit counts. */
export function summaryRow(spec: RunSpec, status: FinalStatus, result: RunRecord | null, backend: string): Cells {
  const epochs = result?.epochs ?? [];
  const probed = [...epochs].reverse().find((e) => e.probe);
  return cellsOf('summary', { spec, status, result, backend, last: epochs[epochs.length - 1], probed });
}

/**
 * One eval.csv row: a saved model's test accuracy and loss in one mode, beside the run's recorded accuracy, and its
 * clean training-set score when measured.
 */
export function evalRow(
  run: Row,
  mode: string,
  passes: number | null,
  r: { acc: number; loss: number },
  cleanTrain: { acc: number; loss: number } | null = null,
): Cells {
  return cellsOf('eval', { run, mode, passes, acc: r.acc, loss: r.loss, cleanTrain });
}
