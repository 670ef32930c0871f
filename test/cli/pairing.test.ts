/**
 * Pairing that cannot mix settings (issue 36, and issue 37's B6): the research-workflow review's exact sequence. A
 * folder holds a 2-epoch grid; rerunning ReLU at 1 epoch into it must not overwrite the 2-epoch ReLU, and once ReLU
 * is retrained on purpose (--fresh --only), the leftover 2-epoch runs are neither paired with it nor pooled, and
 * `run`, `report` and `merge` name them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { copyFolder, trainInto, writeTiny, TINY_YAML } from '../helpers/tiny-folder.js';
import { readRowsSync } from '../../src/results/files.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-pairing-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const folder = join(dir, 'Q');
const FILES = ['summary.csv', 'epochs.csv', 'dead_neurons.csv', 'manifest.json', 'comparison.csv'];
const NOTE = /Left without a baseline partner: 1 run \(mlp-nrelu-s0\.1-seed1\) trained with other settings/;
let config = '';
let before1: Record<string, string> = {};
let afterRefusal: Record<string, string> = {};
let refused = { code: 0 as number | null, stdout: '', stderr: '' };
let retrained = { code: 0 as number | null, stdout: '', stderr: '' };

const read = (d: string): Record<string, string> =>
  Object.fromEntries(FILES.map((f) => [f, readFileSync(join(d, f), 'utf8')]));

before(async () => {
  config = writeTiny(dir, TINY_YAML.replace('epochs: 1', 'epochs: 2'));
  await trainInto(config, folder);
  before1 = read(folder);
  const args = ['run', config, '--out', folder, '--jobs', '1', '--no-report', 'train.epochs=1', 'activations=[relu]'];
  refused = await runCli(args);
  afterRefusal = read(folder);
  retrained = await runCli([...args, '--fresh', '--only', 'mlp-relu-seed1']);
});

test('run over a finished run of other settings refuses before training, names the key, and changes nothing', () => {
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /holds 1 finished run with the same id but other settings/);
  assert.match(refused.stderr, /mlp-relu-seed1: train\.epochs 2 vs 1/);
  assert.match(refused.stderr, /--out/);
  assert.match(refused.stderr, /--fresh/);
  assert.deepEqual(afterRefusal, before1, 'every file byte for byte as before the refused command');
});

test('after an explicit retrain, the leftover 2-epoch N-ReLU is not paired with the 1-epoch ReLU, and run names it', () => {
  assert.equal(retrained.code, 0, retrained.stderr);
  const comparison = readRowsSync(join(folder, 'comparison.csv'));
  assert.deepEqual(
    comparison.map((r) => r.setting),
    ['relu'],
    'no N-ReLU row: its only run was trained with other settings than the baseline',
  );
  assert.doesNotMatch(retrained.stdout, /Primary comparison/);
  assert.match(retrained.stdout, NOTE);
  assert.match(readFileSync(join(folder, 'comparison.md'), 'utf8'), NOTE);
  assert.deepEqual(
    readRowsSync(join(folder, 'summary.csv')).map((r) => r.run_id),
    ['mlp-relu-seed1', 'mlp-nrelu-s0.1-seed1'],
    'its rows stay in the CSVs',
  );
});

test('report and merge name the run left without a baseline partner', async () => {
  const copy = copyFolder(folder, join(dir, 'report'));
  const r = await runCli(['report', copy]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, NOTE);
  const m = await runCli(['merge', folder, '--out', join(dir, 'merged')]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout + readFileSync(join(dir, 'merged', 'comparison.md'), 'utf8'), NOTE);
  assert.deepEqual(
    readRowsSync(join(dir, 'merged', 'comparison.csv')).map((x) => x.setting),
    ['relu'],
  );
});
