import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/exit-codes.js';
import { applyOverrides, parseOverride } from '../../src/config/index.js';

const base = {
  name: 'x',
  dataset: 'mnist',
  models: ['mlp'],
  activations: ['relu', { name: 'nrelu', sigma: 0.1 }],
  train: { epochs: 8, batch_size: 128 },
};

test('scalars are parsed as YAML: numbers, exponents, strings, booleans', () => {
  const out = applyOverrides(base, [
    'train.epochs=2',
    'train.learning_rate=1e-2',
    'dataset=mnist-10k',
    'standardize=true',
    'dataset=idx:/data/my digits',
    'name=run-2',
  ]);
  assert.deepEqual(out, {
    ...base,
    name: 'run-2',
    dataset: 'idx:/data/my digits',
    standardize: true,
    train: { epochs: 2, batch_size: 128, learning_rate: 0.01 },
  });
});

test('lists and maps in flow style replace the whole value', () => {
  const out = applyOverrides(base, [
    'seeds=[1]',
    'activations=[relu]',
    'models=[mlp,cnn]',
    'dead_neurons={probe: test, samples: 100}',
  ]) as Record<string, unknown>;
  assert.deepEqual(out.seeds, [1]);
  assert.deepEqual(out.activations, ['relu']);
  assert.deepEqual(out.models, ['mlp', 'cnn']);
  assert.deepEqual(out.dead_neurons, { probe: 'test', samples: 100 });
});

test('dotted paths create nested maps; new keys are allowed (validation judges them)', () => {
  const out = applyOverrides(base, ['dead_neurons.samples=256', 'train.train_samples=512', '+output=out/x']) as Record<
    string,
    unknown
  >;
  assert.deepEqual(out.dead_neurons, { samples: 256 });
  assert.deepEqual(out.train, { epochs: 8, batch_size: 128, train_samples: 512 });
  assert.equal(out.output, 'out/x');
  assert.deepEqual(applyOverrides(null, ['a.b.c=1']), { a: { b: { c: 1 } } });
});

test('list indices: activations.0=gelu, activations[1].sigma=[0.05,0.1], append at the end', () => {
  const out = applyOverrides(base, [
    'activations.0=gelu',
    'activations[1].sigma=[0.05, 0.1]',
    'activations.2=prelu',
  ]) as Record<string, unknown>;
  assert.deepEqual(out.activations, ['gelu', { name: 'nrelu', sigma: [0.05, 0.1] }, 'prelu']);
});

test('~key removes a key; later overrides win; the input is never mutated', () => {
  const before = structuredClone(base);
  const out = applyOverrides(base, [
    '~train.batch_size',
    'train.epochs=3',
    'train.epochs=4',
    '~activations.0',
  ]) as Record<string, unknown>;
  assert.deepEqual(out.train, { epochs: 4 });
  assert.deepEqual(out.activations, [{ name: 'nrelu', sigma: 0.1 }]);
  assert.deepEqual(base, before);
  assert.equal(applyOverrides(base, []), base);
});

test('parseOverride returns the path, operation and value', () => {
  assert.deepEqual(parseOverride('train.epochs=2'), {
    text: 'train.epochs=2',
    path: ['train', 'epochs'],
    op: 'set',
    value: 2,
  });
  assert.deepEqual(parseOverride('activations[3].sigma={start: 0.2, end: 0, schedule: linear}').path, [
    'activations',
    3,
    'sigma',
  ]);
  assert.deepEqual(parseOverride('~data_dir'), { text: '~data_dir', path: ['data_dir'], op: 'delete' });
  assert.equal(parseOverride('name=a=b').value, 'a=b');
});

test('malformed overrides are UserErrors naming the override', () => {
  const cases: [string, RegExp][] = [
    ['train.epochs', /bad override "train\.epochs": no "="/],
    ['=2', /bad override "=2": no key/],
    ['train..epochs=2', /bad override "train\.\.epochs=2": bad key part ""/],
    ['train.epochs=', /bad override "train\.epochs=": no value/],
    ['seeds=[1, 2', /bad override "seeds=\[1, 2": value is not valid YAML/],
    ['dataset.name=x', /bad override "dataset\.name=x": dataset is "mnist", not a map or list/],
    ['activations.7=gelu', /index 7 is past the end of activations \(2 items\)/],
    ['activations.x=gelu', /activations is a list; use a number index/],
    ['~train.momentum', /train\.momentum is not set/],
    ['tra in.epochs=2', /bad key part "tra in"/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(
      () => applyOverrides(base, [text]),
      (err: unknown) => {
        assert.ok(err instanceof UserError, `${text}: not a UserError`);
        assert.equal(exitCodeOf(err), 2);
        assert.match(err.message, pattern);
        return true;
      },
      text,
    );
  }
});

test('several bad overrides are listed together', () => {
  assert.throws(
    () => applyOverrides(base, ['a', 'train.epochs=2', 'b=']),
    (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /^2 bad overrides:\n {2}bad override "a": .*\n {2}bad override "b=": /);
      return true;
    },
  );
});

test('__proto__, constructor and prototype keys are refused while parsing, before anything is polluted', () => {
  for (const text of ['__proto__.polluted=1', 'constructor.prototype.polluted=1', 'train.__proto__.polluted=1']) {
    assert.throws(
      () => applyOverrides({ train: {} }, [text]),
      (err: unknown) => err instanceof UserError && exitCodeOf(err) === 2 && /is not a config key/.test(err.message),
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined, `${text} polluted Object.prototype`);
  }
});
