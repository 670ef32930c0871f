/**
 * Which runs a comparison row may pool: runs with the same settings apart from the seed. A run's
 * setting hash is the hash of its settings with the seed set to 0: recorded in manifest.json by
 * `run` (RunRecord.settingHash), or, for runs recorded before that, derived from the manifest's
 * config when the run's recorded hash shows it was trained with that config. A row's label (model
 * and setting) can be shared by runs trained with other settings, e.g. a run kept in the folder
 * from an earlier `run` with another learning rate: such runs keep their rows in the CSVs but are
 * left out of the comparison, never averaged with the others.
 */
import { expandGrid, runHash } from '../config/grid.js';
import type { ResolvedConfig, RunSpec } from '../config/types.js';
import { readRows, resultPaths, type Row } from './files.js';
import { settingOf } from './columns.js';
import { readManifest, type Manifest } from './manifest.js';

export { settingOf };

/** The hash of a run's settings without its seed: equal for the seeds of one setting. */
export function settingHash(spec: RunSpec): string {
  return runHash({ ...spec, seed: 0 });
}

/** The manifest's config expanded for `seeds` as well (runs of other seeds it holds); null when it does not expand. */
function specsFor(config: ResolvedConfig, seeds: number[]): Map<string, RunSpec> | null {
  try {
    const all = [...new Set([...config.seeds, ...seeds])];
    return new Map(expandGrid({ ...config, seeds: all }).map((s) => [s.id, s]));
  } catch {
    // A config from another version, or naming an activation module (never imported from a folder).
    return null;
  }
}

/**
 * Each run's setting hash by id: recorded, or derived from the manifest's config; a run whose recorded
 * hash does not match that config gets a key of its own (its settings are not the config's). null when
 * the folder cannot tell (no manifest, or a config that does not expand and no recorded setting hashes).
 */
export function settingKeys(manifest: Manifest | null, summary: Row[]): Map<string, string> | null {
  if (!manifest) return null;
  const seeds = summary.map((r) => Number(r.seed)).filter((s) => Number.isInteger(s) && s >= 0);
  const specs = specsFor(manifest.config, seeds);
  const keys = new Map<string, string>();
  let matched = false;
  for (const [id, record] of Object.entries(manifest.runs)) {
    const spec = specs?.get(id);
    if (record.settingHash) keys.set(id, record.settingHash);
    else if (spec && spec.hash === record.hash) {
      keys.set(id, settingHash(spec));
      matched = true;
    } else if (specs) keys.set(id, `other:${record.hash}`);
  }
  // No run matches the config and none recorded its setting hash: hashes from another version; the folder cannot tell.
  const recorded = Object.values(manifest.runs).some((r) => r.settingHash);
  return recorded || matched ? keys : null;
}

/** A key from settingKeys that is a real setting hash (not a run that only differs from the config). */
export function isSettingHash(key: string | undefined): key is string {
  return key !== undefined && !key.startsWith('other:');
}

export interface Pooled {
  /** The summary rows the comparison may use. */
  rows: Row[];
  /** Runs left out: their settings differ from the row they would join. */
  excluded: string[];
}

/**
 * The summary rows whose runs share their comparison row's settings. Where a row's runs differ, the
 * settings of the manifest's current grid win (`run` just trained them), else those of the run
 * finished last; the others are excluded.
 */
export function poolableRows(summary: Row[], manifest: Manifest | null): Pooled {
  const keys = settingKeys(manifest, summary);
  if (!keys || !manifest) return { rows: summary, excluded: [] };
  const current = specsFor(manifest.config, []);
  const groups = new Map<string, Row[]>();
  for (const row of summary) {
    const group = `${row.model}\u0000${settingOf(row)}`;
    groups.set(group, [...(groups.get(group) ?? []), row]);
  }
  const excluded = new Set<string>();
  for (const rows of groups.values()) {
    const distinct = new Set(rows.map((r) => keys.get(r.run_id) ?? `unknown:${r.run_id}`));
    if (distinct.size <= 1) continue;
    const inGrid = rows.find((r) => current?.get(r.run_id)?.hash === manifest.runs[r.run_id]?.hash);
    const latest = [...rows].sort((a, b) =>
      (manifest.runs[b.run_id]?.finishedAt ?? '').localeCompare(manifest.runs[a.run_id]?.finishedAt ?? ''),
    )[0];
    const keep = keys.get((inGrid ?? latest).run_id);
    for (const r of rows) if (keep === undefined || keys.get(r.run_id) !== keep) excluded.add(r.run_id);
  }
  return { rows: summary.filter((r) => !excluded.has(r.run_id)), excluded: [...excluded] };
}

/** The one line that says which runs the comparison left out, or '' when none. */
export function excludedNote(excluded: string[]): string {
  if (excluded.length === 0) return '';
  const n = excluded.length;
  return (
    `Left out of this comparison: ${n} run${n === 1 ? '' : 's'} (${excluded.join(', ')}) ` +
    `trained with other settings than the row ${n === 1 ? 'it' : 'they'} would join; ` +
    `${n === 1 ? 'its' : 'their'} rows stay in the CSVs (rerun ${n === 1 ? 'it' : 'them'} ` +
    `with the current config, or run the other settings into their own folder).`
  );
}

/** The runs of a result folder that its comparison leaves out (for the HTML report, which must leave out the same). */
export async function excludedRuns(dir: string): Promise<string[]> {
  const paths = resultPaths(dir);
  return poolableRows(await readRows(paths.summary), readManifest(paths.manifest)).excluded;
}
