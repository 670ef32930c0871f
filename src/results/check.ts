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

/** A folder's rows as check compares them, each file restricted to the `--only` runs. */
interface CheckedRows {
  summary: Row[];
  epochs: Row[];
  dead: Row[];
  robustness: Row[];
  eval: Row[];
}

async function checkedRows(dir: string, role: string, only: string[] | undefined): Promise<CheckedRows> {
  const pick = (rows: Row[]): Row[] => (only ? rows.filter((r) => only.includes(r.run_id)) : rows);
  const [summary, epochs, dead, robustness, evals] = (await folderRows(dir, role)).map(pick);
  return { summary, epochs, dead, robustness, eval: evals };
}

/** The differences found so far, and the unit counts that moved within the count tolerance. */
class Tally {
  readonly differences: Difference[] = [];
  readonly moved: Difference[] = [];

  constructor(
    readonly tolerance: number,
    private readonly countTolerance: number,
  ) {}

  diff(run: string, epoch: string, column: string, expected: string, actual: string): void {
    this.differences.push({ run, epoch, column, expected, actual });
  }

  /** An `exact` or `count` column (`label` names it in the table): equal, or a count moved within the tolerance. */
  count(run: string, epoch: string, column: string, label: string, expected: string, actual: string): void {
    const verdict = countVerdict(column, expected, actual, this.countTolerance);
    if (verdict === 'moved') this.moved.push({ run, epoch, column: label, expected, actual });
    else if (verdict === 'different') this.diff(run, epoch, label, expected, actual);
  }

  /** A `tolerance` column: within --tolerance. */
  near(run: string, epoch: string, label: string, expected: string, actual: string): void {
    if (!sameValue(expected, actual, this.tolerance)) this.diff(run, epoch, label, expected, actual);
  }
}

/** The columns the reference's rows have: columns it lacks (older folders) are not compared. */
const headerOf = (rows: Row[]): Set<string> => new Set(Object.keys(rows[0] ?? {}));

/** `only`: compare just these runs (`check --only`), e.g. one run re-run from a committed grid. */
export async function checkResults(
  resultsDir: string,
  referenceDir: string,
  tolerance: number,
  only?: string[],
  options: CheckOptions = {},
): Promise<CheckResult> {
  const ref = await checkedRows(referenceDir, 'reference', only);
  const got = await checkedRows(resultsDir, 'results folder', only);
  const hashes = {
    ref: readManifest(resultPaths(referenceDir).manifest)?.runs ?? {},
    got: readManifest(resultPaths(resultsDir).manifest)?.runs ?? {},
  };
  const t = new Tally(tolerance, options.countTolerance ?? 0);
  const common = checkRuns(t, ref.summary, got.summary, (id) => [
    hashes.ref[id]?.hash ?? '',
    hashes.got[id]?.hash ?? '',
  ]);
  const epochs = checkEpochs(t, ref.epochs, got.epochs, common);
  checkLayers(t, ref.dead, got.dead, common);
  checkRobustness(t, ref.robustness, got.robustness, common);
  // Post-hoc evaluations of saved models: eval.csv, per run and mode, when the checked folder has one (a rerun
  // trains; it evaluates nothing post hoc until `nrelu-bench eval` runs on it).
  const notes: string[] = [];
  if (ref.eval.length > 0 && !existsSync(resultPaths(resultsDir).eval)) {
    notes.push(`eval.csv: not compared, ${resultsDir} has none (\`nrelu-bench eval\` writes it from saved models)`);
  } else checkEval(t, ref.eval, got.eval, common);
  return { differences: t.differences, moved: t.moved, runs: common.size, epochs, notes };
}

/** summary.csv: the same runs, then per common run its config hash, status, epochs and summary columns. */
function checkRuns(t: Tally, refSummary: Row[], summary: Row[], hashesOf: (id: string) => string[]): Set<string> {
  const refRuns = byKey(refSummary, (r) => r.run_id);
  const runs = byKey(summary, (r) => r.run_id);
  for (const id of refRuns.keys()) if (!runs.has(id)) t.diff(id, '-', 'run', 'present', 'missing');
  for (const id of runs.keys()) if (!refRuns.has(id)) t.diff(id, '-', 'run', 'absent', 'present');
  const common = new Set([...refRuns.keys()].filter((id) => runs.has(id)));
  const header = headerOf(refSummary);
  const columns = compared('summary');
  for (const id of common) {
    const [e, a] = [refRuns.get(id) as Row, runs.get(id) as Row];
    const [he, ha] = hashesOf(id);
    if (he && ha && he !== ha) t.diff(id, '-', 'config hash', he.slice(0, 12), ha.slice(0, 12));
    for (const column of ['status', 'epochs'])
      if (!sameValue(e[column] ?? '', a[column] ?? '')) t.diff(id, '-', column, e[column] ?? '', a[column] ?? '');
    for (const c of columns.exact) if (header.has(c)) t.count(id, '-', c, `summary ${c}`, e[c] ?? '', a[c] ?? '');
    for (const c of columns.tolerance) if (header.has(c)) t.near(id, '-', `summary ${c}`, e[c] ?? '', a[c] ?? '');
  }
  return common;
}

/**
 * The rows of one file, of the common runs, matched by `key`: a reference row the folder lacks, or a row the
 * reference lacks, is one difference labelled `missing` (at `at`); matched rows go to `cells`. Returns the reference's
 * row count.
 */
function checkRowsByKey(
  t: Tally,
  [refRows, rows]: [Row[], Row[]],
  common: Set<string>,
  file: { key: (r: Row) => string; at: (r: Row) => string; missing: (r: Row) => string },
  cells: (e: Row, a: Row) => void,
): number {
  const [expected, actual] = [refRows, rows].map((list) =>
    byKey(
      list.filter((r) => common.has(r.run_id)),
      file.key,
    ),
  );
  for (const [key, e] of expected) {
    const a = actual.get(key);
    if (a) cells(e, a);
    else t.diff(e.run_id, file.at(e), file.missing(e), 'present', 'missing');
  }
  for (const [key, a] of actual)
    if (!expected.has(key)) t.diff(a.run_id, file.at(a), file.missing(a), 'absent', 'present');
  return expected.size;
}

/** Per epoch: epochs.csv. Returns the reference's epoch count. */
function checkEpochs(t: Tally, refEpochs: Row[], epochs: Row[], common: Set<string>): number {
  const header = headerOf(refEpochs);
  const columns = compared('epochs');
  const file = { key: (r: Row) => `${r.run_id}\u0000${r.epoch}`, at: (r: Row) => r.epoch, missing: () => 'epoch row' };
  return checkRowsByKey(t, [refEpochs, epochs], common, file, (e, a) => {
    for (const c of columns.tolerance) if (header.has(c)) t.near(e.run_id, e.epoch, c, e[c] ?? '', a[c] ?? '');
    for (const c of columns.exact) if (header.has(c)) t.count(e.run_id, e.epoch, c, c, e[c] ?? '', a[c] ?? '');
  });
}

/** Per epoch and hidden layer: dead_neurons.csv. */
function checkLayers(t: Tally, refDead: Row[], dead: Row[], common: Set<string>): void {
  const header = headerOf(refDead);
  const columns = compared('dead');
  const file = {
    key: (r: Row) => `${r.run_id}\u0000${r.epoch}\u0000${r.layer}`,
    at: (r: Row) => r.epoch,
    missing: (r: Row) => `layer ${r.layer}`,
  };
  checkRowsByKey(t, [refDead, dead], common, file, (e, a) => {
    const label = (c: string): string => `${c} (${e.layer})`;
    for (const c of columns.exact) if (header.has(c)) t.count(e.run_id, e.epoch, c, label(c), e[c] ?? '', a[c] ?? '');
    for (const c of columns.tolerance) if (header.has(c)) t.near(e.run_id, e.epoch, label(c), e[c] ?? '', a[c] ?? '');
  });
}

/** After training: robustness.csv, accuracy within the tolerance (a missing row is a difference in test_acc). */
function checkRobustness(t: Tally, refRobust: Row[], robust: Row[], common: Set<string>): void {
  const noiseKey = (r: Row): string => `${r.run_id}\u0000${r.noise}`;
  const [refNoise, noise] = [refRobust, robust].map((rows) =>
    byKey(
      rows.filter((r) => common.has(r.run_id)),
      noiseKey,
    ),
  );
  for (const [key, e] of refNoise) {
    const a = noise.get(key);
    if (!a || !sameValue(e.test_acc, a.test_acc, t.tolerance))
      t.diff(e.run_id, `noise=${e.noise}`, 'test_acc', e.test_acc, a ? a.test_acc : 'missing');
  }
  for (const [key, a] of noise)
    if (!refNoise.has(key)) t.diff(a.run_id, `noise=${a.noise}`, 'test_acc', 'absent', a.test_acc);
}

/** eval.csv: per run and mode, exact columns equal and the others within the tolerance. */
function checkEval(t: Tally, refEval: Row[], evals: Row[], common: Set<string>): void {
  const columns = compared('eval');
  const file = {
    key: (r: Row) => `${r.run_id}\u0000${r.mode}`,
    at: (r: Row) => `mode=${r.mode}`,
    missing: () => 'eval row',
  };
  checkRowsByKey(t, [refEval, evals], common, file, (e, a) => {
    const at = `mode=${e.mode}`;
    for (const c of columns.exact)
      if (!sameValue(e[c] ?? '', a[c] ?? '')) t.diff(e.run_id, at, c, e[c] ?? '', a[c] ?? '');
    for (const c of columns.tolerance) t.near(e.run_id, at, c, e[c] ?? '', a[c] ?? '');
  });
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
