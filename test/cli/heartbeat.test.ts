/**
 * A frozen worker does not stall the grid (docs/RELIABILITY.md): a worker stopped with SIGSTOP sends
 * no heartbeat, is killed after --worker-timeout seconds, its run is recorded as failed with the
 * reason, and the other runs finish.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../helpers/cli.js';
import { writeTiny } from '../helpers/tiny-folder.js';
import { readRowsSync } from '../../src/results/files.js';
import { HOLD_ENV } from '../../src/runner/protocol.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-heartbeat-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const FROZEN = 'mlp-relu-seed1';

test('a worker stopped with SIGSTOP is killed after --worker-timeout, its run fails with the reason, the grid goes on', async () => {
  const out = join(dir, 'out');
  // The worker holds FROZEN after its first epoch (HOLD_ENV), still sending heartbeats; then it is stopped.
  // 15 s, not 5: on a loaded machine a healthy worker's event loop can stall over 5 s while it loads the dataset.
  const { child, done } = spawnCli(
    ['run', writeTiny(dir), 'seeds=[1,2]', '--out', out, '--jobs', '2', '--no-report', '--worker-timeout', '15'],
    { [HOLD_ENV]: FROZEN },
  );
  let stderr = '';
  let stopped: number | null = null;
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    const pid = new RegExp(`${FROZEN} epoch 1/1.*\\n?`).test(stderr)
      ? /\[1\/4\] mlp-relu-seed1 \(worker (\d+)\)/.exec(stderr)?.[1]
      : undefined;
    if (pid && stopped === null) {
      stopped = Number(pid);
      process.kill(stopped, 'SIGSTOP');
    }
  });
  // Without the heartbeat the grid waits forever: give it 120 s, then fail instead of hanging.
  const limit = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const r = await done;
  clearTimeout(limit);
  // A stopped worker cannot notice its parent is gone: never leave one behind.
  try {
    if (stopped !== null) process.kill(stopped, 'SIGKILL');
  } catch {
    // Already killed by the runner.
  }
  assert.ok(stopped !== null, `a worker was stopped: ${stderr}`);
  assert.equal(r.signal, null, `the grid finished on its own instead of hanging: ${stderr}`);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `worker process ${stopped} sent no heartbeat for [0-9.]+ s \\(frozen or stopped; the limit is --worker-timeout 15 s\\)`,
    ),
  );
  const summary = readRowsSync(join(out, 'summary.csv'));
  assert.deepEqual(
    summary.map((x) => [x.run_id, x.status]),
    [
      ['mlp-relu-seed1', 'failed'],
      ['mlp-relu-seed2', 'completed'],
      ['mlp-nrelu-s0.1-seed1', 'completed'],
      ['mlp-nrelu-s0.1-seed2', 'completed'],
    ],
  );
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    runs: Record<string, { status: string; message?: string }>;
  };
  assert.match(manifest.runs[FROZEN].message ?? '', /sent no heartbeat/);
});
