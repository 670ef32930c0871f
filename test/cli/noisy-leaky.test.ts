/**
 * A stochastic user activation in one short module (examples/noisy-leaky.mjs, made with the exported
 * `noisyElementwise`): a tiny grid with it and ReLU trains twice to the same numbers, bit for bit (its noise comes
 * from the run's seeded counter-based stream), and is compared with ReLU; a module path given in an override is
 * relative to the current folder, one in the config file to the file's folder. The example imports 'nrelu-bench',
 * the built dist/.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { readRowsSync } from '../../src/results/files.js';
import { UserError } from '../../src/errors.js';
import { loadConfig } from '../../src/config/index.js';

const EXAMPLE = resolve('examples/noisy-leaky.mjs');
const dir = mkdtempSync(join(tmpdir(), 'nrelu-noisy-leaky-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function yaml(activations: string): string {
  return `name: noisy
dataset: mnist-10k
models: [{model: mlp, hidden: [16]}]
backend: cpu
activations: ${activations}
seeds: [1, 2]
train: {epochs: 1, batch_size: 50, train_samples: 500, test_samples: 500}
dead_neurons: {samples: 100, gradient_samples: 50}
`;
}

test('a module path in an override is relative to the current folder; in the config file, to its folder', async () => {
  assert.ok(existsSync('dist/index.js'), 'dist/ is built (npm install or npm run build): the example imports it');
  const config = join(dir, 'override.yaml');
  writeFileSync(config, yaml('[relu]'));
  const override = 'activations=[relu,{module: examples/noisy-leaky.mjs}]';
  assert.equal(resolve('.'), process.cwd());
  const { config: resolved } = await loadConfig(config, [override]);
  assert.equal((resolved.activations[1] as { module: string }).module, EXAMPLE);

  // In the file, a path is relative to the file's folder: lib/ is there (a link to examples/), not here.
  symlinkSync(resolve('examples'), join(dir, 'lib'));
  assert.ok(!existsSync('lib/swish.mjs'));
  writeFileSync(config, yaml('[relu, {module: lib/swish.mjs}]'));
  const { config: inFile } = await loadConfig(config);
  assert.equal((inFile.activations[1] as { module: string }).module, join(dir, 'lib', 'swish.mjs'));

  // A missing one names the path it tried and says how paths resolve.
  await assert.rejects(loadConfig(config, ['activations=[{module: ./nope.mjs}]']), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.match(err.message, new RegExp(`activation module ${resolve('nope.mjs')}: file not found`));
    assert.match(err.hint ?? '', /in an override, to the current folder/);
    return true;
  });
});

test('the noisy-leaky module trains twice to identical results and is compared with ReLU', async () => {
  const config = join(dir, 'noisy.yaml');
  writeFileSync(config, yaml(`[relu, {module: ${EXAMPLE}, sigma: 0.1}]`));
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  for (const out of [a, b]) {
    const r = await runCli(['run', config, '--out', out, '--jobs', '1']);
    assert.equal(r.code, 0, r.stderr);
  }
  const summary = readRowsSync(join(a, 'summary.csv'));
  assert.deepEqual(
    summary.map((r) => [r.run_id, r.status]),
    [
      ['mlp-relu-seed1', 'completed'],
      ['mlp-relu-seed2', 'completed'],
      ['mlp-noisy_leaky-sigma0.1-seed1', 'completed'],
      ['mlp-noisy_leaky-sigma0.1-seed2', 'completed'],
    ],
  );
  const same = await runCli(['check', b, '--reference', a, '--tolerance', '0']);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /OK: 4 runs and 4 epochs/);
  const noisy = (out: string): string[] =>
    readRowsSync(join(out, 'epochs.csv'))
      .filter((r) => r.activation === 'noisy_leaky')
      .map((r) => `${r.run_id} ${r.train_loss} ${r.test_acc}`);
  assert.deepEqual(noisy(b), noisy(a));
  assert.match(readFileSync(join(a, 'comparison.md'), 'utf8'), /noisy_leaky/);
});
