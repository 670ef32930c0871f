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
import type { ResolvedConfig } from '../config/types.js';
import { loadDataset } from '../data/datasets.js';
import { toDeviceData } from '../train/device-data.js';
import { evaluate } from '../train/trainer.js';
import { evaluateMonteCarlo } from '../train/mc-eval.js';
import { evaluateDeadZeroed } from '../train/dead-ablation.js';
import { tf } from '../tf.js';
import { loadSavedModel } from '../models/saved.js';
import {
  EVAL_COLUMNS,
  formatCell,
  readRows,
  resultPaths,
  writeRows,
  type CellValue,
  type Cells,
  type Row,
} from '../results/files.js';
import { insideFolder } from '../results/folder-paths.js';
import { writeFolderReport } from '../report/write.js';
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
import { withFolderLock } from './signals.js';

export type EvalMode = { kind: 'deterministic' } | { kind: 'mc'; passes: number } | { kind: 'zero-dead' };

/** `deterministic`, `mc:K` (K a positive integer) or `zero-dead`. */
export function parseEvalMode(text: string): EvalMode {
  if (text === 'deterministic' || text === 'zero-dead') return { kind: text };
  const m = /^mc:(\d+)$/.exec(text);
  if (m && Number(m[1]) >= 1) return { kind: 'mc', passes: Number(m[1]) };
  throw new UsageError(`--mode ${text}: expected deterministic, zero-dead, or mc:K with K a positive integer`, {
    hint: 'e.g. --mode mc:20',
  });
}

/** The mode as eval.csv writes it. */
export const modeLabel = (m: EvalMode): string => (m.kind === 'mc' ? `mc:${m.passes}` : m.kind);

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

/** The completed runs to evaluate, and those of them whose model folder is missing (named, never skipped silently). */
function chooseRuns(dir: string, summary: Row[], only: string[] | undefined): { chosen: Row[]; missing: Row[] } {
  const known = new Set(summary.map((r) => r.run_id));
  const unknown = (only ?? []).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const what = unknown.length === 1 ? 'is not a completed run' : 'are not completed runs';
    throw new UsageError(`--only: ${unknown.join(', ')} ${what} of ${dir}`);
  }
  const asked = summary.filter((r) => !only || only.includes(r.run_id));
  const has = (r: Row): boolean => existsSync(insideFolder(dir, MODELS_DIR, r.run_id));
  const chosen = asked.filter(has);
  if (chosen.length === 0) {
    throw new ResultsError(
      `no saved models in ${join(dir, MODELS_DIR)} for ${only ? 'the --only runs' : 'any completed run'}`,
      {
        hint:
          'train with `nrelu-bench run <config> --save-models` ' +
          '(finished runs are retrained only if you remove them)',
      },
    );
  }
  return { chosen, missing: asked.filter((r) => !has(r)) };
}

/**
 * Why a score cannot stand for the run's model, or null: a non-finite accuracy or loss, or (deterministic mode,
 * which scores as the run did) any difference from the run's recorded final accuracy.
 */
function scoreProblem(run: Row, mode: EvalMode, r: { acc: number; loss: number }): string | null {
  if (!Number.isFinite(r.acc) || !Number.isFinite(r.loss))
    return `its score is not finite (accuracy ${r.acc}, loss ${r.loss}): the model's weights are damaged`;
  if (mode.kind !== 'deterministic' || Number(formatCell(r.acc)) === Number(run.final_test_acc)) return null;
  return (
    `its deterministic accuracy ${formatCell(r.acc)} differs from the recorded ${run.final_test_acc}: ` +
    "the saved model is not the run's final model (or the data differ)"
  );
}

interface EvalData {
  data: ReturnType<typeof toDeviceData>;
  probe: boolean;
  /** The unit probe's samples (zero-dead mode: the units dead on them are silenced), else null. */
  unitProbe: tf.Tensor | null;
}

/** A test score; zero-dead mode also says how many units it silenced. */
type Score = { acc: number; loss: number; silenced?: number; units?: number };

/** The test score of `model` in `mode`. */
async function scoreIn(model: tf.LayersModel, mode: EvalMode, { data, unitProbe }: EvalData): Promise<Score> {
  if (mode.kind === 'mc') return evaluateMonteCarlo(model, data.test, data.classes, mode.passes);
  if (mode.kind === 'zero-dead') return evaluateDeadZeroed(model, unitProbe as tf.Tensor, data.test, data.classes);
  return evaluate(model, data.test, data.classes);
}

/** One run's model loaded and scored: its eval.csv row, or why it could not be. */
async function evaluateRun(
  dir: string,
  run: Row,
  mode: EvalMode,
  evalData: EvalData,
): Promise<{ row: Cells; clean: Score | null; score: Score } | { why: string }> {
  const { data, probe } = evalData;
  let model;
  try {
    model = await loadSavedModel(insideFolder(dir, MODELS_DIR, run.run_id));
  } catch (err) {
    const why =
      `its model could not be loaded: ${errorMessage(err).split('\n')[0]}` +
      (/Unknown layer/i.test(errorMessage(err))
        ? " (a user activation's layer: eval loads no code a results folder names)"
        : '');
    return { why };
  }
  // On webgpu an error Dawn reports only as an event (the work then yields zeros) fails this run's row
  // instead of writing it, as it fails a training run.
  clearWebGpuFaults();
  let r, clean;
  try {
    r = await scoreIn(model, mode, evalData);
    clean = probe ? await evaluate(model, data.train, data.classes) : null;
    if (process.env[WEBGPU_FAULT_ENV] === run.run_id) provokeWebGpuValidationError(); // test hook
    await assertWebGpuHealthy(true);
  } catch (err) {
    if (!(err instanceof WebGpuError)) throw err;
    return { why: `not evaluated: ${err.message}` };
  } finally {
    model.dispose();
  }
  const problem = scoreProblem(run, mode, r);
  if (problem) return { why: problem };
  return { row: evalRow(run, modeLabel(mode), mode.kind === 'mc' ? mode.passes : null, r, clean), clean, score: r };
}

/**
 * Evaluates the saved models of the folder's completed runs (or the `only` ones), rewrites eval.csv and rebuilds the
 * comparison. The folder is locked meanwhile (eval writes it; a `run` writing it would race).
 */
export async function evaluateSavedRuns(dir: string, options: EvalOptions): Promise<EvalOutcome> {
  const log = (line: string): void => options.log?.(line);
  return withFolderLock(dir, `eval ${dir}`, log, () => evaluateLocked(dir, options), { create: false });
}

/**
 * eval as a flat pipeline: what to evaluate (`evalPlan`), the data (`evalData`), each model scored (`scoreRuns`), then
 * eval.csv and the folder's report written.
 */
async function evaluateLocked(dir: string, options: EvalOptions): Promise<EvalOutcome> {
  const plan = await evalPlan(dir, options);
  const data = await evalData(plan.config, options.mode);
  let outcome: EvalOutcome;
  try {
    outcome = await scoreRuns(dir, plan, data, options);
  } finally {
    data.dispose();
  }
  await writeEvalRows(dir, outcome.rows, modeLabel(options.mode), plan.summary);
  // comparison.md's post-hoc table reads eval.csv: rebuild it in the folder's own order.
  await writeFolderReport(dir, { order: plan.order, title: plan.title });
  return outcome;
}

interface EvalPlan {
  config: ResolvedConfig;
  title: string;
  /** Every run of summary.csv, in the folder's order. */
  order: string[];
  /** The completed runs. */
  summary: Row[];
  /** The runs to evaluate, and those that cannot be (no saved model), with why. */
  chosen: Row[];
  failed: EvalOutcome['failed'];
}

/** The folder's manifest and runs: which to evaluate, and which lack a saved model. */
async function evalPlan(dir: string, options: EvalOptions): Promise<EvalPlan> {
  const paths = resultPaths(dir);
  const manifest = readManifest(paths.manifest);
  if (!manifest)
    throw new UsageError(`no manifest.json in ${dir}`, {
      hint: 'pass a folder written by `nrelu-bench run --save-models`',
    });
  const allRuns = await readRows(paths.summary);
  const summary = allRuns.filter((r) => r.status === 'completed');
  const { chosen, missing } = chooseRuns(dir, summary, options.only);
  const failed = missing.map((r) => ({
    id: r.run_id,
    why: `no saved model (${join(dir, MODELS_DIR, r.run_id)} is missing)`,
  }));
  for (const f of failed) options.log?.(`${f.id}: ${f.why}`);
  const order = allRuns.map((r) => r.run_id);
  return { config: manifest.config, title: manifest.name, order, summary, chosen, failed };
}

/**
 * The dataset the manifest names, on the device: its test split, the unit probe's training images when a
 * deterministic evaluation scores them, and zero-dead's probe samples; `dispose` frees them.
 */
async function evalData(config: ResolvedConfig, mode: EvalMode): Promise<EvalData & { dispose(): void }> {
  const dataset = await loadDataset(config.dataset, { dataDir: config.dataDir, standardize: config.standardize });
  // The unit probe's training images (the first dead_neurons.samples of the run's training split), for the clean
  // training-set score of a deterministic evaluation, and (train or test, as the trainer probed) zero-dead's probe.
  const fromTrain = config.deadNeurons.probe === 'train';
  const probe = fromTrain && mode.kind === 'deterministic';
  const zeroDead = mode.kind === 'zero-dead';
  const trainCap =
    probe || (zeroDead && fromTrain) ? Math.min(config.deadNeurons.samples, config.train.trainSamples ?? Infinity) : 1;
  const data = toDeviceData(dataset, { train: trainCap, test: config.train.testSamples });
  const probeSplit = fromTrain ? data.train : data.test;
  const probeSlice = zeroDead ? probeSplit.slice(0, Math.min(config.deadNeurons.samples, probeSplit.count)) : null;
  const dispose = (): void => {
    if (probeSlice) tf.dispose([probeSlice.x, probeSlice.y]);
    data.dispose();
  };
  return { data, probe, unitProbe: probeSlice?.x ?? null, dispose };
}

/** Each chosen run's model scored, one log line each: the rows, and the runs that failed with why. */
async function scoreRuns(dir: string, plan: EvalPlan, data: EvalData, options: EvalOptions): Promise<EvalOutcome> {
  const label = modeLabel(options.mode);
  const rows: Record<string, CellValue>[] = [];
  const failed = [...plan.failed];
  for (const run of plan.chosen) {
    const out = await evaluateRun(dir, run, options.mode, data);
    if ('why' in out) {
      failed.push({ id: run.run_id, why: out.why });
      options.log?.(`${run.run_id}: ${out.why}`);
      continue;
    }
    rows.push(out.row);
    const recorded = (100 * Number(run.final_test_acc)).toFixed(2);
    const c = out.clean;
    const fit = c ? `; clean train acc ${(100 * c.acc).toFixed(2)}%, loss ${c.loss.toFixed(4)}` : '';
    const silenced =
      out.score.silenced !== undefined ? `; ${out.score.silenced}/${out.score.units} units silenced` : '';
    options.log?.(
      `${run.run_id} ${label}: test acc ${(100 * out.score.acc).toFixed(2)}% (recorded ${recorded}%)${fit}${silenced}`,
    );
  }
  return { rows, failed };
}

/** eval.csv with this mode's new rows replacing their earlier ones, in the folder's run order. */
async function writeEvalRows(dir: string, rows: Cells[], label: string, summary: Row[]): Promise<void> {
  const path = resultPaths(dir).eval;
  const replaced = new Set(rows.map((r) => `${String(r.run_id)}\u0000${label}`));
  const kept = (await readRows(path)).filter((r) => !replaced.has(`${r.run_id}\u0000${r.mode}`));
  const order = new Map(summary.map((r, i) => [r.run_id, i]));
  const all: Record<string, CellValue>[] = [...kept, ...rows].sort(
    (a, b) =>
      (order.get(String(a.run_id)) ?? Infinity) - (order.get(String(b.run_id)) ?? Infinity) ||
      String(a.mode).localeCompare(String(b.mode)),
  );
  await writeRows(path, EVAL_COLUMNS, all);
}
