/**
 * Sweeps over config keys (Hydra's `key=a,b` and a YAML `sweep:` block): which overrides are sweeps, how the cells
 * are tagged and validated, and what enters run ids and hashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { expandGrid, pairingHash } from '../../src/config/grid.js';
import { loadConfig } from '../../src/config/load.js';
import { splitSweepOverrides, sweepCells } from '../../src/config/sweep.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-sweep-'));
function configFile(extra = ''): string {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    path,
    `name: s
dataset: mnist-10k
models: [mlp]
activations: [relu, {name: nrelu, sigma: 0.1}]
seeds: [1, 2]
train: {epochs: 1}
${extra}`,
  );
  return path;
}

test('a comma outside brackets, braces and quotes makes a sweep; lists, maps and quoted commas stay plain', () => {
  const { plain, axes } = splitSweepOverrides([
    'train.learning_rate=0.001,0.003',
    'seeds=[1,2]',
    'activations=[relu,{name: nrelu, sigma: 0.1}]',
    "name='a,b'",
    'models.0.hidden=[256,256],[256,256,256]',
    '~data_dir',
  ]);
  assert.deepEqual(plain, ['seeds=[1,2]', 'activations=[relu,{name: nrelu, sigma: 0.1}]', "name='a,b'", '~data_dir']);
  assert.deepEqual(axes, [
    { key: 'train.learning_rate', values: [0.001, 0.003] },
    {
      key: 'models.0.hidden',
      values: [
        [256, 256],
        [256, 256, 256],
      ],
    },
  ]);
});

test('keys that are grid axes or that a folder holds once cannot be swept, each with its reason', () => {
  const refused: [string, RegExp][] = [
    ['seeds=1,2', /seeds cannot be swept: seeds are already a grid axis: list them, seeds=\[1,2,3\]/],
    ['dataset=mnist,fashion-mnist', /dataset cannot be swept: a result folder holds one dataset/],
    ['backend=cpu,wasm', /backend cannot be swept/],
    ['activations=relu,gelu', /activations cannot be swept: activations are already a grid axis/],
    ['models.0.name=a,b', /models.0.name cannot be swept/],
    ['train.epochs=1,,2', /an empty value between commas/],
  ];
  for (const [text, message] of refused) {
    assert.throws(
      () => splitSweepOverrides([text]),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
      text,
    );
  }
});

test('cells are the product of the axes, the last varying fastest, each with a short tag', () => {
  const cells = sweepCells({
    axes: [
      { key: 'train.learning_rate', values: [0.001, 1e-4] },
      { key: 'train.optimizer', values: ['adam', 'sgd'] },
    ],
    listed: null,
  });
  assert.deepEqual(
    cells.map((c) => c.tag),
    ['lr0.001-adam', 'lr0.001-sgd', 'lr0.0001-adam', 'lr0.0001-sgd'],
  );
  const axes = (key: string, values: unknown[]) => ({ axes: [{ key, values }], listed: null });
  assert.deepEqual(sweepCells(axes('models.0.hidden', [[256, 128]]))[0].tag, 'h256x128');
  assert.match(sweepCells(axes('train', [{ epochs: 1 }]))[0].tag, /^trainv[0-9a-f]{6}$/);
  assert.throws(() => sweepCells(axes('init', ['torch', 'TORCH'])), /two cells the same tag "torch"/);
});

test('a swept config expands cell by cell; the tag joins the model in ids, not in the hash', async () => {
  const { config } = await loadConfig(configFile(), ['train.learning_rate=0.001,0.01']);
  const runs = expandGrid(config);
  assert.deepEqual(
    runs.map((r) => r.id),
    [
      'mlp-lr0.001-relu-seed1',
      'mlp-lr0.001-relu-seed2',
      'mlp-lr0.001-nrelu-s0.1-seed1',
      'mlp-lr0.001-nrelu-s0.1-seed2',
      'mlp-lr0.01-relu-seed1',
      'mlp-lr0.01-relu-seed2',
      'mlp-lr0.01-nrelu-s0.1-seed1',
      'mlp-lr0.01-nrelu-s0.1-seed2',
    ],
  );
  assert.deepEqual(
    runs.map((r) => r.train.learningRate),
    [0.001, 0.001, 0.001, 0.001, 0.01, 0.01, 0.01, 0.01],
  );
  // The same settings unswept: same hash (the tag is a label), so runs can be found across folders.
  const plain = expandGrid((await loadConfig(configFile(), ['train.learning_rate=0.01'])).config);
  assert.equal(runs[4].hash, plain[0].hash);
  assert.notEqual(runs[0].hash, runs[4].hash);
  // Pairing: one hash per cell, shared by every activation in it.
  assert.equal(pairingHash(runs[0]), pairingHash(runs[2]));
  assert.notEqual(pairingHash(runs[0]), pairingHash(runs[4]));
});

test('a YAML sweep block; the command line replaces a swept key, a plain override removes it', async () => {
  const file = configFile('sweep:\n  train.learning_rate: [0.001, 0.01]\n  train.batch_size: [32, 64]\n');
  const yaml = (await loadConfig(file)).config;
  assert.deepEqual(
    yaml.sweep?.cells.map((c) => c.tag),
    ['lr0.001-bs32', 'lr0.001-bs64', 'lr0.01-bs32', 'lr0.01-bs64'],
  );
  assert.equal(expandGrid(yaml).length, 4 * 2 * 2);
  const replaced = (await loadConfig(file, ['train.learning_rate=0.1,0.2,0.3'])).config;
  assert.deepEqual(
    replaced.sweep?.axes.map((a) => [a.key, a.values]),
    [
      ['train.learning_rate', [0.1, 0.2, 0.3]],
      ['train.batch_size', [32, 64]],
    ],
  );
  const removed = (await loadConfig(file, ['train.learning_rate=0.5'])).config;
  assert.deepEqual(
    removed.sweep?.cells.map((c) => c.tag),
    ['bs32', 'bs64'],
  );
  assert.equal(removed.train.learningRate, 0.5);
});

test('a sweep list names its cells one by one: tags, their own activations, and a command-line sweep multiplies them', async () => {
  const file = configFile(
    'sweep:\n' +
      '  - {tag: dying, train.learning_rate: 0.01}\n' +
      '  - {tag: dying_lowlr, train.learning_rate: 0.0033, activations: [relu]}\n' +
      '  - {train.learning_rate: 0.03}\n',
  );
  const { config } = await loadConfig(file);
  assert.deepEqual(
    expandGrid(config).map((r) => `${r.id} ${r.train.learningRate}`),
    [
      'mlp-dying-relu-seed1 0.01',
      'mlp-dying-relu-seed2 0.01',
      'mlp-dying-nrelu-s0.1-seed1 0.01',
      'mlp-dying-nrelu-s0.1-seed2 0.01',
      'mlp-dying_lowlr-relu-seed1 0.0033',
      'mlp-dying_lowlr-relu-seed2 0.0033',
      'mlp-lr0.03-relu-seed1 0.03',
      'mlp-lr0.03-relu-seed2 0.03',
      'mlp-lr0.03-nrelu-s0.1-seed1 0.03',
      'mlp-lr0.03-nrelu-s0.1-seed2 0.03',
    ],
  );
  const times = (await loadConfig(file, ['train.epochs=1,2'])).config;
  assert.deepEqual(
    times.sweep?.cells.map((c) => c.tag),
    ['dying-ep1', 'dying-ep2', 'dying_lowlr-ep1', 'dying_lowlr-ep2', 'lr0.03-ep1', 'lr0.03-ep2'],
  );
  await assert.rejects(loadConfig(file, ['train.learning_rate=0.5']), /set by the config's sweep cells/);
  await assert.rejects(
    loadConfig(configFile('sweep:\n  - {tag: Bad-Tag, train.epochs: 1}\n')),
    /sweep\[0\]\.tag: must be/,
  );
  await assert.rejects(loadConfig(configFile('sweep:\n  - {seeds: [1]}\n')), /seeds cannot be swept/);
});

test('each cell is validated like a written config, and a bad value names its cell', async () => {
  await assert.rejects(
    loadConfig(configFile(), ['train.learning_rate=0.01,-1']),
    (err: unknown) =>
      err instanceof ConfigError && /sweep cell lrm1/.test(err.message) && /learning_rate/.test(err.message),
  );
  await assert.rejects(
    loadConfig(configFile('sweep: 3\n')),
    /sweep: must be a map of config keys to lists of values, or a list of cells/,
  );
  await assert.rejects(
    loadConfig(configFile('sweep: {train.epochs: []}\n')),
    /sweep.train.epochs: must be a non-empty/,
  );
});

test('an unswept config has no sweep and its run ids and hashes are those of before', async () => {
  const { config } = await loadConfig(configFile());
  assert.equal(config.sweep, undefined);
  const runs = expandGrid(config);
  assert.equal(runs[0].id, 'mlp-relu-seed1');
  assert.equal(runs[0].cell, undefined);
});
