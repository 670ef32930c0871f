/**
 * The helpers for a user's activation (src/activations/user-kit.ts, exported from the library): `elementwise` with
 * and without its own gradient, `noisyElementwise`'s noise from the run's counter-based stream (the one N-ReLU
 * draws), and the finite-difference gradient check that stands in for the PyTorch reference for module activations
 * (every module in examples/ passes it; a wrong gradient fails it). The examples import 'nrelu-bench', the built dist/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../src/tf.js';
import { elementwise, noisyElementwise } from '../../src/activations/user-kit.js';
import { gradientCheck } from '../../src/activations/gradient-check.js';
import { loadActivationModule } from '../../src/activations/module.js';
import { NReLU } from '../../src/activations/registry.js';
import { isStochasticLayer } from '../../src/activations/stochastic.js';
import type { ActivationDescriptor } from '../../src/activations/descriptor.js';
import { bitIdentical, gradOf, run } from './helpers.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const EXAMPLES = join(import.meta.dirname, '../../examples');

await tf.setBackend('cpu');
const x = tf.tensor1d([-2, -1, -0.5, 0.5, 1, 2]);

test('elementwise: the function as a layer, with TF.js autodiff or its own gradient', () => {
  const cube = elementwise<{ k: number }>('cube_k', (v, { k }) => tf.mul(tf.pow(v, 3), k), {
    params: { k: { type: 'number', default: 2 } },
  });
  assert.equal(cube.stochastic, false);
  const layer = cube.create({ k: 2 }, { seed: 0 });
  assert.equal(layer.getClassName(), 'UserCubeK');
  assert.deepEqual(Array.from(run(layer, x)), [-16, -2, -0.25, 0.25, 2, 16]);
  assert.deepEqual(Array.from(gradOf(layer, x, false)), [24, 6, 1.5, 1.5, 6, 24]);
  const own = elementwise('relu_two', (v) => tf.relu(v), { grad: (_v, dy) => tf.mul(dy, 2) });
  assert.deepEqual(Array.from(gradOf(own.create({}, { seed: 0 }), x, true)), [2, 2, 2, 2, 2, 2]);
});

test("noisyElementwise: N-ReLU's stream (same seed and step, same noise), a new draw each step, none in inference", () => {
  // x * sigma * eps with x = -1 is -(N-ReLU's output at -1): both draw element i of streamKey(seed, step).
  const scaled = noisyElementwise<{ sigma: number }>(
    'minus_sigma_eps',
    (v, { sigma }, n) => tf.mul(v, tf.mul(sigma, n.normal())),
    {
      inference: (v) => tf.zerosLike(v),
      params: { sigma: { type: 'number', default: 0.1 } },
    },
  );
  const ones = tf.fill([64], -1);
  const mine = scaled.create({ sigma: 0.1 }, { seed: 7 });
  const nrelu = new NReLU({ sigma: 0.1, seed: 7 });
  assert.ok(isStochasticLayer(mine));
  for (let step = 0; step < 3; step++) {
    const [a, b] = [run(mine, ones, true), run(nrelu, ones, true)];
    assert.ok(
      bitIdentical(
        a,
        b.map((v) => -v),
      ),
      `step ${step}`,
    );
  }
  assert.equal((mine as unknown as NReLU).getStep(), 3);
  (mine as unknown as NReLU).setStep(1);
  const again = run(mine, ones, true);
  (mine as unknown as NReLU).setStep(1);
  assert.ok(bitIdentical(again, run(mine, ones, true)), 'the same step replays the same noise');
  assert.ok(!bitIdentical(again, run(mine, ones, true)), 'the next step draws anew');
  assert.ok(!bitIdentical(run(scaled.create({ sigma: 0.1 }, { seed: 8 }), ones, true), run(nrelu, ones, true)));
  assert.deepEqual(Array.from(run(mine, ones, false)), new Array(64).fill(0));
  const step = (mine as unknown as NReLU).getStep();
  run(mine, ones, false);
  assert.equal((mine as unknown as NReLU).getStep(), step, 'inference consumes no step');
});

test('the gradient check: every module in examples/ passes it, a wrong gradient fails it', async () => {
  assert.ok(existsSync(join(import.meta.dirname, '../../dist/index.js')), 'dist/ is built (npm run build)');
  const modules = readdirSync(EXAMPLES).filter((f) => f.endsWith('.mjs'));
  assert.ok(modules.includes('noisy-leaky.mjs') && modules.includes('swish.mjs'), modules.join(', '));
  for (const file of modules) {
    const { descriptor } = await loadActivationModule(join(EXAMPLES, file));
    assert.deepEqual(gradientCheck(descriptor.name), [], file);
  }
  assert.deepEqual(gradientCheck({ name: 'noisy_leaky', alpha: 0.1, sigma: 0.5 }), []);
  const imported = (await import(join(EXAMPLES, 'noisy-leaky.mjs'))) as { default: ActivationDescriptor };
  assert.deepEqual(gradientCheck(imported.default, { params: { sigma: 0.5 } }), []);
  const wrong = elementwise('wrong_grad', (v) => tf.mul(tf.sigmoid(v), v), {
    grad: (v, dy) => tf.mul(dy, tf.sigmoid(v)),
  });
  const problems = gradientCheck(wrong.create({}, { seed: 0, name: 'wrong' }));
  assert.ok(problems.length > 0);
  assert.match(problems[0], /^wrong \(inference\) at x = -3: gradient [-\d.e]+, finite difference [-\d.e]+$/);
});

test('noisyElementwise: the same noise on every backend (drawn in JavaScript from the stream, then uploaded)', async () => {
  const raw = noisyElementwise('raw_noise', (v, _p, n) => tf.add(tf.mul(v, 0), tf.add(n.normal(), n.uniform(-1, 1))), {
    inference: (v) => v,
  });
  const draws: Float32Array[] = [];
  for (const backend of TEST_BACKENDS) {
    await useBackend(backend);
    const layer = raw.create({}, { seed: 3 });
    draws.push(run(layer, tf.zeros([2, 50]), true));
  }
  await tf.setBackend('cpu');
  assert.ok(
    draws.every((d) => bitIdentical(d, draws[0])),
    TEST_BACKENDS.join(' = '),
  );
  assert.ok(new Set(draws[0]).size > 90, 'a draw per element');
});
