/**
 * `export --format jsonl`: a result folder as JSON Lines, for pandas and other tools. One line per run (its
 * summary.csv row, `record: "run"`) followed by one per epoch (its epochs.csv rows, `record: "epoch"`), each carrying
 * the manifest's identity of the run: the config's name, the run id, the run's hash and its setting hash, the
 * nrelu-bench version, and the commit where a manifest records one. Cells are typed by the column registry (numbers
 * as numbers); an empty cell, NaN and Infinity (a diverged run) are null, which pandas reads as NaN.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { columnDef, type Row } from './columns.js';
import { readRows, resultPaths } from './files.js';
import { readManifest, type Manifest } from './manifest.js';

export type ExportFormat = 'jsonl';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl'];

type JsonValue = string | number | null;

/** A cell as JSON: numbers for the registry's int and number columns (and unknown numeric ones), else text. */
function cellValue(column: string, cell: string): JsonValue {
  if (cell === '') return null;
  const type = columnDef(column)?.type.type;
  if (type === 'text') return cell;
  const value = Number(cell);
  if (type === undefined && !/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cell)) return cell;
  return Number.isFinite(value) ? value : null;
}

/** The identity every line of a run carries, from the manifest. */
function identity(manifest: Manifest, runId: string): Record<string, JsonValue> {
  const run = manifest.runs[runId];
  const commit = (manifest as Manifest & { commit?: unknown }).commit;
  return {
    config: manifest.name,
    run_id: runId,
    run_hash: run?.hash ?? null,
    setting_hash: run?.settingHash ?? null,
    nrelu_bench: manifest.versions?.nreluBench ?? null,
    ...(typeof commit === 'string' ? { commit } : {}),
  };
}

function line(record: 'run' | 'epoch', manifest: Manifest, row: Row): string {
  const cells = Object.entries(row).filter(([column]) => column !== 'run_id');
  const values = Object.fromEntries(cells.map(([column, cell]) => [column, cellValue(column, cell)]));
  return JSON.stringify({ record, ...identity(manifest, row.run_id), ...values });
}

/** The folder's runs and epochs as JSON Lines (each line ends with a newline), runs in summary.csv's order. */
export async function exportJsonl(dir: string): Promise<string> {
  const paths = resultPaths(dir);
  const manifest = readManifest(paths.manifest);
  if (manifest === null || !existsSync(paths.summary)) {
    throw new UsageError(`${dir} is not a result folder (no manifest.json or summary.csv)`, {
      hint: 'pass a folder written by `nrelu-bench run` or `merge`',
    });
  }
  const [runs, epochs] = await Promise.all([readRows(paths.summary), readRows(paths.epochs)]);
  const byRun = new Map<string, Row[]>();
  for (const e of epochs) byRun.set(e.run_id, [...(byRun.get(e.run_id) ?? []), e]);
  const out: string[] = [];
  for (const run of runs) {
    out.push(line('run', manifest, run));
    for (const e of byRun.get(run.run_id) ?? []) out.push(line('epoch', manifest, e));
    byRun.delete(run.run_id);
  }
  // Epoch rows of a run without its summary row (one that stopped) come last, still identified.
  for (const rows of byRun.values()) for (const e of rows) out.push(line('epoch', manifest, e));
  return out.map((l) => `${l}\n`).join('');
}
