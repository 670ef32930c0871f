/** `run --shard` and `merge`: shards of a grid merged equal the unsharded run. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sameResults, tinyConfig } from '../helpers/results.js';
import { readRowsSync } from '../../src/results/files.js';

const GRID = ['mlp-relu-seed1', 'mlp-relu-seed2', 'mlp-nrelu-s0.1-seed1', 'mlp-nrelu-s0.1-seed2'];

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setup(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nrelu-shards-'));
  dirs.push(dir);
  const config = join(dir, 'tiny.yaml');
  writeFileSync(config, tinyConfig());
  return { dir, config };
}

test('shards 0/3, 1/3 and 2/3 merged equal the unsharded run (timing columns aside)', async () => {
  const { dir, config } = setup();
  const full = join(dir, 'full');
  const shards = [0, 1, 2].map((i) => join(dir, `shard-${i}`));
  const runs = await Promise.all([
    runCli(['run', config, '--out', full, '--jobs', '1', '--no-report']),
    ...shards.map((out, i) => runCli(['run', config, '--shard', `${i}/3`, '--out', out, '--jobs', '1', '--no-report'])),
  ]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  // Round-robin by grid index: shard 0 holds runs 0 and 3, shard 1 run 1, shard 2 run 2.
  const ids = (d: string): string[] => readRowsSync(join(d, 'summary.csv')).map((r) => r.run_id);
  assert.deepEqual(shards.map(ids), [[GRID[0], GRID[3]], [GRID[1]], [GRID[2]]]);
  assert.deepEqual(JSON.parse(readFileSync(join(shards[1], 'manifest.json'), 'utf8')).shard, { index: 1, count: 3 });

  const merged = join(dir, 'merged');
  // Out of order on purpose, and shard 0 twice: identical duplicates are fine.
  const m = await runCli(['merge', shards[2], shards[0], shards[1], shards[0], '--out', merged]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /merged 4 runs from 4 folder\(s\); 2 found in more than one folder/);
  assert.deepEqual(ids(merged), GRID);
  for (const { file, same } of sameResults(full, merged))
    assert.ok(same, `${file}: merged shards differ from the unsharded run`);
  const manifest = JSON.parse(readFileSync(join(merged, 'manifest.json'), 'utf8'));
  assert.deepEqual(Object.keys(manifest.runs).sort(), [...GRID].sort());
  assert.equal(manifest.mergedFrom.length, 4);
  assert.equal(manifest.shard, undefined);

  // A merged folder resumes like any other: nothing left to train.
  const resumed = await runCli(['run', config, '--out', merged, '--no-report']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /4 already done/);
});

test('merge rejects a run whose config hash differs between folders, naming the run; nothing is written', async () => {
  const { dir, config } = setup();
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  const ra = await runCli([
    'run',
    config,
    '--out',
    a,
    '--no-report',
    'activations=[relu]',
    'seeds=[1]',
    'train.epochs=1',
  ]);
  const rb = await runCli([
    'run',
    config,
    '--out',
    b,
    '--no-report',
    'activations=[relu]',
    'seeds=[1]',
    'train.epochs=1',
    'train.learning_rate=0.01',
  ]);
  assert.equal(ra.code, 0, ra.stderr);
  assert.equal(rb.code, 0, rb.stderr);
  const out = join(dir, 'merged');
  const r = await runCli(['merge', a, b, '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /run mlp-relu-seed1 has different settings in .*\ba and .*\bb \(config hash [0-9a-f]{12} vs [0-9a-f]{12}\)/,
  );
  assert.equal(existsSync(join(out, 'summary.csv')), false);

  const notResults = await runCli(['merge', dir, '--out', out]);
  assert.equal(notResults.code, 2);
  assert.match(notResults.stderr, /has no manifest\.json/);
});

test('--shard slurm reads the array task from the environment; bad shards are usage errors', async () => {
  const { dir, config } = setup();
  const out = join(dir, 'task');
  const ok = await runCli(['run', config, '--shard', 'slurm', '--out', out, '--no-report', 'seeds=[1]'], {
    SLURM_ARRAY_TASK_ID: '1',
    SLURM_ARRAY_TASK_COUNT: '2',
    SLURM_ARRAY_TASK_MIN: '0',
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(
    readRowsSync(join(out, 'summary.csv')).map((r) => r.run_id),
    ['mlp-nrelu-s0.1-seed1'],
  );

  const missing = await runCli(['run', config, '--shard', 'slurm', '--out', out], {
    SLURM_ARRAY_TASK_ID: '',
    SLURM_ARRAY_TASK_COUNT: '',
  });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are not set/);
  for (const bad of ['3/3', '1/0', 'x']) {
    const r = await runCli(['run', config, '--shard', bad, '--out', out]);
    assert.equal(r.code, 2, `--shard ${bad}`);
  }
  const jobs = await runCli(['run', config, '--jobs', '0', '--out', out]);
  assert.equal(jobs.code, 2);
  assert.match(jobs.stderr, /--jobs <n\|auto>' argument '0' is invalid\. pass a whole number/);
});
