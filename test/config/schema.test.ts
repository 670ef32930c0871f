import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/exit-codes.js';
import { validateConfig, parseVaried } from '../../src/config/index.js';
import { nrelu } from '../../src/activations/nrelu.js';

/** N-ReLU's sigma as written -> one schedule per grid entry, or problems (paths relative to `sigma`). */
const parseSigma = (value: unknown) => parseVaried(value, 'sigma', nrelu.params.sigma);
import { ACTIVATION_NAMES } from '../../src/activations/registry.js';
import { datasetEntries } from '../../src/data/catalog.js';

const minimal = { name: 'm', dataset: 'mnist-10k', models: ['mlp'], activations: ['relu'] };

/** The problem lines of the UserError that validating `raw` throws. */
function problems(raw: unknown): string[] {
  try {
    validateConfig(raw);
  } catch (err) {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.equal(exitCodeOf(err), 2);
    return err.message
      .split('\n')
      .slice(1)
      .map((line) => line.trim());
  }
  assert.fail('expected the config to be invalid');
}

test('defaults are filled and keys become camelCase', () => {
  const config = validateConfig(minimal);
  assert.deepEqual(config, {
    name: 'm',
    dataset: 'mnist-10k',
    standardize: false,
    models: [{ model: 'mlp', options: {} }],
    backend: 'auto',
    init: 'torch',
    activations: ['relu'],
    seeds: [1],
    train: { epochs: 8, batchSize: 128, optimizer: 'adam', learningRate: 0.001 },
    deadNeurons: { probe: 'train', samples: 10000, threshold: 0, every: 1, dormantTau: 0.1, gradientSamples: 1000 },
    eval: { robustness: { gaussian: [] } },
    compare: { margin: 0.2, baseline: 'relu', primary: 'nrelu-s0.1' },
    output: 'results/m',
  });
});

test("compare.margin: percentage points > 0, default 0.2; not part of any run's settings", () => {
  assert.deepEqual(validateConfig({ ...minimal, compare: { margin: 0.1 } }).compare, {
    margin: 0.1,
    baseline: 'relu',
    primary: 'nrelu-s0.1',
  });
  assert.deepEqual(problems({ ...minimal, compare: { margin: 0 } }), ['compare.margin: must be > 0']);
  assert.equal(problems({ ...minimal, compare: { margn: 0.1 } }).length, 1);
});

test('compare.baseline and compare.primary: settings as run ids spell them', () => {
  const c = validateConfig({ ...minimal, compare: { baseline: 'gelu', primary: 'leaky_relu-alpha0.1' } }).compare;
  assert.deepEqual(c, { margin: 0.2, baseline: 'gelu', primary: 'leaky_relu-alpha0.1' });
  assert.deepEqual(problems({ ...minimal, compare: { baseline: 'GELU x' } }), [
    'compare.baseline: must be a setting as run ids spell it, e.g. relu or nrelu-s0.1',
  ]);
  assert.equal(problems({ ...minimal, compare: { primary: '' } }).length, 1);
});

test('given values are kept; model options are camelCased', () => {
  const config = validateConfig({
    ...minimal,
    dataset: 'idx:/data/digits',
    data_dir: '/tmp/cache',
    standardize: true,
    models: [
      { model: 'cnn', filters: [8], kernel_size: 5, dense: [16], dropout: 0.5 },
      { model: 'mlp', hidden: [32] },
    ],
    backend: 'wasm',
    init: 'glorot',
    seeds: [0, 7],
    train: { epochs: 2, batch_size: 32, optimizer: 'sgd', learning_rate: 0.1, train_samples: 100, test_samples: 50 },
    dead_neurons: { probe: 'test', samples: 64, threshold: -0.5, every: 2, dormant_tau: 0.2, gradient_samples: 0 },
    eval: { robustness: { gaussian: [0.3, 0.1] } },
    output: 'out/here',
  });
  assert.equal(config.dataDir, '/tmp/cache');
  assert.deepEqual(config.models, [
    { model: 'cnn', options: { filters: [8], kernelSize: 5, dense: [16], dropout: 0.5 } },
    { model: 'mlp', options: { hidden: [32] } },
  ]);
  assert.deepEqual(config.train, {
    epochs: 2,
    batchSize: 32,
    optimizer: 'sgd',
    learningRate: 0.1,
    trainSamples: 100,
    testSamples: 50,
  });
  assert.deepEqual(config.deadNeurons, {
    probe: 'test',
    samples: 64,
    threshold: -0.5,
    every: 2,
    dormantTau: 0.2,
    gradientSamples: 0,
  });
  assert.deepEqual(config.eval, { robustness: { gaussian: [0.1, 0.3] } }, 'noise levels sorted');
  assert.deepEqual(
    [config.backend, config.init, config.standardize, config.output],
    ['wasm', 'glorot', true, 'out/here'],
  );
});

test('an invalid config lists every problem with its YAML path in one UserError', () => {
  const lines = problems({
    name: 'bad',
    dataset: 'mnist-10k',
    models: ['mlp'],
    activations: ['relu', 'gelu', 'prelu', { name: 'nrelu', sigma: -0.1 }],
    train: { epochs: 0, learing_rate: 0.01 },
    colour: 'blue',
  });
  assert.deepEqual(lines.sort(), [
    'activations[3].sigma: must be >= 0',
    'colour: unknown key (known: name, dataset, data_dir, standardize, models, backend, init, activations, seeds, train, dead_neurons, eval, compare, output)',
    'train.epochs: must be >= 1',
    'train.learing_rate: unknown key (did you mean "learning_rate"?)',
  ]);
});

test('problems in models, activations, seeds and types are all reported', () => {
  const lines = problems({
    dataset: 'cifar',
    models: ['rnn', { model: 'cnn', filter: [3] }],
    backend: 'gpu',
    activations: [{ name: 'leaky_relu', alpha: 'x' }, 'lrelu', 'nrelu', { name: 'nrelu', sigma: [0.1, 0.1] }, 3],
    seeds: [1.5, -1],
    train: { epochs: 2.5, learning_rate: '1e-3x', optimizer: 'rmsprop' },
  });
  const expected = [
    'name: is required',
    `dataset: must be ${datasetEntries()
      .map((d) => d.name)
      .join(', ')} or idx:<folder>; got "cifar"`,
    'models[0]: must be mlp or cnn; got "rnn"',
    'models[1].filter: unknown key (did you mean "filters"?)',
    'backend: must be one of auto, tensorflow, webgpu, wasm, cpu; got "gpu"',
    `activations[1]: unknown activation "lrelu" (did you mean "relu"?); known: ${ACTIVATION_NAMES.join(', ')}`,
    'activations[2]: nrelu needs a sigma, e.g. {name: nrelu, sigma: 0.1}',
    'activations[3].sigma[1]: 0.1 is listed twice',
    'seeds[0]: must be an integer, got 1.5',
    'seeds[1]: must be >= 0',
    'train.epochs: must be an integer, got 2.5',
    'train.optimizer: must be one of adam, sgd; got "rmsprop"',
    'train.learning_rate: must be a number, got "1e-3x"',
  ];
  for (const line of expected) assert.ok(lines.includes(line), `missing "${line}" in:\n${lines.join('\n')}`);
  assert.ok(
    lines.some((l) => l.startsWith('activations[0]: ') && l.includes('alpha')),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => l.startsWith('activations[4]: must be an activation name')),
    lines.join('\n'),
  );
});

test('repeated models, activations and seeds are rejected (they would repeat run ids)', () => {
  const lines = problems({
    ...minimal,
    models: ['mlp', { model: 'mlp', hidden: [8] }],
    activations: [{ name: 'nrelu', sigma: [0.05, 0.1] }, { name: 'nrelu', sigma: 0.1 }, 'relu', { name: 'relu' }],
    seeds: [1, 2, 1],
  });
  assert.ok(
    lines.includes(
      'models[1]: repeats models[0] (mlp); give each variant of a model its own name: {model: cnn, name: cnn-avgpool, ...}',
    ),
    lines.join('\n'),
  );
  assert.ok(lines.includes('activations[1]: repeats activations[0] (nrelu-s0.1)'), lines.join('\n'));
  assert.ok(lines.includes('activations[3]: repeats activations[2] (relu)'), lines.join('\n'));
  assert.ok(lines.includes('seeds[2]: repeats seeds[0] (1)'), lines.join('\n'));
});

test('an empty or non-map config is one clear problem', () => {
  assert.deepEqual(problems(null), [
    '(top level): is empty; expected a map with name, dataset, models and activations',
  ]);
  assert.deepEqual(problems(['relu']), ['(top level): must be a map, got a list']);
});

test('sigma: number, list (sweep), schedule object, constant shorthand', () => {
  assert.deepEqual(parseSigma(0.1), { schedules: [{ schedule: 'constant', start: 0.1, end: 0.1 }], problems: [] });
  assert.deepEqual(parseSigma([0.05, 0.2]).schedules, [
    { schedule: 'constant', start: 0.05, end: 0.05 },
    { schedule: 'constant', start: 0.2, end: 0.2 },
  ]);
  assert.deepEqual(parseSigma({ start: 0.2, end: 0, schedule: 'linear' }).schedules, [
    { schedule: 'linear', start: 0.2, end: 0 },
  ]);
  assert.deepEqual(parseSigma({ start: 0.3, end: 0.1, schedule: 'cosine' }).schedules, [
    { schedule: 'cosine', start: 0.3, end: 0.1 },
  ]);
  assert.deepEqual(parseSigma({ start: 0.1 }).schedules, [{ schedule: 'constant', start: 0.1, end: 0.1 }]);
  assert.deepEqual(parseSigma({ value: 0.1 }).schedules, [{ schedule: 'constant', start: 0.1, end: 0.1 }]);
  assert.deepEqual(parseSigma({ value: 0.1, schedule: 'constant' }).schedules, [
    { schedule: 'constant', start: 0.1, end: 0.1 },
  ]);
});

test('sigma: bad forms name the offending key', () => {
  const msg = (v: unknown) => parseSigma(v).problems.map((p) => `${p.path.join('.')}: ${p.message}`);
  assert.deepEqual(msg({ start: 0.2, end: 0 }), [
    'sigma.end: differs from start; set schedule: linear or cosine to anneal',
  ]);
  assert.deepEqual(msg({ start: 0.2, schedule: 'linear' }), ['sigma.end: is required for a linear schedule']);
  assert.deepEqual(msg({ end: 0.2, schedule: 'linear' }), ['sigma.start: is required']);
  assert.deepEqual(msg({ start: 0.2, schedule: 'step' }), [
    'sigma.schedule: must be one of constant, linear, cosine; got "step"',
  ]);
  assert.deepEqual(msg({ value: 0.1, start: 0.1 }), ['sigma.value: use either value or start/end, not both']);
  assert.deepEqual(msg({ strat: 0.1 }), ['sigma.strat: unknown key (did you mean "start"?)']);
  assert.deepEqual(msg([]), ['sigma: must have at least 1 item']);
  assert.deepEqual(msg([0.1, -2]), ['sigma.1: must be >= 0']);
  assert.deepEqual(msg('0.1'), ['sigma: must be a number >= 0, a list of them, or {start, end, schedule}; got "0.1"']);
  assert.deepEqual(msg({ start: -1, end: 0, schedule: 'linear' }), ['sigma.start: must be >= 0']);
});

test('activation params are validated by the registry; nrelu gets its sigma checked separately', () => {
  const lines = problems({
    ...minimal,
    activations: [
      { name: 'relu', alpha: 1 },
      { name: 'rrelu', lower: 0.5, upper: 0.1 },
      { name: 'nrelu', sigma: 0.1, mu: 1 },
      { name: 'gelu', approximate: 'tanh' },
    ],
  });
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.match(lines[0], /^activations\[0\]: .*relu.*alpha/);
  assert.match(lines[1], /^activations\[1\]: .*lower/);
  assert.match(lines[2], /^activations\[2\]: .*mu/);
});
