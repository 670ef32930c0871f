/**
 * The result folder's files and their columns, and the two safe ways the harness writes them:
 * whole rows appended (csv-writer), or a whole file written to a temporary name and renamed.
 */
import { createObjectCsvStringifier } from 'csv-writer';
import { parse } from 'csv-parse/sync';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const EPOCH_COLUMNS = [
  'run_id', 'model', 'activation', 'sigma', 'seed', 'epoch', 'train_loss', 'train_acc', 'test_loss', 'test_acc',
  'dead', 'units', 'dead_fraction', 'epoch_seconds', 'samples_per_second', 'dormant', 'dormant_fraction', 'zero_output',
  'grad_dead', 'grad_dead_fraction', 'grad_zero_fraction', 'grad_mean_abs', 'weight_grad_norm', 'bias_grad_norm', 'output_weight_grad_norm',
] as const;
export const DEAD_COLUMNS = [
  'run_id', 'epoch', 'layer', 'dead', 'units', 'dormant', 'zero_output',
  'grad_dead', 'grad_zero_fraction', 'grad_mean_abs', 'weight_grad_norm', 'bias_grad_norm',
] as const;
export const ROBUSTNESS_COLUMNS = ['run_id', 'noise', 'test_acc'] as const;
export const SUMMARY_COLUMNS = [
  'run_id', 'model', 'activation', 'sigma', 'seed', 'status', 'epochs', 'final_test_acc', 'best_test_acc',
  'final_test_loss', 'final_dead', 'units', 'train_seconds', 'backend', 'final_dormant', 'final_zero_output',
  'final_grad_dead', 'final_grad_zero_fraction',
] as const;
/** Columns that measure time and so differ between otherwise identical runs. */
export const TIMING_COLUMNS = new Set(['epoch_seconds', 'samples_per_second', 'train_seconds']);

export const FILES = {
  epochs: 'epochs.csv',
  dead: 'dead_neurons.csv',
  summary: 'summary.csv',
  comparison: 'comparison.md',
  comparisonCsv: 'comparison.csv',
  manifest: 'manifest.json',
  robustness: 'robustness.csv',
} as const;

export type Row = Record<string, string>;
export type CellValue = string | number | null | undefined;

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

function toCells(columns: readonly string[], rows: Record<string, CellValue>[]): Record<string, string>[] {
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, formatCell(r[c])])));
}

/** Appends whole rows (header first if the file is new) in one write. */
export async function appendRows(path: string, columns: readonly string[], rows: Record<string, CellValue>[]): Promise<void> {
  if (rows.length === 0) return;
  const s = stringifier(columns);
  const header = existsSync(path) ? '' : s.getHeaderString() ?? '';
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, header + s.stringifyRecords(toCells(columns, rows)));
}

/** Writes a whole file atomically: temporary name, then rename. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

/** Rewrites a CSV atomically with exactly `rows` (used to drop partial runs and to sort). */
export async function writeRows(path: string, columns: readonly string[], rows: Record<string, CellValue>[]): Promise<void> {
  const s = stringifier(columns);
  await writeFileAtomic(path, (s.getHeaderString() ?? '') + s.stringifyRecords(toCells(columns, rows)));
}

/** Reads a CSV written by the harness; a missing file is an empty list. */
export async function readRows(path: string): Promise<Row[]> {
  if (!existsSync(path)) return [];
  return parse(await readFile(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Row[];
}

export function readRowsSync(path: string): Row[] {
  if (!existsSync(path)) return [];
  return parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Row[];
}

export function resultPaths(dir: string): Record<keyof typeof FILES, string> {
  return Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, join(dir, f)])) as Record<keyof typeof FILES, string>;
}
