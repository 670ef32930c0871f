import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, spawnCli } from '../helpers/cli.js';
import { FAIL_ENV, HOLD_ENV } from '../../src/runner/protocol.js';
import { DEAD_COLUMNS, EPOCH_COLUMNS, SUMMARY_COLUMNS, readRowsSync } from '../../src/results/files.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'nrelu-cli-'));
}

/** A tiny config: real mnist-10k digits, small caps, fast on the cpu backend. */
function writeConfig(dir: string, extra = ''): string {
  const path = join(dir, 'tiny.yaml');
  writeFileSync(
    path,
    `name: tiny
dataset: mnist-10k
models: [{model: mlp, hidden: [16]}]
backend: cpu
activations: [relu, {name: nrelu, sigma: 0.1}]
seeds: [1]
train: {epochs: 2, batch_size: 64, train_samples: 256, test_samples: 128}
dead_neurons: {samples: 128}
${extra}`,
  );
  return path;
}

const header = (path: string): string => readFileSync(path, 'utf8').split('\n')[0];

test('run writes every output file with exactly the documented columns and prints the comparison', async () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  const r = await runCli(['run', writeConfig(dir), '--out', out, 'eval.robustness.gaussian=[0.3, 0.1]']);
  assert.equal(r.code, 0, r.stderr);
  const robustness = readRowsSync(join(out, 'robustness.csv'));
  assert.deepEqual(
    robustness.map((x) => [x.run_id, x.noise]),
    [
      ['mlp-relu-seed1', '0.1'],
      ['mlp-relu-seed1', '0.3'],
      ['mlp-nrelu-s0.1-seed1', '0.1'],
      ['mlp-nrelu-s0.1-seed1', '0.3'],
    ],
  );
  assert.ok(robustness.every((x) => Number(x.test_acc) >= 0 && Number(x.test_acc) <= 1));
  assert.equal(header(join(out, 'epochs.csv')), EPOCH_COLUMNS.join(','));
  assert.equal(header(join(out, 'dead_neurons.csv')), DEAD_COLUMNS.join(','));
  assert.equal(header(join(out, 'summary.csv')), SUMMARY_COLUMNS.join(','));
  const summary = readRowsSync(join(out, 'summary.csv'));
  assert.deepEqual(
    summary.map((s) => [s.run_id, s.status, s.sigma, s.epochs]),
    [
      ['mlp-relu-seed1', 'completed', '', '2'],
      ['mlp-nrelu-s0.1-seed1', 'completed', '0.1', '2'],
    ],
  );
  const epochs = readRowsSync(join(out, 'epochs.csv'));
  assert.equal(epochs.length, 4);
  assert.ok(epochs.every((e) => Number(e.test_acc) > 0.1 && Number(e.units) === 16));
  assert.ok(epochs.every((e) => Number(e.dormant) <= 16 && e.dormant_fraction !== '' && e.zero_output !== ''));
  assert.ok(
    epochs.filter((e) => e.activation === 'nrelu').every((e) => e.zero_output === '0'),
    'N-ReLU outputs are never exactly zero in training',
  );
  assert.deepEqual(
    epochs.map((e) => e.sigma),
    ['', '', '0.1', '0.1'],
  );
  assert.ok(
    epochs.every(
      (e) => Number(e.grad_dead) <= 16 && Number(e.grad_zero_fraction) >= 0 && Number(e.weight_grad_norm) > 0,
    ),
    'gradient-probe columns filled',
  );
  assert.equal(readRowsSync(join(out, 'dead_neurons.csv')).length, 4);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.backend.name, 'cpu');
  assert.equal(manifest.config.name, 'tiny');
  assert.ok(manifest.versions.tfjs && manifest.finishedAt && manifest.dataset.source);
  const md = readFileSync(join(out, 'comparison.md'), 'utf8');
  assert.match(md, /\| relu \|/);
  assert.match(md, /\| nrelu \| 0\.1 \|/);
  assert.match(md, /noise σ=0\.1 \(%\) \| noise σ=0\.3 \(%\)/);
  assert.ok(r.stdout.includes('| nrelu | 0.1 |'), 'the comparison is printed when the command ends');
});

test('overrides apply before validation and are recorded; an invalid config writes nothing and exits 2', async () => {
  const dir = tempDir();
  const out = join(dir, 'bad');
  const bad = await runCli([
    'run',
    writeConfig(dir),
    '--out',
    out,
    'activations=[relu, {name: nrelu, sigma: -1}]',
    'train.epochs=0',
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /activations\[1\]\.sigma/);
  assert.match(bad.stderr, /train\.epochs/);
  assert.doesNotMatch(bad.stderr, / {4}at /, 'no stack trace without --verbose');
  assert.equal(existsSync(out), false, 'nothing is written for an invalid config');

  const ok = await runCli(['run', writeConfig(dir), '--out', out, 'train.epochs=1', 'activations=[gelu]']);
  assert.equal(ok.code, 0, ok.stderr);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.overrides, ['train.epochs=1', 'activations=[gelu]']);
  assert.deepEqual(
    readRowsSync(join(out, 'summary.csv')).map((s) => s.run_id),
    ['mlp-gelu-seed1'],
  );
});

test('a diverging run is recorded as diverged, a failing run as failed, and the rest of the grid goes on', async () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  // The test hook fails the CNN run in its worker after epoch 1; the MLP runs still complete.
  const cfg = writeConfig(dir);
  writeFileSync(
    join(dir, 'mixed.yaml'),
    readFileSync(cfg, 'utf8').replace(
      'models: [{model: mlp, hidden: [16]}]',
      'models: [{model: mlp, hidden: [16]}, {model: cnn, filters: [4]}]',
    ),
  );
  const r = await runCli(['run', join(dir, 'mixed.yaml'), '--out', out, 'activations=[relu]', 'train.epochs=1'], {
    [FAIL_ENV]: 'cnn-relu-seed1',
  });
  assert.equal(r.code, 1, 'some run failed');
  const rows = readRowsSync(join(out, 'summary.csv'));
  assert.deepEqual(
    rows.map((s) => [s.run_id, s.status]),
    [
      ['mlp-relu-seed1', 'completed'],
      ['cnn-relu-seed1', 'failed'],
    ],
  );
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.match(manifest.runs['cnn-relu-seed1'].message, /failing cnn-relu-seed1 on purpose/);

  const d = await runCli([
    'run',
    writeConfig(dir),
    '--out',
    join(dir, 'div'),
    'train.optimizer=sgd',
    'train.learning_rate=1e30',
    'activations=[relu]',
  ]);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(readRowsSync(join(dir, 'div', 'summary.csv'))[0].status, 'diverged');
});

test('a run killed mid-grid resumes: finished runs are not redone and no row is duplicated', async () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  const cfg = writeConfig(dir);
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('train: {epochs: 2,', 'train: {epochs: 6,'));
  // One run at a time; the test hook holds the second run's worker after its first epoch, so 'the first
  // run is done and the second has started' is a definite state when the runner is killed.
  const first = spawnCli(['run', cfg, '--out', out, 'seeds=[1, 2]', '--jobs', '1'], { [HOLD_ENV]: 'mlp-relu-seed2' });
  await new Promise<void>((resolve) => {
    let stderr = '';
    first.child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('mlp-relu-seed2 epoch 1/6')) {
        first.child.kill('SIGKILL');
        resolve();
      }
    });
  });
  const killed = await first.done;
  assert.equal(killed.signal, 'SIGKILL');
  const before = readRowsSync(join(out, 'epochs.csv'));
  const doneRows = before.filter((e) => e.run_id === 'mlp-relu-seed1');
  assert.equal(doneRows.length, 6);

  const second = await runCli(['run', cfg, '--out', out, 'seeds=[1, 2]']);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /1 already done/);
  assert.doesNotMatch(second.stderr, /\[1\/4\] mlp-relu-seed1/);
  const after = readRowsSync(join(out, 'epochs.csv'));
  const keys = after.map((e) => `${e.run_id}#${e.epoch}`);
  assert.equal(new Set(keys).size, keys.length, 'no duplicated rows');
  assert.equal(after.length, 4 * 6);
  assert.deepEqual(
    after.filter((e) => e.run_id === 'mlp-relu-seed1'),
    doneRows,
    'the finished run was not redone',
  );
  assert.equal(readRowsSync(join(out, 'summary.csv')).length, 4);
});

test('Ctrl-C (SIGINT) stops after the current batch, leaves readable files and exits 130', async () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  const run = spawnCli(['run', writeConfig(dir), '--out', out, 'train.epochs=20']);
  // Interrupt once the first epoch is reported (an event, not a poll of the folder).
  let sent = false;
  await new Promise<void>((resolve) => {
    let stderr = '';
    run.child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && /epoch 1\/20/.test(stderr)) {
        sent = true; // once: a second SIGINT means 'quit at once'
        run.child.kill('SIGINT');
        resolve();
      }
    });
  });
  const r = await run.done;
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /resume/);
  const rows = readRowsSync(join(out, 'epochs.csv'));
  assert.ok(rows.length >= 1 && rows.length < 40);
  assert.ok(rows.every((row) => EPOCH_COLUMNS.every((c) => c in row)));
  JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
});
