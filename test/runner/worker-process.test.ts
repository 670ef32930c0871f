import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { WORKER_MODULE, workerExecArgv } from '../../src/runner/worker-process.js';
import { defaultJobs } from '../../src/runner/pool.js';

test('the worker module sits next to the runner, as .ts under tsx and .js in dist/', () => {
  assert.ok(existsSync(WORKER_MODULE), WORKER_MODULE);
  assert.match(WORKER_MODULE, /worker\.ts$/);
});

test('workers inherit loader flags but not test-runner flags', () => {
  assert.deepEqual(
    workerExecArgv(['--import', 'tsx', '--test', '--test-reporter', 'spec', '--test-concurrency=2'], '/x/worker.ts'),
    ['--import', 'tsx'],
  );
  assert.deepEqual(workerExecArgv(['--max-old-space-size=4096'], '/x/worker.ts'), [
    '--max-old-space-size=4096',
    '--import',
    'tsx',
  ]);
  assert.deepEqual(workerExecArgv([], '/x/worker.js'), []);
});

test("default jobs: Slurm's CPUs per task, else the cores; 1 on a GPU", () => {
  assert.equal(defaultJobs(true, { SLURM_CPUS_PER_TASK: '8' }), 1);
  assert.equal(defaultJobs(false, { SLURM_CPUS_PER_TASK: '3' }), 3);
  assert.ok(defaultJobs(false, {}) >= 1);
});
