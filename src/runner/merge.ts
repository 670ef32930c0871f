/**
 * Merging result folders (typically the shards of one grid) into one: every run once, its rows from
 * the folder that holds it, all CSVs in grid order, a merged manifest, and the comparison rebuilt.
 * A run present in two folders must have the same config hash in both (identical duplicates are
 * fine: a finished copy is preferred over a failed one); otherwise nothing is written.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { expandGrid } from '../config/grid.js';
import { UserError } from '../errors.js';
import { readRows, resultPaths, writeRows, type Row } from '../report/files.js';
import { readManifest, writeManifest, type Manifest, type MergeSource, type RunRecord } from './manifest.js';
import { CSV_FILES, clearResults, finishOutputs, sortByRun } from './results.js';

interface Folder {
  dir: string;
  manifest: Manifest;
  rows: Record<(typeof CSV_FILES)[number][0], Row[]>;
}

interface Chosen {
  folder: Folder;
  record: RunRecord;
}

export interface MergeResult {
  outDir: string;
  runs: string[];
  /** Runs found in more than one folder with the same hash (one copy kept). */
  duplicates: string[];
  comparison: string;
}

async function readFolder(dir: string): Promise<Folder> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`${dir}: no such folder`, { hint: 'pass result folders written by `nrelu-bench run` (e.g. its shard folders)' });
  }
  const paths = resultPaths(dir);
  const manifest = readManifest(paths.manifest);
  if (!manifest) {
    throw new UserError(`${dir} is not a result folder: it has no manifest.json`, { hint: 'pass folders written by `nrelu-bench run`' });
  }
  const rows = Object.fromEntries(await Promise.all(CSV_FILES.map(async ([file]) => [file, await readRows(paths[file])] as const))) as Folder['rows'];
  return { dir, manifest, rows };
}

const isFinished = (r: RunRecord): boolean => r.status === 'completed' || r.status === 'diverged';

/** Grid order: the first folder's grid, then runs only other folders' grids have, then the rest. */
function gridOrder(folders: Folder[], ids: Iterable<string>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const add = (id: string): void => {
    if (!seen.has(id)) {
      seen.add(id);
      order.push(id);
    }
  };
  for (const f of folders) {
    try {
      for (const spec of expandGrid(f.manifest.config)) add(spec.id);
    } catch {
      // A manifest from another version may not expand: its summary order is used instead.
      for (const row of f.rows.summary) add(row.run_id);
    }
  }
  for (const id of ids) add(id);
  return order;
}

export async function mergeResults(dirs: string[], outDir: string): Promise<MergeResult> {
  if (dirs.length === 0) throw new UserError('nothing to merge', { hint: 'pass one or more result folders, e.g. results/x/shard-*' });
  const outAbs = resolve(outDir);
  const clash = dirs.find((d) => resolve(d) === outAbs);
  if (clash) throw new UserError(`--out ${outDir} is also an input folder`, { hint: 'merge into a new folder' });
  const folders: Folder[] = [];
  for (const dir of dirs) folders.push(await readFolder(dir));

  const chosen = new Map<string, Chosen>();
  const duplicates: string[] = [];
  for (const folder of folders) {
    for (const row of folder.rows.summary) {
      const id = row.run_id;
      const record = folder.manifest.runs[id];
      if (!record) {
        throw new UserError(`run ${id} in ${folder.dir} has a summary row but no record in manifest.json`, {
          hint: 'the folder was edited by hand or is damaged; rerun that shard',
        });
      }
      const prior = chosen.get(id);
      if (!prior) {
        chosen.set(id, { folder, record });
        continue;
      }
      if (prior.record.hash !== record.hash) {
        throw new UserError(
          `run ${id} has different settings in ${prior.folder.dir} and ${folder.dir} (config hash ${prior.record.hash.slice(0, 12)} vs ${record.hash.slice(0, 12)})`,
          { hint: 'merge only folders run from the same config and overrides; rerun the stale folder with the current config' },
        );
      }
      duplicates.push(id);
      if (!isFinished(prior.record) && isFinished(record)) chosen.set(id, { folder, record });
    }
  }

  const order = gridOrder(folders, chosen.keys());
  const runIds = order.filter((id) => chosen.has(id));
  await clearResults(outDir);
  const paths = resultPaths(outDir);
  for (const [file, columns] of CSV_FILES) {
    const rows = runIds.flatMap((id) => {
      const { folder } = chosen.get(id) as Chosen;
      return folder.rows[file].filter((r) => r.run_id === id);
    });
    if (rows.length > 0 || file === 'summary') await writeRows(paths[file], columns, sortByRun(rows, order));
  }

  const first = folders[0].manifest;
  const finished = folders.map((f) => f.manifest.finishedAt);
  const { shard: _shard, jobs: _jobs, mergedFrom: _merged, ...base } = first;
  const sources: MergeSource[] = folders.map((f) => ({
    dir: f.dir, ...(f.manifest.shard ? { shard: f.manifest.shard } : {}), backend: f.manifest.backend, versions: f.manifest.versions,
    startedAt: f.manifest.startedAt, finishedAt: f.manifest.finishedAt,
    runs: runIds.filter((id) => chosen.get(id)?.folder === f),
  }));
  const manifest: Manifest = {
    ...base,
    startedAt: folders.map((f) => f.manifest.startedAt).sort()[0],
    finishedAt: finished.every((t) => t) ? (finished as string[]).sort().at(-1) ?? null : null,
    runs: Object.fromEntries(runIds.map((id) => [id, (chosen.get(id) as Chosen).record])),
    mergedFrom: sources,
  };
  await writeManifest(paths.manifest, manifest);
  const comparison = await finishOutputs(outDir, order, first.name);
  return { outDir, runs: runIds, duplicates: [...new Set(duplicates)], comparison };
}
