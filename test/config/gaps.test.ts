/** Config mistakes a new user makes, caught at validation with a message that says what to do. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/exit-codes.js';
import { loadConfig, validateConfig } from '../../src/config/index.js';

const base = { name: 'x', dataset: 'mnist-10k', models: ['mlp'], activations: ['relu'] };

function problem(raw: unknown, pattern: RegExp): void {
  assert.throws(
    () => validateConfig(raw),
    (err: unknown) => {
      assert.ok(err instanceof UserError, String(err));
      assert.equal(exitCodeOf(err), 2);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('a CNN that does not fit the 28x28 input is refused at validation, naming the block', () => {
  problem({ ...base, models: [{ model: 'cnn', kernel_size: 10 }] }, /models\[0\]: .*conv block 2 .*kernel_size 10/);
  problem({ ...base, models: [{ model: 'cnn', filters: [4, 4, 4, 4] }] }, /models\[0\]: .*conv block 4/);
  // These fit: 28 -26-> 13 -11-> 5; 28 -20-> 10 -2-> 1.
  validateConfig({ ...base, models: [{ model: 'cnn' }, { model: 'mlp' }] });
  validateConfig({ ...base, models: [{ model: 'cnn', kernel_size: 9 }] });
  validateConfig({ ...base, models: [{ model: 'cnn', filters: [4, 4, 4], kernel_size: 2 }] });
});

test('sigma has a sane upper bound, in every form it can be written', () => {
  for (const sigma of [1e300, [0.1, 1000], { start: 0.1, end: 101 }]) {
    problem({ ...base, activations: [{ name: 'nrelu', sigma }] }, /activations\[0\]\.sigma.*<= 100/);
  }
  validateConfig({ ...base, activations: [{ name: 'nrelu', sigma: 100 }] });
});

test('dataset=idx: read by YAML as a map is explained', () => {
  problem({ ...base, dataset: { idx: null } }, /dataset: .*idx:<folder>.*(quote|space)/);
  problem({ ...base, dataset: { idx: '/data' } }, /dataset: .*idx:<folder>.*(quote|space)/);
});

test('a config file whose name is not a valid run name says so and how to fix it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nrelu-gaps-'));
  try {
    const path = join(dir, 'my config.yaml');
    await writeFile(path, 'dataset: mnist-10k\nmodels: [mlp]\nactivations: [relu]\n');
    await assert.rejects(loadConfig(path), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /name .*from the file name 'my config\.yaml'/);
      assert.match(err.hint ?? '', /name:/);
      return true;
    });
    const named = await loadConfig(path, ['name=mine']);
    assert.equal(named.config.name, 'mine');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
