import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, spawnCli } from '../helpers/cli.js';
import { HOLD_ENV } from '../../src/runner/protocol.js';
import { tinyConfig } from '../helpers/results.js';
import { readRowsSync } from '../../src/results/files.js';

function setup(): { dir: string; cfg: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nrelu-resume-'));
  const cfg = join(dir, 'tiny.yaml');
  writeFileSync(
    cfg,
    tinyConfig().replace('eval: {robustness: {gaussian: [0.2]}}', '').replace('epochs: 2', 'epochs: 1'),
  );
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
  assert.deepEqual(
    ids(out).sort(),
    ['mlp-nrelu-s0.1-seed1', 'mlp-nrelu-s0.1-seed2', 'mlp-relu-seed1', 'mlp-relu-seed2'],
    'the seed-2 rows are still there',
  );
  assert.match(one.stderr, /2 runs outside this grid/);

  const again = await runCli(['run', cfg, '--out', out, 'seeds=[1,2]', '--jobs', '1', '--no-report']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /4 already done/);
  assert.equal(
    readFileSync(join(out, 'epochs.csv'), 'utf8'),
    full,
    'nothing lost, nothing retrained, grid order restored',
  );
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

test('a cut-off CSV resumes: the damaged run trains again, the others are kept; a damaged manifest is one line naming it', async () => {
  const { dir, cfg, out } = setup();
  const first = await runCli(['run', cfg, '--out', out, '--jobs', '1', '--no-report']);
  assert.equal(first.code, 0, first.stderr);
  const text = readFileSync(join(out, 'summary.csv'), 'utf8');
  writeFileSync(join(out, 'summary.csv'), text.slice(0, text.length - 40));
  const again = await runCli(['run', cfg, '--out', out, '--jobs', '1', '--no-report']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /summary\.csv: dropping 1 damaged row/);
  assert.match(again.stderr, /3 already done/);
  assert.deepEqual(ids(out), ['mlp-relu-seed1', 'mlp-relu-seed2', 'mlp-nrelu-s0.1-seed1', 'mlp-nrelu-s0.1-seed2']);
  assert.equal(
    readFileSync(join(out, 'summary.csv'), 'utf8')
      .split('\n')
      .filter((l) => l === '').length,
    1,
    'no blank line inside the file',
  );

  const manifest = join(out, 'manifest.json');
  for (const bad of ['{"runs": {', '[]']) {
    writeFileSync(manifest, bad);
    for (const args of [
      ['run', cfg, '--out', out],
      ['merge', out, '--out', join(dir, 'merged')],
      ['check', out, '--reference', out],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 2, `${args[0]}: one error line and one hint: ${r.stderr}`);
      assert.ok(lines[0].startsWith('error: ') && lines[0].includes(manifest), r.stderr);
      assert.match(lines[1], /^hint: .*move it away/);
    }
  }
});

test('a damaged row of a run not trained now (here: outside --only) is not silently lost: the run loses its rows and its manifest entry, and trains again later', async () => {
  const { cfg, out } = setup();
  const first = await runCli(['run', cfg, '--out', out, '--jobs', '1', '--no-report']);
  assert.equal(first.code, 0, first.stderr);
  // Blank the dead count of one dead_neurons.csv row of mlp-nrelu-s0.1-seed2.
  const victim = 'mlp-nrelu-s0.1-seed2';
  const dead = readFileSync(join(out, 'dead_neurons.csv'), 'utf8').split('\n');
  const at = dead.findIndex((l) => l.startsWith(`${victim},`));
  const cells = dead[at].split(',');
  cells[3] = '';
  dead[at] = cells.join(',');
  writeFileSync(join(out, 'dead_neurons.csv'), dead.join('\n'));

  const only = await runCli(['run', cfg, '--out', out, '--only', 'mlp-relu-seed1', '--jobs', '1', '--no-report']);
  assert.equal(only.code, 0, only.stderr);
  assert.match(only.stderr, /dead_neurons\.csv: dropping 1 damaged row/);
  for (const file of ['summary.csv', 'epochs.csv', 'dead_neurons.csv'])
    assert.ok(!ids(out, file).includes(victim), `${file} keeps no row of ${victim}`);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { runs: Record<string, unknown> };
  assert.ok(!(victim in manifest.runs), 'its manifest entry is gone, so it is not taken as done');

  const all = await runCli(['run', cfg, '--out', out, '--jobs', '1', '--no-report']);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stderr, /3 already done/);
  assert.deepEqual(ids(out), ['mlp-relu-seed1', 'mlp-relu-seed2', 'mlp-nrelu-s0.1-seed1', victim]);
});

test('an interrupted grid, resumed, equals an uninterrupted one under `nrelu-bench check --tolerance 0`', async () => {
  const { dir, cfg, out } = setup();
  const args = ['--jobs', '1', '--no-report', 'train.epochs=2'];
  const whole = join(dir, 'whole');
  const uninterrupted = await runCli(['run', cfg, '--out', whole, ...args]);
  assert.equal(uninterrupted.code, 0, uninterrupted.stderr);
  // The test hook holds the third run's worker after its first epoch: kill the runner there, hard.
  const victim = 'mlp-nrelu-s0.1-seed1';
  const first = spawnCli(['run', cfg, '--out', out, ...args], { [HOLD_ENV]: victim });
  await new Promise<void>((resolve) => {
    let stderr = '';
    first.child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes(`${victim} epoch 1/2`)) {
        first.child.kill('SIGKILL');
        resolve();
      }
    });
  });
  assert.equal((await first.done).signal, 'SIGKILL');
  assert.deepEqual(ids(out), ['mlp-relu-seed1', 'mlp-relu-seed2'], 'two runs were done when it died');

  const resumed = await runCli(['run', cfg, '--out', out, ...args]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /2 already done/);
  const check = await runCli(['check', out, '--reference', whole, '--tolerance', '0']);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /^OK: 4 runs and 8 epochs/);
});

test('a config change over finished runs is refused, naming the key; --fresh --only retrains exactly those runs', async () => {
  const { cfg, out } = setup();
  const models = (filters: number): string =>
    `models=[{model: mlp, hidden: [16]}, {model: cnn, filters: [${filters}], dense: [8]}]`;
  const args = ['--jobs', '1', '--no-report', 'backend=wasm', 'seeds=[1]'];
  const first = await runCli(['run', cfg, '--out', out, models(2), ...args]);
  assert.equal(first.code, 0, first.stderr);
  const mlpRows = readFileSync(join(out, 'epochs.csv'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('mlp-'));
  const hashes = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).runs;

  const refused = await runCli(['run', cfg, '--out', out, models(3), ...args]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /2 finished runs with the same ids but other settings \(cnn-relu-seed1, cnn-nrelu-s0\.1-seed1/,
  );
  assert.match(refused.stderr, /modelOptions\.filters\.0 2 vs 3/);

  const only = '--only=cnn-relu-seed1,cnn-nrelu-s0.1-seed1';
  const changed = await runCli(['run', cfg, '--out', out, models(3), ...args, '--fresh', only]);
  assert.equal(changed.code, 0, changed.stderr);
  const trained = [...changed.stderr.matchAll(/\] (\S+) \(worker/g)].map((m) => m[1]);
  assert.deepEqual(
    trained,
    ['cnn-relu-seed1', 'cnn-nrelu-s0.1-seed1'],
    'only the CNN runs, whose filters changed, train again',
  );
  assert.deepEqual(
    readFileSync(join(out, 'epochs.csv'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('mlp-')),
    mlpRows,
    'MLP rows untouched',
  );
  const after = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).runs;
  assert.equal(after['mlp-relu-seed1'].hash, hashes['mlp-relu-seed1'].hash);
  assert.notEqual(after['cnn-relu-seed1'].hash, hashes['cnn-relu-seed1'].hash);
  assert.deepEqual(ids(out), ['mlp-relu-seed1', 'mlp-nrelu-s0.1-seed1', 'cnn-relu-seed1', 'cnn-nrelu-s0.1-seed1']);
});
