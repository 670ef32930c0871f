/**
 * A result folder is data at every depth, when read (issue 37, B3, B4, m4, m5): `eval` opens regular files only,
 * of the size their model's manifest gives, never follows a link out of the folder, trusts no run id that is not
 * one the harness writes, and fails (named, exit 1) any model whose deterministic score is not the recorded one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, type CliResult } from '../helpers/cli.js';
import { copyFolder, trainInto, writeTiny } from '../helpers/tiny-folder.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-reads-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const base = join(dir, 'base');
const model = (folder: string, id = 'mlp-relu-seed1'): string => join(folder, 'models', id);

before(async () => {
  await trainInto(writeTiny(dir), base, '--save-models');
});

/** `eval` on a folder, killed after `seconds` (an eval that hangs fails the test instead of hanging it). */
async function evalWithin(folder: string, seconds: number, ...args: string[]): Promise<CliResult> {
  const { child, done } = spawnCli(['eval', folder, '--backend', 'cpu', ...args]);
  const timer = setTimeout(() => child.kill('SIGKILL'), seconds * 1000);
  const r = await done;
  clearTimeout(timer);
  assert.equal(r.signal, null, `eval ended within ${seconds} s`);
  return r;
}

test('eval of a weights.bin linked to /dev/zero, or a FIFO, fails that model at once, named (B3)', async () => {
  const e = copyFolder(base, join(dir, 'zero'));
  rmSync(join(model(e), 'weights.bin'));
  symlinkSync('/dev/zero', join(model(e), 'weights.bin'));
  const zero = await evalWithin(e, 60);
  assert.equal(zero.code, 1, zero.stderr);
  assert.match(zero.stderr, /mlp-relu-seed1: its model could not be loaded: .*weights\.bin is a symbolic link/);
  const f = copyFolder(base, join(dir, 'fifo'));
  rmSync(join(model(f, 'mlp-nrelu-s0.1-seed1'), 'model.json'));
  execFileSync('mkfifo', [join(model(f, 'mlp-nrelu-s0.1-seed1'), 'model.json')]);
  const fifo = await evalWithin(f, 60);
  assert.equal(fifo.code, 1, fifo.stderr);
  assert.match(fifo.stderr, /mlp-nrelu-s0\.1-seed1: .*model\.json is not a regular file/);
});

test('a run id that is not one the harness writes is refused; no model outside the folder is read (B4)', async () => {
  const e = join(dir, 'deep', 'a', 'e');
  mkdirSync(join(dir, 'deep', 'a'), { recursive: true });
  const rename = (t: string): string => t.replaceAll('mlp-relu-seed1', '../../victim');
  copyFolder(base, e, { 'summary.csv': rename, 'epochs.csv': rename, 'manifest.json': rename });
  cpSync(model(base), join(e, 'models', '../../victim'), { recursive: true });
  const r = await evalWithin(e, 60, '--only', '../../victim');
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /\.\.\/\.\.\/victim.*not a run id/);
  assert.equal(existsSync(join(e, 'eval.csv')), false, 'nothing evaluated');
  const all = await evalWithin(e, 60);
  assert.notEqual(all.code, 0, all.stderr);
  assert.match(all.stderr, /run id|not a run id nrelu-bench writes/);
  assert.equal(existsSync(join(e, 'eval.csv')), false, 'nothing evaluated');
});

test('a model folder linked elsewhere is not followed, and a linked eval.csv is not printed (B4)', async () => {
  const e = copyFolder(base, join(dir, 'linked'));
  const elsewhere = join(dir, 'elsewhere-model');
  cpSync(model(base), elsewhere, { recursive: true });
  rmSync(model(e), { recursive: true });
  symlinkSync(elsewhere, model(e));
  const r = await evalWithin(e, 60);
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /models\/mlp-relu-seed1 is a symbolic link/);
  const g = copyFolder(base, join(dir, 'linked-eval'));
  const secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'TOP-SECRET-LINE\nmore\n');
  symlinkSync(secret, join(g, 'eval.csv'));
  const s = await evalWithin(g, 60);
  assert.notEqual(s.code, 0, s.stderr);
  assert.doesNotMatch(s.stderr + s.stdout, /TOP-SECRET-LINE/);
  assert.match(s.stderr, /eval\.csv is a symbolic link/);
});

test('eval --mode deterministic fails a model that does not score as recorded, or has trailing bytes (m4)', async () => {
  const e = copyFolder(base, join(dir, 'swapped'));
  // The output layer's bias (the last 10 floats) set to favour class 0: a model the run never had.
  const weights = join(model(e, 'mlp-nrelu-s0.1-seed1'), 'weights.bin');
  const bytes = readFileSync(weights);
  for (let c = 0; c < 10; c++) bytes.writeFloatLE(c === 0 ? 1000 : 0, bytes.length - 40 + 4 * c);
  writeFileSync(weights, bytes);
  appendFileSync(join(model(e), 'weights.bin'), Buffer.alloc(8));
  const r = await evalWithin(e, 120);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /mlp-relu-seed1: .*weights\.bin has \d+ bytes where its model's manifest says \d+/);
  assert.match(r.stderr, /mlp-nrelu-s0\.1-seed1: its deterministic accuracy [\d.]+ differs from the recorded [\d.]+/);
  assert.equal(existsSync(join(e, 'eval.csv')), true);
  assert.equal(readFileSync(join(e, 'eval.csv'), 'utf8').trim().split('\n').length, 1, 'no row for either model');
});

test('eval names a completed run whose model folder is missing, and exits 1 (m5)', async () => {
  const e = copyFolder(base, join(dir, 'missing'));
  rmSync(model(e, 'mlp-nrelu-s0.1-seed1'), { recursive: true });
  const r = await evalWithin(e, 120);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /mlp-nrelu-s0\.1-seed1: no saved model \(.*models\/mlp-nrelu-s0\.1-seed1 is missing\)/);
  assert.match(r.stdout, /eval: 1 run\(s\) in deterministic mode/);
});
