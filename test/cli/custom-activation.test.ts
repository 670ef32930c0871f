/**
 * A user's own activation from a file (examples/swish.mjs) through the whole harness: a config that
 * names it by a path relative to the config, `run --jobs 2` (worker processes load the module), the
 * manifest's record of it, `report`, `check` against a --jobs 1 folder, shards and `merge`, and one-line errors.
 * The example imports `tf` from 'nrelu-bench', which resolves to the built dist/ (npm install builds it).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { readRowsSync } from '../../src/results/files.js';
import { UserError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/exit-codes.js';
import { expandGrid, loadConfig } from '../../src/config/index.js';

const EXAMPLE = resolve('examples/swish.mjs');
const dir = mkdtempSync(join(tmpdir(), 'nrelu-custom-'));
const config = join(dir, 'swish.yaml');
const [jobs2, jobs1] = [join(dir, 'jobs2'), join(dir, 'jobs1')];
const GRID = ['mlp-relu-seed1', 'mlp-swish-beta1-seed1', 'mlp-swish-beta2-seed1'];

function yaml(activations: string, name = 'swish'): string {
  return `name: ${name}
dataset: mnist-10k
models: [{model: mlp, hidden: [16]}]
backend: cpu
activations: ${activations}
seeds: [1]
train: {epochs: 1, batch_size: 64, train_samples: 256, test_samples: 128}
dead_neurons: {samples: 128, gradient_samples: 64}
`;
}

after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  assert.ok(
    existsSync('dist/index.js'),
    'dist/ is built (npm install or npm run build): the example imports nrelu-bench',
  );
  writeFileSync(config, yaml(`[relu, {module: ${relative(dir, EXAMPLE)}, beta: [1, 2]}]`));
  const [a, b] = await Promise.all([
    runCli(['run', config, '--out', jobs2, '--jobs', '2', '--no-report']),
    runCli(['run', config, '--out', jobs1, '--jobs', '1', '--no-report']),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
});

test("run --jobs 2 trains the module's activation, sweeping its parameter, and records the file in manifest.json", () => {
  // The varied parameter's value sits in the `sigma` column (N-ReLU's name, kept), its name in `param`.
  assert.deepEqual(
    readRowsSync(join(jobs2, 'summary.csv')).map((r) => [r.run_id, r.activation, r.param, r.sigma, r.status]),
    [
      ['mlp-relu-seed1', 'relu', '', '', 'completed'],
      ['mlp-swish-beta1-seed1', 'swish', 'beta', '1', 'completed'],
      ['mlp-swish-beta2-seed1', 'swish', 'beta', '2', 'completed'],
    ],
  );
  assert.deepEqual(
    readRowsSync(join(jobs2, 'epochs.csv')).map((r) => [r.run_id, r.param, r.sigma]),
    [
      ['mlp-relu-seed1', '', ''],
      ['mlp-swish-beta1-seed1', 'beta', '1'],
      ['mlp-swish-beta2-seed1', 'beta', '2'],
    ],
  );
  const manifest = JSON.parse(readFileSync(join(jobs2, 'manifest.json'), 'utf8')) as {
    jobs: number;
    activationModules: { name: string; path: string; sha256: string }[];
    config: { activations: unknown[] };
  };
  assert.equal(manifest.jobs, 2);
  assert.equal(manifest.activationModules.length, 1);
  assert.equal(manifest.activationModules[0].name, 'swish');
  assert.equal(
    manifest.activationModules[0].path,
    EXAMPLE,
    "the path is absolute, resolved against the config's folder",
  );
  assert.match(manifest.activationModules[0].sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(manifest.config.activations[1], { module: EXAMPLE, beta: [1, 2] });
});

test('report and check work on the folder (check: the --jobs 1 folder matches the --jobs 2 one)', async () => {
  const report = await runCli(['report', jobs2]);
  assert.equal(report.code, 0, report.stderr);
  const md = readFileSync(join(jobs2, 'comparison.md'), 'utf8');
  // Labelled like N-ReLU's rows: the activation, with the swept value, named, in the sigma column.
  assert.match(md, /\| swish \| beta=1 \|/);
  assert.match(md, /\| swish \| beta=2 \|/);
  assert.deepEqual(
    readRowsSync(join(jobs2, 'comparison.csv')).map((r) => [r.setting, r.param, r.sigma]),
    [
      ['relu', '', ''],
      ['swish-beta1', 'beta', '1'],
      ['swish-beta2', 'beta', '2'],
    ],
  );
  const check = await runCli(['check', jobs1, '--reference', jobs2]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /^OK: 3 runs and 3 epochs/m);
  assert.deepEqual(
    readRowsSync(join(jobs1, 'summary.csv')).map((r) => r.run_id),
    GRID,
  );
});

test('Slurm-style shards load the module too, and merge into the same folder', async () => {
  const shards = [0, 1].map((i) => join(dir, `shard-${i}`));
  const runs = await Promise.all(
    shards.map((out, i) => runCli(['run', config, '--shard', `${i}/2`, '--out', out, '--jobs', '1', '--no-report'])),
  );
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const merged = join(dir, 'merged');
  const merge = await runCli(['merge', ...shards, '--out', merged]);
  assert.equal(merge.code, 0, merge.stderr);
  const manifest = JSON.parse(readFileSync(join(merged, 'manifest.json'), 'utf8')) as {
    activationModules: { path: string }[];
  };
  assert.deepEqual(
    manifest.activationModules.map((m) => m.path),
    [EXAMPLE],
  );
  const check = await runCli(['check', merged, '--reference', jobs2]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
});

test('check --rerun of a reference with a module needs --config, and a module with its recorded SHA-256', async () => {
  const refused = await runCli(['check', join(dir, 'rerun-no-config'), '--reference', jobs2, '--rerun', '--jobs', '1']);
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(
    refused.stderr,
    /uses the activation "swish" from a module file \(.*swish\.mjs\); its code is not run from a results folder/,
  );
  const rerun = await runCli([
    'check',
    join(dir, 'rerun'),
    '--reference',
    jobs2,
    '--rerun',
    '--config',
    config,
    '--jobs',
    '1',
  ]);
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.match(rerun.stdout, /^OK: 3 runs/m);
  const stale = join(dir, 'stale-ref');
  cpSync(jobs2, stale, { recursive: true });
  const manifestPath = join(stale, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { activationModules: { sha256: string }[] };
  manifest.activationModules[0].sha256 = '1'.repeat(64);
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const mismatch = await runCli([
    'check',
    join(dir, 'rerun-stale'),
    '--reference',
    stale,
    '--rerun',
    '--config',
    config,
    '--jobs',
    '1',
  ]);
  assert.equal(mismatch.code, 2, mismatch.stdout + mismatch.stderr);
  assert.match(
    mismatch.stderr,
    /swish\.mjs \(sha256 [0-9a-f]{12}\) is not the module reference .* recorded \(sha256 111111111111\)/,
  );
});

test('a missing module is one line and exit code 2', async () => {
  const bad = join(dir, 'missing.yaml');
  writeFileSync(bad, yaml('[relu, {module: ./nope.mjs}]', 'missing'));
  const r = await runCli(['list', bad]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /activation module .*nope\.mjs: file not found/);
  assert.equal(
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('error')).length,
    1,
    r.stderr,
  );
});

test('a module without a descriptor, and a bad parameter, are one-line config errors', async () => {
  writeFileSync(join(dir, 'empty.mjs'), 'export const x = 1;\n');
  writeFileSync(join(dir, 'empty.yaml'), yaml('[{module: ./empty.mjs}]', 'empty'));
  await assert.rejects(
    loadConfig(join(dir, 'empty.yaml')),
    (err: unknown) =>
      err instanceof UserError &&
      exitCodeOf(err) === 2 &&
      /empty\.mjs: exports no descriptor/.test(err.message) &&
      !err.message.includes('\n'),
  );
  writeFileSync(join(dir, 'bad.yaml'), yaml(`[{module: ${EXAMPLE}, beta: -1}]`, 'bad'));
  await assert.rejects(
    loadConfig(join(dir, 'bad.yaml')),
    (err: unknown) =>
      err instanceof UserError && exitCodeOf(err) === 2 && /activations\[0\]\.beta: must be >= 0/.test(err.message),
  );
  writeFileSync(join(dir, 'typo.yaml'), yaml(`[{module: ${EXAMPLE}, betta: 2}]`, 'typo'));
  await assert.rejects(
    loadConfig(join(dir, 'typo.yaml')),
    /activation "swish": unknown parameter "betta"; valid parameters: beta/,
  );
});

test("the config hash follows the module's content: an edited file changes its runs' hashes, no other run's", async () => {
  const module = join(dir, 'plain.mjs');
  const descriptor =
    'export default { name: "plain_test", summary: "x", params: {}, stochastic: false, create() { throw new Error("unused"); } };\n';
  writeFileSync(module, descriptor);
  writeFileSync(join(dir, 'plain.yaml'), yaml('[relu, {module: ./plain.mjs}]', 'plain'));
  const hashes = async () =>
    new Map(expandGrid((await loadConfig(join(dir, 'plain.yaml'))).config).map((r) => [r.id, r.hash]));
  const before = await hashes();
  writeFileSync(module, `// edited\n${descriptor}`);
  const edited = await hashes();
  assert.equal(edited.get('mlp-relu-seed1'), before.get('mlp-relu-seed1'));
  assert.notEqual(edited.get('mlp-plain_test-seed1'), before.get('mlp-plain_test-seed1'));
});
