import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeActivation } from '../../src/activations/registry.js';
import { buildModel } from '../../src/models/build.js';
import { validateConfig, expandGrid } from '../../src/config/index.js';

test('silu takes no parameters and is selectable in a config and a model', () => {
  assert.deepEqual(normalizeActivation('silu'), { name: 'silu', params: {} });
  assert.throws(
    () => normalizeActivation({ name: 'silu', beta: 2 }),
    /"silu": unknown parameter "beta"; silu takes no parameters/,
  );
  const runs = expandGrid(
    validateConfig({ name: 's', dataset: 'mnist-10k', models: ['mlp'], activations: ['silu'], seeds: [1] }),
  );
  assert.deepEqual(
    runs.map((r) => r.id),
    ['mlp-silu-seed1'],
  );
  const model = buildModel({ model: 'mlp', activation: 'silu', hidden: [8], seed: 1 });
  assert.equal(model.layers.filter((l) => l.getClassName() === 'SiLU').length, 1);
  model.dispose();
});
