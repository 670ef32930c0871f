/**
 * manifest.json's `compare` block: a manifest written before `compare.baseline` and `compare.primary` existed reads
 * as their defaults (`compareSettingsOf`), so an older folder is compared as it was, and a `run` into it still merges
 * the seed lists (`unionGrid`) when nothing but the seeds changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSettingsOf, unionGrid } from '../../src/results/manifest.js';
import { validateConfig } from '../../src/config/schema.js';
import type { ResolvedConfig } from '../../src/config/types.js';

const minimal = { name: 'm', dataset: 'mnist', models: [{ model: 'mlp' }], activations: ['relu'] };

test('compareSettingsOf fills each key a manifest lacks with its default, and keeps the ones it has', () => {
  assert.deepEqual(compareSettingsOf(undefined), { margin: 0.2, baseline: 'relu', primary: 'nrelu-s0.1' });
  assert.deepEqual(compareSettingsOf({ margin: 0.5 }), { margin: 0.5, baseline: 'relu', primary: 'nrelu-s0.1' });
  assert.deepEqual(compareSettingsOf({ margin: 0.2, baseline: 'gelu' }), {
    margin: 0.2,
    baseline: 'gelu',
    primary: 'nrelu-s0.1',
  });
});

test('unionGrid: a manifest without compare.baseline/primary is the same grid as the defaults give today', () => {
  const current = validateConfig({ ...minimal, seeds: [3] });
  const older: ResolvedConfig = { ...validateConfig({ ...minimal, seeds: [1, 2] }), compare: { margin: 0.2 } };
  assert.deepEqual(unionGrid(older, current).seeds, [1, 2, 3]);
  // Another baseline is another comparison: the folder's record follows the current config alone.
  const gelu = validateConfig({ ...minimal, seeds: [3], compare: { baseline: 'gelu' } });
  assert.deepEqual(unionGrid(older, gelu).seeds, [3]);
});
