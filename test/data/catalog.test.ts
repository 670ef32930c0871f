/**
 * Adding a dataset is one catalog entry: registered here (as the entries in catalog.ts's BUILTIN are), the
 * config schema accepts its name and checks a CNN against its shape, `info` lists it, and loadDataset loads it,
 * checked against its SHA-256s, shape and classes. Removed again, every one of them refuses the name.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  datasetEntries,
  registerDataset,
  type OwnLoaderDataset,
  type PinnedDataset,
  type RemoteFile,
} from '../../src/data/catalog.js';
import { datasetStatus, loadDataset } from '../../src/data/datasets.js';
import { validateConfig } from '../../src/config/index.js';
import { UserError } from '../../src/errors.js';
import { Rng } from '../../src/rng/index.js';
import { makeIdx, removeTempDirs, sha256, tempDir, writeFiles } from './fixtures.js';

after(removeTempDirs);

/** The catalog's own datasets (named nowhere here, so adding one changes nothing in this file). */
const builtin = datasetEntries().map((d) => d.name);

/** `count` random 8x8x3 images in 5 classes (label i % 5), as IDX bytes. */
function rgbSplit(count: number, seed: number): { images: Buffer; labels: Buffer; pixels: Uint8Array } {
  const rng = new Rng(seed);
  const pixels = Uint8Array.from({ length: count * 8 * 8 * 3 }, () => rng.int(256));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 5);
  return { images: makeIdx([count, 8, 8, 3], pixels), labels: makeIdx([count], labels), pixels };
}

/** A pinned entry whose four raw files lie in a temp "system folder", with their digests. */
function tinyEntry(): { entry: PinnedDataset; train: Uint8Array } {
  const train = rgbSplit(30, 1);
  const test = rgbSplit(10, 2);
  const bytes = {
    'train-images-idx3-ubyte': train.images,
    'train-labels-idx1-ubyte': train.labels,
    't10k-images-idx3-ubyte': test.images,
    't10k-labels-idx1-ubyte': test.labels,
  };
  const dir = tempDir();
  writeFiles(dir, bytes, false);
  const file = (name: keyof typeof bytes): RemoteFile => ({
    name: `${name}.gz`,
    sha256: '0'.repeat(64), // no .gz here: the raw digest is the one that matches
    rawSha256: sha256(bytes[name]),
    size: bytes[name].length,
  });
  const entry: PinnedDataset = {
    name: 'tiny-rgb',
    description: 'a test dataset: 30 + 10 random 8x8 RGB images in 5 classes',
    shape: [8, 8, 3],
    classes: 5,
    files: {
      trainImages: file('train-images-idx3-ubyte'),
      trainLabels: file('train-labels-idx1-ubyte'),
      testImages: file('t10k-images-idx3-ubyte'),
      testLabels: file('t10k-labels-idx1-ubyte'),
    },
    mirrors: ['http://127.0.0.1:9/'], // never reached: the files are in the system folder
    systemDirs: [dir],
    packages: [],
  };
  return { entry, train: train.pixels };
}

const config = (dataset: string, models: unknown[] = ['mlp']) => ({
  name: 'x',
  dataset,
  models,
  activations: ['relu'],
});

test('one registered entry: the schema accepts it, info lists it, loadDataset loads it; removed, all refuse it', async () => {
  const { entry, train } = tinyEntry();
  const remove = registerDataset(entry);
  try {
    assert.equal(validateConfig(config('tiny-rgb')).dataset, 'tiny-rgb');
    // The schema checks a CNN against the entry's 8x8: the default blocks do not fit (8 -3-> 6 -> 3 -3-> 1).
    assert.throws(
      () => validateConfig(config('tiny-rgb', ['cnn'])),
      /models\[0\]: does not fit 8x8 images: the 2x2 pool of conv block 2 gets a 1x1 input/,
    );
    validateConfig(config('tiny-rgb', [{ model: 'cnn', filters: [4] }]));

    const status = await datasetStatus({ dataDir: tempDir() });
    assert.deepEqual(
      status.map((s) => s.name),
      [...builtin, 'tiny-rgb'],
    );
    assert.equal(status.at(-1)?.available, true);
    assert.match(status.at(-1)?.detail ?? '', /system package folder .* \(4\/4 files verified\)/);

    const ds = await loadDataset('tiny-rgb', { offline: true, dataDir: tempDir() });
    assert.deepEqual(
      [ds.name, ds.shape, ds.classes, ds.train.count, ds.test.count],
      ['tiny-rgb', [8, 8, 3], 5, 30, 10],
    );
    assert.equal(ds.source.kind, 'system');
    assert.deepEqual(
      ds.train.images.subarray(0, 5),
      Float32Array.from(train.subarray(0, 5), (v) => v / 255),
    );
    assert.throws(() => registerDataset(entry), /dataset "tiny-rgb" is already known/);
  } finally {
    remove();
  }
  assert.throws(
    () => validateConfig(config('tiny-rgb')),
    (err: unknown) =>
      err instanceof UserError &&
      err.message.includes(`dataset: must be ${builtin.join(', ')} or idx:<folder>; got "tiny-rgb"`),
  );
  assert.deepEqual(
    (await datasetStatus({ dataDir: tempDir() })).map((s) => s.name),
    builtin,
  );
  await assert.rejects(loadDataset('tiny-rgb'), /unknown dataset "tiny-rgb"; choose one of .*, idx:<folder>$/);
});

test("an entry's files must hold its shape and classes; an own loader's bytes too", async () => {
  const { entry } = tinyEntry();
  for (const [wrong, message] of [
    [{ shape: [8, 8, 1] }, /tiny-rgb training set: image file has dimensions \[30, 8, 8, 3\], expected \[n, 8, 8\]/],
    [{ classes: 3 }, /tiny-rgb training set: label 3 at index 3 is outside 0-2/],
  ] as const) {
    const remove = registerDataset({ ...entry, ...wrong } as PinnedDataset);
    try {
      await assert.rejects(
        loadDataset('tiny-rgb', { offline: true }),
        (err: unknown) => err instanceof UserError && message.test(err.message),
      );
    } finally {
      remove();
    }
  }

  const split = (count: number, size: number) => ({
    images: new Uint8Array(count * size).fill(255),
    labels: new Uint8Array(count),
    count,
  });
  const own = (size: number): OwnLoaderDataset => ({
    name: 'own-loader',
    description: 'a test dataset from its own loader',
    shape: [2, 3, 1],
    classes: 2,
    load: () => ({
      train: split(4, size),
      test: split(2, size),
      source: { kind: 'package', location: 'test', files: [] },
    }),
    status: () => ({ available: true, detail: 'made by the test' }),
  });
  let remove = registerDataset(own(6));
  try {
    const ds = await loadDataset('own-loader');
    assert.deepEqual([ds.shape, ds.classes, ds.train.count, ds.test.images.length], [[2, 3, 1], 2, 4, 12]);
    assert.equal(ds.train.images[0], 1);
    assert.deepEqual((await datasetStatus({ dataDir: tempDir() })).at(-1), {
      name: 'own-loader',
      available: true,
      detail: 'made by the test',
    });
  } finally {
    remove();
  }
  remove = registerDataset(own(5));
  try {
    await assert.rejects(
      loadDataset('own-loader'),
      /own-loader training set: its loader gave 20 pixel bytes and 4 labels for 4 images of 2x3x1/,
    );
  } finally {
    remove();
  }
});
