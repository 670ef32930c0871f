/**
 * The folder lock itself (issue 37, m1, m7, m12, m13): taking over a stale lock is serialized (never two holders),
 * a lock file without a readable holder is not taken over while it may be being written, the holder's command is
 * printed safely, a folder made just for a lock that was refused is removed again, and temporary files of a killed
 * writer are swept when the next writer starts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCK_FILE, lockFolder } from '../../src/results/lock.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-lockfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const CHILD = fileURLToPath(new URL('../helpers/lock-child.ts', import.meta.url));

const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid as number;

function writeHolder(folder: string, holder: object): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, LOCK_FILE), JSON.stringify(holder));
}

/** Runs `n` processes that all try to lock `folder` at one moment; the intervals each held it. */
async function contend(folder: string, n: number): Promise<{ start: number; end: number }[]> {
  const startAt = Date.now() + 4000;
  const outs = await Promise.all(
    Array.from({ length: n }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, folder, String(startAt), '300'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      return new Promise<string>((r) => child.on('close', () => r(out)));
    }),
  );
  return outs
    .map((o) => JSON.parse(o) as { got: boolean; start: number; end: number })
    .filter((o) => o.got)
    .map(({ start, end }) => ({ start, end }));
}

test('of many processes taking over one stale lock at once, one holds it at a time (m1)', async () => {
  for (let round = 0; round < 3; round++) {
    const folder = join(dir, `stale-${round}`);
    writeHolder(folder, { pid: deadPid(), host: hostname(), command: 'old', startedAt: 'x' });
    const held = (await contend(folder, 10)).sort((a, b) => a.start - b.start);
    assert.ok(held.length >= 1, 'someone took the stale lock over');
    for (let i = 1; i < held.length; i++)
      assert.ok(held[i].start >= held[i - 1].end, `round ${round}: holders ${i - 1} and ${i} overlap`);
  }
});

test('a lock file without a readable holder (being written) is not taken over (m1)', () => {
  const folder = join(dir, 'empty');
  mkdirSync(folder);
  writeFileSync(join(folder, LOCK_FILE), '');
  assert.throws(() => lockFolder(folder, 'me', () => {}), /empty is being written by another process/);
});

test("a lock's command with escapes and newlines is printed as one safe line (m12)", () => {
  const folder = join(dir, 'ansi');
  writeHolder(folder, { pid: process.pid, host: hostname(), command: 'run \u001b[31mRED\nfake: line', startedAt: 's' });
  assert.throws(
    () => lockFolder(folder, 'me', () => {}),
    // eslint-disable-next-line no-control-regex
    (err: Error) => !/[\u0000-\u001f]/.test(err.message) && /run \?\[31mRED\?fake: line/.test(err.message),
  );
});

test('a refused --only does not leave the --out folders it would have made (m7)', async () => {
  const out = join(dir, 'a', 'b', 'c');
  const config = join(dir, 'tiny.yaml');
  writeFileSync(config, 'name: t\ndataset: mnist-10k\nmodels: [{model: mlp, hidden: [4]}]\nactivations: [relu]\n');
  const run = await runCli(['run', config, '--only', 'mlp-nonexist-seed1', '--out', out]);
  assert.equal(run.code, 2, run.stderr);
  assert.equal(existsSync(join(dir, 'a')), false, 'no folder left behind');
  const merge = await runCli(['merge', join(dir, 'nothing'), '--only', 'mlp-relu-seed1', '--out', out]);
  assert.equal(merge.code, 2, merge.stderr);
  assert.equal(existsSync(join(dir, 'a')), false, 'no folder left behind by merge');
});

test("the next writer sweeps a killed writer's temporary files; a live one's stay (m13)", () => {
  const folder = join(dir, 'sweep');
  mkdirSync(join(folder, 'models', 'mlp-relu-seed1'), { recursive: true });
  const dead = deadPid();
  const left = ['.manifest.json.tmp-', '.summary.csv.tmp-'].map((p) => `${p}${dead}-1`);
  for (const f of left) writeFileSync(join(folder, f), 'half');
  writeFileSync(join(folder, 'models', 'mlp-relu-seed1', `.weights.bin.tmp-${dead}-3`), 'half');
  writeFileSync(join(folder, `.epochs.csv.tmp-${process.pid}-9`), 'in progress');
  lockFolder(folder, 'me', () => {}).release();
  assert.deepEqual(readdirSync(folder).sort(), [`.epochs.csv.tmp-${process.pid}-9`, 'models']);
  assert.deepEqual(readdirSync(join(folder, 'models', 'mlp-relu-seed1')), []);
});
