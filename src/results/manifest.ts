/**
 * manifest.json: what produced a result folder (resolved config, overrides, versions, backend,
 * dataset source and checksums, times) and the state of each run, which `run` reads to resume.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tf } from '../tf.js';
import type { CompareSettings, ResolvedConfig } from '../config/types.js';
import { canonicalJson } from '../config/grid.js';
import { CONFIG_DEFAULTS } from '../config/schema.js';
import { writeFileAtomic } from './files.js';
import { ResultsError } from '../errors.js';
import { isRunId, printable } from './folder-paths.js';
import type { FinalStatus } from './columns.js';

export type { FinalStatus };

export interface RunRecord {
  hash: string;
  /** The hash of the run's settings without its seed (pooling.ts): the runs a comparison row may pool share it. */
  settingHash?: string;
  /**
   * The hash of the run's settings without seed and activation (config/grid.ts `pairingHash`): a setting pairs with
   * its model's baseline only where both runs have the same one.
   */
  pairingHash?: string;
  status: FinalStatus | 'interrupted';
  message?: string;
  finishedAt?: string;
}

export interface Manifest {
  name: string;
  config: ResolvedConfig;
  overrides: string[];
  versions: { nreluBench: string; tfjs: string; node: string };
  backend: { name: string; gpu: boolean; notes: string[] } | null;
  dataset: { name: string; source: unknown } | null;
  startedAt: string;
  finishedAt: string | null;
  runs: Record<string, RunRecord>;
  /** Set when the folder holds one shard of the grid (`run --shard i/n`); 0-based index. */
  shard?: { index: number; count: number };
  /** Runs trained at once (worker processes) by the last `run`. */
  jobs?: number;
  /** Set by `merge`: the folders combined into this one. */
  mergedFrom?: MergeSource[];
  /**
   * User activations from files (config `activations: [{module: ...}]`): name, absolute path, SHA-256 of the content.
   */
  activationModules?: { name: string; path: string; sha256: string }[];
  /** Set by `run --until-decided`: the group-sequential design fixed in advance and every look it held. */
  sequential?: SequentialRecord;
}

/**
 * The design of `run --until-decided` (stats/sequential.ts) and its looks, as JSON: boundaries and statistics that
 * are not finite (an infinite boundary, a statistic below two pairs) are written as null.
 */
export interface SequentialRecord {
  /** Seeds at each look; the last is --max-seeds. */
  looks: number[];
  /** The seeds in the order they are added. */
  seeds: number[];
  alpha: number;
  /** Equivalence margin in percentage points (config compare.margin). */
  marginPp: number;
  baseline: string;
  /** Per model (the comparison's model label): every look held, with its settings still undecided. */
  models: { model: string; looks: SequentialLookRecord[] }[];
}

export interface SequentialLookRecord {
  look: number;
  seeds: number;
  superiorityZ: number | null;
  superiorityT: number | null;
  equivalenceZ: number | null;
  equivalenceT: number | null;
  settings: {
    setting: string;
    n: number;
    meanDiff: number | null;
    sdDiff: number | null;
    t: number | null;
    tostT: number | null;
    superiorityBoundary: number | null;
    equivalenceBoundary: number | null;
    /** better, worse, equivalent, continue, or inconclusive (undecided at the last look). */
    decision: string;
  }[];
}

/** One folder that `merge` combined: where it was and what produced it. */
export interface MergeSource {
  dir: string;
  shard?: { index: number; count: number };
  backend: Manifest['backend'];
  versions: Manifest['versions'];
  startedAt: string;
  finishedAt: string | null;
  runs: string[];
}

const require = createRequire(import.meta.url);

/** Defined by the one-file bundle (scripts/bundle.mjs), which has no package.json beside it. */
declare const NRELU_BENCH_BUNDLE_VERSION: string | undefined;

export function packageVersion(): string {
  if (typeof NRELU_BENCH_BUNDLE_VERSION === 'string') return NRELU_BENCH_BUNDLE_VERSION;
  return (require('../../package.json') as { version: string }).version;
}

export function newManifest(config: ResolvedConfig, overrides: string[]): Manifest {
  return {
    name: config.name,
    config,
    overrides,
    versions: { nreluBench: packageVersion(), tfjs: tf.version.tfjs, node: process.version },
    backend: null,
    dataset: null,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    runs: {},
  };
}

/** Reads a result folder's manifest; null when there is none; a damaged one is a one-line error naming it. */
export function readManifest(path: string): Manifest | null {
  if (!existsSync(path)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw damagedManifest(path, `is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const runs = (value as { runs?: unknown } | null)?.runs;
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    typeof runs !== 'object' ||
    runs === null ||
    Array.isArray(runs)
  ) {
    throw damagedManifest(path, 'is not a manifest written by nrelu-bench (no `runs` record)');
  }
  // Run ids name folders (models/<run-id>/): one that is not a run id the harness writes is not trusted.
  const bad = Object.keys(runs).find((id) => !isRunId(id));
  if (bad !== undefined)
    throw damagedManifest(path, `records run '${printable(bad)}', not a run id nrelu-bench writes`);
  return value as Manifest;
}

function damagedManifest(path: string, what: string): ResultsError {
  return new ResultsError(`${path} ${what}`, {
    hint:
      'restore it from a copy, or move it away: `nrelu-bench run` then retrains ' +
      "the grid's runs and keeps the rows of other runs (--fresh deletes everything)",
  });
}

export async function writeManifest(path: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * A folder's comparison settings (its config's `compare`), each key its manifest lacks filled with its default: a
 * folder written before `compare.margin`, `baseline` or `primary` existed was compared with the defaults, so it
 * rebuilds as it was written.
 */
export function compareSettingsOf(given: Partial<CompareSettings> | undefined): Required<CompareSettings> {
  const d = CONFIG_DEFAULTS.compare;
  return {
    margin: given?.margin ?? d.margin,
    baseline: given?.baseline ?? d.baseline,
    primary: given?.primary ?? d.primary,
  };
}

/** A run is done (skipped on resume) when its last record is final and its config hash is unchanged. */
export function isDone(manifest: Manifest | null, id: string, hash: string): boolean {
  const rec = manifest?.runs[id];
  return !!rec && rec.hash === hash && (rec.status === 'completed' || rec.status === 'diverged');
}

/**
 * The config a folder's manifest records after a run of `current` into it: when the previous grid differs
 * only in its seeds (say, `seeds=[1]` run into a three-seed folder), the union of both seed lists, so the
 * manifest describes every run the folder holds and `check --rerun` reruns them all; otherwise `current`.
 */
export function unionGrid(previous: ResolvedConfig | undefined, current: ResolvedConfig): ResolvedConfig {
  if (!previous || !Array.isArray(previous.seeds)) return current;
  let sameButSeeds: boolean;
  try {
    // A manifest from before a compare key was added compares as its default (the same comparison).
    const plain = (c: ResolvedConfig): string =>
      canonicalJson({ ...c, seeds: [], compare: compareSettingsOf(c.compare) });
    sameButSeeds = plain(previous) === plain(current);
  } catch {
    return current; // a manifest from another version holding a value JSON cannot encode
  }
  if (!sameButSeeds) return current;
  return { ...current, seeds: [...new Set([...previous.seeds, ...current.seeds])] };
}
