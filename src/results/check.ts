/**
 * Reproducibility check: compares a result folder with a reference folder run by run and epoch by
 * epoch, and every file the tables are built from (summary.csv included). Accuracy and loss columns may differ by at
 * most an absolute tolerance; counts (dead,
 * dormant, zero-output units, per epoch and per layer) must be equal; both folders must hold the
 * same runs, with the same status and config hash, and the same epochs; post-hoc evaluations (eval.csv) per run and
 * mode when the checked folder has them. Timing columns are ignored.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { readRows, resultPaths, type Row } from './files.js';
import { readManifest } from './manifest.js';
import { columnDef, columnsChecked, type FileKey } from './columns.js';

export interface Difference {
  run: string;
  /** The epoch, `-` for run-level differences, `noise=<level>` for robustness rows, `mode=<mode>` for eval.csv's. */
  epoch: string;
  column: string;
  expected: string;
  actual: string;
}

export interface CheckResult {
  differences: Difference[];
  /** Unit counts that differ by no more than the count tolerance: not failures, but named. */
  moved?: Difference[];
  runs: number;
  epochs: number;
  /** What was not compared, and why (e.g. the reference has eval.csv and the checked folder none). */
  notes?: string[];
}

/**
 * What each file's columns must satisfy, from the registry (columns.ts): `exact` and `count` columns
 * equal (counts within --count-tolerance), `tolerance` ones within --tolerance; `derived`, `ignored`
 * (timing, backend) and `key` columns are not compared cell by cell. Status and epochs identify a
 * run's outcome and are compared first.
 */
const compared = (file: FileKey): { exact: string[]; tolerance: string[] } => ({
  exact: [...columnsChecked(file, 'exact'), ...columnsChecked(file, 'count')].filter(
    (c) => c !== 'status' && c !== 'epochs',
  ),
  tolerance: columnsChecked(file, 'tolerance'),
});

function folderRows(dir: string, role: string): Promise<Row[][]> {
  const paths = resultPaths(dir);
  if (!existsSync(paths.summary)) {
    throw new UsageError(`${role} ${dir} has no summary.csv`, {
      hint: 'pass a folder written by `nrelu-bench run` (or use --rerun to fill it)',
    });
  }
  return Promise.all([
    readRows(paths.summary),
    readRows(paths.epochs),
    readRows(paths.dead),
    readRows(paths.robustness),
    readRows(paths.eval),
  ]);
}

const byKey = (rows: Row[], key: (r: Row) => string): Map<string, Row> => new Map(rows.map((r) => [key(r), r]));

/** Equal as numbers (NaN equals NaN) or, for non-numbers, as text; empty equals only empty. */
function sameValue(a: string, b: string, tolerance = 0): boolean {
  if (a === b) return true;
  if (a.trim() === '' || b.trim() === '') return false;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y) && /nan/i.test(a) && /nan/i.test(b);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  return Math.abs(x - y) <= tolerance + 1e-12;
}

export interface CheckOptions {
  /**
   * Unit counts may differ by this many units (default 0). Dead and dormant counts are thresholds
   * on continuous values, so another backend's rounding can tip one unit at the edge.
   */
  countTolerance?: number;
}

/** 'moved' when a count column differs by no more than `countTolerance` (and is not equal). */
export function countVerdict(
  column: string,
  expected: string,
  actual: string,
  countTolerance: number,
): 'same' | 'moved' | 'different' {
  if (sameValue(expected, actual)) return 'same';
  // `units` and `sigma` are settings, always exact; only unit counts may move.
  const counted = columnDef(column)?.check === 'count';
  return counted && countTolerance > 0 && sameValue(expected, actual, countTolerance) ? 'moved' : 'different';
}

/** `only`: compare just these runs (`check --only`), e.g. one run re-run from a committed grid. */
export async function checkResults(
  resultsDir: string,
  referenceDir: string,
  tolerance: number,
  only?: string[],
  options: CheckOptions = {},
): Promise<CheckResult> {
  const pick = (rows: Row[]): Row[] => (only ? rows.filter((r) => only.includes(r.run_id)) : rows);
  const [refSummary, refEpochs, refDead, refRobust, refEval] = (await folderRows(referenceDir, 'reference')).map(pick);
  const [summary, epochs, dead, robust, evals] = (await folderRows(resultsDir, 'results folder')).map(pick);
  const refHashes = readManifest(resultPaths(referenceDir).manifest)?.runs ?? {};
  const hashes = readManifest(resultPaths(resultsDir).manifest)?.runs ?? {};
  const differences: Difference[] = [];
  const diff = (run: string, epoch: string, column: string, expected: string, actual: string): void => {
    differences.push({ run, epoch, column, expected, actual });
  };
  const moved: Difference[] = [];
  const count = (run: string, epoch: string, column: string, label: string, expected: string, actual: string): void => {
    const verdict = countVerdict(column, expected, actual, options.countTolerance ?? 0);
    if (verdict === 'moved') moved.push({ run, epoch, column: label, expected, actual });
    else if (verdict === 'different') diff(run, epoch, label, expected, actual);
  };

  const refRuns = byKey(refSummary, (r) => r.run_id);
  const runs = byKey(summary, (r) => r.run_id);
  for (const id of refRuns.keys()) if (!runs.has(id)) diff(id, '-', 'run', 'present', 'missing');
  for (const id of runs.keys()) if (!refRuns.has(id)) diff(id, '-', 'run', 'absent', 'present');
  const common = new Set([...refRuns.keys()].filter((id) => runs.has(id)));

  // Columns the reference does not have (older folders) are not compared.
  const refSummaryHeader = new Set(Object.keys(refSummary[0] ?? {}));
  const [summaryColumns, epochColumns, layerColumns] = [compared('summary'), compared('epochs'), compared('dead')];
  for (const id of common) {
    const [e, a] = [refRuns.get(id) as Row, runs.get(id) as Row];
    const [he, ha] = [refHashes[id]?.hash ?? '', hashes[id]?.hash ?? ''];
    if (he && ha && he !== ha) diff(id, '-', 'config hash', he.slice(0, 12), ha.slice(0, 12));
    for (const column of ['status', 'epochs'])
      if (!sameValue(e[column] ?? '', a[column] ?? '')) diff(id, '-', column, e[column] ?? '', a[column] ?? '');
    for (const c of summaryColumns.exact)
      if (refSummaryHeader.has(c)) count(id, '-', c, `summary ${c}`, e[c] ?? '', a[c] ?? '');
    for (const c of summaryColumns.tolerance) {
      if (refSummaryHeader.has(c) && !sameValue(e[c] ?? '', a[c] ?? '', tolerance))
        diff(id, '-', `summary ${c}`, e[c] ?? '', a[c] ?? '');
    }
  }

  // Per epoch: epochs.csv. Columns the reference does not have (older folders) are not compared.
  const refHeader = new Set(Object.keys(refEpochs[0] ?? {}));
  const epochKey = (r: Row): string => `${r.run_id}\u0000${r.epoch}`;
  const refByEpoch = byKey(
    refEpochs.filter((r) => common.has(r.run_id)),
    epochKey,
  );
  const byEpoch = byKey(
    epochs.filter((r) => common.has(r.run_id)),
    epochKey,
  );
  for (const [key, e] of refByEpoch) {
    const a = byEpoch.get(key);
    if (!a) {
      diff(e.run_id, e.epoch, 'epoch row', 'present', 'missing');
      continue;
    }
    for (const c of epochColumns.tolerance) {
      if (refHeader.has(c) && !sameValue(e[c] ?? '', a[c] ?? '', tolerance))
        diff(e.run_id, e.epoch, c, e[c] ?? '', a[c] ?? '');
    }
    for (const c of epochColumns.exact) if (refHeader.has(c)) count(e.run_id, e.epoch, c, c, e[c] ?? '', a[c] ?? '');
  }
  for (const [key, a] of byEpoch) if (!refByEpoch.has(key)) diff(a.run_id, a.epoch, 'epoch row', 'absent', 'present');

  // Per epoch and hidden layer: dead_neurons.csv.
  const layerKey = (r: Row): string => `${r.run_id}\u0000${r.epoch}\u0000${r.layer}`;
  const refLayers = byKey(
    refDead.filter((r) => common.has(r.run_id)),
    layerKey,
  );
  const layers = byKey(
    dead.filter((r) => common.has(r.run_id)),
    layerKey,
  );
  const refLayerHeader = new Set(Object.keys(refDead[0] ?? {}));
  for (const [key, e] of refLayers) {
    const a = layers.get(key);
    if (!a) {
      diff(e.run_id, e.epoch, `layer ${e.layer}`, 'present', 'missing');
      continue;
    }
    for (const c of layerColumns.exact)
      if (refLayerHeader.has(c)) count(e.run_id, e.epoch, c, `${c} (${e.layer})`, e[c] ?? '', a[c] ?? '');
    for (const c of layerColumns.tolerance) {
      if (refLayerHeader.has(c) && !sameValue(e[c] ?? '', a[c] ?? '', tolerance))
        diff(e.run_id, e.epoch, `${c} (${e.layer})`, e[c] ?? '', a[c] ?? '');
    }
  }
  for (const [key, a] of layers)
    if (!refLayers.has(key)) diff(a.run_id, a.epoch, `layer ${a.layer}`, 'absent', 'present');

  // After training: robustness.csv, accuracy within the tolerance.
  const noiseKey = (r: Row): string => `${r.run_id}\u0000${r.noise}`;
  const refNoise = byKey(
    refRobust.filter((r) => common.has(r.run_id)),
    noiseKey,
  );
  const noise = byKey(
    robust.filter((r) => common.has(r.run_id)),
    noiseKey,
  );
  for (const [key, e] of refNoise) {
    const a = noise.get(key);
    if (!a || !sameValue(e.test_acc, a.test_acc, tolerance))
      diff(e.run_id, `noise=${e.noise}`, 'test_acc', e.test_acc, a ? a.test_acc : 'missing');
  }
  for (const [key, a] of noise)
    if (!refNoise.has(key)) diff(a.run_id, `noise=${a.noise}`, 'test_acc', 'absent', a.test_acc);

  // Post-hoc evaluations of saved models: eval.csv, per run and mode, when the checked folder has one (a rerun
  // trains; it evaluates nothing post hoc until `nrelu-bench eval` runs on it).
  const notes: string[] = [];
  if (refEval.length > 0 && !existsSync(resultPaths(resultsDir).eval)) {
    notes.push(`eval.csv: not compared, ${resultsDir} has none (\`nrelu-bench eval\` writes it from saved models)`);
  } else {
    const evalColumns = compared('eval');
    const modeKey = (r: Row): string => `${r.run_id}\u0000${r.mode}`;
    const [refModes, modes] = [refEval, evals].map((rows) =>
      byKey(
        rows.filter((r) => common.has(r.run_id)),
        modeKey,
      ),
    );
    for (const [key, e] of refModes) {
      const a = modes.get(key);
      const at = `mode=${e.mode}`;
      if (!a) {
        diff(e.run_id, at, 'eval row', 'present', 'missing');
        continue;
      }
      for (const c of evalColumns.exact)
        if (!sameValue(e[c] ?? '', a[c] ?? '')) diff(e.run_id, at, c, e[c] ?? '', a[c] ?? '');
      for (const c of evalColumns.tolerance)
        if (!sameValue(e[c] ?? '', a[c] ?? '', tolerance)) diff(e.run_id, at, c, e[c] ?? '', a[c] ?? '');
    }
    for (const [key, a] of modes)
      if (!refModes.has(key)) diff(a.run_id, `mode=${a.mode}`, 'eval row', 'absent', 'present');
  }

  return { differences, moved, runs: common.size, epochs: refByEpoch.size, notes };
}

/** The differences as an aligned text table, with the numeric difference where there is one. */
export function renderDifferences(differences: Difference[], limit = 200): string {
  const head = ['run', 'epoch', 'column', 'expected', 'actual', 'diff'];
  const body = differences.slice(0, limit).map((d) => {
    const delta = Number(d.actual) - Number(d.expected);
    const shown =
      d.expected.trim() !== '' && d.actual.trim() !== '' && Number.isFinite(delta)
        ? String(Number(delta.toPrecision(3)))
        : '';
    return [d.run, d.epoch, d.column, d.expected || '(empty)', d.actual || '(empty)', shown];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  if (differences.length > limit) out.push(`... and ${differences.length - limit} more`);
  return out.join('\n');
}

/**
 * The reference's runs missing from the checked folder, as one line (count and the first few ids) instead of one table
 * row each (a folder rerun with --only, checked without it, lacks most of the reference); `rest` is the other
 * differences. `line` is undefined when no run is missing.
 */
export function missingRunsSummary(
  differences: Difference[],
  folder: string,
  shown = 3,
): { line?: string; rest: Difference[] } {
  const isMissing = (d: Difference): boolean => d.column === 'run' && d.actual === 'missing';
  const ids = differences.filter(isMissing).map((d) => d.run);
  const rest = differences.filter((d) => !isMissing(d));
  if (ids.length === 0) return { rest };
  const first = ids.slice(0, shown).join(', ');
  const more = ids.length > shown ? `, ... (${ids.length - shown} more)` : '';
  const runs = ids.length === 1 ? '1 run of the reference is' : `${ids.length} runs of the reference are`;
  return {
    line: `${runs} missing from ${folder}: ${first}${more}; --only <run-ids> checks just the runs it has`,
    rest,
  };
}

/** The same folder, also through a symlink or another spelling of the path. */
function sameFolder(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

/**
 * `check`: `only` must name runs the reference holds; both folders are read first (a damaged file is
 * reported as damaged even when the two are one folder), then a folder checked against itself is refused.
 */
export async function checkAgainstReference(
  resultsDir: string,
  reference: string,
  tolerance: number,
  only: string[] | undefined,
  options: CheckOptions = {},
): Promise<CheckResult> {
  if (only) {
    const inReference = new Set((await readRows(resultPaths(reference).summary)).map((r) => r.run_id));
    const missing = only.filter((id) => !inReference.has(id));
    if (missing.length > 0)
      throw new UsageError(`--only: ${missing.join(', ')} not in ${reference}/summary.csv`, {
        hint: 'pass run ids the reference holds',
      });
  }
  const result = await checkResults(resultsDir, reference, tolerance, only, options);
  if (sameFolder(resultsDir, reference)) {
    throw new UsageError(
      `${resultsDir} is the reference itself: a folder always matches itself, so this checks nothing`,
      {
        hint: 'pass another folder to check, or --rerun into a new folder to reproduce the reference',
      },
    );
  }
  return result;
}
