import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseShard, selectShard, slurmShard } from '../../src/runner/shard.js';
import { isUserError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/exit-codes.js';

test('shards are round-robin slices by grid index that cover the grid exactly once', () => {
  const grid = Array.from({ length: 10 }, (_, i) => `run${i}`);
  for (const count of [1, 2, 3, 4, 10]) {
    const slices = Array.from({ length: count }, (_, index) => selectShard(grid, { index, count }));
    assert.deepEqual(slices.flat().sort(), [...grid].sort(), `${count} shards cover the grid`);
    assert.equal(new Set(slices.flat()).size, grid.length, 'no run is in two shards');
    assert.ok(Math.max(...slices.map((s) => s.length)) - Math.min(...slices.map((s) => s.length)) <= 1, 'balanced');
  }
  assert.deepEqual(selectShard(grid, { index: 1, count: 3 }), ['run1', 'run4', 'run7']);
  assert.deepEqual(selectShard(grid, null), grid);
});

test('parseShard reads i/n and rejects what is not a shard', () => {
  assert.deepEqual(parseShard('0/3'), { index: 0, count: 3 });
  assert.deepEqual(parseShard(' 2 / 3 '), { index: 2, count: 3 });
  for (const bad of ['3/3', '-1/3', '1/0', '1', 'a/b', '1/2/3']) {
    assert.throws(
      () => parseShard(bad),
      (e: unknown) => isUserError(e) && exitCodeOf(e) === 2,
      bad,
    );
  }
});

test("--shard slurm: the array task id (minus the array's first id) out of the task count", () => {
  assert.deepEqual(slurmShard({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' }), { index: 2, count: 4 });
  assert.deepEqual(slurmShard({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' }), {
    index: 3,
    count: 4,
  });
  assert.deepEqual(parseShard('slurm', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '1' }), {
    index: 0,
    count: 1,
  });
  assert.throws(() => slurmShard({}), /SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are not set/);
  assert.throws(() => slurmShard({ SLURM_ARRAY_TASK_ID: '1' }), /SLURM_ARRAY_TASK_COUNT is not set/);
  assert.throws(
    () => slurmShard({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '4' }),
    /not below the shard count/,
  );
});
