import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/errors.js';
import {
  ACTIVATION_NAMES,
  NReLU,
  RReLU,
  createActivation,
  normalizeActivation,
} from '../../src/activations/registry.js';
import { resolveActivationEntry } from '../../src/config/activation-entry.js';

test("ACTIVATION_NAMES lists the paper's six activations first, in the paper's order, then the others", () => {
  assert.deepEqual(ACTIVATION_NAMES.slice(0, 6), ['relu', 'leaky_relu', 'prelu', 'gelu', 'rrelu', 'nrelu']);
  assert.ok(ACTIVATION_NAMES.includes('silu'));
});

test('normalizeActivation fills PyTorch defaults, in a fixed parameter order', () => {
  assert.deepEqual(normalizeActivation('relu'), { name: 'relu', params: {} });
  assert.deepEqual(normalizeActivation({ name: 'relu' }), { name: 'relu', params: {} });
  assert.deepEqual(normalizeActivation('leaky_relu'), { name: 'leaky_relu', params: { alpha: 0.01 } });
  assert.deepEqual(normalizeActivation('prelu'), { name: 'prelu', params: { shared: true, init: 0.25 } });
  assert.deepEqual(normalizeActivation('gelu'), { name: 'gelu', params: { approximate: 'none' } });
  assert.deepEqual(normalizeActivation('rrelu'), { name: 'rrelu', params: { lower: 1 / 8, upper: 1 / 3 } });
  assert.deepEqual(normalizeActivation({ name: 'nrelu', sigma: 0 }), { name: 'nrelu', params: { sigma: 0 } });
  const given = normalizeActivation({ upper: 0.5, name: 'rrelu', lower: 0.5 });
  assert.deepEqual(Object.keys(given.params), ['lower', 'upper']);
  assert.deepEqual(given.params, { lower: 0.5, upper: 0.5 });
});

test('createActivation applies the spec and options', () => {
  const n = createActivation({ name: 'nrelu', sigma: 0.1 }, { seed: 7, name: 'noisy' }) as NReLU;
  assert.ok(n instanceof NReLU);
  assert.deepEqual([n.name, n.sigma, n.seed, n.getStep()], ['noisy', 0.1, 7, 0]);
  const r = createActivation('rrelu') as RReLU;
  assert.deepEqual([r.lower, r.upper, r.seed], [1 / 8, 1 / 3, 0]);
  assert.equal(createActivation('leaky_relu').getConfig().alpha, 0.01);
});

// Each bad spec, and a pattern its one-line message must match (activation and parameter named).
const BAD: [unknown, RegExp][] = [
  ['swish', new RegExp(`unknown activation "swish"; valid activations: ${ACTIVATION_NAMES.join(', ')}$`)],
  ['ReLU', /unknown activation "ReLU"/],
  [{ name: 'relu', alpha: 0.1 }, /activation "relu": unknown parameter "alpha"; relu takes no parameters/],
  [{ name: 'leaky_relu', slope: 0.1 }, /activation "leaky_relu": unknown parameter "slope"; valid parameters: alpha/],
  [
    { name: 'leaky_relu', alpha: Number.NaN },
    /activation "leaky_relu": parameter "alpha" must be a finite number, got NaN/,
  ],
  [{ name: 'leaky_relu', alpha: '0.1' }, /"leaky_relu": parameter "alpha" must be a finite number, got "0.1"/],
  ['nrelu', /activation "nrelu": parameter "sigma" is required/],
  [{ name: 'nrelu', sigma: -0.1 }, /activation "nrelu": parameter "sigma" must be a finite number >= 0, got -0.1/],
  [{ name: 'nrelu', sigma: Number.NaN }, /"nrelu": parameter "sigma" .* got NaN/],
  [{ name: 'nrelu', sigma: Number.POSITIVE_INFINITY }, /"nrelu": parameter "sigma" .* got Infinity/],
  [{ name: 'nrelu', sigma: null }, /"nrelu": parameter "sigma" .* got null/],
  [{ name: 'nrelu', sigma: [0.1] }, /"nrelu": parameter "sigma" .* got an array/],
  [{ name: 'nrelu', sigma: 0.1, mu: 0 }, /"nrelu": unknown parameter "mu"; valid parameters: sigma/],
  [
    { name: 'rrelu', lower: 0.5, upper: 0.25 },
    /activation "rrelu": parameter "lower" \(0.5\) must be <= "upper" \(0.25\)/,
  ],
  [{ name: 'rrelu', lower: 0.5 }, /"rrelu": parameter "lower" \(0.5\) must be <= "upper"/],
  [{ name: 'rrelu', upper: Number.NaN }, /"rrelu": parameter "upper" must be a finite number, got NaN/],
  [{ name: 'prelu', shared: 'yes' }, /activation "prelu": parameter "shared" must be true or false, got "yes"/],
  [{ name: 'prelu', init: Number.NaN }, /"prelu": parameter "init" must be a finite number, got NaN/],
  [
    { name: 'gelu', approximate: 'fast' },
    /activation "gelu": parameter "approximate" must be "none" or "tanh", got "fast"/,
  ],
  [{ name: 'gelu', approximate: true }, /"gelu": parameter "approximate" .* got true/],
  [{ sigma: 0.1 }, /activation spec needs a "name" string/],
  [{ name: 3 }, /activation spec needs a "name" string .* got 3/],
  [42, /activation spec must be a name or an object with a "name", got 42/],
  [null, /activation spec must be a name or an object/],
  [['relu'], /activation spec must be a name or an object .* got an array/],
];

for (const [spec, pattern] of BAD) {
  test(`bad spec ${JSON.stringify(spec, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))} -> ${pattern.source.slice(0, 40)}`, () => {
    for (const fn of [() => normalizeActivation(spec), () => createActivation(spec as string)]) {
      assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof UserError, 'a UserError');
        assert.match(err.message, pattern);
        assert.ok(!err.message.includes('\n'), 'one line');
        return true;
      });
    }
  });
}

test('bad seeds and bad values at the layer level are UserErrors too', () => {
  assert.throws(
    () => createActivation({ name: 'nrelu', sigma: 0.1 }, { seed: 1.5 }),
    /"nrelu": seed must be an integer, got 1.5/,
  );
  const n = createActivation({ name: 'nrelu', sigma: 0.1 }) as NReLU;
  assert.throws(() => n.setSigma(-1), UserError);
  assert.throws(() => n.setStep(-1), UserError);
  assert.throws(() => new NReLU({ sigma: Number.NaN }), /"nrelu": parameter "sigma"/);
  assert.throws(() => new RReLU({ lower: 1, upper: 0 }), /"rrelu": parameter "lower"/);
});

test('a parameter named like an Object method (toString, constructor) is unknown, as foo is (m11)', () => {
  for (const key of ['foo', 'toString', 'constructor', 'hasOwnProperty']) {
    assert.throws(
      () => normalizeActivation({ name: 'nrelu', sigma: 0.1, [key]: 1 }),
      (err: unknown) => err instanceof UserError && err.message.includes(`unknown parameter "${key}"`),
      key,
    );
  }
  const entry = resolveActivationEntry({ name: 'nrelu', sigma: 0.1, toString: 1, constructor: 1 });
  assert.equal(entry.value, undefined);
  assert.match(entry.problems[0]?.message ?? '', /unknown parameter "(toString|constructor)"/);
});
