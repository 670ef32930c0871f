import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { UserError } from '../../src/errors.js';
import {
  activationDescriptors,
  createActivation,
  normalizeActivation,
  registerActivation,
} from '../../src/activations/registry.js';
import { defineActivation, descriptorProblems } from '../../src/activations/descriptor.js';
import { isStochasticLayer } from '../../src/activations/stochastic.js';
import { elementwiseActivation } from '../../src/activations/kit.js';
import { SeededDropout } from '../../src/models/dropout.js';

test('every descriptor builds a layer that declares StochasticLayer exactly when the descriptor says stochastic', () => {
  for (const d of activationDescriptors()) {
    const required = Object.fromEntries(
      Object.entries(d.params)
        .filter(([, p]) => p.default === undefined)
        .map(([k]) => [k, 0.1]),
    );
    const layer = createActivation({ name: d.name, ...required }, { seed: 3 });
    assert.equal(isStochasticLayer(layer), d.stochastic, d.name);
    assert.deepEqual(descriptorProblems(d), [], d.name);
  }
  assert.ok(isStochasticLayer(new SeededDropout({ rate: 0.5 })), 'dropout implements the interface too');
});

class Noisy extends tf.layers.Layer {
  static className = 'TestNoisyWithoutStep';
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.clone(Array.isArray(x) ? x[0] : x);
  }
}

test('a stochastic descriptor whose layer lacks the interface is refused, not taken for deterministic', () => {
  const broken = defineActivation({
    name: 'test_noisy_no_step',
    summary: 'x',
    params: { beta: { type: 'number', default: 1, min: 0 } },
    stochastic: true,
    create: () => new Noisy({}),
  });
  registerActivation(broken, { path: '/nonexistent/test-noisy.mjs', sha256: '0'.repeat(64) });
  assert.deepEqual(normalizeActivation('test_noisy_no_step'), { name: 'test_noisy_no_step', params: { beta: 1 } });
  assert.throws(
    () => normalizeActivation({ name: 'test_noisy_no_step', beta: -1 }),
    /"test_noisy_no_step": parameter "beta" must be a finite number >= 0, got -1/,
  );
  assert.throws(
    () => createActivation('test_noisy_no_step'),
    (err: unknown) =>
      err instanceof UserError &&
      /is marked stochastic but its layer does not implement StochasticLayer/.test(err.message),
  );
  assert.throws(
    () => registerActivation({ ...broken, name: 'relu' }, { path: '/nonexistent/other.mjs', sha256: '1'.repeat(64) }),
    /its name "relu" is already taken by a built-in activation/,
  );
});

test('descriptorProblems names what a user descriptor lacks', () => {
  assert.deepEqual(descriptorProblems(42), ['it is not an object']);
  const problems = descriptorProblems({ name: 'Bad Name', params: { a: { type: 'int' } }, stochastic: 'no' });
  assert.ok(
    problems.some((p) => p.includes('"name"')),
    problems.join('; '),
  );
  assert.ok(
    problems.some((p) => p.includes('"summary"')),
    problems.join('; '),
  );
  assert.ok(
    problems.some((p) => p.includes('"stochastic"')),
    problems.join('; '),
  );
  assert.ok(
    problems.some((p) => p.includes('"create"')),
    problems.join('; '),
  );
  assert.ok(
    problems.some((p) => p.includes('parameter "a"')),
    problems.join('; '),
  );
  const twoVaried = { type: 'number', sweep: true };
  assert.ok(
    descriptorProblems({
      name: 'x',
      summary: '',
      stochastic: false,
      create: () => null,
      params: { a: twoVaried, b: twoVaried },
    }).includes('at most one parameter may have sweep or schedule'),
  );
});

test("the kit refuses a parameter that would hide a field of TF.js's Layer", () => {
  const shadowing = elementwiseActivation<{ trainable: boolean }>({
    name: 'test_shadowing',
    summary: 'x',
    className: 'TestShadowing',
    params: { trainable: { type: 'boolean', default: false } },
    forward: (x) => tf.clone(x),
  });
  assert.throws(
    () => shadowing.create({ trainable: false }, { seed: 0 }),
    /"trainable" would hide the layer's own "trainable"/,
  );
});
