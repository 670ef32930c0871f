/**
 * Merging result folders (typically the shards of one grid) into one: every run once, its rows from
 * the folder that holds it, all CSVs in grid order, a merged manifest, and the comparison rebuilt.
 * A run present in two folders must have the same config hash and, when both finished, the same
 * results in the cells both filled (a finished copy is preferred over a failed one, and the fuller of two equal
 * ones, e.g. one trained after a column was added; eval.csv's modes are pooled); runs of one setting (the same
 * comparison row) must share every setting but the seed; the folders must come from one backend
 * (unless allowed). Otherwise nothing is written.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expandGrid, pairingHash } from '../config/grid.js';
import type { RunSpec } from '../config/types.js';
import { UsageError } from '../errors.js';
import {
  EVAL_COLUMNS,
  FILES,
  TIMING_COLUMNS,
  readRows,
  resultPaths,
  uniqueRows,
  writeFileAtomic,
  writeRows,
  type Row,
} from './files.js';
import { isSettingHash, settingDiff, settingKeys, settingOf } from './pooling.js';
import {
  compareSettingsOf,
  readManifest,
  writeManifest,
  type Manifest,
  type MergeSource,
  type RunRecord,
} from './manifest.js';
import { CSV_FILES, MODELS_DIR, clearResults, sortByRun } from './writer.js';
import { insideFolder, readRegularFile } from './folder-paths.js';
import { MODEL_FILE, WEIGHTS_FILE } from '../models/saved.js';

/** The most a saved model's file may hold when merge copies it (eval checks its exact size). */
const MODEL_MAX_BYTES = 2 ** 31 - 1;

/** The CSVs merge combines: the training files and the post-hoc evaluations (eval.csv). */
const MERGED_FILES = [...CSV_FILES, ['eval', EVAL_COLUMNS]] as const;
type FileName = (typeof MERGED_FILES)[number][0];

interface Folder {
  dir: string;
  manifest: Manifest;
  rows: Record<FileName, Row[]>;
  /** The folder's grid by run id (empty when its manifest's config does not expand). */
  specs: Map<string, RunSpec>;
  /** Each run's setting hash without the seed (pooling.ts); null when the folder cannot tell. */
  keys: Map<string, string> | null;
}

export interface MergeOptions {
  /** Merge folders trained on different backends (recorded per folder in mergedFrom). */
  allowMixedBackends?: boolean;
  /** Replace the results already in a non-empty --out folder (refused otherwise). */
  force?: boolean;
  /** The comparison's equivalence margin (pp) for the merged folder; required when the folders' margins differ. */
  margin?: number;
  /**
   * Take only these runs (`merge --only`), e.g. the runs another grid shares with a committed folder, so its
   * comparison holds (and Holm-adjusts over) that grid's settings only. Each must be in some folder.
   */
  only?: string[];
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
  /** The merged runs in grid order, and the grid's name: what the comparison is rendered with. */
  order: string[];
  title: string;
}

async function readFolder(dir: string): Promise<Folder> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`${dir}: no such folder`, {
      hint: 'pass result folders written by `nrelu-bench run` (e.g. its shard folders)',
    });
  }
  const paths = resultPaths(dir);
  const manifest = readManifest(paths.manifest);
  if (!manifest) {
    throw new UsageError(`${dir} is not a result folder: it has no manifest.json`, {
      hint: 'pass folders written by `nrelu-bench run`',
    });
  }
  // A row repeated within one folder (e.g. appended twice) is kept once, so a seed is never counted twice.
  const rows = Object.fromEntries(
    await Promise.all(
      MERGED_FILES.map(async ([file]) => [file, uniqueRows(paths[file], await readRows(paths[file])).rows] as const),
    ),
  ) as Folder['rows'];
  let specs = new Map<string, RunSpec>();
  try {
    // Never loads the activation modules a manifest names (a results folder is data): a grid with one
    // does not expand, and its runs' settings are compared by their recorded hashes only.
    specs = new Map(expandGrid(manifest.config).map((spec) => [spec.id, spec]));
  } catch {
    // A manifest from another version, or naming a module, may not expand.
  }
  return { dir, manifest, rows, specs, keys: settingKeys(manifest, rows.summary) };
}

/**
 * Refuses an --out folder that holds results merge would replace (its result files; shard folders,
 * scripts and other files are left alone), saying which runs. A folder an earlier merge of the same
 * inputs wrote (its `mergedFrom` all among `dirs`, e.g. a resubmitted Slurm merge job) is replaced, but only when
 * every run it holds came from that merge (`mergedFrom[].runs`): a run another command trained into it since
 * would be deleted.
 */
function refuseExistingResults(outDir: string, dirs: string[]): void {
  const paths = resultPaths(outDir);
  const present = Object.values(FILES).filter((f) => existsSync(join(outDir, f)));
  if (present.length === 0) return;
  const manifest = existsSync(paths.manifest) ? readManifest(paths.manifest) : null;
  const inputs = new Set(dirs.map((d) => resolve(d)));
  const sources = manifest?.mergedFrom ?? [];
  const brought = new Set(sources.flatMap((src) => (Array.isArray(src.runs) ? src.runs : [])));
  const runs = Object.keys(manifest?.runs ?? {});
  const others = runs.filter((id) => !brought.has(id));
  const sameInputs = sources.length > 0 && sources.every((src) => inputs.has(resolve(src.dir)));
  if (sameInputs && others.length === 0) return;
  const listed = (ids: string[]): string =>
    `${ids.length} run${ids.length === 1 ? '' : 's'} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''})`;
  const what = sameInputs
    ? `the results of ${listed(others)} that no merge brought (trained into it since)`
    : runs.length > 0
      ? `the results of ${listed(runs)}`
      : `${present.join(', ')}`;
  throw new UsageError(`--out ${outDir} is not empty: merging would replace ${what}`, {
    hint: 'merge into a new folder (pass the old one as an input to keep its runs), or add --force to replace them',
  });
}

/**
 * A run's rows in one file of a folder. eval.csv's rows are per run and mode; `modes` keeps only those modes, so
 * two copies are compared on the post-hoc evaluations both hold.
 */
function runRows(folder: Folder, file: FileName, id: string, modes?: Set<string>): Row[] {
  const rows = folder.rows[file].filter((r) => r.run_id === id);
  return modes ? rows.filter((r) => modes.has(r.mode)).sort((x, y) => x.mode.localeCompare(y.mode)) : rows;
}

/**
 * The first cell where a run's rows differ between two folders; null if none. Only cells both copies filled are
 * compared: a column a folder lacks or left empty (it was written before the column existed, or merged from such
 * a folder) is not a difference, nor are timing columns, the backend, or eval.csv modes only one copy has.
 */
function firstResultDifference(id: string, a: Folder, b: Folder): string | null {
  for (const [file] of MERGED_FILES) {
    let shared: Set<string> | undefined;
    if (file === 'eval') {
      const modesOf = (f: Folder): Set<string> => new Set(runRows(f, file, id).map((r) => r.mode));
      const inB = modesOf(b);
      shared = new Set([...modesOf(a)].filter((m) => inB.has(m)));
    }
    const [ra, rb] = [runRows(a, file, id, shared), runRows(b, file, id, shared)];
    if (ra.length !== rb.length) return `${FILES[file]}: ${ra.length} vs ${rb.length} rows`;
    for (let i = 0; i < ra.length; i++) {
      for (const c of Object.keys(ra[i])) {
        const [x, y] = [ra[i][c], rb[i][c] ?? ''];
        if (TIMING_COLUMNS.has(c) || c === 'backend' || x === '' || y === '') continue;
        if (x !== y) return `${FILES[file]} ${c}: ${x} vs ${y}`;
      }
    }
  }
  return null;
}

/** How many non-empty result cells a folder holds for a run: of two equal copies, the fuller (newer) one is kept. */
function filledCells(id: string, folder: Folder): number {
  let n = 0;
  for (const [file] of MERGED_FILES)
    for (const row of runRows(folder, file, id)) n += Object.values(row).filter((v) => v !== '').length;
  return n;
}

/** Refuses folders from different backends unless allowed. */
function checkBackends(folders: Folder[], allow: boolean): void {
  const named = folders.filter((f) => f.manifest.backend);
  const names = new Set(named.map((f) => f.manifest.backend?.name));
  if (names.size > 1 && !allow) {
    throw new UsageError(
      `the folders were trained on different ` +
        `backends: ${named.map((f) => `${f.dir} (${f.manifest.backend?.name})`).join(', ')}`,
      {
        hint:
          'backends differ in the last digits; merge folders of one backend, or pass ' +
          "--allow-mixed-backends (each folder's backend is kept in manifest.json)",
      },
    );
  }
}

/**
 * The merged comparison's margin: the folders' common `compare.margin` (the default for folders from
 * before it), or the one given; different margins without one given are refused, since the verdicts
 * would otherwise depend on which folder came first. So are different baselines or primary settings.
 */
function mergedMargin(folders: Folder[], given: number | undefined): number {
  const reference = folders.map((f) => compareSettingsOf(f.manifest.config.compare));
  const differs = reference.findIndex(
    (c) => c.baseline !== reference[0].baseline || c.primary !== reference[0].primary,
  );
  if (differs > 0) {
    const what = (i: number): string => `${folders[i].dir} (${reference[i].baseline}, ${reference[i].primary})`;
    throw new UsageError(
      `the folders compare against different settings (baseline, primary): ${what(0)}, ${what(differs)}`,
      {
        hint: 'merge folders whose configs name the same compare.baseline and compare.primary',
      },
    );
  }
  if (given !== undefined) return given;
  const margins = reference.map((c) => c.margin);
  if (new Set(margins).size > 1) {
    throw new UsageError(
      `the folders use different equivalence ` +
        `margins: ${folders.map((f, i) => `${f.dir} (${margins[i]} pp)`).join(', ')}`,
      {
        hint: "pass --margin <pp> to choose the merged comparison's margin",
      },
    );
  }
  return margins[0];
}

/** Refuses two runs that share a comparison row (model and setting) but differ in more than the seed. */
function checkSettings(runIds: string[], chosen: Map<string, Chosen>): void {
  const first = new Map<string, { id: string; spec: RunSpec | undefined; dir: string; key: string }>();
  for (const id of runIds) {
    const { folder, record } = chosen.get(id) as Chosen;
    const key = folder.keys?.get(id);
    const row = folder.rows.summary.find((r) => r.run_id === id);
    if (!key || !row) continue;
    // The folder's current config describes this run only when the run's recorded hash says it was trained with it.
    const spec = folder.specs.get(id);
    const known = spec && spec.hash === record.hash ? spec : undefined;
    const group = `${row.model}\u0000${settingOf(row)}`;
    const prior = first.get(group);
    if (!prior) first.set(group, { id, spec: known, dir: folder.dir, key });
    else if (prior.key !== key) {
      const diff = prior.spec && known ? settingDiff(prior.spec, known) : 'their recorded setting hashes differ';
      throw new UsageError(
        `runs ${prior.id} (${prior.dir}) and ${id} (${folder.dir}) share the ` +
          `comparison row '${row.model} ${settingOf(row)}' but not its settings: ${diff}`,
        {
          hint:
            'merge only folders run from the same config and overrides ' +
            '(seeds may differ); keep the others in their own folders',
        },
      );
    }
  }
}

/**
 * A run's record with its setting and pairing hashes, also when its folder derived them from its own config (merged
 * configs differ).
 */
function withSettingHash(id: string, { folder, record }: Chosen): RunRecord {
  const key = folder.keys?.get(id);
  const spec = folder.specs.get(id);
  const pairing = record.pairingHash ?? (spec && spec.hash === record.hash ? pairingHash(spec) : undefined);
  return {
    ...record,
    ...(isSettingHash(key) ? { settingHash: key } : {}),
    ...(pairing ? { pairingHash: pairing } : {}),
  };
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

/** Drops the runs `only` does not name; a name no folder holds is refused (a typo would silently merge less). */
function keepOnly(chosen: Map<string, Chosen>, only: string[], folders: Folder[]): void {
  const missing = only.filter((id) => !chosen.has(id));
  if (missing.length > 0) {
    throw new UsageError(
      `--only: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in ` +
        `${folders.map((f) => f.dir).join(', ')}`,
      { hint: 'name runs the folders hold (their summary.csv run_id column)' },
    );
  }
  const wanted = new Set(only);
  for (const id of [...chosen.keys()]) if (!wanted.has(id)) chosen.delete(id);
}

/**
 * Saved models travel with their runs, so `eval` works on the merged folder. Copied as data: plain files from
 * plain folders (no link is followed or copied), into plain folders.
 */
async function copyModels(
  runIds: string[],
  chosen: Map<string, Chosen>,
  copies: Map<string, Folder[]>,
  outDir: string,
): Promise<void> {
  for (const id of runIds) {
    const { folder } = chosen.get(id) as Chosen;
    const holders = [folder, ...(copies.get(id) ?? [])].filter((f) => f === folder || isFinished(f.manifest.runs[id]));
    const src = holders.map((f) => insideFolder(f.dir, MODELS_DIR, id)).find((d) => existsSync(d));
    if (!src) continue;
    for (const file of [WEIGHTS_FILE, MODEL_FILE]) {
      if (!existsSync(insideFolder(src, file))) continue; // a partial model travels as it is: eval names it
      const bytes = await readRegularFile(join(src, file), { maxBytes: MODEL_MAX_BYTES });
      await writeFileAtomic(insideFolder(outDir, MODELS_DIR, id, file), bytes);
    }
  }
}

export async function mergeResults(dirs: string[], outDir: string, options: MergeOptions = {}): Promise<MergeResult> {
  const folders = await readInputs(dirs, outDir, options);
  checkBackends(folders, options.allowMixedBackends ?? false);
  const margin = mergedMargin(folders, options.margin);
  const { chosen, duplicates, copies } = chooseCopies(folders);
  if (options.only) keepOnly(chosen, options.only, folders);
  const order = gridOrder(folders, chosen.keys());
  const runIds = order.filter((id) => chosen.has(id));
  checkSettings(runIds, chosen);
  await clearResults(outDir);
  await writeMergedRows(outDir, { runIds, order, chosen, copies });
  await copyModels(runIds, chosen, copies, outDir);
  await writeManifest(resultPaths(outDir).manifest, mergedManifest(folders, runIds, chosen, margin));
  return { outDir, runs: runIds, duplicates: [...new Set(duplicates)], order, title: folders[0].manifest.name };
}

/** The input folders, read; refuses no folder, --out among them, and (without --force) an --out holding results. */
async function readInputs(dirs: string[], outDir: string, options: MergeOptions): Promise<Folder[]> {
  if (dirs.length === 0)
    throw new UsageError('nothing to merge', { hint: 'pass one or more result folders, e.g. results/x/shard-*' });
  const outAbs = resolve(outDir);
  const clash = dirs.find((d) => resolve(d) === outAbs);
  if (clash) throw new UsageError(`--out ${outDir} is also an input folder`, { hint: 'merge into a new folder' });
  if (!options.force) refuseExistingResults(outDir, dirs);
  const folders: Folder[] = [];
  for (const dir of dirs) folders.push(await readFolder(dir));
  return folders;
}

/** Which copy of each run is merged, the runs found more than once, and every folder holding those. */
interface Copies {
  chosen: Map<string, Chosen>;
  duplicates: string[];
  /** Every folder holding a run found in more than one, in input order. */
  copies: Map<string, Folder[]>;
}

/** Each run once: the first copy, replaced by a later finished one when it failed, or by a fuller equal one. */
function chooseCopies(folders: Folder[]): Copies {
  const found: Copies = { chosen: new Map(), duplicates: [], copies: new Map() };
  for (const folder of folders) {
    for (const row of folder.rows.summary) {
      const id = row.run_id;
      const record = folder.manifest.runs[id];
      if (!record) {
        throw new UsageError(`run ${id} in ${folder.dir} has a summary row but no record in manifest.json`, {
          hint: 'the folder was edited by hand or is damaged; rerun that shard',
        });
      }
      const prior = found.chosen.get(id);
      if (!prior) found.chosen.set(id, { folder, record });
      else if (laterCopyWins(id, prior, { folder, record }, found)) found.chosen.set(id, { folder, record });
    }
  }
  return found;
}

/**
 * A second copy of a run: it must have the same config hash and, when both finished, the same results; it wins over
 * a failed copy, and over a finished one whose rows fill fewer cells. Records the duplicate.
 */
function laterCopyWins(id: string, prior: Chosen, next: Chosen, found: Copies): boolean {
  const { folder, record } = next;
  if (prior.record.hash !== record.hash) {
    throw new UsageError(
      `run ${id} has different settings in ${prior.folder.dir} and ${folder.dir} ` +
        `(config hash ${prior.record.hash.slice(0, 12)} vs ${record.hash.slice(0, 12)})`,
      {
        hint:
          'merge only folders run from the same config and ' +
          'overrides; rerun the stale folder with the current config',
      },
    );
  }
  found.duplicates.push(id);
  found.copies.set(id, [...(found.copies.get(id) ?? [prior.folder]), folder]);
  const bothFinished = isFinished(prior.record) && isFinished(record);
  const difference = bothFinished ? firstResultDifference(id, prior.folder, folder) : null;
  if (difference) {
    throw new UsageError(
      `run ${id} has the same settings but different results ` +
        `in ${prior.folder.dir} and ${folder.dir} (${difference})`,
      {
        hint:
          'the copies were trained on different machines or versions; ' +
          'merge one of them, or rerun the run into a new folder',
      },
    );
  }
  const fuller = bothFinished && filledCells(id, folder) > filledCells(id, prior.folder);
  return (!isFinished(prior.record) && isFinished(record)) || fuller;
}

/** Every merged CSV in grid order: each run's rows from its chosen copy (eval.csv: every finished copy's modes). */
async function writeMergedRows(
  outDir: string,
  { runIds, order, chosen, copies }: Pick<Copies, 'chosen' | 'copies'> & { runIds: string[]; order: string[] },
): Promise<void> {
  const paths = resultPaths(outDir);
  for (const [file, columns] of MERGED_FILES) {
    const rows = runIds.flatMap((id) => {
      const { folder } = chosen.get(id) as Chosen;
      const kept = runRows(folder, file, id);
      if (file !== 'eval') return kept;
      // Post-hoc evaluations are kept from every finished copy (equal where two hold a mode, checked above).
      const modes = new Set(kept.map((r) => r.mode));
      for (const other of copies.get(id) ?? []) {
        if (other === folder || !isFinished(other.manifest.runs[id])) continue;
        for (const r of runRows(other, file, id)) {
          if (!modes.has(r.mode)) {
            kept.push(r);
            modes.add(r.mode);
          }
        }
      }
      return kept;
    });
    if (rows.length > 0 || file === 'summary') await writeRows(paths[file], columns, sortByRun(rows, order));
  }
}

/** The first folder's manifest with the merged runs, the margin, the span of the folders' times and their sources. */
function mergedManifest(folders: Folder[], runIds: string[], chosen: Map<string, Chosen>, margin: number): Manifest {
  const first = folders[0].manifest;
  const finished = folders.map((f) => f.manifest.finishedAt);
  const { shard: _shard, jobs: _jobs, mergedFrom: _merged, ...base } = first;
  const sources: MergeSource[] = folders.map((f) => ({
    dir: f.dir,
    ...(f.manifest.shard ? { shard: f.manifest.shard } : {}),
    backend: f.manifest.backend,
    versions: f.manifest.versions,
    startedAt: f.manifest.startedAt,
    finishedAt: f.manifest.finishedAt,
    runs: runIds.filter((id) => chosen.get(id)?.folder === f),
  }));
  return {
    ...base,
    config: { ...base.config, compare: { ...base.config.compare, margin } },
    startedAt: folders.map((f) => f.manifest.startedAt).sort()[0],
    finishedAt: finished.every((t) => t) ? ((finished as string[]).sort().at(-1) ?? null) : null,
    runs: Object.fromEntries(runIds.map((id) => [id, withSettingHash(id, chosen.get(id) as Chosen)])),
    mergedFrom: sources,
  };
}
