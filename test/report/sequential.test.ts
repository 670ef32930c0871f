/**
 * The group-sequential design on a folder's rows (src/report/sequential.ts): differences paired in the planned
 * seed order, and comparison.md's section that records the design and every look.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../src/results/files.js';
import { modelLooks, pairedDiffsInSeedOrder, renderSequential } from '../../src/report/sequential.js';

const row = (setting: string, seed: number, acc: number, status = 'completed'): Row => ({
  model: 'mlp',
  activation: setting,
  setting,
  sigma: '',
  seed: String(seed),
  status,
  final_test_acc: String(acc),
});

test('differences pair with the baseline by seed, in the planned order, skipping seeds either side lacks', () => {
  const rows = [
    row('relu', 2, 0.9),
    row('relu', 1, 0.8),
    row('relu', 3, 0.7),
    row('gelu', 1, 0.85),
    row('gelu', 2, 0.92),
    row('gelu', 3, 0.5, 'failed'),
    row('gelu', 4, 0.9),
  ];
  const diffs = pairedDiffsInSeedOrder(rows, 'mlp', [2, 1, 3, 4]);
  assert.deepEqual([...diffs.keys()], ['gelu']);
  assert.deepEqual(
    diffs.get('gelu')?.map((d) => Math.round(d * 1000) / 1000),
    [0.02, 0.05],
  );
});

test('comparison.md’s section names the looks fixed in advance and each setting’s decision at each look', () => {
  const seeds = [1, 2, 3, 4, 5, 6];
  const rows = seeds.flatMap((s) => [
    row('relu', s, 0.9),
    row('worse', s, 0.8 + 0.001 * (s % 2)),
    row('gelu', s, 0.9 + (s % 2 ? 0.003 : -0.003)),
  ]);
  const looks = modelLooks(rows, 'mlp', seeds, [3, 6], 0.2);
  const md = renderSequential([looks], 0.2);
  assert.match(md, /looks after 3, 6 seeds/);
  assert.match(md, /\| 1 \| 3 \| worse \| 3 \| -9\.\d\d \|.*\| worse \|/);
  assert.match(md, /\| 2 \| 6 \| gelu \| 6 \| \+0\.00 \|.*\| inconclusive \|/);
  assert.doesNotMatch(md, /\| 2 \| 6 \| worse \|/, 'a decided setting is not tested again');
});
