/**
 * The result folder's files and their columns, and the two safe ways the harness writes them:
 * whole rows appended (csv-writer), or a whole file written to a temporary name and renamed.
 */
import { createObjectCsvStringifier } from 'csv-writer';
import { parse } from 'csv-parse/sync';
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError, ResultsError, fileSystemError } from '../errors.js';
import { writeFileAtomic } from '../atomic-write.js';
import { printable } from '../regular-file.js';
import { crossColumnProblem } from './row-rules.js';
import { columnDef, columnsChecked, columnsOf, type CellValue, type FileKey, type Row } from './columns.js';

/** Each CSV's columns in the order they are written (the registry, columns.ts, decides). */
export const EPOCH_COLUMNS = columnsOf('epochs');
export const DEAD_COLUMNS = columnsOf('dead');
export const ROBUSTNESS_COLUMNS = columnsOf('robustness');
/** eval.csv (`nrelu-bench eval`): one row per run and evaluation mode of its saved model. */
export const EVAL_COLUMNS = columnsOf('eval');
export const SUMMARY_COLUMNS = columnsOf('summary');

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** Why a non-empty cell breaks its column's type or range, or null when it fits. */
export function cellProblem(column: string, cell: string): string | null {
  const t = columnDef(column)?.type;
  if (!t || cell === '') return null;
  if (t.type === 'text') {
    if (t.oneOf && !t.oneOf.includes(cell)) return `is '${cell}', not one of ${t.oneOf.join(', ')}`;
    return t.pattern && !t.pattern.regex.test(cell) ? `is '${cell}', not ${t.pattern.what}` : null;
  }
  const special = t.special ?? [];
  if (/^[+-]?NaN$/.test(cell)) return special.includes('NaN') ? null : `is '${cell}', not a number`;
  if (/^[+-]?Infinity$/.test(cell))
    return special.includes('Infinity') && !cell.startsWith('-') ? null : `is '${cell}', not a finite number`;
  if (!(t.type === 'int' ? INTEGER : DECIMAL).test(cell.trim()))
    return `is '${cell}', not ${t.type === 'int' ? 'a whole number' : 'a decimal number'}`;
  const value = Number(cell);
  if ((t.min !== undefined && value < t.min) || (t.max !== undefined && value > t.max)) {
    return `is ${cell}, outside ${t.min ?? '-inf'}..${t.max ?? 'inf'}`;
  }
  return null;
}

/** Columns that measure time and so differ between otherwise identical runs. */
export const TIMING_COLUMNS = new Set(
  ['epoch_seconds', 'samples_per_second', 'train_seconds'].filter((c) => columnDef(c)?.check === 'ignored'),
);

export const FILES = {
  epochs: 'epochs.csv',
  dead: 'dead_neurons.csv',
  summary: 'summary.csv',
  comparison: 'comparison.md',
  comparisonCsv: 'comparison.csv',
  comparisonLayersCsv: 'comparison-layers.csv',
  manifest: 'manifest.json',
  robustness: 'robustness.csv',
  eval: 'eval.csv',
} as const;

export type { CellValue, Row };
/** A row to write: a cell per column of its file (rows.ts builds them from the registry's accessors). */
export type Cells = Record<string, CellValue>;

/** Formats a metric: 7 significant digits, so files are stable and readable; empty for null. */
export function formatCell(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(7)));
}

function stringifier(columns: readonly string[]) {
  return createObjectCsvStringifier({ header: columns.map((c) => ({ id: c, title: c })) });
}

/** A text cell a spreadsheet would run as a formula (`=`, `@`, `+`/`-` not before a number, tab, CR). */
const FORMULA = /^[=@\t\r]|^[+-](?![\d.]|Infinity|NaN)/;

/** The cell as written: a would-be formula gets a leading `'`, as spreadsheet-safe exporters do. */
const safeCell = (cell: string): string => (FORMULA.test(cell) ? `'${cell}` : cell);

function toCells(columns: readonly string[], rows: Partial<Record<string, CellValue>>[]): Record<string, string>[] {
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, safeCell(formatCell(r[c]))])));
}

/**
 * Appends whole rows (header first if the file is new) in one write. A file written by an older
 * version, with fewer columns, is first rewritten once under the current header (its rows keep
 * their cells, the new columns empty), so new rows never sit under a header they do not match.
 */
export async function appendRows(path: string, columns: readonly string[], rows: Cells[]): Promise<void> {
  if (rows.length === 0) return;
  refuseSymlink(path, 'written');
  try {
    await appendWhole(path, columns, rows);
  } catch (err) {
    throw fileSystemError(err, path);
  }
}

/**
 * A result file must be a plain file in its folder: appending through a symbolic link (even a dangling
 * one) would write outside the result folder, and reading through one would read (and print) a file elsewhere.
 */
function refuseSymlink(path: string, verb: 'read' | 'written'): void {
  let link: boolean;
  try {
    link = lstatSync(path).isSymbolicLink();
  } catch {
    return; // no such file yet
  }
  if (link) {
    throw new ResultsError(
      `${path} is a symbolic link (to ${printable(readlinkSync(path))}); results are not ${verb} through links`,
      {
        hint: 'remove the link (results are written as plain files in the result folder), or run into another folder',
      },
    );
  }
}

async function appendWhole(path: string, columns: readonly string[], rows: Cells[]): Promise<void> {
  const s = stringifier(columns);
  const exists = existsSync(path);
  if (exists && (await headerOf(path)) !== columns.join(',')) {
    await writeRows(path, columns, await readRows(path));
  }
  const header = exists ? '' : (s.getHeaderString() ?? '');
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, header + s.stringifyRecords(toCells(columns, rows)));
}

/** A CSV's first line, read from the start of the file only: appends happen every epoch, files grow. */
async function headerOf(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.toString('utf8', 0, bytesRead);
    const end = head.indexOf('\n');
    return end < 0 ? head : head.slice(0, end);
  } finally {
    await file.close();
  }
}

export { writeFileAtomic };

/** Rewrites a CSV atomically with exactly `rows` (used to drop partial runs and to sort). */
export async function writeRows(
  path: string,
  columns: readonly string[],
  rows: Record<string, CellValue>[],
): Promise<void> {
  const s = stringifier(columns);
  // stringifyRecords([]) is '\n': a blank line after the header that CSV readers take for a row.
  await writeFileAtomic(
    path,
    (s.getHeaderString() ?? '') + (rows.length > 0 ? s.stringifyRecords(toCells(columns, rows)) : ''),
  );
}

/** The columns of each CSV the harness writes, by file name: a file read must have exactly these. */
const FILE_KEYS: Record<string, FileKey> = {
  [FILES.epochs]: 'epochs',
  [FILES.dead]: 'dead',
  [FILES.summary]: 'summary',
  [FILES.robustness]: 'robustness',
  [FILES.eval]: 'eval',
};
export const COLUMNS_OF: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(FILE_KEYS).map(([f, k]) => [f, columnsOf(k)]),
);

/** Columns added in later versions: a folder written before them is still read (without them). */
const isLater = (column: string): boolean => columnDef(column)?.later === true;

/** The file's cells that must hold a number (an empty cell there is missing data, never 0), by requirement. */
function requiredNumbers(file: string): { always: string[]; completed?: string[] } | undefined {
  const key = FILE_KEYS[file];
  if (!key) return undefined;
  const needs = (when: 'always' | 'completed'): string[] =>
    columnsOf(key).filter((c) => columnDef(c)?.required?.[key] === when);
  return { always: needs('always'), completed: needs('completed') };
}

const isNumberCell = (c: string | undefined): boolean =>
  c !== undefined && c.trim() !== '' && (!Number.isNaN(Number(c)) || /^-?NaN$/.test(c));

/** The first problem of a row: an empty cell where a number must be, or a cell outside its column's type and range. */
function rowProblem(
  row: Row,
  required: { always: string[]; completed?: string[] } | undefined,
  file: string,
): string | null {
  const need = [...(required?.always ?? []), ...(row.status === 'completed' ? (required?.completed ?? []) : [])];
  const empty = need.find((c) => !isNumberCell(row[c]));
  if (empty) return `${empty} is ${row[empty] === '' ? 'empty' : `'${row[empty]}'`}, not a number`;
  for (const [column, cell] of Object.entries(row)) {
    const problem = cellProblem(column, cell);
    if (problem) return `${column} ${problem}`;
  }
  // A completed run's results are finite: NaN or Infinity there would be averaged into the comparison.
  const nonFinite =
    row.status === 'completed' ? required?.completed?.find((c) => !Number.isFinite(Number(row[c]))) : undefined;
  if (nonFinite) return `${nonFinite} is '${row[nonFinite]}' in a completed run, not a finite number`;
  return crossColumnProblem(row, file);
}

function damaged(path: string, what: string): ResultsError {
  return new ResultsError(`${path}: ${what}`, {
    hint:
      'the file was cut off or edited; `nrelu-bench run` with the same config retrains ' +
      'the runs whose rows are damaged and keeps the rest (or move the file away)',
  });
}

interface Parsed {
  rows: Row[];
  damaged: { line: number; runId: string; why: string }[];
}

function parseCsv(path: string, text: string): Parsed {
  let records: string[][];
  try {
    // bom: a header written by Excel starts with a UTF-8 byte order mark, which is not part of `run_id`.
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (err) {
    throw damaged(path, `not a readable CSV (${err instanceof Error ? err.message : String(err)})`);
  }
  if (records.length === 0) return { rows: [], damaged: [] };
  const [head, ...body] = records;
  // The harness ends every row with a newline: a last line without one was cut off mid-write, even
  // when it still has every cell (the last cell may be a prefix of the number written).
  const cutOff = !text.endsWith('\n') && body.length > 0;
  const expected = COLUMNS_OF[basename(path)];
  const missing = expected ? expected.filter((c) => !head.includes(c) && !isLater(c)) : [];
  const extra = expected ? head.filter((c) => !expected.includes(c)) : [];
  if (missing.length > 0 || extra.length > 0) {
    const what = [
      missing.length ? `lacks ${missing.join(', ')}` : '',
      extra.length ? `has unknown ${extra.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    throw new UsageError(`${path}: its header ${what}`, {
      hint:
        'it was written by another version of nrelu-bench or edited ' +
        'by hand; move it away and rerun, or rerun into a new folder',
    });
  }
  const required = requiredNumbers(basename(path));
  const parsed: Parsed = { rows: [], damaged: [] };
  body.forEach((cells, i) => {
    const line = i + 2;
    const runId = cells[0] ?? '';
    if (cutOff && i === body.length - 1) {
      parsed.damaged.push({ line, runId, why: `line ${line} was cut off (no newline at its end)` });
      return;
    }
    if (cells.length !== head.length) {
      parsed.damaged.push({ line, runId, why: `line ${line} has ${cells.length} of ${head.length} cells` });
      return;
    }
    const row = Object.fromEntries(head.map((c, j) => [c, cells[j]])) as Row;
    const why = rowProblem(row, required, basename(path));
    if (why) parsed.damaged.push({ line, runId, why: `line ${line} (${runId}): ${why}` });
    else parsed.rows.push(row);
  });
  return parsed;
}

function strict(path: string, p: Parsed): Row[] {
  if (p.damaged.length > 0)
    throw damaged(path, `${p.damaged[0].why}${p.damaged.length > 1 ? ` (and ${p.damaged.length - 1} more)` : ''}`);
  return p.rows;
}

/**
 * Reads a CSV written by the harness; a missing file is an empty list. A wrong header, a cut-off
 * row or an empty cell where a number must be is a one-line error naming the file.
 */
export async function readRows(path: string): Promise<Row[]> {
  refuseSymlink(path, 'read');
  if (!existsSync(path)) return [];
  return strict(path, parseCsv(path, await readText(path)));
}

export function readRowsSync(path: string): Row[] {
  refuseSymlink(path, 'read');
  if (!existsSync(path)) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fileSystemError(err, path);
  }
  return strict(path, parseCsv(path, text));
}

/** A result file's text; a folder in its place or a permission problem is one line naming it. */
async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw fileSystemError(err, path);
  }
}

/** For resuming: the whole, valid rows, and the run ids of damaged ones (which then train again). */
export async function readRowsLenient(path: string): Promise<{ rows: Row[]; damaged: string[] }> {
  refuseSymlink(path, 'read');
  if (!existsSync(path)) return { rows: [], damaged: [] };
  const p = parseCsv(path, await readText(path));
  return { rows: p.rows, damaged: [...new Set(p.damaged.map((d) => d.runId))] };
}

/**
 * The cells that identify a row of each CSV (the registry's `key` columns): one row per run, per run and epoch,
 * per layer, per noise level. eval.csv is not here: `eval` replaces its rows by run and mode itself.
 */
const ROW_KEYS: Record<string, readonly string[]> = Object.fromEntries(
  (['summary', 'epochs', 'dead', 'robustness'] as const).map((f) => [FILES[f], columnsChecked(f, 'key')]),
);

/**
 * A CSV's rows with repeated rows (the same key, e.g. a run's summary row twice) kept once. Copies
 * that differ beyond their timing columns are an error naming the file and the row: neither can be trusted.
 */
export function uniqueRows(path: string, rows: Row[]): { rows: Row[]; repeated: number } {
  const key = ROW_KEYS[basename(path)];
  if (!key) return { rows, repeated: 0 };
  const seen = new Map<string, Row>();
  const out: Row[] = [];
  for (const row of rows) {
    const k = key.map((c) => row[c]).join('\u0000');
    const prior = seen.get(k);
    if (!prior) {
      seen.set(k, row);
      out.push(row);
      continue;
    }
    const differs = Object.keys(row).find((c) => !TIMING_COLUMNS.has(c) && row[c] !== prior[c]);
    if (differs) {
      throw new ResultsError(
        `${path}: two rows for ${key.map((c) => `${c} ${row[c]}`).join(', ')} ` +
          `that differ in ${differs} (${prior[differs]} vs ${row[differs]})`,
        {
          hint:
            'two processes wrote into this folder, or it was edited by hand; ' +
            'move the file away and rerun the runs, or rerun into a new folder',
        },
      );
    }
  }
  return { rows: out, repeated: rows.length - out.length };
}

export function resultPaths(dir: string): Record<keyof typeof FILES, string> {
  return Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, join(dir, f)])) as Record<
    keyof typeof FILES,
    string
  >;
}
