/**
 * `nrelu-bench eval`: re-evaluates the models a grid saved (`run --save-models`) on its test set, in
 * inference mode (`deterministic`, which must reproduce the run's recorded final accuracy) or as the
 * softmax averaged over K training-mode passes (`mc:K`, train/mc-eval.ts). Rows go to eval.csv, one per
 * run and mode (a rerun of the same mode replaces its rows), which the comparison reads. A deterministic evaluation
 * also scores the unit probe's training images (the clean training-set score, as the trainer's probe does).
 *
 * A results folder is data: eval loads the dataset the manifest names and the saved models' built-in
 * layers, never a module the folder names. A model whose layer class is not registered fails with that said.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, ResultsError, errorMessage } from '../errors.js';
import { loadDataset } from '../data/datasets.js';
import { toDeviceData } from '../train/device-data.js';
import { evaluate } from '../train/trainer.js';
import { evaluateMonteCarlo } from '../train/mc-eval.js';
import { loadSavedModel } from '../models/saved.js';
import { EVAL_COLUMNS, readRows, resultPaths, writeRows, type CellValue } from '../results/files.js';
import { writeComparison } from '../report/write.js';
import { evalRow } from '../results/rows.js';
import { readManifest } from '../results/manifest.js';
import { MODELS_DIR } from '../results/writer.js';
import {
  WebGpuError,
  assertWebGpuHealthy,
  clearWebGpuFaults,
  provokeWebGpuValidationError,
} from '../backend/webgpu-errors.js';
import { WEBGPU_FAULT_ENV } from './protocol.js';

export type EvalMode = { kind: 'deterministic' } | { kind: 'mc'; passes: number };

/** `deterministic` or `mc:K` (K a positive integer). */
export function parseEvalMode(text: string): EvalMode {
  if (text === 'deterministic') return { kind: 'deterministic' };
  const m = /^mc:(\d+)$/.exec(text);
  if (m && Number(m[1]) >= 1) return { kind: 'mc', passes: Number(m[1]) };
  throw new UsageError(`--mode ${text}: expected deterministic or mc:K with K a positive integer`, {
    hint: 'e.g. --mode mc:20',
  });
}

/** The mode as eval.csv writes it. */
export const modeLabel = (m: EvalMode): string => (m.kind === 'mc' ? `mc:${m.passes}` : 'deterministic');

export interface EvalOptions {
  only?: string[];
  mode: EvalMode;
  log?: (line: string) => void;
}

export interface EvalOutcome {
  rows: Record<string, CellValue>[];
  /** Runs whose model could not be evaluated, with why. */
  failed: { id: string; why: string }[];
}

/**
 * Evaluates the saved models of the folder's completed runs (or the `only` ones), rewrites eval.csv and rebuilds the
 * comparison.
 */
export async function evaluateSavedRuns(dir: string, options: EvalOptions): Promise<EvalOutcome> {
  const paths = resultPaths(dir);
  const manifest = readManifest(paths.manifest);
  if (!manifest)
    throw new UsageError(`no manifest.json in ${dir}`, {
      hint: 'pass a folder written by `nrelu-bench run --save-models`',
    });
  const allRuns = await readRows(paths.summary);
  const summary = allRuns.filter((r) => r.status === 'completed');
  const known = new Set(summary.map((r) => r.run_id));
  const unknown = (options.only ?? []).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const what = unknown.length === 1 ? 'is not a completed run' : 'are not completed runs';
    throw new UsageError(`--only: ${unknown.join(', ')} ${what} of ${dir}`);
  }
  const chosen = summary
    .filter((r) => !options.only || options.only.includes(r.run_id))
    .filter((r) => existsSync(join(dir, MODELS_DIR, r.run_id)));
  if (chosen.length === 0) {
    throw new ResultsError(
      `no saved models in ${join(dir, MODELS_DIR)} for ${options.only ? 'the --only runs' : 'any completed run'}`,
      {
        hint:
          'train with `nrelu-bench run <config> --save-models` ' +
          '(finished runs are retrained only if you remove them)',
      },
    );
  }
  const config = manifest.config;
  const dataset = await loadDataset(config.dataset, { dataDir: config.dataDir, standardize: config.standardize });
  // The unit probe's training images (the first dead_neurons.samples of the run's training split), for the clean
  // training-set score of a deterministic evaluation.
  const probe = config.deadNeurons.probe === 'train' && options.mode.kind === 'deterministic';
  const trainCap = probe ? Math.min(config.deadNeurons.samples, config.train.trainSamples ?? Infinity) : 1;
  const data = toDeviceData(dataset, { train: trainCap, test: config.train.testSamples });
  const label = modeLabel(options.mode);
  const rows: Record<string, CellValue>[] = [];
  const failed: EvalOutcome['failed'] = [];
  try {
    for (const run of chosen) {
      let model;
      try {
        model = await loadSavedModel(join(dir, MODELS_DIR, run.run_id));
      } catch (err) {
        const why =
          `its model could not be loaded: ${errorMessage(err).split('\n')[0]}` +
          (/Unknown layer/i.test(errorMessage(err))
            ? " (a user activation's layer: eval loads no code a results folder names)"
            : '');
        failed.push({ id: run.run_id, why });
        options.log?.(`${run.run_id}: ${why}`);
        continue;
      }
      // On webgpu an error Dawn reports only as an event (the work then yields zeros) fails this run's row
      // instead of writing it, as it fails a training run.
      clearWebGpuFaults();
      let r, clean;
      try {
        r =
          options.mode.kind === 'mc'
            ? await evaluateMonteCarlo(model, data.test, data.classes, options.mode.passes)
            : await evaluate(model, data.test, data.classes);
        clean = probe ? await evaluate(model, data.train, data.classes) : null;
        if (process.env[WEBGPU_FAULT_ENV] === run.run_id) provokeWebGpuValidationError(); // test hook
        await assertWebGpuHealthy(true);
      } catch (err) {
        if (!(err instanceof WebGpuError)) throw err;
        failed.push({ id: run.run_id, why: err.message });
        options.log?.(`${run.run_id}: not evaluated: ${err.message}`);
        continue;
      } finally {
        model.dispose();
      }
      rows.push(evalRow(run, label, options.mode.kind === 'mc' ? options.mode.passes : null, r, clean));
      const recorded = (100 * Number(run.final_test_acc)).toFixed(2);
      const fit = clean ? `; clean train acc ${(100 * clean.acc).toFixed(2)}%, loss ${clean.loss.toFixed(4)}` : '';
      options.log?.(`${run.run_id} ${label}: test acc ${(100 * r.acc).toFixed(2)}% (recorded ${recorded}%)${fit}`);
    }
  } finally {
    data.dispose();
  }
  const replaced = new Set(rows.map((r) => `${String(r.run_id)}\u0000${label}`));
  const kept = (await readRows(paths.eval)).filter((r) => !replaced.has(`${r.run_id}\u0000${r.mode}`));
  const order = new Map(summary.map((r, i) => [r.run_id, i]));
  const all: Record<string, CellValue>[] = [...kept, ...rows].sort(
    (a, b) =>
      (order.get(String(a.run_id)) ?? Infinity) - (order.get(String(b.run_id)) ?? Infinity) ||
      String(a.mode).localeCompare(String(b.mode)),
  );
  await writeRows(paths.eval, EVAL_COLUMNS, all);
  // comparison.md's post-hoc table reads eval.csv: rebuild it in the folder's own order.
  await writeComparison(
    dir,
    allRuns.map((r) => r.run_id),
    manifest.name,
  );
  return { rows, failed };
}
