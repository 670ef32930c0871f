/**
 * The one writer of a result folder. Every file change goes through a single queue, so results
 * arriving from several worker processes at once never interleave within a line or race on a
 * CSV's header: rows are appended whole, other files are written to a temporary name and renamed.
 * At the end, sortResultFiles rewrites every CSV in grid order, so the folder does not depend on
 * which run finished first (the report is then rendered from it: report/write.ts).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { MODEL_FILE, WEIGHTS_FILE, type SavedModelFiles } from '../models/saved.js';
import { join } from 'node:path';
import { errorMessage, fileSystemError } from '../errors.js';
import { insideFolder } from './folder-paths.js';
import type { RunSpec } from '../config/types.js';
import type { EpochRecord, RunRecord } from '../metrics/record.js';
import {
  DEAD_COLUMNS,
  EPOCH_COLUMNS,
  EVAL_COLUMNS,
  FILES,
  ROBUSTNESS_COLUMNS,
  SUMMARY_COLUMNS,
  appendRows,
  readRows,
  readRowsLenient,
  resultPaths,
  uniqueRows,
  writeFileAtomic,
  writeRows,
  type Row,
} from './files.js';
import { isDone, writeManifest, type FinalStatus, type Manifest } from './manifest.js';
import { settingHash } from './pooling.js';
import { pairingHash } from '../config/grid.js';
import { deadRows, epochRow, robustnessRows, summaryRow } from './rows.js';

/** The CSVs of a result folder with their columns, in the order they are listed in the README. */
export const CSV_FILES = [
  ['epochs', EPOCH_COLUMNS],
  ['dead', DEAD_COLUMNS],
  ['summary', SUMMARY_COLUMNS],
  ['robustness', ROBUSTNESS_COLUMNS],
] as const;

/** Where `run --save-models` puts the final models: `<out>/models/<run-id>/`. */
export const MODELS_DIR = 'models';

/** Deletes a folder's previous results (for --fresh); other files in it are left alone. */
export async function clearResults(outDir: string): Promise<void> {
  for (const f of [...Object.values(FILES), 'report.html', 'plots', MODELS_DIR])
    await rm(join(outDir, f), { force: true, recursive: true });
}

/** Nothing to delete under a file in a folder's place (the model's save then fails, and says so). */
const notDir = (err: unknown): void => {
  if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
};

/**
 * Deletes the saved models (and their eval.csv rows) of runs about to train again: no folder keeps an older run's
 * model.
 */
export async function pruneModels(outDir: string, ids: Iterable<string>): Promise<void> {
  const gone = new Set(ids);
  // Never through a link: a linked models/ would have rm delete a folder elsewhere.
  for (const id of gone) await rm(insideFolder(outDir, MODELS_DIR, id), { force: true, recursive: true }).catch(notDir);
  const evalFile = resultPaths(outDir).eval;
  if (!existsSync(evalFile)) return;
  const rows = await readRows(evalFile);
  const kept = rows.filter((r) => !gone.has(r.run_id));
  if (kept.length !== rows.length) await writeRows(evalFile, EVAL_COLUMNS, kept);
}

/**
 * Drops the rows of the runs in `rerun` (interrupted, failed, changed since, or with rows missing or
 * damaged) before they train again, and any damaged row. Rows of every other run stay, also of runs
 * outside the current grid: a smaller grid run into the same folder must not delete a bigger one's.
 */
export async function pruneRuns(outDir: string, rerun: Set<string>): Promise<void> {
  const paths = resultPaths(outDir);
  for (const [file, columns] of CSV_FILES) {
    if (!existsSync(paths[file])) continue;
    const { rows, damaged } = await readRowsLenient(paths[file]);
    const kept = rows.filter((r) => !rerun.has(r.run_id));
    if (kept.length !== rows.length || damaged.length > 0) await writeRows(paths[file], columns, kept);
  }
}

/**
 * Finished runs (by the manifest) whose rows are not all there, with why: no summary.csv row, fewer
 * epochs.csv rows than the summary says, or a probed epoch (dead/units filled) whose dead_neurons.csv
 * rows are missing or do not add up to its counts.
 */
export function incompleteRuns(
  manifest: Manifest | null,
  rows: { summary: Row[]; epochs: Row[]; dead: Row[] },
): Map<string, string> {
  const summary = new Map(rows.summary.map((r) => [r.run_id, r]));
  const epochs = new Map<string, Row[]>();
  for (const r of rows.epochs) epochs.set(r.run_id, [...(epochs.get(r.run_id) ?? []), r]);
  const layers = new Map<string, { dead: number; units: number }>();
  for (const r of uniqueRows(FILES.dead, rows.dead).rows) {
    const key = `${r.run_id}\u0000${r.epoch}`;
    const sum = layers.get(key) ?? { dead: 0, units: 0 };
    layers.set(key, { dead: sum.dead + Number(r.dead), units: sum.units + Number(r.units) });
  }
  const out = new Map<string, string>();
  for (const [id, record] of Object.entries(manifest?.runs ?? {})) {
    if (record.status !== 'completed' && record.status !== 'diverged') continue;
    const row = summary.get(id);
    const mine = epochs.get(id) ?? [];
    // Distinct epochs: a row repeated whole is kept once (uniqueRows), not a lost one.
    const distinct = new Set(mine.map((e) => e.epoch)).size;
    if (!row) out.set(id, 'no summary.csv row');
    else if (Number(row.epochs) !== distinct) out.set(id, `${distinct} of ${row.epochs} epochs.csv rows`);
    else {
      const lost = mine.find(
        (e) =>
          e.dead !== '' &&
          e.dead !== undefined &&
          (layers.get(`${id}\u0000${e.epoch}`)?.dead !== Number(e.dead) ||
            layers.get(`${id}\u0000${e.epoch}`)?.units !== Number(e.units)),
      );
      if (lost) out.set(id, `dead_neurons.csv rows of epoch ${lost.epoch} missing`);
    }
  }
  return out;
}

/**
 * The runs of `specs` that are done: the manifest says finished with the same config hash, and the
 * rows agree (a summary row with that status, as many epochs.csv rows as it says, none damaged).
 * `damaged`: every run with a damaged row in any CSV, in this grid or not.
 * `notes`: one line per CSV with damaged rows, for the log.
 */
export async function finishedRuns(
  outDir: string,
  manifest: Manifest | null,
  specs: RunSpec[],
): Promise<{ done: Set<string>; damaged: Set<string>; notes: string[] }> {
  const paths = resultPaths(outDir);
  const damaged = new Set<string>();
  const notes: string[] = [];
  const read = async (file: (typeof CSV_FILES)[number][0]): Promise<Row[]> => {
    const r = await readRowsLenient(paths[file]);
    if (r.damaged.length > 0)
      notes.push(`${paths[file]}: dropping ${r.damaged.length} damaged row(s); their runs train again`);
    for (const id of r.damaged) damaged.add(id);
    return r.rows;
  };
  const summaryRows = await read('summary');
  const summary = new Map(summaryRows.map((r) => [r.run_id, r]));
  const epochRows = await read('epochs');
  const deadRows = await read('dead');
  await read('robustness');
  // A finished run with rows lost (e.g. dead_neurons.csv rows) trains again; one outside this grid loses
  // its rows and record like a damaged one, so no table is built from part of a run.
  const incomplete = incompleteRuns(manifest, { summary: summaryRows, epochs: epochRows, dead: deadRows });
  const inGrid = new Set(specs.map((s) => s.id));
  for (const [id, why] of incomplete) {
    notes.push(
      `${id}: ${why}; ${inGrid.has(id) ? 'it trains again' : 'its rows are dropped until its grid runs again'}`,
    );
    if (!inGrid.has(id)) damaged.add(id);
  }
  const done = new Set<string>();
  for (const s of specs) {
    if (!isDone(manifest, s.id, s.hash) || damaged.has(s.id) || incomplete.has(s.id)) continue;
    if (summary.get(s.id)?.status === manifest?.runs[s.id]?.status) done.add(s.id);
  }
  return { done, damaged, notes };
}

/** Sorts rows by their run's position in `order` (stable: a run's rows keep their order). */
export function sortByRun(rows: Row[], order: string[]): Row[] {
  const rank = new Map(order.map((id, i) => [id, i]));
  return rows
    .map((row, i) => ({ row, i, r: rank.get(row.run_id) ?? Infinity }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.row);
}

/** The rows of a folder's CSVs after `sortResultFiles`, by file. */
export type SortedRows = Partial<Record<(typeof CSV_FILES)[number][0], Row[]>>;

/**
 * Rewrites summary.csv, epochs.csv, dead_neurons.csv and robustness.csv in grid order (`order`: run
 * ids), each repeated row kept once, so a folder does not depend on which run finished first; returns the rows.
 */
export async function sortResultFiles(outDir: string, order: string[]): Promise<SortedRows> {
  const paths = resultPaths(outDir);
  const sorted: SortedRows = {};
  for (const [file, columns] of CSV_FILES) {
    const read = await readRows(paths[file]);
    const { rows } = uniqueRows(paths[file], read);
    const inOrder = sortByRun(rows, order);
    if (rows.length !== read.length || inOrder.some((r, i) => r !== rows[i]))
      await writeRows(paths[file], columns, inOrder);
    sorted[file] = inOrder;
  }
  return sorted;
}

/** Appends a grid's results to its folder and keeps manifest.json current, one change at a time. */
export class ResultWriter {
  private readonly paths: ReturnType<typeof resultPaths>;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly outDir: string,
    readonly manifest: Manifest,
  ) {
    this.paths = resultPaths(outDir);
  }

  private firstError: unknown = null;

  /** True once a write failed (the grid should stop: its results could not be saved). */
  get failed(): boolean {
    return this.firstError !== null;
  }

  /**
   * Runs `task` after every change queued before it. A failed write is kept (flush() throws it)
   * and later tasks still run, so callers can fire and forget.
   */
  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((err: unknown) => {
      this.firstError ??= err;
    });
    return this.queue;
  }

  writeManifest(): Promise<void> {
    return this.enqueue(() => writeManifest(this.paths.manifest, this.manifest));
  }

  /** An epoch's row in epochs.csv and, when probed, its layers in dead_neurons.csv. */
  epoch(spec: RunSpec, r: EpochRecord): Promise<void> {
    return this.enqueue(async () => {
      await appendRows(this.paths.epochs, EPOCH_COLUMNS, [epochRow(spec, r)]);
      await appendRows(this.paths.dead, DEAD_COLUMNS, deadRows(spec, r));
    });
  }

  /** A run that ended: its robustness and summary rows, and its record in the manifest. */
  finished(
    spec: RunSpec,
    status: FinalStatus,
    result: RunRecord | null,
    backend: string,
    message?: string,
  ): Promise<void> {
    return this.enqueue(async () => {
      await appendRows(this.paths.robustness, ROBUSTNESS_COLUMNS, robustnessRows(spec, result));
      await appendRows(this.paths.summary, SUMMARY_COLUMNS, [summaryRow(spec, status, result, backend)]);
      this.manifest.runs[spec.id] = {
        hash: spec.hash,
        settingHash: settingHash(spec),
        pairingHash: pairingHash(spec),
        status,
        message,
        finishedAt: new Date().toISOString(),
      };
      await writeManifest(this.paths.manifest, this.manifest);
    });
  }

  /**
   * A completed run's final model: weights.bin first, then model.json, each written whole (atomic-write.ts), never
   * through a linked folder. Resolves to why it could not be saved (null when saved): the caller then records the
   * run as failed, so a resume trains it again instead of keeping a completed run without its model.
   */
  savedModel(spec: RunSpec, files: SavedModelFiles): Promise<string | null> {
    let problem: string | null = null;
    return this.enqueue(async () => {
      try {
        const dir = insideFolder(this.outDir, MODELS_DIR, spec.id);
        await writeFileAtomic(
          insideFolder(this.outDir, MODELS_DIR, spec.id, WEIGHTS_FILE),
          new Uint8Array(files.weights),
        );
        await writeFileAtomic(join(dir, MODEL_FILE), files.modelJson);
      } catch (err) {
        problem = errorMessage(fileSystemError(err, join(this.outDir, MODELS_DIR, spec.id)));
      }
    }).then(() => problem);
  }

  /** A run stopped by Ctrl-C: recorded in the manifest only, so resuming reruns it. */
  interrupted(spec: RunSpec, message?: string): Promise<void> {
    return this.enqueue(async () => {
      this.manifest.runs[spec.id] = {
        hash: spec.hash,
        settingHash: settingHash(spec),
        pairingHash: pairingHash(spec),
        status: 'interrupted',
        message,
      };
      await writeManifest(this.paths.manifest, this.manifest);
    });
  }

  /** Waits for every queued change; throws the first write error, if any. */
  async flush(): Promise<void> {
    await this.queue;
    if (this.firstError !== null) throw this.firstError;
  }
}
