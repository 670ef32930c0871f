/**
 * `nrelu-bench eval` end to end on a tiny grid trained with --save-models: deterministic mode reproduces every
 * run's recorded final accuracy, mc:K is repeatable and replaces its own rows, ReLU (no noise) scores the same
 * in both modes, the comparison gets the post-hoc table, and bad input is a one-line error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tinyConfig } from '../helpers/results.js';
import { readRowsSync } from '../../src/results/files.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-eval-'));
const grid = join(dir, 'grid');
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  const config = join(dir, 'tiny.yaml');
  writeFileSync(config, tinyConfig());
  const r = await runCli(['run', config, '--out', grid, '--jobs', '2', '--no-report', '--save-models']);
  assert.equal(r.code, 0, r.stderr);
});

test('eval: deterministic reproduces the recorded accuracies; mc:K is repeatable, ReLU unchanged, rows replaced per mode', async () => {
  const det = await runCli(['eval', grid, '--backend', 'cpu']);
  assert.equal(det.code, 0, det.stderr);
  assert.match(det.stdout, /eval: 4 run\(s\) in deterministic mode written to .*eval\.csv/);
  let rows = readRowsSync(join(grid, 'eval.csv'));
  assert.equal(rows.length, 4);
  for (const r of rows)
    assert.equal(Number(r.test_acc), Number(r.recorded_test_acc), `${r.run_id}: the saved model is the scored one`);
  // The clean training-set score of the saved model is the one the run's last probe recorded (same images, noise off).
  const lastEpoch = new Map(readRowsSync(join(grid, 'epochs.csv')).map((e) => [e.run_id, e]));
  for (const r of rows) {
    const recorded = lastEpoch.get(r.run_id);
    assert.ok(recorded && recorded.clean_train_acc !== '', `${r.run_id}: the run recorded a clean score`);
    assert.equal(Number(r.clean_train_acc), Number(recorded.clean_train_acc), `${r.run_id}: clean accuracy`);
    assert.ok(Math.abs(Number(r.clean_train_loss) - Number(recorded.clean_train_loss)) < 1e-5, `${r.run_id}: loss`);
  }

  const mc = ['eval', grid, '--backend', 'cpu', '--mode', 'mc:4', '--only', 'mlp-relu-seed1,mlp-nrelu-s0.1-seed1'];
  assert.equal((await runCli(mc)).code, 0);
  const first = readRowsSync(join(grid, 'eval.csv')).filter((r) => r.mode === 'mc:4');
  assert.deepEqual(
    first.map((r) => r.run_id),
    ['mlp-relu-seed1', 'mlp-nrelu-s0.1-seed1'],
  );
  assert.equal((await runCli(mc)).code, 0);
  rows = readRowsSync(join(grid, 'eval.csv'));
  assert.equal(rows.length, 6, "the rerun replaced its mode's rows");
  assert.deepEqual(
    rows.filter((r) => r.mode === 'mc:4'),
    first,
    'seeded: the same numbers again',
  );
  const relu = rows.filter((r) => r.run_id === 'mlp-relu-seed1');
  assert.equal(relu[0].test_acc, relu[1].test_acc, 'ReLU has no noise: mc:K equals inference');
  for (const r of rows.filter((x) => x.mode === 'mc:4')) assert.equal(r.clean_train_acc, '', 'deterministic only');

  const md = readFileSync(join(grid, 'comparison.md'), 'utf8');
  assert.match(md, /## Post-hoc evaluation of saved models \(eval\.csv\)/);
  assert.match(md, /\| nrelu-s0\.1 \| mc:4 \| 1 \| [\d.]+ \| [^|]+ \| – \| mc:4 \| [^|]+ \| – \|/);
  assert.match(
    md,
    /\| nrelu-s0\.1 \| deterministic \| 2 \| [\d.]+ \| \d+\.\d{4} \| [+-]0\.\d{4} \[[+-]0\.\d{4}, [+-]0\.\d{4}\] \|/,
  );
});

test('eval: zero-dead silences the units the run last counted dead and is paired with the inference score', async () => {
  const r = await runCli(['eval', grid, '--backend', 'cpu', '--mode', 'zero-dead']);
  assert.equal(r.code, 0, r.stderr);
  const lastEpoch = new Map(readRowsSync(join(grid, 'epochs.csv')).map((e) => [e.run_id, e]));
  const rows = readRowsSync(join(grid, 'eval.csv')).filter((x) => x.mode === 'zero-dead');
  assert.equal(rows.length, 4);
  for (const row of rows) {
    const recorded = lastEpoch.get(row.run_id);
    // The same probe samples and rule as the trainer's last probe: the same units.
    const said = new RegExp(`${row.run_id} zero-dead: .*; ${recorded?.dead}/${recorded?.units} units silenced`);
    assert.match(r.stdout + r.stderr, said);
    if (Number(recorded?.dead) === 0)
      assert.equal(row.test_acc, row.recorded_test_acc, `${row.run_id}: nothing silenced`);
  }
  const md = readFileSync(join(grid, 'comparison.md'), 'utf8');
  assert.match(md, /\| nrelu-s0\.1 \| zero-dead \| 2 \| [\d.]+ \| [^|]+ \| [^|]+ \| zero-dead \| [+-]?[\d.]+/);
});

test('eval: a bad mode, an unknown run and a folder without models are one-line errors', async () => {
  const bad = await runCli(['eval', grid, '--mode', 'mc:0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--mode mc:0: expected deterministic, zero-dead, or mc:K/);
  const unknown = await runCli(['eval', grid, '--only', 'mlp-relu-seed9']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /mlp-relu-seed9 is not a completed run/);
  rmSync(join(grid, 'models'), { recursive: true });
  const none = await runCli(['eval', grid, '--backend', 'cpu']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no saved models in .*models for any completed run/);
});
