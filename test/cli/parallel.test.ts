/**
 * Parallel runs (--jobs), reproducibility (identical reruns) and `nrelu-bench check`.
 * Two folders of the same tiny grid (4 runs) are trained once, with --jobs 1 and --jobs 2.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, spawnCli, type CliResult } from '../helpers/cli.js';
import { sameResults, tinyConfig, withoutTiming } from '../helpers/results.js';
import { readRowsSync } from '../../src/results/files.js';
import { HOLD_ENV } from '../../src/runner/protocol.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-parallel-'));
const config = join(dir, 'tiny.yaml');
const jobs1 = join(dir, 'jobs1');
const jobs2 = join(dir, 'jobs2');
const GRID = ['mlp-relu-seed1', 'mlp-relu-seed2', 'mlp-nrelu-s0.1-seed1', 'mlp-nrelu-s0.1-seed2'];

after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  writeFileSync(config, tinyConfig());
  const [a, b] = await Promise.all([
    runCli(['run', config, '--out', jobs1, '--jobs', '1', '--no-report']),
    runCli(['run', config, '--out', jobs2, '--jobs', '2', '--no-report']),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
});

test('--jobs 2 writes the same files as --jobs 1, in grid order (timing columns aside)', () => {
  assert.deepEqual(
    readRowsSync(join(jobs2, 'summary.csv')).map((r) => [r.run_id, r.status]),
    GRID.map((id) => [id, 'completed']),
  );
  const epochs = readRowsSync(join(jobs2, 'epochs.csv'));
  assert.deepEqual(
    epochs.map((r) => `${r.run_id}#${r.epoch}`),
    GRID.flatMap((id) => [`${id}#1`, `${id}#2`]),
  );
  assert.deepEqual(
    readRowsSync(join(jobs2, 'robustness.csv')).map((r) => r.run_id),
    GRID,
  );
  for (const { file, same } of sameResults(jobs1, jobs2))
    assert.ok(same, `${file} differs between --jobs 1 and --jobs 2`);
  const manifest = (d: string): { jobs: number } => JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
  assert.equal(manifest(jobs1).jobs, 1);
  assert.equal(manifest(jobs2).jobs, 2);
});

test('two runs of the same config on the same backend give byte-identical CSVs apart from timing columns (wasm)', async () => {
  const [a, b] = [join(dir, 'wasm-a'), join(dir, 'wasm-b')];
  for (const out of [a, b]) {
    const r = await runCli(['run', config, '--out', out, '--backend', 'wasm', '--no-report', 'seeds=[1]']);
    assert.equal(r.code, 0, r.stderr);
  }
  for (const { file, same } of sameResults(a, b)) assert.ok(same, `${file} differs between two identical runs`);
  // The timing columns do differ in general; everything else must match byte for byte.
  assert.equal(withoutTiming(join(a, 'epochs.csv')).split('\n').length, 2 * 2 + 2);
});

test('check passes on an identical rerun', async () => {
  const r = await runCli(['check', jobs2, '--reference', jobs1]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^OK: 4 runs and 8 epochs/m);
});

test('check fails on a tampered CSV and names the run, epoch and column', async () => {
  const tampered = join(dir, 'tampered');
  cpSync(jobs2, tampered, { recursive: true });
  const path = join(tampered, 'epochs.csv');
  const lines = readFileSync(path, 'utf8').split('\n');
  const header = lines[0].split(',');
  const row = lines.findIndex(
    (l) => l.startsWith('mlp-nrelu-s0.1-seed2,') && l.split(',')[header.indexOf('epoch')] === '2',
  );
  const cells = lines[row].split(',');
  cells[header.indexOf('test_acc')] = String(Number(cells[header.indexOf('test_acc')]) + 0.01);
  cells[header.indexOf('dead')] = String(Number(cells[header.indexOf('dead')]) + 1);
  lines[row] = cells.join(',');
  writeFileSync(path, lines.join('\n'));

  const r = await runCli(['check', tampered, '--reference', jobs1]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /mlp-nrelu-s0\.1-seed2\s+2\s+test_acc\s/);
  assert.match(r.stdout, /mlp-nrelu-s0\.1-seed2\s+2\s+dead\s/);
  assert.match(r.stdout, /DIFFERENT: 2 difference/);
  // Within a wider tolerance only the dead count differs.
  const loose = await runCli(['check', tampered, '--reference', jobs1, '--tolerance', '0.05']);
  assert.equal(loose.code, 1);
  assert.doesNotMatch(loose.stdout, /test_acc/);
  assert.match(loose.stdout, /DIFFERENT: 1 difference/);
});

test("check --rerun reruns the reference's grid from its manifest; usage errors exit 2", async () => {
  const out = join(dir, 'rerun');
  const r = await runCli(['check', out, '--reference', jobs1, '--rerun', '--jobs', '2']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^OK: 4 runs/m);
  assert.deepEqual(
    readRowsSync(join(out, 'summary.csv')).map((x) => x.run_id),
    GRID,
  );

  const missing = await runCli(['check', out, '--reference', join(dir, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /has no summary\.csv/);
  const self = await runCli(['check', jobs1, '--reference', jobs1, '--rerun']);
  assert.equal(self.code, 2);
  const tolerance = await runCli(['check', out, '--reference', jobs1, '--tolerance', '-1']);
  assert.equal(tolerance.code, 2);
});

test('killing one worker process fails only the run it was training; the others complete', async () => {
  const out = join(dir, 'killed');
  const victim = 'mlp-relu-seed2';
  // The victim's worker holds after its first epoch (a test hook), so the kill never races the run's end.
  const run = spawnCli(['run', config, '--out', out, '--jobs', '2', '--no-report', 'train.epochs=3'], {
    [HOLD_ENV]: victim,
  });
  let stderr = '';
  let killed: number | null = null;
  await new Promise<void>((resolve) => {
    run.child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const pid = new RegExp(`\\] ${victim} \\(worker (\\d+)\\)`).exec(stderr)?.[1];
      if (killed === null && pid && stderr.includes(`${victim} epoch 1/3`)) {
        killed = Number(pid);
        process.kill(killed, 'SIGKILL');
        resolve();
      }
    });
    void run.done.then(() => resolve());
  });
  const r: CliResult = await run.done;
  assert.ok(killed, `the victim's worker was found and killed\n${stderr}`);
  assert.equal(r.code, 1, r.stderr);
  const summary = readRowsSync(join(out, 'summary.csv'));
  assert.deepEqual(
    summary.map((s) => [s.run_id, s.status]),
    GRID.map((id) => [id, id === victim ? 'failed' : 'completed']),
  );
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.match(manifest.runs[victim].message, new RegExp(`worker process ${killed} was killed by signal SIGKILL`));
  const epochs = readRowsSync(join(out, 'epochs.csv'));
  assert.equal(epochs.filter((e) => e.run_id !== victim).length, 3 * 3, 'the other runs trained all their epochs');
  assert.equal(epochs.filter((e) => e.run_id === victim).length, 1, 'the epoch written before the kill stays, whole');

  // Resuming reruns only the failed run.
  const again = await runCli(['run', config, '--out', out, '--jobs', '2', '--no-report', 'train.epochs=3']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /3 already done/);
  assert.deepEqual(
    readRowsSync(join(out, 'summary.csv')).map((s) => s.status),
    GRID.map(() => 'completed'),
  );
  assert.equal(readRowsSync(join(out, 'epochs.csv')).length, 4 * 3);
});
