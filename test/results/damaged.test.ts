import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DEAD_COLUMNS,
  EPOCH_COLUMNS,
  EVAL_COLUMNS,
  ROBUSTNESS_COLUMNS,
  SUMMARY_COLUMNS,
  appendRows,
  cellProblem,
  readRows,
  readRowsLenient,
  writeFileAtomic,
  writeRows,
} from '../../src/results/files.js';
import { columnDef } from '../../src/results/columns.js';
import { readManifest } from '../../src/results/manifest.js';
import { UserError } from '../../src/errors.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'nrelu-damaged-'));
const header = SUMMARY_COLUMNS.join(',');
/** A summary.csv row's cells; a column added later gets a value of its type without editing this. */
const rowCells = (id: string, acc: string, status = 'completed'): Record<string, string> => {
  const cells: Record<string, string> = {
    run_id: id,
    model: 'mlp',
    activation: 'relu',
    // The seed and best accuracy a real row has (the row is checked across its cells: row-rules.ts).
    seed: /seed(\d+)$/.exec(id)?.[1] ?? '1',
    status,
    epochs: '2',
    final_test_acc: acc,
    best_test_acc: '1',
    final_test_loss: '0.3',
    final_dead: '1',
    final_dormant: '1',
    final_zero_output: '1',
    final_grad_dead: '1',
    units: '16',
    train_seconds: '1.2',
    backend: 'cpu',
    setting: 'relu',
  };
  // Every other column a value of its type: a cut-off last cell ('123' -> '1') still looks like a number.
  const fill = (c: string): string => ({ int: '123', number: '0.25', text: '' })[columnDef(c)?.type.type ?? 'text'];
  return Object.fromEntries(SUMMARY_COLUMNS.map((c) => [c, cells[c] ?? fill(c)]));
};
/** The same row as a summary.csv line, in the registry's column order. */
const row = (id: string, acc: string, status = 'completed'): string =>
  SUMMARY_COLUMNS.map((c) => rowCells(id, acc, status)[c]).join(',');

/** Asserts `fn` throws a one-line UserError that names `path`. */
async function namesFile(fn: () => unknown, path: string, what: RegExp): Promise<void> {
  await assert.rejects(
    async () => fn(),
    (err: unknown) => {
      assert.ok(err instanceof UserError, String(err));
      assert.ok(err.message.includes(path), err.message);
      assert.match(err.message, what);
      assert.ok(!err.message.includes('\n') && err.hint && !err.hint.includes('\n'));
      return true;
    },
  );
}

test('an empty accuracy cell of a completed run is an error naming the file, never read as 0', async () => {
  const path = join(dir(), 'summary.csv');
  writeFileSync(path, `${header}\n${row('mlp-relu-seed1', '0.95')}\n${row('mlp-relu-seed2', '')}\n`);
  await namesFile(() => readRows(path), path, /final_test_acc.*mlp-relu-seed2|mlp-relu-seed2.*final_test_acc/);
  // A failed run legitimately has no accuracy.
  writeFileSync(path, `${header}\n${row('mlp-relu-seed1', '', 'failed')}\n`);
  assert.equal((await readRows(path))[0].final_test_acc, '');
});

test('a CSV whose header lacks or adds a column is refused, naming the column', async () => {
  const path = join(dir(), 'summary.csv');
  writeFileSync(path, `${header.replace(',final_test_acc', '')}\n`);
  await namesFile(() => readRows(path), path, /final_test_acc/);
  writeFileSync(path, `${header},extra\n`);
  await namesFile(() => readRows(path), path, /extra/);
});

test('rewriting a CSV with no rows leaves the header alone, without a blank line after it', async () => {
  const path = join(dir(), 'summary.csv');
  await writeRows(path, SUMMARY_COLUMNS, []);
  assert.equal(readFileSync(path, 'utf8'), `${header}\n`);
});

test('a truncated CSV: readRows names the file and line; the lenient read keeps the whole rows and names the damaged runs', async () => {
  const path = join(dir(), 'summary.csv');
  const good = row('mlp-relu-seed1', '0.95');
  writeFileSync(path, `${header}\n${good}\n${row('mlp-relu-seed2', '0.9').slice(0, 30)}`);
  await namesFile(() => readRows(path), path, /line 3/);
  const { rows, damaged } = await readRowsLenient(path);
  assert.deepEqual(
    rows.map((r) => r.run_id),
    ['mlp-relu-seed1'],
  );
  assert.deepEqual(damaged, ['mlp-relu-seed2']);
});

test('a last line cut off inside its last cell (every cell there, no newline) is damaged, not a number', async () => {
  const path = join(dir(), 'summary.csv');
  const whole = row('mlp-relu-seed2', '0.9');
  // The cut leaves '...,1' of '...,123': a plausible number, but the row never got its newline.
  writeFileSync(path, `${header}\n${row('mlp-relu-seed1', '0.95')}\n${whole.slice(0, -2)}`);
  await namesFile(() => readRows(path), path, /line 3 was cut off/);
  const { rows, damaged } = await readRowsLenient(path);
  assert.deepEqual(
    rows.map((r) => r.run_id),
    ['mlp-relu-seed1'],
  );
  assert.deepEqual(damaged, ['mlp-relu-seed2']);
});

test('appending to a CSV written before later columns rewrites it under the current header first', async () => {
  const path = join(dir(), 'summary.csv');
  const old = SUMMARY_COLUMNS.filter((c) => columnDef(c)?.later !== true);
  const first = rowCells('mlp-relu-seed1', '0.95');
  writeFileSync(path, `${old.join(',')}\n${old.map((c) => first[c]).join(',')}\n`);
  await appendRows(path, SUMMARY_COLUMNS, [rowCells('mlp-relu-seed2', '0.9')]);
  assert.equal(readFileSync(path, 'utf8').split('\n')[0], header);
  const rows = await readRows(path);
  assert.deepEqual(
    rows.map((r) => [r.run_id, r.final_test_acc, r.final_grad_dead]),
    [
      ['mlp-relu-seed1', '0.95', ''],
      ['mlp-relu-seed2', '0.9', '1'],
    ],
  );
});

test('a manifest that is not JSON, or not an object, is one line naming the file', async () => {
  const d = dir();
  const path = join(d, 'manifest.json');
  for (const text of ['{"name": "x", "runs": {', '[]', 'null', '{"name": "x"}']) {
    writeFileSync(path, text);
    await namesFile(() => readManifest(path), path, /manifest|JSON/);
  }
});

test('concurrent atomic writes to one file never collide on a temporary name', async () => {
  const path = join(dir(), 'manifest.json');
  const contents = Array.from({ length: 20 }, (_, i) => `${'x'.repeat(10_000)}${i}\n`);
  await Promise.all(contents.map((c) => writeFileAtomic(path, c)));
  assert.ok(contents.includes(readFileSync(path, 'utf8')), 'the file is one of the writes, whole');
  assert.deepEqual(readdirSync(dirname(path)), ['manifest.json'], 'no temporary file left behind');
});

test('an accuracy that is hex, infinite, negative or NaN in a completed run is an error naming file, line and column', async () => {
  const path = join(dir(), 'summary.csv');
  for (const bad of ['0x10', 'Infinity', '-5', 'NaN', '1.5', '1_0']) {
    writeFileSync(path, `${header}\n${row('mlp-relu-seed1', '0.95')}\n${row('mlp-relu-seed2', bad)}\n`);
    await namesFile(() => readRows(path), path, /line 3 \(mlp-relu-seed2\): final_test_acc /);
    // Resuming reads leniently: the run's row is damaged, so the run trains again instead of counting as done.
    const lenient = await readRowsLenient(path);
    assert.deepEqual(
      [lenient.rows.map((r) => r.run_id), lenient.damaged],
      [['mlp-relu-seed1'], ['mlp-relu-seed2']],
      bad,
    );
  }
});

test('every column of the result CSVs has a type, and the cells a diverged run writes still fit', () => {
  for (const column of [...SUMMARY_COLUMNS, ...EPOCH_COLUMNS, ...DEAD_COLUMNS, ...ROBUSTNESS_COLUMNS]) {
    assert.ok(columnDef(column)?.type, `${column} has a type`);
  }
  assert.equal(cellProblem('test_loss', 'NaN'), null);
  assert.equal(cellProblem('train_loss', 'Infinity'), null);
  assert.equal(cellProblem('test_acc', 'NaN'), null);
  assert.match(cellProblem('dead', '2.5') ?? '', /not a whole number/);
  assert.match(cellProblem('dead_fraction', '1.01') ?? '', /outside 0\.\.1/);
  assert.match(cellProblem('status', 'done') ?? '', /not one of completed, diverged, failed/);
});

test('cells that cannot all be true together are damaged: counts over the units, no units, best below final (m3)', async () => {
  const path = join(dir(), 'summary.csv');
  for (const [edit, what] of [
    [{ final_dead: '999' }, /final_dead 999 is more than the 16 units probed/],
    [{ final_dead: '0', final_dormant: '0', final_zero_output: '0', final_grad_dead: '0', units: '0' }, /units is 0/],
    [{ best_test_acc: '0.5' }, /best_test_acc 0.5 is below final_test_acc 0.95/],
  ] as const) {
    const cells: Record<string, string> = { ...rowCells('mlp-relu-seed1', '0.95'), ...edit };
    writeFileSync(path, `${header}\n${SUMMARY_COLUMNS.map((c) => cells[c]).join(',')}\n`);
    await namesFile(() => readRows(path), path, what);
  }
});

test('a non-finite score in eval.csv is damaged, and formula cells are written inert (m4, m9)', async () => {
  const d = dir();
  const path = join(d, 'eval.csv');
  const cells = (loss: string): Record<string, string> => ({
    run_id: 'mlp-relu-seed1',
    model: 'mlp',
    setting: 'relu',
    seed: '1',
    mode: 'deterministic',
    passes: '',
    test_acc: '0.9',
    test_loss: loss,
    recorded_test_acc: '0.9',
  });
  await writeRows(path, EVAL_COLUMNS, [cells('NaN')]);
  await namesFile(() => readRows(path), path, /test_loss is 'NaN', not a finite number/);
  const csv = join(d, 'cells.csv');
  await writeRows(csv, ['a', 'b', 'c', 'd'], [{ a: '=1+1', b: '@SUM(A1)', c: '-0.5', d: '+cmd' }]);
  assert.equal(readFileSync(csv, 'utf8'), "a,b,c,d\n'=1+1,'@SUM(A1),-0.5,'+cmd\n");
});
