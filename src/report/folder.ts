/**
 * A result folder loaded once for its report: its CSV rows, its manifest, the runs its comparison may pool
 * (results/settings.ts) and its comparison options. comparison.md, report.html and the terminal sparklines are all
 * rendered from one `LoadedFolder`, so none of them reads the folder itself and they leave out the same runs.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { readRows, resultPaths, type Row } from '../results/files.js';
import { readManifest, type Manifest } from '../results/manifest.js';
import { poolableRows, type Pooled } from '../results/pooling.js';
import { sortResultFiles, type SortedRows } from '../results/writer.js';
import type { CompareOptions } from './comparison.js';
import { readCompareOptions } from './compare-options.js';

export interface LoadedFolder {
  /** The folder as the user named it. */
  dir: string;
  manifest: Manifest | null;
  /** Every row of summary.csv, epochs.csv, dead_neurons.csv, robustness.csv and eval.csv, in file order. */
  rows: Record<'summary' | 'epochs' | 'dead' | 'robustness' | 'eval', Row[]>;
  /** The summary rows the comparison pools, and the runs it leaves out (named on the page and in comparison.md). */
  pooled: Pooled;
  compare: CompareOptions;
}

/** A folder written by `run` or `merge`, read as it is; one without summary.csv is refused. */
export async function loadFolder(dir: string): Promise<LoadedFolder> {
  const paths = resultPaths(dir);
  if (!existsSync(paths.summary)) {
    throw new UsageError(`no summary.csv in ${dir}`, { hint: 'pass a folder written by `nrelu-bench run`' });
  }
  return loaded(dir, {
    summary: await readRows(paths.summary),
    epochs: await readRows(paths.epochs),
    dead: await readRows(paths.dead),
    robustness: await readRows(paths.robustness),
  });
}

/**
 * The folder after rewriting its CSVs in grid order (`order`: run ids; `sortResultFiles`), loaded from the rows
 * written. A grid stopped before its first run finished has no summary.csv: its rows are then empty.
 */
export async function sortAndLoadFolder(dir: string, order: string[]): Promise<LoadedFolder> {
  return loaded(dir, await sortResultFiles(dir, order));
}

async function loaded(dir: string, csv: SortedRows): Promise<LoadedFolder> {
  const paths = resultPaths(dir);
  const manifest = readManifest(paths.manifest);
  const summary = csv.summary ?? [];
  return {
    dir,
    manifest,
    rows: {
      summary,
      epochs: csv.epochs ?? [],
      dead: csv.dead ?? [],
      robustness: csv.robustness ?? [],
      eval: await readRows(paths.eval),
    },
    // Runs sharing a row's label but not its settings (e.g. kept from an earlier run with another learning rate)
    // are never pooled.
    pooled: poolableRows(summary, manifest),
    compare: readCompareOptions(dir),
  };
}

/** A loaded folder's rows of `file` without the runs its comparison leaves out. */
export function keptRows(folder: LoadedFolder, file: keyof LoadedFolder['rows']): Row[] {
  const left = new Set(folder.pooled.excluded);
  return folder.rows[file].filter((r) => !left.has(r.run_id));
}
