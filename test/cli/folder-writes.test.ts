/**
 * A result folder is data at every depth, when written (issue 37, B1, B2, B5): `merge --out` never deletes a run
 * another command trained into its folder, a run whose model could not be saved is not recorded completed (so a
 * resume trains and saves it), and no write or delete goes through a linked plots/ or models/ folder.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { trainInto, writeTiny } from '../helpers/tiny-folder.js';
import { readRowsSync } from '../../src/results/files.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-writes-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const base = join(dir, 'base');
let config = '';

before(async () => {
  config = writeTiny(dir);
  await trainInto(config, base, 'seeds=[1,2]', '--save-models');
});

const runIds = (folder: string): string[] => readRowsSync(join(folder, 'summary.csv')).map((r) => r.run_id);
const statuses = (folder: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(
      (
        JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as {
          runs: Record<string, { status: string }>;
        }
      ).runs,
    ).map(([id, r]) => [id, r.status]),
  );

test('merge --out again over a folder that runs were trained into since is refused; those runs stay (B1)', async () => {
  const m = join(dir, 'M');
  const first = await runCli(['merge', base, '--only', 'mlp-relu-seed1', '--out', m]);
  assert.equal(first.code, 0, first.stderr);
  await trainInto(config, m, 'seeds=[1,5]', '--save-models');
  const trained = runIds(m);
  assert.equal(trained.length, 4);
  const again = await runCli(['merge', base, '--only', 'mlp-relu-seed1,mlp-relu-seed2', '--out', m]);
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stderr, /merging would replace the results of 3 runs \(.*\) that no merge brought/);
  assert.deepEqual(runIds(m), trained, 'the runs trained into M are kept');
  assert.equal(existsSync(join(m, 'models', 'mlp-relu-seed5')), true);
  // The resubmitted merge of an untouched merged folder still replaces it.
  const n = join(dir, 'N');
  for (let i = 0; i < 2; i++) {
    const r = await runCli(['merge', base, '--only', 'mlp-relu-seed1', '--out', n]);
    assert.equal(r.code, 0, r.stderr);
  }
});

test('a run whose model could not be saved is recorded failed, and a resume trains and saves it (B2)', async () => {
  const d = join(dir, 'unsaved');
  mkdirSync(d);
  writeFileSync(join(d, 'models'), 'a file where the models folder belongs\n');
  const r = await runCli(['run', config, '--out', d, '--save-models', '--jobs', '1', '--no-report']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /its model could not be saved/);
  assert.deepEqual(statuses(d), { 'mlp-relu-seed1': 'failed', 'mlp-nrelu-s0.1-seed1': 'failed' });
  rmSync(join(d, 'models'));
  await trainInto(config, d, '--save-models');
  assert.deepEqual(statuses(d), { 'mlp-relu-seed1': 'completed', 'mlp-nrelu-s0.1-seed1': 'completed' });
  assert.deepEqual(readdirSync(join(d, 'models')).sort(), ['mlp-nrelu-s0.1-seed1', 'mlp-relu-seed1']);
  const e = await runCli(['eval', d, '--backend', 'cpu']);
  assert.equal(e.code, 0, e.stderr);
});

test('report --html and run --save-models refuse a linked plots/ or models/; nothing outside is written or deleted (B5)', async () => {
  const x = join(dir, 'x');
  mkdirSync(join(x, 'plots'), { recursive: true });
  mkdirSync(join(x, 'models', 'mlp-relu-seed1'), { recursive: true });
  writeFileSync(join(x, 'models', 'mlp-relu-seed1', 'precious.txt'), 'keep me\n');
  const f = join(dir, 'f');
  await trainInto(config, f, 'activations=[relu]');
  symlinkSync(join(x, 'plots'), join(f, 'plots'));
  const report = await runCli(['report', f, '--html']);
  assert.notEqual(report.code, 0, report.stderr);
  assert.match(report.stderr, /plots is a symbolic link/);
  assert.deepEqual(readdirSync(join(x, 'plots')), [], 'no SVG written outside the folder');

  const g = join(dir, 'g');
  mkdirSync(g);
  symlinkSync(join(x, 'models'), join(g, 'models'));
  const run = await runCli(['run', config, '--out', g, 'activations=[relu]', '--save-models', '--jobs', '1']);
  assert.notEqual(run.code, 0, run.stderr);
  assert.match(run.stderr, /models is a symbolic link/);
  // Retraining (the run failed, so it trains again) must not delete the folder the link points at.
  await runCli(['run', config, '--out', g, 'activations=[relu]', '--save-models', '--jobs', '1']);
  assert.equal(readFileSync(join(x, 'models', 'mlp-relu-seed1', 'precious.txt'), 'utf8'), 'keep me\n');
  assert.deepEqual(readdirSync(join(x, 'models')), ['mlp-relu-seed1']);
});
