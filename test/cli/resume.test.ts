import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tinyConfig } from '../helpers/results.js';
import { readRowsSync } from '../../src/report/files.js';

function setup(): { dir: string; cfg: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nrelu-resume-'));
  const cfg = join(dir, 'tiny.yaml');
  writeFileSync(cfg, tinyConfig().replace('eval: {robustness: {gaussian: [0.2]}}', '').replace('epochs: 2', 'epochs: 1'));
  return { dir, cfg, out: join(dir, 'out') };
}

const ids = (out: string, file = 'summary.csv'): string[] => readRowsSync(join(out, file)).map((r) => r.run_id);

test('a smaller grid run into the same folder keeps the results of the runs outside it', async () => {
  const { cfg, out } = setup();
  const all = await runCli(['run', cfg, '--out', out, 'seeds=[1,2]', '--jobs', '1', '--no-report']);
  assert.equal(all.code, 0, all.stderr);
  const full = readFileSync(join(out, 'epochs.csv'), 'utf8');
  assert.equal(ids(out).length, 4);

  const one = await runCli(['run', cfg, '--out', out, 'seeds=[1]', '--jobs', '1', '--no-report']);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stderr, /2 already done/);
  assert.deepEqual(ids(out).sort(), ['mlp-nrelu-s0.1-seed1', 'mlp-nrelu-s0.1-seed2', 'mlp-relu-seed1', 'mlp-relu-seed2'],
    'the seed-2 rows are still there');
  assert.match(one.stderr, /2 runs outside this grid/);

  const again = await runCli(['run', cfg, '--out', out, 'seeds=[1,2]', '--jobs', '1', '--no-report']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /4 already done/);
  assert.equal(readFileSync(join(out, 'epochs.csv'), 'utf8'), full, 'nothing lost, nothing retrained, grid order restored');
  assert.match(readFileSync(join(out, 'comparison.md'), 'utf8'), /\| relu \|[^\n]*\| 2 \|/, 'n = 2 seeds again');
});

test('a run is done only when its rows and its manifest entry both say so', async () => {
  const { cfg, out } = setup();
  const first = await runCli(['run', cfg, '--out', out, '--jobs', '1', '--no-report']);
  assert.equal(first.code, 0, first.stderr);
  // Lose the summary row of one run (as the old pruning did): the manifest still says completed.
  const summary = readFileSync(join(out, 'summary.csv'), 'utf8').split('\n');
  writeFileSync(join(out, 'summary.csv'), summary.filter((l) => !l.startsWith('mlp-relu-seed1,')).join('\n'));
  // And the epochs rows of the other.
  const epochs = readFileSync(join(out, 'epochs.csv'), 'utf8').split('\n');
  writeFileSync(join(out, 'epochs.csv'), epochs.filter((l) => !l.startsWith('mlp-nrelu-s0.1-seed2,')).join('\n'));

  const again = await runCli(['run', cfg, '--out', out, '--jobs', '1', '--no-report']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /2 already done/);
  assert.match(again.stderr, /mlp-relu-seed1/);
  assert.match(again.stderr, /mlp-nrelu-s0\.1-seed2/);
  assert.deepEqual(ids(out), ['mlp-relu-seed1', 'mlp-relu-seed2', 'mlp-nrelu-s0.1-seed1', 'mlp-nrelu-s0.1-seed2']);
  assert.deepEqual(ids(out, 'epochs.csv'), ids(out), 'one epoch row per run, none duplicated');
});
