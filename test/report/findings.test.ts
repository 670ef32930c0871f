/**
 * scripts/findings.ts: a column at chosen epochs (mean over seeds, 95% t-interval, range, paired difference), summed
 * over epochs, per layer; and the MC evaluation's change over inference mode, over one or several folders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochMarkdown, epochTable, mcMarkdown, mcTable, parseSeeds } from '../../scripts/findings.js';
import { pairedTest } from '../../src/stats/paired.js';
import { summarize } from '../../src/stats/statistics.js';
import type { Row } from '../../src/results/files.js';

const run = (model: string, activation: string, sigma: string, seed: number, status = 'completed'): Row => ({
  run_id: `${model}-${activation}${sigma ? `-s${sigma}` : ''}-seed${seed}`,
  model,
  activation,
  sigma,
  seed: String(seed),
  status,
});

// dead units per (setting, seed) at epochs 1, 2, 3.
const DEAD: Record<string, number[][]> = {
  relu: [
    [10, 9, 8],
    [12, 11, 11],
    [9, 9, 7],
  ],
  'nrelu-s0.1': [
    [14, 15, 15],
    [13, 13, 12],
    [15, 16, 18],
  ],
};

function folder(): { summary: Row[]; epochs: Row[]; layers: Row[] } {
  const summary: Row[] = [];
  const epochs: Row[] = [];
  const layers: Row[] = [];
  for (const [setting, bySeed] of Object.entries(DEAD)) {
    bySeed.forEach((values, i) => {
      const r = setting === 'relu' ? run('mlp', 'relu', '', i + 1) : run('mlp', 'nrelu', '0.1', i + 1);
      summary.push(r);
      values.forEach((v, e) => {
        epochs.push({ run_id: r.run_id, epoch: String(e + 1), dead: String(v), share: e === 2 ? '' : '0.001' });
        // Two layers: L1 holds one unit more than L2 of the total.
        layers.push({ run_id: r.run_id, epoch: String(e + 1), layer: 'L1', revived: String(v % 2) });
        layers.push({ run_id: r.run_id, epoch: String(e + 1), layer: 'L2', revived: String(e) });
      });
    });
  }
  // A run that did not complete is left out.
  const failed = run('mlp', 'relu', '', 4, 'failed');
  summary.push(failed);
  epochs.push({ run_id: failed.run_id, epoch: '1', dead: '100', share: '' });
  return { summary, epochs, layers };
}

test('epoch: mean and 95% t-interval over seeds at each epoch, range, and the difference paired by seed', () => {
  const { summary, epochs } = folder();
  const rows = epochTable(summary, epochs, { column: 'dead', epochs: ['1', 'last'], against: 'relu' });
  const at = (setting: string, epoch: string) => rows.find((r) => r.setting === setting && r.epoch === epoch);
  const nreluFirst = at('nrelu-s0.1', '1');
  assert.deepEqual(nreluFirst?.summary, summarize([14, 13, 15]));
  assert.deepEqual([nreluFirst?.min, nreluFirst?.max], [13, 15]);
  const last = at('nrelu-s0.1', 'last');
  assert.deepEqual(last?.summary, summarize([15, 12, 18]));
  const paired = pairedTest(
    new Map([
      [1, 15],
      [2, 12],
      [3, 18],
    ]),
    new Map([
      [1, 8],
      [2, 11],
      [3, 7],
    ]),
    0,
  );
  assert.equal(last?.against?.meanDiff, paired.meanDiff);
  assert.equal(last?.against?.p, paired.p);
  // ReLU's own row is not paired with itself, and the failed run's 100 is not in its mean.
  assert.equal(at('relu', '1')?.against, null);
  assert.equal(at('relu', '1')?.summary.mean, 31 / 3);
  const md = epochMarkdown(rows, 'dead', 1, true, 'relu');
  assert.match(
    md,
    /\| mlp \| nrelu-s0\.1 \| all \| last \| 3 \| 15\.0 \[[\d.]+, [\d.]+\] \| 3\.0 \| 12\.0 \| 18\.0 \| \+6\.3 \[[^\]]+\] \| [\d.]+ \| 5\.03 \| 12\.50 \|/,
  );
  // --seeds keeps some seeds; --per-seed lists the differences, in seed order.
  const two = epochTable(summary, epochs, { column: 'dead', against: 'relu', seeds: parseSeeds('1-2') });
  assert.deepEqual(
    two.map((r) => [r.setting, r.summary.n]),
    [
      ['relu', 2],
      ['nrelu-s0.1', 2],
    ],
  );
  assert.match(epochMarkdown(two, 'dead', 1, false, 'relu', true), /\| \+7\.0, \+1\.0 \|/);
  assert.deepEqual(parseSeeds('1-3,8'), [1, 2, 3, 8]);
  // --level 0.9: the difference's 90% interval, from the same differences (7, 1, 11).
  const ninety = epochTable(summary, epochs, { column: 'dead', against: 'relu', level: 0.9 });
  const n90 = ninety.find((r) => r.setting === 'nrelu-s0.1')?.against;
  const expected = summarize([7, 1, 11], 0.9);
  assert.deepEqual([n90?.ciLow, n90?.ciHigh], [expected.ciLow, expected.ciHigh]);
  assert.match(epochMarkdown(ninety, 'dead', 1, false, 'relu', false, 0.9), /Δ vs relu \[90% CI\]/);
});

test('epoch: --sum adds up each run over its epochs, --layers keeps the layers apart, empty cells are left out', () => {
  const { summary, epochs, layers } = folder();
  const summed = epochTable(summary, layers, { column: 'revived', layers: true, sum: true, settings: ['relu'] });
  const l1 = summed.find((r) => r.layer === 'L1');
  const l2 = summed.find((r) => r.layer === 'L2');
  // L1: v % 2 summed over epochs: seeds (10, 9, 8) -> 1, (12, 11, 11) -> 2, (9, 9, 7) -> 3; L2: 0 + 1 + 2 = 3.
  assert.deepEqual(l1?.summary, summarize([1, 2, 3]));
  assert.deepEqual(l2?.summary, summarize([3, 3, 3]));
  assert.equal(l1?.epoch, 'sum');
  // The share is empty at epoch 3: the last probe with a value is epoch 2, scaled to %.
  const share = epochTable(summary, epochs, { column: 'share', scale: 100 });
  assert.deepEqual(
    share.map((r) => [r.setting, r.summary.n, r.epoch]),
    [
      ['relu', 3, 'last'],
      ['nrelu-s0.1', 3, 'last'],
    ],
  );
  for (const r of share) assert.ok(Math.abs(r.summary.mean - 0.1) < 1e-12, `${r.setting}: 0.001 as 0.1%`);
});

const evalRow = (model: string, setting: string, seed: number, acc: number, recorded: number, mode = 'mc:20'): Row => ({
  run_id: `${model}-${setting}-seed${seed}`,
  model,
  setting,
  seed: String(seed),
  mode,
  test_acc: String(acc),
  recorded_test_acc: String(recorded),
});

test("mc: the mc:K accuracy minus the run's own inference-mode accuracy, paired by run, a run in two folders once", () => {
  const a = [evalRow('cnn', 'nrelu-s0.1', 1, 0.981, 0.98), evalRow('cnn', 'nrelu-s0.1', 2, 0.979, 0.978)];
  const b = [
    evalRow('cnn', 'nrelu-s0.1', 2, 0.979, 0.978), // the same run evaluated in the other folder too
    evalRow('cnn', 'nrelu-s0.1', 3, 0.985, 0.985),
    evalRow('cnn', 'nrelu-s0.1', 3, 0.985, 0.985, 'deterministic'),
  ];
  const [row] = mcTable([...a, ...b]);
  assert.deepEqual(row.seeds, [1, 2, 3]);
  const expected = pairedTest(
    new Map([
      [1, 0.981],
      [2, 0.979],
      [3, 0.985],
    ]),
    new Map([
      [1, 0.98],
      [2, 0.978],
      [3, 0.985],
    ]),
    0,
  );
  assert.equal(row.change.meanDiff, expected.meanDiff);
  assert.equal(row.change.p, expected.p);
  assert.match(mcMarkdown([row]), /\| cnn \| nrelu-s0\.1 \| mc:20 \| 3 \| 1-3 \| \+0\.07 \[/);
  assert.throws(() => mcTable([...a, evalRow('cnn', 'nrelu-s0.1', 2, 0.977, 0.978)]), /two folders give different/);
});
