/**
 * Rough edges a new user met (issue 22, "Also fix"): each one is now refused or explained in one line
 * instead of mixing results, losing them or failing with a raw system error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli.js';
import { copyFolder, trainInto, writeTiny } from '../helpers/tiny-folder.js';
import { UserError, fileSystemError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/exit-codes.js';
import { findLocal } from '../../src/data/cache.js';
import { MNIST } from '../../src/data/catalog.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-rough-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const base = join(dir, 'base');
let config = '';

before(async () => {
  config = writeTiny(dir);
  await trainInto(config, base, 'activations=[relu]');
});

const editJson =
  (edit: (m: Record<string, unknown>) => void) =>
  (text: string): string => {
    const m = JSON.parse(text) as Record<string, unknown>;
    edit(m);
    return JSON.stringify(m, null, 2);
  };

test('run --backend cpu into a folder trained on wasm is refused and the manifest keeps its backend', async () => {
  const wasm = copyFolder(base, join(dir, 'wasm'), {
    'manifest.json': editJson((m) => {
      (m.backend as { name: string }).name = 'wasm';
    }),
  });
  const r = await runCli([
    'run',
    config,
    '--out',
    wasm,
    'activations=[relu]',
    'seeds=[2]',
    '--backend',
    'cpu',
    '--jobs',
    '1',
    '--no-report',
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /wasm holds 1 run trained on the wasm backend; this run would use cpu/);
  assert.equal(
    (JSON.parse(readFileSync(join(wasm, 'manifest.json'), 'utf8')) as { backend: { name: string } }).backend.name,
    'wasm',
  );
  assert.equal(readFileSync(join(wasm, 'summary.csv'), 'utf8'), readFileSync(join(base, 'summary.csv'), 'utf8'));
});

const headerOnly = (text: string): string => `${text.split('\n')[0]}\n`;

test('report refuses a folder whose manifest has a finished run without its summary.csv row, naming it', async () => {
  const lost = copyFolder(base, join(dir, 'lost-summary'), { 'summary.csv': headerOnly });
  const r = await runCli(['report', lost]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /1 finished run in manifest\.json lacks rows: mlp-relu-seed1 \(no summary\.csv row\)/);
});

test('run retrains a finished run whose dead_neurons.csv rows were lost, and restores them', async () => {
  const lost = copyFolder(base, join(dir, 'lost-dead'), { 'dead_neurons.csv': headerOnly });
  const r = await runCli(['run', config, '--out', lost, 'activations=[relu]', '--jobs', '1', '--no-report']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /mlp-relu-seed1: dead_neurons\.csv rows of epoch 1 missing; it trains again/);
  assert.equal(
    readFileSync(join(lost, 'dead_neurons.csv'), 'utf8'),
    readFileSync(join(base, 'dead_neurons.csv'), 'utf8'),
  );
});

test('a folder where summary.csv belongs is one line naming it, not a raw EISDIR', async () => {
  const folder = copyFolder(base, join(dir, 'eisdir'));
  rmSync(join(folder, 'summary.csv'));
  mkdirSync(join(folder, 'summary.csv'));
  const r = await runCli(['report', folder]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /^error: .*eisdir\/summary\.csv is a folder where a file belongs\nhint: move or rename that folder/,
  );
});

test('a folder where a cached dataset file belongs counts as missing, so the loader falls back to the package copy', async () => {
  const cache = join(dir, 'cache');
  const spec = MNIST.files.trainImages;
  mkdirSync(join(cache, spec.name), { recursive: true });
  assert.deepEqual(await findLocal(cache, spec), { state: 'missing' });
});

test("a dangling symbolic link at a result file's path is refused; nothing is written outside --out", async () => {
  const out = join(dir, 'dangling');
  mkdirSync(out);
  const outside = join(dir, 'outside.csv');
  symlinkSync(outside, join(out, 'epochs.csv'));
  const r = await runCli(['run', config, '--out', out, 'activations=[relu]', '--jobs', '1', '--no-report']);
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /dangling\/epochs\.csv is a symbolic link \(to .*outside\.csv\); results are not (read|written) through links/,
  );
  assert.equal(existsSync(outside), false, 'no file was created outside --out');
});

test('a full disk is one line naming the file and saying that finished runs are safe and run resumes', () => {
  const raw = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    errno: -28,
    syscall: 'write',
  });
  const err = fileSystemError(raw, '/results/x/epochs.csv');
  assert.ok(err instanceof UserError);
  assert.equal(exitCodeOf(err), 1);
  assert.equal(err.message, 'no space left on the disk (ENOSPC) while writing /results/x/epochs.csv');
  assert.match(
    err.hint ?? '',
    /runs recorded completed are safe.*a run whose model could not be saved is recorded failed.*resumes/,
  );
});

test('--out "" is refused instead of writing into the current folder', async () => {
  for (const args of [
    ['run', config, '--out', ''],
    ['merge', base, '--out', ''],
    ['slurm', config, '--shards', '1', '--out', ''],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /^error: --out is empty\n/, args[0]);
  }
});

test('a CSV whose header starts with a UTF-8 byte order mark (as Excel writes) reads like one without', async () => {
  const bom = copyFolder(base, join(dir, 'bom'), { 'summary.csv': (t) => `\uFEFF${t}` });
  const r = await runCli(['report', bom]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(bom, 'comparison.md'), 'utf8'), readFileSync(join(base, 'comparison.md'), 'utf8'));
});

test('a subset of seeds run into a folder keeps the union of the grids in the manifest, so check --rerun reruns every run', async () => {
  const folder = copyFolder(base, join(dir, 'union'));
  await trainInto(config, folder, 'activations=[relu]', 'seeds=[2]');
  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { config: { seeds: number[] } };
  assert.deepEqual(manifest.config.seeds, [1, 2]);
  const r = await runCli([
    'check',
    join(dir, 'union-rerun'),
    '--reference',
    folder,
    '--rerun',
    '--jobs',
    '1',
    '--tolerance',
    '0',
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^OK: 2 runs/m);
});

test('output piped into a reader that stops early ends quietly, with no EPIPE stack trace', () => {
  const bin = new URL('../../bin/nrelu-bench.js', import.meta.url).pathname;
  const config = new URL('../../configs/paper-cnn.yaml', import.meta.url).pathname;
  // 96 run specs as JSON (~100 KB, more than a pipe holds): `head -1` exits and list goes on writing into the closed pipe.
  const command = `node "${bin}" list "${config}" --json | head -1; echo "rc=\${PIPESTATUS[0]}" >&2`;
  const r = spawnSync('bash', ['-c', command], { encoding: 'utf8' });
  assert.equal(r.stdout, '[\n');
  assert.doesNotMatch(r.stderr, /EPIPE|Error/);
  assert.match(r.stderr, /rc=0/);
});
