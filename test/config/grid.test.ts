import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/exit-codes.js';
import { canonicalJson, expandGrid, runHash, validateConfig, type ResolvedConfig } from '../../src/config/index.js';

function config(overrides: Record<string, unknown> = {}): ResolvedConfig {
  return validateConfig({
    name: 'g',
    dataset: 'mnist-10k',
    models: ['mlp', 'cnn'],
    activations: ['relu', { name: 'nrelu', sigma: [0.05, 0.1] }],
    seeds: [1, 2],
    ...overrides,
  });
}

test('grid is models x activations (each sigma its own entry) x seeds, in that order', () => {
  const runs = expandGrid(config());
  assert.equal(runs.length, 2 * 3 * 2);
  assert.deepEqual(
    runs.map((r) => r.id),
    [
      'mlp-relu-seed1',
      'mlp-relu-seed2',
      'mlp-nrelu-s0.05-seed1',
      'mlp-nrelu-s0.05-seed2',
      'mlp-nrelu-s0.1-seed1',
      'mlp-nrelu-s0.1-seed2',
      'cnn-relu-seed1',
      'cnn-relu-seed2',
      'cnn-nrelu-s0.05-seed1',
      'cnn-nrelu-s0.05-seed2',
      'cnn-nrelu-s0.1-seed1',
      'cnn-nrelu-s0.1-seed2',
    ],
  );
  assert.deepEqual(
    expandGrid(config()).map((r) => r.hash),
    runs.map((r) => r.hash),
    'expansion is deterministic',
  );
});

test('a run carries everything the trainer needs', () => {
  const c = config({
    models: [{ model: 'cnn', filters: [8], kernel_size: 5 }],
    seeds: [2],
    standardize: true,
    train: { epochs: 3, train_samples: 100 },
  });
  const run = expandGrid(c).find((r) => r.id === 'cnn-nrelu-s0.1-seed2');
  assert.ok(run);
  const { hash, ...rest } = run;
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(rest, {
    id: 'cnn-nrelu-s0.1-seed2',
    setting: 'nrelu-s0.1',
    model: 'cnn',
    modelOptions: { filters: [8], kernelSize: 5 },
    activation: { name: 'nrelu', params: {} },
    varied: { param: 'sigma', schedule: 'constant', start: 0.1, end: 0.1 },
    seed: 2,
    dataset: 'mnist-10k',
    standardize: true,
    init: 'torch',
    train: { epochs: 3, batchSize: 128, optimizer: 'adam', learningRate: 0.001, trainSamples: 100 },
    deadNeurons: { probe: 'train', samples: 10000, threshold: 0, every: 1, dormantTau: 0.1, gradientSamples: 1000 },
    eval: { robustness: { gaussian: [] } },
  });
  assert.equal(expandGrid(c).find((r) => r.id === 'cnn-relu-seed2')?.varied, null);
});

test('schedules are their own entries with ids like mlp-nrelu-s0.2to0-linear-seed1', () => {
  const runs = expandGrid(
    config({
      models: ['mlp'],
      seeds: [1],
      activations: [
        { name: 'nrelu', sigma: 0.2 },
        { name: 'nrelu', sigma: { start: 0.2, end: 0, schedule: 'linear' } },
        { name: 'nrelu', sigma: { start: 0.2, end: 0.05, schedule: 'cosine' } },
        { name: 'nrelu', sigma: { value: 0.3 } },
      ],
    }),
  );
  assert.deepEqual(
    runs.map((r) => r.id),
    [
      'mlp-nrelu-s0.2-seed1',
      'mlp-nrelu-s0.2to0-linear-seed1',
      'mlp-nrelu-s0.2to0.05-cosine-seed1',
      'mlp-nrelu-s0.3-seed1',
    ],
  );
  assert.deepEqual(runs[1].varied, { param: 'sigma', schedule: 'linear', start: 0.2, end: 0 });
  assert.deepEqual(runs[3].varied, { param: 'sigma', schedule: 'constant', start: 0.3, end: 0.3 });
});

test('ids include non-default params compactly; defaults written out do not change the id', () => {
  const runs = expandGrid(
    config({
      models: ['mlp'],
      seeds: [1],
      activations: [
        { name: 'leaky_relu', alpha: 0.1 },
        { name: 'rrelu', lower: 0.1, upper: 0.2 },
        { name: 'gelu', approximate: 'tanh' },
        { name: 'prelu', shared: false },
        { name: 'relu' },
        { name: 'nrelu', sigma: 1e-7 },
      ],
    }),
  );
  assert.deepEqual(
    runs.map((r) => r.id),
    [
      'mlp-leaky_relu-alpha0.1-seed1',
      'mlp-rrelu-lower0.1-upper0.2-seed1',
      'mlp-gelu-approximate_tanh-seed1',
      'mlp-prelu-shared_false-seed1',
      'mlp-relu-seed1',
      'mlp-nrelu-s1em7-seed1',
    ],
  );
  for (const id of runs.map((r) => r.id)) assert.match(id, /^[A-Za-z0-9._-]+$/, 'ids are safe file names');
  const explicit = expandGrid(
    config({ models: ['mlp'], seeds: [1], activations: [{ name: 'leaky_relu', alpha: 0.01 }] }),
  );
  assert.equal(explicit[0].id, 'mlp-leaky_relu-seed1');
  const implicit = expandGrid(config({ models: ['mlp'], seeds: [1], activations: ['leaky_relu'] }));
  assert.equal(explicit[0].hash, implicit[0].hash, 'the registry fills defaults, so the settings are the same');
});

test('canonicalJson sorts keys at every level and drops undefined members', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: 'x' }, u: undefined }),
    '{"a":{"c":"x","d":[2,{"y":null,"z":1}]},"b":1}',
  );
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  assert.throws(() => canonicalJson({ a: NaN }), TypeError);
});

test('hash is stable across key order and ignores id and hash', () => {
  const [run] = expandGrid(config({ models: ['mlp'], seeds: [1], activations: ['relu'] }));
  const reordered = Object.fromEntries(Object.entries(run).reverse()) as typeof run;
  assert.equal(runHash(reordered), run.hash);
  assert.equal(runHash({ ...run, id: 'renamed', hash: 'whatever' }), run.hash);
  // Same settings written in a different key order in the config give the same hash.
  const a = expandGrid(config({ train: { epochs: 2, batch_size: 64 }, models: ['mlp'] }));
  const b = expandGrid(
    validateConfig({
      train: { batch_size: 64, epochs: 2 },
      seeds: [1, 2],
      models: ['mlp'],
      activations: [{ sigma: [0.05, 0.1], name: 'nrelu' }, 'relu'].reverse(),
      dataset: 'mnist-10k',
      name: 'other',
    }),
  );
  assert.deepEqual(
    a.map((r) => [r.id, r.hash]),
    b.map((r) => [r.id, r.hash]),
  );
});

test('hash changes when any setting of the run changes', () => {
  const hashOf = (o: Record<string, unknown>) =>
    expandGrid(config({ models: ['mlp'], seeds: [1], activations: ['relu'], ...o }))[0].hash;
  const reference = hashOf({});
  const changed = [
    { train: { epochs: 9 } },
    { train: { learning_rate: 0.01 } },
    { train: { test_samples: 10 } },
    { dead_neurons: { threshold: 0.1 } },
    { dataset: 'mnist' },
    { init: 'glorot' },
    { standardize: true },
    { models: [{ model: 'mlp', hidden: [64] }] },
    { seeds: [2] },
    { activations: [{ name: 'leaky_relu' }] },
  ].map(hashOf);
  for (const h of changed) assert.notEqual(h, reference);
  assert.equal(new Set(changed).size, changed.length);
  // Settings that do not change a run's numbers do not change its hash.
  assert.equal(hashOf({ name: 'renamed', output: 'elsewhere', backend: 'cpu', data_dir: '/tmp' }), reference);
});

test('duplicate run ids are a UserError', () => {
  const c = config({ models: ['mlp'], seeds: [1] });
  const dup: ResolvedConfig = { ...c, activations: ['relu', { name: 'relu' }], seeds: [1, 1] };
  assert.throws(
    () => expandGrid(dup),
    (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.equal(exitCodeOf(err), 2);
      assert.equal(err.message, 'the grid has duplicate run ids: mlp-relu-seed1');
      return true;
    },
  );
  const bad: ResolvedConfig = { ...c, activations: ['relu', { name: 'nrelu', sigma: -1 }] };
  assert.throws(() => expandGrid(bad), /activations\[1\]\.sigma: must be >= 0/);
});
