/**
 * One writer per result folder (docs/RELIABILITY.md): a second `run` on a folder another process is
 * writing stops with exit 1 naming that process; a lock left by a dead process is taken over with a note.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, spawnCli } from '../helpers/cli.js';
import { copyFolder, trainInto, writeTiny } from '../helpers/tiny-folder.js';
import { HOLD_ENV } from '../../src/runner/protocol.js';
import { LOCK_FILE } from '../../src/results/lock.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let config = '';
const base = join(dir, 'base');

before(async () => {
  config = writeTiny(dir);
  await trainInto(config, base, 'activations=[relu]');
});

/** The id of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid as number;
}

function writeLock(folder: string, pid: number): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, LOCK_FILE),
    JSON.stringify({ pid, host: hostname(), command: 'run tiny.yaml', startedAt: '2026-01-01T00:00:00Z' }),
  );
}

test('a second run on a folder that a running run is writing exits 1, naming the process, and writes nothing', async () => {
  const out = join(dir, 'busy');
  const first = spawnCli(['run', config, '--out', out, '--jobs', '1', '--no-report'], { [HOLD_ENV]: 'mlp-relu-seed1' });
  try {
    // The first run holds its run after epoch 1 (HOLD_ENV): wait for that epoch's row.
    for (let i = 0; i < 600 && !(existsSync(join(out, 'epochs.csv')) && existsSync(join(out, LOCK_FILE))); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(join(out, LOCK_FILE)), 'the first run holds the lock');
    const epochs = readFileSync(join(out, 'epochs.csv'), 'utf8');
    const second = await runCli(['run', config, '--out', out, '--jobs', '1', '--no-report']);
    assert.equal(second.code, 1, second.stderr);
    assert.match(
      second.stderr,
      new RegExp(`busy is being written by process ${first.child.pid} \\(.*run .*tiny\\.yaml`),
    );
    assert.equal(readFileSync(join(out, 'epochs.csv'), 'utf8'), epochs, 'the second run wrote nothing');
  } finally {
    first.child.kill('SIGKILL');
    await first.done;
  }
  // The first run was killed: its lock is stale, and the next run takes it over.
  const third = await runCli(['run', config, '--out', out, '--jobs', '1', '--no-report']);
  assert.equal(third.code, 0, third.stderr);
  assert.match(
    third.stderr,
    new RegExp(`taking over the stale lock of .*busy \\(process ${first.child.pid}, .* is not running\\)`),
  );
  assert.equal(existsSync(join(out, LOCK_FILE)), false, 'released at the end');
});

test('merge --out and check --rerun respect the lock too', async () => {
  const target = join(dir, 'locked');
  writeLock(target, process.pid);
  const merge = await runCli(['merge', base, '--out', target]);
  assert.equal(merge.code, 1, merge.stderr);
  assert.match(merge.stderr, new RegExp(`locked is being written by process ${process.pid}`));
  const check = await runCli(['check', target, '--reference', base, '--rerun', '--jobs', '1']);
  assert.equal(check.code, 1, check.stderr);
  assert.match(check.stderr, /is being written by process/);
  assert.equal(existsSync(join(target, 'summary.csv')), false);
});

test('merge --out takes over a stale lock with a note', async () => {
  const target = join(dir, 'stale');
  const pid = deadPid();
  writeLock(target, pid);
  const merge = await runCli(['merge', copyFolder(base, join(dir, 'in')), '--out', target]);
  assert.equal(merge.code, 0, merge.stderr);
  assert.match(
    merge.stderr,
    new RegExp(`taking over the stale lock of .*stale \\(process ${pid}, run tiny\\.yaml, is not running\\)`),
  );
  assert.equal(existsSync(join(target, LOCK_FILE)), false);
});

test('eval and report during a run stop at its lock, naming it (m6)', async () => {
  const out = join(dir, 'busy-readers');
  const first = spawnCli(['run', config, '--out', out, '--jobs', '1', '--no-report', '--save-models'], {
    [HOLD_ENV]: 'mlp-nrelu-s0.1-seed1',
  });
  try {
    for (let i = 0; i < 600 && !existsSync(join(out, 'models', 'mlp-relu-seed1', 'model.json')); i++)
      await new Promise((r) => setTimeout(r, 100));
    for (const args of [
      ['eval', out, '--backend', 'cpu'],
      ['report', out],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`busy-readers is being written by process ${first.child.pid}`), args[0]);
    }
  } finally {
    first.child.kill('SIGKILL');
    await first.done;
  }
});

test('Ctrl-C during merge --html leaves no lock behind (m8)', async () => {
  const out = join(dir, 'interrupted-merge');
  const merge = spawnCli(['merge', base, '--out', out, '--html']);
  for (let i = 0; i < 600 && !existsSync(join(out, LOCK_FILE)); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(existsSync(join(out, LOCK_FILE)), 'merge holds the lock');
  merge.child.kill('SIGINT');
  const r = await merge.done;
  assert.equal(r.code, 130, r.stderr);
  assert.equal(existsSync(join(out, LOCK_FILE)), false, 'the lock was released');
});
