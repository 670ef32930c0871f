/**
 * No pooling across settings (docs/RELIABILITY.md): a comparison row averages only runs whose settings
 * agree apart from the seed. A run kept in the folder from an earlier `run` with another learning rate
 * keeps its rows but is left out of the comparison, by run and by report, with one line saying so;
 * merge of such a folder refuses, as merge of two such folders does.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { copyFolder, trainInto, writeTiny } from '../helpers/tiny-folder.js';
import { readRowsSync } from '../../src/results/files.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-pooling-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const folder = join(dir, 'mixed');
let rerun = { code: 0 as number | null, stdout: '', stderr: '' };
const NOTE =
  /Left out of this comparison: 1 run \(mlp-relu-seed2\) trained with other settings than the row it would join/;

before(async () => {
  const config = writeTiny(dir);
  await trainInto(config, folder, 'activations=[relu]', 'seeds=[1,2]');
  rerun = await runCli([
    'run',
    config,
    '--out',
    folder,
    '--jobs',
    '1',
    '--no-report',
    'activations=[relu]',
    'seeds=[1]',
    'train.learning_rate=0.01',
    // Retraining a finished run with other settings must be asked for (test/cli/pairing.test.ts).
    '--fresh',
    '--only',
    'mlp-relu-seed1',
  ]);
  assert.equal(rerun.code, 0, rerun.stderr);
});

test('run: seed 2 at the old learning rate keeps its rows but is not pooled with seed 1 at the new one', () => {
  assert.deepEqual(
    readRowsSync(join(folder, 'summary.csv')).map((r) => r.run_id),
    ['mlp-relu-seed1', 'mlp-relu-seed2'],
  );
  const csv = readFileSync(join(folder, 'comparison.csv'), 'utf8');
  assert.match(csv, /\nmlp,relu,relu,,1,/, "n=1: only the run with this grid's settings");
  assert.match(rerun.stdout, NOTE);
  assert.match(readFileSync(join(folder, 'comparison.md'), 'utf8'), NOTE);
});

test('report of the folder pools the same way', async () => {
  const copy = copyFolder(folder, join(dir, 'report'));
  const r = await runCli(['report', copy]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, NOTE);
  assert.match(readFileSync(join(copy, 'comparison.csv'), 'utf8'), /\nmlp,relu,relu,,1,/);
});

test("report --html leaves the same run out of the page's table and charts, and names it", async () => {
  const copy = copyFolder(folder, join(dir, 'html'));
  const r = await runCli(['report', copy, '--html']);
  assert.equal(r.code, 0, r.stderr);
  const page = readFileSync(join(copy, 'report.html'), 'utf8');
  const table = page.match(/<table class="comparison" id="table-mlp">([\s\S]*?)<\/table>/);
  assert.ok(table);
  assert.match(table[1], /<td>1<\/td>/, 'n = 1 in the page too');
  assert.match(page, /Left out of the tables and charts \(trained with other settings[^)]*\): mlp-relu-seed2\./);
});

test('merge of that one folder refuses, as merge of two such folders does', async () => {
  const r = await runCli(['merge', folder, '--out', join(dir, 'merged')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /runs mlp-relu-seed1 \(.*mixed\) and mlp-relu-seed2 \(.*mixed\) share the comparison row 'mlp relu' but not its settings/,
  );
});
