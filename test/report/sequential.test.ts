/**
 * The group-sequential design on a folder's rows (src/report/sequential.ts): differences paired in the planned
 * seed order, and comparison.md's section that records the design and every look.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row } from '../../src/results/files.js';
import {
  decidedSettings,
  pairedDiffsInSeedOrder,
  renderSequential,
  sequentialRecord,
} from '../../src/report/sequential.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

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
  const record = sequentialRecord(rows, ['mlp'], seeds, [3, 6], 0.2);
  const md = renderSequential(record);
  assert.match(md, /looks after 3, 6 seeds/);
  assert.match(md, /\| 1 \| 3 \| worse \| 3 \| -9\.\d\d \|.*\| worse \|/);
  assert.match(md, /\| 2 \| 6 \| gelu \| 6 \| \+0\.00 \|.*\| inconclusive \|/);
  assert.doesNotMatch(md, /\| 2 \| 6 \| worse \|/, 'a decided setting is not tested again');
  assert.deepEqual([...decidedSettings(record, 'mlp')].sort(), ['gelu', 'worse']);
  // While the grid trains, only the looks held so far: after look 1, gelu continues.
  const first = sequentialRecord(rows, ['mlp'], seeds, [3, 6], 0.2, 1);
  assert.deepEqual([...decidedSettings(first, 'mlp')], ['worse']);
  assert.equal(first.models[0].looks.length, 1);
  assert.equal(JSON.parse(JSON.stringify(first)).models[0].looks[0].settings[1].decision, 'continue');
});

test('results/README.md quotes scripts/sequential-retro.ts’s table for the committed paper grids as it prints it', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sequential-retro.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => /^\| (mlp|cnn) \|/.test(l));
  assert.equal(rows.length, 16, r.stdout);
  const readme = readFileSync(join(ROOT, 'results', 'README.md'), 'utf8');
  for (const row of rows) assert.ok(readme.includes(row), `results/README.md lacks: ${row}`);
  assert.match(r.stdout, /All: 0\.8 of 24\.8 CPU-hours saved/);
});
