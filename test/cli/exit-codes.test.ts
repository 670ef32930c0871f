/**
 * Library code throws errors by kind (src/errors.ts); the exit code comes from one table
 * (EXIT_FOR_KIND in src/exit-codes.ts), also for an error a worker process reports to its parent.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  DataError,
  EnvironmentError,
  PROBLEM_KINDS,
  ResultsError,
  UsageError,
  UserError,
  type ProblemKind,
} from '../../src/errors.js';
import { EXIT, EXIT_FOR_KIND, exitCodeOf } from '../../src/exit-codes.js';
import { WorkerProcess } from '../../src/runner/worker-process.js';
import { runCli } from '../helpers/cli.js';
import { removeTempDirs, tempDir } from '../data/fixtures.js';

after(removeTempDirs);

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

// The README's "Exit codes": 2 a usage or config error (nothing ran), 1 a runtime error.
const DOCUMENTED: Record<ProblemKind, number> = { usage: 2, config: 2, environment: 1, data: 1, results: 1 };

test('each kind of problem has the documented exit code; anything else thrown is a runtime error', () => {
  assert.deepEqual(Object.keys(EXIT_FOR_KIND).sort(), [...PROBLEM_KINDS].sort());
  const made: [UserError, ProblemKind][] = [
    [new UsageError('u'), 'usage'],
    [new ConfigError('c'), 'config'],
    [new EnvironmentError('e'), 'environment'],
    [new DataError('d'), 'data'],
    [new ResultsError('r'), 'results'],
  ];
  for (const [err, kind] of made) {
    assert.equal(err.kind, kind, err.name);
    assert.equal(exitCodeOf(err), DOCUMENTED[kind], `${err.name} (${kind})`);
  }
  assert.equal(exitCodeOf(new Error('a bug')), EXIT.runtime);
  assert.equal(exitCodeOf('a string'), EXIT.runtime);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test("library code names no exit code: only cli/, exit-codes.ts and the worker process's own exit use them", () => {
  const offenders: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = relative(SRC, file).split('\\').join('/');
    if (rel.startsWith('cli/') || rel === 'exit-codes.ts') continue;
    const text = readFileSync(file, 'utf8');
    if (/\bexitCode\b/.test(text)) offenders.push(`${rel}: exitCode`);
    // The worker process ends itself on SIGTERM with EXIT.terminated; nothing else outside cli/ needs EXIT.
    if (/exit-codes\.js'/.test(text) && rel !== 'runner/worker.ts') offenders.push(`${rel}: imports exit-codes.js`);
  }
  assert.deepEqual(offenders, []);
});

async function initError(dataset: string): Promise<unknown> {
  const worker = new WorkerProcess(() => undefined);
  try {
    await worker.init({ backend: 'cpu', dataset, standardize: false });
    return undefined;
  } catch (err) {
    return err;
  } finally {
    worker.kill();
    await worker.close();
  }
}

test('a library error thrown in a worker process reaches the parent with its kind, so its exit code', async () => {
  const missing = join(tempDir('nrelu-exit-'), 'no-such-folder');
  const data = await initError(`idx:${missing}`);
  assert.ok(data instanceof UserError, String(data));
  assert.equal(data.kind, 'data');
  assert.equal(exitCodeOf(data), EXIT.runtime);
  assert.match(data.message, /^idx:.*no-such-folder: cannot read folder/);

  const config = await initError('no-such-dataset');
  assert.ok(config instanceof UserError, String(config));
  assert.equal(config.kind, 'config');
  assert.equal(exitCodeOf(config), EXIT.usage);
  assert.match(config.message, /^unknown dataset "no-such-dataset"/);
});

test('the CLI exits with the mapped code for an error from its worker process, as one line', async () => {
  const dir = tempDir('nrelu-exit-');
  const config = join(dir, 'missing-data.yaml');
  const out = join(dir, 'out');
  writeFileSync(
    config,
    `name: missing-data
dataset: idx:${join(dir, 'no-such-folder')}
models: [{model: mlp, hidden: [8]}]
backend: cpu
activations: [relu]
seeds: [1]
train: {epochs: 1, batch_size: 32}
`,
  );
  const result = await runCli(['run', config, '--out', out, '--jobs', '1']);
  assert.equal(result.code, EXIT.runtime, result.stderr);
  assert.match(result.stderr, /^error: idx:.*no-such-folder: cannot read folder .*ENOENT\)$/m);
  assert.doesNotMatch(result.stderr, / {4}at /, 'no stack trace without --verbose');
  assert.equal(existsSync(join(out, 'summary.csv')), false);
});
