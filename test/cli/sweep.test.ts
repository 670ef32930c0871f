/**
 * A sweep from the command line, end to end (issue 36's "done when", on the tiny config): `key=a,b` trains every
 * cell, each cell's settings pair only with that cell's ReLU, `list` shows the expanded grid, a second run resumes,
 * and two Slurm-style shards merge into the same comparison as one folder.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { writeTiny } from '../helpers/tiny-folder.js';
import { readRowsSync } from '../../src/results/files.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-sweep-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SWEEP = ['train.learning_rate=0.001,0.01', 'seeds=[1,2]'];
const whole = join(dir, 'whole');
let config = '';
let first = { code: 0 as number | null, stdout: '', stderr: '' };

before(async () => {
  config = writeTiny(dir);
  first = await runCli(['run', config, '--out', whole, '--jobs', '1', '--no-report', ...SWEEP]);
});

test('list shows the expanded grid: 2 cells x 2 activations x 2 seeds, the cell in each id', async () => {
  const r = await runCli(['list', config, ...SWEEP]);
  assert.equal(r.code, 0, r.stderr);
  const ids = r.stdout
    .split('\n')
    .filter((l) => l.includes('\t'))
    .map((l) => l.split('\t')[0]);
  assert.equal(ids.length, 8);
  assert.ok(ids.includes('mlp-lr0.01-nrelu-s0.1-seed2'), ids.join(' '));
  assert.match(r.stdout, /8 runs, 2 sweep cells \(train\.learning_rate: 0\.001, 0\.01\)/);
});

test('run trains every cell, and each cell is compared with its own ReLU, paired by seed', () => {
  assert.equal(first.code, 0, first.stderr);
  const rows = readRowsSync(join(whole, 'comparison.csv'));
  assert.deepEqual(
    rows.map((r) => `${r.model} ${r.setting} ${r.n} ${r.paired_n}`),
    ['mlp-lr0.001 relu 2 ', 'mlp-lr0.001 nrelu-s0.1 2 2', 'mlp-lr0.01 relu 2 ', 'mlp-lr0.01 nrelu-s0.1 2 2'],
  );
  // The paired difference of each cell is that cell's N-ReLU minus that cell's ReLU, seed by seed.
  const acc = new Map(readRowsSync(join(whole, 'summary.csv')).map((r) => [r.run_id, Number(r.final_test_acc)]));
  for (const lr of ['0.001', '0.01']) {
    const diffs = [1, 2].map(
      (s) => acc.get(`mlp-lr${lr}-nrelu-s0.1-seed${s}`)! - acc.get(`mlp-lr${lr}-relu-seed${s}`)!,
    );
    const row = rows.find((r) => r.model === `mlp-lr${lr}` && r.setting === 'nrelu-s0.1');
    assert.ok(Math.abs(Number(row?.paired_diff_mean) - (diffs[0] + diffs[1]) / 2) < 1e-6, `lr ${lr}`);
  }
  const manifest = JSON.parse(readFileSync(join(whole, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.config.sweep.axes, [{ key: 'train.learning_rate', values: [0.001, 0.01] }]);
  assert.match(readFileSync(join(whole, 'comparison.md'), 'utf8'), /## MLP-LR0\.001[\s\S]*## MLP-LR0\.01/);
});

test('the same sweep again resumes: every run is done', async () => {
  const r = await runCli(['run', config, '--out', whole, '--jobs', '1', '--no-report', ...SWEEP]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /8 runs, 8 already done/);
});

test('two shards of the sweep merge into the comparison of the whole', async () => {
  for (const shard of ['0/2', '1/2']) {
    const out = join(dir, `s${shard[0]}`);
    const r = await runCli(['run', config, ...SWEEP, '--shard', shard, '--out', out, '--jobs', '1', '--no-report']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /shard \d\/2: 4 of the grid's 8 runs/);
  }
  const merged = join(dir, 'merged');
  const m = await runCli(['merge', join(dir, 's0'), join(dir, 's1'), '--out', merged]);
  assert.equal(m.code, 0, m.stderr);
  for (const file of ['comparison.csv', 'summary.csv']) {
    const strip = (text: string): string => text.replace(/,[0-9.]+,cpu,/g, ',,cpu,'); // train_seconds differ
    assert.equal(strip(readFileSync(join(merged, file), 'utf8')), strip(readFileSync(join(whole, file), 'utf8')), file);
  }
});
