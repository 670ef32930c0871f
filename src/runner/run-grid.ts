/**
 * Runs a config's grid into a result folder: resume (skip runs that are done with an unchanged
 * config hash, drop rows of unfinished ones), one run after another, rows appended after every
 * epoch, summary and manifest updated after every run, comparison written at the end.
 * A failing run is recorded and the grid goes on.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendName, ResolvedConfig, RunSpec } from '../config/types.js';
import { expandGrid } from '../config/grid.js';
import { selectBackend } from '../backend/select.js';
import { loadDataset, type Dataset } from '../data/datasets.js';
import { toDeviceData, type DeviceData } from '../train/device-data.js';
import { trainRun, type EpochResult, type RunResult } from '../train/trainer.js';
import { errorMessage } from '../errors.js';
import {
  DEAD_COLUMNS, EPOCH_COLUMNS, ROBUSTNESS_COLUMNS, SUMMARY_COLUMNS, FILES, appendRows, readRows, resultPaths, writeFileAtomic, writeRows,
  type CellValue,
} from '../report/files.js';
import { comparisonColumns, compare, comparisonRecords, renderComparison } from '../report/comparison.js';
import { isDone, newManifest, readManifest, writeManifest, type FinalStatus, type Manifest } from './manifest.js';
import type { ProgressReporter } from './progress.js';

export interface RunGridOptions {
  config: ResolvedConfig;
  overrides: string[];
  outDir: string;
  fresh?: boolean;
  backend?: BackendName;
  progress: ProgressReporter;
  shouldStop?: () => boolean;
}

export interface RunGridResult {
  outDir: string;
  runs: { id: string; status: FinalStatus | 'interrupted' | 'skipped' }[];
  comparison: string;
  interrupted: boolean;
  failed: number;
}

/** The sigma column: the constant value, or `start->end:schedule` for an annealed sigma. */
export function sigmaLabel(spec: RunSpec): string {
  if (!spec.sigma) return '';
  const s = spec.sigma;
  return s.schedule === 'constant' ? String(s.start) : `${s.start}->${s.end}:${s.schedule}`;
}

function epochRow(spec: RunSpec, r: EpochResult): Record<string, CellValue> {
  return {
    run_id: spec.id, model: spec.model, activation: spec.activation.name, sigma: r.sigma, seed: spec.seed,
    epoch: r.epoch, train_loss: r.trainLoss, train_acc: r.trainAcc, test_loss: r.testLoss, test_acc: r.testAcc,
    dead: r.dead?.dead, units: r.dead?.units, dead_fraction: r.dead ? r.dead.dead / r.dead.units : null,
    epoch_seconds: Number(r.epochSeconds.toFixed(3)), samples_per_second: Math.round(r.samplesPerSecond),
    dormant: r.activity?.dormant, dormant_fraction: r.activity ? r.activity.dormant / r.activity.units : null,
    zero_output: r.activity?.zeroOutput,
  };
}

function summaryRow(spec: RunSpec, status: FinalStatus, result: RunResult | null, backend: string): Record<string, CellValue> {
  const epochs = result?.epochs ?? [];
  const last = epochs[epochs.length - 1];
  const lastProbed = [...epochs].reverse().find((e) => e.dead);
  const lastDead = lastProbed?.dead;
  return {
    run_id: spec.id, model: spec.model, activation: spec.activation.name, sigma: sigmaLabel(spec), seed: spec.seed,
    status, epochs: epochs.length, final_test_acc: last?.testAcc, best_test_acc: epochs.length ? Math.max(...epochs.map((e) => e.testAcc)) : null,
    final_test_loss: last?.testLoss, final_dead: lastDead?.dead, units: lastDead?.units,
    train_seconds: result ? Number(result.trainSeconds.toFixed(3)) : null, backend,
    final_dormant: lastProbed?.activity?.dormant, final_zero_output: lastProbed?.activity?.zeroOutput,
  };
}

/** Drops rows of runs that are not done (interrupted, failed, or changed since) before they rerun. */
async function pruneUnfinished(paths: ReturnType<typeof resultPaths>, keep: Set<string>): Promise<void> {
  const files = [[paths.epochs, EPOCH_COLUMNS], [paths.dead, DEAD_COLUMNS], [paths.summary, SUMMARY_COLUMNS], [paths.robustness, ROBUSTNESS_COLUMNS]] as const;
  for (const [path, columns] of files) {
    if (!existsSync(path)) continue;
    const rows = await readRows(path);
    const kept = rows.filter((r) => keep.has(r.run_id));
    if (kept.length !== rows.length) await writeRows(path, columns, kept);
  }
}

/** Rewrites summary.csv in grid order and renders comparison.md from it. */
export async function finishOutputs(outDir: string, order: string[], title: string): Promise<string> {
  const paths = resultPaths(outDir);
  const rank = new Map(order.map((id, i) => [id, i]));
  const rows = (await readRows(paths.summary)).sort((a, b) => (rank.get(a.run_id) ?? Infinity) - (rank.get(b.run_id) ?? Infinity));
  if (rows.length) await writeRows(paths.summary, SUMMARY_COLUMNS, rows);
  const comparison = compare(rows, await readRows(paths.robustness));
  const md = renderComparison(comparison, title);
  await writeFileAtomic(paths.comparison, `${md}\n`);
  await writeRows(paths.comparisonCsv, comparisonColumns(comparison), comparisonRecords(comparison));
  return md;
}

export async function runGrid(options: RunGridOptions): Promise<RunGridResult> {
  const { config, outDir, progress } = options;
  const specs = expandGrid(config);
  const paths = resultPaths(outDir);
  if (options.fresh) {
    for (const f of [...Object.values(FILES), 'report.html', 'plots']) await rm(join(outDir, f), { force: true, recursive: true });
  }
  const previous = readManifest(paths.manifest);
  const manifest: Manifest = { ...newManifest(config, options.overrides), runs: previous?.runs ?? {} };
  const done = new Set(specs.filter((s) => isDone(previous, s.id, s.hash)).map((s) => s.id));
  await pruneUnfinished(paths, done);

  const todo = specs.filter((s) => !done.has(s.id));
  const backend = await selectBackend(options.backend ?? config.backend);
  manifest.backend = backend;
  for (const note of backend.notes) progress.log(`backend: ${note}`);
  progress.log(`backend: ${backend.name}${backend.gpu ? ' (GPU)' : ''}`);

  let dataset: Dataset | null = null;
  if (todo.length) {
    dataset = await loadDataset(config.dataset, { dataDir: config.dataDir, standardize: config.standardize });
    manifest.dataset = { name: dataset.name, source: dataset.source };
  } else if (previous?.dataset) {
    manifest.dataset = previous.dataset;
  }
  await writeManifest(paths.manifest, manifest);

  const results: RunGridResult['runs'] = specs.filter((s) => done.has(s.id)).map((s) => ({ id: s.id, status: 'skipped' as const }));
  const deviceCache = new Map<string, DeviceData>();
  let interrupted = false;
  progress.startGrid(specs.length, done.size);
  try {
    for (const spec of todo) {
      if (options.shouldStop?.()) {
        interrupted = true;
        break;
      }
      const capsKey = `${spec.train.trainSamples ?? ''}/${spec.train.testSamples ?? ''}`;
      let data = deviceCache.get(capsKey);
      if (!data && dataset) {
        data = toDeviceData(dataset, { train: spec.train.trainSamples, test: spec.train.testSamples });
        deviceCache.set(capsKey, data);
      }
      progress.startRun(spec.id, spec.train.epochs);
      let result: RunResult | null = null;
      let status: FinalStatus | 'interrupted';
      let message: string | undefined;
      try {
        result = await trainRun(spec, data as DeviceData, {
          shouldStop: options.shouldStop,
          onBatch: (p) => progress.batch(p),
          onEpoch: async (r) => {
            await appendRows(paths.epochs, EPOCH_COLUMNS, [epochRow(spec, r)]);
            if (r.dead) {
              await appendRows(paths.dead, DEAD_COLUMNS, r.dead.layers.map((l, i) => ({
                run_id: spec.id, epoch: r.epoch, layer: l.name, dead: l.dead, units: l.units,
                dormant: r.activity?.layers[i]?.dormant, zero_output: r.activity?.layers[i]?.zeroOutput,
              })));
            }
            progress.epoch(spec.id, r, spec.train.epochs);
          },
        });
        status = result.status;
        message = result.message;
      } catch (err) {
        status = 'failed';
        message = errorMessage(err);
      }
      if (status === 'interrupted') {
        manifest.runs[spec.id] = { hash: spec.hash, status, message };
        await writeManifest(paths.manifest, manifest);
        results.push({ id: spec.id, status });
        interrupted = true;
        break;
      }
      if (result?.robustness.length) {
        await appendRows(paths.robustness, ROBUSTNESS_COLUMNS, result.robustness.map((r) => ({ run_id: spec.id, noise: r.noise, test_acc: r.testAcc })));
      }
      await appendRows(paths.summary, SUMMARY_COLUMNS, [summaryRow(spec, status, result, backend.name)]);
      manifest.runs[spec.id] = { hash: spec.hash, status, message, finishedAt: new Date().toISOString() };
      await writeManifest(paths.manifest, manifest);
      results.push({ id: spec.id, status });
      progress.endRun(spec.id, status, message);
    }
  } finally {
    for (const d of deviceCache.values()) d.dispose();
    progress.stop();
  }
  if (!interrupted) manifest.finishedAt = new Date().toISOString();
  await writeManifest(paths.manifest, manifest);
  const comparison = await finishOutputs(outDir, specs.map((s) => s.id), config.name);
  return { outDir, runs: results, comparison, interrupted, failed: results.filter((r) => r.status === 'failed').length };
}
