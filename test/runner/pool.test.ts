/** runPool with real worker processes: a replacement worker that fails to start is never reused. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runPool } from '../../src/runner/pool.js';
import { HOLD_ENV } from '../../src/runner/protocol.js';
import type { RunOutcome } from '../../src/runner/worker-process.js';
import { runSpec } from '../helpers/synthetic.js';
import { removeTempDirs, syntheticFiles, syntheticSplit, tempDir, writeFiles } from '../data/fixtures.js';

after(removeTempDirs);

test('runs after a replacement worker failed to start get a fresh worker, not the dying one', async () => {
  const folder = join(tempDir('nrelu-pool-'), 'idx');
  writeFiles(folder, syntheticFiles(syntheticSplit(64, 1), syntheticSplit(32, 2)), false);
  const specs = ['held', 'second', 'third', 'fourth'].map((id) =>
    runSpec({ id, train: { epochs: 2, batchSize: 32, optimizer: 'adam', learningRate: 0.001 } }),
  );
  // The first worker holds its run after epoch 1 (so it never frees its slot); the dataset is gone
  // once it is ready, so every worker started after it fails to start.
  process.env[HOLD_ENV] = 'held';
  const outcomes = new Map<string, RunOutcome>();
  let heldPid: number | undefined;
  try {
    await runPool({
      specs,
      jobs: 2,
      init: { backend: 'cpu', dataset: `idx:${folder}`, standardize: false },
      shouldStop: () => false,
      log: () => undefined,
      onReady: async () => {
        rmSync(folder, { recursive: true, force: true });
      },
      onStart: (spec, pid) => {
        if (spec.id === 'held') heldPid = pid;
      },
      onBatch: () => undefined,
      onEpoch: () => undefined,
      onDone: async (spec, outcome) => {
        outcomes.set(spec.id, outcome);
        // Once the other slot has failed every other run, let the held run end.
        if (outcomes.size === specs.length - 1 && heldPid) process.kill(heldPid, 'SIGKILL');
      },
    });
  } finally {
    delete process.env[HOLD_ENV];
  }
  for (const id of ['second', 'third', 'fourth']) {
    assert.equal(outcomes.get(id)?.status, 'failed', id);
    assert.match(
      outcomes.get(id)?.message ?? '',
      /^could not start a worker process: /,
      `${id}: ${outcomes.get(id)?.message}`,
    );
  }
  assert.match(outcomes.get('held')?.message ?? '', /killed by signal SIGKILL/);
});
