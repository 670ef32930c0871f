import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/exit-codes.js';
import { expandGrid, loadConfig } from '../../src/config/index.js';

const CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));

async function withFile(text: string, fn: (path: string) => Promise<void>, file = 'my-config.yaml'): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nrelu-config-'));
  try {
    const path = join(dir, file);
    await writeFile(path, text);
    await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function userError(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.equal(exitCodeOf(err), 2);
    assert.match(err.message, pattern);
    return true;
  };
}

test('every file in configs/ loads, validates and expands', async () => {
  const files = (await readdir(CONFIGS)).filter((f) => /\.ya?ml$/.test(f)).sort();
  assert.deepEqual(files, [
    'ci.yaml',
    'fashion-cnn.yaml',
    'fashion-mlp.yaml',
    'mechanism-cnn.yaml',
    'mechanism-mlp.yaml',
    'paper-cnn.yaml',
    'paper-mlp.yaml',
    'quick.yaml',
    'smoke.yaml',
    'stress-mlp.yaml',
    'stress-pilot.yaml',
  ]);
  for (const file of files) {
    const { config } = await loadConfig(join(CONFIGS, file));
    assert.equal(config.name, file.replace(/\.yaml$/, ''), `${file}: name matches the file`);
    assert.ok(expandGrid(config).length > 0, file);
  }
});

test("fashion-mlp is paper-mlp's grid on Fashion-MNIST with 12 seeds; the stress pilot sweeps depth and rate", async () => {
  const load = async (file: string) => (await loadConfig(join(CONFIGS, file))).config;
  const [fashion, paper] = [await load('fashion-mlp.yaml'), await load('paper-mlp.yaml')];
  assert.equal(fashion.dataset, 'fashion-mnist');
  assert.deepEqual(
    expandGrid(fashion).map((r) => ({ ...r, hash: '', dataset: '' })),
    expandGrid({ ...paper, seeds: fashion.seeds }).map((r) => ({ ...r, hash: '', dataset: '' })),
    'the same runs as paper-mlp apart from the dataset',
  );
  assert.deepEqual(
    fashion.seeds,
    Array.from({ length: 12 }, (_, i) => i + 1),
  );
  const cnn = expandGrid(await load('fashion-cnn.yaml'));
  assert.equal(cnn.length, 7 * 8);
  const paperCnn = new Map(expandGrid({ ...(await load('paper-cnn.yaml')), seeds: [1] }).map((r) => [r.id, r]));
  for (const run of cnn.filter((r) => r.seed === 1 && r.model === 'cnn' && !r.modelName)) {
    assert.deepEqual({ ...run, hash: '', dataset: '' }, { ...paperCnn.get(run.id), hash: '', dataset: '' }, run.id);
  }
  // The stress grid: the pilot's two regimes with every activation, each beside ReLU alone at a third of its rate.
  const stress = expandGrid(await load('stress-mlp.yaml'));
  const cells = new Map<string, typeof stress>();
  for (const r of stress) cells.set(r.cell ?? '', [...(cells.get(r.cell ?? '') ?? []), r]);
  assert.deepEqual([...cells.keys()], ['dying', 'dying_lowlr', 'collapsing', 'collapsing_lowlr']);
  assert.deepEqual(
    [...cells].map(([cell, runs]) => [cell, runs.length, runs[0].modelOptions.hidden, runs[0].train.learningRate]),
    [
      ['dying', 72, [256, 256, 256, 256], 0.01],
      ['dying_lowlr', 8, [256, 256, 256, 256], 0.00333],
      ['collapsing', 72, [256, 256, 256, 256, 256, 256], 0.01],
      ['collapsing_lowlr', 8, [256, 256, 256, 256, 256, 256], 0.00333],
    ],
  );
  assert.deepEqual([...new Set(cells.get('dying_lowlr')?.map((r) => r.activation.name))], ['relu']);
  const pilot = expandGrid(await load('stress-pilot.yaml'));
  assert.equal(pilot.length, 3 * 3 * 2);
  assert.deepEqual([...new Set(pilot.map((r) => r.activation.name))], ['relu']);
  assert.deepEqual(
    [...new Set(pilot.map((r) => `${r.modelName} ${r.train.learningRate} ${r.modelOptions.hidden}`))].sort(),
    ['mlp4', 'mlp6', 'mlp8']
      .flatMap((m, i) => [0.003, 0.01, 0.03].map((lr) => `${m} ${lr} ${Array(4 + 2 * i).fill(256)}`))
      .sort(),
  );
});

test('the shipped configs describe the grids the README promises', async () => {
  const ids = async (file: string) => expandGrid((await loadConfig(join(CONFIGS, file))).config).map((r) => r.id);
  assert.deepEqual(await ids('quick.yaml'), [
    'mlp-relu-seed1',
    'mlp-leaky_relu-seed1',
    'mlp-prelu-seed1',
    'mlp-gelu-seed1',
    'mlp-rrelu-seed1',
    'mlp-nrelu-s0.05-seed1',
    'mlp-nrelu-s0.1-seed1',
  ]);
  assert.deepEqual(await ids('smoke.yaml'), ['mlp-relu-seed1', 'mlp-nrelu-s0.1-seed1']);
  const ciSettings = ['relu', 'leaky_relu', 'prelu', 'gelu', 'rrelu', 'nrelu-s0.1', 'nrelu-s0.2to0-linear'];
  assert.deepEqual(
    await ids('ci.yaml'),
    ['mlp', 'cnn'].flatMap((m) => ciSettings.map((s) => `${m}-${s}-seed1`)),
  );
  // Seed counts chosen from the measured paired standard deviation (see the configs' comments).
  for (const [file, model, epochs, seeds] of [
    ['paper-mlp.yaml', 'mlp', 10, 15],
    ['paper-cnn.yaml', 'cnn', 8, 12],
  ] as const) {
    const { config } = await loadConfig(join(CONFIGS, file));
    const runs = expandGrid(config);
    assert.equal(runs.length, 8 * seeds, file);
    assert.equal(config.dataset, 'mnist');
    assert.equal(config.train.epochs, epochs);
    assert.deepEqual(
      config.seeds,
      Array.from({ length: seeds }, (_, i) => i + 1),
    );
    assert.ok(runs.every((r) => r.model === model));
    assert.deepEqual([...new Set(runs.filter((r) => r.varied).map((r) => r.varied?.start))], [0.05, 0.1, 0.2]);
  }
  const quick = (await loadConfig(join(CONFIGS, 'quick.yaml'))).config;
  assert.deepEqual(
    [quick.dataset, quick.backend, quick.train.epochs, quick.seeds, quick.train.trainSamples],
    ['mnist', 'auto', 2, [1], 8000],
  );
  const ci = (await loadConfig(join(CONFIGS, 'ci.yaml'))).config;
  assert.equal(ci.backend, 'wasm');
});

test('the mechanism grids: their arms, and the runs they share with the paper grids have the same hashes (merged in, not retrained)', async () => {
  const grid = async (file: string) => expandGrid((await loadConfig(join(CONFIGS, file))).config);
  const cnn = await grid('mechanism-cnn.yaml');
  const settings = [...new Set(cnn.map((r) => r.id.replace(/-seed\d+$/, '')))];
  assert.deepEqual(settings, [
    'cnn-relu',
    'cnn-nrelu-s0.1',
    'cnn-nrelu-s0.2',
    'cnn-nrelu-s0.2to0-cosine',
    'cnn-poolfirst-relu',
    'cnn-poolfirst-nrelu-s0.1',
    'cnn-avgpool-relu',
    'cnn-avgpool-nrelu-s0.1',
  ]);
  assert.equal(cnn.length, 8 * 8);
  const paperCnn = new Map((await grid('paper-cnn.yaml')).map((r) => [r.id, r.hash]));
  const shared = cnn.filter((r) => paperCnn.has(r.id));
  assert.equal(shared.length, 24, 'ReLU and N-ReLU sigma 0.1 and 0.2, seeds 1-8');
  for (const r of shared) assert.equal(r.hash, paperCnn.get(r.id), r.id);
  assert.deepEqual(cnn.find((r) => r.id === 'cnn-avgpool-relu-seed1')?.modelOptions, { pool: 'avg' });
  const mlp = await grid('mechanism-mlp.yaml');
  const paperMlp = new Map((await grid('paper-mlp.yaml')).map((r) => [r.id, r.hash]));
  const reused = mlp.filter((r) => paperMlp.get(r.id) === r.hash).map((r) => r.id.replace(/-seed\d+$/, ''));
  assert.deepEqual([...new Set(reused)], ['mlp-relu', 'mlp-nrelu-s0.1', 'mlp-nrelu-s0.2']);
  assert.equal(mlp.length - reused.length, 15, 'only the annealed arm trains');
});

test("a model's own activations: used instead of the config's, built-in ones only", async () => {
  await withFile(
    'dataset: mnist-10k\nmodels: [mlp, {model: cnn, activations: [gelu]}]\nactivations: [relu]\n',
    async (path) => {
      const ids = expandGrid((await loadConfig(path)).config).map((r) => r.id);
      assert.deepEqual(ids, ['mlp-relu-seed1', 'cnn-gelu-seed1']);
    },
  );
  await withFile(
    'dataset: mnist-10k\nmodels: [{model: mlp, activations: [{module: ./x.mjs}]}]\nactivations: [relu]\n',
    async (path) => {
      await assert.rejects(
        () => loadConfig(path),
        /models\[0\]\.activations\[0\]: a model's own activations are built-in ones/,
      );
    },
  );
  await withFile(
    'dataset: mnist-10k\nmodels: [{model: mlp, activations: [relu, relu]}]\nactivations: [relu]\n',
    async (path) => {
      await assert.rejects(() => loadConfig(path), /repeats activations\[0\]/);
    },
  );
});

test('overrides are applied before validation and returned; raw is the file as written', async () => {
  await withFile('dataset: mnist\nmodels: [mlp]\nactivations: [relu]\ntrain: {epochs: 5}\n', async (path) => {
    const overrides = ['train.epochs=2', 'seeds=[3,4]', 'dataset=mnist-10k', 'models=[mlp,cnn]'];
    const loaded = await loadConfig(path, overrides);
    assert.equal(loaded.config.name, 'my-config', 'name defaults to the file name');
    assert.equal(loaded.config.output, 'results/my-config');
    assert.equal(loaded.config.train.epochs, 2);
    assert.deepEqual(loaded.config.seeds, [3, 4]);
    assert.equal(loaded.config.dataset, 'mnist-10k');
    assert.equal(expandGrid(loaded.config).length, 4);
    assert.deepEqual(loaded.overrides, overrides);
    assert.deepEqual(loaded.raw, { dataset: 'mnist', models: ['mlp'], activations: ['relu'], train: { epochs: 5 } });
  });
});

test('an override that breaks the config is reported like a bad file', async () => {
  await withFile('name: t\ndataset: mnist\nmodels: [mlp]\nactivations: [relu]\n', async (path) => {
    await assert.rejects(
      loadConfig(path, ['train.epochs=-1', 'activations=[relu, {name: nrelu, sigma: -0.5}]']),
      userError(
        /with overrides \(2 problems\):\n {2}activations\[1\]\.sigma: must be >= 0\n {2}train\.epochs: must be >= 1$/,
      ),
    );
    await assert.rejects(loadConfig(path, ['train.epochs']), userError(/^bad override "train\.epochs"/));
  });
});

test('a missing file is a UserError', async () => {
  await assert.rejects(
    loadConfig(join(tmpdir(), 'no-such-config-4f2a.yaml')),
    userError(/no-such-config-4f2a\.yaml: not found/),
  );
});

test('YAML syntax errors are UserErrors with line and column', async () => {
  await withFile('name: t\ndataset: mnist\nmodels: [mlp\nactivations: [relu]\n', async (path) => {
    await assert.rejects(
      loadConfig(path),
      userError(new RegExp(`YAML syntax error in ${path.replace(/[.\\]/g, '\\$&')}:\\d+:\\d+: `)),
    );
  });
  await withFile('name: t\nname: u\n', async (path) => {
    await assert.rejects(loadConfig(path), userError(/:2:1: Map keys must be unique$/));
  });
});

test('an empty file and an invalid file list their problems', async () => {
  await withFile('', async (path) => {
    await assert.rejects(loadConfig(path), userError(/\(top level\): must be a map, got null|is empty/));
  });
  await withFile(
    'name: t\ndataset: mnist\nmodels: [mlp]\nactivations:\n  - relu\n  - {name: nrelu, sigma: -1}\ntrain:\n  epochs: two\n',
    async (path) => {
      await assert.rejects(
        loadConfig(path),
        userError(
          /\(2 problems\):\n {2}activations\[1\]\.sigma: must be >= 0\n {2}train\.epochs: must be a number, got "two"$/,
        ),
      );
    },
  );
});

test('a YAML alias bomb is a config error naming the file; /dev/zero is refused in one line without reading it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nrelu-bomb-'));
  const file = join(dir, 'bomb.yaml');
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++)
    levels.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(', ')}]`,
    );
  await writeFile(file, `${levels.join('\n')}\n`);
  await assert.rejects(
    loadConfig(file),
    (err: unknown) => err instanceof UserError && exitCodeOf(err) === 2 && err.message.startsWith(`${file}: `),
  );
  await assert.rejects(
    loadConfig('/dev/zero'),
    (err: unknown) =>
      err instanceof UserError &&
      exitCodeOf(err) === 2 &&
      err.message === 'config file /dev/zero is not a regular file',
  );
  await rm(dir, { recursive: true, force: true });
});
