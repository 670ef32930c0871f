/**
 * The column registry (src/results/columns.ts) drives every file, the comparison, the report and
 * `check`: a column is one row. These tests hold the registry to its files, to the README's file table and
 * to docs/COLUMNS.md, and show that one added row reaches every consumer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  COLUMNS,
  cellsOf,
  columnDef,
  columnTable,
  columnsChecked,
  columnsOf,
  comparedMetrics,
  epochCharts,
  type ColumnDef,
  type FileKey,
} from '../../src/results/columns.js';
import { FILES } from '../../src/results/files.js';
import { comparisonColumns, compare, renderComparison } from '../../src/report/comparison.js';
import { buildCharts } from '../../src/report/charts.js';
import type { RunSpec } from '../../src/config/types.js';
import type { EpochResult } from '../../src/train/trainer.js';

const FILE_KEYS: FileKey[] = ['epochs', 'dead', 'summary', 'robustness', 'eval'];
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
/** The column table moved to its own page (issue 35); the README keeps each file's column list. */
const COLUMNS_PAGE = readFileSync(new URL('../../docs/COLUMNS.md', import.meta.url), 'utf8');

/** Two completed ReLU runs' summary rows (seeds 1 and 2), with `extra` cells per seed. */
const reluSummary = (extra: (seed: number) => Record<string, string>): Record<string, string>[] =>
  [1, 2].map((seed) => ({
    run_id: `mlp-relu-seed${seed}`,
    model: 'mlp',
    activation: 'relu',
    sigma: '',
    seed: String(seed),
    status: 'completed',
    epochs: '3',
    final_test_acc: '0.9',
    best_test_acc: '0.9',
    final_test_loss: '0.3',
    final_dead: '1',
    units: '8',
    setting: 'relu',
    ...extra(seed),
  }));

test("every column a file lists has a cell accessor for that file, and every accessor's column is listed", () => {
  for (const file of FILE_KEYS) {
    const listed = columnsOf(file);
    for (const c of listed) assert.ok(columnDef(c)?.[file], `${file}: ${c} has no ${file} accessor`);
    const withAccessor = Object.entries(COLUMNS as Record<string, ColumnDef>)
      .filter(([, d]) => d[file])
      .map(([c]) => c);
    assert.deepEqual([...withAccessor].sort(), [...listed].sort(), file);
    assert.equal(new Set(listed).size, listed.length, `${file} lists a column twice`);
  }
});

test("the README lists each CSV's columns exactly as the registry writes them, and comparison.csv's", () => {
  for (const file of FILE_KEYS) {
    const name = FILES[file];
    const line = README.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    assert.ok(line, `README has a row for ${name}`);
    assert.ok(
      line.includes(`\`${columnsOf(file).join(',')}\``),
      `README's ${name} columns differ from the registry's: ${columnsOf(file).join(',')}`,
    );
  }
  const line = README.split('\n').find((l) => l.startsWith('| `comparison.csv` |'));
  assert.ok(line?.includes(`\`${comparisonColumns([]).join(',')}\``), "README's comparison.csv columns differ");
});

test("docs/COLUMNS.md's column table is the registry's (`npm run columns` prints it)", () => {
  assert.ok(
    COLUMNS_PAGE.includes(`${columnTable()}\n`),
    `docs/COLUMNS.md's column table differs from the registry's; replace it with:\n${columnTable()}`,
  );
});

test('one added registry row reaches the files, check, the comparison (Markdown and CSV) and the charts', () => {
  const registry = COLUMNS as Record<string, ColumnDef>;
  registry.probe_score = {
    type: { type: 'number', min: 0 },
    check: 'tolerance',
    doc: 'a planted metric',
    later: true,
    epochs: (c) => c.r.epoch / 10,
    summary: (c) => (c.last ? c.last.epoch / 10 : null),
    compare: { csv: 'probe_score_mean', md: 'probe score', html: 'probe score', format: 'loss' },
    chart: { kind: 'dead', title: 'Probe score per epoch', subtitle: 'planted', yTitle: 'score', note: 'planted' },
  };
  try {
    assert.equal(columnsOf('epochs').at(-1), 'probe_score');
    assert.equal(columnsOf('summary').at(-1), 'probe_score');
    assert.ok(!columnsOf('dead').includes('probe_score'));
    assert.ok(columnsChecked('epochs', 'tolerance').includes('probe_score'));
    const spec = {
      id: 'mlp-relu-seed1',
      model: 'mlp',
      activation: { name: 'relu', params: {} },
      seed: 1,
      sigma: null,
    } as unknown as RunSpec;
    const r = {
      epoch: 3,
      sigma: null,
      dead: null,
      activity: null,
      gradient: null,
      epochSeconds: 1,
      samplesPerSecond: 1,
    } as unknown as EpochResult;
    assert.equal(cellsOf('epochs', { spec, r }).probe_score, 0.3);
    assert.ok(comparedMetrics().some((m) => m.column === 'probe_score'));
    assert.ok(epochCharts().some((m) => m.column === 'probe_score'));
    const summary = reluSummary((seed) => ({ probe_score: String(seed / 10) }));
    const rows = compare(summary);
    assert.ok(comparisonColumns(rows).includes('probe_score_mean'));
    assert.match(renderComparison(rows), /\| probe score \|/);
    assert.match(renderComparison(rows), /\| 0\.1500 \|/);
    const epochs = summary.flatMap((s) =>
      [1, 2].map((epoch) => ({ run_id: s.run_id, epoch: String(epoch), test_acc: '0.9', probe_score: '0.5' })),
    );
    const charts = buildCharts({ summary, epochs, robustness: [] });
    assert.ok(charts.some((c) => c.title.startsWith('Probe score per epoch')));
  } finally {
    delete registry.probe_score;
  }
  assert.ok(!columnsOf('epochs').includes('probe_score'));
});

test('an optional compared metric no row has is left out of comparison.md (older folders keep their bytes)', () => {
  const summary = (share: string | undefined) =>
    reluSummary((): Record<string, string> => (share === undefined ? {} : { final_outgoing_grad_share: share }));
  const without = renderComparison(compare(summary(undefined)));
  assert.doesNotMatch(without, /out-grad share/);
  assert.ok(comparisonColumns(compare(summary(undefined))).includes('outgoing_grad_share_mean'), 'the CSV keeps it');
  const withIt = renderComparison(compare(summary('0.125')));
  assert.match(withIt, /\| out-grad share \(%\) \|/);
  assert.match(withIt, /\| 12\.50 \|/);
});
