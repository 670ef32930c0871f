/**
 * The CNN's pooling options (issue "Test the mechanism", the max-pool hypothesis): `pool: avg` and
 * `activation_after_pool`, with named model variants in one grid. For ReLU with max-pool the order of activation
 * and pool changes nothing bit for bit (max and ReLU commute); for N-ReLU it does.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../src/tf.js';
import { buildModel } from '../../src/models/build.js';
import { loadConfig } from '../../src/config/load.js';
import { expandGrid } from '../../src/config/grid.js';
import { runHash } from '../../src/config/grid.js';
import { readRowsSync, TIMING_COLUMNS } from '../../src/results/files.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-pool-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = 'filters: [4, 8], dense: [16]';
const CONFIG = `name: pool
dataset: mnist-10k
models:
  - {model: cnn, ${SMALL}}
  - {model: cnn, name: cnn-after, ${SMALL}, activation_after_pool: true}
  - {model: cnn, name: cnn-avg, ${SMALL}, pool: avg}
backend: cpu
activations: [relu, {name: nrelu, sigma: 0.1}]
seeds: [1]
train: {epochs: 1, batch_size: 64, train_samples: 256, test_samples: 128}
dead_neurons: {samples: 128, gradient_samples: 64}
`;

test('the layer order and pool kind build as asked', () => {
  const names = (o: object): string[] =>
    buildModel({ model: 'cnn', activation: 'relu', filters: [4], dense: [8], ...o }).layers.map((l) =>
      l.getClassName(),
    );
  assert.deepEqual(names({}).slice(1, 4), ['Conv2D', 'TorchReLU', 'MaxPooling2D']);
  assert.deepEqual(names({ activationAfterPool: true }).slice(1, 4), ['Conv2D', 'MaxPooling2D', 'TorchReLU']);
  assert.deepEqual(names({ pool: 'avg' }).slice(1, 4), ['Conv2D', 'TorchReLU', 'AveragePooling2D']);
  tf.disposeVariables();
});

test('named variants train in one grid; ReLU is bit for bit the same in either order, N-ReLU is not; unnamed hashes unchanged', async () => {
  const file = join(dir, 'pool.yaml');
  writeFileSync(file, CONFIG);
  const { config } = await loadConfig(file, []);
  const specs = expandGrid(config);
  assert.deepEqual(
    specs.map((s) => s.id),
    [
      'cnn-relu-seed1',
      'cnn-nrelu-s0.1-seed1',
      'cnn-after-relu-seed1',
      'cnn-after-nrelu-s0.1-seed1',
      'cnn-avg-relu-seed1',
      'cnn-avg-nrelu-s0.1-seed1',
    ],
  );
  // The unnamed model's settings carry no name: its hash is what it was before names existed.
  const plain = specs[0];
  assert.equal(plain.modelName, undefined);
  assert.equal(plain.hash, runHash({ ...plain, id: undefined, setting: undefined, hash: undefined }));

  const out = join(dir, 'out');
  const r = await runCli(['run', file, '--out', out, '--jobs', '2', '--no-report']);
  assert.equal(r.code, 0, r.stderr);
  const summary = readRowsSync(join(out, 'summary.csv'));
  assert.deepEqual(
    summary.map((x) => `${x.model}/${x.status}`),
    [
      'cnn/completed',
      'cnn/completed',
      'cnn-after/completed',
      'cnn-after/completed',
      'cnn-avg/completed',
      'cnn-avg/completed',
    ],
  );
  const epochs = readRowsSync(join(out, 'epochs.csv'));
  // Dormant and zero-output units are measured on the activation's output, which is pooled in one order and not in
  // the other (and max-pool drops an odd border), so they differ by construction; everything training computes,
  // and the dead and gradient-dead units (measured on the conv's output and its gradient), must not.
  const probedAtTheActivation = new Set(['run_id', 'model', 'dormant', 'dormant_fraction', 'zero_output']);
  const numbers = (id: string): string[][] =>
    epochs
      .filter((e) => e.run_id === id)
      .map((e) =>
        Object.entries(e)
          .filter(([k]) => !TIMING_COLUMNS.has(k) && !probedAtTheActivation.has(k))
          .map(([k, v]) => `${k}=${v}`),
      );
  assert.deepEqual(
    numbers('cnn-after-relu-seed1'),
    numbers('cnn-relu-seed1'),
    'ReLU: activate-then-pool = pool-then-activate, bit for bit',
  );
  assert.notDeepEqual(
    numbers('cnn-after-nrelu-s0.1-seed1'),
    numbers('cnn-nrelu-s0.1-seed1'),
    'N-ReLU: the noise after the pool differs',
  );
  assert.notDeepEqual(numbers('cnn-avg-relu-seed1'), numbers('cnn-relu-seed1'));
  // Each variant is its own table in the comparison, with its own ReLU.
  const cmp = readRowsSync(join(out, 'comparison.csv'));
  assert.deepEqual(
    cmp.filter((c) => c.setting === 'nrelu-s0.1').map((c) => `${c.model}:${c.paired_n}`),
    ['cnn:1', 'cnn-after:1', 'cnn-avg:1'],
  );
});

test('two unnamed variants of one kind, or a bad name, are config errors that say what to do', async () => {
  const file = join(dir, 'dup.yaml');
  writeFileSync(file, CONFIG.replace('name: cnn-after, ', ''));
  await assert.rejects(
    () => loadConfig(file, []),
    /repeats models\[0\] \(cnn\); give each variant of a model its own name/,
  );
  writeFileSync(file, CONFIG.replace('name: cnn-after', 'name: Cnn After'));
  await assert.rejects(() => loadConfig(file, []), /must be lower-case letters/);
  writeFileSync(file, CONFIG.replace('pool: avg', 'pool: min'));
  await assert.rejects(() => loadConfig(file, []), /pool/);
});
