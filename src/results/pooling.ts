/**
 * Which runs a comparison may use. A row pools runs with the same settings apart from the seed, and a setting pairs
 * with its model's baseline only where the two share every setting but the activation (the pairing hash). A run's
 * setting hash is the hash of its settings with the seed set to 0: recorded in manifest.json by
 * `run` (RunRecord.settingHash), or, for runs recorded before that, derived from the manifest's
 * config when the run's recorded hash shows it was trained with that config. A row's label (model
 * and setting) can be shared by runs trained with other settings, e.g. a run kept in the folder
 * from an earlier `run` with another learning rate: such runs keep their rows in the CSVs but are
 * left out of the comparison, never averaged with the others.
 */
import { expandGrid, pairingHash, runHash } from '../config/grid.js';
import type { ResolvedConfig, RunSpec } from '../config/types.js';
import type { Row } from './files.js';
import { settingOf } from './columns.js';
import type { Manifest } from './manifest.js';

export { settingOf };

/** Leaf values of a JSON-like value by dotted path. */
function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** The settings two runs differ in, e.g. `train.learningRate 0.001 vs 0.05`. */
export function settingDiff(a: RunSpec, b: RunSpec): string {
  const [fa, fb] = [flatten({ ...a, id: '', hash: '', seed: 0 }), flatten({ ...b, id: '', hash: '', seed: 0 })];
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].filter((k) => fa.get(k) !== fb.get(k));
  return keys
    .slice(0, 3)
    .map((k) => `${k} ${fa.get(k) ?? '(unset)'} vs ${fb.get(k) ?? '(unset)'}`)
    .join(', ');
}

/** The hash of a run's settings without its seed: equal for the seeds of one setting. */
export function settingHash(spec: RunSpec): string {
  return runHash({ ...spec, seed: 0 });
}

/** The manifest's config expanded for `seeds` as well (runs of other seeds it holds); null when it does not expand. */
export function specsFor(config: ResolvedConfig, seeds: number[]): Map<string, RunSpec> | null {
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
  /** Runs left out: their settings differ from the row they would join, or from the baseline they would pair with. */
  excluded: string[];
  /** Of those, the runs left out because only their pairing differs (their row's settings agree). */
  unpaired: string[];
}

/**
 * Each run's pairing hash by id (settings without seed and activation): recorded by `run`, or derived from the
 * manifest's config when the run's hash shows it was trained with it; absent when the folder cannot tell.
 */
function pairingKeys(manifest: Manifest, summary: Row[]): Map<string, string> {
  const seeds = summary.map((r) => Number(r.seed)).filter((s) => Number.isInteger(s) && s >= 0);
  const specs = specsFor(manifest.config, seeds);
  const keys = new Map<string, string>();
  for (const [id, record] of Object.entries(manifest.runs)) {
    const spec = specs?.get(id);
    if (record.pairingHash) keys.set(id, record.pairingHash);
    else if (spec && spec.hash === record.hash) keys.set(id, pairingHash(spec));
  }
  return keys;
}

/** The run whose settings a group keeps: one in the manifest's current grid (`run` just trained it), else the latest. */
function keptRun(rows: Row[], manifest: Manifest, current: Map<string, RunSpec> | null): Row {
  const inGrid = rows.find((r) => current?.get(r.run_id)?.hash === manifest.runs[r.run_id]?.hash);
  const latest = [...rows].sort((a, b) =>
    (manifest.runs[b.run_id]?.finishedAt ?? '').localeCompare(manifest.runs[a.run_id]?.finishedAt ?? ''),
  )[0];
  return inGrid ?? latest;
}

/**
 * Each group's runs whose key differs from its kept run's (all of them when the kept run's key is unknown). For the
 * pairing rule, groups are passed with only the runs whose pairing key is known: a run the folder cannot tell about
 * is never excluded on that ground.
 */
function outliers(
  groups: Row[][],
  keys: Map<string, string>,
  manifest: Manifest,
  current: Map<string, RunSpec> | null,
): Set<string> {
  const excluded = new Set<string>();
  for (const rows of groups) {
    const distinct = new Set(rows.map((r) => keys.get(r.run_id) ?? `unknown:${r.run_id}`));
    if (distinct.size <= 1) continue;
    const keep = keys.get(keptRun(rows, manifest, current).run_id);
    for (const r of rows) if (keep === undefined || keys.get(r.run_id) !== keep) excluded.add(r.run_id);
  }
  return excluded;
}

/** Rows grouped by `key`, in first-seen order. */
function groupBy(rows: Row[], key: (r: Row) => string): Row[][] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return [...groups.values()];
}

/**
 * The summary rows a comparison may use. First each row (model and setting) keeps the runs of one setting hash; then
 * each model keeps the runs of one pairing hash, so no setting is paired with a baseline trained otherwise (say, a
 * ReLU retrained at 1 epoch beside leftover 2-epoch runs). Where runs differ, the settings of the manifest's current
 * grid win, else those of the run finished last; the others are excluded and named.
 */
export function poolableRows(summary: Row[], manifest: Manifest | null): Pooled {
  const keys = settingKeys(manifest, summary);
  if (!manifest) return { rows: summary, excluded: [], unpaired: [] };
  const current = specsFor(manifest.config, []);
  const rowGroups = groupBy(summary, (r) => `${r.model}\u0000${settingOf(r)}`);
  const byRow = keys ? outliers(rowGroups, keys, manifest, current) : new Set<string>();
  const pairing = pairingKeys(manifest, summary);
  const known = summary.filter((r) => !byRow.has(r.run_id) && pairing.has(r.run_id));
  const byPairing = outliers(
    groupBy(known, (r) => r.model),
    pairing,
    manifest,
    current,
  );
  const excluded = new Set([...byRow, ...byPairing]);
  return {
    rows: summary.filter((r) => !excluded.has(r.run_id)),
    excluded: summary.filter((r) => excluded.has(r.run_id)).map((r) => r.run_id),
    unpaired: [...byPairing],
  };
}

/** The lines that say which runs the comparison left out and why, or '' when none. */
export function excludedNote(excluded: string[], unpaired: string[] = []): string {
  const pairingOnly = new Set(unpaired);
  const byRow = excluded.filter((id) => !pairingOnly.has(id));
  const lines: string[] = [];
  if (byRow.length > 0) {
    const n = byRow.length;
    lines.push(
      `Left out of this comparison: ${n} run${n === 1 ? '' : 's'} (${byRow.join(', ')}) ` +
        `trained with other settings than the row ${n === 1 ? 'it' : 'they'} would join; ` +
        `${n === 1 ? 'its' : 'their'} rows stay in the CSVs (rerun ${n === 1 ? 'it' : 'them'} ` +
        `with the current config, or run the other settings into their own folder).`,
    );
  }
  if (unpaired.length > 0) {
    const n = unpaired.length;
    lines.push(
      `Left without a baseline partner: ${n} run${n === 1 ? '' : 's'} (${unpaired.join(', ')}) ` +
        `trained with other settings (apart from the activation) than the model's other runs, so ` +
        `${n === 1 ? 'it is' : 'they are'} neither pooled nor paired with them; ` +
        `${n === 1 ? 'its' : 'their'} rows stay in the CSVs (run ${n === 1 ? 'it' : 'them'} again with the ` +
        `current config, or run the other settings into their own folder).`,
    );
  }
  return lines.join('\n\n');
}
