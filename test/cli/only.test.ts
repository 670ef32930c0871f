/**
 * Re-running one run of a committed grid and checking it against the folder: `run --only` and
 * `check --only` (with and without --rerun), on a tiny grid of 4 runs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tinyConfig } from '../helpers/results.js';
import { readRowsSync } from '../../src/results/files.js';
import { parseOnly, selectOnly } from '../../src/runner/only.js';
import { UserError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-only-'));
const config = join(dir, 'tiny.yaml');
const grid = join(dir, 'grid');
const ONE = 'mlp-nrelu-s0.1-seed2';

after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  writeFileSync(config, tinyConfig());
  const r = await runCli(['run', config, '--out', grid, '--jobs', '2', '--no-report']);
  assert.equal(r.code, 0, r.stderr);
});

test('parseOnly and selectOnly: comma lists, unknown ids are a usage error naming them', () => {
  assert.equal(parseOnly(undefined), undefined);
  assert.deepEqual(parseOnly(['a,b', ' c ', 'a']), ['a', 'b', 'c']);
  assert.throws(() => parseOnly([',']), UserError);
  const specs = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
  assert.deepEqual(
    selectOnly(specs, specs, ['c', 'a']).map((s) => s.id),
    ['a', 'c'],
  );
  assert.deepEqual(selectOnly(specs, specs.slice(0, 2), ['c']), [], 'not in this shard');
  assert.throws(() => selectOnly(specs, specs, ['a', 'x', 'y']), /--only: x, y are not runs of this grid/);
});

test("run --only trains just that run; check --only confirms it against the whole grid's folder", async () => {
  const one = join(dir, 'one');
  const r = await runCli(['run', config, '--only', ONE, '--out', one, '--no-report']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /only: 1 of the grid's 4 runs \(mlp-nrelu-s0\.1-seed2\)/);
  assert.deepEqual(
    readRowsSync(join(one, 'summary.csv')).map((x) => x.run_id),
    [ONE],
  );

  const ok = await runCli(['check', one, '--reference', grid, '--only', ONE]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /OK: 1 runs and 2 epochs of .* match/);
  // Without --only the other three runs are reported missing.
  const all = await runCli(['check', one, '--reference', grid]);
  assert.equal(all.code, 1);
  assert.match(all.stdout, /DIFFERENT: 3 difference\(s\) in 3 run\(s\)/);
  // ... in one summary line, not one table row each.
  assert.match(all.stdout, /^3 runs of the reference are missing from .*one: mlp-relu-seed1, [^;]*; --only/m);
  assert.doesNotMatch(all.stdout, /present\s+missing/);

  // A changed number in the folder's row for that run is caught.
  const epochs = join(grid, 'epochs.csv');
  const original = readFileSync(epochs, 'utf8');
  const rows = original.split('\n');
  const cols = rows[0].split(',');
  const i = rows.findIndex((l) => l.startsWith(`${ONE},`) && l.split(',')[cols.indexOf('epoch')] === '2');
  const cells = rows[i].split(',');
  const acc = cols.indexOf('test_acc');
  cells[acc] = String(Number(cells[acc]) - 0.01);
  rows[i] = cells.join(',');
  writeFileSync(epochs, rows.join('\n'));
  try {
    const bad = await runCli(['check', one, '--reference', grid, '--only', ONE]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, new RegExp(`${ONE}\\s+2\\s+test_acc`));
  } finally {
    writeFileSync(epochs, original);
  }
});

test("check --rerun --only retrains one run from the folder's manifest and checks it; unknown ids exit 2", async () => {
  const out = join(dir, 'rerun');
  const r = await runCli(['check', out, '--reference', grid, '--rerun', '--only', 'mlp-relu-seed1']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /OK: 1 runs and 2 epochs/);
  assert.deepEqual(
    readRowsSync(join(out, 'summary.csv')).map((x) => x.run_id),
    ['mlp-relu-seed1'],
  );
  const unknown = await runCli(['check', out, '--reference', grid, '--only', 'mlp-relu-seed9']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--only: mlp-relu-seed9 not in/);
  const badRun = await runCli(['run', config, '--only', 'mlp-gelu-seed1', '--out', join(dir, 'x')]);
  assert.equal(badRun.code, 2);
  assert.match(badRun.stderr, /--only: mlp-gelu-seed1 is not a run of this grid/);
});

test('run --only X --fresh retrains X and keeps every other run of the folder', async () => {
  const copy = join(dir, 'fresh');
  cpSync(grid, copy, { recursive: true });
  const before = readRowsSync(join(copy, 'summary.csv')).map((r) => r.run_id);
  const r = await runCli(['run', config, '--out', copy, '--only', ONE, '--fresh', '--jobs', '1', '--no-report']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /--fresh: retraining the 1 selected run; keeping the folder's 3 other runs/);
  assert.deepEqual(
    readRowsSync(join(copy, 'summary.csv')).map((x) => x.run_id),
    before,
  );
  assert.equal(readRowsSync(join(copy, 'epochs.csv')).length, 8);
  assert.deepEqual(
    Object.keys(JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')).runs).sort(),
    [...before].sort(),
  );
});
